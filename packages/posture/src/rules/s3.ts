// S3 buckets: versioning and Object Lock for software disruptions (while lifecycle rules still keep the
// previous version), S3's own multi-AZ storage for hardware and zone, cross-region replication of every
// object (with or without RTC) for region.
import type { GraphResource, JsonValue } from "../graph";
import { UNKNOWN_VALUE } from "../graph";
import { PropertyReader, valueAt } from "../graphIndex";
import { Estimate, term, NO_TIME } from "../estimate";
import type { FactKey } from "../facts";
import { absorbed, manualRecovery, Rule, RuleContext } from "./context";
import { BACKUP_OF_ANNOTATION } from "../labels";

export const BUCKET = "aws:s3/bucket:Bucket";
export const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
export const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
// Kinds whose buckets are backup stores (named here to keep this module free of import cycles).
const STORAGE_LOCATION = "kubernetes:velero.io/v1:BackupStorageLocation";
const CRON_JOB = "kubernetes:batch/v1:CronJob";

/** A CronJob that says which Redis it backs up (`drkit.dev/backup-of`). */
function isBackupJob(job: GraphResource): boolean {
  const annotations = valueAt(job.properties, "metadata.annotations");
  return (
    typeof annotations === "object" &&
    annotations !== null &&
    !Array.isArray(annotations) &&
    typeof annotations[BACKUP_OF_ANNOTATION] === "string"
  );
}

/** Lifecycle days are whole days: S3 acts at the first midnight UTC after that many days, never sooner. */
const DAY_SECONDS = 86_400;

// --- which objects a rule applies to

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
const days = (n: number) => `${n} day${n === 1 ? "" : "s"}`;
const daysArithmetic = (n: number) => `${n} × ${DAY_SECONDS} s = ${n * DAY_SECONDS} s`;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** A rule's `id`, or its place in its configuration when it has none (an id unknown in preview changes nothing). */
function ruleName(rule: JsonValue, index: number, config: GraphResource): string {
  const id = valueAt(rule, "id");
  return typeof id === "string" && id !== "" && id !== UNKNOWN_VALUE ? id : `#${index + 1} of ${config.name}`;
}

/**
 * The objects a replication or lifecycle rule applies to, in words; `undefined`: every object. Reads the
 * rule's `filter` (`prefix`, `tag`, `objectSizeGreaterThan`/`LessThan`, or an `and` of them) and the
 * legacy rule-level `prefix`; an empty filter or prefix matches every object. A prefix unknown in preview
 * is recorded on `read`, so the estimate that needed it is not judged.
 */
