// VeleroSchedule's restore drill. Its objects are checked as registered: the Restore it creates against
// Velero's own CRD (velero.io_restores.yaml of Velero 1.18.1, what chart 12.1.0 installs, vendored), its RBAC
// rule by rule. Its script runs for real under sh with real jq, curl and AWS CLI (against the loopback S3
// stand-in, test/support/fakeS3.ts, this machine having no cloud access), but no Kubernetes API server exists
// here (none is packaged in Debian): `kubectl` is a fake on PATH serving recorded JSON (Backups as Velero
// lists them, a Restore's status as it progresses) and recording what it is asked, so the tests judge the
// script's decisions: which backup, how long to wait, what it records, and that it always cleans up.
import { runProgram, plainProperties, type CapturedResource, type ProgramRun } from "@drkit/cli/harness";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  BACKUP_PUSH_JOB,
  BACKUP_VERIFIED_METRIC,
  DRILL_RESULT_SCHEMA,
  type DrillResult,
} from "@drkit/posture";
import {
  DrRegionPair,
  VELERO_CHECK_SCRIPT,
  VELERO_DRILL_SCRIPT,
  VeleroSchedule,
  type VeleroScheduleArgs,
  validateVeleroScheduleArgs,
} from "@drkit/components";
import { crdProblems } from "../../../../test/support/crds";
import { startFakeS3, type FakeS3 } from "../../../../test/support/fakeS3";
import { parseDrillRecord } from "../../../cli/src/drills/record";

const support = resolve(__dirname, "../../../../test/support");
const base = {
  project: "platform",
  stack: "prod",
  computedOutputs: { "aws:s3/bucket:Bucket": ["arn", "bucket"], "aws:iam/role:Role": ["arn"] },
};
const DRILL = {
  namespace: "shop",
  recordsBucket: "platform-dr-records",
  recordsBucketRegion: "eu-central-1",
};

function program(changes: Partial<Omit<VeleroScheduleArgs, "regions">> = {}) {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new VeleroSchedule("cluster", {
      service: "cluster",
      tier: "critical",
      regions,
      schedules: [{ name: "hourly", cron: "0 * * * *", includedNamespaces: ["shop", "payments"] }],
      drill: DRILL,
      ...changes,
    });
  };
}
const props = (r: CapturedResource) => plainProperties(r.inputs) as unknown as Record<string, never>;
const named = (run: ProgramRun, type: string, name: string) => run.ofType(type).find((r) => r.name === name)!;

interface DrillContainer {
  image: string;
  command: string[];
  env: { name: string; value: string }[];
}
function drillContainer(run: ProgramRun): DrillContainer {
  const job = props(named(run, "kubernetes:batch/v1:CronJob", "cluster-drill")) as unknown as {
    spec: { jobTemplate: { spec: { template: { spec: { containers: DrillContainer[] } } } } };
  };
  return job.spec.jobTemplate.spec.template.spec.containers[0]!;
}
const envOf = (c: DrillContainer) => Object.fromEntries(c.env.map((e) => [e.name, e.value]));

