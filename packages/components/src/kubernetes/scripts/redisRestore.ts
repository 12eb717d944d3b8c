// The standby's restore step, run by the init container the operator adds to every standby Redis pod.
// A script of its own, so that it can be linted and run for real by the tests.
import { FETCH_CHECKED_FUNCTION, NEWEST_SNAPSHOT_FUNCTION } from "./redisSnapshots";

/**
 * Runs before Redis starts in each standby pod, with the pod's data volume at `$DATA_DIR`: loads the
 * newest trusted snapshot under `s3://$BUCKET/$NAME/` into an empty volume, so the standby comes up holding
 * the latest backup. It never touches a volume that already holds data: a standby that has taken over
 * after a failover keeps its writes across restarts.
 *
 * The opstree Redis image runs with `appendonly yes`, `appendfilename "appendonly.aof"` and `dir /data`
 * when persistence is on, so Redis ignores a `dump.rdb` there and reads `appendonly.aof` instead. Redis 7
 * takes a lone `appendonly.aof` as an old-style AOF (moving it into `appendonlydir`), and an AOF that
 * begins with "REDIS" is read as an RDB preamble: the snapshot is restored by naming it `appendonly.aof`.
 * It is downloaded under a temporary name first, so a half-finished download never looks like data.
 *
 * Which snapshot: see `newest_snapshot` (the exact key layout, no future timestamps, a `.sha256` beside
 * it). A download whose SHA-256 does not match fails the init container, and so the pod, visibly, as does
 * a failed listing (no read access, wrong bucket): a standby never starts on a snapshot it cannot trust.
 */
export const REDIS_RESTORE_SCRIPT = `set -eu
${NEWEST_SNAPSHOT_FUNCTION}
${FETCH_CHECKED_FUNCTION}
for existing in appendonly.aof appendonlydir dump.rdb; do
  if [ -e "$DATA_DIR/$existing" ]; then
    echo "drkit: $DATA_DIR/$existing exists: keeping the data this volume holds"
    exit 0
  fi
done
latest=$(newest_snapshot "$DATA_DIR/.drkit-listing")
rm -f "$DATA_DIR/.drkit-listing" "$DATA_DIR/.drkit-listing.raw"
if [ -z "$latest" ]; then
  echo "drkit: no snapshot under s3://$BUCKET/$NAME/ yet: starting empty"
  exit 0
fi
fetch_checked "$latest" "$DATA_DIR/.drkit-restore.partial"
mv "$DATA_DIR/.drkit-restore.partial" "$DATA_DIR/appendonly.aof"
rm -f "$DATA_DIR/.drkit-restore.partial.sha256" "$DATA_DIR/.drkit-restore.partial.manifest"
echo "drkit: restored s3://$BUCKET/$latest (SHA-256 checked) into $DATA_DIR/appendonly.aof"
`;
