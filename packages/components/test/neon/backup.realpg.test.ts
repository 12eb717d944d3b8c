// The exact scripts NeonBackup's CronJobs run: the backup (dump, integrity check, upload) and the restore
// drill (fetch, verify, restore, compare, report), against two real PostgreSQL servers (the source checks
// passwords; the other is the drill's scratch server) and the real AWS CLI (Debian's, v2). S3 is
// test/support/fakeS3.ts, a loopback stand-in, because this machine has no cloud access. The Pushgateway is a
// loopback listener that keeps what was pushed (to assert the exact text), and once the real one (Debian's
// prometheus-pushgateway), which refuses a malformed push. No password may ever appear in a command line.
import { execFile, execFileSync, spawnSync } from "child_process";
import { randomBytes } from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import * as scripts from "../../src/neon/backupScripts";
import {
  POSTGRES_DRILL_FETCH_SCRIPT,
  POSTGRES_DRILL_REPORT_SCRIPT,
  POSTGRES_DRILL_RESTORE_SCRIPT,
  POSTGRES_DUMP_SCRIPT,
  POSTGRES_UPLOAD_SCRIPT,
} from "../../src/neon/backupScripts";
import {
  BACKUP_VERIFIED_METRIC,
  DRILL_RESTORE_SECONDS_METRIC,
  DRILL_RESULT_SCHEMA,
  DRILL_SUCCESS_METRIC,
  drillResultKey,
  EXERCISE_LAST_SUCCESS_METRIC,
  type DrillResult,
} from "@drkit/posture";
import { query, startServer, TestServer } from "../../../../test/support/postgres";
import { sampleArgv } from "../../../../test/support/argv";
import { parseDrillRecord } from "../../../cli/src/drills/record";
import { FakeS3, startFakeS3 } from "../../../../test/support/fakeS3";
import { freePort, startProcess, TestProcess } from "../../../../test/support/monitoring";

const AWS_CLI = "/usr/bin/aws";
const password = randomBytes(24).toString("hex");
const PREFIX = "orders/postgres/";
let source: TestServer;
let scratch: TestServer;
let s3: FakeS3;
let pushgateway: http.Server;
let pushgatewayUrl: string;
let realPushgateway: TestProcess;
const pushed: { path: string; body: string }[] = [];
let tmp: string;

beforeAll(async () => {
  if (!fs.existsSync(AWS_CLI)) {
    if (process.env.CI === "true") throw new Error(`${AWS_CLI} is missing: run test/support/awscli.sh`);
    execFileSync("bash", [path.join(__dirname, "../../../../test/support/awscli.sh")]);
  }
  const pushgatewayPort = await freePort();
  [source, scratch, realPushgateway] = await Promise.all([
    startServer({}, { password }),
    startServer(),
    startProcess(
      "prometheus-pushgateway",
      [`--web.listen-address=127.0.0.1:${pushgatewayPort}`],
      pushgatewayPort,
    ),
  ]);
  query(
    source.uri,
    `CREATE SCHEMA billing;
     CREATE TABLE orders (id bigserial PRIMARY KEY, customer text NOT NULL, total numeric(12,2), placed timestamptz DEFAULT now(), meta jsonb);
     CREATE TABLE billing."Invoices" (id int PRIMARY KEY, amount double precision, note text);
     CREATE TABLE empty_table (id int);
     INSERT INTO orders (customer, total, meta) SELECT 'c' || g, g * 1.25, jsonb_build_object('g', g) FROM generate_series(1, 2000) g;
     INSERT INTO billing."Invoices" SELECT g, g / 3.0, E'line\\nbreak "quoted"' FROM generate_series(1, 300) g;`,
  );
  s3 = await startFakeS3({ buckets: { backups: { objectLock: true }, records: { objectLock: true } } });
  pushgateway = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      pushed.push({ path: `${req.method} ${req.url}`, body });
      res.writeHead(200);
      res.end();
    });
  });
  await new Promise<void>((resolve) => pushgateway.listen(0, "127.0.0.1", resolve));
  pushgatewayUrl = `http://127.0.0.1:${(pushgateway.address() as AddressInfo).port}/`;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-neon-backup-"));
}, 120_000);

