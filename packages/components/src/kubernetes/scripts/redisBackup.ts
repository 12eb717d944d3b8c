// The backup Job's two steps, run by `sh -c` in its containers. Scripts of their own, so that they can be
// linted and run for real by the tests.

/**
 * The Job's init container (the Redis image): streams a consistent RDB snapshot from the primary, through
 * the operator's `<name>-master` Service at `$REDIS_HOST`, into the shared volume.
 */
export const REDIS_SNAPSHOT_SCRIPT =
  'redis-cli -h "$REDIS_HOST" --no-auth-warning -a "$REDIS_PASSWORD" --rdb /snapshot/dump.rdb';

/**
 * The Job's container (`uploaderImage`): uploads the snapshot as `s3://$BUCKET/$NAME/<UTC timestamp>.rdb`,
 * the key layout the restore script reads (the lexicographically last key is the newest).
 */
export const REDIS_UPLOAD_SCRIPT =
  'aws s3 cp /snapshot/dump.rdb "s3://$BUCKET/$NAME/$(date -u +%Y%m%dT%H%M%SZ).rdb" --region "$BUCKET_REGION"';