describe("VeleroSchedule's restore drill, as registered", () => {
  it("is off unless `drill` is given", async () => {
    const run = await runProgram(program({ drill: undefined }), base);
    expect(run.ofType("kubernetes:batch/v1:CronJob")).toEqual([]);
  });

  it("runs in the secondary cluster on the tier's schedule, restoring one namespace into a scratch one, valid against Velero's Restore CRD", async () => {
    const run = await runProgram(program(), base);
    const cronJob = named(run, "kubernetes:batch/v1:CronJob", "cluster-drill");
    expect(run.providerOf(cronJob)?.name).toBe("dr-secondary");
    expect((props(cronJob) as unknown as { spec: { schedule: string } }).spec.schedule).toBe("30 3 * * *");
    const container = drillContainer(run);
    expect([container.image, container.command]).toEqual([
      "alpine/k8s:1.33.4",
      ["sh", "-c", VELERO_DRILL_SCRIPT],
    ]);
    const env = envOf(container);
    expect(env).toMatchObject({
      VELERO_NAMESPACE: "velero",
      SCHEDULE: "cluster-hourly",
      DRILL_NAMESPACE: "shop",
      SCRATCH_NAMESPACE: "drkit-drill-cluster",
      TIMEOUT_SECONDS: "3600",
      RECORDS_BUCKET: "platform-dr-records",
      RECORDS_BUCKET_REGION: "eu-central-1",
    });
    const restore = JSON.parse(env.RESTORE_TEMPLATE!) as { spec: Record<string, unknown> };
    expect(restore).toMatchObject({
      spec: {
        includedNamespaces: ["shop"],
        namespaceMapping: { shop: "drkit-drill-cluster" },
        includeClusterResources: false,
      },
    });
    // As the script completes it, with a backup's name.
    const completed = { ...restore, spec: { ...restore.spec, backupName: "cluster-hourly-1" } };
    expect(crdProblems(completed as never)).toEqual([]);
    // The schema bites: a mapping given as a list is refused.
    expect(
      crdProblems({ ...completed, spec: { ...completed.spec, namespaceMapping: ["shop"] } } as never),
    ).not.toEqual([]);
  });

  it("may create, read and delete Restores and read Backups in Velero's namespace, and read and delete only the scratch namespace", async () => {
    const run = await runProgram(program(), base);
    expect(props(named(run, "kubernetes:rbac.authorization.k8s.io/v1:Role", "cluster-drill")).rules).toEqual([
      { apiGroups: ["velero.io"], resources: ["restores"], verbs: ["create", "get", "delete"] },
      { apiGroups: ["velero.io"], resources: ["backups"], verbs: ["get", "list"] },
    ]);
    expect(
      props(named(run, "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole", "cluster-drill-scratch")).rules,
    ).toEqual([
      {
        apiGroups: [""],
        resources: ["namespaces"],
        resourceNames: ["drkit-drill-cluster"],
        verbs: ["get", "delete"],
      },
    ]);
    for (const [type, name, kind] of [
      ["kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "cluster-drill", "Role"],
      ["kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "cluster-drill-scratch", "ClusterRole"],
    ] as const)
      expect(props(named(run, type, name))).toMatchObject({
        roleRef: { kind },
        subjects: [{ kind: "ServiceAccount", name: "cluster-drill", namespace: "velero" }],
      });
  });

  it("refuses drill arguments it cannot use, naming the field", () => {
    const side = (region: string) =>
      ({ region, awsProvider: { __pulumiType: "pulumi:providers:aws" }, kubernetesProvider: {} }) as never;
    const args = {
      service: "cluster",
      tier: "critical",
      regions: { primary: side("eu-west-1"), secondary: side("eu-central-1") },
      schedules: [{ name: "hourly", cron: "0 * * * *", includedNamespaces: ["shop"] }],
    };
    expect(
      validateVeleroScheduleArgs({
        ...args,
        restoreLocationInSecondary: false,
        drill: {
          backupSchedule: "daily",
          namespace: "payments",
          recordsBucketRegion: "mars",
          timeoutSeconds: 5,
        },
      }),
    ).toEqual([
      "`drill` runs in the secondary cluster and restores through its read-only location: it needs `restoreLocationInSecondary` (drop `restoreLocationInSecondary: false`, or the drill)",
      '`drill.backupSchedule` must name one of `schedules` ("hourly") (got "daily")',
      "`drill.recordsBucket` is required: the bucket the drill records go to (not Velero's own, which Velero would mark unavailable)",
      '`drill.recordsBucketRegion` must be the records bucket\'s AWS region code such as "eu-central-1" (got "mars")',
      "`drill.timeoutSeconds` must be a whole number of seconds from 60 to 86400 (got 5); omit it to use 3600",
    ]);
    expect(validateVeleroScheduleArgs({ ...args, drill: { ...DRILL, namespace: "payments" } })).toEqual([
      '`drill.namespace` "payments" is not backed up by schedule "hourly": pick a namespace it includes',
    ]);
  });
});

// ---- the script, run ----

const FAKE_KUBECTL = `#!/bin/sh
printf '%s\\n' "$*" >> "$STATE/kubectl.log"
case "$1 $2" in
  "get backups.velero.io") cat "$STATE/backups.json" ;;
  "get namespace")
    [ -e "$STATE/namespace-exists" ] || { echo "Error from server (NotFound): namespaces \\"$3\\" not found" >&2; exit 1; }
    echo "namespace/$3" ;;
  "create -f")
    cp "$3" "$STATE/created.json"
    touch "$STATE/namespace-exists"
    echo "restore.velero.io/created" ;;
  "get restores.velero.io")
    n=$(($(cat "$STATE/polls" 2>/dev/null || echo 0) + 1))
    echo "$n" > "$STATE/polls"
    if [ -e "$STATE/restore-$n.json" ]; then cat "$STATE/restore-$n.json"; else cat "$STATE/restore-last.json"; fi ;;
  "delete restores.velero.io" | "delete namespace") rm -f "$STATE/namespace-exists" ;;
  *) echo "kubectl: not recorded: $*" >&2; exit 2 ;;
esac
`;

const backupItem = (name: string, created: string, phase: string, errors = 0) => ({
  apiVersion: "velero.io/v1",
  kind: "Backup",
  metadata: {
    name,
    namespace: "velero",
    creationTimestamp: created,
    labels: { "velero.io/schedule-name": "cluster-hourly" },
  },
  status: { phase, errors, completionTimestamp: created.replace(":00Z", ":40Z") },
});
const restoreStatus = (phase: string, extra: object = {}) => ({
  apiVersion: "velero.io/v1",
  kind: "Restore",
  status: { phase, ...extra },
});

function run(command: string, args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
  });
}

