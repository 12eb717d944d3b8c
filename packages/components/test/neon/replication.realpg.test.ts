// The exact scripts NeonGeoReplica runs, against two real PostgreSQL servers: replication works, its lag is
// observed, and a promoted standby takes writes with sequences past the primary's.
import { execFileSync } from "child_process";
import { CREATE_SCRIPT, DELETE_SCRIPT, promotionScript } from "@drkit/components";
import { query, startServer, TestServer } from "../../../../test/support/postgres";

let primary: TestServer;
let standby: TestServer;
const role = "drkit_replication";
const password = "not-a-real-secret";

function run(script: string) {
  execFileSync("bash", ["-c", script], {
    env: {
      ...process.env,
      PRIMARY_URI: primary.uri,
      STANDBY_URI: standby.uri,
      REPLICATION_URI: primary.uriAs(role, password),
      REPLICATION_ROLE: role,
      REPLICATION_PASSWORD: password,
      PUBLICATION: "drkit_pub",
      SUBSCRIPTION: "drkit_sub",
    },
    stdio: "pipe",
  });
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
  primary = await startServer({ wal_level: "logical" });
  standby = await startServer();
  query(primary.uri, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
  query(primary.uri, "INSERT INTO orders (note) SELECT 'before ' || g FROM generate_series(1, 100) g");
}, 120_000);

afterAll(() => {
  for (const server of [standby, primary]) server?.stop();
});

it("copies the schema and existing rows, then streams new writes; re-running is harmless", async () => {
  run(CREATE_SCRIPT);
  run(CREATE_SCRIPT); // idempotent: no error, still one publication and one subscription
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

it("promotes the standby: replication stops, and new rows get ids past the primary's", () => {
  const primaryLast = Number(query(primary.uri, "SELECT last_value FROM orders_id_seq"));
  run(promotionScript(1000));
  expect(query(standby.uri, "SELECT count(*) FROM pg_subscription")).toBe("0");
  const id = Number(query(standby.uri, "INSERT INTO orders (note) VALUES ('on the standby') RETURNING id"));
  expect(id).toBeGreaterThan(primaryLast);
  expect(id).toBe(101 + 1000 + 1);
  // Writes on the old primary no longer reach the promoted standby.
  query(primary.uri, "INSERT INTO orders (note) VALUES ('late')");
  expect(query(standby.uri, "SELECT count(*) FROM orders WHERE note = 'late'")).toBe("0");
});

it("delete removes the publication and the slot on the primary", () => {
  run(DELETE_SCRIPT);
  expect(query(primary.uri, "SELECT count(*) FROM pg_publication")).toBe("0");
  expect(query(primary.uri, "SELECT count(*) FROM pg_replication_slots")).toBe("0");
});