function ruleScope(read: PropertyReader, rule: JsonValue, at: string): string | undefined {
  if (valueAt(rule, "filter") === UNKNOWN_VALUE) {
    read.get("filter", rule, `${at}.filter`);
    return "the objects of a filter unknown until deploy";
  }
  const text = (path: string) => {
    const v = read.get(path, rule, `${at}.${path}`);
    return typeof v === "string" && v !== "" ? v : undefined;
  };
  const size = (path: string) => {
    const v = read.get(path, rule, `${at}.${path}`);
    return typeof v === "number" ? v : undefined;
  };
  const prefix = text("filter.prefix") ?? text("filter.and.prefix") ?? text("prefix");
  const tags: string[] = [];
  // A tag filter scopes the rule whatever its value, so a value unknown in preview changes no verdict.
  const shown = (v: unknown) => (v === UNKNOWN_VALUE ? "(unknown until deploy)" : String(v));
  const tag = valueAt(rule, "filter.tag");
  if (isRecord(tag)) tags.push(`${shown(tag.key)}=${shown(tag.value)}`);
  const andTags = valueAt(rule, "filter.and.tags");
  if (isRecord(andTags)) for (const [k, v] of Object.entries(andTags)) tags.push(`${k}=${shown(v)}`);
  const larger = size("filter.objectSizeGreaterThan") ?? size("filter.and.objectSizeGreaterThan");
  const smaller = size("filter.objectSizeLessThan") ?? size("filter.and.objectSizeLessThan");
  if (prefix === undefined && tags.length === 0 && larger === undefined && smaller === undefined)
    return undefined;
  return [
    prefix === undefined ? "objects" : `keys under prefix \`${prefix}\``,
    ...(tags.length > 0 ? [`tagged ${tags.map((t) => `\`${t}\``).join(", ")}`] : []),
    ...(larger === undefined ? [] : [`larger than ${larger} bytes`]),
    ...(smaller === undefined ? [] : [`smaller than ${smaller} bytes`]),
  ].join(" ");
}

// --- replication

/** One rule of a bucket's replication configuration, as the model reads it. */
export interface ReplicationRuleReading {
  /** the rule's `id`, or `#n of <config name>` */
  readonly name: string;
  /** URN of the replication configuration that holds it */
  readonly config: string;
  readonly enabled: boolean;
  /** the objects it copies, in words; `undefined`: every object */
  readonly scope: string | undefined;
  /** URNs of the buckets it may copy to (those in the stack) */
  readonly destinations: readonly string[];
  /** the regions of those buckets, where known */
  readonly destinationRegions: readonly string[];
  /** enabled, and every bucket it may copy to is known to be in another region than the source */
  readonly crossRegion: boolean;
  readonly rtc: boolean;
  readonly deleteMarkers: boolean;
}

export interface BucketReplication {
  /** some enabled rule copies to a bucket in another region (of some or all objects: see `wholeBucket`) */
  readonly crossRegion: boolean;
  /** the other regions enabled rules copy to */
  readonly destinationRegions: string[];
  /** every enabled rule has RTC */
  readonly rtc: boolean;
  /** some enabled rule replicates delete markers */
  readonly deleteMarkers: boolean;
  /** an enabled rule without a filter copies every object to another region */
  readonly wholeBucket: boolean;
  /** every rule of every replication configuration, enabled or not, in order */
  readonly rules: readonly ReplicationRuleReading[];
  readonly unknown: string[];
  /** the replication configs and destination buckets read */
  readonly basis: string[];
}

/** A bucket's ARN as a replication destination names it. */
function bucketArns(bucket: GraphResource): string[] {
  const { arn, bucket: name } = bucket.properties;
  return [
    ...(typeof arn === "string" ? [arn] : []),
    ...(typeof name === "string" ? [`arn:aws:s3:::${name}`] : []),
  ];
}

/** How a bucket replicates, read from the replication configs whose `bucket` input is computed from it. */
export function bucketReplication(
  context: RuleContext,
  bucket: GraphResource,
): BucketReplication | undefined {
  const { index } = context;
  const configs = index.dependentsOf(bucket.urn, REPLICATION, "bucket");
  if (configs.length === 0) return undefined;
  const sourceRegion = index.regionOf(bucket);
  const unknown: string[] = [];
  const basis: string[] = [];
  const rules: ReplicationRuleReading[] = [];
  for (const config of configs) {
    basis.push(config.urn);
    const read = new PropertyReader(config);
    // The graph links a config's `rules` input to every destination; a rule's own destination is the one
    // whose ARN it names, when that ARN is known, else any of them.
    const destinations = index.dependenciesOf(config, "rules", BUCKET);
    basis.push(...destinations.map((d) => d.urn));
    for (const [i, rule] of read.list("rules").entries()) {
      const at = `rules[${i}]`;
      const name = ruleName(rule, i, config);
      const enabled = read.string("status", rule, `${at}.status`) === "Enabled";
      if (!enabled) {
        rules.push({
          name,
          config: config.urn,
          enabled,
          scope: undefined,
          destinations: [],
          destinationRegions: [],
          crossRegion: false,
          rtc: false,
          deleteMarkers: false,
        });
        continue;
      }
      const target = valueAt(rule, "destination.bucket");
      const named = destinations.filter((d) => typeof target === "string" && bucketArns(d).includes(target));
      const candidates = named.length > 0 ? named : destinations;
      const regions = candidates.map((d) => index.regionOf(d));
      rules.push({
        name,
        config: config.urn,
        enabled,
        scope: ruleScope(read, rule, at),
        destinations: candidates.map((d) => d.urn),
        destinationRegions: [...new Set(regions.filter((r): r is string => r !== undefined))],
        crossRegion:
          sourceRegion !== undefined &&
          candidates.length > 0 &&
          regions.every((r) => r !== undefined && r !== sourceRegion),
        rtc:
          read.string(
            "destination.replicationTime.status",
            rule,
            `${at}.destination.replicationTime.status`,
          ) === "Enabled",
        deleteMarkers:
          read.string("deleteMarkerReplication.status", rule, `${at}.deleteMarkerReplication.status`) ===
          "Enabled",
      });
    }
    unknown.push(...read.unknown);
  }
  const enabled = rules.filter((r) => r.enabled);
  const crossRegion = enabled.filter((r) => r.crossRegion);
  return {
    crossRegion: crossRegion.length > 0,
    destinationRegions: [...new Set(crossRegion.flatMap((r) => r.destinationRegions))],
    rtc: enabled.length > 0 && enabled.every((r) => r.rtc),
    deleteMarkers: enabled.some((r) => r.deleteMarkers),
    wholeBucket: crossRegion.some((r) => r.scope === undefined),
    rules,
    unknown,
    basis,
  };
}

const ruleList = (rules: readonly ReplicationRuleReading[]) =>
  `rule${rules.length > 1 ? "s" : ""} ${list(rules.map((r) => `\`${r.name}\``))}`;
const regionsOf = (rules: readonly ReplicationRuleReading[]) =>
  [...new Set(rules.flatMap((r) => r.destinationRegions))].join(", ");

/**
 * Replication's contribution to a region RPO, with its reasons. Bounded only when every object is copied
 * out of the region (an enabled cross-region rule without a filter), and then by the worst rule that
 * copies objects out: 900 s when every one of them has RTC. `lines` name every rule that does not count
 * (disabled, within the region) before the verdict; `line` is them all as one sentence run.
 */
export function replicationRpo(replication: BucketReplication | undefined, sourceRegion: string | undefined) {
  const here = sourceRegion ?? "its region";
  const rules = replication?.rules ?? [];
  const lines: string[] = [];
  for (const r of rules) {
    if (!r.enabled) lines.push(`Replication rule \`${r.name}\` is disabled: it copies nothing.`);
    else if (!r.crossRegion)
      lines.push(
        r.destinations.length > 0 &&
          r.destinationRegions.length > 0 &&
          r.destinationRegions.every((d) => d === sourceRegion)
          ? `Replication rule \`${r.name}\` copies to ${r.destinationRegions.join(", ")}, the bucket's own region: that copy does not survive a region loss.`
          : r.destinations.length === 0
            ? `Replication rule \`${r.name}\` copies to a bucket that is not in this stack: drkit cannot see that it leaves ${here}, so it does not count that copy.`
            : `Replication rule \`${r.name}\` may copy to ${r.destinationRegions.length > 0 ? `a bucket in ${r.destinationRegions.join(" or ")}` : "a bucket of unknown region"}, which drkit cannot place outside ${here}: it does not count that copy.`,
      );
  }
  const scoped = rules.some((r) => !r.enabled || r.scope !== undefined);
  const result = (rpoSeconds: number, verdict: string, facts: FactKey[]) => {
    const all = [...lines, verdict];
    return {
      rpoSeconds,
      line: all.join(" "),
      lines: all,
      facts: [
        ...facts,
        ...(scoped && !facts.includes("s3ReplicationScope") ? ["s3ReplicationScope" as const] : []),
      ],
    };
  };
  const covering = rules.filter((r) => r.enabled && r.crossRegion);
  if (!replication || covering.length === 0) {
    return result(
      Infinity,
      `No enabled replication rule copies it out of ${here}: a region loss loses it.`,
      [],
    );
  }
  if (!replication.wholeBucket) {
    const [only] = covering;
    return result(
      Infinity,
      covering.length === 1 && only
        ? `Replication rule \`${only.name}\` replicates only ${only.scope ?? "part of the bucket"} to ${regionsOf(covering)}: every other object has no copy outside ${here}, so the RPO has no bound.`
        : `Replication rules ${list(covering.map((r) => `\`${r.name}\` (${r.scope ?? "every object"})`))} replicate only part of the bucket to ${regionsOf(covering)}: every other object has no copy outside ${here}, so the RPO has no bound.`,
      ["s3ReplicationScope"],
    );
  }
  const to = replication.destinationRegions.join(", ");
  // S3 applies every rule, and where several copy to one destination only the highest-priority one: an
  // object may travel under any covering rule, so the worst of them bounds the bucket.
  const slow = covering.filter((r) => !r.rtc);
  if (slow.length === 0) {
    return result(
      900,
      `Replicated to ${to} with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      ["s3Rtc"],
    );
  }
  if (slow.length === covering.length) {
    return result(
      Infinity,
      `Replicated to ${to} without Replication Time Control: nothing bounds the lag, so the RPO has no bound.`,
      ["s3NoRtc"],
    );
  }
  const named = slow.map((r) => `\`${r.name}\` (${r.scope ?? "every object"})`);
  return result(
    Infinity,
    `Replication rule${slow.length > 1 ? "s" : ""} ${list(named)} cop${slow.length > 1 ? "y" : "ies"} to ${regionsOf(slow)} without Replication Time Control: nothing bounds the lag of the objects ${slow.length > 1 ? "they copy" : "it copies"}, so the RPO has no bound.`,
    ["s3NoRtc", "s3ReplicationScope"],
  );
}

