// The gate fails closed on Kubernetes data: programs written with @pulumi/kubernetes run under the mock
// runtime and go through the real pack over the Analyzer protocol, as `drkit check` and the engine do.
import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { CronJob } from "@pulumi/kubernetes/batch/v1";
import { PersistentVolumeClaim } from "@pulumi/kubernetes/core/v1";
import { usePack, check } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const config = { [policy]: { assessmentDate: "2026-11-23" } };

const labels = (service: string, region = "eu-west-1") => ({
  "drkit.dev/service": service,
  "drkit.dev/tier": "important",
  "drkit.dev/region": region,
});
const tags = (service: string) => ({ "drkit:service": service, "drkit:tier": "important" });
const providers = () => ({
  west: new AwsProvider("west", { region: "eu-west-1" }),
  central: new AwsProvider("central", { region: "eu-central-1" }),
});

/**
 * The platform's `cluster` service: Velero writing straight to a bucket in eu-central-1 (a region loss
 * costs the gap), and one valid hourly schedule per entry, each with its own changes to the template.
 */
const cluster =
  (schedules: Record<string, { schedule?: string; paused?: boolean; template?: Record<string, unknown> }>) =>
  () => {
    const { central } = providers();
    const bucket = new s3.Bucket("velero-backups", { tags: tags("cluster") }, { provider: central });
    new CustomResource("velero-location", {
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      metadata: { name: "primary", namespace: "velero", labels: labels("cluster") },
      spec: { provider: "aws", objectStorage: { bucket: bucket.bucket }, config: { region: "eu-central-1" } },
    });
    for (const [name, s] of Object.entries(schedules)) {
      new CustomResource(name, {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name, namespace: "velero", labels: labels("cluster") },
        spec: {
          schedule: s.schedule ?? "0 * * * *",
          paused: s.paused ?? false,
          template: {
            storageLocation: "primary",
            ttl: "720h",
            excludedNamespaces: ["kube-system"],
            defaultVolumesToFsBackup: true,
            snapshotVolumes: false,
            ...s.template,
          },
        },
      });
    }
  };

const headlines = (violations: [string, string][]) =>
  violations.map(([level, message]) => [level, message.split("\n")[0]]);

const SCHEDULE_RTO =
  "RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 1800 s (velero restore, estimate `veleroRestoreSeconds`) + propagation 0 s (none) = 3000 s.";

