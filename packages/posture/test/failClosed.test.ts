// Model-level fail-closed behaviour shared by every rule: membership, coverage and waivers.
import { assessGraph, Assessment, Disruption, ResourceGraph, UNKNOWN_VALUE } from "../src";
import { GraphBuilder, labels, replicatedBucket, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const assess = (graph: ResourceGraph, policy = {}) => assessGraph(graph, policy, { now });
function pick(report: ReturnType<typeof assess>, service: string, disruption: Disruption): Assessment {
  const found = report.assessments.find((a) => a.service === service && a.disruption === disruption);
  if (!found) throw new Error(`no assessment for ${service}/${disruption}`);
  return found;
}

describe("membership", () => {
  it("reports resources whose service tag is unknown in preview instead of dropping them", () => {
    const g = new GraphBuilder();
    g.add("aws:rds/instance:Instance", "db", {
      tags: { "drkit:service": UNKNOWN_VALUE, "drkit:tier": "critical" },
    });
    expect(assess(g.graph).problems).toEqual([
      {
        service: "",
        disruptions: ["software", "hardware", "zone", "region"],
        message:
          "1 resource's service or tier is computed from another resource and unknown until deploy (urn:pulumi:prod::platform::aws:rds/instance:Instance::db): drkit cannot tell which service and tier it belongs to in preview. Use plain strings for the `drkit:service` and `drkit:tier` tags and labels.",
      },
    ]);
  });

  it("reads the provider's defaultTags in either form the engine sends (JSON text or object)", () => {
    for (const defaultTags of [JSON.stringify({ tags: tags("orders") }), { tags: tags("orders") }]) {
      const bucket = {
        urn: "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::data",
        type: "aws:s3/bucket:Bucket",
        name: "data",
        properties: { tags: { team: "x" } },
        dependencies: [],
        propertyDependencies: {},
        provider: {
          urn: "urn:pulumi:prod::platform::pulumi:providers:aws::west",
          type: "pulumi:providers:aws",
          name: "west",
          properties: { region: "eu-west-1", defaultTags },
        },
      };
      expect(assess({ resources: [bucket] }).services.map((s) => [s.name, s.tier])).toEqual([
        ["orders", "critical"],
      ]);
    }
  });

  it("reports a resource whose provider's defaultTags are unknown in preview, unless it tags itself", () => {
    const resource = (name: string, tagsOfItsOwn: Record<string, string>) => ({
      urn: `urn:pulumi:prod::platform::aws:rds/instance:Instance::${name}`,
      type: "aws:rds/instance:Instance",
      name,
      properties: { tags: tagsOfItsOwn },
      dependencies: [],
      propertyDependencies: {},
      provider: {
        urn: "urn:pulumi:prod::platform::pulumi:providers:aws::west",
        type: "pulumi:providers:aws",
        name: "west",
        properties: { region: "eu-west-1", defaultTags: UNKNOWN_VALUE },
      },
    });
    const report = assess({ resources: [resource("untagged", {}), resource("tagged", tags("orders"))] });
    expect(report.services.map((s) => s.name)).toEqual(["orders"]);
    expect(report.problems.map((p) => p.message.split(" (")[0])).toEqual([
      "1 resource's service or tier is computed from another resource and unknown until deploy",
    ]);
  });

  it("a resource's own tag wins over the provider's default", () => {
    const g = new GraphBuilder();
    const bucket = g.add(
      "aws:s3/bucket:Bucket",
      "data",
      { tags: tags("orders", "important") },
      { region: "eu-west-1" },
    );
    const withDefaults = {
      ...bucket,
      provider: {
        ...bucket.provider!,
        properties: { region: "eu-west-1", defaultTags: { tags: tags("other") } },
      },
    };
    expect(assess({ resources: [withDefaults] }).services.map((s) => [s.name, s.tier])).toEqual([
      ["orders", "important"],
    ]);
  });

  it("applies the strictest targets of conflicting tiers, per disruption, whatever the order", () => {
    for (const order of [
      ["standard", "critical"],
      ["critical", "standard"],
    ]) {
      const g = new GraphBuilder();
      order.forEach((tier, i) =>
        g.add("aws:s3/bucket:Bucket", `b${i}`, { tags: tags("orders", tier) }, { region: "eu-west-1" }),
      );
      const region = pick(assess(g.graph), "orders", "region");
      expect([region.tier, region.target, region.declaredTiers]).toEqual([
        "critical",
        { rpoSeconds: 300, rtoSeconds: 3600 },
        order,
      ]);
    }
  });
});

describe("coverage", () => {
  it("splits a service into assessed, not assessed (data) and stateless resources", () => {
    const g = new GraphBuilder();
    replicatedBucket(g);
    g.add("aws:dynamodb/table:Table", "orders-table", { tags: tags("orders") }, { region: "eu-west-1" });
    g.add("aws:iam/role:Role", "orders-role", { tags: tags("orders") }, { region: "eu-west-1" });
    const [orders] = assess(g.graph).services;
    expect(orders).toEqual({
      name: "orders",
      tier: "critical",
      declaredTiers: ["critical"],
      resources: [
        "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data",
        "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data-replica",
        "urn:pulumi:prod::platform::aws:dynamodb/table:Table::orders-table",
        "urn:pulumi:prod::platform::aws:iam/role:Role::orders-role",
      ],
      assessed: [
        "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data",
        "urn:pulumi:prod::platform::aws:s3/bucket:Bucket::orders-data-replica",
      ],
      notAssessed: [
        {
          urn: "urn:pulumi:prod::platform::aws:dynamodb/table:Table::orders-table",
          type: "aws:dynamodb/table:Table",
          name: "orders-table",
          reason:
            "it holds a DynamoDB table, and drkit has no model of how aws:dynamodb/table:Table recovers",
        },
      ],
      stateless: ["urn:pulumi:prod::platform::aws:iam/role:Role::orders-role"],
    });
  });

  it("waives a resource it cannot judge by URN as well as by name", () => {
    const g = new GraphBuilder();
    g.add("aws:dynamodb/table:Table", "orders-table", { tags: tags("orders") }, { region: "eu-west-1" });
    const waiver = {
      service: "orders",
      resource: "urn:pulumi:prod::platform::aws:dynamodb/table:Table::orders-table",
      owner: "o",
      reason: "r",
      expires: "2027-01-31",
    };
    const report = assess(g.graph, { waivers: [waiver] });
    expect(report.assessments.map((a) => a.status)).toEqual(["Waived", "Waived", "Waived", "Waived"]);
    expect(report.waivers).toEqual([{ waiver, state: "applied", problems: [] }]);
  });
});

describe("recovery copies and node loss", () => {
  it("keeps a bucket that a non-backup job writes to as the service's data, judged as a bucket", () => {
    const g = new GraphBuilder();
    const bucket = g.add(
      "aws:s3/bucket:Bucket",
      "orders-exports",
      { tags: tags("orders") },
      { region: "eu-west-1" },
    );
    g.add(
      "kubernetes:batch/v1:CronJob",
      "orders-etl",
      {
        metadata: { name: "orders-etl", labels: labels("orders", "eu-west-1") },
        spec: { schedule: "0 * * * *" },
      },
      { deps: { spec: [bucket] } },
    );
    const software = pick(assess(g.graph), "orders", "software");
    expect(software.derivation[0]).toBe(
      "bucket orders-exports (eu-west-1): Versioning is off: an overwrite or delete destroys the only copy; nothing bounds the loss.",
    );
  });

  it("counts an operator for a node loss of a Velero-protected cluster: RWO volumes do not move by themselves", () => {
    const g = new GraphBuilder();
    g.add("kubernetes:velero.io/v1:Schedule", "hourly", {
      metadata: { name: "hourly", namespace: "velero", labels: labels("cluster", "eu-west-1", "important") },
      spec: { schedule: "0 * * * *", template: { ttl: "720h", defaultVolumesToFsBackup: true } },
    });
    const hardware = pick(assess(g.graph), "cluster", "hardware");
    expect([hardware.achievableRpoSeconds, hardware.achievableRtoSeconds]).toEqual([0, 1_500]);
    expect(hardware.derivation[0]).toBe(
      "Velero schedule hourly (eu-west-1): Volumes outlive the node they were attached to: a node loss loses nothing. But pods holding a ReadWriteOnce volume on an unreachable node are not moved until an operator marks the node out of service (or deletes it), so the recovery is manual.",
    );
  });
});
