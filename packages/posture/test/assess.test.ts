import {
  assessGraph,
  Assessment,
  Disruption,
  PostureInputError,
  InvalidPolicyError,
  ResourceGraph,
  UNKNOWN_VALUE,
  validateResiliencyPolicy,
  ALARM_FOR_ANNOTATION,
  ALARM_THRESHOLD_ANNOTATION,
} from "../src";
import { GraphBuilder, labels, replicatedBucket, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");

function assess(graph: ResourceGraph, policy = {}) {
  return assessGraph(graph, policy, { now });
}
function pick(report: ReturnType<typeof assess>, service: string, disruption: Disruption): Assessment {
  const found = report.assessments.find((a) => a.service === service && a.disruption === disruption);
  if (!found) throw new Error(`no assessment for ${service}/${disruption}`);
  return found;
}
const summary = (a: Assessment) => [a.achievableRpoSeconds, a.achievableRtoSeconds, a.status];
/** A PrometheusRule's spec with one alerting rule: what the model credits as a deployed lag alarm. */
const LAG_ALERT = {
  groups: [
    { name: "lag", rules: [{ alert: "StandbyLagging", expr: "standby_lag_seconds > 30", for: "30s" }] },
  ],
};

describe("S3", () => {
  it.each([
    ["with RTC: RPO 900 s, breaching the critical 300 s", { rtc: true }, [900, 1500, "PolicyBreached"]],
    ["without RTC: no bound", { rtc: false }, [null, 1500, "PolicyBreached"]],
    ["without replication: no bound, no recovery path", { replicate: false }, [null, null, "PolicyBreached"]],
    [
      "replicated within its own region: no bound",
      { destinationRegion: "eu-west-1" },
      [null, null, "PolicyBreached"],
    ],
  ])("region, %s", (_title, options, expected) => {
    const g = new GraphBuilder();
    replicatedBucket(g, options);
    expect(summary(pick(assess(g.graph), "orders", "region"))).toEqual(expected);
  });

  it("explains the RTC bound with its source", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const region = pick(assess(g.graph), "orders", "region");
    expect(region.derivation).toEqual([
      "bucket orders-data (eu-west-1): Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).",
      "bucket orders-data (eu-west-1): Delete markers are not replicated: a delete in the source leaves the replica's copy visible.",
      "bucket orders-data (eu-west-1): RPO 900 s.",
      "bucket orders-data (eu-west-1): RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 300 s (point applications at the replica, estimate `s3ReplicaSwitchSeconds`) + propagation 0 s (none) = 1500 s.",
      "Service RPO is the worst component's: 15m (bucket orders-data (eu-west-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: 25m (bucket orders-data (eu-west-1)).",
      "RPO 15m exceeds the critical target of 5m.",
    ]);
    expect(region.sources.map((s) => s.id)).toEqual(["s3-replication-rtc", "s3-delete-markers"]);
    expect(region.sources[0]!.text).toBe(
      "S3 Replication Time Control: 99.99 % of objects replicated within 900 s (15 minutes), backed by an SLA.",
    );
    expect(region.rtoTerms?.action).toEqual({
      seconds: 300,
      why: "point applications at the replica, estimate `s3ReplicaSwitchSeconds`",
    });
  });

  it.each([
    ["versioned: RPO 0, restore of versions within an hour", true, [0, 3000, "PolicyMet"]],
    ["unversioned: nothing bounds the loss", false, [null, null, "PolicyBreached"]],
  ])("software, %s", (_t, versioned, expected) => {
    const g = new GraphBuilder();
    replicatedBucket(g, { versioned });
    expect(summary(pick(assess(g.graph), "orders", "software"))).toEqual(expected);
  });

  it("hardware and zone are absorbed by S3", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const report = assess(g.graph);
    expect(summary(pick(report, "orders", "hardware"))).toEqual([0, 0, "PolicyMet"]);
    expect(summary(pick(report, "orders", "zone"))).toEqual([0, 0, "PolicyMet"]);
  });
});

