// The backup Job's two steps, run by `sh -c` in its containers. Scripts of their own, so that they can be
// linted and run for real by the tests. The objects they write are described in ./redisSnapshots.
import { BACKUP_PUSH_JOB, BACKUP_VERIFIED_METRIC, PROMETHEUS_SERVICE_LABEL } from "@drkit/posture";
import { REDIS_SAMPLE_SIZE } from "./redisSnapshots";

/**
 * The Job's init container (the Redis image): samples up to 20 keys without a TTL (`TYPE` of each), streams
 * a consistent RDB snapshot from the primary, through the operator's `<name>-master` Service at
 * `$REDIS_HOST:$REDIS_PORT`, to `$SNAPSHOT` on the shared volume, and checks it with `redis-check-rdb`. A snapshot that
 * fails the check fails the container, and so the Job: the upload step never runs. The check's counts and
 * the sample go to `$SNAPSHOT.manifest`, the snapshot's SHA-256 to `$SNAPSHOT.sha256`.
 *
 * The opstree image ships `redis-server` and `redis-cli` only. `redis-check-rdb` is the same program,
 * chosen by the name it is run under, so where it is missing the check runs `redis-server` through a
 * symbolic link of that name. Keys are sampled before the snapshot: one deleted in the seconds between
 * would fail the drill, one with a TTL could expire before it, so only keys without a TTL, with plain
 * names (letters, digits, `:_.-/@`), are sampled.
 *
 * redis-cli reads the password from `REDISCLI_AUTH` (set from the Secret): given with `-a`, it would be on
 * the process's command line, which any process that can list processes reads (`ps`, `/proc/<pid>/cmdline`).
 */
export const REDIS_SNAPSHOT_SCRIPT = String.raw`set -eu
cli() { redis-cli -h "$REDIS_HOST" -p "$REDIS_PORT" "$@"; }
work=$(dirname "$SNAPSHOT")
rm -f "$SNAPSHOT" "$SNAPSHOT.manifest" "$SNAPSHOT.sha256" "$work/sample" "$work/sample.keys"
: > "$work/sample"
tries=0
while [ "$tries" -lt ${REDIS_SAMPLE_SIZE * 3} ] && [ "$(wc -l < "$work/sample")" -lt ${REDIS_SAMPLE_SIZE} ]; do
  tries=$((tries + 1))
  key=$(cli RANDOMKEY)
  [ -n "$key" ] || break
  printf '%s\n' "$key" | grep -Eqx '[A-Za-z0-9:_.@/-]{1,200}' || continue
  grep -Fqx " $key" "$work/sample.keys" 2>/dev/null && continue
  [ "$(cli TTL "$key")" = "-1" ] || continue
  printf ' %s\n' "$key" >> "$work/sample.keys"
  printf 'sample %s %s\n' "$(cli TYPE "$key")" "$key" >> "$work/sample"
done
cli --rdb "$SNAPSHOT"
check=$(command -v redis-check-rdb || true)
if [ -z "$check" ]; then
  ln -sf "$(command -v redis-server)" "$work/redis-check-rdb"
  check="$work/redis-check-rdb"
fi
if ! "$check" "$SNAPSHOT" > "$work/check.log" 2>&1; then
  cat "$work/check.log" >&2
  rm -f "$SNAPSHOT"
  echo "drkit: redis-check-rdb refused the snapshot: nothing is uploaded" >&2
  exit 1
fi
keys=$(sed -n 's/^\[info\] \([0-9][0-9]*\) keys read$/\1/p' "$work/check.log")
expires=$(sed -n 's/^\[info\] \([0-9][0-9]*\) expires$/\1/p' "$work/check.log")
if [ -z "$keys" ] || [ -z "$expires" ]; then
  cat "$work/check.log" >&2
  echo "drkit: redis-check-rdb passed but reported no key counts: refusing to record the snapshot" >&2
  rm -f "$SNAPSHOT"
  exit 1
fi
{ printf 'keys %s\nexpires %s\n' "$keys" "$expires"; cat "$work/sample"; } > "$SNAPSHOT.manifest"
sha256sum "$SNAPSHOT" | cut -d ' ' -f 1 > "$SNAPSHOT.sha256"
echo "drkit: snapshot checked: $keys keys ($expires with a TTL), sha256 $(cat "$SNAPSHOT.sha256")"
`;

/**
 * The Job's container (`uploaderImage`): recomputes the checked snapshot's SHA-256 (what leaves the pod is
 * what was checked), then uploads it as `s3://$BUCKET/$NAME/<UTC timestamp>.rdb`, its manifest, and its
 * `.sha256` last (a restore trusts only snapshots with one). Every run writes new keys (runs never overlap:
 * the CronJob forbids concurrency), and `s3 cp` only puts objects: the Job's role needs, and gets, nothing
 * that deletes an earlier snapshot. With `$PUSHGATEWAY_URL`, it then pushes the time of this verified
 * backup (a failed push fails the Job: a monitor that never hears of backups must not look healthy).
 */
export const REDIS_UPLOAD_SCRIPT = `set -eu
if [ "$(sha256sum "$SNAPSHOT" | cut -d ' ' -f 1)" != "$(cat "$SNAPSHOT.sha256")" ]; then
  echo "drkit: $SNAPSHOT no longer matches the SHA-256 taken when it was checked: nothing is uploaded" >&2
  exit 1
fi
key="$NAME/$(date -u +%Y%m%dT%H%M%SZ).rdb"
aws s3 cp "$SNAPSHOT" "s3://$BUCKET/$key" --region "$BUCKET_REGION" --only-show-errors
aws s3 cp "$SNAPSHOT.manifest" "s3://$BUCKET/$key.manifest" --region "$BUCKET_REGION" --only-show-errors
aws s3 cp "$SNAPSHOT.sha256" "s3://$BUCKET/$key.sha256" --region "$BUCKET_REGION" --only-show-errors
echo "drkit: uploaded s3://$BUCKET/$key"
if [ -n "\${PUSHGATEWAY_URL:-}" ]; then
  printf '# TYPE ${BACKUP_VERIFIED_METRIC} gauge\\n${BACKUP_VERIFIED_METRIC} %s\\n' "$(date +%s)" |
    curl -fsS --data-binary @- "$PUSHGATEWAY_URL/metrics/job/${BACKUP_PUSH_JOB}/${PROMETHEUS_SERVICE_LABEL}/$SERVICE"
fi
`;
