// The pack's opt-in remediations, through the Analyzer interface as the engine calls it: Remediate (which
// runs only policies the config sets to `remediate`), then Analyze on what it returned, then
// AnalyzeStack on the stack as it would be deployed. `changes` is the whole difference between the
// properties the engine sent and those the pack returned, so each test pins exactly what was touched.
import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as route53 from "@pulumi/aws/route53";
import * as iam from "@pulumi/aws/iam";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Project } from "@sst-provider/neon";
import { NeonGeoReplica } from "@drkit/components";
import { remediatedRun, PolicyPackConfigFile, SECRET_SIG, SPECIAL_SIG_KEY } from "@drkit/cli/harness";
import { usePack, check } from "./packHarness";

const pack = usePack();

const TTL = "drkit-aws-route53-record-configure-ttl";
const DETECTION = "drkit-aws-route53-health-check-configure-detection";
const RTC = "drkit-aws-s3-replication-enable-rtc";
const HISTORY = "drkit-neon-project-configure-history-retention";

const failoverRecord =
  (changes: Partial<route53.RecordArgs> = {}) =>
  () =>
    new route53.Record("api-primary", {
      zoneId: "Z123",
      name: "api.example.com",
      type: "CNAME",
      ttl: 3600,
      records: ["primary.example.com"],
      setIdentifier: "primary",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      ...changes,
    });

const healthCheck =
  (changes: Partial<route53.HealthCheckArgs> = {}) =>
  () =>
    new route53.HealthCheck("primary-check", {
      type: "HTTPS",
      fqdn: "primary.example.com",
      port: 443,
      resourcePath: "/healthz",
      requestInterval: 30,
      failureThreshold: 10,
      ...changes,
    });

/** A V2 rule (it has a `filter`) replicating to `replica`, with `destination` extended by `changes`. */
const replication =
  (destination: Record<string, unknown>, changes: Record<string, unknown> = {}) =>
  () =>
    new s3.BucketReplicationConfig("data-replication", {
      bucket: "data",
      role: "arn:aws:iam::1:role/r",
      rules: [
        {
          id: "to-secondary",
          status: "Enabled",
          filter: {},
          deleteMarkerReplication: { status: "Disabled" },
          destination: { bucket: "arn:aws:s3:::replica", ...destination },
          ...changes,
        } as never,
      ],
    });
const RTC_ON = { status: "Enabled", time: { minutes: 15 } };
const METRICS_ON = { status: "Enabled", eventThreshold: { minutes: 15 } };

const neonProject = (historyRetentionSeconds: number) => () =>
  new Project("orders-db", { regionId: "aws-eu-central-1", historyRetentionSeconds });

/** Runs `program` with `config`: the remediations as [policy, changes] and the violations of `policy`. */
async function remediate(
  program: () => unknown,
  policy: string,
  config: PolicyPackConfigFile,
  preview = false,
) {
  const { run, report, violations } = await check(pack(), program, policy, { config, preview });
  return { run, report, violations, remediations: report.remediations.map((r) => [r.policyName, r.changes]) };
}