/** The delete-marker line for the rules that copy out of the region. */
function deleteMarkerLine(covering: readonly ReplicationRuleReading[]): string {
  const yes = covering.filter((r) => r.deleteMarkers);
  const no = covering.filter((r) => !r.deleteMarkers);
  if (no.length === 0)
    return "Delete markers are replicated (outside the RTC SLA): a delete in the source also hides the object in the replica.";
  if (yes.length === 0)
    return "Delete markers are not replicated: a delete in the source leaves the replica's copy visible.";
  return `Delete markers are replicated by ${ruleList(yes)} (outside the RTC SLA) but not by ${ruleList(no)}: a delete in the source hides the replica's copy only where ${ruleList(yes)} cop${yes.length > 1 ? "y" : "ies"} it.`;
}

// --- lifecycle

interface LifecycleRuleReading {
  readonly name: string;
  readonly scope: string | undefined;
  /**
   * `noncurrentVersionExpiration.noncurrentDays`; absent beside `newerNoncurrentVersions`: no minimum age;
   * absent alone: 0 (the version may go at once)
   */
  readonly noncurrentDays?: number;
  readonly newerNoncurrentVersions?: number;
  /** `expiration.days` of current versions */
  readonly expirationDays?: number;
  /** `expiration.date` of current versions */
  readonly expirationDate?: string;
}

