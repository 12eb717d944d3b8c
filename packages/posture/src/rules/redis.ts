// Redis on the OT-Container-Kit operator: replicas and Sentinel cover node and (when spread) zone loss
// with an async replica's small loss; bad writes and region loss fall back to the RDB backup CronJob.
import type { GraphResource } from "../graph";
import { PropertyReader } from "../graphIndex";
import { Estimate, NO_TIME, RtoTerms, formatDuration, term } from "../estimate";
import type { FactKey } from "../facts";
import { manualRecovery, Rule } from "./context";
import { scheduleGapSeconds } from "./cronGap";

export const REDIS_REPLICATION = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication";
export const REDIS_SENTINEL = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
export const BACKUP_OF_ANNOTATION = "drkit.dev/backup-of";
export const BACKUP_REGION_ANNOTATION = "drkit.dev/backup-destination-region";
const ROLE_LABEL = "drkit.dev/role";
const ZONE_KEY = "topology.kubernetes.io/zone";

export const redisRule: Rule = ({ index, service, policy }) => {
  const e = policy.estimates;
  const estimates: Estimate[] = [];
  const sentinels = service.resources.filter((r) => r.type === REDIS_SENTINEL);
  for (const redis of service.resources.filter((r) => r.type === REDIS_REPLICATION)) {
    const read = new PropertyReader(redis);
    // A warm standby (label drkit.dev/role: standby) is the recovery copy, not a data source of its own.
    if (roleOf(redis) === "standby") continue;
    const name = read.string("metadata.name") ?? redis.name;
    const region = index.regionOf(redis);
    const component = `Redis ${name} (${region ?? "cluster region unknown"})`;
    const replicas = read.number("spec.clusterSize") ?? 1;
    const zoneSpread = read
      .list("spec.topologySpreadConstraints")
      .some(
        (c, i) =>
          read.string("topologyKey", c, `spec.topologySpreadConstraints[${i}].topologyKey`) === ZONE_KEY &&
          read.string("whenUnsatisfiable", c, `spec.topologySpreadConstraints[${i}].whenUnsatisfiable`) ===
            "DoNotSchedule",
      );

    const backup = index
      .memo("redis:backups-by-target", () => {
        const byTarget = new Map<string, GraphResource>();
        for (const job of index.ofType(CRON_JOB)) {
          const annotations = new PropertyReader(job).get("metadata.annotations");
          const target =
            typeof annotations === "object" && annotations !== null && !Array.isArray(annotations)
              ? annotations[BACKUP_OF_ANNOTATION]
              : undefined;
          if (typeof target === "string" && !byTarget.has(target)) byTarget.set(target, job);
        }
        return byTarget;
      })
      .get(name);
    const backupRead = backup ? new PropertyReader(backup) : undefined;
    const cron = backupRead?.string("spec.schedule");
    const gap = backup && cron !== undefined ? scheduleGapSeconds(backup, "spec.schedule", cron) : Infinity;
    const annotations = backupRead?.get("metadata.annotations");
    const backupRegion =
      typeof annotations === "object" &&
      annotations !== null &&
      !Array.isArray(annotations) &&
      typeof annotations[BACKUP_REGION_ANNOTATION] === "string"
        ? (annotations[BACKUP_REGION_ANNOTATION] as string)
        : undefined;
    const unknown = [...read.unknown, ...(backupRead?.unknown ?? [])];
    const subject = redis.urn;
    // The sentinels, the backup job and what it writes to, and the warm standbys are judged with it.
    const standbys = service.resources.filter(
      (r) => r.type === REDIS_REPLICATION && r !== redis && roleOf(r) === "standby",
    );
    const backupBuckets = backup
      ? Object.keys(backup.propertyDependencies).flatMap((key) =>
          index.dependenciesOf(backup, key, "aws:s3/bucket:Bucket"),
        )
      : [];
    const basis = [
      subject,
      ...sentinels.map((r) => r.urn),
      ...(backup ? [backup.urn] : []),
      ...backupBuckets.map((b) => b.urn),
      ...standbys.map((r) => r.urn),
    ];
    const restore = manualRecovery(
      e,
      term(e.redisRestoreSeconds, "load the latest RDB backup, estimate `redisRestoreSeconds`"),
    );
    const fromBackup = (lead: string, ok: boolean = backup !== undefined): Omit<Estimate, "disruption"> =>
      ok && Number.isFinite(gap)
        ? {
            component,
            subject,
            basis,
            rpoSeconds: gap,
            rto: restore,
            lines: [
              lead,
              `RDB backups run on "${cron}": the longest gap is ${gap} s (${formatDuration(gap)}).`,
            ],
            facts: ["redisRdbBackup"],
            unknown,
          }
        : {
            component,
            subject,
            basis,
            rpoSeconds: Infinity,
            rto: Infinity,
            lines: backup
              ? [lead]
              : [lead, "There is no backup CronJob for it: the data cannot be recovered."],
            facts: ["redisRdbBackup"],
            unknown,
          };

    const failover: RtoTerms = {
      detection: NO_TIME("Sentinel watches the primary"),
      decision: NO_TIME("Sentinel quorum promotes a replica"),
      action: term(
        e.redisSentinelFailoverSeconds,
        "Sentinel failover, estimate `redisSentinelFailoverSeconds`",
      ),
      propagation: NO_TIME("clients ask Sentinel for the new primary"),
    };
    const replicaFailover = (lead: string): Omit<Estimate, "disruption"> => ({
      component,
      subject,
      basis,
      rpoSeconds: e.redisReplicaLagSeconds,
      rto: failover,
      lines: [
        lead,
        `A replica takes over; asynchronous replication loses about ${e.redisReplicaLagSeconds} s (estimate \`redisReplicaLagSeconds\`).`,
      ],
      facts: ["redisAsyncReplica", "redisSentinel"] as FactKey[],
      unknown,
    });
    const canFailOver = replicas >= 2 && sentinels.length > 0;
    estimates.push({
      disruption: "hardware",
      ...(canFailOver
        ? replicaFailover(`${replicas} replicas with Sentinel: a node loss costs one replica.`)
        : fromBackup(
            replicas < 2
              ? "A single Redis pod: a node loss loses it."
              : "Replicas without Sentinel: nobody promotes a replica.",
          )),
    });
    estimates.push({
      disruption: "zone",
      ...(canFailOver && zoneSpread
        ? replicaFailover(
            `${replicas} replicas must spread over zones (topology.kubernetes.io/zone, DoNotSchedule): a zone loss leaves replicas in other zones.`,
          )
        : fromBackup(
            `Replicas are not required to spread over zones: they may all run in one zone, so a zone loss can take every copy.`,
          )),
    });
    estimates.push({
      disruption: "software",
      ...fromBackup(
        "Replication copies a bad write (FLUSHALL, corruption) to every replica at once: only a backup predates it.",
      ),
      facts: ["redisReplicasShareFate", "redisRdbBackup"],
    });
    const offRegion = backupRegion !== undefined && region !== undefined && backupRegion !== region;
    estimates.push({
      disruption: "region",
      ...fromBackup(
        offRegion
          ? `Backups are uploaded to ${backupRegion}, outside the cluster's ${region}.`
          : `Backups stay in ${backupRegion ?? region ?? "the cluster's region"}: a region loss takes them too.`,
        backup !== undefined && offRegion,
      ),
    });
  }
  return estimates;
};

function roleOf(redis: GraphResource): string | undefined {
  const labels = new PropertyReader(redis).get("metadata.labels");
  const role =
    typeof labels === "object" && labels !== null && !Array.isArray(labels) ? labels[ROLE_LABEL] : undefined;
  return typeof role === "string" ? role : undefined;
}
