// The DR health monitor end to end, with real servers on loopback ports (Debian's packages), started and
// stopped here: two PostgreSQL servers replicating logically through NeonGeoReplica's own scripts, a
// postgres_exporter per server running drkit's queries, redis-server with redis_exporter, and a Prometheus
// server loading the rules DrHealthMonitor generates — its timings made small through the component's own
// validated arguments. Stop the subscription, or make Redis's saves fail: the alert fires and `drkit status`
// reports the breach with the value it measured; restore it and both clear. A restore drill pushes its
// series to a real Pushgateway, as the drill scripts do, which Prometheus scrapes with honor_labels: a failed,
// slow or overdue drill fires and `drkit status` fails its health check; a passing one clears both.
import { execFile, execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { promisify } from "util";
import { stringify } from "yaml";
import { runProgram, plainProperties } from "@drkit/cli/harness";
import { CREATE_SCRIPT, DrHealthMonitor, DrRegionPair, POSTGRES_EXPORTER_QUERIES } from "@drkit/components";
import { drDashboard } from "../packages/components/src/monitoring/dashboard";
import { query, startServer, TestServer } from "./support/postgres";
import { TestProcess, freePort, removeScratch, scratchDir, startProcess } from "./support/monitoring";
import { drkit } from "./support/drkit";
import {
  DRILL_KIND_LABEL,
  DRILL_LAST_RUN_METRIC,
  DRILL_LAST_SUCCESS_METRIC,
  DRILL_PUSH_JOB,
  DRILL_RESTORE_SECONDS_METRIC,
  DRILL_SUCCESS_METRIC,
  EXERCISE_LAST_SUCCESS_METRIC,
  PROMETHEUS_SERVICE_LABEL,
} from "@drkit/posture";

// R 15 s, lead 2, for 1, scrape 1, evaluation 1: the lag alert's threshold is 15 − 2 − 1 − 1 − 1 = 10 s and
// it has fired by a lag of 13 s. A standby with wal_receiver_timeout 2 s hears from the primary every ~1 s.
const TIMINGS = {
  rpoTargetSeconds: 15,
  rtoTargetSeconds: 600,
  leadTimeSeconds: 2,
  forSeconds: 1,
  scrapeIntervalSeconds: 1,
  evaluationIntervalSeconds: 1,
};
const SUBSCRIPTION = "orders_drkit_sub";

let primary: TestServer;
let standby: TestServer;
let dir: string;
let redisDir: string;
let redisPort: number;
let prometheusUrl: string;
let pushgatewayUrl: string;
const processes: TestProcess[] = [];
const started = Date.now();

/** The rule groups DrHealthMonitor generates for these arguments, taken from its PrometheusRules. */
async function generatedGroups(): Promise<unknown[]> {
  const run = await runProgram(
    () => {
      const regions = new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: "kubeconfig-west",
      });
      new DrHealthMonitor("orders-monitor", {
        service: "orders",
        tier: "critical",
        regions,
        ...TIMINGS,
        postgresSubscriptions: [
          {
            subscription: SUBSCRIPTION,
            alarmFor: "orders-db-primary",
            walReceiverTimeoutSeconds: 2,
            slotLossSeconds: 60,
          },
        ],
      });
      new DrHealthMonitor("sessions-monitor", {
        service: "sessions",
        tier: "important",
        regions,
        ...TIMINGS,
        redis: [{ namespace: "redis", redisName: "sessions-redis" }],
      });
      // A drill every minute that may run 60 s: overdue once its last success is 120 s old.
      new DrHealthMonitor("ledger-monitor", {
        service: "ledger",
        tier: "critical",
        regions,
        ...TIMINGS,
        restoreDrills: [{ kind: "postgres", cron: "* * * * *", runSeconds: 60 }],
      });
    },
    { project: "platform", stack: "prod" },
  );
  return run
    .ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    .flatMap((r) => (plainProperties(r.inputs) as { spec: { groups: unknown[] } }).spec.groups);
}

