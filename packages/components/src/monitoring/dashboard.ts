// The DR dashboard: one Grafana dashboard for every service the health monitor watches, built from its
// recording rules alone, so it needs no per-platform editing. A row per service (a `service` variable read
// from `drkit:control_info`): the age of each recovery point against its alert threshold and RPO target, the
// standby's replication lag, the RTO budget, the last DR exercise, and the DR alerts firing. Pure: the tests
// check it against Grafana's own schemas.
import {
  CONTROL_INFO_RECORD,
  EXERCISE_LAST_SUCCESS_METRIC,
  PROMETHEUS_CONTROL_LABEL,
  PROMETHEUS_SERVICE_LABEL,
  RECOVERY_POINT_AGE_RECORD,
  REPLICATION_LAG_BYTES_RECORD,
  RPO_ALERT_THRESHOLD_RECORD,
  RPO_TARGET_RECORD,
  RTO_TARGET_RECORD,
} from "@drkit/posture";

/** Grafana's dashboard JSON model version this dashboard is written in (Grafana 11). */
export const DASHBOARD_SCHEMA_VERSION = 39;

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const DATASOURCE = { type: "prometheus", uid: "${datasource}" };
const SERVICE = `${PROMETHEUS_SERVICE_LABEL}="$service"`;

function target(refId: string, expr: string, legendFormat: string, instant = false): JsonObject {
  return {
    refId,
    datasource: DATASOURCE,
    expr,
    legendFormat,
    ...(instant ? { instant: true, range: false, format: "table" } : { range: true }),
  };
}

function gridPos(x: number, y: number, w: number, h: number): JsonObject {
  return { x, y, w, h };
}

const secondsField = (unit: string): JsonObject => ({
  defaults: { unit, thresholds: { mode: "absolute", steps: [{ color: "green", value: null }] } },
  overrides: [],
});

function timeseries(
  id: number,
  title: string,
  description: string,
  targets: JsonObject[],
  unit: string,
  pos: JsonObject,
): JsonObject {
  return {
    id,
    type: "timeseries",
    title,
    description,
    datasource: DATASOURCE,
    gridPos: pos,
    targets,
    options: {
      legend: { displayMode: "table", placement: "right", showLegend: true, calcs: ["lastNotNull", "max"] },
      tooltip: { mode: "multi", sort: "desc" },
    },
    fieldConfig: secondsField(unit),
  };
}

function stat(
  id: number,
  title: string,
  description: string,
  targets: JsonObject[],
  unit: string,
  pos: JsonObject,
): JsonObject {
  return {
    id,
    type: "stat",
    title,
    description,
    datasource: DATASOURCE,
    gridPos: pos,
    targets,
    options: {
      graphMode: "none",
      colorMode: "value",
      justifyMode: "auto",
      textMode: "value_and_name",
      wideLayout: true,
      showPercentChange: false,
      percentChangeColorMode: "standard",
      orientation: "horizontal",
      reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
    },
    fieldConfig: secondsField(unit),
  };
}

function table(
  id: number,
  title: string,
  description: string,
  targets: JsonObject[],
  pos: JsonObject,
  transformations: JsonObject[],
): JsonObject {
  return {
    id,
    type: "table",
    title,
    description,
    datasource: DATASOURCE,
    gridPos: pos,
    targets,
    transformations,
    options: { frameIndex: 0, showHeader: true, cellHeight: "sm" },
    fieldConfig: secondsField("s"),
  };
}

