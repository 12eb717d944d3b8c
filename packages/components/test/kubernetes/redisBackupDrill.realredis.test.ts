// RedisCrossZone's backup Job, the standby's restore and the restore drill, run for real: the scripts of the
// registered CronJobs and RedisReplication, under the shells their images carry (dash for the Redis image's
// busybox sh, bash for amazon/aws-cli's), with the environment their manifests give, against a real
// `redis-server` (Debian's, a password set), real `redis-cli` and `redis-check-rdb`, and the real AWS CLI
// (Debian's v2). This machine has no cloud access, so S3 is the loopback stand-in test/support/fakeS3.ts; the
// only thing between the scripts and the real CLI is a wrapper `aws` on PATH that adds `--endpoint-url` (the
// Debian CLI, 2.9, predates AWS_ENDPOINT_URL) and a recording `redis-cli` wrapper that proves the password
// never reaches a command line. The Pushgateway is a loopback HTTP server recording what is pushed.
import { runProgram, plainProperties } from "@drkit/cli/harness";
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as http from "node:http";
import * as net from "node:net";
import {
  chmodSync,
  existsSync,
  symlinkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DRILL_RESULT_SCHEMA, drillResultKey, type DrillResult } from "@drkit/posture";
import * as scripts from "@drkit/components";
import { DrRegionPair, RedisCrossZone } from "@drkit/components";
import { startFakeS3, type FakeS3 } from "../../../../test/support/fakeS3";
import { parseDrillRecord } from "../../../cli/src/drills/record";

const PASSWORD = "pw-from-the-secret-0123456789";
const support = resolve(__dirname, "../../../../test/support");

interface Container {
  name: string;
  image: string;
  command: string[];
  env: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string; key: string } } }[];
}
type Pod = { initContainers: Container[]; containers: Container[] };

/** The registered backup and drill Jobs' containers, and the standby's restore init container. */
async function registered() {
  const run = await runProgram(
    () => {
      const regions = new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: "kubeconfig-west",
        secondaryKubeconfig: "kubeconfig-central",
      });
      new RedisCrossZone("sessions", {
        service: "sessions",
        tier: "critical",
        regions,
        standby: true,
        backup: { pushgatewayUrl: "http://pushgateway.monitoring:9091" },
        drill: { pushgatewayUrl: "http://pushgateway.monitoring:9091" },
      });
    },
    {
      project: "platform",
      stack: "prod",
      computedOutputs: {
        "aws:s3/bucket:Bucket": ["arn", "bucket"],
        "random:index/randomPassword:RandomPassword": ["result"],
      },
    },
  );
  const pod = (name: string) =>
    (
      plainProperties(
        run.ofType("kubernetes:batch/v1:CronJob").find((r) => r.name === name)!.inputs,
      ) as unknown as {
        spec: { jobTemplate: { spec: { template: { spec: Pod } } } };
      }
    ).spec.jobTemplate.spec.template.spec;
  const backup = pod("sessions-backup");
  const drill = pod("sessions-drill");
  const standby = plainProperties(
    run
      .ofType("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication")
      .find((r) => r.name === "sessions-standby")!.inputs,
  ) as unknown as { spec: { initContainer: Container } };
  return {
    snapshot: backup.initContainers[0]!,
    upload: backup.containers[0]!,
    fetch: drill.initContainers[0]!,
    check: drill.initContainers[1]!,
    report: drill.containers[0]!,
    restore: { ...standby.spec.initContainer, name: "restore" },
  };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = net.createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => done(port));
    });
  });
}

/**
 * A child process, awaited: the S3 stand-in and the Pushgateway answer from this process's event loop, which
 * a synchronous spawn would block.
 */
