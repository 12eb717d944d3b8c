// The controls a backup bucket has in a registered graph, found the way the posture model links them: by
// the configuration resource's `bucket` property depending on the bucket.
import { plainProperties, CapturedResource, ProgramRun } from "@drkit/cli/harness";

const CONFIGURATIONS = {
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  publicAccessBlock: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
} as const;

export type BucketControls = { [K in keyof typeof CONFIGURATIONS]: Record<string, unknown>[] };

/** Each configuration of `bucket`, as its plain inputs without the `bucket` link itself. */
export function controlsOf(run: ProgramRun, bucket: CapturedResource): BucketControls {
  const of = (type: string) =>
    run
      .ofType(type)
      .filter((r) => (r.propertyDependencies.bucket ?? []).includes(bucket.urn))
      .map((r) => {
        const { bucket: _link, ...rest } = plainProperties(r.inputs);
        return rest as Record<string, unknown>;
      });
  return {
    versioning: of(CONFIGURATIONS.versioning),
    encryption: of(CONFIGURATIONS.encryption),
    publicAccessBlock: of(CONFIGURATIONS.publicAccessBlock),
    policy: of(CONFIGURATIONS.policy).map((p) => ({
      ...p,
      policy: JSON.parse(p.policy as string) as unknown,
    })),
    lifecycle: of(CONFIGURATIONS.lifecycle),
  };
}

/**
 * The statement that refuses every request made without TLS, for a bucket whose ARN is `arn` (the shared
 * `tlsOnlyBucketPolicy` names it; what it denies is what matters here).
 */
export const denyInsecureTransport = (arn: string) => ({
  Sid: expect.any(String) as unknown,
  Effect: "Deny",
  Principal: "*",
  Action: "s3:*",
  Resource: [arn, `${arn}/*`],
  Condition: { Bool: { "aws:SecureTransport": "false" } },
});

export const SSE_S3 = { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] };
export const ALL_PUBLIC_ACCESS_BLOCKED = {
  blockPublicAcls: true,
  blockPublicPolicy: true,
  ignorePublicAcls: true,
  restrictPublicBuckets: true,
};
export const VERSIONING_ENABLED = { versioningConfiguration: { status: "Enabled" } };