interface BucketLifecycle {
  /** the enabled rules whose values are known */
  readonly rules: LifecycleRuleReading[];
  readonly unknown: string[];
  /** the lifecycle configurations read */
  readonly basis: string[];
}

/**
 * A bucket's enabled lifecycle rules, read from the lifecycle configurations whose `bucket` input is
 * computed from it. A rule with a value unknown in preview is left out and its value listed in `unknown`.
 */
function bucketLifecycle(context: RuleContext, bucket: GraphResource): BucketLifecycle {
  const rules: LifecycleRuleReading[] = [];
  const unknown: string[] = [];
  const configs = context.index.dependentsOf(bucket.urn, LIFECYCLE, "bucket");
  for (const config of configs) {
    const read = new PropertyReader(config);
    for (const [i, rule] of read.list("rules").entries()) {
      const at = `rules[${i}]`;
      const before = read.unknown.length;
      if (read.string("status", rule, `${at}.status`) !== "Enabled") continue;
      const number = (path: string) => read.number(path, rule, `${at}.${path}`);
      const hasNoncurrent = isRecord(
        read.get("noncurrentVersionExpiration", rule, `${at}.noncurrentVersionExpiration`),
      );
      const reading: LifecycleRuleReading = {
        name: ruleName(rule, i, config),
        scope: ruleScope(read, rule, at),
        noncurrentDays: hasNoncurrent ? number("noncurrentVersionExpiration.noncurrentDays") : undefined,
        newerNoncurrentVersions: hasNoncurrent
          ? number("noncurrentVersionExpiration.newerNoncurrentVersions")
          : undefined,
        expirationDays: number("expiration.days"),
        expirationDate: read.string("expiration.date", rule, `${at}.expiration.date`),
      };
      if (read.unknown.length > before) continue;
      rules.push(
        hasNoncurrent && reading.noncurrentDays === undefined && reading.newerNoncurrentVersions === undefined
          ? { ...reading, noncurrentDays: 0 }
          : reading,
      );
    }
    unknown.push(...read.unknown);
  }
  return { rules, unknown, basis: configs.map((c) => c.urn) };
}

/** The noncurrent-version expiry that keeps a replaced version the shortest time, in seconds. */
function shortestNoncurrentKeep(lifecycle: BucketLifecycle) {
  let worst: { rule: LifecycleRuleReading; seconds: number } | undefined;
  for (const rule of lifecycle.rules) {
    if (rule.noncurrentDays === undefined && rule.newerNoncurrentVersions === undefined) continue;
    // S3 deletes a noncurrent version once it is noncurrent `noncurrentDays` AND has
    // `newerNoncurrentVersions` newer noncurrent versions: a burst of writes meets the second condition,
    // so only the days are kept in every case.
    const seconds = (rule.noncurrentDays ?? 0) * DAY_SECONDS;
    if (worst === undefined || seconds < worst.seconds) worst = { rule, seconds };
  }
  return worst;
}