function run(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: Buffer | string },
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, {
      env: options.env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", fail);
    child.on("close", (status) => done({ status, stdout, stderr }));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** What the Redis image's steps may run: the busybox tools they use, redis-server and redis-cli. */
const REDIS_IMAGE_TOOLS = [
  "sh",
  "dirname",
  "rm",
  "wc",
  "grep",
  "sed",
  "cat",
  "sha256sum",
  "cut",
  "ln",
  "awk",
  "tr",
  "sleep",
  "date",
  "tail",
  "truncate",
  "redis-server",
];

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

let s3: FakeS3;
let root: string;
let redisPort: number;
let containers: Awaited<ReturnType<typeof registered>>;
let bucketName: string;
const pushes: { url: string; body: string }[] = [];
let pushgateway: http.Server;
let pushgatewayUrl: string;

const redis = (...args: string[]) =>
  execFileSync("redis-cli", ["-p", String(redisPort), ...args], {
    encoding: "utf8",
    env: { ...process.env, REDISCLI_AUTH: PASSWORD },
  }).trim();

/** Runs one container's script as its pod would: its shell, its manifest's environment, `overrides` on top. */
function runStep(container: Container, overrides: Record<string, string> = {}) {
  // The Redis image's sh is busybox (dash here); amazon/aws-cli's is bash.
  const awsImage = container.image.startsWith("amazon/aws-cli");
  const shell = awsImage ? "bash" : "sh";
  const env: Record<string, string> = Object.fromEntries(
    container.env.map((e) => [e.name, e.value ?? (e.valueFrom ? PASSWORD : "")]),
  );
  return run(shell, ["-c", container.command[2]!], {
    env: {
      ...env,
      PATH: awsImage
        ? `${join(root, "bin")}:/usr/bin:/bin`
        : `${join(root, "bin")}:${join(root, "redis-image")}`,
      HOME: root,
      ROOT: root,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_CONFIG_FILE: join(root, "aws-config"),
      REDIS_HOST: "127.0.0.1",
      REDIS_PORT: String(redisPort),
      SNAPSHOT: join(root, "snapshot", "dump.rdb"),
      WORK: join(root, "drill"),
      ...(env.PUSHGATEWAY_URL ? { PUSHGATEWAY_URL: pushgatewayUrl } : {}),
      ...overrides,
    },
  });
}

async function backup() {
  mkdirSync(join(root, "snapshot"), { recursive: true });
  const snapshot = await runStep(containers.snapshot);
  if (snapshot.status !== 0) return snapshot;
  return runStep(containers.upload);
}

async function drill(overrides: Record<string, string> = {}) {
  rmSync(join(root, "drill"), { recursive: true, force: true });
  mkdirSync(join(root, "drill"));
  for (const step of [containers.fetch, containers.check]) {
    const result = await runStep(step, overrides);
    // Every step but the last exits 0 on a failed drill, so that its record is still written.
    expect([step.name, result.status, result.stderr]).toEqual([step.name, 0, expect.any(String)]);
  }
  const report = await runStep(containers.report, overrides);
  const started = readFileSync(join(root, "drill", "started-at"), "utf8").trim();
  const key = drillResultKey({ service: "sessions", kind: "redis", startedAt: started });
  const versions = s3.buckets.get(bucketName)!.keys.get(key);
  const text = versions?.at(-1)!.body.toString();
  const record = text === undefined ? undefined : (JSON.parse(text) as DrillResult);
  // Every record written is one `drkit drills report` accepts, passed or failed.
  if (text !== undefined) expect(parseDrillRecord(text, key)).toEqual({ valid: true, result: record });
  return { report, record };
}

const objects = () => s3.buckets.get(bucketName)!.keys;
const body = (key: string) => objects().get(key)!.at(-1)!.body;
// The Job's snapshots: the checked ones (a .sha256 beside them) of this year, not the keys tests plant.
const snapshotKeys = () =>
  [...objects().keys()]
    .filter((k) => /^sessions\/20\d{6}T\d{6}Z\.rdb$/.test(k) && objects().has(`${k}.sha256`))
    .sort();
async function put(key: string, data: Buffer | string) {
  const result = await run(join(root, "bin", "aws"), ["s3", "cp", "-", `s3://${bucketName}/${key}`], {
    input: data,
    env: { ...process.env, ...awsEnv() },
  });
  expect([result.status, result.stderr]).toEqual([0, ""]);
}
const awsEnv = () => ({
  AWS_ACCESS_KEY_ID: "test",
  AWS_SECRET_ACCESS_KEY: "test",
  AWS_CONFIG_FILE: join(root, "aws-config"),
  HOME: root,
});

beforeAll(async () => {
  execFileSync("bash", [join(support, "monitoring.sh")], { stdio: "inherit" });
  execFileSync("bash", [join(support, "awscli.sh")], { stdio: "inherit" });
  for (const tool of ["redis-server", "redis-cli", "redis-check-rdb"])
    expect(spawnSync("sh", ["-c", `command -v ${tool}`]).status).toBe(0);

  containers = await registered();
  bucketName = containers.upload.env.find((e) => e.name === "BUCKET")!.value!;
  s3 = await startFakeS3({ buckets: { [bucketName]: { objectLock: false } } });
  pushgateway = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      pushes.push({ url: req.url ?? "", body: Buffer.concat(chunks).toString() });
      res.end();
    });
  });
  await new Promise<void>((done) => pushgateway.listen(0, "127.0.0.1", done));
  pushgatewayUrl = `http://127.0.0.1:${(pushgateway.address() as net.AddressInfo).port}`;

  root = mkdtempSync(join(tmpdir(), "drkit-redis-backup-"));
  mkdirSync(join(root, "bin"));
  writeFileSync(
    join(root, "aws-config"),
    "[default]\nregion = eu-central-1\ns3 =\n  addressing_style = path\n",
  );
  const wrapper = (name: string, text: string) => {
    writeFileSync(join(root, "bin", name), text);
    chmodSync(join(root, "bin", name), 0o755);
  };
  wrapper("aws", `#!/bin/sh\nexec /usr/bin/aws --endpoint-url "${s3.endpoint}" "$@"\n`);
  wrapper(
    "redis-cli",
    `#!/bin/sh\nfor arg in "$@"; do printf '%s\\n' "$arg"; done >> "$ROOT/redis-cli.argv"\nexec /usr/bin/redis-cli "$@"\n`,
  );
  // The Redis image's tools: no redis-check-rdb, as in the opstree image, so the scripts' link to
  // redis-server (the same program, run under that name) is what checks the snapshots.
  mkdirSync(join(root, "redis-image"));
  for (const tool of REDIS_IMAGE_TOOLS)
    symlinkSync(
      execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim(),
      join(root, "redis-image", tool),
    );

  redisPort = await freePort();
  const data = join(root, "primary");
  mkdirSync(data);
  const conf = join(data, "redis.conf");
  // The password in a config file, never on a command line.
  writeFileSync(
    conf,
    `port ${redisPort}\nbind 127.0.0.1\nrequirepass ${PASSWORD}\ndir ${data}\nsave ""\nappendonly no\ndaemonize yes\npidfile ${data}/redis.pid\nlogfile ${data}/redis.log\n`,
  );
  execFileSync("/usr/bin/redis-server", [conf]);
  for (let i = 0; i < 50 && spawnSync("redis-cli", ["-p", String(redisPort), "ping"]).status !== 0; i++)
    await new Promise((done) => setTimeout(done, 100));
  for (let i = 0; i < 30; i++) redis("SET", `session:${i}`, `user-${i}`);
  redis("HSET", "profile:1", "name", "ada");
  redis("RPUSH", "queue:emails", "a", "b");
  redis("SET", "token:short", "x", "EX", "3600");
}, 120_000);

