import { assessGraph, renderPostureTable } from "../src";
import { GraphBuilder, replicatedBucket } from "./graphBuilder";

it("renders one row per service and disruption, then the waivers not applied", () => {
  const g = new GraphBuilder();
  replicatedBucket(g, { rtc: false });
  const report = assessGraph(
    g.graph,
    { waivers: [{ service: "orders", owner: "ops", reason: "old", expires: "2026-01-31" }] },
    { now: new Date("2026-11-23T00:00:00Z") },
  );
  expect(renderPostureTable(report)).toBe(
    [
      "SERVICE  TIER      DISRUPTION  RPO (target / achievable)  RTO (target / achievable)  STATUS",
      "orders   critical  software    5m / 0s                    1h / 50m                   PolicyMet",
      "orders   critical  hardware    5m / 0s                    1h / 0s                    PolicyMet",
      "orders   critical  zone        5m / 0s                    1h / 0s                    PolicyMet",
      "orders   critical  region      5m / no bound              1h / 25m                   PolicyBreached",
      "Coverage: 2 of 2 resources assessed; 0 hold data drkit cannot judge (NotAssessed); 0 stateless, not assessed.",
      "waiver orders (ops) expired: expired on 2026-01-31: not applied; renew it or fix the breach",
    ].join("\n"),
  );
});

it("says how to get services when there are none", () => {
  const report = assessGraph({ resources: [] }, {}, { now: new Date() });
  expect(renderPostureTable(report).split("\n")[1]).toBe(
    "(no service found: tag resources with drkit:service and drkit:tier, or use drkit components)",
  );
});