describe(`${TTL} remediation`, () => {
  it("sets the TTL to the budget, and nothing else, when the policy is set to remediate", async () => {
    const { remediations, violations } = await remediate(failoverRecord(), TTL, { [TTL]: "remediate" });
    expect(remediations).toEqual([[TTL, [{ path: ["ttl"], before: 3600, after: 60 }]]]);
    expect(violations).toEqual([]);
  });

  it("sets the TTL to the configured budget", async () => {
    const config = { [TTL]: { enforcementLevel: "remediate", maximumTtlSeconds: 30 } };
    const { remediations } = await remediate(failoverRecord(), TTL, config);
    expect(remediations).toEqual([[TTL, [{ path: ["ttl"], before: 3600, after: 30 }]]]);
  });

  it("sets a missing TTL on a record that has values", async () => {
    const { remediations, violations } = await remediate(failoverRecord({ ttl: undefined }), TTL, {
      [TTL]: "remediate",
    });
    expect(remediations).toEqual([[TTL, [{ path: ["ttl"], after: 60 }]]]);
    expect(violations).toEqual([]);
  });

  it("keeps the record's secret values secret in what it deploys", async () => {
    const program = failoverRecord({ records: pulumi.secret(["primary.example.com"]) });
    const { run, report, remediations } = await remediate(program, TTL, { [TTL]: "remediate" });
    expect(remediations).toEqual([[TTL, [{ path: ["ttl"], before: 3600, after: 60 }]]]);
    const record = remediatedRun(run, report).ofType("aws:route53/record:Record")[0]!;
    expect([record.inputs.ttl, record.inputs.records]).toEqual([
      60,
      { [SPECIAL_SIG_KEY]: SECRET_SIG, value: ["primary.example.com"] },
    ]);
  });

  it.each(["advisory", "mandatory"] as const)("does not remediate at %s: it reports", async (level) => {
    const { remediations, violations } = await remediate(failoverRecord(), TTL, { [TTL]: level });
    expect(remediations).toEqual([]);
    expect(violations).toEqual([
      [
        level,
        "record api-primary has TTL 3600 s: resolvers may keep sending clients to a failed endpoint that long. The budget is 60 s.",
      ],
    ]);
  });

  it("fails closed (mandatory) when the TTL is unknown in preview: nothing to fix, nothing passed", async () => {
    const program = () => {
      const bucket = new s3.Bucket("data");
      failoverRecord({ ttl: bucket.id.apply(() => 3600) })();
    };
    const { remediations, violations } = await remediate(program, TTL, { [TTL]: "remediate" }, true);
    expect(remediations).toEqual([]);
    expect(violations).toEqual([
      [
        "mandatory",
        "record api-primary: cannot be checked until deploy, because `ttl` is unknown during preview. Make the value a plain input, or run the check again after `pulumi up`.",
      ],
    ]);
  });
});

describe(`${DETECTION} remediation`, () => {
  it("lowers the failure threshold to the largest that fits the budget (30 s × 3 = 90 s)", async () => {
    const { remediations, violations } = await remediate(healthCheck(), DETECTION, {
      [DETECTION]: "remediate",
    });
    expect(remediations).toEqual([[DETECTION, [{ path: ["failureThreshold"], before: 10, after: 3 }]]]);
    expect(violations).toEqual([]);
  });

  it("sets the threshold when it was left to Route 53's default of 3", async () => {
    const config = { [DETECTION]: { enforcementLevel: "remediate", maximumDetectionSeconds: 60 } };
    const { remediations } = await remediate(healthCheck({ failureThreshold: undefined }), DETECTION, config);
    expect(remediations).toEqual([[DETECTION, [{ path: ["failureThreshold"], after: 2 }]]]);
  });

  it("never changes the request interval (it replaces the check): a budget below one interval stays a violation", async () => {
    const config = { [DETECTION]: { enforcementLevel: "remediate", maximumDetectionSeconds: 20 } };
    const { remediations, violations } = await remediate(healthCheck(), DETECTION, config);
    expect(remediations).toEqual([]);
    expect(violations).toEqual([
      [
        "mandatory",
        "health check primary-check detects failure after 30 s × 10 = 300 s; the budget is 20 s. Lower `requestInterval` (10 or 30) or `failureThreshold` (1–10).",
      ],
    ]);
  });

  it("does not remediate at advisory", async () => {
    const { remediations, violations } = await remediate(healthCheck(), DETECTION, {});
    expect(remediations).toEqual([]);
    expect(violations.map(([level]) => level)).toEqual(["advisory"]);
  });
});

