import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as kms from "@pulumi/aws/kms";
import type * as iam from "@pulumi/aws/iam";
import type * as cloudwatch from "@pulumi/aws/cloudwatch";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import { checkRegionPair, type RegionPair } from "../common/regions";
import { regionSidesOf } from "../drRegionPair";
import { ServiceIdentity, serviceTags, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkBoolean,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  checkedInput,
  isComputed,
  isPlainObject,
  ownEntry,
  shown,
} from "../common/validation";
import { tlsOnlyBucketPolicy } from "./bucketPolicies";
import { kmsViaS3Condition, s3ReplicationRole } from "./replicationRole";
import { checkAlarmTopicArn, checkBucketNamePrefix } from "./awsNames";
import { replicationAlarms } from "./replicationAlarms";

/** How Object Lock retains object versions. */
export const RetentionMode = {
  /** Nobody, root included, can delete a version or shorten its retention. */
  Compliance: "COMPLIANCE",
  /** Principals with `s3:BypassGovernanceRetention` can. */
  Governance: "GOVERNANCE",
} as const;
export type RetentionMode = (typeof RetentionMode)[keyof typeof RetentionMode];

/** KMS keys to encrypt with, per side: key ARNs (not aliases) in that side's region. */
export interface KmsKeyArns {
  /** @default - a key created in the primary region */
  readonly primary?: pulumi.Input<string>;
  /** @default - a key created in the secondary region */
  readonly secondary?: pulumi.Input<string>;
}

