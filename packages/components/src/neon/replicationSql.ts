// The replication wiring NeonGeoReplica runs at deploy time, as bash + psql scripts. The tests run these
// exact scripts against two real PostgreSQL servers. Every value arrives through the environment (psql
// variables, quoted by format() with %I/%L), never in the script text: secrets stay out of command lines.
//
// Environment: PRIMARY_URI, STANDBY_URI (owner connections), REPLICATION_URI (the primary, as the
// replication role: what the standby's subscription connects with), REPLICATION_ROLE, REPLICATION_PASSWORD,
// PUBLICATION, SUBSCRIPTION.

/** On the primary: the replication role (if absent), read access, and a publication of every table. */
export const PRIMARY_SETUP_SQL = `SELECT format('CREATE ROLE %I WITH LOGIN REPLICATION PASSWORD %L', :'role', :'password')
  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \\gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'role') \\gexec
SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %I', :'role') \\gexec
SELECT format('CREATE PUBLICATION %I FOR ALL TABLES', :'publication')
  WHERE NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = :'publication') \\gexec
`;

/** On the standby: the subscription (CREATE SUBSCRIPTION cannot run in a transaction; \\gexec runs it alone). */
export const STANDBY_SUBSCRIBE_SQL = `SELECT format('CREATE SUBSCRIPTION %I CONNECTION %L PUBLICATION %I', :'subscription', :'conninfo', :'publication')
  WHERE NOT EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'subscription') \\gexec
`;

/** On the standby: detach and drop the subscription without needing the primary (its slot is dropped there). */
export const STANDBY_DROP_SQL = `SELECT format('ALTER SUBSCRIPTION %I DISABLE', :'subscription')
  WHERE EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'subscription') \\gexec
SELECT format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', :'subscription')
  WHERE EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'subscription') \\gexec
SELECT format('DROP SUBSCRIPTION %I', :'subscription')
  WHERE EXISTS (SELECT 1 FROM pg_subscription WHERE subname = :'subscription') \\gexec
`;

/** On the primary: the publication and the slot the subscription used. The role itself is Neon's. */
export const PRIMARY_DROP_SQL = `SELECT format('DROP PUBLICATION IF EXISTS %I', :'publication') \\gexec
SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots
  WHERE slot_name = :'subscription' AND NOT active;
`;

/**
 * On the standby, at promotion: stop replicating, then move every owned sequence past the highest value
 * replicated into its column, plus `gap` for rows in flight. It needs nothing from the primary, which may
 * be the region that is down (sequences do not replicate logically).
 */
export function promotionSql(gap: number): string {
  if (!Number.isInteger(gap) || gap < 0)
    throw new Error(`promotion sequence gap must be a whole number ≥ 0 (got ${gap})`);
  return `${STANDBY_DROP_SQL}DO $$
DECLARE r record; highest bigint;
BEGIN
  FOR r IN
    SELECT s.oid::regclass AS seq, t.oid::regclass AS tbl, a.attname AS col
      FROM pg_class s
      JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
      JOIN pg_class t ON t.oid = d.refobjid
      JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
     WHERE s.relkind = 'S'
  LOOP
    EXECUTE format('SELECT coalesce(max(%I), 0) FROM %s', r.col, r.tbl) INTO highest;
    PERFORM setval(r.seq, highest + ${gap}, true);
  END LOOP;
END $$;
`;
}

/** Seconds the standby lags behind, as last reported to it (run on the standby). */
export const LAG_QUERY_SQL = `SELECT coalesce(extract(epoch FROM now() - max(last_msg_receipt_time)), -1)
  FROM pg_stat_subscription WHERE subname = :'subscription';`;

const psql = (uri: string, vars: string) => `psql "$${uri}" -X -q -v ON_ERROR_STOP=1 ${vars}`;
const VARS_PRIMARY = `-v role="$REPLICATION_ROLE" -v password="$REPLICATION_PASSWORD" -v publication="$PUBLICATION" -v subscription="$SUBSCRIPTION"`;
const VARS_STANDBY = `-v subscription="$SUBSCRIPTION" -v publication="$PUBLICATION" -v conninfo="$REPLICATION_URI"`;

/**
 * Create (idempotent): copy the schema to an empty standby (logical replication does not carry DDL), set up
 * the primary, then subscribe the standby.
 */
export const CREATE_SCRIPT = `set -euo pipefail
tables=$(psql "$STANDBY_URI" -X -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" = "0" ]; then
  pg_dump "$PRIMARY_URI" --schema-only --no-owner --no-privileges --no-publications --no-subscriptions | psql "$STANDBY_URI" -X -q -v ON_ERROR_STOP=1
fi
${psql("PRIMARY_URI", VARS_PRIMARY)} <<'SQL'
${PRIMARY_SETUP_SQL}SQL
${psql("STANDBY_URI", VARS_STANDBY)} <<'SQL'
${STANDBY_SUBSCRIBE_SQL}SQL
`;

/** Delete: the subscription first (on the standby), then the publication and slot (on the primary). */
export const DELETE_SCRIPT = `set -euo pipefail
${psql("STANDBY_URI", VARS_STANDBY)} <<'SQL'
${STANDBY_DROP_SQL}SQL
${psql("PRIMARY_URI", VARS_PRIMARY)} <<'SQL'
${PRIMARY_DROP_SQL}SQL
`;

/** The failover runbook's step: promote the standby. Point the application at STANDBY_URI afterwards. */
export function promotionScript(gap: number): string {
  return `set -euo pipefail
${psql("STANDBY_URI", '-v subscription="$SUBSCRIPTION"')} <<'SQL'
${promotionSql(gap)}SQL
echo "standby promoted: point the application's connection string at the standby project"
`;
}