afterAll(async () => {
  if (redisPort) spawnSync("redis-cli", ["-p", String(redisPort), "-a", PASSWORD, "shutdown", "nosave"]);
  await s3?.close();
  await new Promise((done) => pushgateway?.close(done));
  if (root) rmSync(root, { recursive: true, force: true });
});

describe("the backup Job", () => {
  it("checks the snapshot with redis-check-rdb, stores its SHA-256 and what it holds beside it, and pushes the verified time", async () => {
    const result = await backup();
    expect([result.status, result.stderr]).toEqual([0, ""]);
    const [key] = snapshotKeys();
    expect(key).toBeDefined();
    const snapshot = body(key!);
    expect(snapshot.subarray(0, 5).toString()).toBe("REDIS");
    expect(body(`${key}.sha256`).toString().trim()).toBe(sha256(snapshot));
    const manifest = body(`${key}.manifest`).toString().split("\n");
    // 33 keys, one with a TTL: what redis-check-rdb read from the snapshot itself.
    expect(manifest.slice(0, 2)).toEqual(["keys 33", "expires 1"]);
    const sample = manifest.filter((l) => l.startsWith("sample "));
    expect(sample.length).toBeGreaterThan(0);
    for (const line of sample) {
      const [, type, name] = line.split(" ");
      expect([name, type]).toEqual([name, redis("TYPE", name!)]);
      // A key with a TTL may expire before a drill looks for it: never sampled.
      expect(name).not.toBe("token:short");
    }
    const argv = readFileSync(join(root, "redis-cli.argv"), "utf8");
    expect(argv).toContain("--rdb");
    expect(argv).not.toContain(PASSWORD);
    expect(pushes.at(-1)!.url).toBe("/metrics/job/drkit-backup/drkit_service/sessions");
    expect(pushes.at(-1)!.body).toMatch(/^drkit_backup_last_verified_timestamp_seconds \d+$/m);
  });

  it("fails on a truncated snapshot and leaves nothing for the upload: no snapshot, no .sha256", async () => {
    const before = snapshotKeys();
    // redis-cli writes the snapshot whole; the wrapper cuts it short afterwards, as a dropped stream would.
    const real = readFileSync(join(root, "bin", "redis-cli"), "utf8");
    writeFileSync(
      join(root, "bin", "redis-cli"),
      `#!/bin/sh\n/usr/bin/redis-cli "$@" || exit $?\ncase " $* " in *" --rdb "*) truncate -s 150 "$SNAPSHOT" ;; esac\n`,
    );
    try {
      const result = await runStep(containers.snapshot);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("--- RDB ERROR DETECTED ---");
      expect(result.stderr).toContain("redis-check-rdb refused the snapshot: nothing is uploaded");
      expect(existsSync(join(root, "snapshot", "dump.rdb"))).toBe(false);
      expect(existsSync(join(root, "snapshot", "dump.rdb.sha256"))).toBe(false);
      // Were the pod's upload container started anyway, it would refuse: there is nothing checked to send.
      expect((await runStep(containers.upload)).status).not.toBe(0);
      expect(snapshotKeys()).toEqual(before);
    } finally {
      writeFileSync(join(root, "bin", "redis-cli"), real);
    }
  });
});

