// The shell that pushes a restore drill's series to the Pushgateway, shared by the Redis and Velero drill
// scripts so that the series, their labels and the grouping key cannot drift apart.
import {
  DRILL_KIND_LABEL,
  DRILL_LAST_RUN_METRIC,
  DRILL_LAST_SUCCESS_METRIC,
  DRILL_PUSH_JOB,
  DRILL_RESTORE_SECONDS_METRIC,
  DRILL_SUCCESS_METRIC,
  EXERCISE_LAST_SUCCESS_METRIC,
  PROMETHEUS_SERVICE_LABEL,
  type DrillKind,
} from "@drkit/posture";

/** A printf format for one gauge in the text exposition format: its value is printf's `%s`. */
export const gaugeFormat = (metric: string) => `# TYPE ${metric} gauge\\n${metric} %s\\n`;

/**
 * Shell, run inside `if [ -n "$PUSHGATEWAY_URL" ]`, that sets `now` and pushes the drill's series for
 * `$SERVICE` from `$ok` (true/false) and `$seconds` (the measured restore time); on success also the last
 * success and the last exercise. A failed push fails the script (`curl -f` under `set -e`).
 */
export function pushDrillMetricsShell(kind: DrillKind): string {
  return `  now=$(date +%s)
  {
    printf '${gaugeFormat(DRILL_LAST_RUN_METRIC)}' "$now"
    printf '${gaugeFormat(DRILL_SUCCESS_METRIC)}' "$([ "$ok" = true ] && echo 1 || echo 0)"
    printf '${gaugeFormat(DRILL_RESTORE_SECONDS_METRIC)}' "$seconds"
    if [ "$ok" = true ]; then printf '${gaugeFormat(DRILL_LAST_SUCCESS_METRIC)}${gaugeFormat(EXERCISE_LAST_SUCCESS_METRIC)}' "$now" "$now"; fi
  } | curl -fsS --data-binary @- "$PUSHGATEWAY_URL/metrics/job/${DRILL_PUSH_JOB}/${PROMETHEUS_SERVICE_LABEL}/$SERVICE/${DRILL_KIND_LABEL}/${kind}"`;
}
