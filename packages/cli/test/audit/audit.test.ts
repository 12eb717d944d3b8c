// `drkit audit append|verify` with the real AWS SDK S3 client against fakeS3.ts, a loopback server that
// speaks the S3 protocol in its place (this machine has no cloud access). The tamper cases change the log
// the way someone with S3 access could: through the same SDK, without drkit.
import { DeleteObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AUDIT_USAGE, auditCommand } from "../../src/audit/command";
import { main } from "../../src/main";
import { AUDIT_SCHEMA, recordKey, sha256 } from "../../src/audit/record";
import { FakeS3, startFakeS3 } from "../../../../test/support/fakeS3";

const BUCKET = "records";
const PLAIN = "plain"; // a bucket without Object Lock
const REGION = "eu-central-1";
let s3: FakeS3;
let client: S3Client;
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
  s3 = await startFakeS3({ buckets: { [BUCKET]: { objectLock: true }, [PLAIN]: { objectLock: false } } });
  client = new S3Client({ region: REGION, endpoint: s3.endpoint, forcePathStyle: true });
});
afterEach(async () => {
  client.destroy();
  await s3.close();
});

async function drkitAudit(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await auditCommand(argv, { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`) });
  return { code, out, err };
}

const SWITCH = {
  operator: "alice",
  reason: "INC-4521: eu-west-1 load balancers unreachable",
  from: "primary",
  to: "secondary",
  weights: "primary=0,secondary=100",
  arcResult: "switched",
  outcome: "succeeded",
};
const append = (changes: Partial<typeof SWITCH> & { bucket?: string; stream?: string } = {}) => {
  const s = { ...SWITCH, ...changes };
  return drkitAudit(
    "append",
    "--bucket",
    changes.bucket ?? BUCKET,
    "--region",
    REGION,
    "--endpoint-url",
    s3.endpoint,
    "--operator",
    s.operator,
    "--reason",
    s.reason,
    "--from",
    s.from,
    "--to",
    s.to,
    "--weights",
    s.weights,
    "--arc-result",
    s.arcResult,
    "--outcome",
    s.outcome,
    ...(changes.stream ? ["--stream", changes.stream] : []),
  );
};
const verify = (...extra: string[]) =>
  drkitAudit("verify", "--bucket", BUCKET, "--region", REGION, "--endpoint-url", s3.endpoint, ...extra);
const versionsOf = (key: string) => s3.buckets.get(BUCKET)!.keys.get(key) ?? [];
const stored = (sequence: number, stream = REGION) => versionsOf(recordKey(stream, sequence))[0]!;
const storedRecord = (sequence: number) => JSON.parse(stored(sequence).body.toString("utf8"));
/** What someone with s3:PutObject could do without drkit: write a record's key directly. */
const forge = (sequence: number, record: object) =>
  client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: recordKey(REGION, sequence),
      Body: `${JSON.stringify(record)}\n`,
      ObjectLockMode: "COMPLIANCE",
      ObjectLockRetainUntilDate: new Date(Date.now() + 86_400_000),
      ChecksumAlgorithm: "SHA256",
    }),
  );

describe("drkit audit append", () => {
  it("writes the first record as a new, locked object: one line of JSON with every field", async () => {
    const before = Date.now();
    const { code, out, err } = await append();
    expect([code, err]).toEqual([0, ""]);
    const record = stored(1);
    expect(JSON.parse(record.body.toString("utf8"))).toEqual({
      schema: AUDIT_SCHEMA,
      sequence: 1,
      stream: REGION,
      time: expect.any(String),
      operator: "alice",
      reason: "INC-4521: eu-west-1 load balancers unreachable",
      from: "primary",
      to: "secondary",
      weights: { primary: 0, secondary: 100 },
      arcResult: "switched",
      arcDetail: null,
      outcome: "succeeded",
      previousSha256: null,
    });
    expect(record.body.toString("utf8").split("\n")).toHaveLength(2); // one line and its newline
    const time = Date.parse(storedRecord(1).time);
    expect(time).toBeGreaterThanOrEqual(before);
    // Locked in COMPLIANCE mode for 365 days from the record's time.
    expect([record.lockMode, record.retainUntil!.getTime() - time]).toEqual(["COMPLIANCE", 365 * 86_400_000]);
    expect(out.trim()).toBe(
      `appended record 1 to s3://records/audit/${REGION}/000000000001.json, sha256 ${sha256(record.body)}, locked (COMPLIANCE) until ${record.retainUntil!.toISOString()}`,
    );
    // Never written over: S3 is told to refuse the write if the key exists, and given a checksum.
    const write = s3.requests.find((r) => r.line.startsWith("PUT "))!;
    expect(write.headers["if-none-match"]).toBe("*");
    expect(write.headers["x-amz-checksum-sha256"]).toBe(sha256Base64(record.body));
  });

  it("chains each record to the one before by the sha256 of its exact bytes", async () => {
    await append();
    await append({
      reason: "INC-4521: fail back after the region recovered",
      from: "secondary",
      to: "primary",
      weights: "primary=100,secondary=0",
    });
    await append({
      reason: "Drill 2026-Q3: half the traffic to the secondary",
      weights: "primary=50,secondary=50",
      to: "secondary",
      from: "primary",
      arcResult: "not-enabled",
    });
    expect(storedRecord(2).previousSha256).toBe(sha256(stored(1).body));
    expect(storedRecord(3).previousSha256).toBe(sha256(stored(2).body));
    expect([storedRecord(2).sequence, storedRecord(3).sequence]).toEqual([2, 3]);
  });

  it("takes the next sequence when another writer took one first (S3 answers 412), and never overwrites", async () => {
    s3.holdPuts = 2; // both writers have read the same head before either write arrives
    const [a, b] = await Promise.all([append(), append({ operator: "bob" })]);
    expect([a.code, b.code, a.err + b.err]).toEqual([0, 0, ""]);
    expect(s3.requests.filter((r) => r.line.startsWith("PUT ")).map((r) => r.status)).toEqual([
      200, 412, 200,
    ]);
    expect(versionsOf(recordKey(REGION, 1))).toHaveLength(1);
    expect(storedRecord(2).previousSha256).toBe(sha256(stored(1).body));
    expect((await verify()).code).toBe(0);
  });

  it("keeps a stream per region: appends in the secondary's bucket during an outage do not fork the primary's chain", async () => {
    await append({ stream: "eu-west-1" }); // replicated from the primary
    await append();
    const { code, out } = await verify();
    expect(code).toBe(0);
    expect(
      out
        .split("\n")
        .filter(Boolean)
        .map((l) => l.replace(/\(.*$/, "")),
    ).toEqual([
      `s3://records/audit/${REGION}/: 1 record, chain intact; head record 1 `,
      "s3://records/audit/eu-west-1/: 1 record, chain intact; head record 1 ",
    ]);
  });

  it.each([
    [
      "is too short",
      "drill",
      "--reason must be 10–500 characters (got 5): say why traffic moves, such as an incident id or a drill's name",
    ],
    [
      "is only spaces around a short word",
      "   drill    ",
      "--reason must be 10–500 characters (got 5): say why traffic moves, such as an incident id or a drill's name",
    ],
    [
      "is too long",
      "x".repeat(501),
      "--reason must be 10–500 characters (got 501): say why traffic moves, such as an incident id or a drill's name",
    ],
    [
      "has a newline (a forged second log line)",
      "INC-1 failover\nINC-2 all clear",
      "--reason must be printable text on one line: character 15 is U+000A, a control, format or unassigned character; say why traffic moves, such as an incident id or a drill's name",
    ],
    [
      "has a terminal escape",
      "INC-1 \u001b[2Kall clear",
      "--reason must be printable text on one line: character 7 is U+001B, a control, format or unassigned character; say why traffic moves, such as an incident id or a drill's name",
    ],
    [
      "has a right-to-left override (text that reads differently than it is stored)",
      "INC-1 failover \u202eraeh",
      "--reason must be printable text on one line: character 16 is U+202E, a control, format or unassigned character; say why traffic moves, such as an incident id or a drill's name",
    ],
  ])("refuses a reason that %s, before anything is read or written", async (_case, reason, message) => {
    const { code, err } = await append({ reason });
    expect(code).toBe(2);
    expect(err.split("\n")[0]).toBe(`drkit audit append: ${message}`);
    expect(s3.requests).toEqual([]);
  });

  it("counts the reason as given: a short one is refused even though the operator and run make the record long", async () => {
    const { code, err } = await append({
      reason: "fix",
      operator: "a-very-long-operator-name-from-the-workflow",
    });
    expect(code).toBe(2);
    expect(err).toContain("--reason must be 10–500 characters (got 3)");
  });

  it("lists every problem with the switch's facts at once", async () => {
    const { code, err } = await append({
      operator: "x".repeat(101),
      from: "west",
      to: "secondary",
      weights: "primary=100,secondary=0",
      arcResult: "ok",
      outcome: "done",
    });
    expect(code).toBe(2);
    expect(err.split("\n\n")[0]!.split("\n")).toEqual([
      "drkit audit append: --operator must be 1–100 characters (got 101): name who made the switch, such as $GITHUB_ACTOR",
      '  --from must be one of "primary", "secondary" (got "west")',
      "  --weights give secondary, the side activated (--to), weight 0: raise it",
      '  --arc-result must be one of "switched", "not-enabled", "failed", "skipped" (got "ok")',
      '  --outcome must be one of "succeeded", "failed" (got "done")',
    ]);
  });

  it.each([
    [
      ["--weights", "primary=0"],
      '--weights must be primary=N,secondary=N with whole numbers 0–255 (got "primary=0")',
    ],
    [
      ["--weights", "primary=0,secondary=256"],
      '--weights must be primary=N,secondary=N with whole numbers 0–255 (got "primary=0,secondary=256")',
    ],
    [
      ["--weights", "primary=0,secondary=0"],
      "--weights are both 0: Route 53 then splits traffic equally, which no switch sets",
    ],
  ])("refuses weights %j", async (weights, message) => {
    const { code, err } = await append({ weights: weights[1] });
    expect(code).toBe(2);
    expect(err).toContain(message);
  });

  it("refuses usage errors with the usage: a missing flag, one given twice, a misspelt one, a bad region", async () => {
    const first = async (...argv: string[]) => (await drkitAudit(...argv)).err.split("\n")[0];
    expect(await first("append", "--bucket", BUCKET, "--region", REGION)).toBe(
      "drkit audit append: give --operator, --reason, --from, --to, --weights, --arc-result, --outcome",
    );
    expect(await first("verify", "--bucket", "a", "--bucket", "b", "--region", REGION)).toBe(
      'drkit audit verify: --bucket is given twice ("a", then "b"): give it once',
    );
    expect(await first("verify", "--bukcet", "a", "--region", REGION)).toMatch(/--bucket/);
    expect(await first("verify", "--bucket", "a", "--region", "Frankfurt")).toBe(
      'drkit audit verify: --region must be an AWS region code such as eu-west-1 (got "Frankfurt")',
    );
    expect(await first("rewrite")).toBe('drkit audit: unknown subcommand "rewrite": append or verify');
  });

  it("says S3 could not be reached, with exit 2, when the endpoint is down", async () => {
    const endpoint = s3.endpoint;
    await s3.close();
    const { code, err } = await drkitAudit(
      "verify",
      "--bucket",
      BUCKET,
      "--region",
      REGION,
      "--endpoint-url",
      endpoint,
    );
    expect(code).toBe(2);
    expect(err).toMatch(/^drkit audit verify: S3 refused or could not be reached: /);
    s3 = await startFakeS3({ buckets: {} }); // for afterEach
  });

  it("refuses to extend a broken chain, and writes nothing", async () => {
    await append();
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: recordKey(REGION, 1) }));
    const { code, err } = await append();
    expect(code).toBe(1);
    expect(err.split("\n")).toEqual([
      `drkit audit append: the audit log s3://records/audit/${REGION}/ is not an intact chain, so nothing was appended; run drkit audit verify, and keep the log as evidence`,
      `  - record 1 was deleted: a delete marker hides audit/${REGION}/000000000001.json from listings and reads; its locked original (version ${stored(1).versionId}) remains`,
      "",
    ]);
    expect(versionsOf(recordKey(REGION, 2))).toEqual([]);
  });

  it("fails when the bucket has no Object Lock: the record would not be retained", async () => {
    const { code, err } = await append({ bucket: PLAIN });
    expect(code).toBe(2);
    expect(err).toContain("Bucket is missing Object Lock Configuration");
  });
});

