// Velero: a Schedule backs up what its filters select. Its cron bounds how much is lost, its TTL (and its
// bucket's lifecycle) how long a backup survives, and where its storage location keeps the backups (with
// the volume data, or not) decides whether a region loss is recoverable. A schedule that leaves part of
// its namespaces' volume data out bounds nothing for that part. Kubernetes data holders (claims, volumes,
// StatefulSets) are judged, each on its own, by the schedules of their own cluster that cover them.
import type { GraphResource } from "../graph";
import { PostureInputError, PropertyReader } from "../graphIndex";
import { Estimate, RtoTerms, formatDuration, rtoSeconds, term } from "../estimate";
import type { FactKey } from "../facts";
import { restoreTerm } from "../measuredRestore";
import { dataHoldingKind } from "../dataHolding";
import { REGION_LABEL } from "../labels";
import type { ActionEstimates } from "../policy";
import { manualRecovery, Rule, RuleContext } from "./context";
import { scheduleGapSeconds } from "./cronGap";
import {
  Labels,
  Selector,
  describeSelector,
  labelsAt,
  listed,
  namespaceOf,
  restricts,
  selectorAt,
  selects,
  stringsAt,
  toSelector,
} from "./kubernetes";
import {
  RetentionLimit,
  bucketLimit,
  goDurationSeconds,
  judgeRetention,
  replicaBuckets,
  ttlLimit,
} from "./retention";
import { BUCKET, bucketReplication, replicationRpo } from "./s3";

export const SCHEDULE = "kubernetes:velero.io/v1:Schedule";
export const STORAGE_LOCATION = "kubernetes:velero.io/v1:BackupStorageLocation";
export const PERSISTENT_VOLUME_CLAIM = "kubernetes:core/v1:PersistentVolumeClaim";
export const PERSISTENT_VOLUME = "kubernetes:core/v1:PersistentVolume";
export const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

/** Velero's server default when a backup has no TTL: 720h (fact `veleroBackupTtl`). */
const DEFAULT_TTL_SECONDS = 720 * 3_600;

type VolumeData = "fs" | "move" | "snapshots" | "none";
const VOLUME_DATA: Record<VolumeData, string> = {
  fs: "volume data by file-system backup",
  move: "volume data by CSI snapshot data movement",
  snapshots: "volume data as EBS snapshots",
  none: "no volume data",
};

/** The resources whose backup carries a volume's data, as Velero names them (aliases resolve the same). */
const VOLUME_KINDS = {
  persistentvolumeclaims: {
    aliases: ["persistentvolumeclaims", "persistentvolumeclaim", "pvc"],
    cluster: false,
  },
  persistentvolumes: { aliases: ["persistentvolumes", "persistentvolume", "pv"], cluster: true },
  pods: { aliases: ["pods", "pod", "po"], cluster: false },
} as const;
type VolumeKind = keyof typeof VOLUME_KINDS;

/** `*` and `?` globs: Velero matches excluded names by glob (included ones only by name in older releases). */
const glob = (pattern: string, name: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  ).test(name);

/** A schedule as the rules read it: when it runs and what its backups hold. */
interface ScheduleView {
  readonly schedule: GraphResource;
  readonly component: string;
  readonly region: string | undefined;
  readonly cron: string | undefined;
  readonly paused: boolean;
  /** undefined: every namespace */
  readonly includedNamespaces: readonly string[] | undefined;
  readonly excludedNamespaces: readonly string[];
  readonly includedResources: readonly string[];
  readonly excludedResources: readonly string[];
  readonly labelSelector: Selector | undefined;
  readonly orLabelSelectors: readonly Selector[];
  readonly volumeData: VolumeData;
  /** why each kind carrying volume data is left out, if it is */
  readonly kindsLeftOut: readonly { kind: VolumeKind; why: string }[];
  readonly ttl: RetentionLimit;
  readonly read: PropertyReader;
}

