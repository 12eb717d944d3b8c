// The exact scripts NeonGeoReplica runs, against two real PostgreSQL servers that check passwords:
// replication works, its lag is observed, a promoted standby takes writes with sequences past the
// primary's, and no password is ever in a command line (every process's argv is sampled while they run).
import { execFile } from "child_process";
import { randomBytes } from "crypto";
import { promisify } from "util";
import { CREATE_SCRIPT, DELETE_SCRIPT, promotionScript } from "@drkit/components";
import { query, startServer, TestServer } from "../../../../test/support/postgres";
import { ArgvReport, sampleArgv } from "../../../../test/support/argv";

let primary: TestServer;
let standby: TestServer;
const role = "drkit_replication";
// Long and random: found in an argv, it can only have come from the scripts.
const secret = () => randomBytes(24).toString("hex");
const passwords = { primary: secret(), standby: secret(), replication: secret() };
const reports: ArgvReport[] = [];

/** One side's connection, as NeonGeoReplica passes it: libpq's parts, the password apart. */
const connection = (side: string, server: TestServer, password: string) => ({
  [`${side}_HOST`]: server.host,
  [`${side}_PORT`]: String(server.port),
  [`${side}_USER`]: "postgres",
  [`${side}_PASSWORD`]: password,
  [`${side}_DATABASE`]: "postgres",
});

async function run(script: string, changes: Record<string, string> = {}) {
  const env = {
    ...process.env,
    ...connection("PRIMARY", primary, passwords.primary),
    ...connection("STANDBY", standby, passwords.standby),
    SSLMODE: "disable", // the test servers have no certificate; Neon's default is require
    REPLICATION_URI: primary.uriAs(role, passwords.replication),
    REPLICATION_ROLE: role,
    REPLICATION_PASSWORD: passwords.replication,
    PUBLICATION: "drkit_pub",
    SUBSCRIPTION: "drkit_sub",
    ...changes,
  };
  const sampler = sampleArgv(Object.values(passwords), { maxSeconds: 60 });
  try {
    await promisify(execFile)("bash", ["-c", script], { env });
  } finally {
    const report = await sampler.stop();
    reports.push(report);
    expect(report.timedOut).toBe(false);
    expect(report.leaks).toEqual([]);
  }
}

async function until(check: () => boolean, seconds: number): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > seconds * 1000) throw new Error(`not reached within ${seconds} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - start;
}

beforeAll(async () => {
  primary = await startServer({ wal_level: "logical" }, { password: passwords.primary });
  standby = await startServer({}, { password: passwords.standby });
  query(primary.uri, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
  query(primary.uri, "INSERT INTO orders (note) SELECT 'before ' || g FROM generate_series(1, 100) g");
}, 120_000);

afterAll(() => {
  for (const server of [standby, primary]) server?.stop();
});

it("fails when a password is wrong: the servers check the credentials the scripts pass", async () => {
  await expect(run(CREATE_SCRIPT, { STANDBY_PASSWORD: secret() })).rejects.toThrow(
    'password authentication failed for user "postgres"',
  );
  expect(query(standby.uri, "SELECT count(*) FROM pg_subscription")).toBe("0");
});

it("copies the schema and existing rows, then streams new writes; re-running is harmless", async () => {
  await run(CREATE_SCRIPT);
  await run(CREATE_SCRIPT); // idempotent: no error, still one publication and one subscription
  expect(query(primary.uri, "SELECT count(*) FROM pg_publication")).toBe("1");
  expect(query(standby.uri, "SELECT count(*) FROM pg_subscription")).toBe("1");
  await until(() => query(standby.uri, "SELECT count(*) FROM orders") === "100", 30);

  query(primary.uri, "INSERT INTO orders (note) VALUES ('after')");
  const lagMs = await until(
    () => query(standby.uri, "SELECT count(*) FROM orders WHERE note = 'after'") === "1",
    30,
  );
  console.log(`replication lag observed: ${lagMs} ms`);
  expect(lagMs).toBeGreaterThanOrEqual(0);
  expect(query(standby.uri, "SELECT max(id) FROM orders")).toBe("101");
}, 60_000);

it("promotes the standby: replication stops, and new rows get ids past the primary's", async () => {
  const primaryLast = Number(query(primary.uri, "SELECT last_value FROM orders_id_seq"));
  await run(promotionScript(1000));
  expect(query(standby.uri, "SELECT count(*) FROM pg_subscription")).toBe("0");
  const id = Number(query(standby.uri, "INSERT INTO orders (note) VALUES ('on the standby') RETURNING id"));
  expect(id).toBeGreaterThan(primaryLast);
  expect(id).toBe(101 + 1000 + 1);
  // Writes on the old primary no longer reach the promoted standby.
  query(primary.uri, "INSERT INTO orders (note) VALUES ('late')");
  expect(query(standby.uri, "SELECT count(*) FROM orders WHERE note = 'late'")).toBe("0");
});

it("delete removes the publication and the slot on the primary", async () => {
  await run(DELETE_SCRIPT);
  expect(query(primary.uri, "SELECT count(*) FROM pg_publication")).toBe("0");
  expect(query(primary.uri, "SELECT count(*) FROM pg_replication_slots")).toBe("0");
});

// Last: it sums up the runs above.
it("never shows a password in any process's argv while the scripts run, and saw their psql clients", () => {
  const total = (f: (r: ArgvReport) => number) => reports.reduce((sum, r) => sum + f(r), 0);
  const figures = {
    runs: reports.length,
    samples: total((r) => r.samples),
    processes: total((r) => r.processes),
    psql: total((r) => r.programs.psql ?? 0),
    pg_dump: total((r) => r.programs.pg_dump ?? 0),
  };
  console.log(`argv sampling: ${JSON.stringify(figures)}`);
  expect(reports.flatMap((r) => r.leaks)).toEqual([]);
  // The sampler was fast enough to see the clients the scripts start (each lives a few milliseconds).
  expect(figures.runs).toBe(5);
  expect(figures.psql).toBeGreaterThanOrEqual(4);
});
