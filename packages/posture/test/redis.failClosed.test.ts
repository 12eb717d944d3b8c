// Redis fails closed: automatic failover needs a Sentinel quorum that survives, backups count only from a
// deployed bucket and only while they are kept, and every instance of a service is assessed and named.
import { assessGraph, Assessment, Disruption, JsonObject, ResourceGraph } from "../src";
import { GraphBuilder, labels, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const assess = (graph: ResourceGraph, policy = {}) => assessGraph(graph, policy, { now });
function pick(report: ReturnType<typeof assess>, service: string, disruption: Disruption): Assessment {
  const found = report.assessments.find((a) => a.service === service && a.disruption === disruption);
  if (!found) throw new Error(`no assessment for ${service}/${disruption}`);
  return found;
}
const summary = (a: Assessment) => [a.achievableRpoSeconds, a.achievableRtoSeconds, a.status];

const ZONE = "topology.kubernetes.io/zone";
const HOST = "kubernetes.io/hostname";
/** A hard spread of the pods labelled `app` (the operator labels a RedisSentinel `x`'s pods `app: x-sentinel`). */
const spread = (
  topologyKey: string,
  minDomains?: number,
  maxSkew = 1,
  app = "cache-sentinel-sentinel",
): JsonObject => ({
  topologyKey,
  maxSkew,
  whenUnsatisfiable: "DoNotSchedule",
  ...(minDomains === undefined ? {} : { minDomains }),
  labelSelector: { matchLabels: { app } },
});

interface RedisOptions {
  name?: string;
  region?: string;
  replicas?: number;
  replicaSpread?: JsonObject[];
  /** false: no RedisSentinel */
  sentinel?:
    false | { clusterSize?: number; spread?: JsonObject[]; quorum?: string; names?: string; region?: string };
  /** false: no backup CronJob */
  backup?:
    | false
    | {
        cron?: string;
        /** null: the job's inputs depend on no bucket */
        bucketRegion?: string | null;
        /** null: no annotation */
        annotationRegion?: string | null;
        lifecycle?: JsonObject[];
        /** the bucket expires objects through the deprecated inline `lifecycleRules` instead */
        inlineLifecycle?: JsonObject[];
        replicated?: boolean;
        /** the job's namespace; default the Redis's ("redis") */
        namespace?: string;
      };
}

/** A Redis of service `sessions` (tier important) in eu-west-1, by default one that survives everything it can. */
function redis(g: GraphBuilder, options: RedisOptions = {}) {
  const name = options.name ?? "cache";
  const region = options.region ?? "eu-west-1";
  const meta = (n: string, r = region) => ({
    name: n,
    namespace: "redis",
    labels: labels("sessions", r, "important"),
  });
  g.add("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication", name, {
    metadata: meta(name),
    spec: {
      clusterSize: options.replicas ?? 3,
      topologySpreadConstraints: options.replicaSpread ?? [spread(ZONE, 3, 1, name)],
    },
  });
  if (options.sentinel !== false) {
    const s = options.sentinel ?? {};
    g.add("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel", `${name}-sentinel`, {
      metadata: meta(`${name}-sentinel`, s.region ?? region),
      spec: {
        clusterSize: s.clusterSize ?? 3,
        redisSentinelConfig: { redisReplicationName: s.names ?? name, quorum: s.quorum ?? "2" },
        topologySpreadConstraints: s.spread ?? [spread(ZONE, 3, 1, `${name}-sentinel-sentinel`)],
      },
    });
  }
  if (options.backup === false) return;
  const b = options.backup ?? {};
  const bucketRegion = b.bucketRegion === undefined ? "eu-central-1" : b.bucketRegion;
  const bucket =
    bucketRegion === null
      ? undefined
      : g.add(
          "aws:s3/bucket:Bucket",
          `${name}-backups`,
          {
            tags: tags("sessions", "important"),
            ...(b.inlineLifecycle ? { lifecycleRules: b.inlineLifecycle } : {}),
          },
          {
            region: bucketRegion,
          },
        );
  if (bucket && !b.inlineLifecycle) {
    g.add(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      `${name}-backups-retention`,
      {
        rules: b.lifecycle ?? [
          { id: "expire-snapshots", status: "Enabled", filter: {}, expiration: { days: 7 } },
        ],
      },
      { region: bucketRegion ?? undefined, deps: { bucket: [bucket] } },
    );
    if (b.replicated) {
      const replica = g.add(
        "aws:s3/bucket:Bucket",
        `${name}-backups-replica`,
        { tags: tags("sessions", "important") },
        { region: "eu-central-1" },
      );
      g.add(
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        `${name}-backups-replication`,
        {
          rules: [
            {
              status: "Enabled",
              destination: { replicationTime: { status: "Enabled", time: { minutes: 15 } } },
            },
          ],
        },
        { deps: { bucket: [bucket], rules: [replica] }, region: bucketRegion ?? undefined },
      );
    }
  }
  const annotationRegion = b.annotationRegion === undefined ? "eu-central-1" : b.annotationRegion;
  g.add(
    "kubernetes:batch/v1:CronJob",
    `${name}-backup`,
    {
      metadata: {
        ...meta(`${name}-backup`),
        namespace: b.namespace ?? "redis",
        annotations: {
          "drkit.dev/backup-of": name,
          ...(annotationRegion === null ? {} : { "drkit.dev/backup-destination-region": annotationRegion }),
        },
      },
      spec: {
        schedule: b.cron ?? "0 * * * *",
        jobTemplate: { spec: { template: { spec: { containers: [{ name: "upload", env: [] }] } } } },
      },
    },
    { deps: bucket ? { spec: [bucket] } : {} },
  );
}

const C = "Redis cache (eu-west-1)";
const REPLICAS_OVER_3_ZONES = `${C}: 3 replicas, at most 1 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3): a replica survives a zone loss.`;
const MANUAL =
  "RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 300 s (promote a replica by hand, estimate `redisManualPromotionSeconds`) + propagation 0 s (clients ask Sentinel for the new primary) = 1500 s.";
const AUTOMATIC =
  "RTO = detection 0 s (Sentinel watches the primary) + decision 0 s (Sentinel quorum promotes a replica) + action 60 s (Sentinel failover, estimate `redisSentinelFailoverSeconds`) + propagation 0 s (clients ask Sentinel for the new primary) = 60 s.";
const BY_HAND = `${C}: The lost sentinels' pods are not replaced while their nodes are unreachable (StatefulSet): an operator promotes a surviving replica by hand (SENTINEL FAILOVER on a surviving sentinel needs no agreement); asynchronous replication loses about 1 s (estimate \`redisReplicaLagSeconds\`).`;
const AUTOMATICALLY = `${C}: Sentinel promotes a surviving replica; asynchronous replication loses about 1 s (estimate \`redisReplicaLagSeconds\`).`;

describe("automatic failover needs a quorum that survives", () => {
  it("counts a manual promotion when 3 sentinels spread over 2 zones: one zone can hold 2 of them", () => {
    const g = new GraphBuilder();
    redis(g, { sentinel: { spread: [spread(ZONE, 2)] } });
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([1, 1_500, "PolicyMet"]);
    expect(zone.derivation).toEqual([
      REPLICAS_OVER_3_ZONES,
      `${C}: Sentinel cache-sentinel: 3 voters, at most 2 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 2 zones: minDomains 2): a zone loss can leave 1, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.`,
      BY_HAND,
      `${C}: RPO 1 s.`,
      `${C}: ${MANUAL}`,
      `Service RPO is the worst component's: 1s (${C}).`,
      `Components recover in parallel, so the service RTO is the slowest recovery: 25m (${C}).`,
    ]);
    expect(zone.sources.map((s) => s.id)).toEqual([
      "redis-async-replica",
      "redis-sentinel-quorum",
      "kubernetes-topology-spread",
      "ot-redis-pod-labels",
      "kubernetes-statefulset-node-loss",
      "redis-sentinel-forced-failover",
    ]);
  });

  it("counts automatic failover when 3 sentinels spread over 3 zones: 2 survive, a majority", () => {
    const g = new GraphBuilder();
    redis(g);
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([1, 60, "PolicyMet"]);
    expect(zone.derivation.slice(0, 5)).toEqual([
      REPLICAS_OVER_3_ZONES,
      `${C}: Sentinel cache-sentinel: 3 voters, at most 1 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3): a zone loss leaves 2, enough for the 2 a promotion needs (a majority of 3; quorum 2).`,
      AUTOMATICALLY,
      `${C}: RPO 1 s.`,
      `${C}: ${AUTOMATIC}`,
    ]);
  });

  it.each([
    [
      "no minDomains: the voters may share one zone",
      { spread: [spread(ZONE)] },
      `${C}: Sentinel cache-sentinel: 3 voters, at most 3 in one zone (no hard ${ZONE} spread with minDomains selecting its pods (app=cache-sentinel-sentinel): they may share one): a zone loss can leave 0, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.`,
      1_500,
    ],
    [
      "a spread whose labelSelector names the custom resource (app=cache-sentinel), not its pods",
      { spread: [spread(ZONE, 3, 1, "cache-sentinel")] },
      `${C}: Sentinel cache-sentinel: 3 voters, at most 3 in one zone (no hard ${ZONE} spread with minDomains selecting its pods (app=cache-sentinel-sentinel): they may share one): a zone loss can leave 0, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.`,
      1_500,
    ],
    [
      "a quorum of 3 that 2 survivors cannot reach",
      { quorum: "3" },
      `${C}: Sentinel cache-sentinel: 3 voters, at most 1 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3): a zone loss can leave 2, fewer than the 3 a promotion needs (a majority of 3; quorum 3): Sentinel cannot promote.`,
      1_500,
    ],
    [
      "5 voters over 3 zones: at most 2 in one, 3 survive",
      { clusterSize: 5 },
      `${C}: Sentinel cache-sentinel: 5 voters, at most 2 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3): a zone loss leaves 3, enough for the 3 a promotion needs (a majority of 5; quorum 2).`,
      60,
    ],
    [
      "3 voters over 3 zones with maxSkew 2: up to 2 in one zone",
      { spread: [spread(ZONE, 3, 2)] },
      `${C}: Sentinel cache-sentinel: 3 voters, at most 2 in one zone (${ZONE} spread, DoNotSchedule, maxSkew 2, over at least 3 zones: minDomains 3): a zone loss can leave 1, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.`,
      1_500,
    ],
  ])("zone: %s", (_t, sentinel, line, rto) => {
    const g = new GraphBuilder();
    redis(g, { sentinel });
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([1, rto, "PolicyMet"]);
    expect(zone.derivation[1]).toBe(line);
  });

  it("falls back to the backup when the replicas themselves may share a zone (no minDomains)", () => {
    const g = new GraphBuilder();
    redis(g, { replicaSpread: [spread(ZONE, undefined, 1, "cache")] });
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([3_600, 1_800, "PolicyMet"]);
    expect(zone.derivation[0]).toBe(
      `${C}: 3 replicas, at most 3 in one zone (no hard ${ZONE} spread with minDomains selecting its pods (app=cache): they may share one): a zone loss can take every copy.`,
    );
  });

  it.each([
    [
      "3 sentinels over 2 zones and no spread over nodes: one node can hold 2 of them",
      [spread(ZONE, 2)],
      `${C}: Sentinel cache-sentinel: 3 voters, at most 2 on one node (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 2 zones: minDomains 2; a node lies in one zone): a node loss can leave 1, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.`,
      1_500,
    ],
    [
      "3 sentinels over 3 nodes",
      [spread(ZONE, 2), spread(HOST, 3)],
      `${C}: Sentinel cache-sentinel: 3 voters, at most 1 on one node (${HOST} spread, DoNotSchedule, maxSkew 1, over at least 3 nodes: minDomains 3): a node loss leaves 2, enough for the 2 a promotion needs (a majority of 3; quorum 2).`,
      60,
    ],
    [
      "3 sentinels over 3 zones: a node lies in one zone",
      [spread(ZONE, 3)],
      `${C}: Sentinel cache-sentinel: 3 voters, at most 1 on one node (${ZONE} spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3; a node lies in one zone): a node loss leaves 2, enough for the 2 a promotion needs (a majority of 3; quorum 2).`,
      60,
    ],
  ])("hardware: %s", (_t, sentinelSpread, line, rto) => {
    const g = new GraphBuilder();
    redis(g, { sentinel: { spread: sentinelSpread } });
    const hardware = pick(assess(g.graph), "sessions", "hardware");
    expect(summary(hardware)).toEqual([1, rto, "PolicyMet"]);
    expect(hardware.derivation[1]).toBe(line);
  });
});

describe("only deployed controls are credited", () => {
  it("does not credit the backup-region annotation alone: a claim, not a deployed bucket", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { bucketRegion: null } });
    const report = assess(g.graph);
    const region = pick(report, "sessions", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation.slice(0, 3)).toEqual([
      `${C}: No input of the backup CronJob cache-backup is computed from a bucket in this stack: drkit cannot see where its snapshots go or how long they are kept, so they are not credited. Pass the bucket resource's name (e.g. \`bucket.bucket\`) into the job.`,
      `${C}: Its annotation drkit.dev/backup-destination-region says eu-central-1: a claim, not a deployed control, so it is not credited.`,
      `${C}: RPO no bound.`,
    ]);
    expect(summary(pick(report, "sessions", "software"))).toEqual([null, null, "PolicyBreached"]);
  });

  it("credits the bucket the job's inputs are computed from, in another region", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { annotationRegion: null } });
    const region = pick(assess(g.graph), "sessions", "region");
    expect(summary(region)).toEqual([3_600, 1_800, "PolicyMet"]);
    expect(region.derivation.slice(0, 5)).toEqual([
      `${C}: Backups go to bucket cache-backups in eu-central-1, outside the cluster's eu-west-1 (an input of the backup CronJob cache-backup is computed from it).`,
      `${C}: RDB backups run on "0 * * * *": the longest gap is 3600 s (1h).`,
      `${C}: Bucket cache-backups: lifecycle rule \`expire-snapshots\` expires every object 7 days after it is written (7 × 86400 s = 604800 s) ≥ gap 3600 s + detection 300 s (\`incidentDetectionSeconds\`): the backup that predates a disruption still exists when it is noticed.`,
      `${C}: RPO 3600 s.`,
      `${C}: RTO = detection 300 s (alarm pages the on-call, estimate \`incidentDetectionSeconds\`) + decision 900 s (operator decides to recover, estimate \`operatorDecisionSeconds\`) + action 600 s (load the latest RDB backup, estimate \`redisRestoreSeconds\`) + propagation 0 s (none) = 1800 s.`,
    ]);
  });

  it("judges the bucket it sees, not the annotation, when they disagree", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { bucketRegion: "eu-west-1" } });
    const region = pick(assess(g.graph), "sessions", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation.slice(0, 2)).toEqual([
      `${C}: Backups go to bucket cache-backups in eu-west-1, the cluster's own region (an input of the backup CronJob cache-backup is computed from it). No enabled replication rule copies it out of eu-west-1: a region loss loses it.`,
      `${C}: Its annotation drkit.dev/backup-destination-region says eu-central-1: a claim, not a deployed control, so it is not credited.`,
    ]);
  });

  it("credits a bucket in the cluster's region that replicates out with RTC: gap + 900 s", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { bucketRegion: "eu-west-1", annotationRegion: null, replicated: true } });
    const region = pick(assess(g.graph), "sessions", "region");
    expect(summary(region)).toEqual([4_500, 1_800, "PolicyBreached"]);
    expect(region.derivation).toContain(`${C}: Region RPO = backup gap 3600 s + replication 900 s = 4500 s.`);
  });
});