/** How long a lifecycle configuration keeps objects after they are written, and why. */
export interface ObjectRetention {
  /**
   * Seconds after it is written that an object may first be expired by a lifecycle rule: the shortest
   * current-version expiration of any enabled rule, whatever objects it matches (a filtered rule counts:
   * the objects that matter may be the ones it matches). `Infinity`: no rule expires objects. A fixed
   * `expiration.date` counts 0 (the model does not read the clock). Object Lock does not lengthen it: an
   * expiration places a delete marker, which a lock does not prevent, and the object is gone for readers.
   */
  readonly seconds: number;
  /** the reason, one sentence naming the rule, the objects it matches and the arithmetic */
  readonly line: string;
  readonly facts: FactKey[];
  /** lifecycle values unknown in preview (`<urn> <path>`): the retention cannot be known until deploy */
  readonly unknown: string[];
  /** URNs of the lifecycle configurations read */
  readonly basis: string[];
}

function currentExpiry(rule: LifecycleRuleReading) {
  const [objects, them, were] =
    rule.scope === undefined ? ["every object", "it", "it was"] : [rule.scope, "they", "they were"];
  if (rule.expirationDate !== undefined)
    return {
      seconds: 0,
      clause: `lifecycle rule \`${rule.name}\` expires ${objects} on ${rule.expirationDate}, whenever ${were} written: drkit counts no retention from a fixed date`,
      them,
    };
  if (rule.expirationDays !== undefined)
    return {
      seconds: rule.expirationDays * DAY_SECONDS,
      clause: `lifecycle rule \`${rule.name}\` expires ${objects} ${days(rule.expirationDays)} after ${them} ${them === "it" ? "is" : "are"} written (${daysArithmetic(rule.expirationDays)})`,
      them,
    };
  return undefined;
}

function shortestCurrentExpiry(rules: readonly LifecycleRuleReading[]) {
  let worst: (NonNullable<ReturnType<typeof currentExpiry>> & { rule: LifecycleRuleReading }) | undefined;
  for (const rule of rules) {
    const expiry = currentExpiry(rule);
    if (expiry && (worst === undefined || expiry.seconds < worst.seconds)) worst = { ...expiry, rule };
  }
  return worst;
}

/**
 * How long a bucket keeps objects after they are written, from its lifecycle rules: for the rules whose
 * buckets hold recovery copies (Velero backups, Redis snapshots, replicas), whose recovery points exist
 * only while the objects do.
 */
export function objectRetention(context: RuleContext, bucket: GraphResource): ObjectRetention {
  const unread = unreadLifecycle(context, bucket);
  if (unread !== undefined) {
    // A lifecycle drkit cannot read may expire objects at any age: no retention is credited.
    return {
      seconds: 0,
      line: `${unread}.`,
      facts: ["s3LifecycleExpiration"],
      unknown: [],
      basis: [bucket.urn],
    };
  }
  const lifecycle = bucketLifecycle(context, bucket);
  const worst = shortestCurrentExpiry(lifecycle.rules);
  return {
    seconds: worst?.seconds ?? Infinity,
    line: worst ? `${worst.clause}.` : "no lifecycle rule expires its objects.",
    facts: worst ? ["s3LifecycleExpiration"] : [],
    unknown: lifecycle.unknown,
    basis: lifecycle.basis,
  };
}

// --- what drkit cannot read

/**
 * Deprecated inline arguments of `aws:s3/bucket:Bucket` that configure data protection. drkit models the
 * separate resources (BucketVersioning, BucketReplicationConfig, …); a bucket protected inline would be
 * judged on half its configuration, so it is reported not assessed instead. After deploy the provider
 * also reports these as outputs mirroring the separate resources: with the separate resource present,
 * they are not reported.
 */
const INLINE_PROTECTION: readonly { path: string; resource: string; set: (v: unknown) => boolean }[] = [
  { path: "versioning", resource: VERSIONING, set: (v) => isRecord(v) && v.enabled === true },
  {
    path: "replicationConfiguration",
    resource: REPLICATION,
    set: (v) => isRecord(v) && Array.isArray(v.rules) && v.rules.length > 0,
  },
  { path: "lifecycleRules", resource: LIFECYCLE, set: (v) => Array.isArray(v) && v.length > 0 },
  { path: "objectLockConfiguration", resource: LOCK, set: (v) => isRecord(v) && isRecord(v.rule) },
];