describe("Route 53", () => {
  function dns(
    g: GraphBuilder,
    check: Record<string, unknown> | undefined,
    record: Record<string, unknown> = {},
  ) {
    const hc = check
      ? g.add("aws:route53/healthCheck:HealthCheck", "api-primary-check", check as never)
      : undefined;
    g.add(
      "aws:route53/record:Record",
      "api-primary",
      {
        name: "api.example.com",
        type: "A",
        ttl: 60,
        setIdentifier: "primary",
        failoverRoutingPolicies: [{ type: "PRIMARY" }],
        tags: tags("api"),
        ...record,
      } as never,
      { deps: hc ? { healthCheckId: [hc] } : {} },
    );
    g.add("aws:route53/record:Record", "api-secondary", {
      name: "api.example.com",
      type: "A",
      ttl: 60,
      setIdentifier: "secondary",
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
      tags: tags("api"),
    });
  }

  it.each([
    [
      "30 s × 10 checks with TTL 3600: 300 + 3600 s",
      { type: "HTTPS", requestInterval: 30, failureThreshold: 10 },
      { ttl: 3600 },
      [0, 3900, "PolicyBreached"],
    ],
    [
      "10 s × 3 checks with TTL 60: 30 + 60 s",
      { type: "HTTPS", requestInterval: 10, failureThreshold: 3 },
      {},
      [0, 90, "PolicyMet"],
    ],
    ["no health check: an operator's control-plane change", undefined, {}, [0, 1320, "PolicyMet"]],
    [
      "ARC routing control: a data-plane flip after a decision",
      { type: "RECOVERY_CONTROL", routingControlArn: "arn:x" },
      {},
      [0, 1290, "PolicyMet"],
    ],
  ])("region, %s", (_t, check, record, expected) => {
    const g = new GraphBuilder();
    dns(g, check, record);
    expect(summary(pick(assess(g.graph), "api", "region"))).toEqual(expected);
  });

  it("names the detection and propagation terms", () => {
    const g = new GraphBuilder();
    dns(g, { type: "HTTPS", requestInterval: 30, failureThreshold: 10 }, { ttl: 3600 });
    const region = pick(assess(g.graph), "api", "region");
    expect(region.rtoTerms).toEqual({
      detection: { seconds: 300, why: "health check 30 s × 10 failures" },
      decision: { seconds: 0, why: "automatic" },
      action: { seconds: 0, why: "Route 53 answers the other record by itself" },
      propagation: { seconds: 3600, why: "resolvers cache the old answer for the record TTL of 3600 s" },
    });
    expect(region.derivation).toContain("RTO 1h 5m exceeds the critical target of 1h.");
  });

  it("models a record set whose records the failover stack owns, from the component and its checks", () => {
    const g = new GraphBuilder();
    const component = g.add("drkit:index:Route53Failover", "api", {
      service: "api",
      tier: "critical",
      routingMode: "weighted",
      manageRecords: false,
      ttlSeconds: 60,
      recordAlias: true,
      fqdn: "api.example.com",
    });
    for (const side of ["primary", "secondary"]) {
      g.add(
        "aws:route53/healthCheck:HealthCheck",
        `api-${side}`,
        { type: "HTTPS", requestInterval: 10, failureThreshold: 3 },
        { parent: component },
      );
    }
    const region = pick(assess(g.graph), "api", "region");
    expect(summary(region)).toEqual([0, 90, "PolicyMet"]);
    expect(region.derivation[0]).toBe(
      "DNS api.example.com (weighted, records owned by the failover stack): Weighted records with health checks skip the unhealthy region on their own (data plane), after 10 s × 3 = 30 s.",
    );
  });

  it("has nothing to say about software disruptions (NotApplicable)", () => {
    const g = new GraphBuilder();
    dns(g, { type: "HTTPS" });
    const software = pick(assess(g.graph), "api", "software");
    expect(software.status).toBe("NotApplicable");
    expect(software.derivation).toEqual([
      "No resource of api is of a kind drkit models for a software disruption (bad deploy, data corruption or accidental deletion).",
    ]);
  });
});

