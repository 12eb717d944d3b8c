import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import * as kms from "@pulumi/aws/kms";
import type * as iam from "@pulumi/aws/iam";
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
  shown,
} from "../common/validation";
import { tlsOnlyBucketPolicy } from "./bucketPolicies";
import { kmsViaS3Condition, s3ReplicationRole } from "./replicationRole";
import { ObjectLockBucket, REPLICATION_ACTIONS } from "./objectLockBucket";
import { checkAlarmTopicArn, checkBucketNamePrefix } from "./awsNames";
import { replicationAlarms } from "./replicationAlarms";

export interface PulumiStateBackendArgs extends ServiceIdentity {
  /**
   * Where the state bucket Pulumi writes to (primary) and its replica, the copy you log in to when the
   * primary region is gone (secondary), live: a `DrRegionPair` in TypeScript, or the regions
   * `{ primaryRegion, secondaryRegion }`, from which the component creates its own pair.
   */
  readonly regions: RegionPair;
  /**
   * Days a replaced or deleted state file stays recoverable as a noncurrent version (7–36500): long enough
   * to notice a corrupted checkpoint and restore the version before it. Changing it later needs the
   * break-glass role (see `breakGlassRoleArn`).
   * @default 90
   */
  readonly noncurrentVersionRetentionDays?: number;
  /**
   * S3 Replication Time Control on the state bucket (99.99 % of objects within 15 minutes, with an SLA).
   * Without it nothing bounds the replica's lag, and drkit reports the state's region RPO as unbounded.
   * @default true
   */
  readonly replicationTimeControl?: boolean;
  /**
   * ARN of the IAM role that alone may delete the state buckets, delete versions of state files, or change
   * the buckets' versioning, lifecycle, replication or policy (`arn:aws:iam::<account>:role/<name>`). An
   * Output is checked when it resolves.
   * @default - nobody: only the account's root user, who can always replace a bucket policy, can lift it
   */
  readonly breakGlassRoleArn?: pulumi.Input<string>;
  /**
   * Default Object Lock (COMPLIANCE) retention, in days (1–36500), of the records bucket that holds the
   * state snapshots and the failover audit log.
   * @default 365
   */
  readonly recordsRetentionDays?: pulumi.Input<number>;
  /**
   * Create a multi-Region KMS key (primary here, replica in the secondary region) for Pulumi's
   * `awskms://` secrets provider, so stacks whose secrets it encrypts can still be decrypted from the
   * secondary region.
   * @default true
   */
  readonly secretsProviderKey?: boolean;
  /**
   * Refuse `pulumi destroy` of the buckets and keys (Pulumi's `protect`) until it is set to false.
   * @default true
   */
  readonly protect?: boolean;
  /**
   * Keep the buckets and keys in AWS when they are removed from the program or the stack is destroyed.
   * @default true
   */
  readonly retainOnDelete?: boolean;
  /**
   * SNS topic the replication alarms notify: its ARN, in the primary region (where the alarms are).
   * @default - alarms without actions
   */
  readonly alarmTopicArn?: pulumi.Input<string>;
}

/** The primary and secondary values of one output, such as the backend URL to log in to in each region. */
export interface RegionalValues {
  readonly primary: string;
  readonly secondary: string;
}

/**
 * The outputs a `PulumiStateBackend` registers, by name. The reference platform exports them under the same
 * names (`pulumi stack output stateBackend`), and docs/state-and-audit.md tells operators to read them.
 */
export const STATE_BACKEND_OUTPUTS = {
  /** `s3://<bucket>?region=<region>` per region: what `pulumi login` takes. */
  backendUrls: "backendUrls",
  stateBucketNames: "stateBucketNames",
  /** The Object Lock buckets holding state snapshots and the failover audit log. */
  recordsBucketNames: "recordsBucketNames",
  /** `awskms://<key id>?region=<region>` per region, or null without `secretsProviderKey`. */
  secretsProviderUrls: "secretsProviderUrls",
} as const;