/** Deprecated configuration kinds drkit does not read; a lifecycle one unread could delete what it credits. */
const DEPRECATED_CONFIGURATION: readonly { type: string; use: string }[] = [
  { type: "aws:s3/bucketVersioningV2:BucketVersioningV2", use: VERSIONING },
  { type: "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", use: LIFECYCLE },
  { type: "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", use: LOCK },
];
const kindName = (type: string) => type.split(":").pop() ?? type;

/** Why drkit cannot read the bucket's lifecycle (inline `lifecycleRules`, a deprecated kind), or undefined. */
function unreadLifecycle(context: RuleContext, bucket: GraphResource): string | undefined {
  const { index } = context;
  const separate = index.dependentsOf(bucket.urn, LIFECYCLE, "bucket").length > 0;
  const inline = INLINE_PROTECTION.find((i) => i.path === "lifecycleRules");
  if (inline && !separate && inline.set(bucket.properties[inline.path]))
    return "its objects expire through the deprecated inline `lifecycleRules`, which drkit does not read, so no retention is credited";
  const deprecated = DEPRECATED_CONFIGURATION.find(
    (d) => d.use === LIFECYCLE && index.dependentsOf(bucket.urn, d.type, "bucket").length > 0,
  );
  if (deprecated)
    return `its objects expire through the deprecated ${kindName(deprecated.type)}, which drkit does not read, so no retention is credited`;
  return undefined;
}