describe("Velero", () => {
  function velero(
    g: GraphBuilder,
    options: { cron?: string; locationRegion?: string; replicated?: boolean; fsBackup?: boolean } = {},
  ) {
    const bucket = g.add(
      "aws:s3/bucket:Bucket",
      "velero-backups",
      { tags: tags("cluster") },
      { region: options.locationRegion ?? "eu-west-1" },
    );
    if (options.replicated) {
      const replica = g.add(
        "aws:s3/bucket:Bucket",
        "velero-backups-replica",
        { tags: tags("cluster") },
        { region: "eu-central-1" },
      );
      g.add(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "velero-replication",
        {
          rules: [
            {
              status: "Enabled",
              destination: { replicationTime: { status: "Enabled", time: { minutes: 15 } } },
            },
          ],
        },
        { deps: { bucket: [bucket], rules: [replica] }, region: "eu-west-1" },
      );
    }
    g.add(
      "kubernetes:velero.io/v1:BackupStorageLocation",
      "primary-location",
      {
        metadata: { name: "primary", labels: labels("cluster", "eu-west-1") },
        spec: {
          objectStorage: { bucket: "velero-backups" },
          config: { region: options.locationRegion ?? "eu-west-1" },
        },
      },
      { deps: { spec: [bucket] } },
    );
    g.add("kubernetes:velero.io/v1:Schedule", "hourly", {
      metadata: { labels: labels("cluster", "eu-west-1") },
      spec: {
        schedule: options.cron ?? "0 * * * *",
        template: {
          storageLocation: "primary",
          ttl: "720h",
          defaultVolumesToFsBackup: options.fsBackup ?? true,
        },
      },
    });
  }

  it("software RPO is the cron's worst-case gap: 0 9,17 * * * → 16 h", () => {
    const g = new GraphBuilder();
    velero(g, { cron: "0 9,17 * * *" });
    expect(summary(pick(assess(g.graph), "cluster", "software"))).toEqual([57_600, 3_000, "PolicyBreached"]);
  });

  it.each([
    ["a location in the cluster's own region, not replicated: no bound", {}, [null, null]],
    [
      "a location in the cluster's region, replicated with RTC: gap + 900 s",
      { replicated: true },
      [4_500, 3_000],
    ],
    ["a location in another region: the gap", { locationRegion: "eu-central-1" }, [3_600, 3_000]],
    [
      "volumes as region-bound snapshots: no bound",
      { locationRegion: "eu-central-1", fsBackup: false },
      [null, null],
    ],
  ])("region, %s", (_t, options, [rpo, rto]) => {
    const g = new GraphBuilder();
    velero(g, options);
    const region = pick(assess(g.graph), "cluster", "region");
    expect([region.achievableRpoSeconds, region.achievableRtoSeconds]).toEqual([rpo, rto]);
  });

  it("says why a location in the cluster's own region does not survive it", () => {
    const g = new GraphBuilder();
    velero(g);
    expect(pick(assess(g.graph), "cluster", "region").derivation.slice(0, 5)).toEqual([
      "Velero schedule hourly (eu-west-1): Backs up every namespace, every resource kind, volume data by file-system backup.",
      'Velero schedule hourly (eu-west-1): Backups run on "0 * * * *": the longest gap between two runs is 3600 s (1h), the data a restore can lose.',
      "Velero schedule hourly (eu-west-1): TTL 30d (2592000 s) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
      'Velero schedule hourly (eu-west-1): Storage location "primary" is in the cluster\'s own region (eu-west-1). Its bucket velero-backups: No enabled replication rule copies it out of eu-west-1: a region loss loses it.',
      "Velero schedule hourly (eu-west-1): Volume data goes into the backup (file-system backup or snapshot data movement), so it can be restored in another region.",
    ]);
  });

  it("fails on a malformed cron, naming resource, field, value and the valid form", () => {
    const g = new GraphBuilder();
    velero(g, { cron: "0 25 * * *" });
    expect(() => assess(g.graph)).toThrow(
      new PostureInputError(
        "urn:pulumi:prod::platform::kubernetes:velero.io/v1:Schedule::hourly",
        "spec.schedule",
        'is invalid cron expression "0 25 * * *": hour value 25 is out of range 0–23; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
      ),
    );
  });
});

