import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as kms from "@pulumi/aws/kms";
import type * as iam from "@pulumi/aws/iam";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { RegionPairSides } from "../common/regions";
import { ServiceIdentity, serviceTags, validateServiceIdentity } from "../common/service";
import { ArgsProblems, InvalidArgsError, plainValue, shown } from "../common/validation";
import { s3ReplicationRole } from "./replicationRole";

export type RetentionMode = "COMPLIANCE" | "GOVERNANCE";

export interface ObjectLockBucketArgs extends ServiceIdentity {
  /** Where the bucket (primary) and its replica (secondary) live; usually a `DrRegionPair`. */
  readonly regions: RegionPairSides;
  /**
   * Default retention of every new object version, in days (1–36500). Creation-only in spirit: with
   * COMPLIANCE, versions written under a longer retention stay locked that long.
   * @default 365
   */
  readonly retentionDays?: number;
  /**
   * `COMPLIANCE`: nobody, root included, can delete or shorten. `GOVERNANCE`: principals with
   * s3:BypassGovernanceRetention can.
   * @default "COMPLIANCE"
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
   */
  readonly retentionMode?: RetentionMode;
  /**
   * KMS keys to encrypt with, per side.
   * @default - a key per region, with rotation on, retained on delete
   */
  readonly kmsKeyArns?: {
    readonly primary?: pulumi.Input<string>;
    readonly secondary?: pulumi.Input<string>;
  };
  /**
   * Replicate delete markers to the replica. Off, a delete in the primary leaves the replica's object
   * visible (protection against malicious or mistaken deletes); on, the replica mirrors deletes. Delete
   * markers are outside the RTC SLA either way.
   * @default false
   */
  readonly replicateDeleteMarkers?: boolean;
  /**
   * S3 Replication Time Control (99.99 % of objects within 15 minutes, with an SLA) and replication
   * metrics. Without it replication lag has no bound.
   * @default true
   */
  readonly replicationTimeControl?: boolean;
  /**
   * Days after which noncurrent versions expire (they cannot expire while still locked).
   * @default - `retentionDays`
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Keep buckets and keys in AWS when the stack or resource is deleted.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * SNS topic the replication alarms notify.
   * @default - alarms without actions
   */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * Replication latency above which the latency alarm fires, in seconds (≥ 60).
   * @default 900 (the RTC threshold)
   */
  readonly replicationLatencyAlarmSeconds?: number;
}

/** The replication role's exact actions; the drkit pack refuses wildcards. */
export const REPLICATION_ACTIONS = {
  sourceBucket: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
  sourceObjects: [
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
    // A locked source replicates its retention and legal holds; the role must read them.
    "s3:GetObjectRetention",
    "s3:GetObjectLegalHold",
  ],
  destinationObjects: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
  sourceKey: ["kms:Decrypt"],
  destinationKey: ["kms:Encrypt", "kms:GenerateDataKey"],
} as const;