/** The dashboard, as Grafana's dashboard sidecar loads it from a ConfigMap. */
export function drDashboard(options: { readonly uid: string; readonly title: string }): JsonObject {
  const byControl = (name: string) => `max by (${PROMETHEUS_CONTROL_LABEL}) (${name}{${SERVICE}})`;
  const panels: JsonObject[] = [
    {
      id: 1,
      type: "row",
      title: "$service",
      collapsed: false,
      repeat: "service",
      gridPos: gridPos(0, 0, 24, 1),
      panels: [],
    },
    timeseries(
      2,
      "Recovery point age against the RPO target",
      "Age of each control's newest usable recovery point (a backup's age, the standby's time since it last heard from the primary), with the RPO target the alert thresholds were derived from.",
      [
        target("A", byControl(RECOVERY_POINT_AGE_RECORD), "{{drkit_control}}"),
        target("B", byControl(RPO_ALERT_THRESHOLD_RECORD), "alert threshold {{drkit_control}}"),
        target("C", `max(${RPO_TARGET_RECORD}{${SERVICE}})`, "RPO target"),
      ],
      "s",
      gridPos(0, 1, 16, 8),
    ),
    table(
      3,
      "Now: recovery points, thresholds, targets",
      "Per control: the age now, the age at which its alert fires, and the RPO and RTO targets.",
      [
        target("A", byControl(RECOVERY_POINT_AGE_RECORD), "", true),
        target("B", byControl(RPO_ALERT_THRESHOLD_RECORD), "", true),
        target("C", byControl(RPO_TARGET_RECORD), "", true),
        target("D", byControl(RTO_TARGET_RECORD), "", true),
      ],
      gridPos(16, 1, 8, 8),
      [
        { id: "merge", options: {} },
        {
          id: "organize",
          options: {
            excludeByName: { Time: true },
            renameByName: {
              [PROMETHEUS_CONTROL_LABEL]: "control",
              "Value #A": "age now",
              "Value #B": "alert at",
              "Value #C": "RPO target",
              "Value #D": "RTO budget",
            },
          },
        },
      ],
    ),
    timeseries(
      4,
      "Standby replication lag",
      "WAL the primary holds that the logical standby has not confirmed (drkit's postgres_exporter queries).",
      [target("A", byControl(REPLICATION_LAG_BYTES_RECORD), "{{drkit_control}}")],
      "bytes",
      gridPos(0, 9, 8, 6),
    ),
    stat(
      5,
      "RTO budget",
      "The service's RTO target: how long a recovery may take.",
      [target("A", `max(${RTO_TARGET_RECORD}{${SERVICE}})`, "RTO target")],
      "s",
      gridPos(8, 9, 4, 6),
    ),
    stat(
      6,
      "Last DR exercise",
      `Time since the service's last successful restore drill or exercise (${EXERCISE_LAST_SUCCESS_METRIC}); no data means none has been recorded.`,
      [target("A", `time() - max(${EXERCISE_LAST_SUCCESS_METRIC}{${SERVICE}})`, "last exercise")],
      "s",
      gridPos(12, 9, 4, 6),
    ),
    table(
      7,
      "DR alerts firing",
      "The health monitor's alerts for this service that fire now.",
      [target("A", `ALERTS{${SERVICE}, alertstate="firing"}`, "", true)],
      gridPos(16, 9, 8, 6),
      [
        {
          id: "organize",
          options: {
            excludeByName: {
              Time: true,
              Value: true,
              __name__: true,
              alertstate: true,
              [PROMETHEUS_SERVICE_LABEL]: true,
            },
          },
        },
      ],
    ),
  ];
  return {
    uid: options.uid,
    title: options.title,
    description:
      "drkit: is the DR posture true right now? Generated by DrDashboard from DrHealthMonitor's recording rules.",
    tags: ["drkit", "disaster-recovery"],
    editable: false,
    graphTooltip: 1,
    schemaVersion: DASHBOARD_SCHEMA_VERSION,
    time: { from: "now-24h", to: "now" },
    refresh: "1m",
    timezone: "utc",
    annotations: { list: [] },
    templating: {
      list: [
        {
          type: "datasource",
          name: "datasource",
          label: "Prometheus",
          query: "prometheus",
          hide: 0,
        },
        {
          type: "query",
          name: "service",
          label: "Service",
          datasource: DATASOURCE,
          query: `label_values(${CONTROL_INFO_RECORD}, ${PROMETHEUS_SERVICE_LABEL})`,
          definition: `label_values(${CONTROL_INFO_RECORD}, ${PROMETHEUS_SERVICE_LABEL})`,
          refresh: 2,
          multi: true,
          includeAll: true,
          sort: 1,
          hide: 0,
        },
      ],
    },
    panels,
  };
}