function viewOf(schedule: GraphResource, region: string | undefined): ScheduleView {
  const read = new PropertyReader(schedule);
  const t = "spec.template";
  const cron = read.string("spec.schedule");
  const paused = read.get("spec.paused") === true;
  const included = stringsAt(read, `${t}.includedNamespaces`);
  const fsBackup = read.get(`${t}.defaultVolumesToFsBackup`) === true;
  const snapshotVolumes = read.get(`${t}.snapshotVolumes`);
  const moveData = read.get(`${t}.snapshotMoveData`) === true;
  const volumeData: VolumeData = fsBackup
    ? "fs"
    : snapshotVolumes === false
      ? "none"
      : moveData
        ? "move"
        : "snapshots";
  const filters = {
    includedResources: stringsAt(read, `${t}.includedResources`),
    excludedResources: stringsAt(read, `${t}.excludedResources`),
    includedNamespaceScopedResources: stringsAt(read, `${t}.includedNamespaceScopedResources`),
    excludedNamespaceScopedResources: stringsAt(read, `${t}.excludedNamespaceScopedResources`),
    includedClusterScopedResources: stringsAt(read, `${t}.includedClusterScopedResources`),
    excludedClusterScopedResources: stringsAt(read, `${t}.excludedClusterScopedResources`),
  };
  const includeClusterResources = read.get(`${t}.includeClusterResources`);
  const needed: VolumeKind[] =
    volumeData === "fs"
      ? ["persistentvolumeclaims", "persistentvolumes", "pods"]
      : ["persistentvolumeclaims", "persistentvolumes"];
  const kindsLeftOut = needed.flatMap((kind) => {
    const { aliases, cluster } = VOLUME_KINDS[kind];
    const named = (list: readonly string[]) =>
      list.some((n) => n === "*" || aliases.some((a) => a === n.toLowerCase()));
    const matched = (list: readonly string[]) =>
      list.some((n) => aliases.some((a) => glob(n.toLowerCase(), a)));
    const [scopedIn, scopedOut] = cluster
      ? (["includedClusterScopedResources", "excludedClusterScopedResources"] as const)
      : (["includedNamespaceScopedResources", "excludedNamespaceScopedResources"] as const);
    for (const [list, key] of [
      [filters.excludedResources, "excludedResources"],
      [filters[scopedOut], scopedOut],
    ] as const)
      if (matched(list)) return [{ kind, why: key }];
    for (const [list, key] of [
      [filters.includedResources, "includedResources"],
      [filters[scopedIn], scopedIn],
    ] as const)
      if (list.length > 0 && !named(list)) return [{ kind, why: `${key}: ${list.join(", ")}` }];
    if (cluster && includeClusterResources === false)
      return [{ kind, why: "includeClusterResources: false" }];
    return [];
  });
  const orLabelSelectors = read
    .list(`${t}.orLabelSelectors`)
    .flatMap((s, i) => toSelector(read, s, `${t}.orLabelSelectors[${i}]`) ?? []);
  const labelSelector = selectorAt(read, `${t}.labelSelector`);
  const ttl = read.get(`${t}.ttl`);
  let ttlSeconds = DEFAULT_TTL_SECONDS;
  let note: string | undefined = "Velero's default: spec.template.ttl is not set";
  if (ttl !== undefined && ttl !== null) {
    const parsed = typeof ttl === "string" ? goDurationSeconds(ttl) : undefined;
    if (parsed === undefined)
      throw new PostureInputError(
        schedule.urn,
        `${t}.ttl`,
        `is ${JSON.stringify(ttl)}, not a Go duration: write it like "720h" or "168h30m"`,
      );
    if (parsed !== 0) [ttlSeconds, note] = [parsed, undefined];
    else note = "Velero's default: a TTL of 0 takes it";
  }
  return {
    schedule,
    component: `Velero schedule ${schedule.name} (${region ?? "cluster region unknown"})`,
    region,
    cron,
    paused,
    includedNamespaces: included.length === 0 || included.includes("*") ? undefined : included,
    excludedNamespaces: stringsAt(read, `${t}.excludedNamespaces`),
    includedResources: filters.includedResources,
    excludedResources: filters.excludedResources,
    labelSelector: restricts(labelSelector) ? labelSelector : undefined,
    orLabelSelectors: orLabelSelectors.filter(restricts),
    volumeData,
    kindsLeftOut,
    ttl: ttlLimit(ttlSeconds, "veleroBackupTtl", note),
    read,
  };
}