describe("Redis", () => {
  function redis(
    g: GraphBuilder,
    options: { spread?: boolean; backupRegion?: string; replicas?: number } = {},
  ) {
    g.add("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication", "cache", {
      metadata: { name: "cache", labels: labels("sessions", "eu-west-1") },
      spec: {
        clusterSize: options.replicas ?? 3,
        topologySpreadConstraints:
          options.spread === false
            ? []
            : [
                {
                  topologyKey: "topology.kubernetes.io/zone",
                  maxSkew: 1,
                  minDomains: 3,
                  whenUnsatisfiable: "DoNotSchedule",
                  labelSelector: { matchLabels: { app: "cache" } },
                },
              ],
      },
    });
    g.add("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel", "cache-sentinel", {
      metadata: { name: "cache-sentinel", labels: labels("sessions", "eu-west-1") },
      spec: {
        clusterSize: 3,
        redisSentinelConfig: { redisReplicationName: "cache" },
        topologySpreadConstraints: [
          {
            topologyKey: "topology.kubernetes.io/zone",
            maxSkew: 1,
            minDomains: 3,
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "cache-sentinel-sentinel" } },
          },
        ],
      },
    });
    // Backups are credited through the bucket the job's inputs are computed from, not its annotation.
    const bucket = g.add(
      "aws:s3/bucket:Bucket",
      "cache-backups",
      { tags: tags("sessions") },
      {
        region: options.backupRegion ?? "eu-central-1",
      },
    );
    g.add(
      "kubernetes:batch/v1:CronJob",
      "cache-backup",
      {
        metadata: {
          labels: labels("sessions", "eu-west-1"),
          annotations: {
            "drkit.dev/backup-of": "cache",
            "drkit.dev/backup-destination-region": options.backupRegion ?? "eu-central-1",
          },
        },
        spec: { schedule: "0 * * * *" },
      },
      { deps: { spec: [bucket] } },
    );
  }

  it("replicas spread over zones with Sentinel: a zone loss costs ~1 s and a minute", () => {
    const g = new GraphBuilder();
    redis(g);
    expect(summary(pick(assess(g.graph), "sessions", "zone"))).toEqual([1, 60, "PolicyMet"]);
    expect(summary(pick(assess(g.graph), "sessions", "hardware"))).toEqual([1, 60, "PolicyMet"]);
  });

  it("replicas that may share one zone fall back to the hourly backup", () => {
    const g = new GraphBuilder();
    redis(g, { spread: false });
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([3_600, 1_800, "PolicyBreached"]);
    expect(zone.derivation[0]).toBe(
      "Redis cache (eu-west-1): 3 replicas, at most 3 in one zone (no hard topology.kubernetes.io/zone spread with minDomains selecting its pods (app=cache): they may share one): a zone loss can take every copy.",
    );
  });

  it.each([
    ["backups in another region: the backup gap", "eu-central-1", [3_600, 1_800]],
    ["backups in the cluster's region: no bound", "eu-west-1", [null, null]],
  ])("region, %s", (_t, backupRegion, expected) => {
    const g = new GraphBuilder();
    redis(g, { backupRegion });
    const region = pick(assess(g.graph), "sessions", "region");
    expect([region.achievableRpoSeconds, region.achievableRtoSeconds]).toEqual(expected);
  });
});