/** Where the scheduled `pulumi stack export` snapshots go in the records bucket (`.github/workflows/state-snapshot.yml`). */
export const STATE_SNAPSHOT_PREFIX = "state-snapshots/";

/**
 * What the state buckets' policy refuses to everyone but the break-glass role: deleting the bucket,
 * deleting a version (which destroys history: deleting a file only adds a delete marker), and turning off
 * what keeps history (versioning, lifecycle, replication; DeleteBucketLifecycle and DeleteBucketReplication
 * are authorised by the Put actions) or the policy itself.
 */
export const STATE_PROTECTED_ACTIONS = [
  "s3:DeleteBucket",
  "s3:DeleteObjectVersion",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
] as const;

const FIELDS = [
  "service",
  "tier",
  "regions",
  "noncurrentVersionRetentionDays",
  "replicationTimeControl",
  "breakGlassRoleArn",
  "recordsRetentionDays",
  "secretsProviderKey",
  "protect",
  "retainOnDelete",
  "alarmTopicArn",
];
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** What the longest child, `<name>-records-replica-<7 random characters>`, leaves of S3's 63 for the name. */
const NAME_MAX = 39;

function checkBreakGlassRoleArn(value: unknown, problems: ArgsProblems): void {
  problems.check(
    typeof value === "string" && ROLE_ARN.test(value),
    `\`breakGlassRoleArn\` must be the ARN of an IAM role, such as arn:aws:iam::111122223333:role/state-break-glass (got ${shown(value)}); omit it to leave only the account's root user able to lift the protection`,
  );
}

function checkRecordsRetentionDays(value: unknown, problems: ArgsProblems): void {
  checkWholeNumber(
    "recordsRetentionDays",
    value,
    { min: 1, max: 36_500, unit: "days", omitted: "365" },
    problems,
  );
}

/**
 * Every problem with the arguments, checked before any child exists: shapes, YAML-typed values, ranges,
 * regions, ARNs, and — given the component's `name` — whether it can name the buckets. Outputs are checked
 * when they resolve, with the same messages.
 */
