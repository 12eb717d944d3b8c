// `drkit status`: the judgement of the live posture from the monitor's series and alerts (pure), and the
// command's own checks. The whole path against a real Prometheus is test/healthMonitor.e2e.test.ts.
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { livePosture, LiveInputs } from "../src/status/livePosture";
import { renderLivePosture } from "../src/status/render";
import type { Sample } from "../src/status/prometheus";
import { drkit } from "../../../test/support/drkit";

const labels = (service: string, control: string, extra: Record<string, string> = {}) => ({
  drkit_service: service,
  drkit_tier: service === "orders" ? "critical" : "important",
  drkit_control: control,
  ...extra,
});
const sample = (l: Record<string, string>, value: number): Sample => ({ labels: l, value });
const SUB = "postgres-subscription/orders_drkit_sub";
const VELERO = "velero-schedule/cluster-velero-fast";
const REDIS = "redis-persistence/redis/sessions-redis";

/** Orders' standby (region) and a Velero schedule of orders (software, region), and sessions' Redis check. */
function inputs(changes: Partial<LiveInputs> = {}): LiveInputs {
  return {
    controls: [
      sample(labels("orders", SUB, { drkit_kind: "postgres-subscription" }), 1),
      sample(labels("orders", VELERO, { drkit_kind: "velero-schedule" }), 1),
      sample(labels("sessions", REDIS, { drkit_kind: "redis-persistence" }), 1),
    ],
    targets: [
      sample(labels("orders", SUB, { drkit_disruption: "region" }), 300),
      sample(labels("orders", VELERO, { drkit_disruption: "region" }), 300),
      sample(labels("orders", VELERO, { drkit_disruption: "software" }), 300),
    ],
    ages: [sample(labels("orders", SUB), 12), sample(labels("orders", VELERO), 100)],
    thresholds: [sample(labels("orders", SUB), 120), sample(labels("orders", VELERO), 120)],
    lagBytes: [sample(labels("orders", SUB), 2048)],
    alerts: [],
    ...changes,
  };
}
const statuses = (input: LiveInputs) => {
  const posture = livePosture(input);
  return {
    rows: posture.rows.map((r) => [r.service, r.disruption, r.currentRpoSeconds, r.status]),
    checks: posture.healthChecks.map((h) => [h.service, h.control, h.status]),
    failed: posture.failed,
  };
};
const firing = (service: string, control: string, alert: string, value: string) => ({
  labels: { ...labels(service, control), alertname: alert, severity: "critical" },
  annotations: { summary: `${service}: ${alert}` },
  state: "firing",
  value,
});

describe("the live posture", () => {
  it("is met when every control's recovery point is younger than the target; the worst control is the row's", () => {
    expect(statuses(inputs())).toEqual({
      rows: [
        ["orders", "region", 100, "Met"],
        ["orders", "software", 100, "Met"],
      ],
      checks: [["sessions", REDIS, "Healthy"]],
      failed: false,
    });
  });

  it("fails when a recovery point is older than the target, with the age measured", () => {
    const result = statuses(
      inputs({ ages: [sample(labels("orders", SUB), 412), sample(labels("orders", VELERO), 100)] }),
    );
    expect(result.rows).toEqual([
      ["orders", "region", 412, "Breached"],
      ["orders", "software", 100, "Met"],
    ]);
    expect(result.failed).toBe(true);
  });

  it("fails when an age cannot be read: unknown is never met (no series, or NaN once the lookback is empty)", () => {
    for (const ages of [
      [sample(labels("orders", VELERO), 100)],
      [sample(labels("orders", SUB), NaN), sample(labels("orders", VELERO), 100)],
    ]) {
      const result = statuses(inputs({ ages }));
      expect(result.rows[0]).toEqual(["orders", "region", null, "Unknown"]);
      expect(result.failed).toBe(true);
    }
  });

  it("is breached, not unknown, when one control is past the target while another cannot be read", () => {
    const result = statuses(inputs({ ages: [sample(labels("orders", VELERO), 900)] }));
    expect(result.rows[0]).toEqual(["orders", "region", 900, "Breached"]);
  });

  it("is at risk, not failed, when an early alert fires before the target is reached", () => {
    const result = statuses(
      inputs({ alerts: [firing("orders", SUB, "DrkitPostgresReplicationLagging", "2.5e+02")] }),
    );
    expect(result.rows[0]).toEqual(["orders", "region", 100, "AtRisk"]);
    expect(result.failed).toBe(false);
    expect(
      livePosture(inputs({ alerts: [firing("orders", SUB, "DrkitPostgresReplicationLagging", "2.5e+02")] }))
        .rows[0]!.controls[0]!.firing,
    ).toEqual([
      {
        alert: "DrkitPostgresReplicationLagging",
        severity: "critical",
        summary: "orders: DrkitPostgresReplicationLagging",
        value: 250,
      },
    ]);
  });

  it("fails a health check whose alert fires, ignoring pending alerts and alerts of no drkit service", () => {
    const alerts = [
      firing("sessions", REDIS, "DrkitRedisRdbSaveFailing", "42"),
      { ...firing("sessions", REDIS, "DrkitRedisAofWriteFailing", "0"), state: "pending" },
      { labels: { alertname: "Watchdog" }, annotations: {}, state: "firing" },
    ];
    const posture = livePosture(inputs({ alerts }));
    expect(posture.healthChecks).toEqual([
      {
        service: "sessions",
        tier: "important",
        control: REDIS,
        kind: "redis-persistence",
        status: "Failing",
        firing: [
          {
            alert: "DrkitRedisRdbSaveFailing",
            severity: "critical",
            summary: "sessions: DrkitRedisRdbSaveFailing",
            value: 42,
          },
        ],
      },
    ]);
    expect(posture.failed).toBe(true);
  });

  it("adds the modelled value from drkit check's posture, and keeps to one service when asked", () => {
    const posture = livePosture(
      inputs({
        service: "orders",
        modelled: {
          assessments: [
            { service: "orders", disruption: "region", achievableRpoSeconds: 240 },
            { service: "orders", disruption: "software", achievableRpoSeconds: null },
          ],
        },
      }),
    );
    expect(posture.rows.map((r) => [r.disruption, r.modelledRpoSeconds])).toEqual([
      ["region", 240],
      ["software", null],
    ]);
    expect(posture.healthChecks).toEqual([]);
  });
});