/** Every problem with the plain arguments (values computed from other resources are checked by AWS). */
export function validateObjectLockBucketArgs(args: ObjectLockBucketArgs): string[] {
  const problems = new ArgsProblems();
  validateServiceIdentity(args, problems);
  const retention = plainValue(args.retentionDays);
  problems.check(
    retention === undefined || (Number.isInteger(retention) && retention >= 1 && retention <= 36_500),
    `\`retentionDays\` must be a whole number 1–36500 (got ${shown(retention)}); omit it to use 365`,
  );
  problems.check(
    args.retentionMode === undefined ||
      args.retentionMode === "COMPLIANCE" ||
      args.retentionMode === "GOVERNANCE",
    `\`retentionMode\` must be "COMPLIANCE" or "GOVERNANCE" (got ${shown(args.retentionMode)})`,
  );
  const noncurrent = args.noncurrentVersionExpirationDays;
  problems.check(
    noncurrent === undefined || (Number.isInteger(noncurrent) && noncurrent >= 1),
    `\`noncurrentVersionExpirationDays\` must be a whole number ≥ 1 (got ${shown(noncurrent)}); omit it to use \`retentionDays\``,
  );
  const latency = args.replicationLatencyAlarmSeconds;
  problems.check(
    latency === undefined || (Number.isFinite(latency) && latency >= 60),
    `\`replicationLatencyAlarmSeconds\` must be at least 60 (got ${shown(latency)}); omit it to use 900`,
  );
  problems.check(
    args.regions.primary.region !== args.regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(args.regions.primary.region)}): a replica in the same region does not survive a region loss`,
  );
  return [...problems.list];
}

interface BucketSide {
  readonly bucket: s3.Bucket;
  readonly keyArn: pulumi.Output<string>;
  readonly versioning: s3.BucketVersioning;
}

/**
 * An S3 bucket with Object Lock in the primary region, replicated (with RTC by default) to a locked
 * replica in the secondary region: versioned, KMS-encrypted, public access blocked, ACLs disabled,
 * retained on delete, with alarms on replication latency and failures.
 */
export class ObjectLockBucket extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:ObjectLockBucket";
  readonly bucket: s3.Bucket;
  readonly replica: s3.Bucket;
  readonly replicationRole: iam.Role;
  readonly replication: s3.BucketReplicationConfig;
  readonly latencyAlarm: cloudwatch.MetricAlarm;
  readonly failedReplicationAlarm: cloudwatch.MetricAlarm;

  constructor(name: string, args: ObjectLockBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super(ObjectLockBucket.__pulumiType, name, {}, opts);
    const problems = validateObjectLockBucketArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("ObjectLockBucket", name, problems);

    const retentionDays = args.retentionDays ?? 365;
    const retentionMode = args.retentionMode ?? "COMPLIANCE";
    const rtc = args.replicationTimeControl ?? true;
    const retainOnDelete = args.retainOnDelete ?? true;
    const noncurrentDays = args.noncurrentVersionExpirationDays ?? retentionDays;
    const latencyThreshold = args.replicationLatencyAlarmSeconds ?? 900;
    const tags = serviceTags(args);
    const { primary, secondary } = args.regions;

    const side = (
      suffix: string,
      provider: AwsProvider,
      givenKey: pulumi.Input<string> | undefined,
    ): BucketSide => {
      const child = (id: string) => `${name}${suffix}${id}`;
      const keyArn = givenKey
        ? pulumi.output(givenKey)
        : new kms.Key(
            child("-key"),
            {
              description: `drkit ${args.service}: encrypts ${name}${suffix}`,
              enableKeyRotation: true,
              deletionWindowInDays: 30,
              tags,
            },
            { parent: this, provider, retainOnDelete },
          ).arn;
      const bucket = new s3.Bucket(
        `${name}${suffix}`,
        { objectLockEnabled: true, tags },
        { parent: this, provider, retainOnDelete },
      );
      const versioning = new s3.BucketVersioning(
        child("-versioning"),
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { parent: this, provider },
      );
      new s3.BucketObjectLockConfiguration(
        child("-object-lock"),
        { bucket: bucket.id, rule: { defaultRetention: { mode: retentionMode, days: retentionDays } } },
        { parent: this, provider, dependsOn: [versioning] },
      );
      new s3.BucketServerSideEncryptionConfiguration(
        child("-encryption"),
        {
          bucket: bucket.id,
          rules: [
            {
              applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
              bucketKeyEnabled: true,
            },
          ],
        },
        { parent: this, provider },
      );
      new s3.BucketPublicAccessBlock(
        child("-public-access"),
        {
          bucket: bucket.id,
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        },
        { parent: this, provider },
      );
      new s3.BucketOwnershipControls(
        child("-ownership"),
        { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
        { parent: this, provider },
      );
      new s3.BucketLifecycleConfiguration(
        child("-lifecycle"),
        {
          bucket: bucket.id,
          rules: [
            {
              id: "expire-noncurrent-versions",
              status: "Enabled",
              filter: {},
              noncurrentVersionExpiration: { noncurrentDays: noncurrentDays },
              abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
            },
          ],
        },
        { parent: this, provider, dependsOn: [versioning] },
      );
      return { bucket, keyArn, versioning };
    };

    const source = side("", primary.awsProvider, args.kmsKeyArns?.primary);
    const destination = side("-replica", secondary.awsProvider, args.kmsKeyArns?.secondary);
    this.bucket = source.bucket;
    this.replica = destination.bucket;

    this.replicationRole = s3ReplicationRole(
      `${name}-replication`,
      [
        { actions: REPLICATION_ACTIONS.sourceBucket, resources: [source.bucket.arn] },
        {
          actions: REPLICATION_ACTIONS.sourceObjects,
          resources: [pulumi.interpolate`${source.bucket.arn}/*`],
        },
        {
          actions: REPLICATION_ACTIONS.destinationObjects,
          resources: [pulumi.interpolate`${destination.bucket.arn}/*`],
        },
        { actions: REPLICATION_ACTIONS.sourceKey, resources: [source.keyArn] },
        { actions: REPLICATION_ACTIONS.destinationKey, resources: [destination.keyArn] },
      ],
      { parent: this, provider: primary.awsProvider, tags },
    );

    const ruleId = "to-secondary";
    this.replication = new s3.BucketReplicationConfig(
      `${name}-replication`,
      {
        bucket: source.bucket.id,
        role: this.replicationRole.arn,
        rules: [
          {
            id: ruleId,
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: args.replicateDeleteMarkers ? "Enabled" : "Disabled" },
            sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
            destination: {
              bucket: destination.bucket.arn,
              encryptionConfiguration: { replicaKmsKeyId: destination.keyArn },
              ...(rtc
                ? {
                    replicationTime: { status: "Enabled", time: { minutes: 15 } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                  }
                : {}),
            },
          },
        ],
      },
      // Replication needs versioning on both sides first.
      { parent: this, provider: primary.awsProvider, dependsOn: [source.versioning, destination.versioning] },
    );

    // Replication metrics are published in the source bucket's region.
    const dimensions = {
      SourceBucket: source.bucket.bucket,
      DestinationBucket: destination.bucket.bucket,
      RuleId: ruleId,
    };
    const actions = args.alarmTopicArn ? [args.alarmTopicArn] : [];
    const alarm = (suffix: string, metricName: string, statistic: string, threshold: number, what: string) =>
      new cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: `drkit ${args.service}: ${what}`,
          namespace: "AWS/S3",
          metricName,
          dimensions,
          statistic,
          period: 300,
          evaluationPeriods: 1,
          threshold,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmActions: actions,
          okActions: actions,
          tags,
        },
        { parent: this, provider: primary.awsProvider },
      );
    this.latencyAlarm = alarm(
      "replication-latency",
      "ReplicationLatency",
      "Maximum",
      latencyThreshold,
      `objects of ${name} take longer than ${latencyThreshold} s to reach the replica`,
    );
    this.failedReplicationAlarm = alarm(
      "replication-failed",
      "OperationsFailedReplication",
      "Sum",
      0,
      `objects of ${name} failed to replicate`,
    );

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      bucketName: source.bucket.bucket,
      bucketArn: source.bucket.arn,
      replicaBucketName: destination.bucket.bucket,
      replicaBucketArn: destination.bucket.arn,
      replicationRoleArn: this.replicationRole.arn,
      primaryRegion: primary.region,
      secondaryRegion: secondary.region,
    });
  }
}
