// The Redis restore drill's three steps, one per container of its Job (the AWS CLI and Redis are in
// different images): fetch the newest trusted snapshot, load and check it in a scratch redis-server, write
// the record and push the metrics. They share the Job's scratch volume at `$WORK`. Every step but the
// last exits 0 on a failed drill: the record of a failure is evidence too, so the last step must run.
import { DRILL_RESULT_SCHEMA, DRILL_RESULTS_PREFIX } from "@drkit/posture";
import { pushDrillMetricsShell } from "./drillMetrics";
import { FETCH_CHECKED_FUNCTION, NEWEST_SNAPSHOT_FUNCTION } from "./redisSnapshots";

// Checks are kept one a line in `$WORK/checks`: name, true|false, expected, actual, tab-separated.
// Restore time is measured with /proc/uptime (hundredths of a second), the same clock in every container
// of a pod, from the start of the download to a loaded, checked server.

/** Step 1 (`uploaderImage`): the newest trusted snapshot and its manifest, SHA-256 checked, into `$WORK`. */
export const REDIS_DRILL_FETCH_SCRIPT = `set -eu
${NEWEST_SNAPSHOT_FUNCTION}
${FETCH_CHECKED_FUNCTION}
rm -rf "\${WORK:?}"/*
date -u +%Y-%m-%dT%H:%M:%SZ > "$WORK/started-at"
cut -d ' ' -f 1 /proc/uptime > "$WORK/started-uptime"
: > "$WORK/checks"
if ! latest=$(newest_snapshot "$WORK/listing"); then
  echo "could not list s3://$BUCKET/$NAME/" > "$WORK/error"
  exit 0
fi
if [ -z "$latest" ]; then
  echo "no trusted snapshot under s3://$BUCKET/$NAME/" > "$WORK/error"
  exit 0
fi
printf '%s\\n' "$latest" > "$WORK/backup-key"
expected=""
actual=""
if fetch_checked "$latest" "$WORK/snapshot.rdb"; then
  printf 'sha256\\ttrue\\t%s\\t%s\\n' "$expected" "$actual" >> "$WORK/checks"
elif [ -n "$actual" ]; then
  printf 'sha256\\tfalse\\t%s\\t%s\\n' "$expected" "$actual" >> "$WORK/checks"
  echo "the snapshot's SHA-256 does not match its .sha256" > "$WORK/error"
else
  echo "could not download s3://$BUCKET/$latest with its .sha256 and .manifest" > "$WORK/error"
fi
`;

/**
 * Step 2 (the Redis image): `redis-check-rdb`, then the snapshot loaded into a scratch `redis-server` on
 * loopback `$PORT` with persistence off, waited for up to `$LOAD_TIMEOUT_SECONDS`; its key count (every
 * database's, from INFO keyspace) is compared with the count the backup's check read, and each sampled
 * key's TYPE with the one recorded. Keys with a TTL may expire between the backup and the drill, so the
 * count may fall short by at most the number of keys that had one.
 */
export const REDIS_DRILL_CHECK_SCRIPT = String.raw`set -eu
[ -e "$WORK/error" ] && exit 0
check_result() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$WORK/checks"; }
check=$(command -v redis-check-rdb || true)
if [ -z "$check" ]; then
  ln -sf "$(command -v redis-server)" "$WORK/redis-check-rdb"
  check="$WORK/redis-check-rdb"
fi
if ! "$check" "$WORK/snapshot.rdb" > "$WORK/check.log" 2>&1; then
  check_result redis-check-rdb false "RDB looks OK" "$(awk 'found { print; exit } /RDB ERROR DETECTED/ { found = 1 }' "$WORK/check.log")"
  echo "redis-check-rdb refused the snapshot" > "$WORK/error"
  exit 0
fi
check_result redis-check-rdb true "RDB looks OK" "RDB looks OK"
redis-server --bind 127.0.0.1 --port "$PORT" --protected-mode yes --dir "$WORK" --dbfilename snapshot.rdb \
  --save '' --appendonly no --daemonize no --logfile "$WORK/redis.log" &
server=$!
tenths=0
until [ "$(redis-cli -p "$PORT" PING 2>/dev/null)" = "PONG" ]; do
  if ! kill -0 "$server" 2>/dev/null || [ "$tenths" -ge $((LOAD_TIMEOUT_SECONDS * 10)) ]; then
    kill "$server" 2>/dev/null || true
    echo "the scratch redis-server did not load the snapshot within $LOAD_TIMEOUT_SECONDS s (see its log)" > "$WORK/error"
    cat "$WORK/redis.log" >&2 || true
    exit 0
  fi
  sleep 0.1
  tenths=$((tenths + 1))
done
keys=$(sed -n 's/^keys \([0-9][0-9]*\)$/\1/p' "$WORK/snapshot.rdb.manifest")
expires=$(sed -n 's/^expires \([0-9][0-9]*\)$/\1/p' "$WORK/snapshot.rdb.manifest")
loaded=$(redis-cli -p "$PORT" INFO keyspace | tr -d '\r' | sed -n 's/^db[0-9]*:keys=\([0-9]*\),.*/\1/p' | awk '{ n += $1 } END { print n + 0 }')
if [ -z "$keys" ] || [ -z "$expires" ]; then
  check_result keys false "a count in the manifest" "none"
elif [ "$expires" -eq 0 ]; then
  check_result keys "$([ "$loaded" -eq "$keys" ] && echo true || echo false)" "$keys" "$loaded"
else
  check_result keys "$([ "$loaded" -le "$keys" ] && [ "$loaded" -ge $((keys - expires)) ] && echo true || echo false)" \
    "$((keys - expires)) to $keys ($expires with a TTL)" "$loaded"
fi
sampled=0
different=""
while read -r what type key; do
  [ "$what" = sample ] || continue
  sampled=$((sampled + 1))
  found=$(redis-cli -p "$PORT" TYPE "$key")
  [ "$found" = "$type" ] || different="$different $key ($type, found $found)"
done < "$WORK/snapshot.rdb.manifest"
if [ "$sampled" -eq 0 ]; then
  check_result sample true "no sample: no key without a TTL at snapshot time" "none looked up"
elif [ -z "$different" ]; then
  check_result sample true "$sampled keys with their recorded types" "$sampled found"
else
  check_result sample false "$sampled keys with their recorded types" "different:$different"
fi
cut -d ' ' -f 1 /proc/uptime > "$WORK/restored-uptime"
redis-cli -p "$PORT" SHUTDOWN NOSAVE > /dev/null 2>&1 || true
wait "$server" || true
`;

