import * as pulumi from "@pulumi/pulumi";
import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import {
  DrRegionPair,
  InvalidArgsError,
  PulumiStateBackend,
  PulumiStateBackendArgs,
  STATE_BACKEND_OUTPUTS,
  STATE_PROTECTED_ACTIONS,
  validatePulumiStateBackendArgs,
} from "@drkit/components";

// What the AWS provider computes: ARNs, (auto)names and key ids.
const computedOutputs = {
  "aws:s3/bucket:Bucket": ["arn", "bucket"],
  "aws:kms/key:Key": ["arn", "keyId"],
  "aws:kms/replicaKey:ReplicaKey": ["arn", "keyId"],
  "aws:iam/role:Role": ["arn"],
};
const call = (args: pulumi.runtime.MockCallArgs) =>
  args.token === "aws:index/getCallerIdentity:getCallerIdentity"
    ? {
        accountId: "111122223333",
        arn: "arn:aws:iam::111122223333:user/ci",
        userId: "AIDA",
        id: "111122223333",
      }
    : args.inputs;
const base = { project: "platform", stack: "prod", computedOutputs, call };
const COMPONENT = "urn:pulumi:prod::platform::drkit:index:PulumiStateBackend::state";
const CHILD = "urn:pulumi:prod::platform::drkit:index:PulumiStateBackend$";
const BREAK_GLASS = "arn:aws:iam::111122223333:role/state-break-glass";
const ARGS: PulumiStateBackendArgs = {
  service: "pulumi-state",
  tier: "important",
  regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" },
};

function program(changes: Record<string, unknown> = {}, name = "state") {
  return () => {
    const backend = new PulumiStateBackend(name, { ...ARGS, ...changes } as PulumiStateBackendArgs);
    return {
      backendUrls: backend.backendUrls,
      stateBucketNames: backend.stateBucketNames,
      recordsBucketNames: backend.recordsBucketNames,
      secretsProviderUrls: backend.secretsProviderUrls,
    };
  };
}
const props = (r: CapturedResource) => plainProperties(r.inputs);
const regionOf = (run: ProgramRun, r: CapturedResource) => plainProperties(run.providerOf(r)!.inputs).region;
const byName = (a: CapturedResource, b: CapturedResource) =>
  `${a.name} ${a.type}` < `${b.name} ${b.type}` ? -1 : 1;
const named = (run: ProgramRun, type: string, name: string) => run.ofType(type).find((r) => r.name === name)!;

