import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";

/** One IAM statement of a replication role: exact actions on exact resources. */
export interface ReplicationStatement {
  readonly actions: readonly string[];
  readonly resources: pulumi.Input<string>[];
}

/**
 * The role S3 assumes to replicate a bucket, with an inline policy of exactly the given statements (the
 * drkit pack refuses wildcard actions). IAM is global; the role is created through `provider`.
 */
export function s3ReplicationRole(
  name: string,
  statements: readonly ReplicationStatement[],
  opts: { parent: pulumi.Resource; provider: AwsProvider; tags: Record<string, string> },
): iam.Role {
  const role = new iam.Role(
    name,
    {
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" },
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
        })),
      }),
    },
    { parent: opts.parent, provider: opts.provider },
  );
  return role;
}