describe("drkit-rpo-rto fails closed on Kubernetes data", () => {
  it("passes the cluster's complete hourly schedule", async () => {
    const { violations } = await check(pack(), cluster({ hourly: {} }), policy, { config });
    expect(violations).toEqual([]);
  });

  it("nothing is invisible: a claim in a namespace the cluster's schedule excludes is not assessed, and says why", async () => {
    const program = () => {
      cluster({ hourly: {} })();
      new PersistentVolumeClaim("orders-data", {
        metadata: { name: "orders-data", namespace: "kube-system", labels: labels("orders") },
        spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
      });
    };
    const { violations } = await check(pack(), program, policy, { config });
    expect(violations).toEqual([
      [
        "mandatory",
        [
          "NOT ASSESSED: orders (important) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:",
          '  - drkit cannot judge kubernetes:core/v1:PersistentVolumeClaim orders-data: no Velero schedule of its cluster (eu-west-1) covers it: hourly leaves out namespace kube-system (excludedNamespaces). How to proceed: protect its data with a kind drkit models, or add a waiver naming it (`"resource": "orders-data"`) with an owner, a reason and an expiry.',
        ].join("\n"),
      ],
    ]);
  });

  it("every component counts: each schedule of the service is assessed and named, the worst bounds it", async () => {
    const { violations } = await check(
      pack(),
      cluster({ hourly: {}, "every-six-hours": { schedule: "0 */6 * * *" } }),
      policy,
      { config },
    );
    expect(headlines(violations)).toEqual([
      [
        "mandatory",
        "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO 6h > target 1h; RTO 50m ≤ target 4h.",
      ],
      [
        "mandatory",
        "cluster (important), zone disruption (loss of an Availability Zone): RPO 6h > target 1h; RTO 50m ≤ target 4h.",
      ],
      [
        "mandatory",
        "cluster (important), region disruption (loss of a whole region): RPO 6h > target 1h; RTO 50m ≤ target 4h.",
      ],
    ]);
    expect(violations[0]![1]).toBe(
      [
        "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO 6h > target 1h; RTO 50m ≤ target 4h.",
        "  - Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, volume data by file-system backup.",
        '  - Velero schedule hourly (eu-west-1): Backups run on "0 * * * *": the longest gap between two runs is 3600 s (1h), the data a restore can lose.',
        "  - Velero schedule hourly (eu-west-1): TTL 30d (2592000 s) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
        "  - Velero schedule hourly (eu-west-1): RPO 3600 s.",
        `  - Velero schedule hourly (eu-west-1): ${SCHEDULE_RTO}`,
        "  - Velero schedule every-six-hours (eu-west-1): Backs up every namespace except kube-system, every resource kind, volume data by file-system backup.",
        '  - Velero schedule every-six-hours (eu-west-1): Backups run on "0 */6 * * *": the longest gap between two runs is 21600 s (6h), the data a restore can lose.',
        "  - Velero schedule every-six-hours (eu-west-1): TTL 30d (2592000 s) ≥ gap 21600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
        "  - Velero schedule every-six-hours (eu-west-1): RPO 21600 s.",
        `  - Velero schedule every-six-hours (eu-west-1): ${SCHEDULE_RTO}`,
        "  - Service RPO is the worst component's: 6h (Velero schedule every-six-hours (eu-west-1)).",
        "  - Components recover in parallel, so the service RTO is the slowest recovery: 50m (Velero schedule hourly (eu-west-1)).",
        "  - RPO 6h exceeds the important target of 1h.",
        "Sources:",
        "  [velero-schedule] A Velero Schedule takes a backup at each cron time; data written since the last backup is lost on restore. (Velero Schedule API (schedule_types.go) [V1])",
        "  [velero-backup-ttl] Velero deletes a backup, with its volume data, once its TTL (`spec.template.ttl`, a Go duration) has passed; a backup without a TTL (or with 0) gets the server's default, 720h (30 days). (Velero docs, How Velero works: set a backup to expire; Velero backup controller (a TTL of 0 takes `--default-backup-ttl`))",
      ].join("\n"),
    );
  });

  it("partial protection is not protection: a schedule that selects by label bounds nothing it may leave out", async () => {
    const { violations } = await check(
      pack(),
      cluster({ hourly: { template: { labelSelector: { matchLabels: { backup: "yes" } } } } }),
      policy,
      { config },
    );
    expect(headlines(violations).map(([, h]) => h)).toEqual([
      "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 1h; RTO no bound > target 4h.",
      "cluster (important), zone disruption (loss of an Availability Zone): RPO no bound > target 1h; RTO no bound > target 4h.",
      "cluster (important), region disruption (loss of a whole region): RPO no bound > target 1h; RTO no bound > target 4h.",
    ]);
    expect(violations[0]).toEqual([
      "mandatory",
      [
        "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 1h; RTO no bound > target 4h.",
        "  - Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, only objects labelled backup=yes, volume data by file-system backup.",
        "  - Velero schedule hourly (eu-west-1): Leaves out objects its labelSelector (backup=yes) does not select: no other schedule of the cluster backs up all of its namespaces, so that part has no bound.",
        "  - Velero schedule hourly (eu-west-1): RPO no bound.",
        "  - Velero schedule hourly (eu-west-1): RTO: no bound (no recovery path).",
        "  - Service RPO is the worst component's: no bound (Velero schedule hourly (eu-west-1)).",
        "  - Components recover in parallel, so the service RTO is the slowest recovery: no bound (Velero schedule hourly (eu-west-1)).",
        "  - RPO no bound exceeds the important target of 1h.",
        "  - RTO no bound exceeds the important target of 4h.",
        "Sources:",
        "  [velero-schedule] A Velero Schedule takes a backup at each cron time; data written since the last backup is lost on restore. (Velero Schedule API (schedule_types.go) [V1])",
        "  [velero-resource-filters] A Velero backup holds only what its filters select: included/excluded namespaces and resources, a label selector (or orLabelSelectors); volume data comes as snapshots, as file-system backup of the pods that mount the volume, or as snapshot data movement, and not at all with snapshotVolumes false and no file-system backup. (Velero docs, Resource filtering; File System Backup; CSI Snapshot Data Movement [V10])",
      ].join("\n"),
    ]);
  });

  it("a recovery point counts only while it exists: a 1h TTL on hourly backups bounds nothing", async () => {
    const { violations } = await check(pack(), cluster({ hourly: { template: { ttl: "1h" } } }), policy, {
      config,
    });
    expect(headlines(violations).map(([, h]) => h)).toEqual([
      "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 1h; RTO no bound > target 4h.",
      "cluster (important), zone disruption (loss of an Availability Zone): RPO no bound > target 1h; RTO no bound > target 4h.",
      "cluster (important), region disruption (loss of a whole region): RPO no bound > target 1h; RTO no bound > target 4h.",
    ]);
    expect(violations[0]![1].split("\n").slice(1, 5)).toEqual([
      "  - Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, volume data by file-system backup.",
      '  - Velero schedule hourly (eu-west-1): Backups run on "0 * * * *": the longest gap between two runs is 3600 s (1h), the data a restore can lose.',
      "  - Velero schedule hourly (eu-west-1): TTL 1h (3600 s) < gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption is deleted before anyone can restore it: no bound.",
      "  - Velero schedule hourly (eu-west-1): RPO no bound.",
    ]);
  });
});

