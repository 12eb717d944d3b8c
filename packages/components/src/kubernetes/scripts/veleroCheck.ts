// VeleroSchedule's per-backup check, run by a CronJob per schedule in the primary cluster (the drill's image:
// kubectl, jq, curl). A script of its own, so that it can be linted and run by the tests.
import { BACKUP_PUSH_JOB, BACKUP_VERIFIED_METRIC, PROMETHEUS_SERVICE_LABEL } from "@drkit/posture";
import { VELERO_JQ_FINISHED, VELERO_LIST_BACKUPS } from "./veleroDrill";

/**
 * One check of schedule `$SCHEDULE`: every Backup of it that finished (by `status.completionTimestamp`, else
 * its creation) in the last `$LOOKBACK_SECONDS` must be `Completed` with `status.errors` 0, and no Backup of
 * it may still be in flight more than `$IN_PROGRESS_LIMIT_SECONDS` after its creation. Each failure is named
 * on stderr and the Job fails. When at least one backup was checked and all passed, the verified gauge is
 * pushed to `$PUSHGATEWAY_URL` (when given); with no backup finished in the window it passes and pushes
 * nothing: nothing new was verified, so the gauge ages and its alert sees backups stop.
 */
export const VELERO_CHECK_SCRIPT = String.raw`set -eu
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now=$(date -u +%s)
tab=$(printf '\t')
${VELERO_LIST_BACKUPS}

if ! list_backups "$work/backups.json"; then
  echo "drkit: backup check failed: could not list the backups of schedule $SCHEDULE" >&2; exit 1
fi
jq -r --argjson since "$((now - LOOKBACK_SECONDS))" '${VELERO_JQ_FINISHED} .items[] | select(finished) | select(((.status.completionTimestamp // .metadata.creationTimestamp) | fromdateiso8601) > $since) | "\(.metadata.name)\t\(.status.phase)\t\(.status.errors // 0)"' "$work/backups.json" > "$work/finished"
jq -r --argjson before "$((now - IN_PROGRESS_LIMIT_SECONDS))" '${VELERO_JQ_FINISHED} .items[] | select(finished | not) | select((.metadata.creationTimestamp | fromdateiso8601) <= $before) | "\(.metadata.name)\t\(.status.phase // "New")\t\(.metadata.creationTimestamp)"' "$work/backups.json" > "$work/stuck"
checked=0
failed=0
while IFS="$tab" read -r name phase errors; do
  checked=$((checked + 1))
  if [ "$phase" = Completed ] && [ "$errors" = 0 ]; then
    echo "drkit: backup $name: Completed, 0 errors"
  else
    echo "drkit: backup check failed: backup $name is $phase with $errors errors (expected Completed, 0 errors)" >&2
    failed=$((failed + 1))
  fi
done < "$work/finished"
while IFS="$tab" read -r name phase created; do
  echo "drkit: backup check failed: backup $name is still $phase, created $created, over the $IN_PROGRESS_LIMIT_SECONDS s a backup may take" >&2
  failed=$((failed + 1))
done < "$work/stuck"
[ "$failed" = 0 ] || exit 1
if [ "$checked" = 0 ]; then
  echo "drkit: no backup of schedule $SCHEDULE finished in the last $LOOKBACK_SECONDS s: nothing new to verify"
  exit 0
fi
if [ -n "${"$"}{PUSHGATEWAY_URL:-}" ]; then
  printf '# TYPE @VERIFIED@ gauge\n@VERIFIED@ %s\n' "$now" |
    curl -fsS --data-binary @- "$PUSHGATEWAY_URL/metrics/job/@BACKUP_JOB@/@SERVICE_LABEL@/$SERVICE"
fi
`
  .replaceAll("@VERIFIED@", BACKUP_VERIFIED_METRIC)
  .replace("@BACKUP_JOB@", BACKUP_PUSH_JOB)
  .replace("@SERVICE_LABEL@", PROMETHEUS_SERVICE_LABEL);
