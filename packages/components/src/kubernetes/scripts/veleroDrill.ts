// The Velero restore drill, run by its CronJob in the secondary cluster (`drillImage`: kubectl, jq, curl and
// the AWS CLI). A script of its own, so that it can be linted and run by the tests.
import {
  BACKUP_PUSH_JOB,
  BACKUP_VERIFIED_METRIC,
  DRILL_RESULT_SCHEMA,
  DRILL_RESULTS_PREFIX,
  PROMETHEUS_SERVICE_LABEL,
} from "@drkit/posture";
import { gaugeFormat, pushDrillMetricsShell } from "./drillMetrics";

/**
 * Shell: `list_backups FILE` writes the Backups of `$SCHEDULE` in `$VELERO_NAMESPACE` (Velero labels each
 * with its schedule's name) to FILE as JSON, failing when kubectl does. Shared by the drill and the
 * per-backup check, so both judge the same list.
 */
export const VELERO_LIST_BACKUPS = String.raw`list_backups() {
  kubectl get backups.velero.io -n "$VELERO_NAMESPACE" -l "velero.io/schedule-name=$SCHEDULE" -o json > "$1"
}`;
/**
 * jq: `finished` is true for a Backup Velero no longer changes (`Completed`, `PartiallyFailed`, `Failed`,
 * `FailedValidation`…): any phase but the ones still in flight, so a phase Velero adds later is judged, not
 * skipped.
 */
export const VELERO_JQ_FINISHED =
  'def finished: .status.phase != null and .status.phase != "New" and .status.phase != "InProgress" and .status.phase != "WaitingForPluginOperations" and .status.phase != "WaitingForPluginOperationsPartiallyFailed" and .status.phase != "Finalizing" and .status.phase != "FinalizingPartiallyFailed";';

/**
 * One drill: the schedule's backups as the secondary cluster's Velero sees them (synced from the replica
 * bucket through the read-only location); the newest one must be `Completed` with no errors (a
 * `PartiallyFailed` backup fails the drill: Velero reports it, but it cannot be restored whole). The newest
 * `Completed` backup is restored as `$RESTORE_TEMPLATE` says (`$DRILL_NAMESPACE` into the scratch namespace
 * `$SCRATCH_NAMESPACE`, no cluster-scoped resources), waited for up to `$TIMEOUT_SECONDS`, and checked: phase
 * `Completed`, no errors, every item restored, the scratch namespace present. The Restore and the scratch
 * namespace are deleted on every exit. The record goes to `s3://$RECORDS_BUCKET` (when a backup was chosen:
 * a record names the backup it restored), the metrics to
 * `$PUSHGATEWAY_URL` when given; the Job fails when the drill did.
 *
 * Restore time is measured with /proc/uptime from the Restore's creation to its verified completion.
 */