/**
 * The `sessions` Redis in eu-west-1: 3 replicas over 3 zones, 3 sentinels spread over `sentinelZones`
 * zones, and an hourly backup job. `backupBucket`: the job's inputs are computed from a bucket in
 * eu-central-1 (as RedisCrossZone does); otherwise only its annotation names the region.
 */
const sessions =
  (options: { sentinelZones: number; backupBucket: boolean }) => (): pulumi.Output<string> | undefined => {
    const zoneSpread = (minDomains: number, app: string) => [
      {
        topologyKey: "topology.kubernetes.io/zone",
        maxSkew: 1,
        minDomains,
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app } },
      },
    ];
    new CustomResource("cache", {
      apiVersion: "redis.redis.opstreelabs.in/v1beta2",
      kind: "RedisReplication",
      metadata: { name: "cache", namespace: "redis", labels: labels("sessions") },
      spec: {
        clusterSize: 3,
        kubernetesConfig: { image: "quay.io/opstree/redis:v7.0.15" },
        topologySpreadConstraints: zoneSpread(3, "cache"),
      },
    });
    new CustomResource("cache-sentinel", {
      apiVersion: "redis.redis.opstreelabs.in/v1beta2",
      kind: "RedisSentinel",
      metadata: { name: "cache-sentinel", namespace: "redis", labels: labels("sessions") },
      spec: {
        clusterSize: 3,
        kubernetesConfig: { image: "quay.io/opstree/redis-sentinel:v7.0.15" },
        redisSentinelConfig: { redisReplicationName: "cache", quorum: "2" },
        topologySpreadConstraints: zoneSpread(options.sentinelZones, "cache-sentinel-sentinel"),
      },
    });
    const { central } = providers();
    const bucket = options.backupBucket
      ? new s3.Bucket("cache-backups", { tags: tags("sessions") }, { provider: central })
      : undefined;
    new CronJob("cache-backup", {
      metadata: {
        name: "cache-backup",
        namespace: "redis",
        labels: labels("sessions"),
        annotations: {
          "drkit.dev/backup-of": "cache",
          "drkit.dev/backup-destination-region": "eu-central-1",
        },
      },
      spec: {
        schedule: "0 * * * *",
        jobTemplate: {
          spec: {
            template: {
              spec: {
                restartPolicy: "OnFailure",
                containers: [
                  {
                    name: "upload",
                    image: "amazon/aws-cli:2.17.0",
                    env: [{ name: "BUCKET", value: bucket ? bucket.bucket : "sessions-backups" }],
                  },
                ],
              },
            },
          },
        },
      },
    });
    return bucket?.bucket;
  };

/** Zone loss must be recovered within 10 minutes (what automatic failover meets, and a human does not). */
const fastZone = {
  [policy]: {
    assessmentDate: "2026-11-23",
    tiers: {
      important: {
        software: { rpoSeconds: 3_600, rtoSeconds: 14_400 },
        hardware: { rpoSeconds: 3_600, rtoSeconds: 14_400 },
        zone: { rpoSeconds: 3_600, rtoSeconds: 600 },
        region: { rpoSeconds: 3_600, rtoSeconds: 14_400 },
      },
    },
  },
};