describe("a recovery point counts only while it still exists when it is needed", () => {
  it("fails when the bucket's lifecycle deletes a daily snapshot before anyone notices: 1 day < 86400 s + 300 s", () => {
    const g = new GraphBuilder();
    redis(g, {
      backup: {
        cron: "0 2 * * *",
        lifecycle: [{ id: "expire", status: "Enabled", filter: { prefix: "" }, expiration: { days: 1 } }],
      },
    });
    const software = pick(assess(g.graph), "sessions", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation.slice(0, 5)).toEqual([
      `${C}: Replication copies a bad write (FLUSHALL, corruption) to every replica at once: only a backup predates it.`,
      `${C}: Backups go to bucket cache-backups in eu-central-1 (an input of the backup CronJob cache-backup is computed from it).`,
      `${C}: RDB backups run on "0 2 * * *": the longest gap is 86400 s (1d).`,
      `${C}: Bucket cache-backups: lifecycle rule \`expire\` expires every object 1 day after it is written (1 × 86400 s = 86400 s) < gap 86400 s + detection 300 s (\`incidentDetectionSeconds\`): the backup that predates a disruption is deleted before anyone can restore it: no bound.`,
      `${C}: RPO no bound.`,
    ]);
  });

  it("ignores a disabled lifecycle rule, and says the bucket keeps its backups", () => {
    const g = new GraphBuilder();
    redis(g, {
      backup: {
        cron: "0 2 * * *",
        lifecycle: [{ id: "expire", status: "Disabled", filter: {}, expiration: { days: 1 } }],
      },
    });
    const software = pick(assess(g.graph), "sessions", "software");
    expect(summary(software)).toEqual([86_400, 1_800, "PolicyBreached"]);
    expect(software.derivation[3]).toBe(
      `${C}: Bucket cache-backups: no lifecycle rule expires its objects: the backups are kept.`,
    );
  });
});

