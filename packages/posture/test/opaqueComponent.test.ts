// A component whose resources the graph does not hold (a remote component offline: `drkit check` runs no
// provider plugin) may hide data: a service holding one is NotAssessed, never met or stateless.
import { assessGraph, DR_SERVICE_TYPE, OPAQUE_COMPONENT_PROPERTY } from "../src";
import { GraphBuilder, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const reason = "it is a remote component, whose resources the acme provider plugin creates when Pulumi runs";

describe("an opaque component", () => {
  it("makes its DrService's service NotAssessed for every disruption, with its reason", () => {
    const g = new GraphBuilder();
    const service = g.add(DR_SERVICE_TYPE, "orders", { service: "orders", tier: "critical" });
    g.add("acme:data:Database", "orders-db", { [OPAQUE_COMPONENT_PROPERTY]: reason }, { parent: service });
    const report = assessGraph(g.graph, {}, { now });
    expect(report.assessments.map((a) => [a.disruption, a.status])).toEqual([
      ["software", "NotAssessed"],
      ["hardware", "NotAssessed"],
      ["zone", "NotAssessed"],
      ["region", "NotAssessed"],
    ]);
    expect(report.services[0]!.notAssessed).toEqual([
      {
        urn: "urn:pulumi:prod::platform::acme:data:Database::orders-db",
        type: "acme:data:Database",
        name: "orders-db",
        reason,
      },
    ]);
  });

  it("counts as not assessed, not stateless, when tagged into a service", () => {
    const g = new GraphBuilder();
    g.add("awsx:ec2:Vpc", "network", { tags: tags("orders"), [OPAQUE_COMPONENT_PROPERTY]: reason });
    const [orders] = assessGraph(g.graph, {}, { now }).services;
    expect(orders).toMatchObject({ name: "orders", stateless: [], assessed: [] });
    expect(orders!.notAssessed.map((n) => n.name)).toEqual(["network"]);
  });

  it("is judged as its type otherwise: the same component without the marker is stateless", () => {
    const g = new GraphBuilder();
    g.add("awsx:ec2:Vpc", "network", { tags: tags("orders") });
    expect(assessGraph(g.graph, {}, { now }).services[0]).toMatchObject({
      stateless: ["urn:pulumi:prod::platform::awsx:ec2:Vpc::network"],
      notAssessed: [],
    });
  });
});
