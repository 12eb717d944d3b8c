// Every bad `--policy-config` file, one row each, with the exact message `drkit check` prints: the file
// (and line), the key path, the value (cut when long), what is allowed, and the fix. Each is exit 2, before
// the program runs, so nothing is registered and stdout stays empty.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { closePolicyPacks, policyPackAt } from "@drkit/cli";
import { PolicyConfigError, reconcilePolicyConfig } from "@drkit/cli/harness";
import { drkit } from "../../../test/support/drkit";

const program = path.join(__dirname, "fixtures/velero-program");
const chatty = path.join(__dirname, "fixtures/chatty-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const bin = path.resolve(__dirname, "../bin/drkit.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-bad-policy-config-"));

afterAll(async () => {
  fs.rmSync(tmp, { recursive: true, force: true });
  await closePolicyPacks();
});

const RPO = "drkit-rpo-rto";
const TTL = "drkit-aws-route53-record-configure-ttl";
const LEVELS = '"advisory", "mandatory", "disabled", "remediate"';
const POLICIES = [
  "drkit-rpo-rto",
  "drkit-aws-s3-object-lock-configure-retention",
  "drkit-aws-s3-replication-enable-rtc",
  "drkit-aws-route53-health-check-configure-detection",
  "drkit-aws-route53-record-configure-ttl",
  "drkit-aws-iam-policy-disallow-wildcard-actions",
  "drkit-kubernetes-redis-replication-spread-across-zones",
  "drkit-kubernetes-velero-location-disallow-object-lock",
  "drkit-neon-project-configure-history-retention",
  "drkit-stack-outputs-disallow-secrets",
].join(", ");
// Schemas reach the CLI as protobuf Structs, without declaration order: messages list fields sorted.
const WAIVER_FIELDS =
  "acceptedRpoSeconds, acceptedRtoSeconds, disruption, expires, owner, reason, resource, service";

const dayFromToday = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const waiver = (changes: Record<string, unknown> = {}) => ({
  service: "orders",
  owner: "platform-team",
  reason: "S3 RTC bounds replication at 15 minutes",
  expires: dayFromToday(30),
  ...changes,
});
const json = (config: unknown) => JSON.stringify(config, null, 2);
const rpo = (settings: Record<string, unknown>) => json({ [RPO]: settings });
/** What `drkit check` prints for a file whose settings break the policies: every problem, one a line. */
const invalid = (...problems: string[]) =>
  `drkit check: FILE: policy pack configuration is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`;

const FIVE_MB = 5 * 1024 * 1024;
const huge = "x".repeat(FIVE_MB);
/** A 5 MB string as a message shows it: its first 80 characters of JSON, and its size. */
const hugeShown = `"${"x".repeat(79)}… (${FIVE_MB + 2} characters)`;

/** [description, the file's content (undefined: no file there), exact stderr with FILE for its path] */
type Row = [description: string, content: string | undefined, stderr: string];

const fileRows: Row[] = [
  [
    "not JSON: file, line and column",
    '{\n  "drkit-rpo-rto": {\n    "assessmentDate": 2027-01-31\n  }\n}\n',
    "drkit check: FILE:3:27: not valid JSON: expected `,` or `}` (found `-01-31`)",
  ],
  [
    "a trailing comma: where it is, and to remove it",
    '{\n  "drkit-rpo-rto": "advisory",\n}\n',
    "drkit check: FILE:2:30: not valid JSON: a comma before `}` is not allowed in JSON: remove it",
  ],
  [
    "a file that ends inside an object",
    '{"drkit-rpo-rto": {"tiers": {}',
    "drkit check: FILE:1:31: not valid JSON: expected `,` or `}` (found the end of the file)",
  ],
  ["an empty file", "", "drkit check: FILE is empty: write {} for no settings, or leave out --policy-config"],
  [
    "a file of blanks",
    "  \n\n",
    "drkit check: FILE is empty: write {} for no settings, or leave out --policy-config",
  ],
  [
    "a UTF-8 byte order mark, which the Pulumi CLI refuses",
    '\uFEFF{ "drkit-rpo-rto": "advisory" }',
    "drkit check: FILE starts with a byte order mark (BOM), which the Pulumi CLI refuses: save it as UTF-8 without a BOM",
  ],
  [
    "a list at the top level",
    '["drkit-rpo-rto"]',
    'drkit check: FILE must hold one JSON object, policy name to level or settings (got ["drkit-rpo-rto"]): e.g. { "drkit-rpo-rto": "mandatory" }',
  ],
  [
    "a string at the top level",
    '"mandatory"',
    'drkit check: FILE must hold one JSON object, policy name to level or settings (got "mandatory"): e.g. { "drkit-rpo-rto": "mandatory" }',
  ],
  [
    "a duplicate setting: JSON would keep the last silently",
    '{\n  "drkit-rpo-rto": {\n    "waivers": [],\n    "waivers": []\n  }\n}\n',
    "drkit check: FILE:4:5: `drkit-rpo-rto.waivers` is given twice (first at line 3): only the last would count; keep one",
  ],
  [
    "a duplicate policy name",
    '{\n  "all": "advisory",\n  "drkit-rpo-rto": "advisory",\n  "all": "mandatory"\n}\n',
    "drkit check: FILE:4:3: `all` is given twice (first at line 2): only the last would count; keep one",
  ],
  [
    "a duplicate field inside a list, every one named",
    '{"drkit-rpo-rto": {"waivers": [{}, {"owner": "a", "owner": "b"}]},\n "all": "advisory", "all": "advisory"}',
    "drkit check: FILE:1:51: `drkit-rpo-rto.waivers[1].owner` is given twice (first at line 1): only the last would count; keep one\n" +
      "FILE:2:21: `all` is given twice (first at line 2): only the last would count; keep one",
  ],
  ["no such file", undefined, "drkit check: cannot read the policy config file FILE: it does not exist"],
  [
    "nested too deep to be a policy config (no crash)",
    `{"a": ${"[".repeat(100_000)}${"]".repeat(100_000)}}`,
    "drkit check: FILE:1:1006: not valid JSON: nested more than 1000 levels deep; a policy config is a few levels deep",
  ],
];

const levelRows: Row[] = [
  [
    "a misspelt level",
    json({ [RPO]: "mandtory" }),
    invalid(`drkit-rpo-rto: the level must be one of ${LEVELS} (got "mandtory"): did you mean "mandatory"?`),
  ],
  [
    "an unknown level for all",
    json({ all: "strict" }),
    invalid(`all: the level must be one of ${LEVELS} (got "strict"): choose one of them`),
  ],
  [
    "an enforcementLevel that is not a string",
    rpo({ enforcementLevel: true }),
    invalid(`drkit-rpo-rto: \`enforcementLevel\` must be one of ${LEVELS} (got true): choose one of them`),
  ],
  [
    "a number where a level or settings go",
    json({ [RPO]: 5 }),
    invalid(
      `drkit-rpo-rto: must be an enforcement level (${LEVELS}) or an object of settings (got 5): e.g. "mandatory", or { "enforcementLevel": "mandatory" }`,
    ),
  ],
  [
    "null where a level or settings go",
    json({ [RPO]: null }),
    invalid(
      `drkit-rpo-rto: must be an enforcement level (${LEVELS}) or an object of settings (got null): e.g. "mandatory", or { "enforcementLevel": "mandatory" }`,
    ),
  ],
  [
    "a setting under all, which sets levels only",
    json({ all: { enforcementLevel: "advisory", maximumTtlSeconds: 30 } }),
    invalid(
      "all: `maximumTtlSeconds` is not a setting of `all`, which sets only the level of every policy: put it under drkit-aws-route53-record-configure-ttl",
    ),
  ],
];

const nameRows: Row[] = [
  [
    "a misspelt policy name: an error, not ignored",
    json({ "drkit-rpo-rot": "mandatory" }),
    invalid("drkit-rpo-rot: drkit-dr has no policy of that name: did you mean `drkit-rpo-rto`?"),
  ],
  [
    "a policy name the pack does not have",
    json({ "my-own-policy": "mandatory" }),
    invalid(
      `my-own-policy: drkit-dr has no policy of that name (policies: ${POLICIES}): correct the name, or remove it`,
    ),
  ],
  [
    "a 5 MB policy name: cut, with its size",
    json({ [huge]: "mandatory" }),
    invalid(
      `${hugeShown}: drkit-dr has no policy of that name (policies: ${POLICIES}): correct the name, or remove it`,
    ),
  ],
];

const schemaRows: Row[] = [
  [
    "additionalProperties: an unknown setting, with the likely one",
    json({ [TTL]: { maximumTtl: 30 } }),
    invalid(
      `${TTL}: \`maximumTtl\` is not a setting of this policy (settings: maximumTtlSeconds): did you mean \`maximumTtlSeconds\`?`,
    ),
  ],
  [
    "additionalProperties: an unknown setting, nothing close",
    rpo({ colour: "blue" }),
    invalid(
      "drkit-rpo-rto: `colour` is not a setting of this policy (settings: assessmentDate, estimates, maximumWaiverDays, measuredRestoreMaxAgeDays, measuredRestores, missingPolicyLevel, notAssessedLevel, tiers, waivers): remove it",
    ),
  ],
  [
    "additionalProperties: a setting for a policy that has none",
    json({ "drkit-kubernetes-velero-location-disallow-object-lock": { strict: true } }),
    invalid(
      "drkit-kubernetes-velero-location-disallow-object-lock: `strict` is not a setting of this policy (it has none): remove it",
    ),
  ],
  [
    "additionalProperties: a misspelt field of a waiver, and the field it lacks",
    rpo({ waivers: [{ ...waiver(), expires: undefined, expiry: dayFromToday(30) }] }),
    invalid(
      "drkit-rpo-rto: `waivers[0]` has no `expires`: add `expires`, a date YYYY-MM-DD",
      `drkit-rpo-rto: \`waivers[0].expiry\` is not a field of \`waivers[0]\` (fields: ${WAIVER_FIELDS}): did you mean \`expires\`?`,
    ),
  ],
  [
    "additionalProperties: a misspelt disruption in a tier",
    rpo({ tiers: { critical: { regoin: { rpoSeconds: 300, rtoSeconds: 3600 } } } }),
    invalid(
      "drkit-rpo-rto: `tiers.critical.regoin` is not a field of `tiers.critical` (fields: hardware, region, software, zone): did you mean `region`?",
    ),
  ],
  [
    "type: a number written as a string",
    rpo({ tiers: { critical: { region: { rpoSeconds: "300", rtoSeconds: 3600 } } } }),
    invalid(
      'drkit-rpo-rto: `tiers.critical.region.rpoSeconds` must be a number ≥ 0 (got "300"): write it without quotes',
    ),
  ],
  [
    "type: a word where a whole number goes",
    json({ [TTL]: { maximumTtlSeconds: "sixty" } }),
    invalid(`${TTL}: \`maximumTtlSeconds\` must be a whole number ≥ 0 (got "sixty"): omit it to use 60`),
  ],
  [
    "type: a number where a string goes",
    rpo({ waivers: [waiver({ owner: 42 })] }),
    invalid("drkit-rpo-rto: `waivers[0].owner` must be a non-empty string (got 42): write it in quotes"),
  ],
  [
    "type: a string where a list goes",
    json({ "drkit-stack-outputs-disallow-secrets": { allowedOutputs: "db" } }),
    invalid(
      'drkit-stack-outputs-disallow-secrets: `allowedOutputs` must be a list of values, each a non-empty string (got "db"): write it as a list: ["db"]',
    ),
  ],
  [
    "type: a number where an object goes",
    rpo({ estimates: 5 }),
    invalid(
      "drkit-rpo-rto: `estimates` must be an object with dnsChangeSeconds, incidentDetectionSeconds, neonLogicalRestoreSeconds, neonPitrRestoreSeconds, neonPromoteSeconds, operatorDecisionSeconds, podRescheduleSeconds, redisManualPromotionSeconds, redisReplicaLagSeconds, redisRestoreSeconds, redisSentinelFailoverSeconds, routingControlSwitchSeconds, s3ReplicaSwitchSeconds, s3VersionRestoreSeconds, veleroRestoreSeconds (got 5): omit it to use {}",
    ),
  ],
  [
    "integer: a fraction where a whole number goes",
    rpo({ maximumWaiverDays: 30.5 }),
    invalid(
      "drkit-rpo-rto: `maximumWaiverDays` must be a whole number from 1 to 3650 (got 30.5): omit it to use 365",
    ),
  ],
  [
    "maximum",
    rpo({ maximumWaiverDays: 4000 }),
    invalid(
      "drkit-rpo-rto: `maximumWaiverDays` must be a whole number from 1 to 3650 (got 4000): omit it to use 365",
    ),
  ],
  [
    "minimum",
    json({ "drkit-aws-route53-health-check-configure-detection": { maximumDetectionSeconds: 5 } }),
    invalid(
      "drkit-aws-route53-health-check-configure-detection: `maximumDetectionSeconds` must be a whole number ≥ 10 (got 5): omit it to use 90",
    ),
  ],
  [
    "required: a waiver without an owner",
    rpo({ waivers: [waiver({ owner: undefined })] }),
    invalid("drkit-rpo-rto: `waivers[0]` has no `owner`: add `owner`, a non-empty string"),
  ],
  [
    "required: a target without its RTO",
    rpo({ tiers: { critical: { region: { rpoSeconds: 300 } } } }),
    invalid("drkit-rpo-rto: `tiers.critical.region` has no `rtoSeconds`: add `rtoSeconds`, a number ≥ 0"),
  ],
  [
    "enum: a misspelt disruption",
    rpo({ waivers: [waiver({ disruption: "regoin" })] }),
    invalid(
      'drkit-rpo-rto: `waivers[0].disruption` must be one of "software", "hardware", "zone", "region" (got "regoin"): did you mean "region"?',
    ),
  ],
  [
    "enum: an unknown level setting, with its default",
    rpo({ missingPolicyLevel: "off" }),
    invalid(
      'drkit-rpo-rto: `missingPolicyLevel` must be one of "advisory", "mandatory" (got "off"): omit it to use "mandatory"',
    ),
  ],
  [
    "items + enum: one list item not allowed",
    json({ "drkit-aws-s3-object-lock-configure-retention": { allowedModes: ["COMPLIANCE", "LEGAL"] } }),
    invalid(
      'drkit-aws-s3-object-lock-configure-retention: `allowedModes[1]` must be one of "COMPLIANCE", "GOVERNANCE" (got "LEGAL"): choose one of them',
    ),
  ],
  [
    "minItems: an empty list",
    json({ "drkit-aws-s3-object-lock-configure-retention": { allowedModes: [] } }),
    invalid(
      'drkit-aws-s3-object-lock-configure-retention: `allowedModes` must be a list of at least 1 value, each one of "COMPLIANCE", "GOVERNANCE" (got []): omit it to use ["COMPLIANCE"]',
    ),
  ],
  [
    "minLength: an empty owner",
    rpo({ waivers: [waiver({ owner: "" })] }),
    invalid('drkit-rpo-rto: `waivers[0].owner` must be a non-empty string (got ""): fill it in'),
  ],
  [
    "pattern: a date in another format",
    rpo({ assessmentDate: "31/12/2026" }),
    invalid(
      'drkit-rpo-rto: `assessmentDate` must be a date YYYY-MM-DD (got "31/12/2026"): write it as YYYY-MM-DD',
    ),
  ],
  [
    "a 5 MB value: cut to 80 characters, with its size",
    rpo({ assessmentDate: huge }),
    invalid(
      `drkit-rpo-rto: \`assessmentDate\` must be a date YYYY-MM-DD (got ${hugeShown}): write it as YYYY-MM-DD`,
    ),
  ],
  [
    "several problems in several policies, all at once",
    json({ "drkit-rpo-rot": "advisory", [TTL]: { maximumTtlSeconds: -1 } }),
    invalid(
      "drkit-rpo-rot: drkit-dr has no policy of that name: did you mean `drkit-rpo-rto`?",
      `${TTL}: \`maximumTtlSeconds\` must be a whole number ≥ 0 (got -1): omit it to use 60`,
    ),
  ],
];

// Problems the schema cannot express, which the policy's own model finds (the pack reports them as a
// mandatory violation after the program ran: exit 1). The CLI asks the same model first: exit 2.
const modelRows: Row[] = [
  [
    "an assessmentDate that is not a real day",
    rpo({ assessmentDate: "2027-02-30" }),
    invalid(
      'drkit-rpo-rto: `assessmentDate` must be a real calendar date YYYY-MM-DD (got "2027-02-30"); omit it to judge today',
    ),
  ],
  [
    "a waiver that expires on a day that does not exist",
    rpo({ waivers: [waiver({ expires: "2027-02-30" })] }),
    invalid(
      'drkit-rpo-rto: `waivers[0]`: `expires` must be a real calendar date YYYY-MM-DD (got "2027-02-30")',
    ),
  ],
  [
    "a waiver longer than maximumWaiverDays",
    rpo({ waivers: [waiver(), waiver({ expires: dayFromToday(400) })] }),
    invalid(
      `drkit-rpo-rto: \`waivers[1]\`: \`expires\` ${dayFromToday(400)} is more than 365 days after ${dayFromToday(0)}: a waiver is time-boxed; shorten it (or raise \`maximumWaiverDays\`)`,
    ),
  ],
  [
    "a waiver owned by blanks",
    rpo({ waivers: [waiver({ owner: "   " })] }),
    invalid('drkit-rpo-rto: `waivers[0]`: `owner` is required (got "   ")'),
  ],
  [
    "a tier without targets",
    rpo({ tiers: { gold: {} } }),
    invalid(
      'drkit-rpo-rto: tier "gold" has no targets: give at least one of software, hardware, zone, region as { rpoSeconds, rtoSeconds }, or remove the tier',
    ),
  ],
];

let fileCount = 0;
/** Writes `content` to a new file in the temporary folder (none when undefined) and returns its path. */
function policyConfigFile(content: string | undefined): string {
  const file = path.join(tmp, `policy-${++fileCount}.json`);
  if (content !== undefined) fs.writeFileSync(file, content);
  return file;
}

describe("drkit check --policy-config: every bad input is exit 2 with a message that says what to do", () => {
  it.each([...fileRows, ...levelRows, ...nameRows, ...schemaRows, ...modelRows])(
    "%s",
    async (_description, content, stderr) => {
      const file = policyConfigFile(content);
      const result = await drkit(
        "check",
        program,
        "--stack",
        "compliant",
        "--policy-pack",
        packDir,
        "--policy-config",
        file,
      );
      expect(result).toEqual({ code: 2, out: "", err: stderr.replaceAll("FILE", file) });
    },
  );

  it("a folder given as the file", async () => {
    const result = await drkit("check", program, "--stack", "compliant", "--policy-config", tmp);
    expect(result).toEqual({
      code: 2,
      out: "",
      err: `drkit check: cannot read the policy config file ${tmp}: it is a folder`,
    });
  });
});

describe("the Analyzer driver keeps the engine's behaviour; drkit check is stricter", () => {
  it("the engine ignores a policy name the pack does not have and an undeclared setting; strict refuses both", async () => {
    const pack = await policyPackAt(packDir);
    const file = { "drkit-rpo-rot": "advisory" as const, [TTL]: { maximumTtl: 30 } };
    expect(reconcilePolicyConfig(pack, file).ignoredPolicyNames).toEqual(["drkit-rpo-rot"]);
    expect(() => reconcilePolicyConfig(pack, file, { strict: true })).toThrow(
      new PolicyConfigError([
        "drkit-rpo-rot: drkit-dr has no policy of that name: did you mean `drkit-rpo-rto`?",
        `${TTL}: \`maximumTtl\` is not a setting of this policy (settings: maximumTtlSeconds): did you mean \`maximumTtlSeconds\`?`,
      ]),
    );
  });
});

describe("drkit check --policy-config, as the real binary", () => {
  // The chatty program prints on stderr when it runs: stderr holding the message alone shows it never ran.
  it.each<Row>([
    [
      "not JSON",
      "{ drkit-rpo-rto: advisory }",
      "drkit check: FILE:1:3: not valid JSON: expected a key in double quotes or `}` (found `drkit-rpo-rto`)",
    ],
    [
      "a misspelt policy name",
      json({ "drkit-rpo-rot": "mandatory" }),
      invalid("drkit-rpo-rot: drkit-dr has no policy of that name: did you mean `drkit-rpo-rto`?"),
    ],
    modelRows[0] as Row,
  ])("%s: exit 2, the message alone, no stack trace", (_description, content, stderr) => {
    const file = policyConfigFile(content);
    const child = spawnSync(
      process.execPath,
      [bin, "check", chatty, "--stack", "chatty", "--policy-pack", packDir, "--policy-config", file],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect({ status: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({
      status: 2,
      stdout: "",
      stderr: `${stderr.replaceAll("FILE", file)}\n`,
    });
  });
});