describe("the Velero drill's script", () => {
  let s3: FakeS3;
  let root: string;
  let state: string;
  let env: Record<string, string>;
  let pushgateway: http.Server;
  const pushes: { url: string; body: string }[] = [];

  beforeAll(async () => {
    execFileSync("bash", [join(support, "awscli.sh")], { stdio: "inherit" });
    execFileSync("bash", [join(support, "jq.sh")], { stdio: "inherit" });
    s3 = await startFakeS3({ buckets: { "platform-dr-records": { objectLock: true } } });
    pushgateway = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        pushes.push({ url: req.url ?? "", body });
        res.end();
      });
    });
    await new Promise<void>((done) => pushgateway.listen(0, "127.0.0.1", done));
    const registered = await runProgram(
      program({ drill: { ...DRILL, pushgatewayUrl: "http://pushgateway.monitoring:9091" } }),
      base,
    );
    env = envOf(drillContainer(registered));
    env.PUSHGATEWAY_URL = `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await s3.close();
    await new Promise((done) => pushgateway.close(done));
  });

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "drkit-velero-drill-"));
    state = join(root, "state");
    mkdirSync(state);
    mkdirSync(join(root, "bin"));
    writeFileSync(join(root, "bin", "kubectl"), FAKE_KUBECTL);
    writeFileSync(
      join(root, "bin", "aws"),
      `#!/bin/sh\nexec /usr/bin/aws --endpoint-url "${s3.endpoint}" "$@"\n`,
    );
    for (const tool of ["kubectl", "aws"]) chmodSync(join(root, "bin", tool), 0o755);
    writeFileSync(join(root, "aws-config"), "[default]\ns3 =\n  addressing_style = path\n");
    pushes.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const given = (backups: object[], restores: object[]) => {
    writeFileSync(
      join(state, "backups.json"),
      JSON.stringify({ apiVersion: "v1", kind: "List", items: backups }),
    );
    restores.forEach((r, i) =>
      writeFileSync(
        join(state, i === restores.length - 1 ? "restore-last.json" : `restore-${i + 1}.json`),
        JSON.stringify(r),
      ),
    );
  };
  const drill = async (extra: Record<string, string> = {}) => {
    const result = await run("sh", ["-c", VELERO_DRILL_SCRIPT], {
      ...env,
      PATH: `${join(root, "bin")}:/usr/bin:/bin`,
      HOME: root,
      STATE: state,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: join(root, "aws-config"),
      POLL_SECONDS: "1",
      ...extra,
    });
    const records = [...s3.buckets.get("platform-dr-records")!.keys].filter(([k]) =>
      k.startsWith("drills/cluster/velero/"),
    );
    const [key, versions] = records.at(-1) ?? [];
    const text = versions?.at(-1)!.body.toString();
    // Every record written is one `drkit drills report` accepts, passed or failed.
    if (text !== undefined) expect(parseDrillRecord(text, key!)).toMatchObject({ valid: true });
    s3.buckets.get("platform-dr-records")!.keys.clear();
    const kubectl = existsSync(join(state, "kubectl.log"))
      ? readFileSync(join(state, "kubectl.log"), "utf8").trim().split("\n")
      : [];
    return {
      result,
      key,
      record: versions && (JSON.parse(versions.at(-1)!.body.toString()) as DrillResult),
      kubectl,
    };
  };
  const done = restoreStatus("Completed", {
    errors: 0,
    warnings: 2,
    progress: { itemsRestored: 12, totalItems: 12 },
  });

  it("restores the newest Completed backup, waits for it, checks it, records it, and cleans up", async () => {
    given(
      [
        backupItem("cluster-hourly-20261124000000", "2026-11-24T00:00:00Z", "Completed"),
        backupItem("cluster-hourly-20261124020000", "2026-11-24T02:00:00Z", "Completed"),
        backupItem("cluster-hourly-20261124010000", "2026-11-24T01:00:00Z", "Completed"),
        backupItem("cluster-hourly-20261124030000", "2026-11-24T03:00:00Z", "InProgress"),
      ],
      [restoreStatus("New"), restoreStatus("InProgress"), done],
    );
    const { result, key, record, kubectl } = await drill();
    expect([result.status, result.stderr]).toEqual([0, ""]);
    const created = JSON.parse(readFileSync(join(state, "created.json"), "utf8")) as {
      metadata: { name: string };
      spec: { backupName: string };
    };
    expect(created.spec.backupName).toBe("cluster-hourly-20261124020000");
    expect(crdProblems(created as never)).toEqual([]);
    expect(key).toBe(`drills/cluster/velero/${record!.startedAt}.json`);
    expect(record).toMatchObject({
      schema: DRILL_RESULT_SCHEMA,
      service: "cluster",
      tier: "critical",
      kind: "velero",
      backup: { key: "cluster-hourly-20261124020000", takenAt: "2026-11-24T02:00:40Z" },
      ok: true,
    });
    expect(record!.checks).toEqual([
      {
        name: "newest-backup",
        ok: true,
        expected: "Completed, 0 errors",
        actual: "cluster-hourly-20261124020000: Completed, 0 errors",
      },
      { name: "restore-phase", ok: true, expected: "Completed", actual: "Completed" },
      { name: "restore-errors", ok: true, expected: "0 errors", actual: "0 errors, 2 warnings" },
      { name: "items", ok: true, expected: "every item of the backup restored", actual: "12 of 12" },
      { name: "scratch-namespace", ok: true, expected: "drkit-drill-cluster present", actual: "present" },
    ]);
    // Polled three times, a second apart: measured, not estimated.
    expect(record!.restoreSeconds).toBeGreaterThanOrEqual(2);
    expect(kubectl.slice(-2)).toEqual([
      `delete restores.velero.io ${created.metadata.name} -n velero --ignore-not-found --wait=false`,
      "delete namespace drkit-drill-cluster --ignore-not-found --wait=false",
    ]);
    expect(pushes.map((p) => p.url)).toEqual([
      "/metrics/job/drkit-drill/drkit_service/cluster/drkit_drill_kind/velero",
      "/metrics/job/drkit-backup/drkit_service/cluster",
    ]);
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 1$/m);
    expect(pushes[0]!.body).toMatch(/^drkit_exercise_last_success_timestamp_seconds \d+$/m);
  });

  it("fails when the newest backup is PartiallyFailed, though it still restores the newest Completed one", async () => {
    given(
      [
        backupItem("cluster-hourly-20261124020000", "2026-11-24T02:00:00Z", "Completed"),
        backupItem("cluster-hourly-20261124030000", "2026-11-24T03:00:00Z", "PartiallyFailed", 3),
      ],
      [done],
    );
    const { result, record } = await drill();
    expect(result.status).toBe(1);
    expect(record).toMatchObject({
      ok: false,
      error: "a check failed",
      backup: { key: "cluster-hourly-20261124020000" },
    });
    expect(record!.checks[0]).toEqual({
      name: "newest-backup",
      ok: false,
      expected: "Completed, 0 errors",
      actual: "cluster-hourly-20261124030000: PartiallyFailed, 3 errors",
    });
    expect(pushes.map((p) => p.url)).toEqual([
      "/metrics/job/drkit-drill/drkit_service/cluster/drkit_drill_kind/velero",
    ]);
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 0$/m);
  });

  it("gives up after its timeout, records why, and still deletes the Restore and the scratch namespace", async () => {
    given(
      [backupItem("cluster-hourly-20261124020000", "2026-11-24T02:00:00Z", "Completed")],
      [restoreStatus("InProgress")],
    );
    const { result, record, kubectl } = await drill({ TIMEOUT_SECONDS: "2" });
    expect(result.status).toBe(1);
    expect(record!.error).toMatch(
      /^the Restore cluster-hourly-drill-\d{14} did not finish within 2 s \(phase: "InProgress"\)$/,
    );
    expect(kubectl.filter((l) => l.startsWith("delete "))).toHaveLength(2);
    expect(existsSync(join(state, "namespace-exists"))).toBe(false);
  });

  it("fails a Restore that Velero finished PartiallyFailed, with its errors", async () => {
    given(
      [backupItem("cluster-hourly-20261124020000", "2026-11-24T02:00:00Z", "Completed")],
      [
        restoreStatus("PartiallyFailed", {
          errors: 4,
          warnings: 0,
          progress: { itemsRestored: 8, totalItems: 12 },
        }),
      ],
    );
    const { result, record } = await drill();
    expect(result.status).toBe(1);
    expect(record!.checks.filter((c) => !c.ok).map((c) => [c.name, c.actual])).toEqual([
      ["restore-phase", "PartiallyFailed"],
      ["restore-errors", "4 errors, 0 warnings"],
      ["items", "8 of 12"],
    ]);
  });

  it("never restores into a scratch namespace left over from an earlier drill", async () => {
    given([backupItem("cluster-hourly-20261124020000", "2026-11-24T02:00:00Z", "Completed")], [done]);
    writeFileSync(join(state, "namespace-exists"), "");
    const { result, record, kubectl } = await drill();
    expect(result.status).toBe(1);
    expect(record!.error).toBe(
      "the scratch namespace drkit-drill-cluster exists (an earlier drill's cleanup has not finished): not restoring into it",
    );
    expect(kubectl.some((l) => l.startsWith("create") || l.startsWith("delete"))).toBe(false);
  });

  it("fails without a record when the schedule has no Completed backup to restore, and says so in its metrics", async () => {
    given(
      [backupItem("cluster-hourly-20261124030000", "2026-11-24T03:00:00Z", "PartiallyFailed", 3)],
      [done],
    );
    const { result, record, kubectl } = await drill();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      "drkit: drill failed: schedule cluster-hourly has no Completed backup to restore",
    );
    expect(record).toBeUndefined();
    expect(kubectl.some((l) => l.startsWith("create"))).toBe(false);
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 0$/m);
  });

  it("is clean under shellcheck (sh)", () => {
    const found = spawnSync("shellcheck", ["--version"]);
    if (found.error) throw new Error("shellcheck is not installed: run test/support/shellcheck.sh");
    const lint = spawnSync("shellcheck", ["--shell=sh", "--format=gcc", "-"], {
      input: VELERO_DRILL_SCRIPT,
      encoding: "utf8",
    });
    expect(lint.stdout.split("\n").filter((l) => l !== "")).toEqual([]);
  });
});

