// The backup CronJob's two steps, run for real as the registered CronJob runs them: its command under the
// shells the images carry (dash here; bash in amazon/aws-cli), with the environment its manifest gives
// (the Secret's key filled in), against a fake `redis-cli`, `aws` and `date` on PATH that record their
// arguments and environment.
import { runProgram, plainProperties } from "@drkit/cli/harness";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DrRegionPair, RedisCrossZone } from "@drkit/components";

const PASSWORD = "pw-from-the-secret-0123456789";
const base = {
  project: "platform",
  stack: "prod",
  computedOutputs: {
    "aws:s3/bucket:Bucket": ["arn", "bucket"],
    "random:index/randomPassword:RandomPassword": ["result"],
  },
};

interface Container {
  name: string;
  command: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
}

/** The backup Job's containers, as registered. */
async function backupContainers(): Promise<{ rdb: Container; upload: Container }> {
  const run = await runProgram(() => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
    });
    new RedisCrossZone("sessions", { service: "sessions", tier: "critical", regions });
  }, base);
  const job = plainProperties(run.ofType("kubernetes:batch/v1:CronJob")[0]!.inputs) as unknown as {
    spec: {
      jobTemplate: { spec: { template: { spec: { initContainers: Container[]; containers: Container[] } } } };
    };
  };
  const pod = job.spec.jobTemplate.spec.template.spec;
  return { rdb: pod.initContainers[0]!, upload: pod.containers[0]! };
}

/** What the kubelet puts in the container's environment: values, and the Secret's key for a secretKeyRef. */
function environmentOf(container: Container): Record<string, string> {
  return Object.fromEntries(
    container.env.map((e) => {
      if (e.value !== undefined) return [e.name, e.value];
      expect(e.valueFrom?.secretKeyRef).toEqual({ name: "sessions-auth", key: "password" });
      return [e.name, PASSWORD];
    }),
  );
}

// Each fake appends its arguments (one per line, then a blank line) to <root>/<tool>.argv, and its
// environment to <root>/<tool>.env.
const fake = (tool: string, action = "") => `#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done >> "$FAKE_ROOT/${tool}.argv"
echo >> "$FAKE_ROOT/${tool}.argv"
env >> "$FAKE_ROOT/${tool}.env"
${action}
`;

describe.each(["sh", "bash"])("the backup Job under %s", (shell) => {
  let root: string;
  const runStep = (container: Container, extraEnv: Record<string, string> = {}) =>
    spawnSync(shell, ["-c", container.command[2]!], {
      encoding: "utf8",
      env: {
        ...environmentOf(container),
        PATH: `${join(root, "bin")}:${process.env.PATH ?? ""}`,
        // A home of its own: bash would otherwise read this machine's ~/.bashrc.
        HOME: root,
        FAKE_ROOT: root,
        ...extraEnv,
      },
    });
  const argv = (tool: string) =>
    readFileSync(join(root, `${tool}.argv`), "utf8")
      .split("\n\n")[0]!
      .split("\n");
  const env = (tool: string) => readFileSync(join(root, `${tool}.env`), "utf8");

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "drkit-backup-"));
    mkdirSync(join(root, "bin"));
    for (const [tool, action] of [
      ["redis-cli", ""],
      ["aws", ""],
      // The upload names its key from the clock: a fixed one makes the key checkable.
      ["date", 'echo "20261123T000000Z"'],
    ] as const) {
      writeFileSync(join(root, "bin", tool), fake(tool, action));
      chmodSync(join(root, "bin", tool), 0o755);
    }
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("authenticates redis-cli through REDISCLI_AUTH: the password is in its environment, never in its arguments", async () => {
    const { rdb } = await backupContainers();
    expect(rdb.command.slice(0, 2)).toEqual(["sh", "-c"]);
    const result = runStep(rdb);
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(argv("redis-cli")).toEqual(["-h", "sessions-master", "--rdb", "/snapshot/dump.rdb"]);
    expect(env("redis-cli").split("\n")).toContain(`REDISCLI_AUTH=${PASSWORD}`);
    expect(readFileSync(join(root, "redis-cli.argv"), "utf8")).not.toContain(PASSWORD);
    // Nor anywhere in the manifest's command.
    expect(rdb.command.join(" ")).not.toMatch(/ -a |--pass|--user/);
  });

  it("uploads the snapshot under a new, timestamped key with s3 cp alone: it never deletes or overwrites one", async () => {
    const { upload } = await backupContainers();
    writeFileSync(join(root, "dump.rdb"), "REDIS0011");
    const result = runStep(upload, { SNAPSHOT: join(root, "dump.rdb") });
    expect([result.status, result.stderr]).toEqual([0, ""]);
    expect(argv("aws")).toEqual([
      "s3",
      "cp",
      join(root, "dump.rdb"),
      "s3://bucket-of-sessions-backups/sessions/20261123T000000Z.rdb",
      "--region",
      "eu-central-1",
    ]);
    expect(env("aws")).not.toContain(PASSWORD);
  });

  it("fails the Job when redis-cli fails: no upload of a missing snapshot", async () => {
    const { rdb } = await backupContainers();
    writeFileSync(join(root, "bin", "redis-cli"), "#!/bin/sh\necho 'AUTH failed' >&2\nexit 1\n");
    const result = runStep(rdb);
    expect([result.status, result.stderr.trim()]).toEqual([1, "AUTH failed"]);
  });
});