const active = (v: ScheduleView) => v.cron !== undefined && !v.paused;

function includesNamespace(v: ScheduleView, namespace: string): boolean {
  return (
    (v.includedNamespaces === undefined || v.includedNamespaces.includes(namespace)) &&
    !v.excludedNamespaces.some((p) => glob(p, namespace))
  );
}

/** The parts of its own namespaces' data a schedule leaves out, in words (empty: it takes them whole). */
function leftOut(v: ScheduleView): string[] {
  const parts: string[] = [];
  if (v.labelSelector && v.orLabelSelectors.length > 0)
    parts.push("everything: Velero rejects a backup that sets both labelSelector and orLabelSelectors");
  else if (v.labelSelector)
    parts.push(`objects its labelSelector (${describeSelector(v.labelSelector)}) does not select`);
  else if (v.orLabelSelectors.length > 0)
    parts.push(
      `objects none of its orLabelSelectors (${v.orLabelSelectors.map(describeSelector).join("; ")}) select`,
    );
  if (v.volumeData === "none")
    parts.push("volume data (snapshotVolumes: false without defaultVolumesToFsBackup)");
  else if (v.kindsLeftOut.length > 0) {
    const byWhy = new Map<string, string[]>();
    for (const { kind, why } of v.kindsLeftOut) byWhy.set(why, [...(byWhy.get(why) ?? []), kind]);
    parts.push(`volume data: ${[...byWhy].map(([why, kinds]) => `${listed(kinds)} (${why})`).join("; ")}`);
  }
  return parts;
}

/** `every namespace except kube-system, every resource kind, volume data by file-system backup` */
function scopeOf(v: ScheduleView): string {
  const except = (list: readonly string[]) => (list.length > 0 ? ` except ${list.join(", ")}` : "");
  const namespaces =
    v.includedNamespaces === undefined
      ? "every namespace"
      : `namespace${v.includedNamespaces.length > 1 ? "s" : ""} ${v.includedNamespaces.join(", ")}`;
  const kinds =
    v.includedResources.length === 0 || v.includedResources.includes("*")
      ? "every resource kind"
      : `resource kinds ${v.includedResources.join(", ")}`;
  const labels = v.labelSelector
    ? `, only objects labelled ${describeSelector(v.labelSelector)}`
    : v.orLabelSelectors.length > 0
      ? `, only objects labelled ${v.orLabelSelectors.map(describeSelector).join(" or ")}`
      : "";
  return `${namespaces}${except(v.excludedNamespaces)}, ${kinds}${except(v.excludedResources)}${labels}, ${VOLUME_DATA[v.volumeData]}`;
}

/** What a restore from one schedule's backups achieves for one disruption. */
interface Bound {
  readonly rpoSeconds: number;
  readonly rto: RtoTerms | number;
  readonly lines: string[];
  readonly facts: FactKey[];
  readonly basis: string[];
  readonly unknown: string[];
}
type BackupDisruption = "software" | "zone" | "region";

