// The off-platform Postgres backup and its restore drill, as bash scripts run by NeonBackup's CronJobs. The
// tests run these exact scripts against real PostgreSQL servers and the real AWS CLI.
//
// Each CronJob runs its steps in containers that share a scratch volume at `$WORK`: the steps that talk to
// PostgreSQL run in the PostgreSQL image (pg_dump, pg_restore, psql), the ones that talk to S3 and the
// Pushgateway in the AWS CLI image (aws, curl). No credential is ever an argument (argv is world-readable
// in `ps`): libpq reads the connection from PG* variables set for each command, and S3 access comes from the
// pod's IRSA role.
//
// Object layout, under `$PREFIX` (`<service>/postgres/`) in the Object Lock bucket:
//   <stamp>.dump            the `pg_dump -Fc` archive
//   <stamp>.dump.sha256     its SHA-256, in `sha256sum` format
//   <stamp>.manifest.json   what the dump held: per-table row counts and checksums, taken in the dump's
//                           snapshot. Written last: a backup without a manifest is incomplete, never "good".
// `<stamp>` is the UTC time `YYYYMMDDTHHMMSSZ`, so the lexicographically last manifest is the newest backup.
import {
  BACKUP_PUSH_JOB,
  BACKUP_VERIFIED_METRIC,
  DRILL_KIND_LABEL,
  DRILL_LAST_RUN_METRIC,
  DRILL_LAST_SUCCESS_METRIC,
  DRILL_PUSH_JOB,
  DRILL_RESTORE_SECONDS_METRIC,
  DRILL_RESULT_SCHEMA,
  DRILL_RESULTS_PREFIX,
  DRILL_SUCCESS_METRIC,
  EXERCISE_LAST_SUCCESS_METRIC,
  PROMETHEUS_SERVICE_LABEL,
} from "@drkit/posture";

/** Version of the manifest stored beside each archive. */
export const POSTGRES_BACKUP_MANIFEST_SCHEMA = "drkit.dev/postgres-backup-manifest/v1";

/**
 * Every user table's row count and checksum, as JSON, read in the current transaction (so in the dump's
 * snapshot when run inside it). The checksum is the sum of each row's MD5 (its first 64 bits, as a number):
 * independent of row order and collation, constant memory however large the table, and changed by any
 * edited, added or removed row. Extension-owned tables are left out, as pg_dump leaves out their data.
 */
export const TABLE_CHECKSUMS_SQL = `SELECT coalesce(json_agg(json_build_object('table', t.name, 'rows', t.rows, 'checksum', t.checksum) ORDER BY t.name), '[]')
  FROM (SELECT format('%I.%I', n.nspname, c.relname) AS name,
               (xpath('/row/rows/text()', x))[1]::text::bigint AS rows,
               (xpath('/row/checksum/text()', x))[1]::text AS checksum
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace,
               LATERAL query_to_xml(format(
                 'SELECT count(*) AS rows, coalesce(sum((''x'' || left(md5(drkit_row::text), 16))::bit(64)::bigint::numeric), 0)::text AS checksum FROM ONLY %I.%I drkit_row',
                 n.nspname, c.relname), false, true, '') AS x
         WHERE c.relkind = 'r'
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d
                            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')) t`;

// Text representations the checksums hash must not depend on the session: fixed for every session.
const SESSION_SETTINGS =
  "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1;";

// `source …` runs a command against the database backed up. The PG* variables are set in that command's
// environment only; a service or host address from the caller's environment would redirect it: cleared.
const SOURCE = `unset PGSERVICE PGHOSTADDR
source_db() { PGHOST="$SOURCE_HOST" PGPORT="\${SOURCE_PORT:-5432}" PGUSER="$SOURCE_USER" PGPASSWORD="$SOURCE_PASSWORD" PGDATABASE="$SOURCE_DATABASE" PGSSLMODE="\${SSLMODE:-require}" "$@"; }`;