describe("every component counts", () => {
  it("assesses and names each Redis of a service; a sentinel counts only for the replication it names, in its cluster", () => {
    const g = new GraphBuilder();
    redis(g);
    redis(g, { name: "queue", sentinel: { names: "cache", region: "eu-central-1" } });
    const zone = pick(assess(g.graph), "sessions", "zone");
    expect(summary(zone)).toEqual([3_600, 1_800, "PolicyMet"]);
    expect(zone.derivation.filter((l) => / RPO \d+ s\.$/.test(l))).toEqual([
      "Redis cache (eu-west-1): RPO 1 s.",
      "Redis queue (eu-west-1): RPO 3600 s.",
    ]);
    expect(zone.derivation).toContain(
      "Redis queue (eu-west-1): No RedisSentinel of its cluster names queue (spec.redisSentinelConfig.redisReplicationName): nobody promotes a replica.",
    );
  });
});

describe("what drkit cannot read or match is not credited", () => {
  it("does not credit a backup job of another namespace: the Redis it names is another one", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { namespace: "other" } });
    const software = pick(assess(g.graph), "sessions", "software");
    expect(software.achievableRpoSeconds).toBeNull();
    expect(software.status).toBe("PolicyBreached");
  });

  it("credits no retention to a backup bucket whose lifecycle is inline (deprecated, unread)", () => {
    const g = new GraphBuilder();
    redis(g, { backup: { inlineLifecycle: [{ enabled: true, expiration: { days: 30 } }] } });
    const software = pick(assess(g.graph), "sessions", "software");
    expect(software.achievableRpoSeconds).toBeNull();
    expect(software.derivation.filter((l) => l.includes("lifecycleRules"))[0]).toContain(
      "Bucket cache-backups: its objects expire through the deprecated inline `lifecycleRules`, which drkit does not read, so no retention is credited (0 s) < gap 3600 s + detection 300 s",
    );
  });
});