/** Where a schedule's backups go: its storage location (matched in its own cluster first) and bucket. */
function storageOf(context: RuleContext, v: ScheduleView) {
  const { index } = context;
  const locationName = v.read.string("spec.template.storageLocation") ?? "default";
  // Both clusters may name their location alike ("default"): match the schedule's cluster first.
  const locations = index.memo("velero:locations", () => {
    const byKey = new Map<string, GraphResource>();
    for (const l of index.ofType(STORAGE_LOCATION)) {
      const name = new PropertyReader(l).string("metadata.name");
      if (name === undefined) continue;
      for (const key of [`${index.regionOf(l) ?? ""}/${name}`, `*/${name}`])
        if (!byKey.has(key)) byKey.set(key, l);
    }
    return byKey;
  });
  const location = locations.get(`${v.region ?? ""}/${locationName}`) ?? locations.get(`*/${locationName}`);
  const lr = location ? new PropertyReader(location) : undefined;
  const locationRegion = lr?.string("spec.config.region");
  const bucket: GraphResource | undefined = location
    ? index.dependenciesOf(location, "spec", BUCKET)[0]
    : undefined;
  return {
    locationName,
    location,
    locationRegion,
    bucket,
    basis: [v.schedule.urn, ...(location ? [location.urn] : []), ...(bucket ? [bucket.urn] : [])],
    unknown: [...v.read.unknown, ...(lr?.unknown ?? [])],
  };
}

/** What an active schedule's backups achieve per disruption (computed once per schedule and graph). */
function protection(context: RuleContext, v: ScheduleView): Record<BackupDisruption, Bound> {
  const { index, policy } = context;
  const memo = index.memo("velero:protection", () => new Map<string, Record<BackupDisruption, Bound>>());
  const known = memo.get(v.schedule.urn);
  if (known) return known;
  const e = policy.estimates;
  const { schedule } = v;
  const cron = v.cron as string;
  const gap = scheduleGapSeconds(schedule, "spec.schedule", cron);
  const gapLine = `Backups run on "${cron}": the longest gap between two runs is ${gap} s (${formatDuration(gap)}), the data a restore can lose.`;
  const restore = manualRecovery(
    e,
    restoreTerm("velero", e.veleroRestoreSeconds, "velero restore, estimate `veleroRestoreSeconds`"),
  );
  const { locationName, location, locationRegion, bucket, basis, unknown } = storageOf(context, v);
  const unseenBucket = bucket
    ? []
    : [
        `The bucket of storage location "${locationName}" is not in this stack: only the TTL is judged, not a lifecycle rule there.`,
      ];
  const kept = judgeRetention(
    [v.ttl, ...(bucket ? [bucketLimit(context, bucket, true)] : [])],
    gap,
    e.incidentDetectionSeconds,
  );
  const base = { basis: [...basis, ...kept.basis], unknown: [...unknown, ...kept.unknown] };
  const fromBackup = (lines: string[], facts: FactKey[]): Bound => ({
    rpoSeconds: kept.kept ? gap : Infinity,
    rto: kept.kept ? restore : Infinity,
    lines: [...lines, gapLine, ...kept.lines, ...unseenBucket],
    facts: [...facts, ...kept.facts],
    ...base,
  });

  // Region: backups must live, or be replicated, outside the cluster's region, with the volume data.
  const regionLines: string[] = [];
  const regionFacts: FactKey[] = ["veleroSchedule", "veleroRegionBoundSnapshots"];
  const regionBasis = [...base.basis];
  const regionUnknown = [...base.unknown];
  let regionLimits: RetentionLimit[] = [];
  let rpo = Infinity;
  if (!location) {
    regionLines.push(
      `Storage location "${locationName}" is not in this stack: drkit cannot see where the backups go, so it assumes they stay in the region.`,
    );
  } else {
    if (locationRegion && v.region && locationRegion !== v.region) {
      rpo = gap;
      regionLines.push(
        `Storage location "${locationName}" is in ${locationRegion}, outside the cluster's ${v.region}.`,
      );
    } else {
      const replication = bucket ? bucketReplication(context, bucket) : undefined;
      regionBasis.push(...(replication?.basis ?? []));
      regionUnknown.push(...(replication?.unknown ?? []));
      const replicated = replicationRpo(replication, locationRegion);
      regionLines.push(
        `Storage location "${locationName}" is in the cluster's own region (${locationRegion ?? v.region ?? "unknown"}). ${bucket ? `Its bucket ${bucket.name}: ${replicated.line}` : "Its bucket is not in this stack, so its replication cannot be seen."}`,
      );
      regionFacts.push(...replicated.facts);
      if (bucket && Number.isFinite(replicated.rpoSeconds)) {
        rpo = gap + replicated.rpoSeconds;
        regionLines.push(
          `Region RPO = backup gap ${gap} s + replication ${replicated.rpoSeconds} s = ${rpo} s.`,
        );
        // The copies a region restore reads are the replica's: its lifecycle must keep them too.
        regionLimits = replicaBuckets(index, bucket).map((replica) => bucketLimit(context, replica, true));
      }
    }
    if (v.volumeData === "snapshots" && Number.isFinite(rpo)) {
      rpo = Infinity;
      regionLines.push(
        "Volume data is taken as EBS snapshots, which cannot be restored in another region: turn on defaultVolumesToFsBackup or snapshotMoveData.",
      );
    } else if (v.volumeData === "fs" || v.volumeData === "move") {
      regionLines.push(
        "Volume data goes into the backup (file-system backup or snapshot data movement), so it can be restored in another region.",
      );
    }
  }
  const replicaKept = judgeRetention(regionLimits, gap, e.incidentDetectionSeconds);
  const regionKept = kept.kept && replicaKept.kept;
  if (!regionKept) rpo = Infinity;
  const result: Record<BackupDisruption, Bound> = {
    software: fromBackup([], ["veleroSchedule", "veleroBackupTtl"]),
    zone: fromBackup(
      ["Volumes are zonal: a zone loss is recovered from the latest backup, in the same region."],
      ["veleroSchedule", "veleroBackupTtl", "kubernetesVolumesOutliveNodes"],
    ),
    region: {
      rpoSeconds: rpo,
      rto: Number.isFinite(rpo) ? restore : Infinity,
      lines: [gapLine, ...kept.lines, ...replicaKept.lines, ...unseenBucket, ...regionLines],
      facts: [...regionFacts, "veleroBackupTtl", ...kept.facts, ...replicaKept.facts],
      basis: [...regionBasis, ...replicaKept.basis],
      unknown: [...regionUnknown, ...replicaKept.unknown],
    },
  };
  memo.set(schedule.urn, result);
  return result;
}

