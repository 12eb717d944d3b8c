import { rawProperties } from "../support/properties";
import { DocumentedStackPolicy, iso27001, policyDocsUrl, policyTags } from "../support/metadata";

const NAME = "drkit-kubernetes-velero-location-disallow-object-lock";

export const BACKUP_STORAGE_LOCATION_TYPE = "kubernetes:velero.io/v1:BackupStorageLocation";
const BUCKET_TYPE = "aws:s3/bucket:Bucket";
const LOCK_CONFIGURATION_TYPE = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";

/**
 * Velero rewrites backup metadata as a backup finalizes; since 1.11 it cannot write to a bucket with
 * Object Lock (dr-facts [V9]), so every backup on such a location fails. Links are followed through
 * property dependencies, which are known even in preview.
 * No remediation: Pulumi cannot remediate stack policies, and the fix (a new bucket) moves data.
 */
export const veleroLocationDisallowObjectLock: DocumentedStackPolicy = {
  name: NAME,
  displayName: "Velero: backup location without Object Lock",
  description:
    "A Velero BackupStorageLocation must not point at an S3 bucket with Object Lock: Velero cannot write there.",
  enforcementLevel: "mandatory",
  severity: "critical",
  url: policyDocsUrl(NAME),
  remediationSteps:
    "Point the BackupStorageLocation's `spec.objectStorage.bucket` at a bucket of its own: versioned, replicated, without Object Lock (`objectLockEnabled` false and no aws.s3.BucketObjectLockConfiguration). " +
    "VeleroSchedule creates such a bucket. Object Lock cannot be turned off on a bucket that has it. drkit offers no automatic remediation for this policy.",
  framework: iso27001(
    "8.13",
    "Backups must actually be taken: on a bucket with Object Lock, Velero cannot finalize any backup.",
  ),
  tags: policyTags({
    topics: ["backup"],
    disruptions: ["software", "region"],
    soc2: ["A1.2"],
    nist80053: ["CP-9"],
  }),
  validateStack: (args, reportViolation) => {
    const locked = new Set<string>();
    for (const r of args.resources) {
      if (r.type === BUCKET_TYPE && rawProperties(r.props).objectLockEnabled === true) locked.add(r.urn);
      if (r.type === LOCK_CONFIGURATION_TYPE) {
        for (const dep of r.propertyDependencies["bucket"] ?? []) locked.add(dep.urn);
      }
    }
    for (const r of args.resources) {
      if (r.type !== BACKUP_STORAGE_LOCATION_TYPE) continue;
      const lockedBuckets = (r.propertyDependencies["spec"] ?? []).filter((dep) => locked.has(dep.urn));
      for (const bucket of lockedBuckets) {
        reportViolation(
          `BackupStorageLocation ${r.name} stores backups in bucket ${bucket.name}, which has Object Lock: Velero cannot finalize backups there. Give Velero its own versioned, replicated bucket without Object Lock.`,
          r.urn,
        );
      }
    }
  },
};
