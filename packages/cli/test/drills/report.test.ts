// `drkit drills report` with the real AWS SDK S3 client against fakeS3.ts, a loopback server that speaks the
// S3 protocol in its place (this machine has no cloud access). Records are written the way a drill writes
// them (one object per drill under drills/), and tampered with the way someone with S3 access could.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { generateKeyPairSync } from "crypto";
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DRILL_RESULT_SCHEMA, DrillResult, assessWithConfig, drillResultKey } from "@drkit/posture";
import { DRILLS_USAGE, drillsCommand } from "../../src/drills/command";
import { EVIDENCE_FILES } from "../../src/evidence";
import { buildManifest, renderManifest, MANIFEST_FILE } from "../../src/manifest";
import { verifyCommand } from "../../src/verify";
import { drkit } from "../../../../test/support/drkit";
import { FakeS3, startFakeS3 } from "../../../../test/support/fakeS3";

const BUCKET = "records";
const REGION = "eu-central-1";
const NOW = new Date("2026-11-25T06:00:00Z");
let s3: FakeS3;
let client: S3Client;
let out: string;
const savedEnv = { ...process.env };

beforeAll(() => {
  // The SDK's default credential chain reads these first; the stand-in accepts any signature.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    AWS_EC2_METADATA_DISABLED: "true",
  });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
});
afterAll(() => {
  process.env = savedEnv;
});
beforeEach(async () => {
  s3 = await startFakeS3({ buckets: { [BUCKET]: { objectLock: true } } });
  client = new S3Client({ region: REGION, endpoint: s3.endpoint, forcePathStyle: true });
  out = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-drills-"));
});
afterEach(async () => {
  client.destroy();
  await s3.close();
  fs.rmSync(out, { recursive: true, force: true });
});

/** A passing postgres drill of `orders` (critical) that started at `startedAt`. */
function drill(startedAt: string, change: Partial<DrillResult> = {}): DrillResult {
  const started = Date.parse(startedAt);
  return {
    schema: DRILL_RESULT_SCHEMA,
    service: "orders",
    tier: "critical",
    kind: "postgres",
    backup: {
      key: "postgres/orders/2026-11-24T05:00:00Z.dump",
      takenAt: new Date(started - 3_600_000).toISOString(),
    },
    target: "drkit_drill_orders",
    startedAt,
    finishedAt: new Date(started + 300_000).toISOString(),
    restoreSeconds: 240,
    ok: true,
    checks: [
      { name: "rows:public.orders", ok: true, expected: "1200", actual: "1200" },
      { name: "checksum:public.orders", ok: true },
    ],
    ...change,
  };
}
const failed = (startedAt: string) =>
  drill(startedAt, {
    ok: false,
    restoreSeconds: 200,
    checks: [{ name: "rows:public.orders", ok: false, expected: "1200", actual: "1100" }],
  });

async function put(key: string, body: string) {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
}
const store = (result: DrillResult) => put(drillResultKey(result), JSON.stringify(result));

async function report(...extra: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await drillsCommand(
    ["report", "--bucket", BUCKET, "--region", REGION, "--endpoint-url", s3.endpoint, "--out", out, ...extra],
    { out: (t) => (stdout += `${t}\n`), err: (t) => (stderr += `${t}\n`) },
    NOW,
  );
  return { code, out: stdout, err: stderr };
}
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(out, file), "utf8"));

