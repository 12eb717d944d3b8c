// Every documented fact the model uses, with where it comes from. A derivation cites facts by id, so a
// reviewer can check each number against its source (bracketed keys are listed in docs/dr-facts.md).

export interface Fact {
  readonly id: string;
  /** the fact, as a reviewer would quote it */
  readonly text: string;
  /** where it is documented */
  readonly source: string;
}

const fact = (id: string, text: string, source: string): Fact => ({ id, text, source });

export const FACTS = {
  s3Redundancy: fact(
    "s3-redundancy",
    "S3 Standard stores objects redundantly across at least three Availability Zones of a region.",
    "Amazon S3 User Guide, Data protection in Amazon S3",
  ),
  s3Versioning: fact(
    "s3-versioning",
    "With versioning, an overwrite or delete keeps the previous version, which can be restored.",
    "Amazon S3 User Guide, Using versioning in S3 buckets [S3-1]",
  ),
  s3ObjectLock: fact(
    "s3-object-lock",
    "Object Lock COMPLIANCE retention cannot be shortened or removed by anyone, root included; GOVERNANCE can be bypassed with s3:BypassGovernanceRetention. Delete markers are not protected.",
    "Amazon S3 User Guide, Object Lock [S3-2]",
  ),
  s3NoRtc: fact(
    "s3-replication-no-rtc",
    "S3 replication without Replication Time Control has no time bound: most objects replicate in seconds, some can take hours.",
    "Amazon S3 User Guide, Replication Time Control [S3-10]",
  ),
  s3Rtc: fact(
    "s3-replication-rtc",
    "S3 Replication Time Control: 99.99 % of objects replicated within 900 s (15 minutes), backed by an SLA.",
    "Amazon S3 User Guide, Replication Time Control; S3 RTC SLA [S3-10][S3-11]",
  ),
  s3DeleteMarkers: fact(
    "s3-delete-markers",
    "Delete markers are replicated only when delete-marker replication is enabled, and are not covered by the RTC SLA.",
    "Amazon S3 User Guide, Replicating delete markers [S3-15]",
  ),
  r53Detection: fact(
    "route53-detection",
    "A Route 53 health check declares an endpoint unhealthy after about request interval × failure threshold (interval 10 or 30 s, threshold 1–10).",
    "Route 53 Developer Guide, How Route 53 determines health [R53-1][R53-3]",
  ),
  r53Ttl: fact(
    "route53-ttl",
    "Resolvers keep serving a cached answer until its TTL expires; alias records to load balancers use the target's 60 s TTL.",
    "Route 53 Developer Guide, weighted and failover routing [R53-2][R53-4]",
  ),
  r53FailoverRecords: fact(
    "route53-failover-records",
    "Failover records answer the SECONDARY when the PRIMARY's health check fails, without any API call: the data plane.",
    "Route 53 API, ResourceRecordSet.Failover [R53-6]",
  ),
  r53WeightedHealth: fact(
    "route53-weighted-health",
    "Weighted records with health checks skip unhealthy records; zero-weight records are answered when every non-zero record is unhealthy.",
    "Route 53 Developer Guide, weighted routing [R53-4]",
  ),
  r53ControlPlane: fact(
    "route53-control-plane",
    "Changing records is a Route 53 control-plane call, served from us-east-1; AWS advises not to rely on it during recovery.",
    "AWS Well-Architected REL11-BP04 [R53-7][R53-8]",
  ),
  arcRoutingControl: fact(
    "arc-routing-control",
    "ARC routing controls are flipped through five regional cluster endpoints (data plane), and steer Route 53 through RECOVERY_CONTROL health checks.",
    "Route 53 ARC Developer Guide, routing control [R53-11][R53-12]",
  ),
  veleroSchedule: fact(
    "velero-schedule",
    "A Velero Schedule takes a backup at each cron time; data written since the last backup is lost on restore.",
    "Velero Schedule API (schedule_types.go) [V1]",
  ),
  veleroRegionBoundSnapshots: fact(
    "velero-region-bound-snapshots",
    "EBS snapshots cannot be restored in another region; cross-region restore needs file-system backup or CSI snapshot data movement into the backup bucket.",
    "Velero issues #2107, #7007; limitations [V6][V7][V8]",
  ),
  veleroNoObjectLock: fact(
    "velero-no-object-lock",
    "Velero cannot write backups to a bucket with Object Lock (since 1.11).",
    "Velero issues #8686, #8690 [V9]",
  ),
  kubernetesVolumesOutliveNodes: fact(
    "kubernetes-volumes-outlive-nodes",
    "A persistent volume (EBS) survives the loss of the node it was attached to and is re-attached to the rescheduled pod in the same zone.",
    "Kubernetes persistent volumes; Amazon EBS volumes are zonal",
  ),
  redisAsyncReplica: fact(
    "redis-async-replica",
    "Redis replicas copy the primary asynchronously: a failover loses only what had not reached the replica, typically well under a second.",
    "redis.io, Redis replication [RD4]",
  ),
  redisSentinel: fact(
    "redis-sentinel",
    "Sentinel promotes a replica automatically once the primary is down for `down-after-milliseconds` and a quorum agrees.",
    "redis.io, High availability with Redis Sentinel",
  ),
  redisRdbBackup: fact(
    "redis-rdb-backup",
    "An RDB snapshot is a point-in-time copy; restoring it loses everything written since it was taken.",
    "redis.io, Redis persistence: backing up Redis data [RD4][RD5]",
  ),
  redisReplicasShareFate: fact(
    "redis-replicas-share-fate",
    "Replication copies bad writes (FLUSHALL, corruption) to every replica at once; only a backup predates them.",
    "redis.io, Redis replication [RD4]",
  ),
  neonPitr: fact(
    "neon-pitr",
    "Neon restores a branch to any point inside its history window (Free 6 h, Launch 7 d, Scale 30 d).",
    "Neon docs, history window and instant restore [N1]",
  ),
  neonHa: fact(
    "neon-ha",
    "Neon keeps WAL on safekeepers across Availability Zones: a compute or node failure loses no committed data; recovery takes 1–2 min for a node and 1–10 min for an AZ.",
    "Neon docs, high availability [N3]",
  ),
  neonNoCrossRegion: fact(
    "neon-no-cross-region",
    "Neon has no cross-region replica: a standby in another region is a second project fed by logical replication.",
    "Neon docs, high availability; Neon-to-Neon logical replication [N3][N5]",
  ),
  neonProjectLoss: fact(
    "neon-project-loss",
    "A Neon project's history window (instant restore) is kept in the project itself: deleting the project, or losing the Neon account, loses it with the data. Neon points to pg_dump/pg_restore for business continuity and disaster recovery.",
    "Neon docs, history window; backups & restore [N1][N8]",
  ),
  pgDumpSnapshot: fact(
    "pg-dump-snapshot",
    "pg_dump --snapshot dumps exactly the snapshot another session exported with pg_export_snapshot(); a REPEATABLE READ transaction that exported it reads the same rows. pg_restore --list reads an archive's table of contents without a server.",
    "PostgreSQL docs, pg_dump; Snapshot Synchronization Functions; pg_restore [PG1]",
  ),
  neonLogicalReplication: fact(
    "neon-logical-replication",
    "Logical replication is asynchronous; DDL and sequences do not replicate, and Neon drops inactive slots after about 40 h.",
    "Neon docs, logical replication; PostgreSQL restrictions [N5][N6][N7]",
  ),
  s3ReplicationScope: fact(
    "s3-replication-scope",
    "A replication rule copies only the objects its filter matches (a key prefix, object tags, or both); an empty filter or prefix matches every object, and a disabled rule copies nothing. Where several rules copy to one destination, only the highest-priority one applies.",
    "Amazon S3 User Guide, Replication configuration file elements [S3-23]",
  ),
  s3LifecycleNoncurrent: fact(
    "s3-lifecycle-noncurrent",
    "A lifecycle NoncurrentVersionExpiration permanently deletes a version NoncurrentDays after it became noncurrent (rounded up to the next midnight UTC, never sooner); with NewerNoncurrentVersions it waits until that many newer noncurrent versions exist as well.",
    "Amazon S3 User Guide, Lifecycle configuration elements; S3 API Reference, NoncurrentVersionExpiration [S3-24]",
  ),
  s3ObjectLockLifecycle: fact(
    "s3-object-lock-lifecycle",
    "Lifecycle rules cannot delete or overwrite a version while Object Lock retains it; a default retention period runs from the version's creation time, not from when it became noncurrent.",
    "Amazon S3 User Guide, Object Lock (retention periods); Managing Object Lock (lifecycle) [S3-1][S3-2]",
  ),
  s3LifecycleExpiration: fact(
    "s3-lifecycle-expiration",
    "A lifecycle Expiration acts on current versions Days after they were created (rounded up to the next midnight UTC), or on a Date; in a versioned bucket it places a delete marker, so the object is gone for readers.",
    "Amazon S3 User Guide, Expiring objects; Lifecycle configuration elements [S3-24][S3-25]",
  ),
  veleroBackupTtl: fact(
    "velero-backup-ttl",
    "Velero deletes a backup, with its volume data, once its TTL (`spec.template.ttl`, a Go duration) has passed; a backup without a TTL (or with 0) gets the server's default, 720h (30 days).",
    "Velero docs, How Velero works: set a backup to expire; Velero backup controller (a TTL of 0 takes `--default-backup-ttl`)",
  ),
  veleroResourceFilters: fact(
    "velero-resource-filters",
    "A Velero backup holds only what its filters select: included/excluded namespaces and resources, a label selector (or orLabelSelectors); volume data comes as snapshots, as file-system backup of the pods that mount the volume, or as snapshot data movement, and not at all with snapshotVolumes false and no file-system backup.",
    "Velero docs, Resource filtering; File System Backup; CSI Snapshot Data Movement [V10]",
  ),
  kubernetesTopologySpread: fact(
    "kubernetes-topology-spread",
    "A topology spread with whenUnsatisfiable DoNotSchedule keeps the pods its labelSelector matches within maxSkew of the global minimum, which counts as 0 while fewer than minDomains domains are eligible: N pods then put at most ⌊(N + (minDomains − 1) × maxSkew) / minDomains⌋ in one domain. Without minDomains every pod may land in the one eligible domain.",
    "Kubernetes API reference, TopologySpreadConstraint (maxSkew, minDomains, labelSelector); Pod Topology Spread Constraints",
  ),
  redisSentinelQuorum: fact(
    "redis-sentinel-quorum",
    "Sentinel needs `quorum` sentinels to agree the primary is down and a majority of all sentinels to elect the one that fails over: with fewer than max(quorum, majority) reachable, no replica is promoted.",
    "redis.io, High availability with Redis Sentinel: quorum and majority",
  ),
  redisSentinelForcedFailover: fact(
    "redis-sentinel-forced-failover",
    "`SENTINEL FAILOVER <primary>` makes a sentinel promote a replica without asking the other sentinels for agreement.",
    "redis.io, High availability with Redis Sentinel: Sentinel API",
  ),
  kubernetesNodeOutOfService: fact(
    "kubernetes-node-out-of-service",
    "When a node is unreachable, pods using a ReadWriteOnce volume stay bound to it: only after the node is marked out of service (taint node.kubernetes.io/out-of-service) or deleted are the pods removed and the volume detached for a replacement elsewhere.",
    "Kubernetes docs, Node Shutdowns: non-graceful node shutdown handling",
  ),
  kubernetesStatefulSetNodeLoss: fact(
    "kubernetes-statefulset-node-loss",
    "Kubernetes does not recreate a StatefulSet's pods from an unreachable node elsewhere until the node object is deleted or the pods are force-deleted.",
    "Kubernetes docs, Force Delete StatefulSet Pods",
  ),
  otRedisPodLabels: fact(
    "ot-redis-pod-labels",
    "The OT-Container-Kit redis-operator runs a RedisReplication `x` as StatefulSet `x` and a RedisSentinel `x` as StatefulSet `x-sentinel`; their pods carry `app: <StatefulSet name>`, `redis_setup_type`, `role` and the custom resource's own labels.",
    "OT-CONTAINER-KIT/redis-operator source: CreateReplicationRedis, CreateRedisSentinelSetup, getRedisLabels",
  ),
} as const satisfies Record<string, Fact>;

export type FactKey = keyof typeof FACTS;