it("prints the table, what each control measures, the alerts that fire, and the verdict", () => {
  const posture = livePosture(
    inputs({
      ages: [sample(labels("orders", SUB), 412.4), sample(labels("orders", VELERO), 100)],
      alerts: [
        firing("orders", SUB, "DrkitPostgresReplicationLagging", "412.41"),
        firing("sessions", REDIS, "DrkitRedisRdbSaveFailing", "42.27"),
      ],
      modelled: { assessments: [{ service: "orders", disruption: "region", achievableRpoSeconds: 240 }] },
    }),
  );
  expect(renderLivePosture(posture, "http://prometheus:9090").split("\n")).toEqual([
    "Live posture (from http://prometheus:9090):",
    "    SERVICE  TIER      DISRUPTION  RPO NOW  TARGET  MODELLED  STATUS",
    "    orders   critical  region      6m 52s   5m      4m        Breached",
    "    orders   critical  software    1m 40s   5m      -         Met",
    "Health checks:",
    "    SERVICE   TIER       CONTROL                                 STATUS",
    "    sessions  important  redis-persistence/redis/sessions-redis  Failing",
    "",
    "orders postgres-subscription/orders_drkit_sub: newest recovery point 6m 52s old; alerts above 2m; 2.0 KiB of WAL not confirmed by the standby",
    "    firing DrkitPostgresReplicationLagging (critical) value 412: orders: DrkitPostgresReplicationLagging",
    "orders velero-schedule/cluster-velero-fast: newest recovery point 1m 40s old; alerts above 2m",
    "sessions redis-persistence/redis/sessions-redis: firing DrkitRedisRdbSaveFailing (critical) value 42.3: sessions: DrkitRedisRdbSaveFailing",
    "",
    "NOT MET now: orders region RPO 6m 52s > target 5m; sessions redis-persistence/redis/sessions-redis failing.",
  ]);
});

describe("drkit status", () => {
  it("fails with the usage when --prometheus is missing or not a URL", async () => {
    const missing = await drkit("status");
    expect([missing.code, missing.err.split("\n")[0]]).toEqual([
      2,
      "drkit status: --prometheus URL is required",
    ]);
    const bad = await drkit("status", "--prometheus", "prometheus:9090");
    expect([bad.code, bad.err]).toEqual([
      2,
      'drkit status: --prometheus must be an http:// or https:// URL such as http://localhost:9090 (got "prometheus:9090")',
    ]);
    const twice = await drkit("status", "--prometheus", "http://a:9090", "--prometheus", "http://b:9090");
    expect(twice.err.split("\n")[0]).toBe(
      'drkit status: --prometheus is given twice ("http://a:9090", then "http://b:9090"): give it once',
    );
  });

  it("fails with exit 2 when Prometheus cannot be reached: a probe must not pass blind", async () => {
    const port = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = server.address() as net.AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const result = await drkit("status", "--prometheus", `http://127.0.0.1:${port}`, "--timeout", "2");
    expect(result.code).toBe(2);
    expect(result.err).toMatch(
      new RegExp(
        `^drkit status: cannot reach Prometheus at http://127.0.0.1:${port}/api/v1/query\\?query=drkit%3Acontrol_info: .*ECONNREFUSED`,
      ),
    );
  });

  it("fails with exit 2 when --posture is not drkit check's posture.json", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-status-"));
    try {
      const file = path.join(dir, "posture.json");
      fs.writeFileSync(file, JSON.stringify({ services: [] }));
      const result = await drkit("status", "--prometheus", "http://127.0.0.1:1", "--posture", file);
      expect([result.code, result.err]).toEqual([
        2,
        `drkit status: --posture ${file} is not a posture.json written by \`drkit check --report\` (it needs "assessments", each with service, disruption and achievableRpoSeconds)`,
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