export function validatePulumiStateBackendArgs(args: PulumiStateBackendArgs, name?: string): string[] {
  const problems = new ArgsProblems();
  if (name !== undefined) {
    checkBucketNamePrefix(
      name,
      NAME_MAX,
      'records replica is named "<name>-records-replica-<7 random characters>"',
      problems,
    );
  }
  const raw: unknown = args;
  if (!checkArgsObject(raw, "pass { service, tier, regions }", problems)) return [...problems.list];
  validateServiceIdentity(raw as unknown as ServiceIdentity, problems);
  const regions = checkRegionPair(raw.regions, problems);
  problems.check(
    regions === undefined || regions.primary.region !== regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(regions?.primary.region)}): a replica in the same region does not survive a region loss`,
  );
  checkWholeNumber(
    "noncurrentVersionRetentionDays",
    raw.noncurrentVersionRetentionDays,
    // A week: a checkpoint corrupted on a Friday is still recoverable after the weekend.
    { min: 7, max: 36_500, unit: "days", omitted: "90" },
    problems,
  );
  checkBoolean("replicationTimeControl", raw.replicationTimeControl, problems);
  // Resource options and the children that exist: known when the program runs.
  for (const field of ["secretsProviderKey", "protect", "retainOnDelete"] as const)
    if (checkPlain(field, raw[field], problems)) checkBoolean(field, raw[field], problems);
  if (raw.breakGlassRoleArn !== undefined && !isComputed(raw.breakGlassRoleArn))
    checkBreakGlassRoleArn(raw.breakGlassRoleArn, problems);
  if (!isComputed(raw.recordsRetentionDays)) checkRecordsRetentionDays(raw.recordsRetentionDays, problems);
  if (regions && raw.alarmTopicArn !== undefined && !isComputed(raw.alarmTopicArn))
    checkAlarmTopicArn(regions.primary.region, raw.alarmTopicArn, problems);
  checkKnownFields("", raw, FIELDS, problems);
  return [...problems.list];
}

/**
 * The state buckets' policy: TLS only, and the protected actions refused to every principal but the
 * break-glass role (to everyone when there is none).
 */
export function stateBucketPolicy(
  bucketArn: pulumi.Output<string>,
  breakGlassRoleArn?: pulumi.Input<string>,
) {
  const tls = tlsOnlyBucketPolicy(bucketArn);
  return {
    ...tls,
    Statement: [
      ...tls.Statement,
      {
        Sid: "DenyStateDeletion",
        Effect: "Deny",
        Principal: "*",
        Action: [...STATE_PROTECTED_ACTIONS],
        Resource: [bucketArn, bucketArn.apply((arn) => `${arn}/*`)],
        ...(breakGlassRoleArn === undefined
          ? {}
          : { Condition: { ArnNotEquals: { "aws:PrincipalArn": breakGlassRoleArn } } }),
      },
    ],
  };
}

interface StateSide {
  readonly bucket: s3.Bucket;
  readonly keyArn: pulumi.Output<string>;
  readonly versioning: s3.BucketVersioning;
  readonly lifecycle: s3.BucketLifecycleConfiguration;
  readonly publicAccessBlock: s3.BucketPublicAccessBlock;
}

interface SideSettings {
  readonly name: string;
  readonly provider: AwsProvider;
  readonly tags: Record<string, string>;
  readonly noncurrentDays: number;
  readonly keep: pulumi.CustomResourceOptions;
}

/**
 * A self-managed Pulumi state backend that survives the loss of a region: a versioned, KMS-encrypted,
 * TLS-only, private S3 bucket in the primary region, replicated (with RTC by default, delete markers
 * included, so lock files released in the primary are released in the replica) to a bucket in the
 * secondary region; both protected by a policy that refuses deletion and history-destroying changes to all
 * but a break-glass role, by Pulumi's `protect` and `retainOnDelete`, and by noncurrent-version retention.
 * Beside it: an `ObjectLockBucket` of records (state snapshots, the failover audit log), and a multi-Region
 * KMS key for the `awskms://` secrets provider.
 *
 * Object Lock is not used on the state bucket itself: Pulumi rewrites and deletes its files (checkpoints,
 * locks), and a locked version could not be purged of a secret written into state by mistake. The
 * immutable copies are the snapshots in the records bucket.
 */