afterAll(async () => {
  source?.stop();
  scratch?.stop();
  await realPushgateway?.stop();
  await s3?.close();
  await new Promise((resolve) => pushgateway?.close(resolve));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh scratch volume, as each Job's Pod gets. */
function volume(): string {
  return fs.mkdtempSync(path.join(tmp, "work-"));
}

/** Runs one step as its container would, the Debian AWS CLI first on PATH; resolves with its exit code. */
async function step(script: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  const sampler = sampleArgv([password], { maxSeconds: 60 });
  try {
    const { stdout, stderr } = await promisify(execFile)("bash", ["-c", script], {
      env: {
        PATH: `/usr/bin:${process.env.PATH ?? ""}`,
        HOME: tmp,
        AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        S3_ENDPOINT: s3.endpoint,
        SERVICE: "orders",
        TIER: "critical",
        PREFIX,
        BUCKET: "backups",
        BUCKET_REGION: "eu-west-1",
        RECORDS_BUCKET: "records",
        RECORDS_BUCKET_REGION: "eu-west-1",
        ...env,
      },
    });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const failed = e as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  } finally {
    const report = await sampler.stop();
    expect(report.leaks).toEqual([]);
  }
}

const sourceEnv = (work: string) => ({
  WORK: work,
  SOURCE_HOST: source.host,
  SOURCE_PORT: String(source.port),
  SOURCE_USER: "postgres",
  SOURCE_PASSWORD: password,
  SOURCE_DATABASE: "postgres",
  SSLMODE: "disable", // the test servers have no certificate; the CronJob's default is require
});
const drillEnv = (work: string, pushgatewayUrl?: string) => ({
  WORK: work,
  TARGET_HOST: scratch.host,
  TARGET_PORT: String(scratch.port),
  TARGET_USER: "postgres",
  ...(pushgatewayUrl ? { PUSHGATEWAY_URL: pushgatewayUrl } : {}),
});

const objectKeys = (bucket: string) =>
  [...(s3.buckets.get(bucket)?.keys.keys() ?? [])].sort((a, b) => (a < b ? -1 : 1));
const objectText = (bucket: string, key: string) => {
  const versions = s3.buckets.get(bucket)?.keys.get(key) ?? [];
  return versions[versions.length - 1]!.body.toString();
};

/** Runs the drill's three steps; the record it uploaded, and the report step's exit code. */
async function drill(pushgatewayUrl?: string) {
  const work = volume();
  const fetched = await step(POSTGRES_DRILL_FETCH_SCRIPT, { WORK: work });
  expect(fetched).toMatchObject({ code: 0 });
  const restored = await step(POSTGRES_DRILL_RESTORE_SCRIPT, drillEnv(work, pushgatewayUrl));
  expect(restored.code).toBe(0);
  const reported = await step(POSTGRES_DRILL_REPORT_SCRIPT, {
    WORK: work,
    ...(pushgatewayUrl ? { PUSHGATEWAY_URL: pushgatewayUrl } : {}),
  });
  const record = JSON.parse(fs.readFileSync(path.join(work, "drill.record.json"), "utf8")) as DrillResult;
  // What the bucket holds is a record `drkit drills report` accepts, passed or failed, at its contract key.
  const key = drillResultKey(record);
  expect(parseDrillRecord(objectText("records", key), key)).toEqual({ valid: true, result: record });
  return { record, reportCode: reported.code, output: fetched.output + restored.output + reported.output };
}

/** Backs up while another session keeps inserting orders: the manifest must still match the archive. */
async function backupUnderWrites() {
  const work = volume();
  const writer = promisify(execFile)("psql", [
    "-X",
    "-q",
    "-d",
    source.uri,
    "-c",
    "DO $$ BEGIN FOR i IN 1..150 LOOP INSERT INTO orders (customer, total) VALUES ('late', 1); COMMIT; PERFORM pg_sleep(0.01); END LOOP; END $$;",
  ]);
  const dumped = await step(POSTGRES_DUMP_SCRIPT, sourceEnv(work));
  await writer;
  expect(dumped).toMatchObject({ code: 0 });
  const uploaded = await step(POSTGRES_UPLOAD_SCRIPT, { WORK: work, PUSHGATEWAY_URL: pushgatewayUrl });
  expect(uploaded).toMatchObject({ code: 0 });
  return fs.readFileSync(path.join(work, "stamp"), "utf8").trim();
}

let stamp: string;

test("the backup dumps one snapshot, checks it, and uploads the archive, its sha256 and a manifest of what it holds", async () => {
  stamp = await backupUnderWrites();
  expect(objectKeys("backups")).toEqual([
    `${PREFIX}${stamp}.dump`,
    `${PREFIX}${stamp}.dump.sha256`,
    `${PREFIX}${stamp}.manifest.json`,
  ]);
  const manifest = JSON.parse(objectText("backups", `${PREFIX}${stamp}.manifest.json`)) as {
    tables: { table: string; rows: number; checksum: string }[];
    sha256: string;
    archive: string;
  };
  expect(manifest.tables.map((t) => [t.table, t.rows])).toEqual([
    ['billing."Invoices"', 300],
    ["public.empty_table", 0],
    ["public.orders", expect.any(Number)],
  ]);
  expect(manifest.tables[2]!.rows).toBeGreaterThanOrEqual(2000);
  expect(manifest.archive).toBe(`${stamp}.dump`);
  expect(objectText("backups", `${PREFIX}${stamp}.dump.sha256`)).toBe(`${manifest.sha256}  ${stamp}.dump\n`);
  // Each object was sent with a SHA-256 that the stand-in, like S3, checked against the body.
  const puts = s3.requests.filter((r) => r.line.startsWith("PUT /backups/"));
  expect(puts.map((p) => [p.status, typeof p.headers["x-amz-checksum-sha256"]])).toEqual([
    [200, "string"],
    [200, "string"],
    [200, "string"],
  ]);
  expect(pushed.at(-1)).toEqual({
    path: "POST /metrics/job/drkit-backup/drkit_service/orders/drkit_drill_kind/postgres",
    body: expect.stringMatching(
      new RegExp(`^# TYPE ${BACKUP_VERIFIED_METRIC} gauge\n${BACKUP_VERIFIED_METRIC} \\d+\n$`),
    ),
  });
});

test("the drill restores the newest backup into a scratch database, matches every table, drops it, and records it", async () => {
  const { record, reportCode } = await drill(pushgatewayUrl);
  expect(reportCode).toBe(0);
  expect(record).toMatchObject({
    schema: DRILL_RESULT_SCHEMA,
    service: "orders",
    tier: "critical",
    kind: "postgres",
    backup: { key: `${PREFIX}${stamp}.dump` },
    ok: true,
  });
  expect(record.error).toBeUndefined();
  expect(record.restoreSeconds).toBeGreaterThan(0);
  expect(record.checks.map((c) => [c.name, c.ok])).toEqual([
    ["sha256", true],
    ['rows:billing."Invoices"', true],
    ['checksum:billing."Invoices"', true],
    ["rows:public.empty_table", true],
    ["checksum:public.empty_table", true],
    ["rows:public.orders", true],
    ["checksum:public.orders", true],
    ["metrics-push", true],
  ]);
  expect(objectKeys("records")).toEqual([drillResultKey(record)]);
  expect(JSON.parse(objectText("records", drillResultKey(record)))).toEqual(record);
  // The scratch database is gone.
  expect(query(scratch.uri, "SELECT count(*) FROM pg_database WHERE datname LIKE 'drkit_drill_%'")).toBe("0");
  const drillPush = pushed.at(-1)!;
  expect(drillPush.path).toBe("POST /metrics/job/drkit-drill/drkit_service/orders/drkit_drill_kind/postgres");
  expect(drillPush.body).toContain(`${DRILL_SUCCESS_METRIC} 1\n`);
  expect(drillPush.body).toContain(`${DRILL_RESTORE_SECONDS_METRIC} ${record.restoreSeconds}`);
  expect(drillPush.body).toMatch(new RegExp(`^${EXERCISE_LAST_SUCCESS_METRIC} \\d+$`, "m"));
});

test("a manifest whose checksum differs from the restored rows fails the drill, which still records and pushes it (to a real Pushgateway)", async () => {
  const key = `${PREFIX}${stamp}.manifest.json`;
  const versions = s3.buckets.get("backups")!.keys.get(key)!;
  const original = versions[versions.length - 1]!.body;
  const manifest = JSON.parse(original.toString()) as { tables: { table: string; checksum: string }[] };
  const orders = manifest.tables.find((t) => t.table === "public.orders")!;
  orders.checksum = String(BigInt(orders.checksum) + 1n);
  versions[versions.length - 1]!.body = Buffer.from(JSON.stringify(manifest));
  try {
    const { record, reportCode, output } = await drill(`http://127.0.0.1:${realPushgateway.port}`);
    expect(reportCode).toBe(1);
    expect(output).toContain("drill: FAILED");
    expect(record.ok).toBe(false);
    expect(record.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["checksum:public.orders"]);
    expect(record.error).toMatch(/differs from the manifest/);
    // The Pushgateway accepted the push (curl -f fails the step otherwise) and serves the series, labelled.
    const served = await (await fetch(`http://127.0.0.1:${realPushgateway.port}/metrics`)).text();
    const labels = 'drkit_drill_kind="postgres",drkit_service="orders",instance="",job="drkit-drill"';
    expect(served).toContain(`${DRILL_SUCCESS_METRIC}{${labels}} 0\n`);
    expect(served).toContain(`${DRILL_RESTORE_SECONDS_METRIC}{${labels}} ${record.restoreSeconds}\n`);
    expect(served).not.toContain(EXERCISE_LAST_SUCCESS_METRIC);
  } finally {
    versions[versions.length - 1]!.body = original;
  }
});

test("a restore whose rows differ from what the backup recorded fails that table's checksum", async () => {
  // One row changes between two backups; the newer backup's manifest is given the older figures for that
  // table, so the restored rows (the newer archive) differ from what the manifest says was dumped.
  query(source.uri, "UPDATE billing.\"Invoices\" SET note = 'tampered' WHERE id = 7");
  const newer = await backupUnderWrites();
  const newerManifest = `${PREFIX}${newer}.manifest.json`;
  const versions = s3.buckets.get("backups")!.keys.get(newerManifest)!;
  const current = versions[versions.length - 1]!.body;
  // The older backup's Invoices figures in the newer manifest (the archive holds the updated row).
  const older = JSON.parse(objectText("backups", `${PREFIX}${stamp}.manifest.json`)) as {
    tables: { table: string }[];
  };
  const manifest = JSON.parse(current.toString()) as { tables: { table: string }[] };
  manifest.tables[0] = older.tables[0]!;
  versions[versions.length - 1]!.body = Buffer.from(JSON.stringify(manifest));
  const { record } = await drill();
  expect(record.backup.key).toBe(`${PREFIX}${newer}.dump`);
  expect(record.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['checksum:billing."Invoices"']);
  expect(record.checks.find((c) => c.name === 'rows:billing."Invoices"')).toMatchObject({
    ok: true,
    expected: "300",
    actual: "300",
  });
  expect(record.checks.at(-1)).toEqual({
    name: "metrics-push",
    ok: true,
    expected: "optional",
    actual: "no PUSHGATEWAY_URL: metrics not pushed",
  });
});

test("an archive changed in the bucket fails the drill's sha256 check before anything is restored", async () => {
  const newest = objectKeys("backups")
    .filter((k) => k.endsWith(".dump"))
    .at(-1)!;
  const versions = s3.buckets.get("backups")!.keys.get(newest)!;
  const original = versions[versions.length - 1]!.body;
  versions[versions.length - 1]!.body = original.subarray(0, original.length - 100);
  try {
    const { record, reportCode } = await drill();
    expect(reportCode).toBe(1);
    expect(record.ok).toBe(false);
    expect(record.checks[0]).toMatchObject({ name: "sha256", ok: false });
    expect(record.error).toMatch(/sha256 does not match/);
    expect(record.restoreSeconds).toBe(0);
  } finally {
    versions[versions.length - 1]!.body = original;
  }
});

test("a truncated archive fails the backup's read-back check, and nothing is uploaded", async () => {
  // A pg_dump that writes a truncated archive (as a full disk or a killed process would) and exits 0.
  const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
  fs.writeFileSync(
    path.join(bin, "pg_dump"),
    `#!/bin/bash\nset -e\n/usr/bin/pg_dump "$@"\nfile=backup.dump\ntruncate -s $(( $(stat -c %s "$file") / 2 )) "$file"\n`,
    { mode: 0o755 },
  );
  const work = volume();
  const before = objectKeys("backups");
  const dumped = await step(`PATH="${bin}:$PATH"\n${POSTGRES_DUMP_SCRIPT}`, sourceEnv(work));
  expect(dumped.code).not.toBe(0);
  expect(dumped.output).toMatch(/the archive's data does not read back/);
  const uploaded = await step(POSTGRES_UPLOAD_SCRIPT, { WORK: work });
  expect(uploaded.code).not.toBe(0);
  expect(objectKeys("backups")).toEqual(before);
});

test.each([
  "POSTGRES_DUMP_SCRIPT",
  "POSTGRES_UPLOAD_SCRIPT",
  "POSTGRES_DRILL_FETCH_SCRIPT",
  "POSTGRES_DRILL_RESTORE_SCRIPT",
  "POSTGRES_DRILL_REPORT_SCRIPT",
] as const)("%s is clean under shellcheck", (name) => {
  const found = spawnSync("shellcheck", ["--version"]);
  if (found.error) throw new Error("shellcheck is not installed: run test/support/shellcheck.sh");
  const result = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], {
    input: scripts[name],
    encoding: "utf8",
  });
  expect(result.stdout.split("\n").filter((line) => line !== "")).toEqual([]);
});
