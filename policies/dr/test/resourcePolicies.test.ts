import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as route53 from "@pulumi/aws/route53";
import * as iam from "@pulumi/aws/iam";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Project } from "@sst-provider/neon";
import { usePack, check } from "./packHarness";

const pack = usePack();

// --- valid-resource factories: each failing case changes one field
type LockArgs = s3.BucketObjectLockConfigurationArgs;
const lockArgs = (rule: LockArgs["rule"]): LockArgs => ({ bucket: "data", rule });
const validLock = { defaultRetention: { mode: "COMPLIANCE", days: 30 } };

const replicationRule = (changes: Record<string, unknown> = {}) => ({
  id: "to-secondary",
  status: "Enabled",
  filter: {},
  deleteMarkerReplication: { status: "Disabled" },
  destination: {
    bucket: "arn:aws:s3:::replica",
    replicationTime: { status: "Enabled", time: { minutes: 15 } },
    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
  },
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
      failureThreshold: 3,
      ...changes,
    });

const failoverRecord =
  (changes: Partial<route53.RecordArgs> = {}) =>
  () =>
    new route53.Record("api-primary", {
      zoneId: "Z123",
      name: "api.example.com",
      type: "CNAME",
      ttl: 60,
      records: ["primary.example.com"],
      setIdentifier: "primary",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      ...changes,
    });

const REPLICATION_ACTIONS = ["s3:GetReplicationConfiguration", "s3:ListBucket"];
const rolePolicy = (actions: string[]) => () =>
  new iam.RolePolicy("replication", {
    role: "replication-role",
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }],
    }),
  });

const redisReplication = (spec: Record<string, unknown>) => () =>
  new CustomResource("cache", {
    apiVersion: "redis.redis.opstreelabs.in/v1beta2",
    kind: "RedisReplication",
    metadata: { name: "cache" },
    spec: {
      clusterSize: 3,
      topologySpreadConstraints: [
        { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" },
      ],
      ...spec,
    },
  });

const neonProject = (historyRetentionSeconds?: number) => () =>
  new Project("orders-db", {
    regionId: "aws-eu-central-1",
    historyRetentionSeconds,
    enableLogicalReplication: "yes",
  });

describe("drkit-aws-s3-object-lock-configure-retention", () => {
  const policy = "drkit-aws-s3-object-lock-configure-retention";
  const lock = (rule: LockArgs["rule"]) => () =>
    new s3.BucketObjectLockConfiguration("data-lock", lockArgs(rule));

  it("passes COMPLIANCE retention of 30 days", async () => {
    expect((await check(pack(), lock(validLock), policy)).violations).toEqual([]);
  });
  it("fails when the mode is GOVERNANCE (not allowed by default)", async () => {
    const { violations } = await check(
      pack(),
      lock({ defaultRetention: { mode: "GOVERNANCE", days: 30 } }),
      policy,
    );
    expect(violations).toEqual([
      ["advisory", 'data-lock uses retention mode "GOVERNANCE"; allowed: COMPLIANCE.'],
    ]);
  });
  it("passes GOVERNANCE when the config allows it", async () => {
    const config = { [policy]: { allowedModes: ["COMPLIANCE", "GOVERNANCE"] } };
    const { violations } = await check(
      pack(),
      lock({ defaultRetention: { mode: "GOVERNANCE", days: 30 } }),
      policy,
      {
        config,
      },
    );
    expect(violations).toEqual([]);
  });
  it("fails when retention is shorter than the minimum", async () => {
    const { violations } = await check(
      pack(),
      lock({ defaultRetention: { mode: "COMPLIANCE", days: 3 } }),
      policy,
    );
    expect(violations).toEqual([["advisory", "data-lock retains objects for 3 days; the minimum is 7."]]);
  });
  it("counts years as 365 days", async () => {
    const { violations } = await check(
      pack(),
      lock({ defaultRetention: { mode: "COMPLIANCE", years: 1 } }),
      policy,
      {
        config: { [policy]: { minimumRetentionDays: 366 } },
      },
    );
    expect(violations).toEqual([["advisory", "data-lock retains objects for 365 days; the minimum is 366."]]);
  });
  it("fails when there is no default retention", async () => {
    const { violations } = await check(pack(), lock(undefined), policy);
    expect(violations).toEqual([
      [
        "advisory",
        "data-lock has no default retention: objects are not locked unless every writer sets retention. Set `rule.defaultRetention` with a mode and days.",
      ],
    ]);
  });
  it("fails closed at its configured level when retention is unknown in preview", async () => {
    const program = () => {
      const bucket = new s3.Bucket("data", { objectLockEnabled: true });
      new s3.BucketObjectLockConfiguration("data-lock", {
        bucket: bucket.id,
        rule: { defaultRetention: { mode: "COMPLIANCE", days: bucket.arn.apply(() => 30) } },
      });
    };
    const { violations, report } = await check(pack(), program, policy, {
      preview: true,
      config: { [policy]: "mandatory" },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        "Object Lock of data-lock: cannot be checked until deploy, because `rule.defaultRetention.days` is unknown during preview. Make the value a plain input, or run the check again after `pulumi up`.",
      ],
    ]);
    expect(report.failed).toBe(true);
  });
});

