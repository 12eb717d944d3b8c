// How resources join a service (provider defaultTags, a DrService parent), what happens when they disagree
// on the tier, and how waivers are judged: through the pack's Analyzer interface, as the engine runs it.
import * as s3 from "@pulumi/aws/s3";
import * as rds from "@pulumi/aws/rds";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Project } from "@sst-provider/neon";
import { DrService } from "@drkit/components";
import { PolicyConfigError, reconcilePolicyConfig } from "@drkit/cli/harness";
import { usePack, check, dayFromToday } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const heads = (violations: [string, string][]) =>
  violations.map(([level, message]) => [level, message.split("\n")[0]]);

/** A versioned, unreplicated bucket (region breach: no bound), tagged `tags`, in a provider `options`. */
function bucket(name: string, tags: Record<string, string>, provider: AwsProvider) {
  const b = new s3.Bucket(name, { tags }, { provider });
  new s3.BucketVersioning(
    `${name}-versioning`,
    { bucket: b.id, versioningConfiguration: { status: "Enabled" } },
    { provider },
  );
  return b;
}

describe("service membership", () => {
  it("counts resources tagged only through the AWS provider's defaultTags", async () => {
    const program = () => {
      const west = new AwsProvider("west", {
        region: "eu-west-1",
        defaultTags: { tags: { "drkit:service": "orders", "drkit:tier": "critical" } },
      });
      bucket("orders-data", {}, west);
    };
    const { violations } = await check(pack(), program, policy);
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
    ]);
  });

  it("judges untaggable resources (Neon projects) created under a DrService", async () => {
    const program = () => {
      const orders = new DrService("orders", { tier: "critical" });
      new Project(
        "orders-db",
        { regionId: "aws-eu-central-1", historyRetentionSeconds: 86_400 },
        { parent: orders },
      );
    };
    const { violations } = await check(pack(), program, policy);
    // The project is judged: its region disruption (and its software one, the project's own loss, first).
    const region = violations.find(([, message]) => message.startsWith("orders (critical), region"));
    expect(region![1].split("\n").slice(0, 2)).toEqual([
      "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
      "  - Neon orders-db (aws-eu-central-1): No standby project in another region: Neon has no cross-region replica, so a region loss loses the database.",
    ]);
  });

  it.each([
    ["critical first", ["critical", "standard"]],
    ["standard first", ["standard", "critical"]],
  ])(
    "fails when a service declares two tiers, and applies the stricter meanwhile (%s)",
    async (_order, tiers) => {
      const program = () => {
        const west = new AwsProvider("west", { region: "eu-west-1" });
        tiers.forEach((tier, i) =>
          bucket(`orders-${i}`, { "drkit:service": "orders", "drkit:tier": tier }, west),
        );
      };
      const { violations } = await check(pack(), program, policy);
      expect(heads(violations)).toEqual([
        [
          "mandatory",
          `NOT JUDGED: orders declares 2 tiers, "${tiers[0]}" and "${tiers[1]}": a service has one tier. Until its resources agree, the strictest targets apply (critical).`,
        ],
        [
          "mandatory",
          "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
        ],
      ]);
    },
  );

  it("reports a missing tier at the configured level (missingPolicyLevel: advisory)", async () => {
    const program = () =>
      bucket("orders-data", { "drkit:service": "orders" }, new AwsProvider("west", { region: "eu-west-1" }));
    const { violations, report } = await check(pack(), program, policy, {
      config: { [policy]: { missingPolicyLevel: "advisory" } },
    });
    expect(violations).toEqual([
      [
        "advisory",
        "NOT JUDGED: orders declares no tier, so its software, hardware, zone, region disruptions are not judged: give its resources the `drkit:tier` tag (Kubernetes: `drkit.dev/tier` label) or its component a `tier`, one of critical, important, standard.",
      ],
    ]);
    expect(report.failed).toBe(false);
  });
});

