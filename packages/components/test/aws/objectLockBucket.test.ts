import * as pulumi from "@pulumi/pulumi";
import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import {
  DrRegionPair,
  InvalidArgsError,
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
// What the AWS provider answers for the account the primary provider deploys into.
const call = (args: pulumi.runtime.MockCallArgs) =>
  args.token === "aws:index/getCallerIdentity:getCallerIdentity"
    ? {
        accountId: "111122223333",
        arn: "arn:aws:iam::111122223333:user/ci",
        userId: "AIDAEXAMPLE",
        id: "111122223333",
      }
    : args.inputs;
const base = { project: "platform", stack: "prod", computedOutputs, call };
const COMPONENT = "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket::orders-data";
const WEST_KEY = "arn:aws:kms:eu-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const CENTRAL_KEY = "arn:aws:kms:eu-central-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:dr";

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
      ["aws:s3/bucketPolicy:BucketPolicy", "orders-data-policy", "eu-west-1"],
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
      ["aws:s3/bucketPolicy:BucketPolicy", "orders-data-replica-policy", "eu-central-1"],
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

  it("given the regions as arguments (as other Pulumi languages pass them), creates its own region pair with the same children, each on an explicit provider", async () => {
    const run = await runProgram(() => {
      new ObjectLockBucket("orders-data", {
        service: "orders",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" },
      });
    }, base);
    expect(run.ofType("drkit:index:DrRegionPair").map((p) => [p.name, p.parent])).toEqual([
      ["orders-data-regions", COMPONENT],
    ]);
    expect(run.ofType("pulumi:providers:aws").map((p) => [p.name, props(p).region])).toEqual([
      ["orders-data-regions-primary", "eu-west-1"],
      ["orders-data-regions-secondary", "eu-central-1"],
    ]);
    const aws = run.resources.filter((r) => r.type.startsWith("aws:"));
    expect(new Set(aws.map((r) => r.providerRef?.split("::")[3]))).toEqual(
      new Set(["orders-data-regions-primary", "orders-data-regions-secondary"]),
    );
    // The same resources, in the same regions, as with a DrRegionPair of the program's own.
    const withPair = await runProgram(program(), base);
    const placed = (r: ProgramRun) =>
      r.resources
        .filter((c) => c.type.startsWith("aws:"))
        .map((c) => `${c.type} ${c.name} ${regionOf(r, c)}`)
        .sort();
    expect(placed(run)).toEqual(placed(withPair));
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

  it("denies every request without TLS to both buckets, with a bucket policy set after the public access block", async () => {
    const run = await runProgram(program(), base);
    const policies = run.ofType("aws:s3/bucketPolicy:BucketPolicy");
    expect(policies.map((p) => [p.name, props(p).bucket, JSON.parse(props(p).policy as string)])).toEqual(
      ["orders-data", "orders-data-replica"].map((bucket) => [
        `${bucket}-policy`,
        `${bucket}-id`,
        {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [`arn-of-${bucket}`, `arn-of-${bucket}/*`],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        },
      ]),
    );
    // PutBucketPolicy and PutPublicAccessBlock on one bucket at once can conflict (OperationAborted).
    const child = "urn:pulumi:prod::platform::drkit:index:ObjectLockBucket$aws:s3/";
    expect(policies.map((p) => [...p.dependencies].sort())).toEqual(
      ["orders-data", "orders-data-replica"].map((bucket) => [
        `${child}bucket:Bucket::${bucket}`,
        `${child}bucketPublicAccessBlock:BucketPublicAccessBlock::${bucket}-public-access`,
      ]),
    );
  });

  it("blocks public access to both buckets with all four flags", async () => {
    const run = await runProgram(program(), base);
    expect(run.ofType("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").map(props)).toEqual(
      ["orders-data-id", "orders-data-replica-id"].map((bucket) => ({
        bucket,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      })),
    );
  });

  it("encrypts both buckets by default with SSE-KMS under the side's own key, with a bucket key", async () => {
    const run = await runProgram(program(), base);
    expect(
      run
        .ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .map(props),
    ).toEqual(
      ["orders-data", "orders-data-replica"].map((bucket) => ({
        bucket: `${bucket}-id`,
        rules: [
          {
            applyServerSideEncryptionByDefault: {
              sseAlgorithm: "aws:kms",
              kmsMasterKeyId: `arn-of-${bucket}-key`,
            },
            bucketKeyEnabled: true,
          },
        ],
      })),
    );
  });

  it("lets only S3, replicating this account's source bucket, assume the replication role", async () => {
    const run = await runProgram(program(), base);
    const role = run.ofType("aws:iam/role:Role")[0]!;
    expect(JSON.parse(props(role).assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "111122223333", "aws:SourceArn": "arn-of-orders-data" },
          },
        },
      ],
    });
  });

  it("grants the replication role exactly what replication of a locked, encrypted bucket needs, and no deletes", async () => {
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
        Action: ["s3:ReplicateObject", "s3:ReplicateTags"],
        Resource: ["arn-of-orders-data-replica/*"],
      },
      {
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: ["arn-of-orders-data-key"],
        Condition: {
          StringEquals: {
            "kms:ViaService": "s3.eu-west-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": "arn-of-orders-data",
          },
        },
      },
      {
        Effect: "Allow",
        Action: ["kms:Encrypt", "kms:GenerateDataKey"],
        Resource: ["arn-of-orders-data-replica-key"],
        Condition: {
          StringEquals: {
            "kms:ViaService": "s3.eu-central-1.amazonaws.com",
            "kms:EncryptionContext:aws:s3:arn": "arn-of-orders-data-replica",
          },
        },
      },
    ]);
    expect(
      Object.values(REPLICATION_ACTIONS)
        .flat()
        .some((a) => a.includes("*")),
    ).toBe(false);
  });

  it("grants s3:ReplicateDelete only when delete markers are replicated", async () => {
    const run = await runProgram(program({ replicateDeleteMarkers: true }), base);
    const policy = JSON.parse(props(run.ofType("aws:iam/rolePolicy:RolePolicy")[0]!).policy as string);
    expect(policy.Statement[2]).toEqual({
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateTags", "s3:ReplicateDelete"],
      Resource: ["arn-of-orders-data-replica/*"],
    });
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
        kmsKeyArns: { primary: WEST_KEY, secondary: CENTRAL_KEY },
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
    expect(rule.destination.encryptionConfiguration).toEqual({ replicaKmsKeyId: CENTRAL_KEY });
  });

  it("takes retention, keys and the alarm topic as Outputs, checked when they resolve", async () => {
    const run = await runProgram(
      program({
        retentionDays: pulumi.output(30),
        kmsKeyArns: { primary: pulumi.output(WEST_KEY), secondary: pulumi.output(CENTRAL_KEY) },
        alarmTopicArn: pulumi.output(TOPIC),
      }),
      base,
    );
    expect(
      run
        .ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
        .map((l) => props(l).rule),
    ).toEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
      { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
    ]);
    expect(
      run
        .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        .map(
          (l) =>
            (props(l).rules as { noncurrentVersionExpiration: unknown }[])[0]!.noncurrentVersionExpiration,
        ),
    ).toEqual([{ noncurrentDays: 30 }, { noncurrentDays: 30 }]);
    expect(
      run
        .ofType("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
        .map(
          (e) =>
            (props(e).rules as { applyServerSideEncryptionByDefault: unknown }[])[0]!
              .applyServerSideEncryptionByDefault,
        ),
    ).toEqual([
      { sseAlgorithm: "aws:kms", kmsMasterKeyId: WEST_KEY },
      { sseAlgorithm: "aws:kms", kmsMasterKeyId: CENTRAL_KEY },
    ]);
    expect(run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => props(a).alarmActions)).toEqual([
      [TOPIC],
      [TOPIC],
    ]);
  });
  // Outputs that resolve to bad values fail the update with the same messages as plain ones: through
  // drkit check, in packages/cli/test/awsInputsAtResolution.test.ts.

  it("takes optional arguments given as undefined (config.get of an unset key) as omitted", async () => {
    const run = await runProgram(
      program({
        alarmTopicArn: undefined,
        kmsKeyArns: { primary: undefined, secondary: undefined },
        retentionDays: undefined,
        replicateDeleteMarkers: undefined,
      }),
      base,
    );
    expect(run.ofType("aws:kms/key:Key")).toHaveLength(2);
    expect(run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => props(a).alarmActions)).toEqual([
      [],
      [],
    ]);
  });

  it("constructs in preview, with names and ARNs unknown", async () => {
    const run = await runProgram(program(), {
      ...base,
      preview: true,
      computedOutputs: { "aws:s3/bucket:Bucket": ["arn", "bucket"] },
    });
    expect(run.childrenOf(COMPONENT)).toHaveLength(23);
    expect(run.byUrn(COMPONENT)!.outputs.service).toBe("orders");
  });

  const failsWith = async (args: unknown, problems: string[], name = "orders-data") => {
    await expect(
      runProgram(() => {
        new ObjectLockBucket(name, args as ObjectLockBucketArgs);
      }, base),
    ).rejects.toThrow(new InvalidArgsError("ObjectLockBucket", name, problems));
  };
  const withRegions = (changes: Record<string, unknown>) => () => {
    const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    return { service: "orders", tier: "critical", regions, ...changes };
  };

  it.each([
    [
      "args are missing",
      undefined,
      ["`args` must be an object (got undefined): pass { service, tier, regions }"],
    ],
    [
      "regions is missing",
      { service: "orders", tier: "critical" },
      [
        "`regions` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion } (got undefined)",
      ],
    ],
    [
      "a side of regions is null",
      { service: "orders", tier: "critical", regions: { primary: null, secondary: null } },
      [
        "`regions.primary` must be { region, awsProvider }, as a DrRegionPair side is (got null)",
        "`regions.secondary` must be { region, awsProvider }, as a DrRegionPair side is (got null)",
      ],
    ],
    [
      "a side's region is not an AWS region and it has no provider",
      {
        service: "orders",
        tier: "critical",
        regions: { primary: { region: "west" }, secondary: { region: "eu-central-1", awsProvider: {} } },
      },
      [
        '`regions.primary.region` must be an AWS region code such as eu-west-1 (got "west")',
        "`regions.primary.awsProvider` must be an AWS provider (got undefined): pass a DrRegionPair, whose sides carry one",
        "`regions.secondary.awsProvider` must be an AWS provider (got {}): pass a DrRegionPair, whose sides carry one",
      ],
    ],
    [
      "the regions given as arguments are the same, and one is misspelt",
      {
        service: "orders",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-west-1", defaultTag: { team: "a" } },
      },
      [
        '`regions.secondaryRegion` must differ from `regions.primaryRegion` (both "eu-west-1"): a region loss would take both sides',
        "`regions.defaultTag` is not an argument drkit knows here: did you mean `regions.defaultTags`?",
      ],
    ],
    [
      "the regions given as arguments lack the secondary",
      { service: "orders", tier: "critical", regions: { primaryRegion: "EU-WEST-1" } },
      [
        '`regions.primaryRegion` must be an AWS region code such as eu-west-1 (got "EU-WEST-1"): did you mean "eu-west-1"?',
        "`regions.secondaryRegion` must be an AWS region code such as eu-west-1 (got undefined)",
      ],
    ],
  ])("fails when %s", async (_case, args, problems) => {
    await failsWith(args, problems);
  });

  it.each([
    [
      "retentionDays is 0",
      { retentionDays: 0 },
      "`retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365",
    ],
    [
      "retentionDays is 36501",
      { retentionDays: 36_501 },
      "`retentionDays` must be a whole number of days from 1 to 36500 (got 36501); omit it to use 365",
    ],
    [
      "retentionDays is a quoted number from YAML",
      { retentionDays: "30" },
      '`retentionDays` must be a whole number of days from 1 to 36500 (got "30"): write it without quotes; omit it to use 365',
    ],
    [
      "the mode is unknown",
      { retentionMode: "STRICT" },
      '`retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "STRICT")',
    ],
    [
      "the mode is in lower case",
      { retentionMode: "compliance" },
      '`retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "compliance"): did you mean "COMPLIANCE"?',
    ],
    [
      "the mode is a property of Object.prototype",
      { retentionMode: "constructor" },
      '`retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "constructor")',
    ],
    [
      'delete-marker replication is the YAML string "false"',
      { replicateDeleteMarkers: "false" },
      '`replicateDeleteMarkers` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      'replication time control is the YAML string "false"',
      { replicationTimeControl: "false" },
      '`replicationTimeControl` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      'retainOnDelete is the YAML string "false"',
      { retainOnDelete: "false" },
      '`retainOnDelete` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "retainOnDelete is an Output",
      { retainOnDelete: pulumi.output(false) },
      "`retainOnDelete` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "noncurrent expiry is 0 days",
      { noncurrentVersionExpirationDays: 0 },
      "`noncurrentVersionExpirationDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use `retentionDays`",
    ],
    [
      "the latency alarm is under a minute",
      { replicationLatencyAlarmSeconds: 30 },
      "`replicationLatencyAlarmSeconds` must be a whole number of seconds from 60 to 86400 (got 30); omit it to use 900",
    ],
    [
      "the latency alarm is over a day",
      { replicationLatencyAlarmSeconds: 86_401 },
      "`replicationLatencyAlarmSeconds` must be a whole number of seconds from 60 to 86400 (got 86401); omit it to use 900",
    ],
    [
      "kmsKeyArns is a string",
      { kmsKeyArns: WEST_KEY },
      `\`kmsKeyArns\` must be { primary?, secondary? }, each a KMS key ARN (got "${WEST_KEY}")`,
    ],
    [
      "a key ARN is empty",
      { kmsKeyArns: { primary: "" } },
      '`kmsKeyArns.primary` must be the ARN of a KMS key in eu-west-1, where the bucket is, such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (got ""); omit it to have one created',
    ],
    [
      "the replica's key is in the primary region",
      { kmsKeyArns: { secondary: WEST_KEY } },
      `\`kmsKeyArns.secondary\` must be the ARN of a KMS key in eu-central-1, where the replica is, such as arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (got "${WEST_KEY}"); omit it to have one created`,
    ],
    [
      "a key is given by its alias",
      { kmsKeyArns: { primary: "alias/orders" } },
      '`kmsKeyArns.primary` must be the ARN of a KMS key in eu-west-1, where the bucket is, such as arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab (got "alias/orders"); omit it to have one created',
    ],
    [
      "the alarm topic is empty",
      { alarmTopicArn: "" },
      '`alarmTopicArn` must be the ARN of an SNS topic in eu-west-1, where the alarms are, such as arn:aws:sns:eu-west-1:111122223333:dr-alarms (got ""); omit it for alarms without actions',
    ],
    [
      "the alarm topic is in another region",
      { alarmTopicArn: "arn:aws:sns:us-east-1:111122223333:dr" },
      '`alarmTopicArn` must be the ARN of an SNS topic in eu-west-1, where the alarms are, such as arn:aws:sns:eu-west-1:111122223333:dr-alarms (got "arn:aws:sns:us-east-1:111122223333:dr"); omit it for alarms without actions',
    ],
    [
      "an argument is misspelt",
      { replicateDeleteMarker: true },
      "`replicateDeleteMarker` is not an argument drkit knows: did you mean `replicateDeleteMarkers`?",
    ],
    [
      "the service is not a DNS label",
      { service: "Orders_DB" },
      "`service` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"Orders_DB\")",
    ],
  ] as [string, Record<string, unknown>, string][])("fails when %s", async (_title, changes, message) => {
    await expect(runProgram(program(changes as Partial<ObjectLockBucketArgs>), base)).rejects.toThrow(
      new InvalidArgsError("ObjectLockBucket", "orders-data", [message]),
    );
  });

  it("fails when the name cannot name S3 buckets", async () => {
    const long = "orders-" + "x".repeat(41);
    await expect(
      runProgram(() => {
        new ObjectLockBucket("Orders_Data", withRegions({})());
      }, base),
    ).rejects.toThrow(
      new InvalidArgsError("ObjectLockBucket", "Orders_Data", [
        "the name \"Orders_Data\" cannot name S3 buckets: use letters, digits, '-' and '.', starting and ending with a letter or digit, at most 47 characters (the replica bucket is named \"<name>-replica-<7 random characters>\", lowercased, at most 63)",
      ]),
    );
    await expect(
      runProgram(() => {
        new ObjectLockBucket(long, withRegions({})());
      }, base),
    ).rejects.toThrow(
      new InvalidArgsError("ObjectLockBucket", long, [
        `the name "${long}" cannot name S3 buckets: use letters, digits, '-' and '.', starting and ending with a letter or digit, at most 47 characters (the replica bucket is named "<name>-replica-<7 random characters>", lowercased, at most 63)`,
      ]),
    );
  });

  it("fails when many arguments are wrong, listing every problem before creating anything", async () => {
    const created: string[] = [];
    await expect(
      runProgram(
        () => {
          new ObjectLockBucket(
            "orders-data",
            withRegions({
              retentionDays: 0,
              retentionMode: "STRICT",
              replicateDeleteMarkers: "false",
            })() as never,
          );
        },
        {
          ...base,
          newResource: (args) => {
            created.push(args.type);
            return { id: `${args.name}-id`, state: args.inputs };
          },
        },
      ),
    ).rejects.toThrow(
      new InvalidArgsError("ObjectLockBucket", "orders-data", [
        "`retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365",
        '`retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "STRICT")',
        '`replicateDeleteMarkers` must be true or false (got "false"): in YAML write it without quotes',
      ]),
    );
    expect(created.filter((type) => type.startsWith("aws:"))).toEqual([]);
  });

  it("fails when both regions are the same", async () => {
    await expect(
      runProgram(() => {
        const pair = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
        const regions = {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-west-1",
          primary: pair.primary,
          secondary: pair.primary,
        };
        expect(validateObjectLockBucketArgs({ service: "orders", tier: "critical", regions })).toEqual([
          '`regions` must name two different regions (both "eu-west-1"): a replica in the same region does not survive a region loss',
        ]);
        new ObjectLockBucket("orders-data", { service: "orders", tier: "critical", regions });
      }, base),
    ).rejects.toThrow(
      new InvalidArgsError("ObjectLockBucket", "orders-data", [
        '`regions` must name two different regions (both "eu-west-1"): a replica in the same region does not survive a region loss',
      ]),
    );
  });
});