/** Active schedules by cluster region (a schedule whose region is unknown covers nothing it can be matched to). */
function schedulesByRegion(context: RuleContext): Map<string, ScheduleView[]> {
  const { index } = context;
  return index.memo("velero:schedules-by-region", () => {
    const byRegion = new Map<string, ScheduleView[]>();
    for (const schedule of index.ofType(SCHEDULE)) {
      const region = index.regionOf(schedule);
      if (region === undefined) continue;
      byRegion.set(region, [...(byRegion.get(region) ?? []), viewOf(schedule, region)]);
    }
    return byRegion;
  });
}

const worse = (a: Bound, b: Bound) =>
  a.rpoSeconds > b.rpoSeconds || (a.rpoSeconds === b.rpoSeconds && rtoSeconds(a.rto) > rtoSeconds(b.rto));

function scheduleEstimates(context: RuleContext, schedule: GraphResource): Estimate[] {
  const { index, policy } = context;
  const e = policy.estimates;
  const region = index.regionOf(schedule);
  const v =
    (region === undefined
      ? undefined
      : schedulesByRegion(context)
          .get(region)
          ?.find((s) => s.schedule === schedule)) ?? viewOf(schedule, region);
  const { component } = v;
  const subject = schedule.urn;
  const estimate = (
    disruption: Estimate["disruption"],
    bound: Omit<Bound, "basis"> & { basis: string[] },
  ) => ({
    component,
    subject,
    disruption,
    ...bound,
  });

  if (!active(v)) {
    const why = v.paused
      ? "The schedule is paused: no new backups are taken."
      : "The schedule has no cron: no backups are taken.";
    return (["software", "zone", "region"] as const).map((disruption) =>
      estimate(disruption, {
        rpoSeconds: Infinity,
        rto: Infinity,
        lines: [why],
        facts: ["veleroSchedule"],
        basis: storageOf(context, v).basis,
        unknown: v.read.unknown,
      }),
    );
  }
  const scope = `Backs up ${scopeOf(v)}.`;
  const parts = leftOut(v);
  const own = protection(context, v);
  // What a partial schedule leaves out is bounded only by a schedule of the same cluster that takes all
  // of its namespaces whole: the best of them.
  const relief =
    parts.length === 0
      ? undefined
      : (schedulesByRegion(context).get(v.region ?? "") ?? [])
          .filter(
            (o) =>
              o !== v &&
              active(o) &&
              leftOut(o).length === 0 &&
              (v.includedNamespaces === undefined
                ? o.includedNamespaces === undefined &&
                  o.excludedNamespaces.every((ns) => v.excludedNamespaces.includes(ns))
                : v.includedNamespaces.every(
                    (ns) => v.excludedNamespaces.some((p) => glob(p, ns)) || includesNamespace(o, ns),
                  )),
          )
          .map((o) => ({ o, p: protection(context, o) }))
          .reduce<{ o: ScheduleView; p: Record<BackupDisruption, Bound> } | undefined>(
            (best, c) => (best === undefined || worse(best.p.software, c.p.software) ? c : best),
            undefined,
          );
  const estimates: Estimate[] = (["software", "zone", "region"] as const).map((disruption) => {
    const mine = own[disruption];
    if (parts.length === 0) return estimate(disruption, { ...mine, lines: [scope, ...mine.lines] });
    const what = `Leaves out ${parts.join("; ")}`;
    if (!relief)
      return estimate(disruption, {
        rpoSeconds: Infinity,
        rto: Infinity,
        lines: [
          scope,
          `${what}: no other schedule of the cluster backs up all of its namespaces, so that part has no bound.`,
        ],
        facts: ["veleroSchedule", "veleroResourceFilters"],
        basis: mine.basis,
        unknown: v.read.unknown,
      });
    const theirs = relief.p[disruption];
    const bounding = worse(theirs, mine) ? theirs : mine;
    return estimate(disruption, {
      rpoSeconds: Math.max(mine.rpoSeconds, theirs.rpoSeconds),
      rto: bounding.rto,
      lines: [
        scope,
        `${what}: ${relief.o.component} backs up all of its namespaces, so that part is bounded by it (RPO ${Number.isFinite(theirs.rpoSeconds) ? `${theirs.rpoSeconds} s` : "no bound"}).`,
        ...mine.lines,
      ],
      facts: [...new Set<FactKey>([...mine.facts, ...theirs.facts, "veleroResourceFilters"])],
      basis: [...mine.basis, ...theirs.basis],
      unknown: [...mine.unknown, ...theirs.unknown],
    });
  });
  estimates.push(
    estimate("hardware", {
      rpoSeconds: 0,
      rto: nodeLossRecovery(e),
      lines: [NODE_LOSS_LINE],
      facts: ["kubernetesVolumesOutliveNodes", "kubernetesNodeOutOfService"],
      basis: [subject],
      unknown: [],
    }),
  );
  return estimates;
}