/** Why drkit cannot judge the bucket's protection, or undefined when it can. */
function unreadProtection(context: RuleContext, bucket: GraphResource): string | undefined {
  const { index } = context;
  const inline = INLINE_PROTECTION.filter(
    ({ path, resource, set }) =>
      set(bucket.properties[path]) && index.dependentsOf(bucket.urn, resource, "bucket").length === 0,
  );
  const deprecated = DEPRECATED_CONFIGURATION.filter(
    ({ type }) => index.dependentsOf(bucket.urn, type, "bucket").length > 0,
  );
  const reasons: string[] = [];
  if (inline.length > 0) {
    const many = inline.length > 1;
    reasons.push(
      `sets the deprecated inline argument${many ? "s" : ""} ${inline.map((i) => `\`${i.path}\``).join(", ")}, which drkit does not read: move ${many ? "them" : "it"} to the separate resource${many ? "s" : ""} (${inline.map((i) => kindName(i.resource)).join(", ")})`,
    );
  }
  if (deprecated.length > 0) {
    reasons.push(
      `is configured by the deprecated ${deprecated.map((d) => kindName(d.type)).join(", ")}, which drkit does not read: use ${deprecated.map((d) => kindName(d.use)).join(", ")} instead`,
    );
  }
  return reasons.length > 0 ? `it holds objects and ${reasons.join("; and it ")}` : undefined;
}

// --- the rule

export const s3Rule: Rule = (context) => {
  const { index, service } = context;
  // Replicas and backup stores hold recovery copies, not data of their own: losing one loses no service
  // data, and the rule that owns them (replication, Velero, the Redis backup) accounts for them.
  const recoveryCopies = index.memo(
    "s3:recovery-copies",
    () =>
      new Set(
        [
          ...index.ofType(REPLICATION).flatMap((config) => index.dependenciesOf(config, "rules", BUCKET)),
          ...index
            .ofType(STORAGE_LOCATION)
            .flatMap((location) => index.dependenciesOf(location, "spec", BUCKET)),
          // Only a backup job (annotated with what it backs up) makes its bucket a store of copies: a data
          // bucket that some other job reads or writes is still the service's data.
          ...index
            .ofType(CRON_JOB)
            .filter((job) => isBackupJob(job))
            .flatMap((job) =>
              Object.keys(job.propertyDependencies).flatMap((key) => index.dependenciesOf(job, key, BUCKET)),
            ),
        ].map((b) => b.urn),
      ),
  );
  const estimates: Estimate[] = [];
  for (const bucket of service.resources.filter((r) => r.type === BUCKET && !recoveryCopies.has(r.urn))) {
    const region = index.regionOf(bucket);
    const component = `bucket ${bucket.name} (${region ?? "region unknown"})`;
    const unread = unreadProtection(context, bucket);
    if (unread) {
      context.notAssessed(bucket, unread);
      continue;
    }
    const subject = bucket.urn;
    const versioning = index.dependentsOf(bucket.urn, VERSIONING, "bucket");
    const locks = index.dependentsOf(bucket.urn, LOCK, "bucket");
    const lifecycle = bucketLifecycle(context, bucket);
    const basis = [bucket.urn, ...versioning.map((v) => v.urn), ...locks.map((l) => l.urn)];

    estimates.push(softwareEstimate(context, { bucket, component, versioning, locks, lifecycle, basis }));
    for (const disruption of ["hardware", "zone"] as const) {
      estimates.push({
        component,
        subject,
        basis: [bucket.urn],
        disruption,
        rpoSeconds: 0,
        rto: absorbed("S3 absorbs it"),
        lines: [
          `S3 stores objects across at least three Availability Zones: ${disruption === "zone" ? "a zone" : "a device or host"} loss loses nothing and needs no action.`,
        ],
        facts: ["s3Redundancy"],
        unknown: [],
      });
    }
    estimates.push(regionEstimate(context, { bucket, component, lifecycle, basis }));
  }
  return estimates;
};

interface BucketReading {
  readonly bucket: GraphResource;
  readonly component: string;
  readonly lifecycle: BucketLifecycle;
  /** the bucket and its versioning and lock configurations */
  readonly basis: string[];
}

/**
 * Software: versioning keeps the version before a bad write, but it counts only while a lifecycle rule
 * has not deleted it by the time the bad write is noticed (`incidentDetectionSeconds`).
 */
function softwareEstimate(
  context: RuleContext,
  input: BucketReading & { versioning: GraphResource[]; locks: GraphResource[] },
): Estimate {
  const e = context.policy.estimates;
  const { bucket, component, versioning, locks, lifecycle } = input;
  const basis = [...input.basis, ...lifecycle.basis];
  const versioned = versioning.some(
    (v) => new PropertyReader(v).string("versioningConfiguration.status") === "Enabled",
  );
  const unknown = versioning.flatMap((v) => {
    const r = new PropertyReader(v);
    r.get("versioningConfiguration.status");
    return r.unknown;
  });
  const base = { component, subject: bucket.urn, basis, disruption: "software" as const };
  if (!versioned)
    return {
      ...base,
      rpoSeconds: Infinity,
      rto: Infinity,
      lines: ["Versioning is off: an overwrite or delete destroys the only copy; nothing bounds the loss."],
      facts: ["s3Versioning"],
      unknown,
    };

  const lockDays: number[] = [];
  const lockLines: string[] = [];
  for (const lock of locks) {
    const lr = new PropertyReader(lock);
    const mode = lr.string("rule.defaultRetention.mode");
    const retention =
      lr.number("rule.defaultRetention.days") ?? (lr.number("rule.defaultRetention.years") ?? 0) * 365;
    if (!mode) continue;
    lockDays.push(retention);
    lockLines.push(
      `Object Lock ${mode} keeps every version for ${retention} days from when it is written, so a privileged delete cannot destroy it in that time${mode === "GOVERNANCE" ? " (unless someone bypasses governance retention)" : ""}.`,
    );
  }

  const facts: FactKey[] = ["s3Versioning"];
  const lifecycleLines: string[] = [];
  const worst = shortestNoncurrentKeep(lifecycle);
  const detection = e.incidentDetectionSeconds;
  const tooSoon = worst !== undefined && worst.seconds < detection;
  if (worst) {
    facts.push("s3LifecycleNoncurrent");
    const { rule } = worst;
    const objects = rule.scope ?? "every object";
    if (rule.noncurrentDays === undefined) {
      const n = rule.newerNoncurrentVersions ?? 0;
      lifecycleLines.push(
        `Lifecycle rule \`${rule.name}\` keeps only the ${n} newest noncurrent versions of ${objects}, with no minimum age: ${n + 1} bad writes in a row delete the good version at once, so nothing bounds the loss.`,
      );
    } else {
      const d = rule.noncurrentDays;
      lifecycleLines.push(
        `Lifecycle rule \`${rule.name}\` deletes noncurrent versions of ${objects} ${days(d)} after they are replaced (${daysArithmetic(d)}), ${
          tooSoon
            ? `sooner than it takes to notice a bad write (${detection} s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`
            : `longer than it takes to notice a bad write (${detection} s, estimate \`incidentDetectionSeconds\`): the previous version is still there when it is needed.`
        }`,
      );
      const n = rule.newerNoncurrentVersions;
      if (n !== undefined)
        lifecycleLines.push(
          `Lifecycle rule \`${rule.name}\` also keeps the ${n} newest noncurrent versions past that age, but ${n + 1} bad writes in a row push the good version behind ${n} newer ones: drkit counts only the ${days(d)}, which S3 waits in every case.`,
        );
    }
  }
  if (lockLines.length > 0) facts.push("s3ObjectLock");
  const lockLifecycleLines: string[] = [];
  if (worst && lockDays.length > 0) {
    facts.push("s3ObjectLockLifecycle");
    lockLifecycleLines.push(
      `Lifecycle cannot delete a version while Object Lock retains it, but retention runs from when the version was written, not from when it was replaced: a version older than ${Math.min(...lockDays)} days is no longer locked, so only the lifecycle's ${days(worst.rule.noncurrentDays ?? 0)} hold for every version.`,
    );
  }
  return {
    ...base,
    rpoSeconds: tooSoon ? Infinity : 0,
    rto: tooSoon
      ? Infinity
      : manualRecovery(
          e,
          term(e.s3VersionRestoreSeconds, "restore previous versions, estimate `s3VersionRestoreSeconds`"),
        ),
    lines: [
      tooSoon
        ? "Versioning is enabled: the version before a bad write or delete is kept only until a lifecycle rule deletes it."
        : "Versioning is enabled: the version before a bad write or delete is kept, so RPO is 0 s.",
      ...lifecycleLines,
      ...lockLines,
      ...lockLifecycleLines,
    ],
    facts,
    unknown: [...unknown, ...lifecycle.unknown],
  };
}

