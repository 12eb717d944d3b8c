// drkit-rpo-rto fails closed on S3, through the real Analyzer interface: a rule that copies part of a
// bucket, a lifecycle rule that deletes the version a restore needs, and protection drkit cannot read.
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { usePack, check } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const serviceTags = { "drkit:service": "orders", "drkit:tier": "critical" };
const C = "bucket orders-data (eu-west-1)";

type ReplicationRule = s3.BucketReplicationConfigArgs["rules"];
type LifecycleRules = s3.BucketLifecycleConfigurationArgs["rules"];

/** A versioned bucket in eu-west-1 replicated with RTC to eu-central-1, written by hand, with changes. */
const program =
  (options: { filter?: { prefix?: string }; lifecycle?: LifecycleRules } = {}) =>
  () => {
    const west = new AwsProvider("west", { region: "eu-west-1" });
    const central = new AwsProvider("central", { region: "eu-central-1" });
    const source = new s3.Bucket("orders-data", { tags: serviceTags }, { provider: west });
    new s3.BucketVersioning(
      "orders-data-versioning",
      { bucket: source.id, versioningConfiguration: { status: "Enabled" } },
      { provider: west },
    );
    const replica = new s3.Bucket("orders-data-replica", { tags: serviceTags }, { provider: central });
    const rules: ReplicationRule = [
      {
        id: "to-secondary",
        status: "Enabled",
        filter: options.filter ?? {},
        deleteMarkerReplication: { status: "Disabled" },
        destination: {
          bucket: replica.arn,
          replicationTime: { status: "Enabled", time: { minutes: 15 } },
          metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
        },
      },
    ];
    new s3.BucketReplicationConfig(
      "orders-data-replication",
      { bucket: source.id, role: "arn:aws:iam::111122223333:role/replication", rules },
      { provider: west },
    );
    if (options.lifecycle)
      new s3.BucketLifecycleConfiguration(
        "orders-data-lifecycle",
        { bucket: source.id, rules: options.lifecycle },
        { provider: west },
      );
  };

const heads = (violations: [string, string][]) =>
  violations.map(([level, message]) => [level, message.split("\n")[0]]);