// --- Kubernetes data holders

const HOLDERS: Readonly<Record<string, string>> = {
  [PERSISTENT_VOLUME_CLAIM]: "PersistentVolumeClaim",
  [PERSISTENT_VOLUME]: "PersistentVolume",
  [STATEFUL_SET]: "StatefulSet",
};

interface Holder {
  readonly resource: GraphResource;
  readonly component: string;
  readonly namespace: string | undefined;
  /** the label sets a selector must select: the object's own, or a StatefulSet's pods' and claims' */
  readonly labelSets: readonly Labels[];
  readonly labelsOf: string;
  /** a local or hostPath volume dies with its node */
  readonly local: boolean;
  readonly unknown: string[];
}

function holderOf(resource: GraphResource, kind: string, region: string): Holder {
  const read = new PropertyReader(resource);
  const name = read.string("metadata.name") ?? resource.name;
  if (resource.type === PERSISTENT_VOLUME) {
    const namespace = read.string("spec.claimRef.namespace");
    return {
      resource,
      component: `${kind} ${name} (${region})`,
      namespace,
      labelSets: [labelsAt(read, "metadata.labels")],
      labelsOf: "its labels do not match",
      local: read.get("spec.local") != null || read.get("spec.hostPath") != null,
      unknown: read.unknown,
    };
  }
  const namespace = namespaceOf(resource, read);
  const statefulSet = resource.type === STATEFUL_SET;
  const selector = labelsAt(read, "spec.selector.matchLabels");
  return {
    resource,
    component: `${kind} ${namespace ?? "(namespace unknown)"}/${name} (${region})`,
    namespace,
    // The StatefulSet controller labels each claim with its template's labels and the set's selector.
    labelSets: statefulSet
      ? [
          labelsAt(read, "spec.template.metadata.labels"),
          ...read.list("spec.volumeClaimTemplates").map((t, i) => ({
            ...labelsAt(read, "metadata.labels", t, `spec.volumeClaimTemplates[${i}].metadata.labels`),
            ...selector,
          })),
        ]
      : [labelsAt(read, "metadata.labels")],
    labelsOf: statefulSet
      ? "the labels of its pods or volume claim templates do not match"
      : "its labels do not match",
    local: false,
    unknown: [...read.unknown],
  };
}