// ---- the per-backup check ----

const CHECK = { intervalMinutes: 15, pushgatewayUrl: "http://pushgateway.monitoring:9091" };
interface CheckContainer extends DrillContainer {
  name: string;
}
function checkJob(run: ProgramRun, name: string) {
  return props(named(run, "kubernetes:batch/v1:CronJob", name)) as unknown as {
    spec: {
      schedule: string;
      jobTemplate: { spec: { backoffLimit: number; template: { spec: { containers: CheckContainer[] } } } };
    };
  };
}

describe("VeleroSchedule's per-backup check, as registered", () => {
  const twoSchedules = {
    schedules: [
      { name: "hourly", cron: "0 * * * *", includedNamespaces: ["shop", "payments"] },
      { name: "daily", cron: "0 2 * * *" },
    ],
    drill: undefined,
  };

  it("is off unless `backupCheck` is given", async () => {
    const run = await runProgram(program({ drill: undefined }), base);
    expect(run.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role")).toEqual([]);
  });

  it("runs one CronJob per schedule in the primary cluster's Velero namespace, every interval, with the drill's image", async () => {
    const run = await runProgram(program({ ...twoSchedules, backupCheck: CHECK }), base);
    for (const schedule of ["hourly", "daily"]) {
      const cronJob = named(run, "kubernetes:batch/v1:CronJob", `cluster-${schedule}-check`);
      expect(run.providerOf(cronJob)?.name).toBe("dr-primary");
      const job = checkJob(run, `cluster-${schedule}-check`);
      expect([job.spec.schedule, job.spec.jobTemplate.spec.backoffLimit]).toEqual(["*/15 * * * *", 0]);
      const container = job.spec.jobTemplate.spec.template.spec.containers[0]!;
      expect([container.image, container.command]).toEqual([
        "alpine/k8s:1.33.4",
        ["sh", "-c", VELERO_CHECK_SCRIPT],
      ]);
      expect(envOf(container)).toEqual({
        VELERO_NAMESPACE: "velero",
        SCHEDULE: `cluster-${schedule}`,
        LOOKBACK_SECONDS: "1800",
        IN_PROGRESS_LIMIT_SECONDS: "14400",
        SERVICE: "cluster",
        PUSHGATEWAY_URL: "http://pushgateway.monitoring:9091",
      });
    }
    const hourly = await runProgram(
      program({ drill: undefined, backupCheck: { intervalMinutes: 60, inProgressLimitMinutes: 30 } }),
      base,
    );
    const job = checkJob(hourly, "cluster-hourly-check");
    expect(job.spec.schedule).toBe("0 * * * *");
    const env = envOf(job.spec.jobTemplate.spec.template.spec.containers[0]!);
    expect([env.LOOKBACK_SECONDS, env.IN_PROGRESS_LIMIT_SECONDS, env.PUSHGATEWAY_URL]).toEqual([
      "7200",
      "1800",
      undefined,
    ]);
  });

  it("may only get and list Backups in Velero's namespace", async () => {
    const run = await runProgram(program({ drill: undefined, backupCheck: CHECK }), base);
    const role = named(run, "kubernetes:rbac.authorization.k8s.io/v1:Role", "cluster-backup-check");
    expect(run.providerOf(role)?.name).toBe("dr-primary");
    expect(props(role)).toMatchObject({ metadata: { name: "cluster-backup-check", namespace: "velero" } });
    expect(props(role).rules).toEqual([
      { apiGroups: ["velero.io"], resources: ["backups"], verbs: ["get", "list"] },
    ]);
    expect(run.ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")).toEqual([]);
    expect(
      props(named(run, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "cluster-backup-check")),
    ).toMatchObject({
      roleRef: { kind: "Role", name: "cluster-backup-check" },
      subjects: [{ kind: "ServiceAccount", name: "cluster-backup-check", namespace: "velero" }],
    });
  });

  it("refuses backup check arguments it cannot use, naming the field", () => {
    const side = (region: string) =>
      ({ region, awsProvider: { __pulumiType: "pulumi:providers:aws" }, kubernetesProvider: {} }) as never;
    const args = {
      service: "cluster",
      tier: "critical",
      regions: { primary: side("eu-west-1"), secondary: side("eu-central-1") },
      schedules: [{ name: "every-hour-of-the-day-and-night", cron: "0 * * * *" }],
    };
    expect(
      validateVeleroScheduleArgs(
        {
          ...args,
          backupCheck: {
            intervalMinutes: 7,
            inProgressLimitMinutes: 5,
            pushgatewayUrl: "pushgateway:9091",
            image: "alpine/k8s:latest",
            every: 5,
          },
        },
        "a-velero-component-name",
      ),
    ).toEqual([
      expect.stringMatching(/^`backupCheck\.every` /),
      "`backupCheck.intervalMinutes` must be one of 5, 10, 15, 20, 30, 60 (it must divide the hour for the check to run evenly) (got 7); omit it to use 15",
      expect.stringMatching(
        /^`backupCheck\.inProgressLimitMinutes` must be a whole number of minutes from 10 to 1440 \(got 5\)/,
      ),
      expect.stringMatching(/^`backupCheck\.pushgatewayUrl` /),
      expect.stringMatching(/^`backupCheck\.image` /),
      '`schedules[0].name` "every-hour-of-the-day-and-night" makes the backup check\'s CronJob "a-velero-component-name-every-hour-of-the-day-and-night-check" 61 characters long, over the 52 Kubernetes allows: shorten the schedule\'s or the component\'s name',
    ]);
    expect(validateVeleroScheduleArgs({ ...args, backupCheck: "yes" })).toEqual([
      expect.stringMatching(/^`backupCheck` must be an object/),
    ]);
  });
});

describe("the Velero backup check's script", () => {
  let root: string;
  let state: string;
  let pushgateway: http.Server;
  let pushgatewayUrl: string;
  const pushes: { url: string; body: string }[] = [];

  beforeAll(async () => {
    execFileSync("bash", [join(support, "jq.sh")], { stdio: "inherit" });
    pushgateway = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        pushes.push({ url: req.url ?? "", body });
        res.end();
      });
    });
    await new Promise<void>((done) => pushgateway.listen(0, "127.0.0.1", done));
    pushgatewayUrl = `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((done) => pushgateway.close(done));
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "drkit-velero-check-"));
    state = join(root, "state");
    mkdirSync(state);
    mkdirSync(join(root, "bin"));
    // The drill's fake kubectl (see above): no Kubernetes API server is packaged in Debian, so it serves
    // recorded Backup JSON as Velero lists it and records what it was asked.
    writeFileSync(join(root, "bin", "kubectl"), FAKE_KUBECTL);
    chmodSync(join(root, "bin", "kubectl"), 0o755);
    pushes.length = 0;
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // Backups timed relative to now, since the script judges them against its own clock.
  const minutesAgo = (minutes: number) =>
    new Date(Date.now() - minutes * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  const backup = (
    name: string,
    createdMinutesAgo: number,
    phase: string,
    errors = 0,
    finishedMinutesAgo?: number,
  ) => {
    const item = backupItem(name, minutesAgo(createdMinutesAgo), phase, errors) as {
      status: Record<string, unknown>;
    };
    item.status.completionTimestamp =
      finishedMinutesAgo === undefined ? undefined : minutesAgo(finishedMinutesAgo);
    return item;
  };
  const check = async (backups: object[]) => {
    writeFileSync(
      join(state, "backups.json"),
      JSON.stringify({ apiVersion: "v1", kind: "List", items: backups }),
    );
    const result = await run("sh", ["-c", VELERO_CHECK_SCRIPT], {
      PATH: `${join(root, "bin")}:/usr/bin:/bin`,
      HOME: root,
      STATE: state,
      VELERO_NAMESPACE: "velero",
      SCHEDULE: "cluster-hourly",
      LOOKBACK_SECONDS: "1800",
      IN_PROGRESS_LIMIT_SECONDS: "14400",
      SERVICE: "cluster",
      PUSHGATEWAY_URL: pushgatewayUrl,
    });
    const kubectl = readFileSync(join(state, "kubectl.log"), "utf8").trim().split("\n");
    return { ...result, kubectl };
  };

  it("passes a Completed backup without errors, lists only its schedule's Backups, and pushes the verified gauge", async () => {
    const { status, stdout, stderr, kubectl } = await check([
      backup("cluster-hourly-old", 300, "PartiallyFailed", 2, 290),
      backup("cluster-hourly-new", 12, "Completed", 0, 10),
    ]);
    expect([status, stderr]).toEqual([0, ""]);
    expect(stdout).toContain("drkit: backup cluster-hourly-new: Completed, 0 errors");
    // The PartiallyFailed one finished before the window: an earlier check judged it.
    expect(stdout).not.toContain("cluster-hourly-old");
    expect(kubectl).toEqual([
      "get backups.velero.io -n velero -l velero.io/schedule-name=cluster-hourly -o json",
    ]);
    expect(pushes.map((p) => p.url)).toEqual([`/metrics/job/${BACKUP_PUSH_JOB}/drkit_service/cluster`]);
    expect(pushes[0]!.body).toMatch(new RegExp(`^${BACKUP_VERIFIED_METRIC} \\d+$`, "m"));
  });

  it("fails the job on a PartiallyFailed backup, naming it and its error count, and pushes nothing", async () => {
    const { status, stderr } = await check([
      backup("cluster-hourly-a", 25, "Completed", 0, 20),
      backup("cluster-hourly-b", 8, "PartiallyFailed", 3, 5),
    ]);
    expect(status).toBe(1);
    expect(stderr).toBe(
      "drkit: backup check failed: backup cluster-hourly-b is PartiallyFailed with 3 errors (expected Completed, 0 errors)\n",
    );
    expect(pushes).toEqual([]);
  });

  it("fails Failed and FailedValidation backups, the latter having no completion time", async () => {
    const { status, stderr } = await check([
      backup("cluster-hourly-a", 8, "Failed", 0, 5),
      backup("cluster-hourly-b", 3, "FailedValidation"),
    ]);
    expect(status).toBe(1);
    expect(stderr.trim().split("\n")).toEqual([
      "drkit: backup check failed: backup cluster-hourly-a is Failed with 0 errors (expected Completed, 0 errors)",
      "drkit: backup check failed: backup cluster-hourly-b is FailedValidation with 0 errors (expected Completed, 0 errors)",
    ]);
  });

  it("fails a backup still InProgress past its bound, but not one within it", async () => {
    const stuck = await check([backup("cluster-hourly-stuck", 300, "InProgress")]);
    expect(stuck.status).toBe(1);
    expect(stuck.stderr).toMatch(
      /^drkit: backup check failed: backup cluster-hourly-stuck is still InProgress, created \S+, over the 14400 s a backup may take\n$/,
    );
    const running = await check([backup("cluster-hourly-running", 30, "InProgress")]);
    expect([running.status, running.stderr]).toEqual([0, ""]);
    expect(pushes).toEqual([]);
  });

  it("passes without pushing when no backup finished since the last check", async () => {
    const { status, stdout, stderr } = await check([backup("cluster-hourly-old", 120, "Completed", 0, 118)]);
    expect([status, stderr]).toEqual([0, ""]);
    expect(stdout).toBe(
      "drkit: no backup of schedule cluster-hourly finished in the last 1800 s: nothing new to verify\n",
    );
    expect(pushes).toEqual([]);
  });

  it("is clean under shellcheck (sh)", () => {
    const found = spawnSync("shellcheck", ["--version"]);
    if (found.error) throw new Error("shellcheck is not installed: run test/support/shellcheck.sh");
    const lint = spawnSync("shellcheck", ["--shell=sh", "--format=gcc", "-"], {
      input: VELERO_CHECK_SCRIPT,
      encoding: "utf8",
    });
    expect(lint.stdout.split("\n").filter((l) => l !== "")).toEqual([]);
  });
});