describe("PulumiStateBackend", () => {
  it("creates every child under the component, each through its own provider in the right region", async () => {
    const run = await runProgram(program(), base);
    const children = run.childrenOf(COMPONENT).sort(byName);
    expect(children.map((c) => [c.type, c.name, run.providerOf(c) ? regionOf(run, c) : "-"])).toEqual([
      ["aws:s3/bucket:Bucket", "state", "eu-west-1"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "state-encryption",
        "eu-west-1",
      ],
      ["aws:kms/key:Key", "state-key", "eu-west-1"],
      ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "state-lifecycle", "eu-west-1"],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "state-ownership", "eu-west-1"],
      ["aws:s3/bucketPolicy:BucketPolicy", "state-policy", "eu-west-1"],
      ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "state-public-access", "eu-west-1"],
      ["drkit:index:ObjectLockBucket", "state-records", "-"],
      // Regions given by name (as from another Pulumi language): the component makes its own pair.
      ["drkit:index:DrRegionPair", "state-regions", "-"],
      ["aws:s3/bucket:Bucket", "state-replica", "eu-central-1"],
      [
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "state-replica-encryption",
        "eu-central-1",
      ],
      ["aws:kms/key:Key", "state-replica-key", "eu-central-1"],
      [
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "state-replica-lifecycle",
        "eu-central-1",
      ],
      ["aws:s3/bucketOwnershipControls:BucketOwnershipControls", "state-replica-ownership", "eu-central-1"],
      ["aws:s3/bucketPolicy:BucketPolicy", "state-replica-policy", "eu-central-1"],
      [
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "state-replica-public-access",
        "eu-central-1",
      ],
      ["aws:s3/bucketVersioning:BucketVersioning", "state-replica-versioning", "eu-central-1"],
      ["aws:iam/role:Role", "state-replication", "eu-west-1"],
      ["aws:iam/rolePolicy:RolePolicy", "state-replication", "eu-west-1"],
      ["aws:s3/bucketReplicationConfig:BucketReplicationConfig", "state-replication", "eu-west-1"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "state-replication-failed", "eu-west-1"],
      ["aws:cloudwatch/metricAlarm:MetricAlarm", "state-replication-latency", "eu-west-1"],
      ["aws:kms/key:Key", "state-secrets", "eu-west-1"],
      ["aws:kms/replicaKey:ReplicaKey", "state-secrets-replica", "eu-central-1"],
      ["aws:s3/bucketVersioning:BucketVersioning", "state-versioning", "eu-west-1"],
    ]);
    const providers = run.ofType("pulumi:providers:aws").map((p) => [p.name, props(p).region, p.parent]);
    const pair = `${CHILD}drkit:index:DrRegionPair::state-regions`;
    expect(providers).toEqual([
      ["state-regions-primary", "eu-west-1", pair],
      ["state-regions-secondary", "eu-central-1", pair],
    ]);
    // The records bucket is an ObjectLockBucket on the same two providers.
    const records = `${CHILD}drkit:index:ObjectLockBucket::state-records`;
    const recordBuckets = run.ofType("aws:s3/bucket:Bucket").filter((b) => b.parent === records);
    expect(recordBuckets.map((b) => [b.name, props(b).objectLockEnabled, run.providerOf(b)!.name])).toEqual([
      ["state-records", true, "state-regions-primary"],
      ["state-records-replica", true, "state-regions-secondary"],
    ]);
  });

  it("shares a DrRegionPair's providers, and so its default tags, when given one", async () => {
    const run = await runProgram(() => {
      const regions = new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        defaultTags: { "cost-center": "platform" },
      });
      new PulumiStateBackend("state", { ...ARGS, regions });
    }, base);
    expect(run.ofType("drkit:index:DrRegionPair").map((p) => p.name)).toEqual(["dr"]);
    expect(run.ofType("pulumi:providers:aws").map((p) => p.name)).toEqual(["dr-primary", "dr-secondary"]);
    const providerOf = (name: string) => run.providerOf(named(run, "aws:s3/bucket:Bucket", name))!;
    expect(
      ["state", "state-replica", "state-records", "state-records-replica"].map((b) => providerOf(b).name),
    ).toEqual(["dr-primary", "dr-secondary", "dr-primary", "dr-secondary"]);
    // The SDK sends a provider's object inputs as JSON text.
    expect(JSON.parse(plainProperties(providerOf("state").inputs).defaultTags as string)).toEqual({
      tags: { "cost-center": "platform", "drkit:region-role": "primary" },
    });
  });

  it("versions both state buckets without Object Lock, tagged for the posture model, protected and retained", async () => {
    const run = await runProgram(program(), base);
    for (const name of ["state", "state-replica"]) {
      const bucket = named(run, "aws:s3/bucket:Bucket", name);
      expect(props(bucket)).toEqual({ tags: { "drkit:service": "pulumi-state", "drkit:tier": "important" } });
      expect([bucket.protect, bucket.retainOnDelete]).toEqual([true, true]);
      const key = named(run, "aws:kms/key:Key", `${name}-key`);
      expect([key.protect, key.retainOnDelete, props(key).enableKeyRotation]).toEqual([true, true, true]);
      expect(props(named(run, "aws:s3/bucketVersioning:BucketVersioning", `${name}-versioning`))).toEqual({
        bucket: `${name}-id`,
        versioningConfiguration: { status: "Enabled" },
      });
      expect(
        props(
          named(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", `${name}-lifecycle`),
        ).rules,
      ).toEqual([
        {
          id: "keep-noncurrent-state",
          status: "Enabled",
          filter: {},
          noncurrentVersionExpiration: { noncurrentDays: 90 },
          expiration: { expiredObjectDeleteMarker: true },
          abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
        },
      ]);
    }
    expect(
      run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").map((l) => l.name),
    ).toEqual(["state-records-object-lock", "state-records-replica-object-lock"]);
  });

  it("keeps noncurrent versions as long as asked, and leaves protection off when asked", async () => {
    const run = await runProgram(
      program({ noncurrentVersionRetentionDays: 400, protect: false, retainOnDelete: false }),
      base,
    );
    const lifecycle = run
      .ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
      .filter((l) => l.name.endsWith("lifecycle") && !l.name.includes("records"));
    expect(
      lifecycle.map(
        (l) => (props(l).rules as { noncurrentVersionExpiration: unknown }[])[0]!.noncurrentVersionExpiration,
      ),
    ).toEqual([{ noncurrentDays: 400 }, { noncurrentDays: 400 }]);
    expect(
      ["state", "state-replica"].map((n) => {
        const b = named(run, "aws:s3/bucket:Bucket", n);
        return [b.protect, b.retainOnDelete];
      }),
    ).toEqual([
      [false, false],
      [false, false],
    ]);
  });

  it("replicates every object with RTC and delete markers (released locks), after versioning on both sides", async () => {
    const run = await runProgram(program(), base);
    const replication = run
      .ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
      .find((r) => r.name === "state-replication")!;
    expect(props(replication)).toEqual({
      bucket: "state-id",
      role: "arn-of-state-replication",
      rules: [
        {
          id: "state-to-secondary",
          status: "Enabled",
          filter: {},
          deleteMarkerReplication: { status: "Enabled" },
          sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
          destination: {
            bucket: "arn-of-state-replica",
            encryptionConfiguration: { replicaKmsKeyId: "arn-of-state-replica-key" },
            replicationTime: { status: "Enabled", time: { minutes: 15 } },
            metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
          },
        },
      ],
    });
    expect(replication.dependencies).toEqual(
      expect.arrayContaining([
        `${CHILD}aws:s3/bucketVersioning:BucketVersioning::state-versioning`,
        `${CHILD}aws:s3/bucketVersioning:BucketVersioning::state-replica-versioning`,
      ]),
    );
    const role = JSON.parse(
      props(named(run, "aws:iam/rolePolicy:RolePolicy", "state-replication")).policy as string,
    );
    expect(role.Statement[2]).toEqual({
      Effect: "Allow",
      Action: ["s3:ReplicateObject", "s3:ReplicateTags", "s3:ReplicateDelete"],
      Resource: ["arn-of-state-replica/*"],
    });
  });

  it("replicates without RTC when asked", async () => {
    const run = await runProgram(program({ replicationTimeControl: false }), base);
    const replication = named(
      run,
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      "state-replication",
    );
    expect((props(replication).rules as { destination: unknown }[])[0]!.destination).toEqual({
      bucket: "arn-of-state-replica",
      encryptionConfiguration: { replicaKmsKeyId: "arn-of-state-replica-key" },
    });
  });

  it("refuses deletion and history-destroying changes to everyone without a break-glass role, after the settings exist", async () => {
    const run = await runProgram(program(), base);
    for (const name of ["state", "state-replica"]) {
      const policy = named(run, "aws:s3/bucketPolicy:BucketPolicy", `${name}-policy`);
      expect(JSON.parse(props(policy).policy as string)).toEqual({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [`arn-of-${name}`, `arn-of-${name}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
          {
            Sid: "DenyStateDeletion",
            Effect: "Deny",
            Principal: "*",
            Action: [
              "s3:DeleteBucket",
              "s3:DeleteObjectVersion",
              "s3:PutBucketVersioning",
              "s3:PutLifecycleConfiguration",
              "s3:PutReplicationConfiguration",
              "s3:PutBucketPolicy",
              "s3:DeleteBucketPolicy",
            ],
            Resource: [`arn-of-${name}`, `arn-of-${name}/*`],
          },
        ],
      });
      const s3 = `${CHILD}aws:s3/`;
      expect([...policy.dependencies].sort()).toEqual(
        [
          `${s3}bucket:Bucket::${name}`,
          `${s3}bucketLifecycleConfiguration:BucketLifecycleConfiguration::${name}-lifecycle`,
          `${s3}bucketPublicAccessBlock:BucketPublicAccessBlock::${name}-public-access`,
          ...(name === "state"
            ? [`${s3}bucketReplicationConfig:BucketReplicationConfig::state-replication`]
            : []),
          `${s3}bucketVersioning:BucketVersioning::${name}-versioning`,
        ].sort(),
      );
    }
    expect(STATE_PROTECTED_ACTIONS).toContain("s3:DeleteObjectVersion");
  });

  it("lets the break-glass role, and only it, past the deletion guard", async () => {
    const run = await runProgram(program({ breakGlassRoleArn: pulumi.output(BREAK_GLASS) }), base);
    const statements = JSON.parse(
      props(named(run, "aws:s3/bucketPolicy:BucketPolicy", "state-policy")).policy as string,
    ).Statement as { Sid: string; Condition?: unknown }[];
    expect(statements.find((s) => s.Sid === "DenyStateDeletion")!.Condition).toEqual({
      ArnNotEquals: { "aws:PrincipalArn": BREAK_GLASS },
    });
  });

  it("creates a multi-Region secrets key with its replica in the secondary region, or none when asked", async () => {
    const run = await runProgram(program(), base);
    const key = named(run, "aws:kms/key:Key", "state-secrets");
    expect(props(key)).toEqual({
      description: "drkit pulumi-state: Pulumi secrets provider (awskms://), multi-Region",
      multiRegion: true,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: { "drkit:service": "pulumi-state", "drkit:tier": "important" },
    });
    const replica = run.ofType("aws:kms/replicaKey:ReplicaKey")[0]!;
    expect([props(replica).primaryKeyArn, regionOf(run, replica), replica.protect]).toEqual([
      "arn-of-state-secrets",
      "eu-central-1",
      true,
    ]);
    const without = await runProgram(program({ secretsProviderKey: false }), base);
    expect(without.ofType("aws:kms/replicaKey:ReplicaKey")).toEqual([]);
    expect(without.ofType("aws:kms/key:Key").map((k) => k.name)).not.toContain("state-secrets");
    expect(without.stackOutputs).toMatchObject({ secretsProviderUrls: null });
  });

  it("locks the records bucket in COMPLIANCE for 365 days by default, or as asked", async () => {
    const rules = async (changes: Record<string, unknown>) =>
      (await runProgram(program(changes), base))
        .ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")
        .map((l) => props(l).rule);
    expect(await rules({})).toEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 365 } },
      { defaultRetention: { mode: "COMPLIANCE", days: 365 } },
    ]);
    expect(await rules({ recordsRetentionDays: pulumi.output(2555) })).toEqual([
      { defaultRetention: { mode: "COMPLIANCE", days: 2555 } },
      { defaultRetention: { mode: "COMPLIANCE", days: 2555 } },
    ]);
  });

  it("outputs the backend URL to log in to in each region, and the records and secrets provider per region", async () => {
    const run = await runProgram(program(), base);
    const expected = {
      backendUrls: {
        primary: "s3://bucket-of-state?region=eu-west-1",
        secondary: "s3://bucket-of-state-replica?region=eu-central-1",
      },
      stateBucketNames: { primary: "bucket-of-state", secondary: "bucket-of-state-replica" },
      recordsBucketNames: {
        primary: "bucket-of-state-records",
        secondary: "bucket-of-state-records-replica",
      },
      secretsProviderUrls: {
        primary: "awskms://keyId-of-state-secrets?region=eu-west-1",
        secondary: "awskms://keyId-of-state-secrets-replica?region=eu-central-1",
      },
    };
    expect(run.stackOutputs).toEqual(expected);
    const outputs = plainProperties(run.byUrn(COMPONENT)!.outputs);
    expect(outputs).toEqual({
      service: "pulumi-state",
      tier: "important",
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      ...expected,
    });
    expect(Object.values(STATE_BACKEND_OUTPUTS).sort()).toEqual(Object.keys(expected).sort());
  });

  it("alarms on the state's replication lag and failures in the primary region", async () => {
    const run = await runProgram(program({ alarmTopicArn: "arn:aws:sns:eu-west-1:111122223333:dr" }), base);
    const alarm = named(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "state-replication-latency");
    expect(props(alarm)).toMatchObject({
      namespace: "AWS/S3",
      metricName: "ReplicationLatency",
      threshold: 900,
      dimensions: {
        SourceBucket: "bucket-of-state",
        DestinationBucket: "bucket-of-state-replica",
        RuleId: "state-to-secondary",
      },
      alarmActions: ["arn:aws:sns:eu-west-1:111122223333:dr"],
    });
  });
});

describe("PulumiStateBackend arguments", () => {
  const fails = async (changes: Record<string, unknown>, problems: string[], name = "state") => {
    expect(validatePulumiStateBackendArgs({ ...ARGS, ...changes } as PulumiStateBackendArgs, name)).toEqual(
      problems,
    );
    await expect(runProgram(program(changes, name), base)).rejects.toThrow(
      new InvalidArgsError("PulumiStateBackend", name, problems),
    );
  };

  it.each([
    [
      "the primary region is not an AWS region",
      { regions: { primaryRegion: "EU-WEST-1", secondaryRegion: "eu-central-1" } },
      [
        '`regions.primaryRegion` must be an AWS region code such as eu-west-1 (got "EU-WEST-1"): did you mean "eu-west-1"?',
      ],
    ],
    [
      "both regions are the same",
      { regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-west-1" } },
      [
        '`regions.secondaryRegion` must differ from `regions.primaryRegion` (both "eu-west-1"): a region loss would take both sides',
      ],
    ],
    [
      "noncurrent versions would be kept less than a week",
      { noncurrentVersionRetentionDays: 1 },
      [
        "`noncurrentVersionRetentionDays` must be a whole number of days from 7 to 36500 (got 1); omit it to use 90",
      ],
    ],
    [
      "noncurrent retention is a quoted number from YAML",
      { noncurrentVersionRetentionDays: "30" },
      [
        '`noncurrentVersionRetentionDays` must be a whole number of days from 7 to 36500 (got "30"): write it without quotes; omit it to use 90',
      ],
    ],
    [
      "the break-glass role is a user",
      { breakGlassRoleArn: "arn:aws:iam::111122223333:user/alice" },
      [
        '`breakGlassRoleArn` must be the ARN of an IAM role, such as arn:aws:iam::111122223333:role/state-break-glass (got "arn:aws:iam::111122223333:user/alice"); omit it to leave only the account\'s root user able to lift the protection',
      ],
    ],
    [
      "records retention is 0 days",
      { recordsRetentionDays: 0 },
      ["`recordsRetentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365"],
    ],
    [
      'protect is the YAML string "false"',
      { protect: "false" },
      ['`protect` must be true or false (got "false"): in YAML write it without quotes'],
    ],
    [
      "the secrets key flag is an Output",
      { secretsProviderKey: pulumi.output(true) },
      [
        "`secretsProviderKey` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
      ],
    ],
    [
      "the alarm topic is in the secondary region",
      { alarmTopicArn: "arn:aws:sns:eu-central-1:111122223333:dr" },
      [
        '`alarmTopicArn` must be the ARN of an SNS topic in eu-west-1, where the alarms are, such as arn:aws:sns:eu-west-1:111122223333:dr-alarms (got "arn:aws:sns:eu-central-1:111122223333:dr"); omit it for alarms without actions',
      ],
    ],
    [
      "an argument is misspelt",
      { noncurrentVersionRetentionDay: 30 },
      [
        "`noncurrentVersionRetentionDay` is not an argument drkit knows: did you mean `noncurrentVersionRetentionDays`?",
      ],
    ],
  ] as [string, Record<string, unknown>, string[]][])("fails when %s", async (_title, changes, problems) => {
    await fails(changes, problems);
  });

  it("fails when the name cannot name the records replica bucket", async () => {
    const long = "x".repeat(40);
    await fails(
      {},
      [
        `the name "${long}" cannot name S3 buckets: use letters, digits, '-' and '.', starting and ending with a letter or digit, at most 39 characters (the records replica is named "<name>-records-replica-<7 random characters>", lowercased, at most 63)`,
      ],
      long,
    );
  });

  it("fails when many arguments are wrong, listing every problem before creating anything", async () => {
    const created: string[] = [];
    const problems = [
      "`tier` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"Important\")",
      '`regions.secondaryRegion` must be an AWS region code such as eu-west-1 (got "mars-1")',
      "`noncurrentVersionRetentionDays` must be a whole number of days from 7 to 36500 (got 0); omit it to use 90",
    ];
    await expect(
      runProgram(
        program({
          tier: "Important",
          regions: { primaryRegion: "eu-west-1", secondaryRegion: "mars-1" },
          noncurrentVersionRetentionDays: 0,
        }),
        {
          ...base,
          newResource: (args) => {
            created.push(args.type);
            return { id: `${args.name}-id`, state: args.inputs };
          },
        },
      ),
    ).rejects.toThrow(new InvalidArgsError("PulumiStateBackend", "state", problems));
    expect(created.filter((type) => type.startsWith("aws:") || type.startsWith("pulumi:providers"))).toEqual(
      [],
    );
  });
});
