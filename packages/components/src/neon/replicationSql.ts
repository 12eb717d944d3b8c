// The replication wiring NeonGeoReplica runs at deploy time, as bash + psql scripts. The tests run these
// exact scripts against two real PostgreSQL servers, sampling every process's argv while they run. Every
// value arrives through the environment, never in the script text, and no credential is ever an argument
// (argv is world-readable in `ps`): psql and pg_dump read their connection from libpq's PG* variables,
// set for each command from the side it talks to, and the secrets the SQL needs become psql variables
// inside psql (quoted by format() with %I/%L).
//
// Environment:
//   PRIMARY_HOST, PRIMARY_USER, PRIMARY_PASSWORD, PRIMARY_DATABASE, PRIMARY_PORT (default 5432): the
//     primary, as its owner; STANDBY_… likewise for the standby;
//   SSLMODE: libpq's sslmode for both (default require);
//   REPLICATION_URI: the primary as the replication role, what the standby's subscription connects with;
//   REPLICATION_ROLE, REPLICATION_PASSWORD, PUBLICATION, SUBSCRIPTION.

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

// `side psql …` runs psql against one side. The PG* variables are set in that command's environment only
// (an owner-only /proc/<pid>/environ), so a credential never appears in a command line. A service or a
// host address from the caller's environment would redirect the connection: cleared.
const CONNECTIONS = `unset PGSERVICE PGHOSTADDR
primary() { PGHOST="$PRIMARY_HOST" PGPORT="\${PRIMARY_PORT:-5432}" PGUSER="$PRIMARY_USER" PGPASSWORD="$PRIMARY_PASSWORD" PGDATABASE="$PRIMARY_DATABASE" PGSSLMODE="\${SSLMODE:-require}" "$@"; }
standby() { PGHOST="$STANDBY_HOST" PGPORT="\${STANDBY_PORT:-5432}" PGUSER="$STANDBY_USER" PGPASSWORD="$STANDBY_PASSWORD" PGDATABASE="$STANDBY_DATABASE" PGSSLMODE="\${SSLMODE:-require}" "$@"; }`;
const PSQL = "psql -X -q -v ON_ERROR_STOP=1";
/** Names only: visible in `ps`, and harmless there. */
const NAMES = `-v role="$REPLICATION_ROLE" -v publication="$PUBLICATION" -v subscription="$SUBSCRIPTION"`;
// A secret becomes a psql variable inside psql: the backquoted command is run by psql's shell, whose argv
// holds the literal text `printf %s "$…"`, not the value (portable to psql < 15, which has no \getenv).
const fromEnvironment = (variable: string, name: string) => `\\set ${variable} \`printf %s "$${name}"\``;

/**
 * Create (idempotent): copy the schema to an empty standby (logical replication does not carry DDL), set up
 * the primary, then subscribe the standby.
 */
export const CREATE_SCRIPT = `set -euo pipefail
${CONNECTIONS}
tables=$(standby psql -X -tAc "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [ "$tables" = "0" ]; then
  primary pg_dump --schema-only --no-owner --no-privileges --no-publications --no-subscriptions | standby ${PSQL}
fi
primary ${PSQL} ${NAMES} <<'SQL'
${fromEnvironment("password", "REPLICATION_PASSWORD")}
${PRIMARY_SETUP_SQL}SQL
standby ${PSQL} ${NAMES} <<'SQL'
${fromEnvironment("conninfo", "REPLICATION_URI")}
${STANDBY_SUBSCRIBE_SQL}SQL
`;

/** Delete: the subscription first (on the standby), then the publication and slot (on the primary). */
export const DELETE_SCRIPT = `set -euo pipefail
${CONNECTIONS}
standby ${PSQL} ${NAMES} <<'SQL'
${STANDBY_DROP_SQL}SQL
primary ${PSQL} ${NAMES} <<'SQL'
${PRIMARY_DROP_SQL}SQL
`;

/**
 * The failover runbook's step: promote the standby. Needs STANDBY_HOST, STANDBY_USER, STANDBY_PASSWORD,
 * STANDBY_DATABASE (STANDBY_PORT, SSLMODE optional) and SUBSCRIPTION in the environment. Point the
 * application at the standby afterwards.
 */
export function promotionScript(gap: number): string {
  return `set -euo pipefail
${CONNECTIONS}
standby ${PSQL} -v subscription="$SUBSCRIPTION" <<'SQL'
${promotionSql(gap)}SQL
echo "standby promoted: point the application's connection string at the standby project"
`;
}