describe(`${RTC} remediation`, () => {
  it("turns Replication Time Control on, and only that, when metrics are already complete", async () => {
    const { remediations, violations } = await remediate(replication({ metrics: METRICS_ON }), RTC, {
      [RTC]: "remediate",
    });
    expect(remediations).toEqual([
      [RTC, [{ path: ["rules", 0, "destination", "replicationTime"], after: RTC_ON }]],
    ]);
    expect(violations).toEqual([]);
  });

  it("turns on RTC and the metrics it requires", async () => {
    const { remediations, violations } = await remediate(replication({}), RTC, { [RTC]: "remediate" });
    expect(remediations).toEqual([
      [
        RTC,
        [
          { path: ["rules", 0, "destination", "metrics"], after: METRICS_ON },
          { path: ["rules", 0, "destination", "replicationTime"], after: RTC_ON },
        ],
      ],
    ]);
    expect(violations).toEqual([]);
  });

  it("completes metrics that are on without the 15-minute event threshold RTC requires", async () => {
    const { remediations } = await remediate(replication({ metrics: { status: "Enabled" } }), RTC, {
      [RTC]: "remediate",
    });
    expect(remediations).toEqual([
      [
        RTC,
        [
          { path: ["rules", 0, "destination", "metrics", "eventThreshold"], after: { minutes: 15 } },
          { path: ["rules", 0, "destination", "replicationTime"], after: RTC_ON },
        ],
      ],
    ]);
  });

  it("leaves a V1 rule (no filter) alone: making it V2 would change delete-marker replication", async () => {
    const program = replication({}, { filter: undefined, deleteMarkerReplication: undefined, prefix: "" });
    const { remediations, violations } = await remediate(program, RTC, { [RTC]: "remediate" });
    expect(remediations).toEqual([]);
    expect(violations.map(([level]) => level)).toEqual(["mandatory", "mandatory"]);
  });

  it("does not remediate at mandatory", async () => {
    const { remediations, violations } = await remediate(replication({}), RTC, { [RTC]: "mandatory" });
    expect(remediations).toEqual([]);
    expect(violations.map(([level]) => level)).toEqual(["mandatory", "mandatory"]);
  });

  it("fails closed when the rules are unknown in preview, instead of finding no rule to check", async () => {
    const program = () => {
      const bucket = new s3.Bucket("data");
      new s3.BucketReplicationConfig("data-replication", {
        bucket: "data",
        role: "arn:aws:iam::1:role/r",
        rules: bucket.id.apply(() => []),
      });
    };
    const { remediations, violations } = await remediate(program, RTC, { [RTC]: "remediate" }, true);
    expect(remediations).toEqual([]);
    expect(violations).toEqual([
      [
        "mandatory",
        "data-replication: cannot be checked until deploy, because `rules` is unknown during preview. Make the value a plain input, or run the check again after `pulumi up`.",
      ],
    ]);
  });
});

