import * as path from "path";
import * as s3 from "@pulumi/aws/s3";
import {
  runProgram,
  loadPolicyPack,
  runPolicyPack,
  reconcilePolicyConfig,
  remediatedRun,
  LoadedPolicyPack,
  PolicyConfigError,
  UNKNOWN,
} from "@drkit/cli/harness";

const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
const packDir = path.join(__dirname, "fixtures/pack");
let pack: LoadedPolicyPack;

beforeAll(async () => {
  // One PolicyPack per module registry (the SDK exits the process on a second one): one per test file.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the pack is what the CLI does
  pack = await loadPolicyPack(() => require("./fixtures/pack"), packDir);
});
afterAll(() => pack.close());

const base = { project: "app", stack: "dev", config: { "aws:region": "eu-central-1" } };
const lockedBucket =
  (days: number | (() => unknown), withLock = true) =>
  () => {
    const bucket = new s3.Bucket("data", { objectLockEnabled: true });
    if (withLock) {
      new s3.BucketObjectLockConfiguration("data-lock", {
        bucket: bucket.id,
        rule: {
          defaultRetention: {
            mode: "COMPLIANCE",
            days: typeof days === "number" ? days : bucket.arn.apply(() => 7),
          },
        },
      });
    }
  };

describe("the Analyzer driver", () => {
  it("reads the pack's metadata over GetAnalyzerInfo from a loopback server", () => {
    expect(pack.address).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(pack.name).toBe("fixture-pack");
    expect(pack.version).toBe("1.2.3");
    expect(pack.policies.map((p) => [p.name, p.type, p.enforcementLevel])).toEqual([
      ["fixture-lock-minimum-retention", "resource", "mandatory"],
      ["fixture-locked-bucket-has-configuration", "stack", "advisory"],
    ]);
  });

  it("passes a compliant program and marks other resources not applicable through the typed fast path", async () => {
    const run = await runProgram(lockedBucket(30), base);
    const report = await runPolicyPack(pack, run);
    expect(report.violations).toEqual([]);
    expect(report.failed).toBe(false);
    expect(
      report.notApplicable.filter((n) => n.policyName === "fixture-lock-minimum-retention").map((n) => n.urn),
    ).toEqual(run.resources.filter((r) => r.type !== LOCK).map((r) => r.urn));
  });

  it("fails a mandatory resource violation with the pack's exact message", async () => {
    const run = await runProgram(lockedBucket(7), base);
    const report = await runPolicyPack(pack, run);
    expect(report.violations).toEqual([
      {
        phase: "resource",
        policyPackName: "fixture-pack",
        policyPackVersion: "1.2.3",
        policyName: "fixture-lock-minimum-retention",
        description: "Object Lock default retention must be at least `minimumDays` days.",
        message:
          "Object Lock default retention must be at least `minimumDays` days.\nretention is 7 days, minimum is 30",
        enforcementLevel: "mandatory",
        urn: "urn:pulumi:dev::app::aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration::data-lock",
        severity: undefined,
      },
    ]);
    expect(report.failed).toBe(true);
  });

  it("reconciles config like the CLI: schema defaults, overrides, `all`, disabled", async () => {
    const run = await runProgram(lockedBucket(7), base);
    const relaxed = await runPolicyPack(pack, run, {
      config: { "fixture-lock-minimum-retention": { minimumDays: 5 } },
    });
    expect(relaxed.violations).toEqual([]);
    expect(relaxed.config["fixture-lock-minimum-retention"]).toEqual({
      enforcementLevel: "mandatory",
      properties: { minimumDays: 5 },
    });
    const advisory = await runPolicyPack(pack, run, { config: { all: "advisory" } });
    expect(advisory.violations.map((v) => [v.policyName, v.enforcementLevel])).toEqual([
      ["fixture-lock-minimum-retention", "advisory"],
    ]);
    expect(advisory.failed).toBe(false);
    const disabled = await runPolicyPack(pack, run, {
      config: { "fixture-lock-minimum-retention": "disabled" },
    });
    expect(disabled.violations).toEqual([]);
  });

  it("refuses config its policy's schema rejects, naming the policy and field", () => {
    expect(() =>
      reconcilePolicyConfig(pack, { "fixture-lock-minimum-retention": { minimumDays: "five" } }),
    ).toThrow(
      new PolicyConfigError([
        'fixture-lock-minimum-retention: `minimumDays` must be a whole number ≥ 1 (got "five"): omit it to use 30',
      ]),
    );
    expect(() => reconcilePolicyConfig(pack, { all: "strict" as never })).toThrow(
      'policy pack configuration is invalid:\n  - all: the level must be one of "advisory", "mandatory", "disabled", "remediate" (got "strict"): choose one of them',
    );
  });

  it("ignores policy names the pack does not have, as the engine does, and reports them", async () => {
    const run = await runProgram(lockedBucket(30), base);
    const report = await runPolicyPack(pack, run, { config: { "fixture-typo": "disabled" } });
    expect(report.ignoredPolicyNames).toEqual(["fixture-typo"]);
    expect(report.violations).toEqual([]);
  });

  it("runs remediation before analysis, like the engine", async () => {
    const run = await runProgram(lockedBucket(7), base);
    const report = await runPolicyPack(pack, run, {
      config: { "fixture-lock-minimum-retention": "remediate" },
    });
    expect(report.remediations.map((r) => [r.policyName, r.changes])).toEqual([
      [
        "fixture-lock-minimum-retention",
        [{ path: ["rule", "defaultRetention", "days"], before: 7, after: 30 }],
      ],
    ]);
    expect(report.violations).toEqual([]);
    // The stack policies judged the deployed (remediated) resource; remediatedRun shows it.
    const lock = remediatedRun(run, report).ofType(LOCK)[0]!;
    expect([lock.inputs.rule, lock.outputs.rule]).toEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
      { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
    ]);
    expect(
      (run.ofType(LOCK)[0]!.outputs.rule as { defaultRetention: { days: number } }).defaultRetention.days,
    ).toBe(7);
  });

  it("gives stack policies outputs and property dependencies", async () => {
    const run = await runProgram(lockedBucket(30, false), base);
    const report = await runPolicyPack(pack, run);
    expect(report.violations.map((v) => [v.phase, v.policyName, v.urn, v.message])).toEqual([
      [
        "stack",
        "fixture-locked-bucket-has-configuration",
        "urn:pulumi:dev::app::aws:s3/bucket:Bucket::data",
        "A bucket with Object Lock enabled needs a BucketObjectLockConfiguration.\nbucket data has no lock configuration",
      ],
    ]);
  });

  it("in preview, a policy that reads an unknown value says it cannot run, as an advisory", async () => {
    const run = await runProgram(
      lockedBucket(() => 7),
      { ...base, preview: true },
    );
    expect(
      (run.ofType(LOCK)[0]!.inputs.rule as { defaultRetention: { days: string } }).defaultRetention.days,
    ).toBe(UNKNOWN);
    const report = await runPolicyPack(pack, run);
    expect(report.violations.map((v) => [v.policyName, v.enforcementLevel, v.message])).toEqual([
      [
        "fixture-lock-minimum-retention",
        "advisory",
        "can't run policy 'fixture-lock-minimum-retention' from policy pack 'fixture-pack@v1.2.3' during preview: string value at .rule.defaultRetention.days can't be known during preview",
      ],
    ]);
    expect(report.failed).toBe(false);
  });
});
