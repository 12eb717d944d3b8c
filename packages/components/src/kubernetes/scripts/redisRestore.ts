// The standby's restore step, run by the init container the operator adds to every standby Redis pod.
// A script of its own, so that it can be linted and run for real by the tests.

/**
 * Runs before Redis starts in each standby pod, with the pod's data volume at `$DATA_DIR`: loads the
 * newest snapshot under `s3://$BUCKET/$NAME/` into an empty volume, so the standby comes up holding the
 * latest backup. It never touches a volume that already holds data: a standby that has taken over after
 * a failover keeps its writes across restarts.
 *
 * The opstree Redis image runs with `appendonly yes`, `appendfilename "appendonly.aof"` and `dir /data`
 * when persistence is on, so Redis ignores a `dump.rdb` there and reads `appendonly.aof` instead. Redis 7
 * takes a lone `appendonly.aof` as an old-style AOF (moving it into `appendonlydir`), and an AOF that
 * begins with "REDIS" is read as an RDB preamble: the snapshot is restored by naming it `appendonly.aof`.
 * It is downloaded under a temporary name first, so a half-finished download never looks like data.
 *
 * Snapshot keys are `<UTC timestamp YYYYMMDDTHHMMSSZ>.rdb` (what the backup Job writes), so the
 * lexicographically last key is the newest. A failed listing (no read access, wrong bucket) fails the
 * init container, and so the pod, visibly, rather than starting an empty standby.
 */
export const REDIS_RESTORE_SCRIPT = String.raw`set -eu
for existing in appendonly.aof appendonlydir dump.rdb; do
  if [ -e "$DATA_DIR/$existing" ]; then
    echo "drkit: $DATA_DIR/$existing exists: keeping the data this volume holds"
    exit 0
  fi
done
keys=$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$NAME/" --region "$BUCKET_REGION" --query 'Contents[].Key' --output text)
latest=$(printf '%s\n' "$keys" | tr '\t' '\n' | grep '\.rdb$' | sort | tail -n 1 || true)
if [ -z "$latest" ]; then
  echo "drkit: no snapshot under s3://$BUCKET/$NAME/ yet: starting empty"
  exit 0
fi
aws s3 cp "s3://$BUCKET/$latest" "$DATA_DIR/.drkit-restore.partial" --region "$BUCKET_REGION"
mv "$DATA_DIR/.drkit-restore.partial" "$DATA_DIR/appendonly.aof"
echo "drkit: restored s3://$BUCKET/$latest into $DATA_DIR/appendonly.aof"
`;