export interface ObjectLockBucketArgs extends ServiceIdentity {
  /**
   * Where the bucket (primary) and its replica (secondary) live: a `DrRegionPair` in TypeScript, or the
   * regions `{ primaryRegion, secondaryRegion }`, from which the component creates its own pair.
   */
  readonly regions: RegionPair;
  /**
   * Default retention of every new object version, in days (1–36500). Creation-only in spirit: with
   * COMPLIANCE, versions written under a longer retention stay locked that long. An Output is checked
   * when it resolves.
   * @default 365
   */
  readonly retentionDays?: pulumi.Input<number>;
  /**
   * `COMPLIANCE`: nobody, root included, can delete or shorten. `GOVERNANCE`: principals with
   * s3:BypassGovernanceRetention can.
   * @default "COMPLIANCE"
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html
   */
  readonly retentionMode?: RetentionMode;
  /**
   * KMS keys to encrypt with, per side: key ARNs (not aliases) in that side's region. The replication
   * role may use each key only through S3 in its region, for its bucket.
   * @default - a key per region, with rotation on, retained on delete
   */
  readonly kmsKeyArns?: KmsKeyArns;
  /**
   * Replicate delete markers to the replica. Off, a delete in the primary leaves the replica's object
   * visible (protection against malicious or mistaken deletes); on, the replica mirrors deletes. Delete
   * markers are outside the RTC SLA either way. Off, the replication role is not granted
   * `s3:ReplicateDelete`.
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
   * Days after which noncurrent versions expire (1–36500; they cannot expire while still locked).
   * @default - `retentionDays`
   */
  readonly noncurrentVersionExpirationDays?: number;
  /**
   * Keep buckets and keys in AWS when the stack or resource is deleted.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * SNS topic the replication alarms notify: its ARN, in the primary region (where the alarms are).
   * @default - alarms without actions
   */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /**
   * Replication latency above which the latency alarm fires, in seconds (60–86400).
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
  destinationObjects: ["s3:ReplicateObject", "s3:ReplicateTags"],
  // Only when delete markers are replicated (`replicateDeleteMarkers`).
  destinationDeletes: ["s3:ReplicateDelete"],
  sourceKey: ["kms:Decrypt"],
  destinationKey: ["kms:Encrypt", "kms:GenerateDataKey"],
} as const;

const FIELDS = [
  "service",
  "tier",
  "regions",
  "retentionDays",
  "retentionMode",
  "kmsKeyArns",
  "replicateDeleteMarkers",
  "replicationTimeControl",
  "noncurrentVersionExpirationDays",
  "retainOnDelete",
  "alarmTopicArn",
  "replicationLatencyAlarmSeconds",
];
const RETENTION_MODES: Readonly<Record<string, RetentionMode>> = {
  COMPLIANCE: "COMPLIANCE",
  GOVERNANCE: "GOVERNANCE",
};
const KMS_KEY_ARN = /^arn:aws:kms:([a-z0-9-]+):\d{12}:key\/[A-Za-z0-9-]+$/;
/** What the replica, `<name>-replica-<7 random characters>`, leaves of S3's 63 characters for the name. */
const BUCKET_NAME_MAX = 47;

function checkRetentionDays(value: unknown, problems: ArgsProblems): void {
  checkWholeNumber("retentionDays", value, { min: 1, max: 36_500, unit: "days", omitted: "365" }, problems);
}

function checkKmsKeyArn(
  side: "primary" | "secondary",
  region: string,
  value: unknown,
  problems: ArgsProblems,
): void {
  const match = typeof value === "string" ? KMS_KEY_ARN.exec(value) : null;
  problems.check(
    match?.[1] === region,
    `\`kmsKeyArns.${side}\` must be the ARN of a KMS key in ${region}, where ${side === "primary" ? "the bucket" : "the replica"} is, such as arn:aws:kms:${region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (got ${shown(value)}); omit it to have one created`,
  );
}

/**
 * Every problem with the arguments, checked before anything reads them: shapes, YAML-typed values
 * (quoted numbers, "false"), ranges, key and topic ARNs in the right region, and — given the component's
 * `name` — whether it can name the buckets. Outputs are checked when they resolve, with the same messages.
 */
export function validateObjectLockBucketArgs(args: ObjectLockBucketArgs, name?: string): string[] {
  const problems = new ArgsProblems();
  if (name !== undefined) {
    checkBucketNamePrefix(
      name,
      BUCKET_NAME_MAX,
      'replica bucket is named "<name>-replica-<7 random characters>"',
      problems,
    );
  }
  const raw: unknown = args;
  if (!checkArgsObject(raw, "pass { service, tier, regions }", problems)) return [...problems.list];
  validateServiceIdentity(raw as unknown as ServiceIdentity, problems);
  const regions = checkRegionPair(raw.regions, problems);
  if (!isComputed(raw.retentionDays)) checkRetentionDays(raw.retentionDays, problems);
  const mode = raw.retentionMode;
  if (mode !== undefined && ownEntry(RETENTION_MODES, mode) === undefined) {
    const near = typeof mode === "string" ? ownEntry(RETENTION_MODES, mode.trim().toUpperCase()) : undefined;
    problems.add(
      `\`retentionMode\` must be "COMPLIANCE" or "GOVERNANCE" (got ${shown(mode)})${near ? `: did you mean ${shown(near)}?` : ""}`,
    );
  }
  checkBoolean("replicateDeleteMarkers", raw.replicateDeleteMarkers, problems);
  checkBoolean("replicationTimeControl", raw.replicationTimeControl, problems);
  // A resource option: it must be known when the children are registered.
  if (checkPlain("retainOnDelete", raw.retainOnDelete, problems))
    checkBoolean("retainOnDelete", raw.retainOnDelete, problems);
  checkWholeNumber(
    "noncurrentVersionExpirationDays",
    raw.noncurrentVersionExpirationDays,
    { min: 1, max: 36_500, unit: "days", omitted: "`retentionDays`" },
    problems,
  );
  checkWholeNumber(
    "replicationLatencyAlarmSeconds",
    raw.replicationLatencyAlarmSeconds,
    { min: 60, max: 86_400, unit: "seconds", omitted: "900" },
    problems,
  );
  const keys = raw.kmsKeyArns;
  if (keys !== undefined && !isPlainObject(keys)) {
    problems.add(`\`kmsKeyArns\` must be { primary?, secondary? }, each a KMS key ARN (got ${shown(keys)})`);
  } else if (keys !== undefined) {
    checkKnownFields("kmsKeyArns", keys, ["primary", "secondary"], problems);
    for (const side of ["primary", "secondary"] as const) {
      if (regions && keys[side] !== undefined && !isComputed(keys[side]))
        checkKmsKeyArn(side, regions[side].region, keys[side], problems);
    }
  }
  if (regions && raw.alarmTopicArn !== undefined && !isComputed(raw.alarmTopicArn))
    checkAlarmTopicArn(regions.primary.region, raw.alarmTopicArn, problems);
  problems.check(
    regions === undefined || regions.primary.region !== regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(regions?.primary.region)}): a replica in the same region does not survive a region loss`,
  );
  checkKnownFields("", raw, FIELDS, problems);
  return [...problems.list];
}

interface BucketSide {
  readonly bucket: s3.Bucket;
  readonly keyArn: pulumi.Output<string>;
  readonly versioning: s3.BucketVersioning;
}

/**
 * An S3 bucket with Object Lock in the primary region, replicated (with RTC by default) to a locked
 * replica in the secondary region: versioned, KMS-encrypted, public access blocked, requests without TLS
 * denied, ACLs disabled, retained on delete, with alarms on replication latency and failures. The
 * replication role is trusted only for this account's source bucket and uses the keys only through S3.
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
    const problems = validateObjectLockBucketArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("ObjectLockBucket", name, problems);

    const sides = regionSidesOf(name, args.regions, this);
    const { primary, secondary } = sides;
    // Outputs are checked when they resolve: the child that consumes a bad one is never registered.
    const checked = <T>(input: pulumi.Input<T>, check: (value: unknown, problems: ArgsProblems) => void) =>
      checkedInput("ObjectLockBucket", name, input, check);
    const retentionDays = checked(args.retentionDays ?? 365, checkRetentionDays);
    const givenKey = (side: "primary" | "secondary") => {
      const key = args.kmsKeyArns?.[side];
      return key === undefined
        ? undefined
        : checked(key, (value, p) => checkKmsKeyArn(side, sides[side].region, value, p));
    };
    const alarmTopicArn =
      args.alarmTopicArn === undefined
        ? undefined
        : checked(args.alarmTopicArn, (value, p) => checkAlarmTopicArn(primary.region, value, p));
    const retentionMode = args.retentionMode ?? "COMPLIANCE";
    const rtc = args.replicationTimeControl ?? true;
    const replicateDeleteMarkers = args.replicateDeleteMarkers ?? false;
    const retainOnDelete = args.retainOnDelete ?? true;
    const noncurrentDays = args.noncurrentVersionExpirationDays ?? retentionDays;
    const latencyThreshold = args.replicationLatencyAlarmSeconds ?? 900;
    const tags = serviceTags(args);

    const side = (
      suffix: string,
      provider: AwsProvider,
      givenKey: pulumi.Input<string> | undefined,
    ): BucketSide => {
      const child = (id: string) => `${name}${suffix}${id}`;
      const keyArn =
        givenKey !== undefined
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
      const publicAccessBlock = new s3.BucketPublicAccessBlock(
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
      new s3.BucketPolicy(
        child("-policy"),
        { bucket: bucket.id, policy: pulumi.jsonStringify(tlsOnlyBucketPolicy(bucket.arn)) },
        // S3 refuses a policy and a public access block written to one bucket at the same time.
        { parent: this, provider, dependsOn: [publicAccessBlock] },
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

    const source = side("", primary.awsProvider, givenKey("primary"));
    const destination = side("-replica", secondary.awsProvider, givenKey("secondary"));
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
          actions: [
            ...REPLICATION_ACTIONS.destinationObjects,
            ...(replicateDeleteMarkers ? REPLICATION_ACTIONS.destinationDeletes : []),
          ],
          resources: [pulumi.interpolate`${destination.bucket.arn}/*`],
        },
        {
          actions: REPLICATION_ACTIONS.sourceKey,
          resources: [source.keyArn],
          condition: kmsViaS3Condition(primary.region, source.bucket.arn),
        },
        {
          actions: REPLICATION_ACTIONS.destinationKey,
          resources: [destination.keyArn],
          condition: kmsViaS3Condition(secondary.region, destination.bucket.arn),
        },
      ],
      { parent: this, provider: primary.awsProvider, tags, sourceBucketArn: source.bucket.arn },
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
            deleteMarkerReplication: { status: replicateDeleteMarkers ? "Enabled" : "Disabled" },
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
    const alarms = replicationAlarms(name, {
      dimensions: {
        SourceBucket: source.bucket.bucket,
        DestinationBucket: destination.bucket.bucket,
        RuleId: ruleId,
      },
      latencyThresholdSeconds: latencyThreshold,
      latencyDescription: `drkit ${args.service}: objects of ${name} take longer than ${latencyThreshold} s to reach the replica`,
      failedDescription: `drkit ${args.service}: objects of ${name} failed to replicate`,
      alarmTopicArn,
      tags,
      provider: primary.awsProvider,
      parent: this,
    });
    this.latencyAlarm = alarms.latency;
    this.failedReplicationAlarm = alarms.failed;

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