describe("drkit-rpo-rto fails closed on Redis", () => {
  it("passes Redis whose sentinels keep a quorum over 3 zones and whose backups go to a deployed bucket elsewhere", async () => {
    const { violations } = await check(pack(), sessions({ sentinelZones: 3, backupBucket: true }), policy, {
      config: fastZone,
    });
    expect(violations).toEqual([]);
  });

  it("automatic failover needs a surviving quorum: 3 sentinels over 2 zones count an operator's promotion", async () => {
    const { violations } = await check(pack(), sessions({ sentinelZones: 2, backupBucket: true }), policy, {
      config: fastZone,
    });
    expect(violations).toEqual([
      [
        "mandatory",
        [
          "sessions (important), zone disruption (loss of an Availability Zone): RPO 1s ≤ target 1h; RTO 25m > target 10m.",
          "  - Redis cache (eu-west-1): 3 replicas, at most 1 in one zone (topology.kubernetes.io/zone spread, DoNotSchedule, maxSkew 1, over at least 3 zones: minDomains 3): a replica survives a zone loss.",
          "  - Redis cache (eu-west-1): Sentinel cache-sentinel: 3 voters, at most 2 in one zone (topology.kubernetes.io/zone spread, DoNotSchedule, maxSkew 1, over at least 2 zones: minDomains 2): a zone loss can leave 1, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.",
          "  - Redis cache (eu-west-1): The lost sentinels' pods are not replaced while their nodes are unreachable (StatefulSet): an operator promotes a surviving replica by hand (SENTINEL FAILOVER on a surviving sentinel needs no agreement); asynchronous replication loses about 1 s (estimate `redisReplicaLagSeconds`).",
          "  - Redis cache (eu-west-1): RPO 1 s.",
          "  - Redis cache (eu-west-1): RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 300 s (promote a replica by hand, estimate `redisManualPromotionSeconds`) + propagation 0 s (clients ask Sentinel for the new primary) = 1500 s.",
          "  - Service RPO is the worst component's: 1s (Redis cache (eu-west-1)).",
          "  - Components recover in parallel, so the service RTO is the slowest recovery: 25m (Redis cache (eu-west-1)).",
          "  - RTO 25m exceeds the important target of 10m.",
          "Sources:",
          "  [redis-async-replica] Redis replicas copy the primary asynchronously: a failover loses only what had not reached the replica, typically well under a second. (redis.io, Redis replication [RD4])",
          "  [redis-sentinel-quorum] Sentinel needs `quorum` sentinels to agree the primary is down and a majority of all sentinels to elect the one that fails over: with fewer than max(quorum, majority) reachable, no replica is promoted. (redis.io, High availability with Redis Sentinel: quorum and majority)",
          "  [kubernetes-topology-spread] A topology spread with whenUnsatisfiable DoNotSchedule keeps the pods its labelSelector matches within maxSkew of the global minimum, which counts as 0 while fewer than minDomains domains are eligible: N pods then put at most ⌊(N + (minDomains − 1) × maxSkew) / minDomains⌋ in one domain. Without minDomains every pod may land in the one eligible domain. (Kubernetes API reference, TopologySpreadConstraint (maxSkew, minDomains, labelSelector); Pod Topology Spread Constraints)",
          "  [ot-redis-pod-labels] The OT-Container-Kit redis-operator runs a RedisReplication `x` as StatefulSet `x` and a RedisSentinel `x` as StatefulSet `x-sentinel`; their pods carry `app: <StatefulSet name>`, `redis_setup_type`, `role` and the custom resource's own labels. (OT-CONTAINER-KIT/redis-operator source: CreateReplicationRedis, CreateRedisSentinelSetup, getRedisLabels)",
          "  [kubernetes-statefulset-node-loss] Kubernetes does not recreate a StatefulSet's pods from an unreachable node elsewhere until the node object is deleted or the pods are force-deleted. (Kubernetes docs, Force Delete StatefulSet Pods)",
          "  [redis-sentinel-forced-failover] `SENTINEL FAILOVER <primary>` makes a sentinel promote a replica without asking the other sentinels for agreement. (redis.io, High availability with Redis Sentinel: Sentinel API)",
        ].join("\n"),
      ],
    ]);
  });

  it("only deployed controls count: a backup region named by annotation alone is not credited", async () => {
    const { violations } = await check(pack(), sessions({ sentinelZones: 3, backupBucket: false }), policy, {
      config: fastZone,
    });
    expect(headlines(violations).map(([, h]) => h)).toEqual([
      "sessions (important), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 1h; RTO no bound > target 4h.",
      "sessions (important), region disruption (loss of a whole region): RPO no bound > target 1h; RTO no bound > target 4h.",
    ]);
    expect(violations[1]![1].split("\n").slice(1, 4)).toEqual([
      "  - Redis cache (eu-west-1): No input of the backup CronJob cache-backup is computed from a bucket in this stack: drkit cannot see where its snapshots go or how long they are kept, so they are not credited. Pass the bucket resource's name (e.g. `bucket.bucket`) into the job.",
      "  - Redis cache (eu-west-1): Its annotation drkit.dev/backup-destination-region says eu-central-1: a claim, not a deployed control, so it is not credited.",
      "  - Redis cache (eu-west-1): RPO no bound.",
    ]);
  });
});