describe("drkit-rpo-rto fails closed on S3", () => {
  it("fails when a one-prefix replication rule is credited as protecting the whole bucket", async () => {
    const { violations, report } = await check(pack(), program({ filter: { prefix: "invoices/" } }), policy);
    expect(violations).toEqual([
      [
        "mandatory",
        [
          "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
          `  - ${C}: Replication rule \`to-secondary\` replicates only keys under prefix \`invoices/\` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.`,
          `  - ${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
          `  - ${C}: RPO no bound.`,
          `  - ${C}: RTO: no bound (no recovery path).`,
          `  - Service RPO is the worst component's: no bound (${C}).`,
          `  - Components recover in parallel, so the service RTO is the slowest recovery: no bound (${C}).`,
          "  - RPO no bound exceeds the critical target of 5m.",
          "  - RTO no bound exceeds the critical target of 1h.",
          "Sources:",
          "  [s3-replication-scope] A replication rule copies only the objects its filter matches (a key prefix, object tags, or both); an empty filter or prefix matches every object, and a disabled rule copies nothing. Where several rules copy to one destination, only the highest-priority one applies. (Amazon S3 User Guide, Replication configuration file elements [S3-23])",
          "  [s3-delete-markers] Delete markers are replicated only when delete-marker replication is enabled, and are not covered by the RTC SLA. (Amazon S3 User Guide, Replicating delete markers [S3-15])",
        ].join("\n"),
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("fails when a lifecycle rule expires noncurrent versions after 0 days, yet versioning was credited", async () => {
    const lifecycle: LifecycleRules = [
      {
        id: "expire-noncurrent",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 0 },
      },
    ];
    const config = {
      [policy]: {
        tiers: {
          critical: { ...everyDisruption(300, 3_600), region: { rpoSeconds: 900, rtoSeconds: 3_600 } },
        },
      },
    };
    const { violations } = await check(pack(), program({ lifecycle }), policy, { config });
    expect(violations).toEqual([
      [
        "mandatory",
        [
          "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 5m; RTO no bound > target 1h.",
          `  - ${C}: Versioning is enabled: the version before a bad write or delete is kept only until a lifecycle rule deletes it.`,
          `  - ${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 0 days after they are replaced (0 × 86400 s = 0 s), sooner than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
          `  - ${C}: RPO no bound.`,
          `  - ${C}: RTO: no bound (no recovery path).`,
          `  - Service RPO is the worst component's: no bound (${C}).`,
          `  - Components recover in parallel, so the service RTO is the slowest recovery: no bound (${C}).`,
          "  - RPO no bound exceeds the critical target of 5m.",
          "  - RTO no bound exceeds the critical target of 1h.",
          "Sources:",
          "  [s3-versioning] With versioning, an overwrite or delete keeps the previous version, which can be restored. (Amazon S3 User Guide, Using versioning in S3 buckets [S3-1])",
          "  [s3-lifecycle-noncurrent] A lifecycle NoncurrentVersionExpiration permanently deletes a version NoncurrentDays after it became noncurrent (rounded up to the next midnight UTC, never sooner); with NewerNoncurrentVersions it waits until that many newer noncurrent versions exist as well. (Amazon S3 User Guide, Lifecycle configuration elements; S3 API Reference, NoncurrentVersionExpiration [S3-24])",
        ].join("\n"),
      ],
    ]);
  });

  it("fails when noncurrent versions expire after 1 day and a bad write takes 2 days to notice", async () => {
    const lifecycle: LifecycleRules = [
      {
        id: "expire-noncurrent",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 1 },
      },
    ];
    const config = { [policy]: { estimates: { incidentDetectionSeconds: 172_800 } } };
    const { violations } = await check(pack(), program({ lifecycle }), policy, { config });
    const software = violations.filter(([, m]) => m.startsWith("orders (critical), software"));
    expect(heads(software)).toEqual([
      [
        "mandatory",
        "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
    ]);
    expect(software[0]![1]).toContain(
      `  - ${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 1 day after they are replaced (1 × 86400 s = 86400 s), sooner than it takes to notice a bad write (172800 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
    );
  });

  it("meets the software target when noncurrent versions outlive detection", async () => {
    const lifecycle: LifecycleRules = [
      {
        id: "expire-noncurrent",
        status: "Enabled",
        filter: {},
        noncurrentVersionExpiration: { noncurrentDays: 30 },
      },
    ];
    const { violations } = await check(pack(), program({ lifecycle }), policy);
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO 15m > target 5m; RTO 25m ≤ target 1h.",
      ],
    ]);
  });

  const NOT_ASSESSED =
    "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:";
  const howTo =
    '. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (`"resource": "orders-data"`) with an owner, a reason and an expiry.';

  it("fails when a bucket is versioned only by the deprecated inline argument", async () => {
    const { violations, report } = await check(
      pack(),
      () => {
        new s3.Bucket("orders-data", { tags: serviceTags, versioning: { enabled: true } });
      },
      policy,
    );
    expect(violations).toEqual([
      [
        "mandatory",
        [
          NOT_ASSESSED,
          `  - drkit cannot judge aws:s3/bucket:Bucket orders-data: it holds objects and sets the deprecated inline argument \`versioning\`, which drkit does not read: move it to the separate resource (BucketVersioning)${howTo}`,
        ].join("\n"),
      ],
    ]);
    expect(report.violations.find((v) => v.policyName === policy)!.urn).toBe(
      "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data",
    );
    expect(report.failed).toBe(true);
  });

  it("fails when the bucket is a BucketV2", async () => {
    const { violations } = await check(
      pack(),
      () => {
        new s3.BucketV2("orders-data", { tags: serviceTags });
      },
      policy,
    );
    expect(violations).toEqual([
      [
        "mandatory",
        [
          NOT_ASSESSED,
          `  - drkit cannot judge aws:s3/bucketV2:BucketV2 orders-data: it holds objects (deprecated kind: drkit models aws:s3/bucket:Bucket and its separate configuration resources), and drkit has no model of how aws:s3/bucketV2:BucketV2 recovers${howTo}`,
        ].join("\n"),
      ],
    ]);
  });

  it("judges a bucket whose inline `versioning` output mirrors its BucketVersioning", async () => {
    const { violations } = await check(pack(), program(), policy, {
      program: {
        // After `pulumi up` the provider reports the bucket's versioning state as an output, too.
        newResource: (args) => ({
          id: `${args.name}-id`,
          state:
            args.type === "aws:s3/bucket:Bucket"
              ? { ...args.inputs, versioning: { enabled: true, mfaDelete: false } }
              : args.inputs,
        }),
      },
    });
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO 15m > target 5m; RTO 25m ≤ target 1h.",
      ],
    ]);
  });
});

function everyDisruption(rpoSeconds: number, rtoSeconds: number) {
  const target = { rpoSeconds, rtoSeconds };
  return { software: target, hardware: target, zone: target, region: target };
}
