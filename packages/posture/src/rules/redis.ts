// Redis on the OT-Container-Kit operator: replicas and Sentinel cover node and zone loss with an async
// replica's small loss, automatically only while a Sentinel quorum survives; bad writes and region loss
// fall back to the RDB backup CronJob, credited only through the bucket its inputs are computed from and
// only while that bucket keeps the snapshots.
import type { GraphResource, JsonValue } from "../graph";
import type { GraphIndex } from "../graphIndex";
import { PropertyReader } from "../graphIndex";
import { Estimate, NO_TIME, RtoTerms, formatDuration, term } from "../estimate";
import { restoreTerm } from "../measuredRestore";
import type { FactKey } from "../facts";
import { manualRecovery, Rule, RuleContext } from "./context";
import { scheduleGapSeconds } from "./cronGap";
import { Labels, labelsAt, namespaceOf, selectorAt, selects } from "./kubernetes";
import { bucketLimit, judgeRetention, replicaBuckets } from "./retention";
import { BUCKET, bucketReplication, replicationRpo } from "./s3";
import { BACKUP_OF_ANNOTATION, BACKUP_REGION_ANNOTATION, ROLE_LABEL, STANDBY_ROLE } from "../labels";

export const REDIS_REPLICATION = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication";
export const REDIS_SENTINEL = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel";
export const CRON_JOB = "kubernetes:batch/v1:CronJob";
const ZONE_KEY = "topology.kubernetes.io/zone";
const HOST_KEY = "kubernetes.io/hostname";

// --- how many pods one zone or node can hold

interface Placement {
  /** at most this many of the pods share one domain */
  readonly most: number;
  /** why, in words */
  readonly why: string;
  /** a hard spread over this key bounds it */
  readonly bounded: boolean;
}

/**
 * At most how many of `count` pods labelled `podLabels` one domain of `key` can hold under the hard
 * topology spreads that select them: ⌊(N + (minDomains − 1) × maxSkew) / minDomains⌋. A spread without
 * `minDomains`, or whose labelSelector does not select the pods, bounds nothing: they may share one domain.
 */
function mostInOneDomain(
  read: PropertyReader,
  path: string,
  key: string,
  count: number,
  podLabels: Labels,
): Placement {
  const unit = key === ZONE_KEY ? "zones" : "nodes";
  let best: Placement = {
    most: count,
    why: `no hard ${key} spread with minDomains selecting its pods (app=${podLabels.app ?? "?"}): they may share one`,
    bounded: false,
  };
  for (const [i, c] of read.list(path).entries()) {
    const at = (field: string) => `${path}[${i}].${field}`;
    if (read.string("topologyKey", c, at("topologyKey")) !== key) continue;
    if (read.string("whenUnsatisfiable", c, at("whenUnsatisfiable")) !== "DoNotSchedule") continue;
    const minDomains = read.number("minDomains", c, at("minDomains"));
    const maxSkew = read.number("maxSkew", c, at("maxSkew"));
    const selector = selectorAt(read, "labelSelector", c, at("labelSelector"));
    if (minDomains === undefined || minDomains < 2 || maxSkew === undefined || maxSkew < 1) continue;
    if (selector === undefined || !selects(selector, podLabels)) continue;
    const most = Math.min(count, Math.floor((count + (minDomains - 1) * maxSkew) / minDomains));
    if (most < best.most)
      best = {
        most,
        why: `${key} spread, DoNotSchedule, maxSkew ${maxSkew}, over at least ${minDomains} ${unit}: minDomains ${minDomains}`,
        bounded: true,
      };
  }
  return best;
}

/** Per node: a node lies in one zone, so a zone bound holds for nodes too. */
function mostOnOneNode(read: PropertyReader, path: string, count: number, podLabels: Labels): Placement {
  const host = mostInOneDomain(read, path, HOST_KEY, count, podLabels);
  const zone = mostInOneDomain(read, path, ZONE_KEY, count, podLabels);
  if (host.bounded && host.most <= zone.most) return host;
  if (zone.bounded) return { ...zone, why: `${zone.why}; a node lies in one zone` };
  return {
    most: count,
    why: `no hard ${HOST_KEY} or ${ZONE_KEY} spread with minDomains selecting its pods (app=${podLabels.app ?? "?"}): they may share one`,
    bounded: false,
  };
}

// --- Sentinel