describe("drkit-aws-s3-replication-enable-rtc", () => {
  const policy = "drkit-aws-s3-replication-enable-rtc";
  const replication = (rule: Record<string, unknown>) => () =>
    new s3.BucketReplicationConfig("data-replication", {
      bucket: "data",
      role: "arn:aws:iam::1:role/r",
      rules: [rule as never],
    });

  it("passes a rule with RTC and metrics", async () => {
    expect((await check(pack(), replication(replicationRule()), policy)).violations).toEqual([]);
  });
  it("fails when RTC is off", async () => {
    const rule = replicationRule({
      destination: {
        bucket: "arn:aws:s3:::replica",
        metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
      },
    });
    expect((await check(pack(), replication(rule), policy)).violations).toEqual([
      [
        "advisory",
        'data-replication rule "to-secondary" has no Replication Time Control: replication lag is unbounded. Set `destination.replicationTime` to { status: "Enabled", time: { minutes: 15 } }.',
      ],
    ]);
  });
  it("fails when metrics are off", async () => {
    const rule = replicationRule({
      destination: {
        bucket: "arn:aws:s3:::replica",
        replicationTime: { status: "Enabled", time: { minutes: 15 } },
      },
    });
    expect((await check(pack(), replication(rule), policy)).violations).toEqual([
      [
        "advisory",
        'data-replication rule "to-secondary" has no replication metrics: RTC requires them, and without them lag cannot be alarmed. Set `destination.metrics` to { status: "Enabled", eventThreshold: { minutes: 15 } }.',
      ],
    ]);
  });
  it("ignores disabled rules", async () => {
    const rule = replicationRule({ status: "Disabled", destination: { bucket: "arn:aws:s3:::replica" } });
    expect((await check(pack(), replication(rule), policy)).violations).toEqual([]);
  });
});

describe("drkit-aws-route53-health-check-configure-detection", () => {
  const policy = "drkit-aws-route53-health-check-configure-detection";
  it("passes 30 s × 3 = 90 s", async () => {
    expect((await check(pack(), healthCheck(), policy)).violations).toEqual([]);
  });
  it("fails when 30 s × 10 exceeds the budget", async () => {
    expect((await check(pack(), healthCheck({ failureThreshold: 10 }), policy)).violations).toEqual([
      [
        "advisory",
        "health check primary-check detects failure after 30 s × 10 = 300 s; the budget is 90 s. Lower `requestInterval` (10 or 30) or `failureThreshold` (1–10).",
      ],
    ]);
  });
  it("is not applicable to checks that probe no endpoint", async () => {
    const { report, violations } = await check(
      pack(),
      () =>
        new route53.HealthCheck("arc", {
          type: "RECOVERY_CONTROL",
          routingControlArn: "arn:aws:route53-recovery-control::1:x",
        }),
      policy,
    );
    expect(violations).toEqual([]);
    expect(report.notApplicable.filter((n) => n.policyName === policy).map((n) => n.reason)).toContain(
      'type "RECOVERY_CONTROL" does not probe an endpoint',
    );
  });
});

describe("drkit-aws-route53-record-configure-ttl", () => {
  const policy = "drkit-aws-route53-record-configure-ttl";
  it("passes TTL 60 on a failover record", async () => {
    expect((await check(pack(), failoverRecord(), policy)).violations).toEqual([]);
  });
  it("fails when the TTL is 3600", async () => {
    expect((await check(pack(), failoverRecord({ ttl: 3600 }), policy)).violations).toEqual([
      [
        "advisory",
        "record api-primary has TTL 3600 s: resolvers may keep sending clients to a failed endpoint that long. The budget is 60 s.",
      ],
    ]);
  });
  it("is not applicable to a simple record", async () => {
    const { violations, report } = await check(
      pack(),
      failoverRecord({ ttl: 3600, setIdentifier: undefined, failoverRoutingPolicies: undefined }),
      policy,
    );
    expect(violations).toEqual([]);
    expect(report.notApplicable.filter((n) => n.policyName === policy).map((n) => n.reason)).toContain(
      "the record has no failover or weighted routing policy",
    );
  });
});

