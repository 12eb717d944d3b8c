// The Neon standby's region RPO is bounded only by a deployed alarm: a PrometheusRule that carries an alerting
// rule, or a CloudWatch alarm that notifies someone. An annotation on anything else is a claim, reported.
import {
  ALARM_FOR_ANNOTATION,
  ALARM_THRESHOLD_ANNOTATION,
  Assessment,
  JsonObject,
  UNKNOWN_VALUE,
  assessGraph,
} from "../src";
import { GraphBuilder, labels } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const ANNOTATIONS = { [ALARM_FOR_ANNOTATION]: "orders-db-primary", [ALARM_THRESHOLD_ANNOTATION]: "240" };
const ALERTING: JsonObject = {
  groups: [
    {
      name: "drkit-orders",
      rules: [
        { record: "drkit:recovery_point_age_seconds", expr: "time() - 1" },
        { alert: "DrkitPostgresReplicationLagging", expr: "drkit:recovery_point_age_seconds > 120" },
      ],
    },
  ],
};

/** A NeonGeoReplica with its two projects, and the resources `alarms` adds. */
function region(alarms: (g: GraphBuilder) => void): Assessment {
  const g = new GraphBuilder();
  const component = g.add("drkit:index:NeonGeoReplica", "orders-db", {
    service: "orders",
    tier: "critical",
    plan: "launch",
    primaryRegionId: "aws-eu-central-1",
    standbyRegionId: "aws-us-east-2",
    replicationLagAlarmSeconds: 60,
  });
  g.add(
    "neon:index/project:Project",
    "orders-db-primary",
    { regionId: "aws-eu-central-1", enableLogicalReplication: "yes" },
    { parent: component },
  );
  g.add(
    "neon:index/project:Project",
    "orders-db-standby",
    { regionId: "aws-us-east-2" },
    { parent: component },
  );
  alarms(g);
  const report = assessGraph(g.graph, {}, { now });
  const found = report.assessments.find((a) => a.service === "orders" && a.disruption === "region");
  if (!found) throw new Error("no region assessment");
  assessedUrns = report.services.find((s) => s.name === "orders")?.assessed ?? [];
  return found;
}
/** The URNs the last assessment relied on (its basis). */
let assessedUrns: readonly string[] = [];
const rule =
  (spec: JsonObject, name = "orders-db-lag") =>
  (g: GraphBuilder) =>
    g.add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", name, {
      metadata: { labels: labels("orders", "eu-central-1"), annotations: ANNOTATIONS },
      spec,
    });
const NOT_WATCHED =
  "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication, but no deployed alarm watches its lag: replication can stall or lose its slot unnoticed, so nothing bounds the loss.";

it("credits a PrometheusRule with an alerting rule, and names it in the basis and the derivation", () => {
  const assessment = region(rule(ALERTING));
  expect([assessment.achievableRpoSeconds, assessment.status]).toEqual([240, "PolicyMet"]);
  expect(assessment.derivation[0]).toBe(
    "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication; the deployed alarm orders-db-lag (kubernetes:monitoring.coreos.com/v1:PrometheusRule) has fired by the time the lag reaches 240 s, which bounds the loss.",
  );
  expect(assessedUrns).toContain(
    "urn:pulumi:prod::platform::kubernetes:monitoring.coreos.com/v1:PrometheusRule::orders-db-lag",
  );
});

it("credits the tightest of several alarms", () => {
  const assessment = region((g) => {
    rule(ALERTING, "loose")(g);
    g.add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "tight", {
      metadata: { annotations: { ...ANNOTATIONS, [ALARM_THRESHOLD_ANNOTATION]: "90" } },
      spec: ALERTING,
    });
  });
  expect(assessment.achievableRpoSeconds).toBe(90);
});

it.each([
  [
    "a PrometheusRule with recording rules only",
    rule({ groups: [{ name: "r", rules: [{ record: "x", expr: "1" }] }] }),
    "orders-db-lag is annotated `drkit.dev/alarm-for` but bounds nothing: it has no alerting rule.",
  ],
  [
    "an annotated ConfigMap",
    (g: GraphBuilder) =>
      g.add("kubernetes:core/v1:ConfigMap", "lag-note", { metadata: { annotations: ANNOTATIONS } }),
    "lag-note is annotated `drkit.dev/alarm-for` but bounds nothing: it is a kubernetes:core/v1:ConfigMap, not an alarm (a PrometheusRule with an alerting rule, or a CloudWatch MetricAlarm with an action).",
  ],
  [
    "a CloudWatch alarm that notifies no one",
    (g: GraphBuilder) =>
      g.add("aws:cloudwatch/metricAlarm:MetricAlarm", "lag-alarm", { tags: ANNOTATIONS, alarmActions: [] }),
    "lag-alarm is annotated `drkit.dev/alarm-for` but bounds nothing: it has no alarm action: it notifies no one.",
  ],
  [
    "a CloudWatch alarm whose actions are disabled",
    (g: GraphBuilder) =>
      g.add("aws:cloudwatch/metricAlarm:MetricAlarm", "lag-alarm", {
        tags: ANNOTATIONS,
        alarmActions: ["arn:aws:sns:eu-central-1:123456789012:pager"],
        actionsEnabled: false,
      }),
    "lag-alarm is annotated `drkit.dev/alarm-for` but bounds nothing: its actions are disabled.",
  ],
  [
    "a PrometheusRule without a threshold",
    (g: GraphBuilder) =>
      g.add("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "orders-db-lag", {
        metadata: { annotations: { [ALARM_FOR_ANNOTATION]: "orders-db-primary" } },
        spec: ALERTING,
      }),
    "orders-db-lag is annotated `drkit.dev/alarm-for` but bounds nothing: its `drkit.dev/alarm-threshold-seconds` is not a number of seconds above 0.",
  ],
])("fails when the only alarm is %s: no bound, and the derivation says why", (_t, add, why) => {
  const assessment = region(add);
  expect([assessment.achievableRpoSeconds, assessment.status]).toEqual([null, "PolicyBreached"]);
  expect(assessment.derivation.slice(0, 2)).toEqual([
    `Neon orders-db-primary (aws-eu-central-1): ${why}`,
    NOT_WATCHED,
  ]);
});

it("credits a CloudWatch alarm that pages someone", () => {
  const assessment = region((g) =>
    g.add("aws:cloudwatch/metricAlarm:MetricAlarm", "lag-alarm", {
      tags: ANNOTATIONS,
      alarmActions: ["arn:aws:sns:eu-central-1:123456789012:pager"],
    }),
  );
  expect([assessment.achievableRpoSeconds, assessment.status]).toEqual([240, "PolicyMet"]);
});

it("is not judged in preview while the rule's groups are unknown", () => {
  const assessment = region(rule({ groups: UNKNOWN_VALUE }));
  expect(assessment.status).toBe("UnknownUntilDeploy");
});