interface Voters {
  readonly resource: GraphResource;
  readonly name: string;
  readonly size: number;
  readonly quorum: number | undefined;
  /** the labels the operator gives its pods (dr-facts: OT operator, getRedisLabels) */
  readonly podLabels: Labels;
  readonly read: PropertyReader;
}

function votersOf(sentinel: GraphResource): Voters {
  const read = new PropertyReader(sentinel);
  const name = read.string("metadata.name") ?? sentinel.name;
  const quorum = read.get("spec.redisSentinelConfig.quorum");
  const parsed = typeof quorum === "number" ? quorum : typeof quorum === "string" ? Number(quorum) : NaN;
  return {
    resource: sentinel,
    name,
    size: read.number("spec.clusterSize") ?? 0,
    quorum: Number.isInteger(parsed) && parsed > 0 ? parsed : undefined,
    // The operator runs RedisSentinel `x` as StatefulSet `x-sentinel`; its pods carry `app: x-sentinel`.
    podLabels: {
      ...labelsAt(read, "metadata.labels"),
      app: `${name}-sentinel`,
      redis_setup_type: "sentinel",
      role: "sentinel",
    },
    read,
  };
}

/** RedisSentinels by the replication they watch: `<region>/<namespace>/<redisReplicationName>`. */
function sentinelsByReplication(index: GraphIndex): Map<string, GraphResource[]> {
  return index.memo("redis:sentinels-by-replication", () => {
    const byKey = new Map<string, GraphResource[]>();
    for (const sentinel of index.ofType(REDIS_SENTINEL)) {
      const read = new PropertyReader(sentinel);
      const watched = read.string("spec.redisSentinelConfig.redisReplicationName");
      if (watched === undefined) continue;
      const key = `${index.regionOf(sentinel) ?? ""}/${namespaceOf(sentinel, read) ?? ""}/${watched}`;
      byKey.set(key, [...(byKey.get(key) ?? []), sentinel]);
    }
    return byKey;
  });
}

/** Whether the voters surviving the loss of one domain can still promote, in one checkable sentence. */
function quorumSurvives(v: Voters, placement: Placement, domain: "zone" | "node") {
  const majority = Math.floor(v.size / 2) + 1;
  const needed = Math.max(majority, v.quorum ?? 0);
  const left = v.size - placement.most;
  const ok = left >= needed;
  return {
    ok,
    line: `Sentinel ${v.name}: ${v.size} voters, at most ${placement.most} ${domain === "zone" ? "in one zone" : "on one node"} (${placement.why}): a ${domain} loss ${ok ? "leaves" : "can leave"} ${left}, ${ok ? "enough for" : "fewer than"} the ${needed} a promotion needs (a majority of ${v.size}${v.quorum !== undefined ? `; quorum ${v.quorum}` : ""})${ok ? "." : ": Sentinel cannot promote."}`,
  };
}

// --- the backup

/** What restoring from one backup job's snapshots achieves for a disruption. */
interface BackupBound {
  readonly rpoSeconds: number;
  readonly lines: string[];
  readonly facts: FactKey[];
  readonly basis: string[];
  readonly unknown: string[];
}

/** Backup CronJobs by the Redis they name, in its cluster and namespace: `<region>/<namespace>/<drkit.dev/backup-of>`. */
function backupJobs(index: GraphIndex): Map<string, GraphResource[]> {
  return index.memo("redis:backups-by-target", () => {
    const byTarget = new Map<string, GraphResource[]>();
    for (const job of index.ofType(CRON_JOB)) {
      const target = annotation(job, BACKUP_OF_ANNOTATION);
      if (target === undefined) continue;
      const key = `${index.regionOf(job) ?? ""}/${namespaceOf(job, new PropertyReader(job)) ?? ""}/${target}`;
      byTarget.set(key, [...(byTarget.get(key) ?? []), job]);
    }
    return byTarget;
  });
}

function annotation(resource: GraphResource, key: string): string | undefined {
  const annotations = new PropertyReader(resource).get("metadata.annotations");
  const value =
    typeof annotations === "object" && annotations !== null && !Array.isArray(annotations)
      ? annotations[key]
      : undefined;
  return typeof value === "string" ? value : undefined;
}