type Coverage = { covered: true; how: string } | { covered: false; why: string };

/** Whether a schedule's backups hold the holder's volume data, and how or why not. */
function coverage(v: ScheduleView, h: Holder): Coverage {
  const no = (why: string): Coverage => ({ covered: false, why });
  if (v.paused) return no("is paused");
  if (v.cron === undefined) return no("has no cron");
  const ns = h.namespace;
  if (ns === undefined) return no("may leave out its namespace, which is unknown");
  if (v.excludedNamespaces.some((p) => glob(p, ns)))
    return no(`leaves out namespace ${ns} (excludedNamespaces)`);
  if (!includesNamespace(v, ns))
    return no(`leaves out namespace ${ns} (includedNamespaces: ${(v.includedNamespaces ?? []).join(", ")})`);
  const parts = leftOut(v);
  if (v.labelSelector && v.orLabelSelectors.length > 0) return no(`leaves out ${parts[0]}`);
  if (v.volumeData === "none" || v.kindsLeftOut.length > 0)
    return no(`leaves out ${parts[parts.length - 1]}`);
  const selectors = v.labelSelector ? [v.labelSelector] : v.orLabelSelectors;
  const labelled = selectors.map(describeSelector).join(" or ");
  if (selectors.length > 0 && !h.labelSets.every((labels) => selectors.some((s) => selects(s, labels))))
    return no(`selects only objects labelled ${labelled}, and ${h.labelsOf}`);
  return {
    covered: true,
    how: `namespace ${ns}${selectors.length > 0 ? `, objects labelled ${labelled}` : ""}, ${VOLUME_DATA[v.volumeData]}`,
  };
}