describe("drkit-aws-iam-policy-disallow-wildcard-actions", () => {
  const policy = "drkit-aws-iam-policy-disallow-wildcard-actions";
  it("passes exact actions", async () => {
    expect((await check(pack(), rolePolicy(REPLICATION_ACTIONS), policy)).violations).toEqual([]);
  });
  it("fails when an action is a wildcard", async () => {
    const { violations } = await check(pack(), rolePolicy([...REPLICATION_ACTIONS, "s3:*"]), policy);
    expect(violations).toEqual([
      [
        "advisory",
        'IAM policy replication allows wildcard actions "s3:*": list the exact actions (replication needs s3:GetReplicationConfiguration, s3:ListBucket, s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging, s3:GetObjectRetention, s3:GetObjectLegalHold, s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags).',
      ],
    ]);
  });
  it("fails closed when the document is unknown in preview and the policy is mandatory", async () => {
    const program = () => {
      const bucket = new s3.Bucket("data");
      new iam.RolePolicy("replication", {
        role: "replication-role",
        policy: pulumi.jsonStringify({
          Statement: [{ Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket.arn }],
        }),
      });
    };
    const { violations } = await check(pack(), program, policy, {
      preview: true,
      config: { [policy]: "mandatory" },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        "IAM policy replication: cannot be checked until deploy, because `policy` is unknown during preview. Make the value a plain input, or run the check again after `pulumi up`.",
      ],
    ]);
  });
});

describe("drkit-kubernetes-redis-replication-spread-across-zones", () => {
  const policy = "drkit-kubernetes-redis-replication-spread-across-zones";
  it("passes 3 replicas with a hard zone spread", async () => {
    expect((await check(pack(), redisReplication({}), policy)).violations).toEqual([]);
  });
  it("fails when there are 2 replicas", async () => {
    expect((await check(pack(), redisReplication({ clusterSize: 2 }), policy)).violations).toEqual([
      ["advisory", "RedisReplication cache runs 2 replicas; at least 3 are needed. Set `spec.clusterSize`."],
    ]);
  });
  it("fails when the spread is only preferred (ScheduleAnyway)", async () => {
    const spread = [
      { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "ScheduleAnyway" },
    ];
    expect(
      (await check(pack(), redisReplication({ topologySpreadConstraints: spread }), policy)).violations,
    ).toEqual([
      [
        "advisory",
        'RedisReplication cache does not require a zone spread: add `spec.topologySpreadConstraints` { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }.',
      ],
    ]);
  });
});

describe("drkit-neon-project-configure-history-retention", () => {
  const policy = "drkit-neon-project-configure-history-retention";
  it("passes 7 days on the launch plan", async () => {
    expect((await check(pack(), neonProject(604_800), policy)).violations).toEqual([]);
  });
  it("fails when 30 days exceed the launch plan", async () => {
    expect((await check(pack(), neonProject(2_592_000), policy)).violations).toEqual([
      [
        "advisory",
        "Neon project orders-db asks for 2592000 s of history; the launch plan allows at most 604800 s. Lower `historyRetentionSeconds` or change plan.",
      ],
    ]);
  });
  it("fails when the window is below the minimum", async () => {
    expect((await check(pack(), neonProject(3_600), policy)).violations).toEqual([
      [
        "advisory",
        "Neon project orders-db keeps 3600 s of history; point-in-time restore needs at least 86400 s. Raise `historyRetentionSeconds`.",
      ],
    ]);
  });
  it("uses the provider's one-day default when the window is omitted", async () => {
    expect(
      (await check(pack(), neonProject(undefined), policy, { config: { [policy]: { plan: "free" } } }))
        .violations,
    ).toEqual([
      [
        "advisory",
        "Neon project orders-db asks for 86400 s of history; the free plan allows at most 21600 s. Lower `historyRetentionSeconds` or change plan.",
      ],
    ]);
  });
});

describe("drkit-kubernetes-velero-location-disallow-object-lock", () => {
  const policy = "drkit-kubernetes-velero-location-disallow-object-lock";
  const velero = (locked: boolean) => () => {
    const bucket = new s3.Bucket("velero-backups", { objectLockEnabled: locked });
    new CustomResource("primary-location", {
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      metadata: { name: "primary", namespace: "velero" },
      spec: { provider: "aws", objectStorage: { bucket: bucket.bucket }, config: { region: "eu-west-1" } },
    });
  };
  it("passes a location on an unlocked bucket", async () => {
    expect((await check(pack(), velero(false), policy)).violations).toEqual([]);
  });
  it("fails (mandatory) when the location's bucket has Object Lock, even in preview", async () => {
    const { violations, report } = await check(pack(), velero(true), policy, { preview: true });
    expect(violations).toEqual([
      [
        "mandatory",
        "BackupStorageLocation primary-location stores backups in bucket velero-backups, which has Object Lock: Velero cannot finalize backups there. Give Velero its own versioned, replicated bucket without Object Lock.",
      ],
    ]);
    expect(report.failed).toBe(true);
  });
});