/** A backup job's bounds for backup-based recovery in the cluster (`local`) and after a region loss. */
function backupBounds(
  context: RuleContext,
  job: GraphResource,
  clusterRegion: string | undefined,
): { local: BackupBound; region: BackupBound } {
  const { index, policy } = context;
  const memo = index.memo(
    "redis:backup-bounds",
    () => new Map<string, { local: BackupBound; region: BackupBound }>(),
  );
  const known = memo.get(`${job.urn}@${clusterRegion ?? ""}`);
  if (known) return known;
  const read = new PropertyReader(job);
  const cron = read.string("spec.schedule");
  const claimed = annotation(job, BACKUP_REGION_ANNOTATION);
  // Only a deployed bucket the job's inputs are computed from shows where the snapshots go.
  const buckets = [
    ...new Map(
      Object.keys(job.propertyDependencies)
        .flatMap((key) => index.dependenciesOf(job, key, BUCKET))
        .map((b) => [b.urn, b]),
    ).values(),
  ];
  const claimLine = (bucketRegion: string | undefined) =>
    claimed !== undefined && claimed !== bucketRegion
      ? [
          `Its annotation ${BACKUP_REGION_ANNOTATION} says ${claimed}: a claim, not a deployed control, so it is not credited.`,
        ]
      : [];
  const none = (lines: string[]): BackupBound => ({
    rpoSeconds: Infinity,
    lines,
    facts: ["redisRdbBackup"],
    basis: [job.urn],
    unknown: read.unknown,
  });
  let result: { local: BackupBound; region: BackupBound };
  if (cron === undefined) {
    const line = `The backup CronJob ${job.name} has no schedule: it takes no snapshots.`;
    result = { local: none([line]), region: none([line]) };
  } else if (buckets.length === 0) {
    const line = `No input of the backup CronJob ${job.name} is computed from a bucket in this stack: drkit cannot see where its snapshots go or how long they are kept, so they are not credited. Pass the bucket resource's name (e.g. \`bucket.bucket\`) into the job.`;
    result = { local: none([line]), region: none([line, ...claimLine(undefined)]) };
  } else {
    const gap = scheduleGapSeconds(job, "spec.schedule", cron);
    const gapLine = `RDB backups run on "${cron}": the longest gap is ${gap} s (${formatDuration(gap)}).`;
    const detection = policy.estimates.incidentDetectionSeconds;
    // A job fed by several buckets may write to any of them: each is judged, the worst counts.
    const perBucket = buckets.map((bucket) => {
      const bucketRegion = index.regionOf(bucket);
      const from = `(an input of the backup CronJob ${job.name} is computed from it)`;
      const kept = judgeRetention([bucketLimit(context, bucket)], gap, detection);
      const local: BackupBound = {
        rpoSeconds: kept.kept ? gap : Infinity,
        lines: [
          `Backups go to bucket ${bucket.name} in ${bucketRegion ?? "an unknown region"} ${from}.`,
          gapLine,
          ...kept.lines,
        ],
        facts: ["redisRdbBackup", ...kept.facts],
        basis: [job.urn, bucket.urn, ...kept.basis],
        unknown: [...read.unknown, ...kept.unknown],
      };
      let region: BackupBound;
      if (bucketRegion !== undefined && clusterRegion !== undefined && bucketRegion !== clusterRegion) {
        region = {
          ...local,
          lines: [
            `Backups go to bucket ${bucket.name} in ${bucketRegion}, outside the cluster's ${clusterRegion} ${from}.`,
            ...claimLine(bucketRegion),
            gapLine,
            ...kept.lines,
          ],
        };
      } else {
        const replication = bucketReplication(context, bucket);
        const replicated = replicationRpo(replication, bucketRegion);
        // A region restore reads the replica: its lifecycle must keep the snapshots too.
        const replicaKept = judgeRetention(
          Number.isFinite(replicated.rpoSeconds)
            ? replicaBuckets(index, bucket).map((replica) => bucketLimit(context, replica))
            : [],
          gap,
          detection,
        );
        const rpo =
          kept.kept && replicaKept.kept && Number.isFinite(replicated.rpoSeconds)
            ? gap + replicated.rpoSeconds
            : Infinity;
        region = {
          rpoSeconds: rpo,
          lines: [
            bucketRegion === undefined || clusterRegion === undefined
              ? `Backups go to bucket ${bucket.name} ${from}, but its region or the cluster's is unknown. ${replicated.line}`
              : `Backups go to bucket ${bucket.name} in ${bucketRegion}, the cluster's own region ${from}. ${replicated.line}`,
            ...claimLine(bucketRegion),
            gapLine,
            ...kept.lines,
            ...replicaKept.lines,
            ...(Number.isFinite(rpo)
              ? [`Region RPO = backup gap ${gap} s + replication ${replicated.rpoSeconds} s = ${rpo} s.`]
              : []),
          ],
          facts: [...local.facts, ...replicated.facts, ...replicaKept.facts],
          basis: [...local.basis, ...(replication?.basis ?? []), ...replicaKept.basis],
          unknown: [...local.unknown, ...(replication?.unknown ?? []), ...replicaKept.unknown],
        };
      }
      return { local, region };
    });
    const worst = (a: BackupBound, b: BackupBound) => (b.rpoSeconds > a.rpoSeconds ? b : a);
    result = {
      local: perBucket.map((p) => p.local).reduce(worst),
      region: perBucket.map((p) => p.region).reduce(worst),
    };
  }
  memo.set(`${job.urn}@${clusterRegion ?? ""}`, result);
  return result;
}

