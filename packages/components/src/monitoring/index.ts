export * from "./drHealthMonitor";
export * from "./drDashboard";
export * from "./drCloudWatchAlarms";
export { DASHBOARD_SCHEMA_VERSION } from "./dashboard";
export { POSTGRES_EXPORTER_QUERIES, POSTGRES_METRICS } from "./postgresQueries";
export type { ControlKind, PrometheusRuleGroup, PrometheusRuleSpec } from "./rules";