/**
 * Step 1 of the backup (PostgreSQL image): dump the source database into `$WORK` and check it before
 * anything is uploaded. One REPEATABLE READ transaction exports its snapshot; `pg_dump --snapshot` dumps
 * exactly that snapshot, and the manifest's counts and checksums are read in the same transaction, so they
 * describe the archive's rows exactly. Then the archive's table of contents must read back
 * (`pg_restore --list`) and list every table's data, every data block must read back (`pg_restore -f /dev/null`), and its SHA-256 is recorded. Any failure exits
 * non-zero: the upload step never runs.
 *
 * Environment: SOURCE_HOST, SOURCE_PORT (default 5432), SOURCE_USER, SOURCE_PASSWORD, SOURCE_DATABASE,
 * SSLMODE (default require), SERVICE, WORK.
 */
export const POSTGRES_DUMP_SCRIPT = `set -euo pipefail
${SOURCE}
cd "$WORK"
rm -f backup.* stamp
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkfifo backup.sql-in
# The transaction that holds the snapshot: a psql reading its commands from a FIFO, kept open by fd 3.
source_db psql -X -q -A -t -v ON_ERROR_STOP=1 <backup.sql-in >backup.session-out 2>backup.session-err &
session=$!
exec 3>backup.sql-in
echo "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${SESSION_SETTINGS}
\\\\o backup.snapshot
SELECT pg_export_snapshot();
\\\\o" >&3
for _ in $(seq 1 300); do
  if [ -s backup.snapshot ]; then break; fi
  if ! kill -0 "$session" 2>/dev/null; then break; fi
  sleep 0.1
done
snapshot=$(tr -d '[:space:]' <backup.snapshot 2>/dev/null || true)
if [ -z "$snapshot" ]; then
  echo "backup: could not open a snapshot on the source database: $(cat backup.session-err)" >&2
  exit 1
fi
source_db pg_dump -Fc --snapshot="$snapshot" --no-owner --no-privileges -f backup.dump
# The manifest's figures, in the same transaction (so the same snapshot) as the dump; then it ends.
echo "\\\\o backup.tables.json
${TABLE_CHECKSUMS_SQL};
\\\\o
COMMIT;" >&3
exec 3>&-
if ! wait "$session"; then
  echo "backup: reading row counts and checksums failed: $(cat backup.session-err)" >&2
  exit 1
fi
rm -f backup.sql-in
# Integrity: the archive's table of contents reads back, and holds the data of every table counted.
if ! pg_restore --list backup.dump >backup.toc 2>backup.toc-err; then
  echo "backup: the archive's table of contents does not read back: $(cat backup.toc-err)" >&2
  exit 1
fi
# …and every data block reads back (decompressed, without a server): a truncated or corrupted archive
# whose table of contents is intact fails here.
if ! pg_restore -f /dev/null backup.dump 2>backup.toc-err; then
  echo "backup: the archive's data does not read back: $(cat backup.toc-err)" >&2
  exit 1
fi
tables=$(grep -o '"table"' backup.tables.json | wc -l)
data=$(grep -c ' TABLE DATA ' backup.toc || true)
if [ "$data" -lt "$tables" ]; then
  echo "backup: the archive's table of contents lists $data tables' data, the snapshot has $tables tables" >&2
  exit 1
fi
sha256sum backup.dump | sed "s/ backup.dump$/ $stamp.dump/" >backup.dump.sha256
printf '{"schema":"${POSTGRES_BACKUP_MANIFEST_SCHEMA}","service":"%s","database":"%s","takenAt":"%s","archive":"%s.dump","sha256":"%s","tables":%s}\\n' \\
  "$SERVICE" "$SOURCE_DATABASE" "$(date -u -d "\${stamp:0:8} \${stamp:9:2}:\${stamp:11:2}:\${stamp:13:2}" +%Y-%m-%dT%H:%M:%SZ)" \\
  "$stamp" "$(cut -d' ' -f1 backup.dump.sha256)" "$(tr -d '\\n' <backup.tables.json)" >backup.manifest.json
echo "$stamp" >stamp
echo "backup: $stamp.dump checked: table of contents reads back, $data tables' data, sha256 $(cut -d' ' -f1 backup.dump.sha256)"
`;

// The AWS CLI against S3 (or the endpoint given, for a stand-in); the bucket's region always.
const AWS = `s3api() { aws s3api "$@" --region "$BUCKET_REGION" \${S3_ENDPOINT:+--endpoint-url "$S3_ENDPOINT"}; }
push() { # push <job> <grouping path> <file>: to the Pushgateway when one is configured
  if [ -n "\${PUSHGATEWAY_URL:-}" ]; then
    curl -fsS --retry 3 --data-binary @"$3" "\${PUSHGATEWAY_URL%/}/metrics/job/$1/$2"
  fi
}`;

