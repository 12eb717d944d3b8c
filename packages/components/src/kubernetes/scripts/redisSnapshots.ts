// What the backup Job writes to the bucket and how a restore picks the snapshot to trust: one definition,
// shared by the Job, the standby's restore and the restore drill.
//
// Each run writes, under `<name>/`, three objects named after its UTC start time `YYYYMMDDTHHMMSSZ`:
//   `<stamp>.rdb`           the RDB snapshot, checked with redis-check-rdb before it left the pod;
//   `<stamp>.rdb.manifest`  what the check read (`keys N`, `expires N`) and a sample of keys (`sample <type> <key>`);
//   `<stamp>.rdb.sha256`    the snapshot's SHA-256 (hex), written last: its presence marks a complete, checked run.

/** Keys drkit samples at snapshot time, for the drill to look up. */
export const REDIS_SAMPLE_SIZE = 20;

/**
 * Defines `newest_snapshot LISTING`: prints the key of the newest snapshot under `s3://$BUCKET/$NAME/` a
 * restore may trust, or nothing. `LISTING` is a file it writes the bucket listing to.
 *
 * Anyone able to write to the bucket could plant a key that sorts last (`<name>/zzz.rdb`, or a timestamp in
 * the year 9999) and have every restore load it. So a key is considered only if it has the exact layout the
 * Job writes, a timestamp no later than ten minutes from now (clock skew), and its `.sha256` beside it
 * (a Job that failed half-way left none); the caller then checks the download against that hash. Keys
 * refused are named on stderr. The selection is in awk: it runs the same under dash, busybox and bash.
 */
export const NEWEST_SNAPSHOT_FUNCTION = String.raw`newest_snapshot() {
  aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$NAME/" --region "$BUCKET_REGION" --query 'Contents[].Key' --output text > "$1.raw" || return 1
  tr '\t' '\n' < "$1.raw" > "$1"
  not_after=$(date -u -d "@$(( $(date +%s) + 600 ))" +%Y%m%dT%H%M%SZ)
  awk -v prefix="$NAME/" -v not_after="$not_after" '
    { listed[$0] = 1; keys[NR] = $0 }
    END {
      best = ""; best_stamp = ""
      for (i = 1; i <= NR; i++) {
        key = keys[i]
        if (substr(key, 1, length(prefix)) != prefix) continue
        stamp = substr(key, length(prefix) + 1)
        if (stamp ~ /\.(sha256|manifest)$/) continue
        if (stamp !~ /^[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z\.rdb$/) {
          print "drkit: refusing " key ": not a key the backup Job writes (<name>/YYYYMMDDTHHMMSSZ.rdb)" > "/dev/stderr"; continue
        }
        if (substr(stamp, 1, 16) > not_after) {
          print "drkit: refusing " key ": dated in the future" > "/dev/stderr"; continue
        }
        if (!((key ".sha256") in listed)) {
          print "drkit: refusing " key ": no " key ".sha256 beside it (an unchecked or unfinished upload)" > "/dev/stderr"; continue
        }
        if (stamp > best_stamp) { best = key; best_stamp = stamp }
      }
      print best
    }' "$1"
}
`;

// Both functions return non-zero on a failed `aws` call themselves: called in `$(…)` or `if`, a
// shell does not apply `set -e` inside them.

/**
 * Defines `fetch_checked KEY DEST`: downloads the snapshot and its `.sha256` and `.manifest`, and succeeds
 * only when the snapshot's SHA-256 matches (`DEST`, `DEST.sha256`, `DEST.manifest`); on a mismatch it
 * removes the download and says so.
 */
export const FETCH_CHECKED_FUNCTION = String.raw`fetch_checked() {
  for suffix in .sha256 .manifest ""; do
    aws s3api get-object --bucket "$BUCKET" --key "$1$suffix" --region "$BUCKET_REGION" "$2$suffix" > /dev/null || return 1
  done
  expected=$(tr -d ' \n' < "$2.sha256")
  actual=$(sha256sum "$2" | cut -d ' ' -f 1)
  if [ "$expected" != "$actual" ]; then
    echo "drkit: s3://$BUCKET/$1 has SHA-256 $actual, but $1.sha256 says $expected: refusing it" >&2
    rm -f "$2"
    return 1
  fi
}
`;