function holderEstimates(context: RuleContext, resource: GraphResource): Estimate[] {
  const { index, policy } = context;
  const kind = HOLDERS[resource.type] as string;
  const holds = dataHoldingKind(resource.type)?.holds ?? "data";
  const region = index.regionOf(resource);
  if (region === undefined) {
    context.notAssessed(
      resource,
      `it holds ${holds}, and its cluster is unknown (no \`${REGION_LABEL}\` label): drkit cannot tell which Velero schedule backs it up`,
    );
    return [];
  }
  const h = holderOf(resource, kind, region);
  if (resource.type === PERSISTENT_VOLUME && h.namespace === undefined && h.unknown.length === 0) {
    context.notAssessed(
      resource,
      `it holds ${holds} and is bound to no claim (spec.claimRef): Velero backs up a volume's data through the claim that uses it`,
    );
    return [];
  }
  const candidates = schedulesByRegion(context).get(region) ?? [];
  if (candidates.length === 0) {
    context.notAssessed(
      resource,
      `it holds ${holds}, and no Velero schedule runs in its cluster (${region}): add one that covers namespace ${h.namespace ?? "(unknown)"}`,
    );
    return [];
  }
  const judged = candidates.map((v) => ({ v, c: coverage(v, h) }));
  const covering = judged.flatMap(({ v, c }) =>
    c.covered ? [{ v, how: c.how, p: protection(context, v) }] : [],
  );
  const base = { component: h.component, subject: resource.urn };
  if (covering.length === 0) {
    if (h.unknown.length === 0) {
      context.notAssessed(
        resource,
        `no Velero schedule of its cluster (${region}) covers it: ${judged.map(({ v, c }) => `${v.schedule.name} ${c.covered ? "covers it" : c.why}`).join("; ")}`,
      );
      return [];
    }
    // Which schedule covers it depends on values known only after deploy.
    return (["software", "hardware", "zone", "region"] as const).map((disruption) => ({
      ...base,
      basis: [resource.urn],
      disruption,
      rpoSeconds: Infinity,
      rto: Infinity,
      lines: ["Whether a Velero schedule backs it up depends on values unknown until deploy."],
      facts: ["veleroResourceFilters"],
      unknown: h.unknown,
    }));
  }
  const best = (disruption: BackupDisruption) =>
    covering.reduce((b, c) => (worse(b.p[disruption], c.p[disruption]) ? c : b));
  const fromBackup = (disruption: BackupDisruption, lead: string[] = []): Omit<Estimate, "disruption"> => {
    const { v, how, p } = best(disruption);
    const bound = p[disruption];
    return {
      ...base,
      basis: [resource.urn, ...bound.basis],
      rpoSeconds: bound.rpoSeconds,
      rto: bound.rto,
      lines: [`Backed up by ${v.component}: ${how}.`, ...lead, ...bound.lines],
      facts: [...new Set<FactKey>([...bound.facts, "veleroResourceFilters"])],
      unknown: [...h.unknown, ...bound.unknown],
    };
  };
  const e = policy.estimates;
  return [
    { disruption: "software", ...fromBackup("software") },
    { disruption: "zone", ...fromBackup("zone") },
    { disruption: "region", ...fromBackup("region") },
    h.local
      ? {
          disruption: "hardware",
          ...fromBackup("software", [
            "A local volume (spec.local or spec.hostPath) dies with its node: it is restored from the latest backup.",
          ]),
        }
      : {
          ...base,
          basis: [resource.urn],
          disruption: "hardware",
          rpoSeconds: 0,
          rto: nodeLossRecovery(e),
          lines: [NODE_LOSS_LINE],
          facts: ["kubernetesVolumesOutliveNodes", "kubernetesNodeOutOfService"],
          unknown: h.unknown,
        },
  ];
}

/**
 * A lost node's pods keep their volumes: a volume outlives the node. But a pod with a ReadWriteOnce volume
 * does not move by itself while its node is unreachable: someone must mark the node out of service (or
 * delete it, or force-delete a StatefulSet's pods) before the volume is detached and re-attached.
 */
const NODE_LOSS_LINE =
  "Volumes outlive the node they were attached to: a node loss loses nothing. But pods holding a ReadWriteOnce volume on an unreachable node are not moved until an operator marks the node out of service (or deletes it), so the recovery is manual.";

function nodeLossRecovery(e: ActionEstimates): RtoTerms {
  return manualRecovery(
    e,
    term(
      e.podRescheduleSeconds,
      "mark the lost node out of service; pods rescheduled, volumes re-attached, estimate `podRescheduleSeconds`",
    ),
  );
}

export const veleroRule: Rule = (context) => [
  ...context.service.resources
    .filter((r) => r.type === SCHEDULE)
    .flatMap((s) => scheduleEstimates(context, s)),
  ...context.service.resources
    .filter((r) => Object.prototype.hasOwnProperty.call(HOLDERS, r.type))
    .flatMap((r) => holderEstimates(context, r)),
];