/**
 * Step 2 of the backup (AWS CLI image): upload the checked archive, its checksum, then its manifest (last:
 * it marks the backup complete), each with a SHA-256 S3 verifies on receipt; then push
 * `BACKUP_VERIFIED_METRIC`. Every run writes new keys (runs never overlap: the CronJob forbids concurrency),
 * and only puts objects: the role needs nothing that deletes or overwrites, and the bucket's Object Lock
 * default retention keeps every version for the tier's retention.
 *
 * Environment: WORK, BUCKET, BUCKET_REGION, PREFIX, SERVICE, PUSHGATEWAY_URL (optional), S3_ENDPOINT
 * (optional, a stand-in's URL).
 */
export const POSTGRES_UPLOAD_SCRIPT = `set -euo pipefail
${AWS}
cd "$WORK"
stamp=$(cat stamp)
(cd "$WORK" && sed "s/ $stamp.dump$/ backup.dump/" backup.dump.sha256 | sha256sum -c --quiet -)
for part in dump dump.sha256 manifest.json; do
  s3api put-object --bucket "$BUCKET" --key "$PREFIX$stamp.$part" --body "backup.$part" \\
    --checksum-algorithm SHA256 >/dev/null
done
echo "backup: uploaded s3://$BUCKET/$PREFIX$stamp.dump, .dump.sha256 and .manifest.json"
printf '# TYPE ${BACKUP_VERIFIED_METRIC} gauge\\n${BACKUP_VERIFIED_METRIC} %s\\n' "$(date -u +%s)" >backup.metrics
push ${BACKUP_PUSH_JOB} "${PROMETHEUS_SERVICE_LABEL}/$SERVICE/${DRILL_KIND_LABEL}/postgres" backup.metrics
`;

/**
 * Step 1 of the drill (AWS CLI image): fetch the newest complete backup (the last manifest under `$PREFIX`)
 * with its archive and checksum into `$WORK`. No backup at all fails the step.
 *
 * Environment: WORK, BUCKET, BUCKET_REGION, PREFIX, S3_ENDPOINT (optional).
 */
export const POSTGRES_DRILL_FETCH_SCRIPT = `set -euo pipefail
${AWS}
cd "$WORK"
manifest=$(s3api list-objects-v2 --bucket "$BUCKET" --prefix "$PREFIX" \\
  --query "sort(Contents[?ends_with(Key, '.manifest.json')].Key)[-1]" --output text)
if [ -z "$manifest" ] || [ "$manifest" = "None" ]; then
  echo "drill: no backup under s3://$BUCKET/$PREFIX (no .manifest.json)" >&2
  exit 1
fi
stem=\${manifest%.manifest.json}
for part in dump dump.sha256 manifest.json; do
  s3api get-object --bucket "$BUCKET" --key "$stem.$part" "drill.$part" >/dev/null
done
echo "\${stem#"$PREFIX"}" >drill.stamp
echo "$stem.dump" >drill.key
echo "drill: fetched s3://$BUCKET/$stem.dump"
`;

// A scratch database name PostgreSQL accepts, unique to the run.
const SCRATCH_DATABASE = `drkit_drill_$(date -u +%Y%m%d%H%M%S)_$$`;

/**
 * Step 2 of the drill (PostgreSQL image): verify the archive's SHA-256, restore it into a scratch database on
 * the scratch server (`TARGET_*`: the Pod's own PostgreSQL sidecar in the CronJob), compare every table's row
 * count and checksum with the manifest, drop the scratch database, and write the drill record
 * (`DrillResult`, packages/posture/src/drills.ts) to `drill.record.json` and its metrics to `drill.metrics`.
 * A failed check is a result, not an error: the record says what failed, and the step exits 0 so that the
 * report step uploads it (and then fails the Job).
 *
 * Environment: WORK, SERVICE, TIER, TARGET_HOST, TARGET_PORT (default 5432), TARGET_USER, TARGET_PASSWORD
 * (optional), PUSHGATEWAY_URL (optional: its absence is noted in the record).
 */