export const VELERO_DRILL_SCRIPT = String.raw`set -eu
: "${"$"}{POLL_SECONDS:=5}"
work=$(mktemp -d)
started_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
restore="$SCHEDULE-drill-$(date -u +%Y%m%d%H%M%S)"
: > "$work/checks"
check_result() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$work/checks"; }
error=""
backup=""
taken_at=""
seconds=0
created=""
cleanup() {
  if [ -n "$created" ]; then
    kubectl delete restores.velero.io "$restore" -n "$VELERO_NAMESPACE" --ignore-not-found --wait=false || true
    kubectl delete namespace "$SCRATCH_NAMESPACE" --ignore-not-found --wait=false || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

${VELERO_LIST_BACKUPS}

drill() {
  if ! list_backups "$work/backups.json"; then
    error="could not list the backups of schedule $SCHEDULE"; return 0
  fi
  newest=$(jq -r '${VELERO_JQ_FINISHED} [.items[] | select(finished)] | sort_by(.metadata.creationTimestamp) | last | if . == null then "" else "\(.metadata.name)\t\(.status.phase)\t\(.status.errors // 0)" end' "$work/backups.json")
  if [ -z "$newest" ]; then
    error="schedule $SCHEDULE has no finished backup in the secondary cluster"; return 0
  fi
  newest_name=$(printf '%s' "$newest" | cut -f 1)
  newest_phase=$(printf '%s' "$newest" | cut -f 2)
  newest_errors=$(printf '%s' "$newest" | cut -f 3)
  if [ "$newest_phase" = Completed ] && [ "$newest_errors" = 0 ]; then
    check_result newest-backup true "Completed, 0 errors" "$newest_name: $newest_phase, $newest_errors errors"
  else
    check_result newest-backup false "Completed, 0 errors" "$newest_name: $newest_phase, $newest_errors errors"
  fi
  chosen=$(jq -r '[.items[] | select(.status.phase == "Completed" and (.status.errors // 0) == 0)] | sort_by(.metadata.creationTimestamp) | last | if . == null then "" else "\(.metadata.name)\t\(.status.completionTimestamp // .metadata.creationTimestamp)" end' "$work/backups.json")
  if [ -z "$chosen" ]; then
    error="schedule $SCHEDULE has no Completed backup to restore"; return 0
  fi
  backup=$(printf '%s' "$chosen" | cut -f 1)
  taken_at=$(printf '%s' "$chosen" | cut -f 2)
  if kubectl get namespace "$SCRATCH_NAMESPACE" -o name > /dev/null 2>&1; then
    error="the scratch namespace $SCRATCH_NAMESPACE exists (an earlier drill's cleanup has not finished): not restoring into it"; return 0
  fi
  printf '%s' "$RESTORE_TEMPLATE" | jq --arg name "$restore" --arg backup "$backup" '.metadata.name = $name | .spec.backupName = $backup' > "$work/restore.json"
  start=$(cut -d ' ' -f 1 /proc/uptime)
  if ! kubectl create -f "$work/restore.json" > /dev/null; then
    error="could not create the Restore $restore"; return 0
  fi
  created=yes
  waited=0
  phase=""
  while :; do
    kubectl get restores.velero.io "$restore" -n "$VELERO_NAMESPACE" -o json > "$work/restore-status.json" || true
    phase=$(jq -r '.status.phase // ""' "$work/restore-status.json" 2>/dev/null || true)
    case "$phase" in Completed | PartiallyFailed | Failed | FailedValidation) break ;; esac
    if [ "$waited" -ge "$TIMEOUT_SECONDS" ]; then
      error="the Restore $restore did not finish within $TIMEOUT_SECONDS s (phase: \"$phase\")"; break
    fi
    sleep "$POLL_SECONDS"
    waited=$((waited + POLL_SECONDS))
  done
  seconds=$(awk -v a="$start" -v b="$(cut -d ' ' -f 1 /proc/uptime)" 'BEGIN { printf "%.2f", b - a }')
  [ -z "$error" ] || return 0
  counts=$(jq -r '"\(.status.errors // 0)\t\(.status.warnings // 0)\t\(.status.progress.itemsRestored // 0)\t\(.status.progress.totalItems // 0)"' "$work/restore-status.json")
  errors=$(printf '%s' "$counts" | cut -f 1)
  warnings=$(printf '%s' "$counts" | cut -f 2)
  restored=$(printf '%s' "$counts" | cut -f 3)
  total=$(printf '%s' "$counts" | cut -f 4)
  check_result restore-phase "$([ "$phase" = Completed ] && echo true || echo false)" Completed "$phase"
  check_result restore-errors "$([ "$errors" = 0 ] && echo true || echo false)" "0 errors" "$errors errors, $warnings warnings"
  check_result items "$([ "$total" -gt 0 ] && [ "$restored" = "$total" ] && echo true || echo false)" "every item of the backup restored" "$restored of $total"
  if kubectl get namespace "$SCRATCH_NAMESPACE" -o name > /dev/null 2>&1; then
    check_result scratch-namespace true "$SCRATCH_NAMESPACE present" "present"
  else
    check_result scratch-namespace false "$SCRATCH_NAMESPACE present" "absent"
  fi
}
drill

json() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
ok=true
[ -z "$error" ] || ok=false
[ -s "$work/checks" ] || ok=false
if grep -q "$(printf '\tfalse\t')" "$work/checks"; then ok=false; fi
if [ "$ok" = false ] && [ -z "$error" ]; then error="a check failed"; fi
checks=""
while IFS="$(printf '\t')" read -r name passed expected actual; do
  [ -z "$checks" ] || checks="$checks,"
  checks="$checks{\"name\":$(json "$name"),\"ok\":$passed,\"expected\":$(json "$expected"),\"actual\":$(json "$actual")}"
done < "$work/checks"
{
  printf '{"schema":"@SCHEMA@","service":%s,"tier":%s,"kind":"velero",' "$(json "$SERVICE")" "$(json "$TIER")"
  printf '"backup":{"key":%s,"takenAt":%s},' "$(json "$backup")" "$(json "$taken_at")"
  printf '"target":%s,' "$(json "namespace $SCRATCH_NAMESPACE (from $DRILL_NAMESPACE) in the secondary cluster, deleted afterwards")"
  printf '"startedAt":"%s","finishedAt":"%s","restoreSeconds":%s,"ok":%s,"checks":[%s]' \
    "$started_at" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$seconds" "$ok" "$checks"
  [ "$ok" = true ] || printf ',"error":%s' "$(json "$error")"
  printf '}\n'
} > "$work/result.json"
record="@PREFIX@$SERVICE/velero/$started_at.json"
# A record names the backup it restored: with none chosen there is nothing to record, and the failure shows
# in the Job's status and the pushed metrics instead.
if [ -n "$backup" ]; then
  aws s3 cp "$work/result.json" "s3://$RECORDS_BUCKET/$record" --region "$RECORDS_BUCKET_REGION" --only-show-errors
  echo "drkit: drill record s3://$RECORDS_BUCKET/$record: ok=$ok, restore $seconds s"
fi
if [ -n "${"$"}{PUSHGATEWAY_URL:-}" ]; then
@PUSH_DRILL_METRICS@
  if grep -q "^newest-backup$(printf '\t')true" "$work/checks"; then
    printf '@VERIFIED@' "$now" |
      curl -fsS --data-binary @- "$PUSHGATEWAY_URL/metrics/job/@BACKUP_JOB@/@SERVICE_LABEL@/$SERVICE"
  fi
fi
[ "$ok" = true ] || { echo "drkit: drill failed: $error" >&2; exit 1; }
`
  .replace("@SCHEMA@", DRILL_RESULT_SCHEMA)
  .replace("@PREFIX@", DRILL_RESULTS_PREFIX)
  .replace("@PUSH_DRILL_METRICS@", () => pushDrillMetricsShell("velero"))
  .replace("@VERIFIED@", gaugeFormat(BACKUP_VERIFIED_METRIC))
  .replace("@BACKUP_JOB@", BACKUP_PUSH_JOB)
  .replaceAll("@SERVICE_LABEL@", PROMETHEUS_SERVICE_LABEL);
