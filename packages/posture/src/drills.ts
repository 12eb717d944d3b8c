// The restore-drill contract: what a backup's integrity check and a restore drill record, where the
// records live, and the Prometheus series they export. The drill jobs (components' scripts) write it; the
// reports (`drkit drills`), the health monitor, the dashboard and the posture model read it. One
// definition, so a rename on one side cannot pass the tests of the other.

/** What a drill restores. */
export type DrillKind = "postgres" | "redis" | "velero";
export const DRILL_KINDS: readonly DrillKind[] = ["postgres", "redis", "velero"];

/** One named comparison a drill or an integrity check made, with what it expected and what it found. */
export interface DrillCheck {
  /** e.g. `toc-readable`, `sha256`, `rows:public.orders`, `checksum:public.orders`, `keys`, `sample` */
  readonly name: string;
  readonly ok: boolean;
  readonly expected?: string;
  readonly actual?: string;
}

/**
 * The record a restore drill writes (JSON) when it ends, whether it passed or not: a failed drill is
 * evidence too. Times are ISO 8601 UTC.
 */
export interface DrillResult {
  /** `DRILL_RESULT_SCHEMA`: readers refuse records of another version. */
  readonly schema: typeof DRILL_RESULT_SCHEMA;
  readonly service: string;
  readonly tier: string;
  readonly kind: DrillKind;
  /** the backup restored: its object key (or Velero backup name) and when it was taken */
  readonly backup: { readonly key: string; readonly takenAt: string };
  /** where it was restored to (a scratch database, server or namespace), removed afterwards */
  readonly target: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** restore time measured from the start of the restore to a verified target, seconds */
  readonly restoreSeconds: number;
  /** true only when every check passed */
  readonly ok: boolean;
  readonly checks: readonly DrillCheck[];
  /** why it failed, in words, when it did */
  readonly error?: string;
}

/** Version of the drill record format. */
export const DRILL_RESULT_SCHEMA = "drkit.dev/drill-result/v1";

/**
 * Where drill records are kept in the Object Lock records bucket: one object per drill, never overwritten,
 * `drills/<service>/<kind>/<startedAt>.json`.
 */
export const DRILL_RESULTS_PREFIX = "drills/";
export function drillResultKey(result: Pick<DrillResult, "service" | "kind" | "startedAt">): string {
  return `${DRILL_RESULTS_PREFIX}${result.service}/${result.kind}/${result.startedAt}.json`;
}

// Prometheus series a drill pushes (to a Pushgateway, job `drkit-drill`), labelled with the service
// (`drkit_service`) and the kind (`drkit_drill_kind`). EXERCISE_LAST_SUCCESS_METRIC (labels.ts) is set to
// the same time as DRILL_LAST_SUCCESS_METRIC when a drill succeeds, for the dashboard's "last exercise".
/** Pushgateway job name of restore drills. */
export const DRILL_PUSH_JOB = "drkit-drill";
/** Prometheus label naming the drill's kind. */
export const DRILL_KIND_LABEL = "drkit_drill_kind";
/** Gauge: Unix time of the last drill that passed. */
export const DRILL_LAST_SUCCESS_METRIC = "drkit_restore_drill_last_success_timestamp_seconds";
/** Gauge: Unix time of the last drill, passed or not. */
export const DRILL_LAST_RUN_METRIC = "drkit_restore_drill_last_run_timestamp_seconds";
/** Gauge: 1 when the last drill passed, 0 when it failed. */
export const DRILL_SUCCESS_METRIC = "drkit_restore_drill_success";
/** Gauge: the last drill's measured restore time, seconds. */
export const DRILL_RESTORE_SECONDS_METRIC = "drkit_restore_drill_restore_seconds";

/**
 * Recording rule of DrHealthMonitor's restore-drill control: seconds since the last drill that passed,
 * labelled like every control's series (service, tier, control); read by `drkit status` and dashboards.
 */
export const DRILL_LAST_SUCCESS_AGE_RECORD = "drkit:restore_drill_last_success_age_seconds";

/** Gauge a backup job pushes after its integrity check passed: Unix time (job `drkit-backup`). */
export const BACKUP_VERIFIED_METRIC = "drkit_backup_last_verified_timestamp_seconds";
/** Pushgateway job name of backup jobs. */
export const BACKUP_PUSH_JOB = "drkit-backup";
