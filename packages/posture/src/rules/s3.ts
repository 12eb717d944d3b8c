// S3 buckets: versioning and Object Lock for software disruptions, S3's own multi-AZ storage for hardware
// and zone, cross-region replication (with or without RTC) for region.
import type { GraphResource } from "../graph";
import { PropertyReader } from "../graphIndex";
import { Estimate, term, NO_TIME } from "../estimate";
import type { FactKey } from "../facts";
import { absorbed, manualRecovery, Rule, RuleContext } from "./context";

export const BUCKET = "aws:s3/bucket:Bucket";
export const VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
export const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";
export const REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
export const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
// Kinds whose buckets are backup stores (named here to keep this module free of import cycles).
const STORAGE_LOCATION = "kubernetes:velero.io/v1:BackupStorageLocation";
const CRON_JOB = "kubernetes:batch/v1:CronJob";

export interface BucketReplication {
  /** destination buckets in another region */
  readonly crossRegion: boolean;
  readonly destinationRegions: string[];
  /** every enabled rule has RTC */
  readonly rtc: boolean;
  readonly deleteMarkers: boolean;
  readonly unknown: string[];
  /** the replication configs and destination buckets read */
  readonly basis: string[];
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
  const destinationRegions = new Set<string>();
  let rtc = true;
  let deleteMarkers = false;
  let enabledRules = 0;
  const basis: string[] = [];
  for (const config of configs) {
    basis.push(config.urn);
    const read = new PropertyReader(config);
    for (const [i, rule] of read.list("rules").entries()) {
      if (read.string("status", rule, `rules[${i}].status`) !== "Enabled") continue;
      enabledRules++;
      if (
        read.string(
          "destination.replicationTime.status",
          rule,
          `rules[${i}].destination.replicationTime.status`,
        ) !== "Enabled"
      ) {
        rtc = false;
      }
      if (
        read.string("deleteMarkerReplication.status", rule, `rules[${i}].deleteMarkerReplication.status`) ===
        "Enabled"
      ) {
        deleteMarkers = true;
      }
    }
    unknown.push(...read.unknown);
    for (const destination of index.dependenciesOf(config, "rules", BUCKET)) {
      basis.push(destination.urn);
      const region = index.regionOf(destination);
      if (region && region !== sourceRegion) destinationRegions.add(region);
    }
  }
  return {
    crossRegion: enabledRules > 0 && destinationRegions.size > 0,
    destinationRegions: [...destinationRegions],
    rtc: enabledRules > 0 && rtc,
    deleteMarkers,
    unknown,
    basis,
  };
}

/** Replication's contribution to a region RPO, with its reasons. */
export function replicationRpo(replication: BucketReplication | undefined, sourceRegion: string | undefined) {
  if (!replication?.crossRegion) {
    return {
      rpoSeconds: Infinity,
      line: `No enabled replication rule copies it out of ${sourceRegion ?? "its region"}: a region loss loses it.`,
      facts: [] as FactKey[],
    };
  }
  const to = replication.destinationRegions.join(", ");
  return replication.rtc
    ? {
        rpoSeconds: 900,
        line: `Replicated to ${to} with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
        facts: ["s3Rtc"] as FactKey[],
      }
    : {
        rpoSeconds: Infinity,
        line: `Replicated to ${to} without Replication Time Control: nothing bounds the lag, so the RPO has no bound.`,
        facts: ["s3NoRtc"] as FactKey[],
      };
}

/**
 * Deprecated inline arguments of `aws:s3/bucket:Bucket` that configure data protection. drkit models the
 * separate resources (BucketVersioning, BucketReplicationConfig, …); a bucket protected inline would be
 * judged on half its configuration, so it is reported not assessed instead.
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
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const s3Rule: Rule = (context) => {
  const { index, service, policy } = context;
  const e = policy.estimates;
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
          ...index
            .ofType(CRON_JOB)
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
    const inline = INLINE_PROTECTION.filter(
      ({ path, resource, set }) =>
        set(bucket.properties[path]) && index.dependentsOf(bucket.urn, resource, "bucket").length === 0,
    );
    if (inline.length > 0) {
      context.notAssessed(
        bucket,
        `it holds objects and sets the deprecated inline argument${inline.length > 1 ? "s" : ""} ${inline.map((i) => `\`${i.path}\``).join(", ")}, which drkit does not read: move ${inline.length > 1 ? "them" : "it"} to the separate resource${inline.length > 1 ? "s" : ""} (${inline.map((i) => i.resource.split(":").pop()).join(", ")})`,
      );
      continue;
    }
    const versioning = index.dependentsOf(bucket.urn, VERSIONING, "bucket");
    const locks = index.dependentsOf(bucket.urn, LOCK, "bucket");
    const versioned = versioning.some(
      (v) => new PropertyReader(v).string("versioningConfiguration.status") === "Enabled",
    );
    const versioningUnknown = versioning.flatMap((v) => {
      const r = new PropertyReader(v);
      r.get("versioningConfiguration.status");
      return r.unknown;
    });
    const lockLines: string[] = [];
    for (const lock of locks) {
      const lr = new PropertyReader(lock);
      const mode = lr.string("rule.defaultRetention.mode");
      const days =
        lr.number("rule.defaultRetention.days") ?? (lr.number("rule.defaultRetention.years") ?? 0) * 365;
      if (mode)
        lockLines.push(
          `Object Lock ${mode} keeps every version for ${days} days, so a privileged delete cannot destroy it${mode === "GOVERNANCE" ? " (unless someone bypasses governance retention)" : ""}.`,
        );
    }
    const replication = bucketReplication(context, bucket);
    const subject = bucket.urn;
    const basis = [bucket.urn, ...versioning.map((v) => v.urn), ...locks.map((l) => l.urn)];

    const softwareRto = manualRecovery(
      e,
      term(e.s3VersionRestoreSeconds, "restore previous versions, estimate `s3VersionRestoreSeconds`"),
    );
    estimates.push(
      versioned
        ? {
            component,
            subject,
            basis,
            disruption: "software",
            rpoSeconds: 0,
            rto: softwareRto,
            lines: [
              "Versioning is enabled: the version before a bad write or delete is kept, so RPO is 0 s.",
              ...lockLines,
            ],
            facts: lockLines.length > 0 ? ["s3Versioning", "s3ObjectLock"] : ["s3Versioning"],
            unknown: versioningUnknown,
          }
        : {
            component,
            subject,
            basis,
            disruption: "software",
            rpoSeconds: Infinity,
            rto: Infinity,
            lines: [
              "Versioning is off: an overwrite or delete destroys the only copy; nothing bounds the loss.",
            ],
            facts: ["s3Versioning"],
            unknown: versioningUnknown,
          },
    );
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
    const rpo = replicationRpo(replication, region);
    const lines = [rpo.line];
    const facts: FactKey[] = [...rpo.facts];
    if (replication?.crossRegion) {
      lines.push(
        replication.deleteMarkers
          ? "Delete markers are replicated (outside the RTC SLA): a delete in the source also hides the object in the replica."
          : "Delete markers are not replicated: a delete in the source leaves the replica's copy visible.",
      );
      facts.push("s3DeleteMarkers");
    }
    estimates.push({
      component,
      subject,
      basis: [...basis, ...(replication?.basis ?? [])],
      disruption: "region",
      rpoSeconds: rpo.rpoSeconds,
      rto: replication?.crossRegion
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
      unknown: replication?.unknown ?? [],
    });
  }
  return estimates;
};