/**
 * Region: every object must be copied out of the region (partial replication is no protection), and the
 * copies must still exist when they are needed (a replica that expires objects sooner than the source).
 */
function regionEstimate(context: RuleContext, input: BucketReading): Estimate {
  const { index, policy } = context;
  const e = policy.estimates;
  const { bucket, component, lifecycle } = input;
  const region = index.regionOf(bucket);
  const replication = bucketReplication(context, bucket);
  const rpo = replicationRpo(replication, region);
  const lines = [...rpo.lines];
  const facts: FactKey[] = [...rpo.facts];
  const basis = [...input.basis, ...(replication?.basis ?? [])];
  const unknown = [...(replication?.unknown ?? [])];
  const covering = (replication?.rules ?? []).filter((r) => r.enabled && r.crossRegion);
  let rpoSeconds = rpo.rpoSeconds;
  let recoverable = replication?.wholeBucket ?? false;

  if (recoverable) {
    // A replica that expires objects sooner than the source keeps them holds no copy of the older ones.
    const destinations = [...new Set(covering.flatMap((r) => r.destinations))];
    for (const replica of destinations.flatMap((urn) => index.byUrn.get(urn) ?? [])) {
      const replicaLifecycle = bucketLifecycle(context, replica);
      basis.push(...replicaLifecycle.basis);
      unknown.push(...replicaLifecycle.unknown);
      const kept = shortestCurrentExpiry(replicaLifecycle.rules);
      if (!kept) continue;
      // Every object stays in the source at least as long as its shortest expiration of every object.
      const sourceKeeps = shortestCurrentExpiry(lifecycle.rules.filter((r) => r.scope === undefined));
      basis.push(...lifecycle.basis);
      unknown.push(...lifecycle.unknown);
      if (sourceKeeps && kept.seconds >= sourceKeeps.seconds) continue;
      rpoSeconds = Infinity;
      recoverable = false;
      if (!facts.includes("s3LifecycleExpiration")) facts.push("s3LifecycleExpiration");
      lines.push(
        `Replica bucket ${replica.name}: ${kept.clause}, sooner than the source keeps ${kept.them}${sourceKeeps ? ` (${sourceKeeps.clause})` : ""}: older objects have no copy outside ${region ?? "its region"}, so the RPO has no bound.`,
      );
    }
  }
  if (covering.length > 0) {
    lines.push(deleteMarkerLine(covering));
    facts.push("s3DeleteMarkers");
  }
  return {
    component,
    subject: bucket.urn,
    basis,
    disruption: "region",
    rpoSeconds,
    rto: recoverable
      ? manualRecovery(
          e,
          term(
            e.s3ReplicaSwitchSeconds,
            "point applications at the replica, estimate `s3ReplicaSwitchSeconds`",
          ),
          NO_TIME("none"),
        )
      : Infinity,
    lines,
    facts,
    unknown,
  };
}