describe("waivers", () => {
  const tags = { "drkit:service": "orders", "drkit:tier": "critical" };
  const withDatabase = () => {
    const west = new AwsProvider("west", { region: "eu-west-1" });
    bucket("orders-data", tags, west);
    new rds.Instance(
      "orders-db",
      { instanceClass: "db.t4g.micro", engine: "postgres", allocatedStorage: 20, tags },
      { provider: west },
    );
  };
  const waiver = (fields: Record<string, unknown>) => ({
    service: "orders",
    owner: "platform-team",
    reason: "accepted until the migration",
    expires: dayFromToday(30),
    ...fields,
  });

  it("waives a resource drkit cannot judge only when the waiver names it", async () => {
    const named = waiver({ resource: "orders-db" });
    const unnamed = waiver({ disruption: "region" });
    const { violations, report } = await check(pack(), withDatabase, policy, {
      config: { [policy]: { waivers: [named, unnamed] } },
    });
    const head = (disruption: string, rest: string) => [
      "advisory",
      `WAIVED: orders (critical), ${disruption}: ${rest}`,
    ];
    expect(heads(violations)).toEqual([
      head(
        "software disruption (bad deploy, data corruption or accidental deletion)",
        "RPO 0s ≤ target 5m; RTO 50m ≤ target 1h.",
      ),
      head("hardware disruption (loss of a node or instance)", "RPO 0s ≤ target 5m; RTO 0s ≤ target 1h."),
      head("zone disruption (loss of an Availability Zone)", "RPO 0s ≤ target 5m; RTO 0s ≤ target 1h."),
      head(
        "region disruption (loss of a whole region)",
        "RPO no bound > target 5m; RTO no bound > target 1h.",
      ),
    ]);
    expect(report.failed).toBe(false);
  });

  it("fails when a waiver without `resource` is all there is for a resource drkit cannot judge", async () => {
    const { violations } = await check(pack(), withDatabase, policy, {
      config: { [policy]: { waivers: [waiver({})] } },
    });
    // The unnamed waiver covers the bucket's region breach, but not the database: still not judged.
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:",
      ],
    ]);
  });

  it("does not waive a breach worse than the waiver accepts", async () => {
    const program = () => bucket("orders-data", tags, new AwsProvider("west", { region: "eu-west-1" }));
    const { violations } = await check(pack(), program, policy, {
      config: { [policy]: { waivers: [waiver({ disruption: "region", acceptedRpoSeconds: 900 })] } },
    });
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
      [
        "advisory",
        `A waiver was not applied (unused): the waiver for orders (region) owned by platform-team, expiring ${dayFromToday(30)}: it matches no breach or unassessed resource of orders (region): remove it, or correct it`,
      ],
    ]);
  });

  it("never applies an expired waiver, whatever assessmentDate says", async () => {
    const program = () => bucket("orders-data", tags, new AwsProvider("west", { region: "eu-west-1" }));
    const expired = waiver({ expires: dayFromToday(-2) });
    const { violations, report } = await check(pack(), program, policy, {
      config: { [policy]: { waivers: [expired], assessmentDate: dayFromToday(-10) } },
    });
    expect(heads(violations)).toEqual([
      [
        "mandatory",
        "orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO no bound > target 1h.",
      ],
      [
        "advisory",
        `A waiver was not applied (expired): the waiver for orders (every disruption) owned by platform-team, expiring ${expired.expires}: expired on ${expired.expires}: not applied; renew it or fix the breach`,
      ],
    ]);
    expect(report.failed).toBe(true);
  });

  it("refuses a waiver that is not a real date or runs longer than maximumWaiverDays", async () => {
    const program = () => bucket("orders-data", tags, new AwsProvider("west", { region: "eu-west-1" }));
    const { violations } = await check(pack(), program, policy, {
      config: {
        [policy]: {
          maximumWaiverDays: 90,
          waivers: [waiver({ expires: "2027-02-30" }), waiver({ expires: dayFromToday(91) })],
        },
      },
    });
    expect(violations.slice(1)).toEqual([
      [
        "mandatory",
        'A waiver was not applied (malformed): the waiver for orders (every disruption) owned by platform-team, expiring 2027-02-30: `expires` must be a real calendar date YYYY-MM-DD (got "2027-02-30")',
      ],
      [
        "mandatory",
        `A waiver was not applied (malformed): the waiver for orders (every disruption) owned by platform-team, expiring ${dayFromToday(91)}: \`expires\` ${dayFromToday(91)} is more than 90 days after ${dayFromToday(0)}: a waiver is time-boxed; shorten it (or raise \`maximumWaiverDays\`)`,
      ],
    ]);
  });

  it("reports a waiver for a service that is not in the stack, with a likely name", async () => {
    const program = () => bucket("orders-data", tags, new AwsProvider("west", { region: "eu-west-1" }));
    const { violations } = await check(pack(), program, policy, {
      config: { [policy]: { waivers: [waiver({ service: "order" })] } },
    });
    expect(violations[1]).toEqual([
      "advisory",
      `A waiver was not applied (unused): the waiver for order (every disruption) owned by platform-team, expiring ${dayFromToday(30)}: it names service order, which is not in the stack (did you mean \`orders\`?): remove it, or correct it`,
    ]);
  });

  it("refuses an assessmentDate that is not a real calendar date", async () => {
    const program = () => bucket("orders-data", tags, new AwsProvider("west", { region: "eu-west-1" }));
    const { violations } = await check(pack(), program, policy, {
      config: { [policy]: { assessmentDate: "2027-02-30" } },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        'the resiliency policy is invalid:\n  - `assessmentDate` must be a real calendar date YYYY-MM-DD (got "2027-02-30"); omit it to judge today',
      ],
    ]);
  });

  it("refuses a level that is not advisory or mandatory as invalid config", () => {
    expect(() => reconcilePolicyConfig(pack(), { [policy]: { notAssessedLevel: "off" } })).toThrow(
      PolicyConfigError,
    );
  });
});