export class PulumiStateBackend extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:PulumiStateBackend";
  readonly stateBucket: s3.Bucket;
  readonly stateReplica: s3.Bucket;
  readonly replicationRole: iam.Role;
  readonly replication: s3.BucketReplicationConfig;
  readonly records: ObjectLockBucket;
  readonly secretsKey?: kms.Key;
  readonly secretsReplicaKey?: kms.ReplicaKey;
  readonly backendUrls: pulumi.Output<RegionalValues>;
  readonly stateBucketNames: pulumi.Output<RegionalValues>;
  readonly recordsBucketNames: pulumi.Output<RegionalValues>;
  readonly secretsProviderUrls: pulumi.Output<RegionalValues | null>;

  constructor(name: string, args: PulumiStateBackendArgs, opts?: pulumi.ComponentResourceOptions) {
    super(PulumiStateBackend.__pulumiType, name, {}, opts);
    const problems = validatePulumiStateBackendArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("PulumiStateBackend", name, problems);

    const sides = regionSidesOf(name, args.regions, this);
    const primaryRegion = sides.primary.region;
    const secondaryRegion = sides.secondary.region;
    const checked = <T>(input: pulumi.Input<T>, check: (value: unknown, problems: ArgsProblems) => void) =>
      checkedInput("PulumiStateBackend", name, input, check);
    const breakGlassRoleArn =
      args.breakGlassRoleArn === undefined
        ? undefined
        : checked(args.breakGlassRoleArn, checkBreakGlassRoleArn);
    const alarmTopicArn =
      args.alarmTopicArn === undefined
        ? undefined
        : checked(args.alarmTopicArn, (value, p) => checkAlarmTopicArn(primaryRegion, value, p));
    const noncurrentDays = args.noncurrentVersionRetentionDays ?? 90;
    const rtc = args.replicationTimeControl ?? true;
    const keep = { protect: args.protect ?? true, retainOnDelete: args.retainOnDelete ?? true };
    const tags = serviceTags(args);

    const primaryProvider = sides.primary.awsProvider;
    const secondaryProvider = sides.secondary.awsProvider;

    const settings = { tags, noncurrentDays, keep };
    const source = this.stateSide({ ...settings, name, provider: primaryProvider });
    const destination = this.stateSide({ ...settings, name: `${name}-replica`, provider: secondaryProvider });
    this.stateBucket = source.bucket;
    this.stateReplica = destination.bucket;

    this.replicationRole = s3ReplicationRole(
      `${name}-replication`,
      [
        { actions: REPLICATION_ACTIONS.sourceBucket, resources: [source.bucket.arn] },
        {
          actions: REPLICATION_ACTIONS.sourceObjects,
          resources: [pulumi.interpolate`${source.bucket.arn}/*`],
        },
        {
          // Delete markers too: Pulumi releases a lock by deleting its file, and a replica that kept every
          // lock file would show every stack locked after a failover.
          actions: [...REPLICATION_ACTIONS.destinationObjects, ...REPLICATION_ACTIONS.destinationDeletes],
          resources: [pulumi.interpolate`${destination.bucket.arn}/*`],
        },
        {
          actions: REPLICATION_ACTIONS.sourceKey,
          resources: [source.keyArn],
          condition: kmsViaS3Condition(primaryRegion, source.bucket.arn),
        },
        {
          actions: REPLICATION_ACTIONS.destinationKey,
          resources: [destination.keyArn],
          condition: kmsViaS3Condition(secondaryRegion, destination.bucket.arn),
        },
      ],
      { parent: this, provider: primaryProvider, tags, sourceBucketArn: source.bucket.arn },
    );

    const ruleId = "state-to-secondary";
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
            deleteMarkerReplication: { status: "Enabled" },
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
      { parent: this, provider: primaryProvider, dependsOn: [source.versioning, destination.versioning] },
    );

    // Written last on each side: once it exists, changing versioning, lifecycle or replication needs the
    // break-glass role, so the children that set them must exist first.
    this.statePolicy(name, source, primaryProvider, breakGlassRoleArn, [this.replication]);
    this.statePolicy(`${name}-replica`, destination, secondaryProvider, breakGlassRoleArn, []);
    this.replicationAlarms(name, {
      source,
      destination,
      ruleId,
      provider: primaryProvider,
      tags,
      alarmTopicArn,
    });

    this.records = new ObjectLockBucket(
      `${name}-records`,
      {
        service: args.service,
        tier: args.tier,
        // The same sides: the records bucket shares the pair's providers, never creates its own.
        regions: sides,
        ...(args.recordsRetentionDays === undefined
          ? {}
          : { retentionDays: checked(args.recordsRetentionDays, checkRecordsRetentionDays) }),
        ...(args.alarmTopicArn === undefined ? {} : { alarmTopicArn: args.alarmTopicArn }),
        retainOnDelete: keep.retainOnDelete,
      },
      { parent: this },
    );

    if (args.secretsProviderKey ?? true) {
      this.secretsKey = new kms.Key(
        `${name}-secrets`,
        {
          description: `drkit ${args.service}: Pulumi secrets provider (awskms://), multi-Region`,
          multiRegion: true,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          tags,
        },
        { parent: this, provider: primaryProvider, ...keep },
      );
      this.secretsReplicaKey = new kms.ReplicaKey(
        `${name}-secrets-replica`,
        {
          description: `drkit ${args.service}: replica of the Pulumi secrets provider key`,
          primaryKeyArn: this.secretsKey.arn,
          deletionWindowInDays: 30,
          tags,
        },
        { parent: this, provider: secondaryProvider, ...keep },
      );
    }

    const regional = (primary: pulumi.Input<string>, secondary: pulumi.Input<string>) =>
      pulumi.output({ primary, secondary }) as pulumi.Output<RegionalValues>;
    this.backendUrls = regional(
      pulumi.interpolate`s3://${source.bucket.bucket}?region=${primaryRegion}`,
      pulumi.interpolate`s3://${destination.bucket.bucket}?region=${secondaryRegion}`,
    );
    this.stateBucketNames = regional(source.bucket.bucket, destination.bucket.bucket);
    this.recordsBucketNames = regional(this.records.bucket.bucket, this.records.replica.bucket);
    // A multi-Region key keeps its id in every region; each URL names where KMS is called.
    this.secretsProviderUrls =
      this.secretsKey && this.secretsReplicaKey
        ? regional(
            pulumi.interpolate`awskms://${this.secretsKey.keyId}?region=${primaryRegion}`,
            pulumi.interpolate`awskms://${this.secretsReplicaKey.keyId}?region=${secondaryRegion}`,
          )
        : pulumi.output(null);

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      primaryRegion,
      secondaryRegion,
      [STATE_BACKEND_OUTPUTS.backendUrls]: this.backendUrls,
      [STATE_BACKEND_OUTPUTS.stateBucketNames]: this.stateBucketNames,
      [STATE_BACKEND_OUTPUTS.recordsBucketNames]: this.recordsBucketNames,
      [STATE_BACKEND_OUTPUTS.secretsProviderUrls]: this.secretsProviderUrls,
    });
  }

  /** One state bucket and its configuration, in one region. */
  private stateSide(side: SideSettings): StateSide {
    const { name, provider, tags, keep } = side;
    const opts = { parent: this, provider };
    const keyArn = new kms.Key(
      `${name}-key`,
      {
        description: `drkit: encrypts the Pulumi state bucket ${name}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags,
      },
      { ...opts, ...keep },
    ).arn;
    const bucket = new s3.Bucket(name, { tags }, { ...opts, ...keep });
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      opts,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn },
            bucketKeyEnabled: true,
          },
        ],
      },
      opts,
    );
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      opts,
    );
    new s3.BucketOwnershipControls(
      `${name}-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      opts,
    );
    const lifecycle = new s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "keep-noncurrent-state",
            status: "Enabled",
            filter: {},
            noncurrentVersionExpiration: { noncurrentDays: side.noncurrentDays },
            // A released lock leaves a delete marker; once its versions expire the marker is removed.
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
          },
        ],
      },
      { ...opts, dependsOn: [versioning] },
    );
    return { bucket, keyArn, versioning, lifecycle, publicAccessBlock };
  }

  private statePolicy(
    name: string,
    side: StateSide,
    provider: AwsProvider,
    breakGlassRoleArn: pulumi.Input<string> | undefined,
    after: pulumi.Resource[],
  ): void {
    new s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: side.bucket.id,
        policy: pulumi.jsonStringify(stateBucketPolicy(side.bucket.arn, breakGlassRoleArn)),
      },
      {
        parent: this,
        provider,
        // S3 refuses a policy and a public access block written at the same time.
        dependsOn: [side.publicAccessBlock, side.versioning, side.lifecycle, ...after],
      },
    );
  }

  /** Alarms on the replication the state's region RPO relies on; its metrics are in the source region. */
  private replicationAlarms(
    name: string,
    watched: {
      source: StateSide;
      destination: StateSide;
      ruleId: string;
      provider: AwsProvider;
      tags: Record<string, string>;
      alarmTopicArn: pulumi.Input<string> | undefined;
    },
  ): void {
    replicationAlarms(name, {
      dimensions: {
        SourceBucket: watched.source.bucket.bucket,
        DestinationBucket: watched.destination.bucket.bucket,
        RuleId: watched.ruleId,
      },
      latencyThresholdSeconds: 900,
      latencyDescription: `drkit: Pulumi state in ${name} takes longer than 900 s to reach the replica`,
      failedDescription: `drkit: Pulumi state in ${name} failed to replicate`,
      alarmTopicArn: watched.alarmTopicArn,
      tags: watched.tags,
      provider: watched.provider,
      parent: this,
    });
  }
}
