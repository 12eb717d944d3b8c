// The gate never passes what it did not judge: each case is a way the pack used to pass a service it had
// not judged (the fail-closed issue), run through the pack's Analyzer interface as the engine runs it.
import * as s3 from "@pulumi/aws/s3";
import * as rds from "@pulumi/aws/rds";
import * as dynamodb from "@pulumi/aws/dynamodb";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { NeonGeoReplica } from "@drkit/components";
import { usePack, check } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const tags = (tier: string) => ({ "drkit:service": "orders", "drkit:tier": tier });

/** A versioned bucket of `orders` in eu-west-1, nothing else. */
function versionedBucket(tier = "critical") {
  const west = new AwsProvider("west", { region: "eu-west-1" });
  const bucket = new s3.Bucket("orders-data", { tags: tags(tier) }, { provider: west });
  new s3.BucketVersioning(
    "orders-data-versioning",
    { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
    { provider: west },
  );
  return west;
}

const heads = (violations: [string, string][]) =>
  violations.map(([level, message]) => [level, message.split("\n")[0]]);

describe("the gate fails closed", () => {
  it("fails when a tier is misspelt (`critcal`), naming the tiers that exist and the likely one", async () => {
    const { violations, report } = await check(pack(), () => versionedBucket("critcal"), policy);
    expect(violations).toEqual([
      [
        "mandatory",
        'NOT JUDGED: orders declares tier "critcal" (did you mean `critical`?), which the policy does not define (tiers: critical, important, standard), so its software, hardware, zone, region disruptions are not judged: correct the tier, or define it under `tiers` in the policy config.',
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("fails when a tagged RDS instance is in the service: NotAssessed, not 'PolicyMet, RPO 0 s'", async () => {
    const program = () => {
      const west = versionedBucket();
      new rds.Instance(
        "orders-db",
        { instanceClass: "db.t4g.micro", engine: "postgres", allocatedStorage: 20, tags: tags("critical") },
        { provider: west },
      );
    };
    const { violations, report } = await check(pack(), program, policy);
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
      [
        "mandatory",
        "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone disruptions are not judged:",
      ],
    ]);
    expect(violations[1]![1].split("\n")[1]).toBe(
      '  - drkit cannot judge aws:rds/instance:Instance orders-db: it holds a relational database, and drkit has no model of how aws:rds/instance:Instance recovers. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (`"resource": "orders-db"`) with an owner, a reason and an expiry.',
    );
    expect(report.violations.find((v) => v.message.includes("NOT ASSESSED"))!.urn).toBe(
      "urn:pulumi:prod::platform::aws:rds/instance:Instance::orders-db",
    );
  });

  it("fails when a tagged DynamoDB table is the service's only resource", async () => {
    const program = () => {
      const west = new AwsProvider("west", { region: "eu-west-1" });
      new dynamodb.Table(
        "orders-table",
        { hashKey: "id", attributes: [{ name: "id", type: "S" }], tags: tags("critical") },
        { provider: west },
      );
    };
    const { violations, report } = await check(pack(), program, policy);
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:",
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("fails when the service's data is in a BucketV2 (deprecated kind), instead of not seeing it", async () => {
    const program = () => {
      const west = new AwsProvider("west", { region: "eu-west-1" });
      new s3.BucketV2("orders-data", { tags: tags("critical") }, { provider: west });
    };
    const { violations } = await check(pack(), program, policy);
    expect(violations.map(([level, message]) => [level, message.split("\n").slice(0, 2)])).toEqual([
      [
        "mandatory",
        [
          "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:",
          '  - drkit cannot judge aws:s3/bucketV2:BucketV2 orders-data: it holds objects (deprecated kind: drkit models aws:s3/bucket:Bucket and its separate configuration resources), and drkit has no model of how aws:s3/bucketV2:BucketV2 recovers. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (`"resource": "orders-data"`) with an owner, a reason and an expiry.',
        ],
      ],
    ]);
  });

  it("does not credit the Neon standby's region RPO to a lag alarm that nothing deploys", async () => {
    const program = () =>
      new NeonGeoReplica("orders-db", {
        service: "orders",
        tier: "critical",
        plan: "launch",
        primaryRegionId: "aws-eu-central-1",
        standbyRegionId: "aws-eu-west-2",
        database: "orders",
        replicationLagAlarmSeconds: 60,
      });
    const { violations, report } = await check(pack(), program, policy);
    expect(heads(violations)).toEqual([
      // The project's own loss too: no NeonBackup here (packages/posture/test/neonBackup.test.ts).
      [
        "mandatory",
        "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO 30m ≤ target 1h.",
      ],
    ]);
    expect(violations[1]![1]).toContain(
      "  - Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-eu-west-2 is fed by logical replication, but no deployed alarm watches its lag (the component asks for one at 60 s, but no resource in the graph is annotated `drkit.dev/alarm-for: orders-db-primary`): replication can stall or lose its slot unnoticed, so nothing bounds the loss.",
    );
    expect(report.failed).toBe(true);
  });

  it("judges a second database of the service too, and names it", async () => {
    const database = (name: string, history: number) =>
      new NeonGeoReplica(name, {
        service: "orders",
        tier: "critical",
        plan: "launch",
        primaryRegionId: "aws-eu-central-1",
        standbyRegionId: "aws-eu-west-2",
        database: name.replace("orders-", ""),
        historyRetentionSeconds: history,
      });
    const program = () => {
      database("orders-db", 604_800);
      database("orders-ledger", 3_600);
    };
    const { violations } = await check(pack(), program, policy, {
      config: {
        [policy]: { estimates: { incidentDetectionSeconds: 7_200 } },
      },
    });
    const software = violations.find(([, m]) => m.startsWith("orders (critical), software"));
    expect(software?.[1].split("\n").filter((l) => l.includes("history window is"))).toEqual([
      "  - Neon orders-db-primary (aws-eu-central-1): The history window is 604800 s.",
      "  - Neon orders-ledger-primary (aws-eu-central-1): The history window is 3600 s.",
    ]);
    expect(software?.[1]).toContain(
      "  - Neon orders-ledger-primary (aws-eu-central-1): The window (3600 s) is shorter than the time to notice a bad write (7200 s, estimate `incidentDetectionSeconds`): the restore point is gone before anyone asks for it; only an off-platform backup reaches further back.",
    );
  });
});
