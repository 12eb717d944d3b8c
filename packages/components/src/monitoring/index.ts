export * from "./drHealthMonitor";
export { POSTGRES_EXPORTER_QUERIES, POSTGRES_METRICS } from "./postgresQueries";
export type { ControlKind, PrometheusRuleGroup, PrometheusRuleSpec } from "./rules";