describe("Neon", () => {
  function neon(
    g: GraphBuilder,
    options: {
      history?: number;
      plan?: string;
      standby?: boolean;
      lagAlarm?: number | null;
      deployedAlarmSeconds?: number;
    } = {},
  ) {
    const component = g.add("drkit:index:NeonGeoReplica", "orders-db", {
      service: "orders",
      tier: "critical",
      plan: options.plan ?? "launch",
      primaryRegionId: "aws-eu-central-1",
      standbyRegionId: options.standby === false ? null : "aws-us-east-2",
      replicationLagAlarmSeconds: options.lagAlarm === undefined ? 60 : options.lagAlarm,
    });
    g.add(
      "neon:index/project:Project",
      "orders-db-primary",
      {
        regionId: "aws-eu-central-1",
        historyRetentionSeconds: options.history ?? 604_800,
        enableLogicalReplication: "yes",
      },
      { parent: component },
    );
    if (options.standby !== false) {
      g.add(
        "neon:index/project:Project",
        "orders-db-standby",
        { regionId: "aws-us-east-2", historyRetentionSeconds: 86_400 },
        { parent: component },
      );
    }
    if (options.deployedAlarmSeconds !== undefined) {
      g.add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "orders-db-lag", {
        metadata: {
          labels: labels("orders", "eu-west-1"),
          annotations: {
            [ALARM_FOR_ANNOTATION]: "orders-db-primary",
            [ALARM_THRESHOLD_ANNOTATION]: String(options.deployedAlarmSeconds),
          },
        },
        spec: LAG_ALERT,
      });
    }
  }

  it("groups the projects under their component's service", () => {
    const g = new GraphBuilder();
    neon(g);
    const resources = [
      "urn:pulumi:prod::platform::drkit:index:NeonGeoReplica::orders-db",
      "urn:pulumi:prod::platform::neon:index/project:Project::orders-db-primary",
      "urn:pulumi:prod::platform::neon:index/project:Project::orders-db-standby",
    ];
    expect(assess(g.graph).services).toEqual([
      {
        name: "orders",
        tier: "critical",
        declaredTiers: ["critical"],
        resources,
        assessed: resources,
        notAssessed: [],
        stateless: [],
      },
    ]);
  });

  it("software: PITR inside the window, but without an off-platform backup the project's loss bounds nothing", () => {
    // A bad write is undone within the window (RPO 0), but the loss of the project itself takes the history
    // window with it: only a NeonBackup bounds that (neonBackup.test.ts).
    const g = new GraphBuilder();
    neon(g);
    expect(summary(pick(assess(g.graph), "orders", "software"))).toEqual([null, null, "PolicyBreached"]);
  });

  it("history retention above the plan limit is capped at the limit and said so", () => {
    const g = new GraphBuilder();
    neon(g, { history: 2_592_000, plan: "launch" });
    expect(pick(assess(g.graph), "orders", "software").derivation.slice(0, 2)).toEqual([
      "Neon orders-db-primary (aws-eu-central-1): The history window is 2592000 s.",
      "Neon orders-db-primary (aws-eu-central-1): That exceeds the launch plan's limit of 604800 s: Neon refuses it, so the model counts 604800 s.",
    ]);
  });

  it.each([
    ["a standby whose 60 s lag alarm is deployed", { deployedAlarmSeconds: 60 }, [60, 1_800, "PolicyMet"]],
    [
      "a standby whose lag alarm nothing deploys: no bound",
      { lagAlarm: 60 },
      [null, 1_800, "PolicyBreached"],
    ],
    ["a standby without a lag alarm: no bound", { lagAlarm: null }, [null, 1_800, "PolicyBreached"]],
    ["no standby: no bound, no recovery path", { standby: false }, [null, null, "PolicyBreached"]],
  ])("region, %s", (_t, options, expected) => {
    const g = new GraphBuilder();
    neon(g, options);
    expect(summary(pick(assess(g.graph), "orders", "region"))).toEqual(expected);
  });

  it("hardware and zone come from Neon's own HA", () => {
    const g = new GraphBuilder();
    neon(g);
    expect(summary(pick(assess(g.graph), "orders", "hardware"))).toEqual([0, 120, "PolicyMet"]);
    expect(summary(pick(assess(g.graph), "orders", "zone"))).toEqual([0, 600, "PolicyMet"]);
  });
});

