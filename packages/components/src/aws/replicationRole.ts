import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";

/** One IAM statement of a replication role: exact actions on exact resources, under conditions if any. */
export interface ReplicationStatement {
  readonly actions: readonly string[];
  readonly resources: pulumi.Input<string>[];
  /** IAM condition block, e.g. `{ StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" } }`. */
  readonly condition?: Readonly<Record<string, Readonly<Record<string, pulumi.Input<string>>>>>;
}

/**
 * The KMS condition that keeps a replication role's use of a key to S3 in the key's region, for one
 * bucket: `kms:ViaService` and the encryption context S3 sends. With an S3 Bucket Key on both sides (drkit
 * sets one) that context is the bucket's ARN, not the object's.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-config-for-kms-objects.html
 */
export function kmsViaS3Condition(
  region: string,
  bucketArn: pulumi.Input<string>,
): NonNullable<ReplicationStatement["condition"]> {
  return {
    StringEquals: {
      "kms:ViaService": `s3.${region}.amazonaws.com`,
      "kms:EncryptionContext:aws:s3:arn": bucketArn,
    },
  };
}

/**
 * The role S3 assumes to replicate a bucket, with an inline policy of exactly the given statements (the
 * drkit pack refuses wildcard actions). IAM is global; the role is created through `provider`.
 *
 * Its trust policy lets S3 assume it only on behalf of this account (`aws:SourceAccount`, the account
 * `provider` deploys into) and, given `sourceBucketArn`, only for that bucket (`aws:SourceArn`), so no
 * other account's bucket can have S3 act with it (the confused deputy). These are the conditions the S3
 * User Guide shows for a replication role's trust policy ("Creating an IAM role").
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/setting-repl-config-perm-overview.html
 */
export function s3ReplicationRole(
  name: string,
  statements: readonly ReplicationStatement[],
  opts: {
    parent: pulumi.Resource;
    provider: AwsProvider;
    tags: Record<string, string>;
    /** the bucket replicated with this role; recommended (see above) */
    sourceBucketArn?: pulumi.Input<string>;
  },
): iam.Role {
  const account = getCallerIdentityOutput({}, { parent: opts.parent, provider: opts.provider }).accountId;
  const role = new iam.Role(
    name,
    {
      assumeRolePolicy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "s3.amazonaws.com" },
            Action: "sts:AssumeRole",
            Condition: {
              StringEquals: {
                "aws:SourceAccount": account,
                ...(opts.sourceBucketArn === undefined ? {} : { "aws:SourceArn": opts.sourceBucketArn }),
              },
            },
          },
        ],
      }),
      tags: opts.tags,
    },
    { parent: opts.parent, provider: opts.provider },
  );
  new iam.RolePolicy(
    name,
    {
      role: role.id,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: statements.map((s) => ({
          Effect: "Allow",
          Action: [...s.actions],
          Resource: s.resources,
          ...(s.condition === undefined ? {} : { Condition: s.condition }),
        })),
      }),
    },
    { parent: opts.parent, provider: opts.provider },
  );
  return role;
}