describe("drkit audit verify", () => {
  beforeEach(async () => {
    for (const reason of [
      "INC-1: first switch to secondary",
      "INC-1: fail back to primary",
      "INC-2: second switch",
    ])
      expect((await append({ reason })).code).toBe(0);
  });

  it("reports an intact chain with its head, exit 0", async () => {
    const { code, out } = await verify();
    expect(code).toBe(0);
    expect(out.trim()).toBe(
      `s3://records/audit/${REGION}/: 3 records, chain intact; head record 3 (${storedRecord(3).time}), sha256 ${sha256(stored(3).body)}`,
    );
    const json = JSON.parse((await verify("--json")).out);
    expect(json).toMatchObject({ intact: true, streams: [{ stream: REGION, records: 3, problems: [] }] });
  });

  it("reads every page of versions", async () => {
    const paged = await startFakeS3({ buckets: { [BUCKET]: { objectLock: true } }, pageSize: 2 });
    paged.buckets.set(BUCKET, s3.buckets.get(BUCKET)!);
    const { code, out } = await drkitAudit(
      "verify",
      "--bucket",
      BUCKET,
      "--region",
      REGION,
      "--endpoint-url",
      paged.endpoint,
    );
    await paged.close();
    expect(code).toBe(0);
    expect(out).toContain("3 records, chain intact");
    expect(paged.requests.filter((r) => r.line.includes("versions")).length).toBe(2);
  });

  const problemsOf = async () => {
    const { code, out } = await verify();
    expect(code).toBe(1);
    return out
      .split("\n")
      .filter((l) => l.startsWith("  - "))
      .map((l) => l.slice(4));
  };

  it("fails when a record was edited: a new version, and the original is the one checked", async () => {
    await forge(2, { ...storedRecord(2), reason: "INC-1: routine maintenance" });
    expect(await problemsOf()).toEqual([
      `record 2 was overwritten: audit/${REGION}/000000000002.json has 2 versions; the original (version ${stored(2).versionId}, ${stored(2).lastModified.toISOString()}) is the one checked`,
    ]);
  });

  it("fails when a record was edited in place, leaving no version behind: the next record no longer chains", async () => {
    // What a store without versioning (or a bug) would allow: the stored bytes change under the same version.
    stored(1).body = Buffer.from(stored(1).body.toString("utf8").replace("first switch", "planned switch"));
    const problems = await problemsOf();
    expect(problems).toEqual([
      `record 2 does not chain to record 1: it names ${storedRecord(2).previousSha256.slice(0, 12)}…, but record 1 hashes to ${sha256(stored(1).body).slice(0, 12)}…: record 1 was edited after record 2 was written, or record 2 was written onto another chain`,
    ]);
  });

  it("fails when a record was deleted: a delete marker hides it, the locked original remains", async () => {
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: recordKey(REGION, 3) }));
    expect(await problemsOf()).toEqual([
      `record 3 was deleted: a delete marker hides audit/${REGION}/000000000003.json from listings and reads; its locked original (version ${stored(3).versionId}) remains`,
    ]);
  });

  it("fails when a record is missing: the log has a gap", async () => {
    await forge(5, { ...storedRecord(3), sequence: 5, previousSha256: sha256(stored(3).body) });
    expect(await problemsOf()).toEqual([
      `record 4 is missing: no version of audit/${REGION}/000000000004.json exists, so the log jumps from 3 to a later record`,
    ]);
  });

  it("fails when records were reordered: a record under another record's key", async () => {
    const third = storedRecord(3);
    await forge(4, { ...storedRecord(2), sequence: 2, previousSha256: sha256(stored(3).body) });
    expect(await problemsOf()).toEqual([
      `record 4 (audit/${REGION}/000000000004.json) says it is record 2: records were reordered or copied`,
      `record 4 (${storedRecord(2).time}) is earlier than record 3 (${third.time}): records were reordered`,
    ]);
  });

  it("fails when a record is not locked, or is not a record at all", async () => {
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: recordKey(REGION, 4),
        Body: "all clear\n",
        ChecksumAlgorithm: "SHA256",
      }),
    );
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: "audit/notes.txt", Body: "x" }));
    const { code, out } = await verify();
    expect(code).toBe(1);
    expect(out.split("\n").filter(Boolean)).toEqual([
      `s3://records/audit/${REGION}/: 4 records, NOT INTACT:`,
      "  - record 4 is not under COMPLIANCE retention (mode none): it could be deleted. Is the bucket an Object Lock bucket, and may the reader call s3:GetObjectRetention?",
      `  - record 4 (audit/${REGION}/000000000004.json) is not a ${AUDIT_SCHEMA} record: it is not JSON`,
      "s3://records/audit/notes.txt: not a record of the log",
    ]);
  });

  it("fails when a forged record holds a control character a writer could not have given", async () => {
    await forge(4, {
      ...storedRecord(3),
      sequence: 4,
      reason: "INC-3\u0007 bell",
      previousSha256: sha256(stored(3).body),
    });
    expect(await problemsOf()).toEqual([
      `record 4 (audit/${REGION}/000000000004.json) is not a ${AUDIT_SCHEMA} record: its reason: must be printable text on one line: character 6 is U+0007, a control, format or unassigned character; say why traffic moves, such as an incident id or a drill's name`,
    ]);
  });

  it("checks only the stream asked for with --stream", async () => {
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: recordKey("eu-west-1", 1) }));
    expect((await verify("--stream", REGION)).code).toBe(0);
    expect((await verify()).code).toBe(1);
  });
});

function sha256Base64(bytes: Buffer): string {
  return Buffer.from(sha256(bytes), "hex").toString("base64");
}

it("is reached as `drkit audit`, and listed in drkit's help", async () => {
  let out = "";
  expect(await main(["audit", "--help"], { out: (t) => (out += t), err: () => undefined })).toBe(0);
  expect(out).toBe(AUDIT_USAGE);
  let help = "";
  await main(["--help"], { out: (t) => (help += t), err: () => undefined });
  expect(help).toContain(AUDIT_USAGE);
});