describe("combining, targets and waivers", () => {
  it("takes the worst RPO and the slowest RTO across components", () => {
    const g = new GraphBuilder();
    replicatedBucket(g, { rtc: true });
    const component = g.add("drkit:index:NeonGeoReplica", "orders-db", {
      service: "orders",
      tier: "critical",
      plan: "launch",
      primaryRegionId: "aws-eu-central-1",
      standbyRegionId: "aws-us-east-2",
      replicationLagAlarmSeconds: 60,
    });
    g.add(
      "neon:index/project:Project",
      "orders-db-primary",
      { regionId: "aws-eu-central-1", enableLogicalReplication: "yes" },
      { parent: component },
    );
    g.add(
      "neon:index/project:Project",
      "orders-db-standby",
      { regionId: "aws-us-east-2" },
      { parent: component },
    );
    g.add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "orders-db-lag", {
      metadata: {
        annotations: { [ALARM_FOR_ANNOTATION]: "orders-db-primary", [ALARM_THRESHOLD_ANNOTATION]: "60" },
      },
      spec: LAG_ALERT,
    });
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([900, 1_800, "PolicyBreached"]);
    expect(region.derivation.slice(-3)).toEqual([
      "Service RPO is the worst component's: 15m (bucket orders-data (eu-west-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: 30m (Neon orders-db-primary (aws-eu-central-1)).",
      "RPO 15m exceeds the critical target of 5m.",
    ]);
  });

  it("a valid waiver turns the breach into Waived, still showing it", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const waiver = {
      service: "orders",
      disruption: "region",
      owner: "platform-team",
      reason: "S3 RTC bounds replication at 15 min (SLA)",
      expires: "2027-03-31",
    };
    const report = assess(g.graph, { waivers: [waiver] });
    const region = pick(report, "orders", "region");
    expect(summary(region)).toEqual([900, 1500, "Waived"]);
    expect(region.waivers).toEqual([waiver]);
    expect(region.derivation.slice(-2)).toEqual([
      "RPO 15m exceeds the critical target of 5m.",
      "The shortfall of bucket orders-data (eu-west-1): waived until 2027-03-31 by platform-team: S3 RTC bounds replication at 15 min (SLA)",
    ]);
    expect(report.waivers).toEqual([{ waiver, state: "applied", problems: [] }]);
    expect(report.breached).toBe(false);
  });

  it("an expired waiver is not applied, and is reported", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const waiver = { service: "orders", owner: "platform-team", reason: "temporary", expires: "2026-11-22" };
    const report = assess(g.graph, { waivers: [waiver] });
    expect(pick(report, "orders", "region").status).toBe("PolicyBreached");
    expect(report.waivers).toEqual([
      {
        waiver,
        state: "expired",
        problems: ["expired on 2026-11-22: not applied; renew it or fix the breach"],
      },
    ]);
    expect(report.breached).toBe(true);
  });

  it("a waiver is valid through its last day (UTC)", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const waiver = { service: "orders", owner: "o", reason: "r", expires: "2026-11-23" };
    expect(pick(assess(g.graph, { waivers: [waiver] }), "orders", "region").status).toBe("Waived");
  });

  it("a malformed waiver is not applied, and says what is wrong", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    const report = assess(g.graph, {
      waivers: [{ service: "orders", disruption: "meteor", expires: "2027-02-30" }],
    });
    expect(pick(report, "orders", "region").status).toBe("PolicyBreached");
    expect(report.waivers[0]).toMatchObject({
      state: "malformed",
      problems: [
        "`owner` is required (got null)",
        "`reason` is required (got null)",
        '`disruption` must be one of software, hardware, zone, region or omitted (got "meteor")',
        '`expires` must be a real calendar date YYYY-MM-DD (got "2027-02-30")',
      ],
    });
  });

  it("a tier the policy does not know gives MissingPolicy, with the achievable values still shown", () => {
    const g = new GraphBuilder();
    g.add("aws:s3/bucket:Bucket", "logs", { tags: tags("logs", "gold") }, { region: "eu-west-1" });
    const region = pick(assess(g.graph), "logs", "region");
    expect(summary(region)).toEqual([null, null, "MissingPolicy"]);
    expect(region.derivation).toContain(
      'logs declares tier "gold", which the policy does not define (tiers: critical, important, standard), so its region disruption is not judged: correct the tier, or define it under `tiers` in the policy config.',
    );
  });

  it("an unknown property in preview gives UnknownUntilDeploy naming it", () => {
    const g = new GraphBuilder();
    const source = g.add(
      "aws:s3/bucket:Bucket",
      "orders-data",
      { tags: tags("orders") },
      { region: "eu-west-1" },
    );
    g.add(
      "aws:s3/bucketVersioning:BucketVersioning",
      "orders-data-versioning",
      { versioningConfiguration: { status: UNKNOWN_VALUE } },
      { region: "eu-west-1", deps: { bucket: [source] } },
    );
    const software = pick(assess(g.graph), "orders", "software");
    expect(software.status).toBe("UnknownUntilDeploy");
    expect(software.unknownProperties).toEqual([
      "urn:pulumi:prod::platform::aws:s3/bucketVersioning:BucketVersioning::orders-data-versioning versioningConfiguration.status",
    ]);
    expect(software.derivation).toContain(
      "bucket orders-data (eu-west-1): cannot be estimated until deploy: urn:pulumi:prod::platform::aws:s3/bucketVersioning:BucketVersioning::orders-data-versioning versioningConfiguration.status unknown during preview.",
    );
  });

  it("a known breach is not hidden by another component's unknown", () => {
    const g = new GraphBuilder();
    replicatedBucket(g, { rtc: false });
    g.add("kubernetes:velero.io/v1:Schedule", "backups", {
      metadata: { labels: labels("orders", "eu-west-1") },
      spec: { schedule: UNKNOWN_VALUE },
    });
    expect(pick(assess(g.graph), "orders", "region").status).toBe("PolicyBreached");
  });
});

