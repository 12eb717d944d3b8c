// The backup Job's two steps, run by `sh -c` in its containers. Scripts of their own, so that they can be
// linted and run for real by the tests.

/**
 * The Job's init container (the Redis image): streams a consistent RDB snapshot from the primary, through
 * the operator's `<name>-master` Service at `$REDIS_HOST`, to `$SNAPSHOT` on the shared volume.
 *
 * redis-cli reads the password from `REDISCLI_AUTH` (set from the Secret): given with `-a`, it would be on
 * the process's command line, which any process that can list processes reads (`ps`, `/proc/<pid>/cmdline`).
 */
export const REDIS_SNAPSHOT_SCRIPT = `set -eu
redis-cli -h "$REDIS_HOST" --rdb "$SNAPSHOT"
`;

/**
 * The Job's container (`uploaderImage`): uploads the snapshot as `s3://$BUCKET/$NAME/<UTC timestamp>.rdb`,
 * the key layout the restore script reads (the lexicographically last key is the newest). Every run writes
 * a new key (runs never overlap: the CronJob forbids concurrency), and `s3 cp` only puts objects: the Job's
 * role needs, and gets, nothing that deletes or overwrites an earlier snapshot.
 */
export const REDIS_UPLOAD_SCRIPT = `set -eu
key="$NAME/$(date -u +%Y%m%dT%H%M%SZ).rdb"
aws s3 cp "$SNAPSHOT" "s3://$BUCKET/$key" --region "$BUCKET_REGION"
`;