/**
 * Step 3 (`uploaderImage`): writes the drill record (`DrillResult`, at `drillResultKey`) to
 * `s3://$RECORDS_BUCKET` (when a snapshot was chosen: a record names the backup it restored), pushes the drill's metrics to `$PUSHGATEWAY_URL` when given, and fails the Job
 * when the drill failed.
 */
export const REDIS_DRILL_REPORT_SCRIPT = String.raw`set -eu
json() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
started_at=$(cat "$WORK/started-at")
finished_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
key=$(cat "$WORK/backup-key" 2>/dev/null || true)
taken_at=$(printf '%s' "$key" | sed -n 's/.*\/\([0-9]\{4\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)T\([0-9]\{2\}\)\([0-9]\{2\}\)\([0-9]\{2\}\)Z\.rdb$/\1-\2-\3T\4:\5:\6Z/p')
ended=$(cut -d ' ' -f 1 "$WORK/restored-uptime" 2>/dev/null || cut -d ' ' -f 1 /proc/uptime)
seconds=$(awk -v a="$(cat "$WORK/started-uptime")" -v b="$ended" 'BEGIN { printf "%.2f", b - a }')
ok=true
[ -e "$WORK/error" ] && ok=false
[ -s "$WORK/checks" ] || ok=false
grep -q "$(printf '\tfalse\t')" "$WORK/checks" && ok=false
if [ "$ok" = false ] && [ ! -e "$WORK/error" ]; then echo "a check failed" > "$WORK/error"; fi
checks=""
while IFS="$(printf '\t')" read -r name passed expected actual; do
  [ -z "$checks" ] || checks="$checks,"
  checks="$checks{\"name\":$(json "$name"),\"ok\":$passed,\"expected\":$(json "$expected"),\"actual\":$(json "$actual")}"
done < "$WORK/checks"
{
  printf '{"schema":"@SCHEMA@","service":%s,"tier":%s,"kind":"redis",' "$(json "$SERVICE")" "$(json "$TIER")"
  printf '"backup":{"key":%s,"takenAt":%s},' "$(json "$key")" "$(json "$taken_at")"
  printf '"target":"a scratch redis-server on 127.0.0.1:%s in the drill pod, no persistence",' "$PORT"
  printf '"startedAt":"%s","finishedAt":"%s","restoreSeconds":%s,"ok":%s,"checks":[%s]' \
    "$started_at" "$finished_at" "$seconds" "$ok" "$checks"
  [ "$ok" = true ] || printf ',"error":%s' "$(json "$(cat "$WORK/error")")"
  printf '}\n'
} > "$WORK/result.json"
record="@PREFIX@$SERVICE/redis/$started_at.json"
# A record names the backup it restored: with none chosen (none listed, none trusted) there is nothing to
# record, and the failure shows in the Job's status and the pushed metrics instead.
if [ -n "$key" ]; then
  aws s3 cp "$WORK/result.json" "s3://$RECORDS_BUCKET/$record" --region "$BUCKET_REGION" --only-show-errors
  echo "drkit: drill record s3://$RECORDS_BUCKET/$record: ok=$ok, restore $seconds s"
fi
if [ -n "${"$"}{PUSHGATEWAY_URL:-}" ]; then
@PUSH_DRILL_METRICS@
fi
[ "$ok" = true ] || { cat "$WORK/error" >&2; exit 1; }
`
  .replace("@SCHEMA@", DRILL_RESULT_SCHEMA)
  .replace("@PREFIX@", DRILL_RESULTS_PREFIX)
  .replace("@PUSH_DRILL_METRICS@", () => pushDrillMetricsShell("redis"));
