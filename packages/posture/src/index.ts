export * from "./graph";
export * from "./labels";
export * from "./policy";
export * from "./facts";
export * from "./cron";
export * from "./estimate";
export { GraphIndex, PostureInputError, PropertyReader } from "./graphIndex";
export type { ServiceGroup } from "./graphIndex";
export * from "./assess";
export * from "./table";
export { NEON_PLAN_HISTORY_LIMIT_SECONDS } from "./rules/neon";
export { DATA_HOLDING_KINDS, dataHoldingKind } from "./dataHolding";
export type { DataHoldingKind } from "./dataHolding";
export { closestName } from "./names";
export { goDurationSeconds } from "./rules/retention";
export * from "./failoverManifest";
export * from "./drills";
export {
  DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS,
  restoreTerm,
  measuredRestoreMaxAgeDays,
} from "./measuredRestore";
export type { MeasuredRestore, RestoreTerm } from "./measuredRestore";
