import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { PolicyConfigError, reconcilePolicyConfig } from "@drkit/cli/harness";
import { usePack, check, dayFromToday } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const serviceTags = { "drkit:service": "orders", "drkit:tier": "critical" };

/** A versioned bucket in eu-west-1 replicated to eu-central-1 (with or without RTC), written by hand. */
const replicated =
  (options: { rtc: boolean; versioning?: () => unknown } = { rtc: true }) =>
  () => {
    const west = new AwsProvider("west", { region: "eu-west-1" });
    const central = new AwsProvider("central", { region: "eu-central-1" });
    const source = new s3.Bucket("orders-data", { tags: serviceTags }, { provider: west });
    new s3.BucketVersioning(
      "orders-data-versioning",
      {
        bucket: source.id,
        versioningConfiguration: {
          status: options.versioning ? (options.versioning() as string) : "Enabled",
        },
      },
      { provider: west },
    );
    const replica = new s3.Bucket("orders-data-replica", { tags: serviceTags }, { provider: central });
    new s3.BucketReplicationConfig(
      "orders-data-replication",
      {
        bucket: source.id,
        role: "arn:aws:iam::111122223333:role/replication",
        rules: [
          {
            id: "to-secondary",
            status: "Enabled",
            filter: {},
            deleteMarkerReplication: { status: "Disabled" },
            destination: {
              bucket: replica.arn,
              ...(options.rtc
                ? {
                    replicationTime: { status: "Enabled", time: { minutes: 15 } },
                    metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
                  }
                : {}),
            },
          },
        ],
      },
      { provider: west },
    );
  };

const REGION_BREACH_HEAD =
  "orders (critical), region disruption (loss of a whole region): RPO 15m > target 5m; RTO 25m ≤ target 1h.";

describe("drkit-rpo-rto", () => {
  it("is mandatory and reports a breach with service, disruption, target, achievable value, derivation and sources", async () => {
    const { violations, report } = await check(pack(), replicated(), policy, {
      config: { [policy]: { assessmentDate: "2026-11-23" } },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        [
          REGION_BREACH_HEAD,
          "  - bucket orders-data (eu-west-1): Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).",
          "  - bucket orders-data (eu-west-1): Delete markers are not replicated: a delete in the source leaves the replica's copy visible.",
          "  - bucket orders-data (eu-west-1): RPO 900 s.",
          "  - bucket orders-data (eu-west-1): RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 300 s (point applications at the replica, estimate `s3ReplicaSwitchSeconds`) + propagation 0 s (none) = 1500 s.",
          "  - Service RPO is the worst component's: 15m (bucket orders-data (eu-west-1)).",
          "  - Components recover in parallel, so the service RTO is the slowest recovery: 25m (bucket orders-data (eu-west-1)).",
          "  - RPO 15m exceeds the critical target of 5m.",
          "Sources:",
          "  [s3-replication-rtc] S3 Replication Time Control: 99.99 % of objects replicated within 900 s (15 minutes), backed by an SLA. (Amazon S3 User Guide, Replication Time Control; S3 RTC SLA [S3-10][S3-11])",
          "  [s3-delete-markers] Delete markers are replicated only when delete-marker replication is enabled, and are not covered by the RTC SLA. (Amazon S3 User Guide, Replicating delete markers [S3-15])",
        ].join("\n"),
      ],
    ]);
    expect(report.violations.find((v) => v.policyName === policy)!.urn).toBe(
      "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data",
    );
    expect(report.failed).toBe(true);
  });

  it("meets the targets when they are configured looser (tiers from the config)", async () => {
    const target = { rpoSeconds: 300, rtoSeconds: 3600 };
    const critical = {
      software: target,
      hardware: target,
      zone: target,
      region: { rpoSeconds: 900, rtoSeconds: 3600 },
    };
    const config = { [policy]: { tiers: { critical } } };
    expect((await check(pack(), replicated(), policy, { config })).violations).toEqual([]);
  });

  it("fails when a tier in the config drops disruptions: what has no target is not judged", async () => {
    const config = { [policy]: { tiers: { critical: { region: { rpoSeconds: 900, rtoSeconds: 3600 } } } } };
    const { violations, report } = await check(pack(), replicated(), policy, { config });
    expect(violations).toEqual([
      [
        "mandatory",
        'NOT JUDGED: orders declares tier "critical", which has no target for them in the policy (a tier in the config\'s `tiers` replaces the default tier whole), so its software, hardware, zone disruptions are not judged: give the tier a target for every disruption.',
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("turns a waived breach advisory, still showing it", async () => {
    const waiver = {
      service: "orders",
      disruption: "region",
      owner: "platform-team",
      reason: "S3 RTC is 15 min by SLA",
      expires: dayFromToday(120),
    };
    const { violations, report } = await check(pack(), replicated(), policy, {
      config: { [policy]: { waivers: [waiver] } },
    });
    expect(violations.map(([level, message]) => [level, message.split("\n")[0]])).toEqual([
      ["advisory", `WAIVED: ${REGION_BREACH_HEAD}`],
    ]);
    expect(violations[0]![1]).toContain(
      `  - The shortfall of bucket orders-data (eu-west-1): waived until ${waiver.expires} by platform-team: S3 RTC is 15 min by SLA`,
    );
    expect(report.failed).toBe(false);
  });

  it("does not apply an expired waiver, and says so", async () => {
    const waiver = { service: "orders", owner: "platform-team", reason: "temporary", expires: "2026-11-01" };
    const { violations, report } = await check(pack(), replicated(), policy, {
      config: { [policy]: { waivers: [waiver], assessmentDate: "2026-11-23" } },
    });
    expect(violations.map(([level, message]) => [level, message.split("\n")[0]])).toEqual([
      ["mandatory", REGION_BREACH_HEAD],
      [
        "advisory",
        "A waiver was not applied (expired): the waiver for orders (every disruption) owned by platform-team, expiring 2026-11-01: expired on 2026-11-01: not applied; renew it or fix the breach",
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("refuses a waiver without an owner as invalid config, naming the field", () => {
    expect(() =>
      reconcilePolicyConfig(pack(), {
        [policy]: { waivers: [{ service: "orders", reason: "r", expires: "2027-01-01" }] },
      }),
    ).toThrow(
      new PolicyConfigError(["drkit-rpo-rto: `waivers[0]` has no `owner`: add `owner`, a non-empty string"]),
    );
  });

  it("in preview, fails closed when a value it needs is unknown, naming it", async () => {
    const program = replicated({
      rtc: true,
      versioning: () => new s3.Bucket("seed").arn.apply(() => "Enabled"),
    });
    const { violations, report } = await check(pack(), program, policy, { preview: true });
    expect(violations.map(([level, message]) => [level, message.split("\n")[0]])).toEqual([
      [
        "mandatory",
        "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): cannot be assessed until deploy, because urn:pulumi:prod::platform::aws:s3/bucketVersioning:BucketVersioning::orders-data-versioning versioningConfiguration.status is unknown during preview.",
      ],
      ["mandatory", REGION_BREACH_HEAD],
    ]);
    expect(report.failed).toBe(true);
  });
});