describe(`${HISTORY} remediation`, () => {
  it("raises a short history window to the minimum", async () => {
    const { remediations, violations } = await remediate(neonProject(3_600), HISTORY, {
      [HISTORY]: "remediate",
    });
    expect(remediations).toEqual([
      [HISTORY, [{ path: ["historyRetentionSeconds"], before: 3_600, after: 86_400 }]],
    ]);
    expect(violations).toEqual([]);
  });

  it("never shortens a window above the plan's limit", async () => {
    const { remediations, violations } = await remediate(neonProject(2_592_000), HISTORY, {
      [HISTORY]: "remediate",
    });
    expect(remediations).toEqual([]);
    expect(violations).toEqual([
      [
        "mandatory",
        "Neon project orders-db asks for 2592000 s of history; the launch plan allows at most 604800 s. Lower `historyRetentionSeconds` or change plan.",
      ],
    ]);
  });

  it("does not raise the window past what the plan allows", async () => {
    const config = { [HISTORY]: { enforcementLevel: "remediate", plan: "free" } };
    const { remediations, violations } = await remediate(neonProject(3_600), HISTORY, config);
    expect(remediations).toEqual([]);
    expect(violations.map(([level]) => level)).toEqual(["mandatory"]);
  });

  it("gives the stack policies the raised window: a bad write is undone in time", async () => {
    const program = () =>
      new NeonGeoReplica("orders-db", {
        service: "orders",
        tier: "critical",
        plan: "launch",
        primaryRegionId: "aws-eu-central-1",
        standbyRegionId: "aws-eu-west-2",
        database: "orders",
        historyRetentionSeconds: 3_600,
      });
    // Noticing a bad write takes 2 h: a 1 h window is gone by then, a 1 day window is not.
    const estimates = { estimates: { incidentDetectionSeconds: 7_200 } };
    // The headline and the bad-write case (the project's own loss stays unbounded without a NeonBackup).
    const software = (violations: [string, string][]) =>
      violations
        .find(([, message]) => message.startsWith("orders (critical), software"))?.[1]
        .split("\n")
        .filter((line, i) => i < 2 || line.includes("bad write"));

    const before = await remediate(program, "drkit-rpo-rto", { "drkit-rpo-rto": estimates });
    expect(software(before.violations)).toEqual([
      "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 5m; RTO no bound > target 1h.",
      "  - Neon orders-db-primary (aws-eu-central-1): The history window is 3600 s.",
      "  - Neon orders-db-primary (aws-eu-central-1): The window (3600 s) is shorter than the time to notice a bad write (7200 s, estimate `incidentDetectionSeconds`): the restore point is gone before anyone asks for it; only an off-platform backup reaches further back.",
    ]);
    const after = await remediate(program, "drkit-rpo-rto", {
      "drkit-rpo-rto": estimates,
      [HISTORY]: "remediate",
    });
    expect(after.remediations.map(([policy]) => policy)).toEqual([HISTORY, HISTORY]);
    expect(software(after.violations)).toEqual([
      "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 5m; RTO no bound > target 1h.",
      "  - Neon orders-db-primary (aws-eu-central-1): The history window is 86400 s.",
      "  - Neon orders-db-primary (aws-eu-central-1): A bad write noticed within 86400 s is undone by restoring to just before it: RPO 0 s.",
    ]);
  });
});

describe("policies without a safe fix", () => {
  /** One resource breaking each resource policy that has no remediation, and one breaking the Velero rule. */
  const unsafe = () => {
    new s3.BucketObjectLockConfiguration("data-lock", {
      bucket: "data",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } },
    });
    new iam.RolePolicy("replication", {
      role: "replication-role",
      policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
    });
    new CustomResource("cache", {
      apiVersion: "redis.redis.opstreelabs.in/v1beta2",
      kind: "RedisReplication",
      metadata: { name: "cache" },
      spec: { clusterSize: 1 },
    });
    const bucket = new s3.Bucket("velero-backups", { objectLockEnabled: true });
    new CustomResource("primary-location", {
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      metadata: { name: "primary", namespace: "velero" },
      spec: { provider: "aws", objectStorage: { bucket: bucket.bucket } },
    });
  };

  it("never remediate, even with every policy set to remediate: their violations are mandatory", async () => {
    const { report } = await check(pack(), unsafe, "", { config: { all: "remediate" } });
    expect(report.remediations).toEqual([]);
    expect(report.violations.map((v) => `${v.policyName} ${v.enforcementLevel}`).sort()).toEqual([
      "drkit-aws-iam-policy-disallow-wildcard-actions mandatory",
      "drkit-aws-s3-object-lock-configure-retention mandatory",
      "drkit-aws-s3-object-lock-configure-retention mandatory",
      "drkit-kubernetes-redis-replication-spread-across-zones mandatory",
      "drkit-kubernetes-redis-replication-spread-across-zones mandatory",
      "drkit-kubernetes-velero-location-disallow-object-lock mandatory",
    ]);
  });

  it("leave the four remediable policies the only ones that change anything", async () => {
    const program = () => {
      unsafe();
      failoverRecord()();
      healthCheck()();
      replication({})();
      neonProject(3_600)();
    };
    const { report } = await check(pack(), program, "", { config: { all: "remediate" } });
    expect(report.remediations.map((r) => r.policyName).sort()).toEqual(
      [DETECTION, TTL, RTC, HISTORY].sort(),
    );
  });
});
