import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import {
  DrRegionPair,
  ObjectLockBucket,
  ObjectLockBucketArgs,
  validateObjectLockBucketArgs,
  REPLICATION_ACTIONS,
} from "@drkit/components";

// What the AWS provider computes: ARNs and (auto)names.
const computedOutputs = {
  "aws:s3/bucket:Bucket": ["arn", "bucket"],
  "aws:kms/key:Key": ["arn"],
  "aws:iam/role:Role": ["arn"],
};
const base = { project: "platform", stack: "prod", computedOutputs };
const COMPONENT = "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket::orders-data";

function program(args: Partial<Omit<ObjectLockBucketArgs, "regions">> = {}) {
  return () => {
    const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    new ObjectLockBucket("orders-data", { service: "orders", tier: "critical", regions, ...args });
  };
}
const props = (r: CapturedResource) => plainProperties(r.inputs);
const regionOf = (run: ProgramRun, r: CapturedResource) => plainProperties(run.providerOf(r)!.inputs).region;

describe("ObjectLockBucket", () => {
  it("creates every child under the component, each in the right region", async () => {
    const run = await runProgram(program(), base);
    // Registration order follows output resolution, so compare in a fixed order.
    const key = (r: CapturedResource) => `${r.name} ${r.type}`;
    const children = run.childrenOf(COMPONENT).sort((a, b) => (key(a) < key(b) ? -1 : 1));
    expect(children.map((c) => [c.type, c.name, regionOf(run, c)])).toEqual([
      ["aws:s3/bucket:Bucket", "orders-data", "eu-west-1"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "orders-data-encryption",
        "eu-west-1",
      ],
      ["aws:kms/key:Key", "orders-data-key", "eu-west-1"],
      [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "orders-data-lifecycle",
        "eu-west-1",
      ],
      [
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "orders-data-object-lock",
        "eu-west-1",
      ],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "orders-data-ownership", "eu-west-1"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "orders-data-public-access", "eu-west-1"],
      ["aws:s3/bucket:Bucket", "orders-data-replica", "eu-central-1"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "orders-data-replica-encryption",
        "eu-central-1",
      ],
      ["aws:kms/key:Key", "orders-data-replica-key", "eu-central-1"],
      [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "orders-data-replica-lifecycle",
        "eu-central-1",
      ],
      [
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "orders-data-replica-object-lock",
        "eu-central-1",
      ],
      [
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "orders-data-replica-ownership",
        "eu-central-1",
      ],
      [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "orders-data-replica-public-access",
        "eu-central-1",
      ],
      ["aws:s3/bucketVersioning:BucketVersioning", "orders-data-replica-versioning", "eu-central-1"],
      ["aws:iam/role:Role", "orders-data-replication", "eu-west-1"],
      ["aws:iam/rolePolicy:RolePolicy", "orders-data-replication", "eu-west-1"],
      ["aws:s3/bucketReplicationConfig:BucketReplicationConfig", "orders-data-replication", "eu-west-1"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "orders-data-replication-failed", "eu-west-1"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "orders-data-replication-latency", "eu-west-1"],
      ["aws:s3/bucketVersioning:BucketVersioning", "orders-data-versioning", "eu-west-1"],
    ]);
  });

  it("locks both buckets in COMPLIANCE for 365 days by default, retained on delete, tagged for the posture model", async () => {
    const run = await runProgram(program(), base);
    for (const bucket of run.ofType("aws:s3/bucket:Bucket")) {
      expect(props(bucket)).toEqual({
        objectLockEnabled: true,
        tags: { "drkit:service": "orders", "drkit:tier": "critical" },
      });
      expect(bucket.retainOnDelete).toBe(true);
    }
    expect(run.ofType("aws:kms/key:Key").map((k) => [k.retainOnDelete, props(k).enableKeyRotation])).toEqual([
      [true, true],
      [true, true],
    ]);
    expect(
      run
        .ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
        .map((l) => props(l).rule),
    ).toEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 365 } },
      { defaultRetention: { mode: "COMPLIANCE", days: 365 } },
    ]);
    expect(props(run.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0]!)).toEqual({
      bucket: "orders-data-id",
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(
      props(run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!).rules,
    ).toEqual([
      {
        id: "expire-noncurrent-versions",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 365 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
      },
    ]);
  });

  it("replicates with RTC and metrics, no delete markers, after versioning on both sides", async () => {
    const run = await runProgram(program(), base);
    const replication = run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")[0]!;
    expect(props(replication).rules).toEqual([
      {
        id: "to-secondary",
        status: "Enabled",
        filter: {},
        deleteMarkerReplication: { status: "Disabled" },
        sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
        destination: {
          bucket: "arn-of-orders-data-replica",
          encryptionConfiguration: { replicaKmsKeyId: "arn-of-orders-data-replica-key" },
          replicationTime: { status: "Enabled", time: { minutes: 15 } },
          metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        },
      },
    ]);
    expect(replication.dependencies).toEqual(
      expect.arrayContaining([
        "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket$aws:s3/bucketVersioning:BucketVersioning::orders-data-versioning",
        "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket$aws:s3/bucketVersioning:BucketVersioning::orders-data-replica-versioning",
      ]),
    );
    expect(replication.propertyDependencies.rules).toContain(
      "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket$aws:s3/bucket:Bucket::orders-data-replica",
    );
  });

  it("grants the replication role exactly the actions replication of a locked, encrypted bucket needs", async () => {
    const run = await runProgram(program(), base);
    const policy = JSON.parse(props(run.ofType("aws:iam/rolePolicy:RolePolicy")[0]!).policy as string);
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
        Resource: ["arn-of-orders-data"],
      },
      {
        Effect: "Allow",
        Action: [
          "s3:GetObjectVersionForReplication",
          "s3:GetObjectVersionAcl",
          "s3:GetObjectVersionTagging",
          "s3:GetObjectRetention",
          "s3:GetObjectLegalHold",
        ],
        Resource: ["arn-of-orders-data/*"],
      },
      {
        Effect: "Allow",
        Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
        Resource: ["arn-of-orders-data-replica/*"],
      },
      { Effect: "Allow", Action: ["kms:Decrypt"], Resource: ["arn-of-orders-data-key"] },
      {
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: ["arn-of-orders-data-replica-key"],
      },
    ]);
    expect(
      Object.values(REPLICATION_ACTIONS)
        .flat()
        .some((a) => a.includes("*")),
    ).toBe(false);
  });

  it("alarms on replication latency above 900 s and on any failed operation, notifying the topic", async () => {
    const run = await runProgram(program({ alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:dr" }), base);
    const alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map(props);
    expect(
      alarms.map((a) => [
        a.metricName,
        a.statistic,
        a.threshold,
        a.comparisonOperator,
        a.alarmActions,
        a.dimensions,
      ]),
    ).toEqual([
      [
        "ReplicationLatency",
        "Maximum",
        900,
        "GreaterThanThreshold",
        ["arn:aws:sns:eu-west-1:111122223333:dr"],
        {
          SourceBucket: "bucket-of-orders-data",
          DestinationBucket: "bucket-of-orders-data-replica",
          RuleId: "to-secondary",
        },
      ],
      [
        "OperationsFailedReplication",
        "Sum",
        0,
        "GreaterThanThreshold",
        ["arn:aws:sns:eu-west-1:111122223333:dr"],
        {
          SourceBucket: "bucket-of-orders-data",
          DestinationBucket: "bucket-of-orders-data-replica",
          RuleId: "to-secondary",
        },
      ],
    ]);
  });

  it("takes GOVERNANCE, other retention, delete-marker replication and given keys", async () => {
    const run = await runProgram(
      program({
        retentionMode: "GOVERNANCE",
        retentionDays: 30,
        replicateDeleteMarkers: true,
        kmsKeyArns: { primary: "arn:key:west", secondary: "arn:key:central" },
      }),
      base,
    );
    expect(run.ofType("aws:kms/key:Key")).toEqual([]);
    expect(
      props(run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")[0]!).rule,
    ).toEqual({ defaultRetention: { mode: "GOVERNANCE", days: 30 } });
    const rule = (
      props(run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")[0]!).rules as {
        deleteMarkerReplication: unknown;
        destination: { encryptionConfiguration: unknown };
      }[]
    )[0]!;
    expect(rule.deleteMarkerReplication).toEqual({ status: "Enabled" });
    expect(rule.destination.encryptionConfiguration).toEqual({ replicaKmsKeyId: "arn:key:central" });
  });

  it("constructs in preview, with names and ARNs unknown", async () => {
    const run = await runProgram(program(), {
      ...base,
      preview: true,
      computedOutputs: { "aws:s3/bucket:Bucket": ["arn", "bucket"] },
    });
    expect(run.childrenOf(COMPONENT)).toHaveLength(21);
    expect(run.byUrn(COMPONENT)!.outputs.service).toBe("orders");
  });

  it.each([
    [
      "retentionDays is 0",
      { retentionDays: 0 },
      "`retentionDays` must be a whole number 1–36500 (got 0); omit it to use 365",
    ],
    [
      "retentionDays is 36501",
      { retentionDays: 36_501 },
      "`retentionDays` must be a whole number 1–36500 (got 36501); omit it to use 365",
    ],
    [
      "the mode is unknown",
      { retentionMode: "STRICT" as never },
      '`retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "STRICT")',
    ],
    [
      "noncurrent expiry is 0 days",
      { noncurrentVersionExpirationDays: 0 },
      "`noncurrentVersionExpirationDays` must be a whole number ≥ 1 (got 0); omit it to use `retentionDays`",
    ],
    [
      "the latency alarm is under a minute",
      { replicationLatencyAlarmSeconds: 30 },
      "`replicationLatencyAlarmSeconds` must be at least 60 (got 30); omit it to use 900",
    ],
    [
      "the service is not a DNS label",
      { service: "Orders_DB" },
      "`service` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"Orders_DB\")",
    ],
  ])("fails when %s", async (_title, changes, message) => {
    await expect(runProgram(program(changes), base)).rejects.toThrow(
      `ObjectLockBucket "orders-data" has invalid arguments:\n  - ${message}`,
    );
  });

  it("fails when both regions are the same", () => {
    const side = { region: "eu-west-1" } as never;
    expect(
      validateObjectLockBucketArgs({
        service: "orders",
        tier: "critical",
        regions: { primary: side, secondary: side },
      }),
    ).toEqual([
      '`regions` must name two different regions (both "eu-west-1"): a replica in the same region does not survive a region loss',
    ]);
  });
});