const redisCli = (...args: string[]) =>
  execFileSync("redis-cli", ["-h", "127.0.0.1", "-p", String(redisPort), ...args], {
    encoding: "utf8",
  }).trim();

/** Prometheus's answer at `path`, or an error with its status and text (it answers 503 until it is ready). */
async function prometheusJson(pathAndQuery: string): Promise<unknown> {
  const response = await fetch(`${prometheusUrl}${pathAndQuery}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`Prometheus answered ${response.status} to ${pathAndQuery}: ${text}`);
  return JSON.parse(text) as unknown;
}

/** The values of an instant query's series. */
async function seriesValues(promql: string): Promise<number[]> {
  const body = (await prometheusJson(`/api/v1/query?query=${encodeURIComponent(promql)}`)) as {
    data: { result: { value: [number, string] }[] };
  };
  return body.data.result.map((r) => Number(r.value[1]));
}
/**
 * Both monitors' rules see their exporters: the standby's receipt age, the primary's slot (the lag in
 * bytes), and Redis up. Queried one by one: `or` would drop a series whose labels equal another's, and under
 * a busy suite the first scrapes of each can be seconds apart.
 */
const READY_QUERIES = [
  'drkit:recovery_point_age_seconds{drkit_service="orders"} >= 0',
  'drkit:replication_lag_bytes{drkit_service="orders"} >= 0',
  "redis_up == 1",
];

interface Alert {
  labels: Record<string, string>;
  state: string;
  value?: string;
}
async function firing(service: string): Promise<string[]> {
  const body = (await prometheusJson("/api/v1/alerts")) as { data: { alerts: Alert[] } };
  return body.data.alerts
    .filter((a) => a.state === "firing" && a.labels.drkit_service === service)
    .map((a) => a.labels.alertname ?? "")
    .sort();
}

interface Status {
  code: number;
  json: {
    rows: {
      service: string;
      disruption: string;
      status: string;
      currentRpoSeconds: number | null;
      controls: { lagBytes: number | null; firing: { alert: string; value: number | null }[] }[];
    }[];
    healthChecks: { service: string; status: string; firing: { alert: string; value: number | null }[] }[];
    failed: boolean;
  };
}
async function status(service: string): Promise<Status> {
  const result = await drkit("status", "--prometheus", prometheusUrl, "--service", service, "--json");
  if (result.code === 2) throw new Error(`drkit status failed: ${result.err}`);
  return { code: result.code, json: JSON.parse(result.out) as Status["json"] };
}

/** Polls `check` until it holds, or fails after `seconds` with the last value it saw. */
async function until<T>(
  what: string,
  seconds: number,
  probe: () => Promise<T>,
  check: (value: T) => boolean,
): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${what}: not reached within ${seconds} s; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  dir = scratchDir("drkit-monitor-e2e-");
  // Replication, as NeonGeoReplica wires it (its CREATE_SCRIPT), between two servers that trust loopback.
  primary = await startServer({ wal_level: "logical" });
  standby = await startServer({ wal_receiver_timeout: "2s" });
  query(primary.uri, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)");
  query(primary.uri, "INSERT INTO orders (note) VALUES ('first')");
  const side = (name: string, server: TestServer) => ({
    [`${name}_HOST`]: server.host,
    [`${name}_PORT`]: String(server.port),
    [`${name}_USER`]: "postgres",
    [`${name}_PASSWORD`]: "unused-with-trust",
    [`${name}_DATABASE`]: "postgres",
  });
  await promisify(execFile)("bash", ["-c", CREATE_SCRIPT], {
    env: {
      ...process.env,
      ...side("PRIMARY", primary),
      ...side("STANDBY", standby),
      SSLMODE: "disable",
      REPLICATION_URI: primary.uriAs("drkit_replication", "replication-password"),
      REPLICATION_ROLE: "drkit_replication",
      REPLICATION_PASSWORD: "replication-password",
      PUBLICATION: "orders_drkit_pub",
      SUBSCRIPTION,
    },
  });

  // Exporters: one postgres_exporter per server with drkit's queries, redis_exporter beside redis-server.
  fs.writeFileSync(path.join(dir, "queries.yaml"), POSTGRES_EXPORTER_QUERIES);
  const postgresExporter = async (server: TestServer) => {
    const port = await freePort();
    const exporter = await startProcess(
      "prometheus-postgres-exporter",
      [
        `--web.listen-address=127.0.0.1:${port}`,
        `--extend.query-path=${path.join(dir, "queries.yaml")}`,
        // drkit's queries alone: the built-in metrics cost a scrape's time and no rule reads them.
        "--disable-default-metrics",
        "--disable-settings-metrics",
        "--no-collector.database",
        "--no-collector.bgwriter",
      ],
      port,
      {
        env: {
          PATH: process.env.PATH,
          DATA_SOURCE_NAME: `postgresql://postgres@127.0.0.1:${server.port}/postgres?sslmode=disable`,
        },
      },
    );
    processes.push(exporter);
    return port;
  };
  const primaryExporter = await postgresExporter(primary);
  const standbyExporter = await postgresExporter(standby);
  redisDir = path.join(dir, "redis");
  fs.mkdirSync(redisDir);
  if (process.getuid?.() === 0) execFileSync("chown", ["nobody:nogroup", redisDir]);
  redisPort = await freePort();
  processes.push(
    await startProcess(
      "redis-server",
      [
        "--port",
        String(redisPort),
        "--bind",
        "127.0.0.1",
        "--dir",
        redisDir,
        "--save",
        "",
        "--appendonly",
        "no",
      ],
      redisPort,
    ),
  );
  redisCli("BGSAVE");
  const redisExporterPort = await freePort();
  processes.push(
    await startProcess(
      "prometheus-redis-exporter",
      [
        "--redis.addr",
        `redis://127.0.0.1:${redisPort}`,
        "--web.listen-address",
        `127.0.0.1:${redisExporterPort}`,
      ],
      redisExporterPort,
    ),
  );

  // The Pushgateway the drills push to, keeping what was pushed in the scratch folder.
  const pushgatewayPort = await freePort();
  processes.push(
    await startProcess(
      "prometheus-pushgateway",
      [
        `--web.listen-address=127.0.0.1:${pushgatewayPort}`,
        `--persistence.file=${path.join(dir, "pushgateway.data")}`,
      ],
      pushgatewayPort,
    ),
  );
  pushgatewayUrl = `http://127.0.0.1:${pushgatewayPort}`;

  // Prometheus, loading the generated rules; the Redis target labelled as a ServiceMonitor would label it.
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups: await generatedGroups() }));
  fs.writeFileSync(
    path.join(dir, "prometheus.yaml"),
    stringify({
      global: { scrape_interval: "1s", evaluation_interval: "1s" },
      rule_files: [path.join(dir, "rules.yaml")],
      scrape_configs: [
        // honor_labels: the pushed job, service and kind labels stay the series' own.
        {
          job_name: "pushgateway",
          honor_labels: true,
          static_configs: [{ targets: [`127.0.0.1:${pushgatewayPort}`] }],
        },
        { job_name: "postgres-primary", static_configs: [{ targets: [`127.0.0.1:${primaryExporter}`] }] },
        { job_name: "postgres-standby", static_configs: [{ targets: [`127.0.0.1:${standbyExporter}`] }] },
        {
          job_name: "redis",
          static_configs: [
            {
              targets: [`127.0.0.1:${redisExporterPort}`],
              labels: { namespace: "redis", pod: "sessions-redis-0" },
            },
          ],
        },
      ],
    }),
  );
  const prometheusPort = await freePort();
  processes.push(
    await startProcess(
      "prometheus",
      [
        `--config.file=${path.join(dir, "prometheus.yaml")}`,
        `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
        `--web.listen-address=127.0.0.1:${prometheusPort}`,
      ],
      prometheusPort,
    ),
  );
  prometheusUrl = `http://127.0.0.1:${prometheusPort}`;
  // It listens before it is ready (loading its storage, it answers 503 Service Unavailable): under a loaded
  // suite that can take seconds.
  await until(
    "Prometheus is ready",
    60,
    async () => (await fetch(`${prometheusUrl}/-/ready`)).status,
    (status) => status === 200,
  );
  // Ready once the rules have read both sides: Prometheus serves its API before its first scrape.
  await until(
    "Prometheus has scraped every exporter",
    60,
    () => Promise.all(READY_QUERIES.map((q) => seriesValues(q))),
    (answers) => answers.every((values) => values.length === 1),
  );
}, 120_000);

afterAll(async () => {
  // Every server stops, whatever failed: the processes first (they hold the data folders), then PostgreSQL.
  for (const p of processes.reverse()) await p.stop().catch(() => undefined);
  for (const server of [standby, primary]) {
    try {
      server?.stop();
    } catch {
      // already gone
    }
  }
  if (redisDir) fs.chmodSync(redisDir, 0o755);
  if (dir) removeScratch(dir);
  console.log(`health monitor end to end: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 60_000);

it("reports every target met while replication flows and Redis saves", async () => {
  // Steady state: right after start the slot still holds the setup's WAL, and an alert may fire (AtRisk)
  // until the standby confirms it.
  const orders = await until(
    "orders met",
    30,
    () => status("orders"),
    (s) => s.code === 0 && s.json.rows.every((r) => r.status === "Met"),
  );
  expect(orders.json.rows.map((r) => [r.service, r.disruption, r.status])).toEqual([
    ["orders", "region", "Met"],
  ]);
  expect(orders.json.rows[0]!.currentRpoSeconds).toBeLessThanOrEqual(10);
  const sessions = await until(
    "sessions healthy",
    30,
    () => status("sessions"),
    (s) => s.code === 0,
  );
  expect(sessions.json.healthChecks.map((h) => [h.service, h.status])).toEqual([["sessions", "Healthy"]]);
  expect(await firing("orders")).toEqual([]);
}, 70_000);

it("runs every query of the DR dashboard on the real Prometheus, the per-service ones returning the monitor's series", async () => {
  const panels = drDashboard({ uid: "drkit-dr", title: "DR posture" }).panels as {
    title: string;
    targets?: { expr: string }[];
  }[];
  const results: [string, string, number][] = [];
  for (const panel of panels)
    for (const t of panel.targets ?? []) {
      const response = await fetch(
        `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(t.expr.replace(/\$service/g, "orders"))}`,
      );
      const body = (await response.json()) as { status: string; data?: { result: unknown[] } };
      results.push([panel.title, body.status, body.data?.result.length ?? -1]);
    }
  expect(results.every(([, status]) => status === "success")).toBe(true);
  // Orders has one control (its standby), so each per-control query returns one series; no exercise recorded.
  expect(results.filter(([title]) => title !== "DR alerts firing")).toEqual([
    ["Recovery point age against the RPO target", "success", 1],
    ["Recovery point age against the RPO target", "success", 1],
    ["Recovery point age against the RPO target", "success", 1],
    ["Now: recovery points, thresholds, targets", "success", 1],
    ["Now: recovery points, thresholds, targets", "success", 1],
    ["Now: recovery points, thresholds, targets", "success", 1],
    ["Now: recovery points, thresholds, targets", "success", 1],
    ["Standby replication lag", "success", 1],
    ["RTO budget", "success", 1],
    ["Last DR exercise", "success", 0],
  ]);
});

it("fires when the subscription stops, and drkit status reports the breach with the lag it measured; both clear once it resumes", async () => {
  query(standby.uri, `ALTER SUBSCRIPTION ${SUBSCRIPTION} DISABLE`);
  const stoppedAt = Date.now();
  query(
    primary.uri,
    "INSERT INTO orders (note) SELECT 'during the outage ' || g FROM generate_series(1, 1000) g",
  );
  // Fired by a lag of 13 s (R − L); the deadline leaves room for process start-up on a busy machine.
  await until(
    "the lag alerts fire",
    13 + 20,
    () => firing("orders"),
    (alerts) =>
      ["DrkitPostgresReplicationLagging", "DrkitPostgresSubscriptionStopped"].every((a) =>
        alerts.includes(a),
      ),
  );
  console.log(
    `lag alert firing ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after the subscription stopped`,
  );
  const breached = await until(
    "status breached",
    30,
    () => status("orders"),
    (s) => s.code === 1,
  );
  const [row] = breached.json.rows;
  expect(row).toMatchObject({ service: "orders", disruption: "region", status: "Breached" });
  // The measured lag: past the 15 s target, and no more than the time since the subscription stopped.
  expect(row!.currentRpoSeconds).toBeGreaterThan(15);
  expect(row!.currentRpoSeconds).toBeLessThanOrEqual((Date.now() - stoppedAt) / 1000 + 3);
  expect(row!.controls[0]!.lagBytes).toBeGreaterThan(0);
  const text = await drkit("status", "--prometheus", prometheusUrl, "--service", "orders");
  expect(text.code).toBe(1);
  expect(text.out).toMatch(/NOT MET now: orders region RPO \d+s > target 15s\./);
  expect(text.out).toContain("firing DrkitPostgresSubscriptionStopped (critical)");
  console.log(`drkit status during the outage:\n${text.out}`);

  query(standby.uri, `ALTER SUBSCRIPTION ${SUBSCRIPTION} ENABLE`);
  await until(
    "the lag alerts clear",
    30,
    () => firing("orders"),
    (alerts) => alerts.length === 0,
  );
  const met = await until(
    "status met",
    30,
    () => status("orders"),
    (s) => s.code === 0,
  );
  expect(met.json.rows[0]).toMatchObject({ status: "Met" });
  expect(query(standby.uri, "SELECT count(*) FROM orders")).toBe("1001");
}, 120_000);

it("fires when Redis cannot save its snapshot, and drkit status reports how old the last good one is; both clear once it saves", async () => {
  fs.chmodSync(redisDir, 0o555); // Redis (as nobody) can no longer write its temporary RDB file
  redisCli("BGSAVE");
  await until(
    "the save fails",
    10,
    async () => redisCli("INFO", "persistence"),
    (info) => info.includes("rdb_last_bgsave_status:err"),
  );
  await until(
    "the RDB alert fires",
    20,
    () => firing("sessions"),
    (alerts) => alerts.includes("DrkitRedisRdbSaveFailing"),
  );
  const failing = await until(
    "status failing",
    20,
    () => status("sessions"),
    (s) => s.code === 1,
  );
  const [check] = failing.json.healthChecks;
  expect(check).toMatchObject({ service: "sessions", status: "Failing" });
  // The alert's value: seconds since the last successful save (the one at start-up).
  const [alert] = check!.firing;
  expect(alert!.alert).toBe("DrkitRedisRdbSaveFailing");
  expect(alert!.value).toBeGreaterThan(0);
  expect(alert!.value).toBeLessThanOrEqual((Date.now() - started) / 1000);

  fs.chmodSync(redisDir, 0o755);
  redisCli("BGSAVE");
  await until(
    "the RDB alert clears",
    20,
    () => firing("sessions"),
    (alerts) => alerts.length === 0,
  );
  expect((await status("sessions")).code).toBe(0);
}, 90_000);

/**
 * Pushes a drill's result the way the drill scripts do: the text exposition format, with curl, to the
 * drill job's group for the service and kind (each push replaces the group's series).
 */
function pushDrill(drill: { ok: boolean; restoreSeconds: number; lastSuccess: number; runAt: number }) {
  const lines = [
    `# TYPE ${DRILL_LAST_RUN_METRIC} gauge`,
    `${DRILL_LAST_RUN_METRIC} ${drill.runAt}`,
    `# TYPE ${DRILL_SUCCESS_METRIC} gauge`,
    `${DRILL_SUCCESS_METRIC} ${drill.ok ? 1 : 0}`,
    `# TYPE ${DRILL_RESTORE_SECONDS_METRIC} gauge`,
    `${DRILL_RESTORE_SECONDS_METRIC} ${drill.restoreSeconds}`,
    `# TYPE ${DRILL_LAST_SUCCESS_METRIC} gauge`,
    `${DRILL_LAST_SUCCESS_METRIC} ${drill.lastSuccess}`,
    `# TYPE ${EXERCISE_LAST_SUCCESS_METRIC} gauge`,
    `${EXERCISE_LAST_SUCCESS_METRIC} ${drill.lastSuccess}`,
  ];
  execFileSync(
    "curl",
    [
      "--fail",
      "--silent",
      "--show-error",
      "--data-binary",
      "@-",
      `${pushgatewayUrl}/metrics/job/${DRILL_PUSH_JOB}/${PROMETHEUS_SERVICE_LABEL}/ledger/${DRILL_KIND_LABEL}/postgres`,
    ],
    { input: `${lines.join("\n")}\n` },
  );
}

it("fires when a restore drill pushed to the Pushgateway failed, was slow or is overdue, and clears once one passes", async () => {
  const now = () => Math.floor(Date.now() / 1000);
  pushDrill({ ok: true, restoreSeconds: 30, lastSuccess: now(), runAt: now() });
  await until(
    "the drill's last success is recorded",
    30,
    () => seriesValues('drkit:restore_drill_last_success_age_seconds{drkit_service="ledger"}'),
    (values) => values.length === 1,
  );
  // Quiet (on a slow suite, the drill's absence alert may have fired before this first push: it clears).
  await until(
    "no drill alert",
    20,
    () => firing("ledger"),
    (alerts) => alerts.length === 0,
  );
  // The dashboard's last-exercise panel reads what the drill pushed.
  expect(
    await seriesValues(`time() - max(${EXERCISE_LAST_SUCCESS_METRIC}{drkit_service="ledger"})`),
  ).toHaveLength(1);

  // The next drill fails, after a restore longer than the 600 s RTO target; its last success is 1000 s old.
  pushDrill({ ok: false, restoreSeconds: 900, lastSuccess: now() - 1_000, runAt: now() });
  await until(
    "the drill alerts fire",
    20,
    () => firing("ledger"),
    (alerts) =>
      ["DrkitRestoreDrillFailed", "DrkitRestoreDrillOverdue", "DrkitRestoreDrillTooSlow"].every((a) =>
        alerts.includes(a),
      ),
  );

  // drkit status shows the drill as a health check of the service, failing with what fired.
  const failing = await until(
    "status failing",
    20,
    () => status("ledger"),
    (s) => s.code === 1,
  );
  expect(
    failing.json.healthChecks.map((h) => [h.service, h.status, h.firing.map((f) => f.alert).sort()]),
  ).toEqual([
    [
      "ledger",
      "Failing",
      ["DrkitRestoreDrillFailed", "DrkitRestoreDrillOverdue", "DrkitRestoreDrillTooSlow"],
    ],
  ]);

  pushDrill({ ok: true, restoreSeconds: 30, lastSuccess: now(), runAt: now() });
  await until(
    "the drill alerts clear",
    20,
    () => firing("ledger"),
    (alerts) => alerts.length === 0,
  );
  expect((await status("ledger")).code).toBe(0);
}, 70_000);