describe("the restore drill", () => {
  it("loads the newest snapshot into a scratch redis-server, compares the key count and the sample, and records it", async () => {
    pushes.length = 0;
    const { report, record } = await drill();
    expect([report.status, report.stderr]).toEqual([0, ""]);
    const newest = snapshotKeys().at(-1)!;
    expect(record).toMatchObject({
      schema: DRILL_RESULT_SCHEMA,
      service: "sessions",
      tier: "critical",
      kind: "redis",
      backup: { key: newest },
      ok: true,
    });
    expect(record!.backup.takenAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(record!.restoreSeconds).toBeGreaterThanOrEqual(0);
    expect(record!.checks.map((c) => [c.name, c.ok])).toEqual([
      ["sha256", true],
      ["redis-check-rdb", true],
      ["keys", true],
      ["sample", true],
    ]);
    expect(record!.checks[2]).toMatchObject({ expected: "32 to 33 (1 with a TTL)", actual: "33" });
    const sampled = body(`${newest}.manifest`)
      .toString()
      .match(/^sample /gm)!.length;
    expect(record!.checks[3]).toMatchObject({
      expected: `${sampled} keys with their recorded types`,
      actual: `${sampled} found`,
    });
    expect(pushes).toHaveLength(1);
    expect(pushes[0]!.url).toBe("/metrics/job/drkit-drill/drkit_service/sessions/drkit_drill_kind/redis");
    for (const metric of [
      "drkit_restore_drill_last_run_timestamp_seconds",
      "drkit_restore_drill_last_success_timestamp_seconds",
      "drkit_exercise_last_success_timestamp_seconds",
    ])
      expect(pushes[0]!.body).toMatch(new RegExp(`^${metric} \\d+$`, "m"));
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 1$/m);
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_restore_seconds \d+\.\d\d$/m);
    // The scratch server is gone.
    expect(spawnSync("redis-cli", ["-p", "6390", "ping"]).stdout.toString()).not.toContain("PONG");
  });

  it("fails, records and pushes the failure when the key count differs from what the backup recorded", async () => {
    const newest = snapshotKeys().at(-1)!;
    const manifest = body(`${newest}.manifest`).toString();
    await put(
      `${newest}.manifest`,
      manifest.replace(/^keys \d+$/m, "keys 40").replace(/^expires \d+$/m, "expires 0"),
    );
    pushes.length = 0;
    const { report, record } = await drill();
    await put(`${newest}.manifest`, manifest);
    expect(report.status).toBe(1);
    expect(record).toMatchObject({ ok: false, error: "a check failed" });
    expect(record!.checks.find((c) => c.name === "keys")).toEqual({
      name: "keys",
      ok: false,
      expected: "40",
      actual: "33",
    });
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 0$/m);
    expect(pushes[0]!.body).not.toContain("drkit_restore_drill_last_success_timestamp_seconds");
  });

  it("fails without a record when there is no snapshot to trust, and says so in its metrics", async () => {
    pushes.length = 0;
    const { report, record } = await drill({ NAME: "nothing-here" });
    expect(report.status).toBe(1);
    expect(report.stderr).toContain("no trusted snapshot under s3://");
    expect(record).toBeUndefined();
    expect(pushes[0]!.body).toMatch(/^drkit_restore_drill_success 0$/m);
  });

  it("refuses a snapshot whose SHA-256 does not match, and never loads it", async () => {
    const newest = snapshotKeys().at(-1)!;
    const good = body(newest);
    await put(newest, good.subarray(0, good.length - 20));
    const { report, record } = await drill();
    await put(newest, good);
    expect(report.status).toBe(1);
    expect(record).toMatchObject({ ok: false, error: "the snapshot's SHA-256 does not match its .sha256" });
    expect(record!.checks).toEqual([
      {
        name: "sha256",
        ok: false,
        expected: sha256(good),
        actual: sha256(good.subarray(0, good.length - 20)),
      },
    ]);
  });
});