export const POSTGRES_DRILL_RESTORE_SCRIPT = `set -uo pipefail
unset PGSERVICE PGHOSTADDR
target_db() { PGHOST="$TARGET_HOST" PGPORT="\${TARGET_PORT:-5432}" PGUSER="$TARGET_USER" PGPASSWORD="\${TARGET_PASSWORD:-}" PGSSLMODE=disable "$@"; }
# Error text as one line that is safe inside a JSON string: no newline, quote or backslash.
# shellcheck disable=SC1003
oneline() { tr '\\n"\\\\' '   ' <"$1"; }
cd "$WORK" || exit 1
rm -f drill.record.json drill.metrics drill.outcome
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
started=$(now)
stamp=$(cat drill.stamp)
key=$(cat drill.key)
scratch="${SCRATCH_DATABASE}"
checks=()
error=""
check() { # check <name> <ok> <expected> <actual>
  checks+=("$(printf '{"name":"%s","ok":%s,"expected":"%s","actual":"%s"}' "$1" "$2" "$3" "$4")")
}
for _ in $(seq 1 60); do target_db pg_isready -q -d postgres && break; sleep 1; done
expected_sha=$(sed -n 's/^\\([0-9a-f]\\{64\\}\\).*/\\1/p' drill.dump.sha256)
actual_sha=$(sha256sum drill.dump | cut -d' ' -f1)
manifest_sha=$(sed -n 's/.*"sha256":"\\([0-9a-f]*\\)".*/\\1/p' drill.manifest.json)
restore_started=$(date +%s.%N)
restore_seconds=0
if [ -n "$expected_sha" ] && [ "$expected_sha" = "$actual_sha" ] && [ "$manifest_sha" = "$actual_sha" ]; then
  check sha256 true "$expected_sha" "$actual_sha"
  if ! target_db psql -X -q -d postgres -v ON_ERROR_STOP=1 -c "CREATE DATABASE \\"$scratch\\"" >drill.err 2>&1; then
    error="could not create the scratch database: $(oneline drill.err)"
  elif ! target_db pg_restore --exit-on-error --no-owner --no-privileges -d "$scratch" drill.dump >drill.err 2>&1; then
    error="the archive did not restore: $(oneline drill.err)"
  else
    # The comparison, in SQL: the manifest's tables against the restored ones, each row count and checksum.
    if ! target_db psql -X -q -A -t -d "$scratch" -v ON_ERROR_STOP=1 >drill.compared 2>drill.err <<SQL
${SESSION_SETTINGS}
\\\\set manifest \\\`cat drill.manifest.json\\\`
WITH expected AS (SELECT * FROM json_to_recordset((:'manifest')::json -> 'tables') AS e("table" text, rows bigint, checksum text)),
     actual AS (SELECT * FROM json_to_recordset((${TABLE_CHECKSUMS_SQL.replace(/\n/g, "\n     ")})) AS a("table" text, rows bigint, checksum text))
SELECT json_build_object('name', 'rows:' || coalesce(e."table", a."table"), 'ok', e.rows IS NOT DISTINCT FROM a.rows,
                         'expected', coalesce(e.rows::text, 'absent'), 'actual', coalesce(a.rows::text, 'absent'))::jsonb::text
       || E'\\n' ||
       json_build_object('name', 'checksum:' || coalesce(e."table", a."table"), 'ok', e.checksum IS NOT DISTINCT FROM a.checksum,
                         'expected', coalesce(e.checksum, 'absent'), 'actual', coalesce(a.checksum, 'absent'))::jsonb::text
  FROM expected e FULL JOIN actual a ON a."table" = e."table"
 ORDER BY coalesce(e."table", a."table");
SQL
    then
      error="comparing the restored tables failed: $(oneline drill.err)"
    fi
    restore_seconds=$(echo "$(date +%s.%N) $restore_started" | awk '{printf "%.3f", $1 - $2}')
    while IFS= read -r line; do [ -n "$line" ] && checks+=("$line"); done <drill.compared
  fi
  target_db psql -X -q -d postgres -c "DROP DATABASE IF EXISTS \\"$scratch\\"" >/dev/null 2>&1 ||
    error="\${error:+$error; }the scratch database $scratch could not be dropped"
else
  check sha256 false "\${expected_sha:-absent}" "$actual_sha"
  if [ "$manifest_sha" != "$expected_sha" ]; then check manifest-sha256 false "$expected_sha" "$manifest_sha"; fi
  error="the archive's sha256 does not match the one stored beside it: it was changed or truncated"
fi
ok=true
if [ -n "$error" ]; then ok=false; fi
for c in "\${checks[@]}"; do case "$c" in *'"ok":false'* | *'"ok": false'*) ok=false ;; esac; done
if [ "$ok" = false ] && [ -z "$error" ]; then error="restored data differs from the manifest: see the failed checks"; fi
# Without a Pushgateway the metrics are not pushed: recorded as a (passing) check, so the record says so.
if [ -z "\${PUSHGATEWAY_URL:-}" ]; then
  check metrics-push true "optional" "no PUSHGATEWAY_URL: metrics not pushed"
else
  check metrics-push true "optional" "pushed by the report step to PUSHGATEWAY_URL"
fi
finished=$(now)
taken="$(date -u -d "\${stamp:0:8} \${stamp:9:2}:\${stamp:11:2}:\${stamp:13:2}" +%Y-%m-%dT%H:%M:%SZ)"
joined=$(IFS=,; echo "\${checks[*]}")
printf '{"schema":"${DRILL_RESULT_SCHEMA}","service":"%s","tier":"%s","kind":"postgres","backup":{"key":"%s","takenAt":"%s"},"target":"%s","startedAt":"%s","finishedAt":"%s","restoreSeconds":%s,"ok":%s,"checks":[%s]%s}\\n' \\
  "$SERVICE" "$TIER" "$key" "$taken" "postgresql://$TARGET_HOST/$scratch (dropped)" "$started" "$finished" \\
  "$restore_seconds" "$ok" "$joined" "\${error:+,\\"error\\":\\"$error\\"}" >drill.record.json
run_at=$(date -u +%s)
{
  echo "# TYPE ${DRILL_LAST_RUN_METRIC} gauge"; echo "${DRILL_LAST_RUN_METRIC} $run_at"
  echo "# TYPE ${DRILL_SUCCESS_METRIC} gauge"; echo "${DRILL_SUCCESS_METRIC} $([ "$ok" = true ] && echo 1 || echo 0)"
  echo "# TYPE ${DRILL_RESTORE_SECONDS_METRIC} gauge"; echo "${DRILL_RESTORE_SECONDS_METRIC} $restore_seconds"
  if [ "$ok" = true ]; then
    echo "# TYPE ${DRILL_LAST_SUCCESS_METRIC} gauge"; echo "${DRILL_LAST_SUCCESS_METRIC} $run_at"
    echo "# TYPE ${EXERCISE_LAST_SUCCESS_METRIC} gauge"; echo "${EXERCISE_LAST_SUCCESS_METRIC} $run_at"
  fi
} >drill.metrics
echo "$ok" >drill.outcome
echo "$started" >drill.started
echo "drill: ok=$ok restore=\${restore_seconds}s \${error}"
`;

