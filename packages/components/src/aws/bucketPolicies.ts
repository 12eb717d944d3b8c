import type * as pulumi from "@pulumi/pulumi";

/**
 * A bucket policy that refuses every request not made over TLS (`aws:SecureTransport` false), for the
 * bucket and its objects: the S3 control AWS Security Hub checks as S3.5.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html
 */
export function tlsOnlyBucketPolicy(bucketArn: pulumi.Output<string>) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, bucketArn.apply((arn) => `${arn}/*`)],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  };
}