describe("drkit drills report", () => {
  it("summarises every service and kind, and writes drills.json and a readable drills.md", async () => {
    await store(failed("2026-11-22T05:00:00Z"));
    await store(drill("2026-11-23T05:00:00Z", { restoreSeconds: 300 }));
    await store(drill("2026-11-24T05:00:00Z"));
    const result = await report();
    expect(result).toEqual({
      code: 0,
      out: "orders postgres: last drill 2026-11-24T05:00:00Z passed; last success 2026-11-24T05:00:00Z; passed 2/3; restore median 270 s, longest 300 s\nevery last drill passed\n",
      err: `report written to ${path.join(out, "drills.json")}, ${path.join(out, "drills.md")}\n`,
    });
    const json = readJson("drills.json");
    expect(json.counts).toEqual({ records: 3, passed: 2, failed: 1, invalid: 0 });
    expect(json.summaries).toEqual([
      {
        service: "orders",
        kind: "postgres",
        tier: "critical",
        runs: 3,
        passed: 2,
        passRate: 2 / 3,
        lastRun: {
          startedAt: "2026-11-24T05:00:00Z",
          ok: true,
          key: "drills/orders/postgres/2026-11-24T05:00:00Z.json",
        },
        lastSuccess: {
          startedAt: "2026-11-24T05:00:00Z",
          restoreSeconds: 240,
          key: "drills/orders/postgres/2026-11-24T05:00:00Z.json",
        },
        medianRestoreSeconds: 270,
        maxRestoreSeconds: 300,
        rtoTargetSeconds: 3_600,
      },
    ]);
    expect(json.records.map((r: { key: string; valid: boolean }) => [r.key, r.valid])).toEqual([
      ["drills/orders/postgres/2026-11-22T05:00:00Z.json", true],
      ["drills/orders/postgres/2026-11-23T05:00:00Z.json", true],
      ["drills/orders/postgres/2026-11-24T05:00:00Z.json", true],
    ]);
    expect(fs.readFileSync(path.join(out, "drills.md"), "utf8")).toBe(
      [
        `# Restore drills: s3://${BUCKET}/drills/ (${REGION})`,
        "",
        `Generated 2026-11-25T06:00:00.000Z by drkit ${readVersion()}. 3 records read: 2 passed, 1 failed, 0 invalid (not counted).`,
        "",
        "Each drill restored a backup into a scratch target, checked it against what the backup recorded, and removed it. Records are kept in the Object Lock bucket, one object per drill, never overwritten; drills.json has every record in full.",
        "",
        "**Verdict: every last drill passed.**",
        "",
        "## orders: postgres (tier critical)",
        "",
        "Last drill 2026-11-24T05:00:00Z: passed. Last success: 2026-11-24T05:00:00Z. Passed 2 of 3 (67%).",
        "",
        "Measured restore time of the drills that passed: median 270 s (4m 30s), longest 300 s (5m): within the critical RTO target of 3600 s (1h). The restore is one step of a recovery: detection and the decision to recover come on top (`drkit check` adds them).",
        "",
        "| Started (UTC) | Backup restored (taken) | Restored into | Restore time | Result | Checks |",
        "| --- | --- | --- | --- | --- | --- |",
        "| 2026-11-24T05:00:00Z | postgres/orders/2026-11-24T05:00:00Z.dump (2026-11-24T04:00:00.000Z) | drkit_drill_orders | 240 s (4m) | passed | ✓ rows:public.orders (expected 1200, found 1200); ✓ checksum:public.orders |",
        "| 2026-11-23T05:00:00Z | postgres/orders/2026-11-24T05:00:00Z.dump (2026-11-23T04:00:00.000Z) | drkit_drill_orders | 300 s (5m) | passed | ✓ rows:public.orders (expected 1200, found 1200); ✓ checksum:public.orders |",
        "| 2026-11-22T05:00:00Z | postgres/orders/2026-11-24T05:00:00Z.dump (2026-11-22T04:00:00.000Z) | drkit_drill_orders | 200 s (3m 20s) | **FAILED** | ✗ rows:public.orders (expected 1200, found 1100) |",
        "",
      ].join("\n"),
    );
  });

  it("fails (exit 1) when a record is invalid, listing each problem, and never counts it as a pass", async () => {
    await store(drill("2026-11-24T05:00:00Z"));
    // ok: true with a failed check
    await store(
      drill("2026-11-23T05:00:00Z", {
        checks: [{ name: "rows:public.orders", ok: false, expected: "1200", actual: "0" }],
      }),
    );
    await put(
      "drills/orders/postgres/2026-11-21T05:00:00Z.json",
      JSON.stringify({ ...drill("2026-11-21T05:00:00Z"), schema: "drkit.dev/drill-result/v9" }),
    );
    await put("drills/orders/postgres/2026-11-20T05:00:00Z.json", "{ truncated");
    // stored under another drill's key
    await put(
      "drills/orders/postgres/2026-11-19T05:00:00Z.json",
      JSON.stringify(drill("2026-11-18T05:00:00Z")),
    );
    // a passing record, overwritten later with another passing one; and one deleted
    await store(drill("2026-11-17T05:00:00Z"));
    await store(drill("2026-11-17T05:00:00Z", { restoreSeconds: 10 }));
    await store(drill("2026-11-16T05:00:00Z"));
    await client.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: "drills/orders/postgres/2026-11-16T05:00:00Z.json" }),
    );
    await store(drill("2026-11-15T05:00:00Z", { restoreSeconds: 290 }));

    const result = await report();
    expect(result.code).toBe(1);
    const invalid = result.out.split("\n").filter((l) => l.startsWith("INVALID"));
    expect(invalid).toEqual([
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-16T05:00:00Z.json: a delete marker hides it: someone deleted it`,
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-17T05:00:00Z.json: it was overwritten: 2 versions (the original is the one read)`,
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-19T05:00:00Z.json: it is stored at drills/orders/postgres/2026-11-19T05:00:00Z.json, but a record of its service, kind and startedAt belongs at drills/orders/postgres/2026-11-18T05:00:00Z.json`,
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-20T05:00:00Z.json: not JSON (Expected property name or '}' in JSON at position 2 (line 1 column 3))`,
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-21T05:00:00Z.json: schema "drkit.dev/drill-result/v9", and this drkit reads ${DRILL_RESULT_SCHEMA}: read it with the drkit of the drill that wrote it`,
      `INVALID s3://${BUCKET}/drills/orders/postgres/2026-11-23T05:00:00Z.json: \`ok\` is true, but check rows:public.orders failed`,
    ]);
    expect(result.out.split("\n").at(-2)).toBe("NOT PROVEN: 6 records are invalid and not counted");
    const json = readJson("drills.json");
    expect(json.counts).toEqual({ records: 8, passed: 2, failed: 0, invalid: 6 });
    expect(json.summaries[0]).toMatchObject({
      runs: 2,
      passed: 2,
      medianRestoreSeconds: 265,
      maxRestoreSeconds: 290,
    });
    expect(fs.readFileSync(path.join(out, "drills.md"), "utf8")).toContain(
      "**Verdict: not proven.** 6 records are invalid and not counted.\n\n## Invalid records (not counted)\n\n- `drills/orders/postgres/2026-11-16T05:00:00Z.json`: a delete marker hides it: someone deleted it\n",
    );
  });

  it("refuses records inconsistent in other ways: a failed drill with no reason, a restore longer than the drill, a backup from after it", async () => {
    await store(drill("2026-11-24T05:00:00Z", { ok: false }));
    await store(drill("2026-11-23T05:00:00Z", { restoreSeconds: 400 }));
    await store(
      drill("2026-11-22T05:00:00Z", { backup: { key: "k", takenAt: "2026-11-22T06:00:00Z" }, checks: [] }),
    );
    const json = (await report("--json")).out;
    expect(JSON.parse(json).records.map((r: { problems?: string[] }) => r.problems)).toEqual([
      [
        "`ok` is true, but the drill made no check",
        "the backup was taken (2026-11-22T06:00:00Z) after the drill started (2026-11-22T05:00:00Z)",
      ],
      ["`restoreSeconds` 400 is longer than the drill itself (300 s from startedAt to finishedAt)"],
      ["`ok` is false, but no check failed and no `error` says why"],
    ]);
  });

  it("fails (exit 1) when the last drill of a service failed, or when there is no record at all", async () => {
    expect((await report()).out).toBe(
      "NOT PROVEN: no drill record was found: nothing proves a restore works\n",
    );
    await store(drill("2026-11-23T05:00:00Z"));
    await store(failed("2026-11-24T05:00:00Z"));
    const result = await report();
    expect(result.code).toBe(1);
    expect(result.out.split("\n").at(-2)).toBe(
      "NOT PROVEN: the last postgres drill of orders (2026-11-24T05:00:00Z) failed",
    );
  });

  it("filters by --service and --since, and writes the measured restores for drkit-rpo-rto", async () => {
    await store(drill("2026-11-01T05:00:00Z", { restoreSeconds: 290 }));
    await store(drill("2026-11-24T05:00:00Z"));
    await store(failed("2026-11-23T05:00:00Z"));
    await store(
      drill("2026-11-24T05:00:00Z", {
        service: "cluster",
        tier: "important",
        kind: "velero",
        target: "drill-ns",
      }),
    );
    const snippet = path.join(out, "measured.json");
    const result = await report(
      "--service",
      "orders",
      "--since",
      "2026-11-20",
      "--policy-config-snippet",
      snippet,
    );
    expect(result.code).toBe(0);
    expect(JSON.parse(fs.readFileSync(snippet, "utf8"))).toEqual({
      "drkit-rpo-rto": {
        measuredRestores: [
          {
            service: "orders",
            kind: "postgres",
            restoreSeconds: 240,
            measuredAt: "2026-11-24T05:00:00Z",
            evidence: `s3://${BUCKET}/drills/orders/postgres/2026-11-24T05:00:00Z.json`,
          },
        ],
      },
    });
    expect(readJson("drills.json").counts).toEqual({ records: 2, passed: 1, failed: 1, invalid: 0 });
    // What it writes is what the posture model takes: its own validation finds nothing wrong.
    const settings = JSON.parse(fs.readFileSync(snippet, "utf8"))["drkit-rpo-rto"];
    expect(() => assessWithConfig({ resources: [] }, settings, NOW)).not.toThrow();
  });

  it("joins an evidence folder's manifest, so drkit verify checks the drills files too", async () => {
    await store(drill("2026-11-24T05:00:00Z"));
    writeEvidenceFolder();
    expect((await report()).code).toBe(0);
    const verify = () =>
      verifyCommand([out, "--evidence-only"], { out: () => undefined, err: () => undefined });
    expect(await verify()).toBe(0);
    fs.appendFileSync(path.join(out, "drills.md"), "edited\n");
    expect(await verify()).toBe(1);
  });

  it("refuses (exit 2) to change a signed manifest without the key it was signed with", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    writeEvidenceFolder(true);
    const keyFile = path.join(os.tmpdir(), `drkit-drills-key-${process.pid}.pem`);
    fs.writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    try {
      const result = await report();
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        `${path.join(out, MANIFEST_FILE)} is signed: give --sign-key with the key it was signed with`,
      );
      const wrong = await report("--sign-key", keyFile);
      expect(wrong.code).toBe(2);
      expect(wrong.err).toMatch(
        /was signed by key sha256:0{64}, and --sign-key is sha256:[0-9a-f]{64}: give the key it was signed with/,
      );
    } finally {
      fs.rmSync(keyFile, { force: true });
    }
  });

  it("answers usage errors with exit 2 and the usage", async () => {
    const bad = await drillsCommand(["report", "--bucket", BUCKET, "--region", "Frankfurt", "--out", out], {
      out: () => undefined,
      err: (t) =>
        expect(t).toBe(
          `drkit drills report: --region must be an AWS region code such as eu-west-1 (got "Frankfurt")\n\n${DRILLS_USAGE}`,
        ),
    });
    expect(bad).toBe(2);
    expect((await report("--since", "2026-02-30")).err).toContain(
      '--since must be a date YYYY-MM-DD or an ISO 8601 UTC time such as 2026-11-01T00:00:00Z (got "2026-02-30")',
    );
    expect(await drkit("drills", "--help")).toEqual({ code: 0, out: DRILLS_USAGE, err: "" });
  });
});

function readVersion(): string {
  return (
    JSON.parse(fs.readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { version: string }
  ).version;
}

/** An evidence folder as `drkit check --report` leaves it: every evidence file, and their manifest. */
function writeEvidenceFolder(signed = false) {
  const evidence = Object.fromEntries(EVIDENCE_FILES.map((name) => [name, `${name}\n`]));
  for (const [name, content] of Object.entries(evidence)) fs.writeFileSync(path.join(out, name), content);
  const manifest = buildManifest({
    createdAt: NOW,
    git: null,
    evidence,
    inputs: {
      root: out,
      programDir: ".",
      policyPackDir: ".",
      stackConfigFile: null,
      policyConfigFile: null,
      excluded: [],
      programSelection: "walk",
      files: { program: [], lockfile: [], policyPack: [], stackConfig: [], policyConfig: [] },
    },
  });
  fs.writeFileSync(
    path.join(out, MANIFEST_FILE),
    renderManifest(
      signed
        ? {
            ...manifest,
            signature: { algorithm: "ed25519", file: "manifest.sig", publicKey: `sha256:${"0".repeat(64)}` },
          }
        : manifest,
    ),
  );
}