/**
 * Step 3 of the drill (AWS CLI image): upload the record to the records bucket at
 * `drills/<service>/postgres/<startedAt>.json` (`drillResultKey`), push the metrics, then fail the Job if the
 * drill failed.
 *
 * Environment: WORK, SERVICE, RECORDS_BUCKET, RECORDS_BUCKET_REGION, PUSHGATEWAY_URL (optional),
 * S3_ENDPOINT (optional).
 */
export const POSTGRES_DRILL_REPORT_SCRIPT = `set -euo pipefail
BUCKET_REGION="$RECORDS_BUCKET_REGION"
${AWS}
cd "$WORK"
key="${DRILL_RESULTS_PREFIX}$SERVICE/postgres/$(cat drill.started).json"
s3api put-object --bucket "$RECORDS_BUCKET" --key "$key" --body drill.record.json \\
  --content-type application/json --checksum-algorithm SHA256 >/dev/null
echo "drill: record at s3://$RECORDS_BUCKET/$key"
push ${DRILL_PUSH_JOB} "${PROMETHEUS_SERVICE_LABEL}/$SERVICE/${DRILL_KIND_LABEL}/postgres" drill.metrics
if [ "$(cat drill.outcome)" != true ]; then
  echo "drill: FAILED, see the record" >&2
  exit 1
fi
`;