describe("the standby's restore", () => {
  it("ignores keys planted to sort last (wrong layout, dated in the future, no .sha256) and restores the newest checked snapshot", async () => {
    const newest = snapshotKeys().at(-1)!;
    const planted = Buffer.from("REDIS0011planted");
    await put("sessions/zzz.rdb", planted);
    await put("sessions/zzz.rdb.sha256", sha256(planted));
    await put("sessions/99991231T235959Z.rdb", planted);
    await put("sessions/99991231T235959Z.rdb.sha256", sha256(planted));
    await put("sessions/29991231T235959Z.rdb", planted);
    const data = join(root, "standby-data");
    mkdirSync(data);
    const result = await runStep(containers.restore, { DATA_DIR: data });
    expect(result.status).toBe(0);
    expect(result.stderr).toContain("refusing sessions/zzz.rdb: not a key the backup Job writes");
    expect(result.stderr).toContain("refusing sessions/99991231T235959Z.rdb: dated in the future");
    expect(result.stderr).toContain("refusing sessions/29991231T235959Z.rdb: dated in the future");
    expect(readFileSync(join(data, "appendonly.aof")).equals(body(newest))).toBe(true);
  });

  it("fails the pod rather than start on a snapshot whose SHA-256 does not match", async () => {
    const newest = snapshotKeys().at(-1)!;
    const good = body(newest);
    await put(newest, Buffer.concat([good, Buffer.from("tampered")]));
    const data = join(root, "standby-tampered");
    mkdirSync(data);
    const result = await runStep(containers.restore, { DATA_DIR: data });
    await put(newest, good);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`s3://${bucketName}/${newest} has SHA-256`);
    expect(existsSync(join(data, "appendonly.aof"))).toBe(false);
  });
});

// The Redis image's steps run under busybox sh (POSIX sh here), the AWS CLI image's under bash.
it.each([
  ["REDIS_SNAPSHOT_SCRIPT", "sh"],
  ["REDIS_UPLOAD_SCRIPT", "bash"],
  ["REDIS_RESTORE_SCRIPT", "bash"],
  ["REDIS_DRILL_FETCH_SCRIPT", "bash"],
  ["REDIS_DRILL_CHECK_SCRIPT", "sh"],
  ["REDIS_DRILL_REPORT_SCRIPT", "bash"],
] as const)("%s is clean under shellcheck (%s)", (name, shell) => {
  const found = spawnSync("shellcheck", ["--version"]);
  if (found.error) throw new Error("shellcheck is not installed: run test/support/shellcheck.sh");
  const result = spawnSync("shellcheck", [`--shell=${shell}`, "--format=gcc", "-"], {
    input: scripts[name],
    encoding: "utf8",
  });
  expect(result.stdout.split("\n").filter((line) => line !== "")).toEqual([]);
});