// --- the rule

export const redisRule: Rule = (context) => {
  const { index, service, policy } = context;
  const e = policy.estimates;
  const estimates: Estimate[] = [];
  for (const redis of service.resources.filter((r) => r.type === REDIS_REPLICATION)) {
    const read = new PropertyReader(redis);
    // A warm standby (label drkit.dev/role: standby) is the recovery copy, not a data source of its own.
    if (roleOf(redis) === STANDBY_ROLE) continue;
    const name = read.string("metadata.name") ?? redis.name;
    const region = index.regionOf(redis);
    const namespace = namespaceOf(redis, read);
    const component = `Redis ${name} (${region ?? "cluster region unknown"})`;
    const replicas = read.number("spec.clusterSize") ?? 1;
    // The operator runs RedisReplication `x` as StatefulSet `x`; its pods carry `app: x`.
    const podLabels: Labels = {
      ...labelsAt(read, "metadata.labels"),
      app: name,
      redis_setup_type: "replication",
      role: "replication",
    };
    const sentinel = (
      sentinelsByReplication(index).get(`${region ?? ""}/${namespace ?? ""}/${name}`) ?? []
    ).map(votersOf)[0];
    const jobs =
      region === undefined ? [] : (backupJobs(index).get(`${region}/${namespace ?? ""}/${name}`) ?? []);
    // The standbys and the sentinels watching them (in the other cluster) are judged with it.
    const standbys = service.resources.filter(
      (r) => r.type === REDIS_REPLICATION && r !== redis && roleOf(r) === STANDBY_ROLE,
    );
    const watchers = service.resources.filter(
      (r) =>
        r.type === REDIS_SENTINEL &&
        new PropertyReader(r).string("spec.redisSentinelConfig.redisReplicationName") === name,
    );
    const subject = redis.urn;
    const basis = [subject, ...watchers.map((r) => r.urn), ...standbys.map((r) => r.urn)];
    const unknown = read.unknown;

    const restore = manualRecovery(
      e,
      restoreTerm(
        "redis",
        e.redisRestoreSeconds,
        "load the latest RDB backup, estimate `redisRestoreSeconds`",
      ),
    );
    /** The best backup job for `which` recovery, after the lead lines. */
    const fromBackup = (
      lead: string[],
      which: "local" | "region",
      facts: FactKey[] = [],
    ): Omit<Estimate, "disruption"> => {
      const bounds = jobs.map((job) => backupBounds(context, job, region)[which]);
      const best = bounds.reduce<BackupBound | undefined>(
        (b, c) => (b === undefined || c.rpoSeconds < b.rpoSeconds ? c : b),
        undefined,
      );
      return {
        component,
        subject,
        basis: [
          ...basis,
          ...jobs.flatMap((j) => backupBounds(context, j, region).local.basis),
          ...(best?.basis ?? []),
        ],
        rpoSeconds: best?.rpoSeconds ?? Infinity,
        rto: best && Number.isFinite(best.rpoSeconds) ? restore : Infinity,
        lines: best
          ? [...lead, ...best.lines]
          : [...lead, "There is no backup CronJob for it: the data cannot be recovered."],
        facts: [...new Set<FactKey>([...facts, ...(best?.facts ?? ["redisRdbBackup"])])],
        unknown: [...unknown, ...(best?.unknown ?? [])],
      };
    };

    const replicaTakesOver = (
      lines: string[],
      automatic: boolean,
      facts: FactKey[],
    ): Omit<Estimate, "disruption"> => {
      const rto: RtoTerms = automatic
        ? {
            detection: NO_TIME("Sentinel watches the primary"),
            decision: NO_TIME("Sentinel quorum promotes a replica"),
            action: term(
              e.redisSentinelFailoverSeconds,
              "Sentinel failover, estimate `redisSentinelFailoverSeconds`",
            ),
            propagation: NO_TIME("clients ask Sentinel for the new primary"),
          }
        : manualRecovery(
            e,
            term(
              e.redisManualPromotionSeconds,
              "promote a replica by hand, estimate `redisManualPromotionSeconds`",
            ),
            NO_TIME("clients ask Sentinel for the new primary"),
          );
      return {
        component,
        subject,
        basis,
        rpoSeconds: e.redisReplicaLagSeconds,
        rto,
        unknown: [...unknown, ...(sentinel?.read.unknown ?? [])],
        lines: [
          ...lines,
          automatic
            ? `Sentinel promotes a surviving replica; asynchronous replication loses about ${e.redisReplicaLagSeconds} s (estimate \`redisReplicaLagSeconds\`).`
            : `The lost sentinels' pods are not replaced while their nodes are unreachable (StatefulSet): an operator promotes a surviving replica by hand (SENTINEL FAILOVER on a surviving sentinel needs no agreement); asynchronous replication loses about ${e.redisReplicaLagSeconds} s (estimate \`redisReplicaLagSeconds\`).`,
        ],
        facts: automatic
          ? ["redisAsyncReplica", "redisSentinel", "redisSentinelQuorum", ...facts, "otRedisPodLabels"]
          : [
              "redisAsyncReplica",
              "redisSentinelQuorum",
              ...facts,
              "otRedisPodLabels",
              "kubernetesStatefulSetNodeLoss",
              "redisSentinelForcedFailover",
            ],
      };
    };
    const noSentinel = `No RedisSentinel of its cluster names ${name} (spec.redisSentinelConfig.redisReplicationName): nobody promotes a replica.`;

    /** Loss of one zone or one node: a replica must survive it, and Sentinel must still be able to promote. */
    const failover = (domain: "zone" | "node"): Omit<Estimate, "disruption"> => {
      const topology = "spec.topologySpreadConstraints";
      if (replicas < 2) return fromBackup([`A single Redis pod: a ${domain} loss loses it.`], "local");
      const placement =
        domain === "zone"
          ? mostInOneDomain(read, topology, ZONE_KEY, replicas, podLabels)
          : mostOnOneNode(read, topology, replicas, podLabels);
      const survives = placement.most < replicas;
      const replicaLine = `${replicas} replicas, at most ${placement.most} ${domain === "zone" ? "in one zone" : "on one node"} (${placement.why}): ${survives ? `a replica survives a ${domain} loss.` : `a ${domain} loss can take every copy.`}`;
      if (!survives)
        return fromBackup([replicaLine], "local", ["kubernetesTopologySpread", "otRedisPodLabels"]);
      if (!sentinel) return fromBackup([replicaLine, noSentinel], "local", ["kubernetesTopologySpread"]);
      const voterPath = "spec.topologySpreadConstraints";
      const quorum = quorumSurvives(
        sentinel,
        domain === "zone"
          ? mostInOneDomain(sentinel.read, voterPath, ZONE_KEY, sentinel.size, sentinel.podLabels)
          : mostOnOneNode(sentinel.read, voterPath, sentinel.size, sentinel.podLabels),
        domain,
      );
      return replicaTakesOver([replicaLine, quorum.line], quorum.ok, ["kubernetesTopologySpread"]);
    };

    estimates.push({ disruption: "hardware", ...failover("node") });
    estimates.push({ disruption: "zone", ...failover("zone") });
    estimates.push({
      disruption: "software",
      ...fromBackup(
        [
          "Replication copies a bad write (FLUSHALL, corruption) to every replica at once: only a backup predates it.",
        ],
        "local",
        ["redisReplicasShareFate"],
      ),
    });
    estimates.push({ disruption: "region", ...fromBackup([], "region") });
  }
  return estimates;
};

function roleOf(redis: GraphResource): string | undefined {
  const labels: JsonValue | undefined = new PropertyReader(redis).get("metadata.labels");
  const role =
    typeof labels === "object" && labels !== null && !Array.isArray(labels) ? labels[ROLE_LABEL] : undefined;
  return typeof role === "string" ? role : undefined;
}