describe("the policy", () => {
  it("lists every problem: negative target, tier with no targets, unknown disruption and estimate", () => {
    expect(
      validateResiliencyPolicy({
        tiers: {
          critical: { region: { rpoSeconds: -1, rtoSeconds: 3600 } },
          gold: {},
          silver: { meteor: { rpoSeconds: 1, rtoSeconds: 1 } },
        } as never,
        estimates: { operatorDecisionSeconds: -5, coffeeSeconds: 1 } as never,
      }),
    ).toEqual([
      "`tiers.critical.region.rpoSeconds` must be a number of seconds ≥ 0 (got -1)",
      'tier "gold" has no targets: give at least one of software, hardware, zone, region as { rpoSeconds, rtoSeconds }, or remove the tier',
      '`tiers.silver.meteor`: unknown disruption "meteor" (use software, hardware, zone, region)',
      "`estimates.operatorDecisionSeconds` must be a number of seconds ≥ 0 (got -5)",
      expect.stringMatching(
        /^`estimates.coffeeSeconds` is not an estimate drkit knows \(known: incidentDetectionSeconds, /,
      ),
    ]);
  });

  it("refuses to assess with an invalid policy", () => {
    expect(() => assess(new GraphBuilder().graph, { tiers: { gold: {} } })).toThrow(InvalidPolicyError);
  });

  it("overrides estimates: a 5-minute decision brings S3 region RTO to 15 minutes", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    expect(
      pick(assess(g.graph, { estimates: { operatorDecisionSeconds: 300 } }), "orders", "region")
        .achievableRtoSeconds,
    ).toBe(900);
  });
});
