import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import { tlsOnlyBucketPolicy } from "../aws/bucketPolicies";

/** A bucket drkit creates to hold backups, and its versioning (replication must wait for it). */
export interface BackupBucket {
  readonly bucket: s3.Bucket;
  readonly versioning: s3.BucketVersioning;
}

/** An extra statement of the bucket's policy, built from the bucket's ARN. */
export type BucketStatement = (bucketArn: pulumi.Output<string>) => Record<string, unknown>;

/**
 * A bucket for backups, secure whatever the user configures elsewhere: versioned (an overwrite or delete
 * leaves the earlier version), encrypted at rest (SSE-S3), closed to the public (all four public access
 * block settings), and refusing every request made without TLS (`aws:SecureTransport`). Object Lock only
 * when asked (`objectLock`, for writers that only ever put new keys): Velero cannot write to a locked
 * bucket. Children are named `<name>-versioning`, `-encryption`, `-public-access` and `-policy`.
 */
export function backupBucket(
  name: string,
  opts: {
    readonly parent: pulumi.Resource;
    readonly provider: AwsProvider;
    readonly tags: Record<string, string>;
    readonly retainOnDelete: boolean;
    /** create the bucket with Object Lock enabled (it cannot be enabled later through this resource) */
    readonly objectLock?: boolean;
    /** statements added to the bucket's policy after the TLS one */
    readonly statements?: readonly BucketStatement[];
  },
): BackupBucket {
  const { parent, provider } = opts;
  const bucket = new s3.Bucket(
    name,
    { tags: opts.tags, ...(opts.objectLock ? { objectLockEnabled: true } : {}) },
    { parent, provider, retainOnDelete: opts.retainOnDelete },
  );
  const versioning = new s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    { parent, provider },
  );
  new s3.BucketServerSideEncryptionConfiguration(
    `${name}-encryption`,
    { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
    { parent, provider },
  );
  const publicAccess = new s3.BucketPublicAccessBlock(
    `${name}-public-access`,
    {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
    { parent, provider },
  );
  const tlsOnly = tlsOnlyBucketPolicy(bucket.arn);
  new s3.BucketPolicy(
    `${name}-policy`,
    {
      bucket: bucket.id,
      policy: pulumi.jsonStringify({
        ...tlsOnly,
        Statement: [
          ...tlsOnly.Statement,
          ...(opts.statements ?? []).map((statement) => statement(bucket.arn)),
        ],
      }),
    },
    // S3 refuses a policy and a public access block changed at the same time (OperationAborted).
    { parent, provider, dependsOn: [publicAccess] },
  );
  return { bucket, versioning };
}
