// Every rule the health monitor generates, run by Prometheus's own promtool (Debian's `prometheus` package):
// `promtool check rules` parses each group's PromQL, and `promtool test rules` feeds series that cross each
// threshold, asserting each alert stays quiet before and fires after, with its exact labels and annotations.
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import {
  ControlRules,
  MonitorContext,
  PrometheusRuleGroup,
  postgresSubscriptionRules,
  redisBackupRules,
  redisPersistenceRules,
  restoreDrillRules,
  veleroScheduleRules,
} from "../../src/monitoring/rules";
import { promtool, removeScratch, scratchDir } from "../../../../test/support/monitoring";

// R 600, lead 60, for 60, scrape 30, evaluation 30: every threshold is 600 − 60 − 60 − 30 − 30 = 420 s.
const ctx: MonitorContext = {
  service: "orders",
  tier: "critical",
  rpoTargetSeconds: 600,
  rtoTargetSeconds: 3_600,
  leadTimeSeconds: 60,
  forSeconds: 60,
  scrapeIntervalSeconds: 30,
  evaluationIntervalSeconds: 30,
};

function built(rules: ControlRules | { problem: string }): ControlRules {
  if ("problem" in rules) throw new Error(rules.problem);
  return rules;
}

const velero = built(veleroScheduleRules(ctx, { schedule: "cluster-velero-fast", cron: "*/5 * * * *" }));
const redisBackup = built(
  redisBackupRules(ctx, { namespace: "redis", cronJob: "sessions-redis-backup", cron: "*/5 * * * *" }),
);
const redisPersistence = redisPersistenceRules(ctx, { namespace: "redis", redisName: "sessions-redis" });
const postgres = built(
  postgresSubscriptionRules(ctx, {
    subscription: "orders_drkit_sub",
    slot: "orders_drkit_sub",
    walReceiverTimeoutSeconds: 60,
    slotLossSeconds: 1_200, // the slot alert then waits 1200 − 60 − 30 − 30 = 1080 s
  }),
);
// A drill every 5 minutes that may run 60 s: overdue once its last success is 360 s old.
const drill = restoreDrillRules(ctx, { kind: "postgres", cron: "*/5 * * * *", runSeconds: 60 });
const controls = [velero, redisBackup, redisPersistence, postgres, drill];

interface Series {
  readonly series: string;
  readonly values: string;
}
interface AlertCheck {
  readonly alert: string;
  readonly at: string;
  readonly fires: boolean;
  /** labels the expression's result carries (beyond the rule's own) */
  readonly labels?: Record<string, string>;
  /** what the description's one template expression renders to */
  readonly rendered?: string;
}
interface Scenario {
  readonly name: string;
  readonly series: readonly Series[];
  readonly alerts: readonly AlertCheck[];
  readonly samples?: readonly { expr: string; at: string; samples: { labels: string; value: number }[] }[];
}

const VELERO = 'schedule="cluster-velero-fast"';
const CRONJOB = 'namespace="redis", cronjob="sessions-redis-backup"';
const POD = 'namespace="redis", pod="sessions-redis-0"';
const SUB = 'subscription="orders_drkit_sub"';
const SLOT = 'slot_name="orders_drkit_sub"';
// Backups every 5 minutes: the timestamp of the newest, sampled every 30 s for 25 minutes.
const EVERY_FIVE_MINUTES = "0x9 300x9 600x9 900x9 1200x9";
const unrelated: Series = { series: 'up{job="unrelated"}', values: "1x60" };
// A drill's series as Prometheus scrapes them from the Pushgateway (honor_labels: the pushed labels stay).
const DRILL = 'drkit_service="orders", drkit_drill_kind="postgres", job="drkit-drill", instance=""';
const labelsOf = (control: ControlRules) =>
  `drkit_control="${control.control}", drkit_service="orders", drkit_tier="critical"`;

const scenarios: Scenario[] = [
  {
    name: "restore drill: the last success at t=0, none since",
    series: [
      { series: `drkit_restore_drill_last_success_timestamp_seconds{${DRILL}}`, values: "0x40" },
      { series: `drkit_restore_drill_last_run_timestamp_seconds{${DRILL}}`, values: "0x40" },
      { series: `drkit_restore_drill_success{${DRILL}}`, values: "1x40" },
      { series: `drkit_restore_drill_restore_seconds{${DRILL}}`, values: "120x40" },
    ],
    alerts: [
      // Age 360 is passed from the 6m30s evaluation, held 60 s: firing from 7m30s.
      { alert: "DrkitRestoreDrillOverdue", at: "7m", fires: false },
      { alert: "DrkitRestoreDrillOverdue", at: "8m", fires: true, rendered: "8m 0s" },
      { alert: "DrkitRestoreDrillFailed", at: "8m", fires: false },
      { alert: "DrkitRestoreDrillTooSlow", at: "8m", fires: false },
      { alert: "DrkitRestoreDrillMetricsAbsent", at: "8m", fires: false },
    ],
    samples: [
      {
        expr: `drkit:restore_drill_last_success_age_seconds{drkit_control="${drill.control}"}`,
        at: "5m",
        samples: [{ labels: `drkit:restore_drill_last_success_age_seconds{${labelsOf(drill)}}`, value: 300 }],
      },
      {
        expr: `drkit:control_info{drkit_control="${drill.control}"}`,
        at: "1m",
        samples: [{ labels: `drkit:control_info{${labelsOf(drill)}, drkit_kind="restore-drill"}`, value: 1 }],
      },
    ],
  },
  {
    name: "restore drill: the drill at 1m30s fails, and its restore took longer than the RTO target",
    series: [
      { series: `drkit_restore_drill_last_success_timestamp_seconds{${DRILL}}`, values: "0x40" },
      { series: `drkit_restore_drill_last_run_timestamp_seconds{${DRILL}}`, values: "0x2 90x40" },
      { series: `drkit_restore_drill_success{${DRILL}}`, values: "1x2 0x40" },
      { series: `drkit_restore_drill_restore_seconds{${DRILL}}`, values: "120x2 4000x40" },
    ],
    alerts: [
      { alert: "DrkitRestoreDrillFailed", at: "1m", fires: false },
      { alert: "DrkitRestoreDrillFailed", at: "2m", fires: true },
      { alert: "DrkitRestoreDrillTooSlow", at: "1m", fires: false },
      { alert: "DrkitRestoreDrillTooSlow", at: "2m", fires: true, rendered: "4000" },
    ],
  },
  {
    name: "restore drill: no drill ever reported",
    series: [unrelated],
    alerts: [
      // Absent from the start, held for the overdue time (360 s): firing from 6m.
      { alert: "DrkitRestoreDrillMetricsAbsent", at: "5m", fires: false },
      {
        alert: "DrkitRestoreDrillMetricsAbsent",
        at: "7m",
        fires: true,
        labels: { drkit_drill_kind: "postgres" },
      },
    ],
  },
  {
    name: "velero: no backup since t=0",
    series: [
      { series: `velero_backup_last_successful_timestamp{${VELERO}}`, values: "0x40" },
      { series: `velero_backup_failure_total{${VELERO}}`, values: "0x40" },
      { series: `velero_backup_partial_failure_total{${VELERO}}`, values: "0x40" },
    ],
    alerts: [
      // Age 420 is reached at 7m; above it from the 7m30s evaluation, held 60 s: firing from 8m30s.
      { alert: "DrkitVeleroBackupTooOld", at: "8m", fires: false },
      { alert: "DrkitVeleroBackupTooOld", at: "9m", fires: true, rendered: "9m 0s" },
      { alert: "DrkitVeleroBackupFailed", at: "9m", fires: false },
      { alert: "DrkitVeleroBackupPartiallyFailed", at: "9m", fires: false },
      { alert: "DrkitVeleroScheduleMetricsAbsent", at: "9m", fires: false },
    ],
    samples: [
      {
        expr: `drkit:recovery_point_age_seconds{drkit_control="${velero.control}"}`,
        at: "5m",
        samples: [{ labels: `drkit:recovery_point_age_seconds{${labelsOf(velero)}}`, value: 300 }],
      },
      {
        expr: `drkit:rpo_alert_threshold_seconds{drkit_control="${velero.control}"}`,
        at: "1m",
        samples: [{ labels: `drkit:rpo_alert_threshold_seconds{${labelsOf(velero)}}`, value: 420 }],
      },
      {
        expr: `drkit:rpo_target_seconds{drkit_control="${velero.control}"}`,
        at: "1m",
        samples: ["region", "software", "zone"].map((d) => ({
          labels: `drkit:rpo_target_seconds{${labelsOf(velero)}, drkit_disruption="${d}"}`,
          value: 600,
        })),
      },
      {
        expr: `drkit:rto_target_seconds{drkit_control="${velero.control}"}`,
        at: "1m",
        samples: ["region", "software", "zone"].map((d) => ({
          labels: `drkit:rto_target_seconds{${labelsOf(velero)}, drkit_disruption="${d}"}`,
          value: 3600,
        })),
      },
      {
        expr: `drkit:control_info{drkit_control="${velero.control}"}`,
        at: "1m",
        samples: [
          { labels: `drkit:control_info{${labelsOf(velero)}, drkit_kind="velero-schedule"}`, value: 1 },
        ],
      },
    ],
  },
  {
    name: "velero: a backup every 5 minutes",
    series: [{ series: `velero_backup_last_successful_timestamp{${VELERO}}`, values: EVERY_FIVE_MINUTES }],
    alerts: [{ alert: "DrkitVeleroBackupTooOld", at: "24m", fires: false }],
  },
  {
    name: "velero: a failed and a partially failed backup at 2m",
    series: [
      { series: `velero_backup_last_successful_timestamp{${VELERO}}`, values: EVERY_FIVE_MINUTES },
      { series: `velero_backup_failure_total{${VELERO}}`, values: "0x3 1x40" },
      { series: `velero_backup_partial_failure_total{${VELERO}}`, values: "0x3 1x40" },
    ],
    alerts: [
      { alert: "DrkitVeleroBackupFailed", at: "1m", fires: false },
      { alert: "DrkitVeleroBackupFailed", at: "3m", fires: true },
      { alert: "DrkitVeleroBackupPartiallyFailed", at: "3m", fires: true },
      // One schedule interval (300 s) after the failure, the window no longer holds it.
      { alert: "DrkitVeleroBackupFailed", at: "8m", fires: false },
      { alert: "DrkitVeleroBackupPartiallyFailed", at: "8m", fires: false },
    ],
  },
  {
    name: "velero: the schedule reports nothing",
    series: [unrelated],
    alerts: [
      { alert: "DrkitVeleroScheduleMetricsAbsent", at: "30s", fires: false },
      {
        alert: "DrkitVeleroScheduleMetricsAbsent",
        at: "2m",
        fires: true,
        labels: { schedule: "cluster-velero-fast" },
      },
    ],
  },
  {
    name: "redis backup: no success since t=0",
    series: [{ series: `kube_cronjob_status_last_successful_time{${CRONJOB}}`, values: "0x40" }],
    alerts: [
      { alert: "DrkitRedisBackupTooOld", at: "8m", fires: false },
      { alert: "DrkitRedisBackupTooOld", at: "9m", fires: true, rendered: "9m 0s" },
      { alert: "DrkitRedisBackupJobFailed", at: "9m", fires: false },
      { alert: "DrkitRedisBackupMetricsAbsent", at: "9m", fires: false },
    ],
  },
  {
    name: "redis backup: a success every 5 minutes",
    series: [{ series: `kube_cronjob_status_last_successful_time{${CRONJOB}}`, values: EVERY_FIVE_MINUTES }],
    alerts: [{ alert: "DrkitRedisBackupTooOld", at: "24m", fires: false }],
  },
  {
    name: "redis backup: a Job failed after the last success (and another CronJob's Job, which does not count)",
    series: [
      { series: `kube_cronjob_status_last_successful_time{${CRONJOB}}`, values: "50x40" },
      {
        series: 'kube_job_status_failed{namespace="redis", job_name="sessions-redis-backup-29000001"}',
        values: "1x40",
      },
      {
        series: 'kube_job_created{namespace="redis", job_name="sessions-redis-backup-29000001"}',
        values: "100x40",
      },
      {
        series: 'kube_job_status_failed{namespace="redis", job_name="sessions-redis-backup-extra-1"}',
        values: "1x40",
      },
      {
        series: 'kube_job_created{namespace="redis", job_name="sessions-redis-backup-extra-1"}',
        values: "900x40",
      },
    ],
    alerts: [{ alert: "DrkitRedisBackupJobFailed", at: "1m", fires: true }],
  },
  {
    name: "redis backup: the failed Job is older than the last success",
    series: [
      { series: `kube_cronjob_status_last_successful_time{${CRONJOB}}`, values: "50x40" },
      {
        series: 'kube_job_status_failed{namespace="redis", job_name="sessions-redis-backup-29000000"}',
        values: "1x40",
      },
      {
        series: 'kube_job_created{namespace="redis", job_name="sessions-redis-backup-29000000"}',
        values: "40x40",
      },
    ],
    alerts: [{ alert: "DrkitRedisBackupJobFailed", at: "1m", fires: false }],
  },
  {
    name: "redis backup: kube-state-metrics reports no success",
    series: [unrelated],
    alerts: [
      { alert: "DrkitRedisBackupMetricsAbsent", at: "30s", fires: false },
      {
        alert: "DrkitRedisBackupMetricsAbsent",
        at: "2m",
        fires: true,
        labels: { namespace: "redis", cronjob: "sessions-redis-backup" },
      },
    ],
  },
  {
    name: "redis persistence: BGSAVE fails from 2m (another Redis failing does not count)",
    series: [
      { series: `redis_up{${POD}}`, values: "1x40" },
      { series: `redis_rdb_last_bgsave_status{${POD}}`, values: "1x3 0x40" },
      { series: `redis_rdb_last_save_timestamp_seconds{${POD}}`, values: "0x40" },
      { series: `redis_aof_last_write_status{${POD}}`, values: "1x40" },
      { series: `redis_aof_last_bgrewrite_status{${POD}}`, values: "1x40" },
      { series: 'redis_aof_last_write_status{namespace="redis", pod="other-redis-0"}', values: "0x40" },
    ],
    alerts: [
      { alert: "DrkitRedisRdbSaveFailing", at: "1m", fires: false },
      { alert: "DrkitRedisRdbSaveFailing", at: "4m", fires: true, rendered: "4m 0s" },
      { alert: "DrkitRedisAofWriteFailing", at: "4m", fires: false },
      { alert: "DrkitRedisExporterDown", at: "4m", fires: false },
    ],
  },
  {
    name: "redis persistence: an AOF write fails",
    series: [
      { series: `redis_up{${POD}}`, values: "1x40" },
      { series: `redis_aof_last_write_status{${POD}}`, values: "0x40" },
      { series: `redis_aof_last_bgrewrite_status{${POD}}`, values: "1x40" },
    ],
    alerts: [
      { alert: "DrkitRedisAofWriteFailing", at: "30s", fires: false },
      { alert: "DrkitRedisAofWriteFailing", at: "2m", fires: true },
    ],
  },
  {
    name: "redis persistence: the exporter cannot reach Redis",
    series: [{ series: `redis_up{${POD}}`, values: "0x40" }],
    alerts: [{ alert: "DrkitRedisExporterDown", at: "2m", fires: true }],
  },
  {
    name: "redis persistence: no exporter at all",
    series: [unrelated],
    alerts: [{ alert: "DrkitRedisExporterDown", at: "2m", fires: true, labels: { namespace: "redis" } }],
  },
  {
    name: "postgres: the standby has heard nothing since t=0",
    series: [
      { series: `drkit_pg_subscription_last_msg_receipt_timestamp_seconds{${SUB}}`, values: "0x40" },
      { series: `drkit_pg_subscription_worker_running{${SUB}}`, values: "1x40" },
      { series: `drkit_pg_replication_slot_active{${SLOT}}`, values: "1x40" },
      { series: `drkit_pg_replication_slot_confirmed_flush_lag_bytes{${SLOT}}`, values: "0x40" },
      { series: `drkit_pg_replication_slot_confirmed_flush_lsn_bytes{${SLOT}}`, values: "0x40" },
      { series: `drkit_pg_replication_slot_lost{${SLOT}}`, values: "0x40" },
    ],
    alerts: [
      { alert: "DrkitPostgresReplicationLagging", at: "8m", fires: false },
      { alert: "DrkitPostgresReplicationLagging", at: "9m", fires: true, rendered: "9m 0s" },
      { alert: "DrkitPostgresSubscriptionStopped", at: "9m", fires: false },
      { alert: "DrkitPostgresReplicationNotAdvancing", at: "9m", fires: false },
      { alert: "DrkitPostgresSlotMissing", at: "9m", fires: false },
      { alert: "DrkitPostgresSlotAboutToBeLost", at: "9m", fires: false },
      { alert: "DrkitPostgresSlotLost", at: "9m", fires: false },
      { alert: "DrkitPostgresSubscriberMetricsAbsent", at: "9m", fires: false },
    ],
  },
  {
    name: "postgres: keepalives every 30 s",
    series: [
      { series: `drkit_pg_subscription_last_msg_receipt_timestamp_seconds{${SUB}}`, values: "0+30x40" },
    ],
    alerts: [{ alert: "DrkitPostgresReplicationLagging", at: "19m", fires: false }],
  },
  {
    name: "postgres: the apply worker stops at 2m",
    series: [
      { series: `drkit_pg_subscription_last_msg_receipt_timestamp_seconds{${SUB}}`, values: "0+30x3 _x40" },
      { series: `drkit_pg_subscription_worker_running{${SUB}}`, values: "1x3 0x40" },
    ],
    alerts: [
      { alert: "DrkitPostgresSubscriptionStopped", at: "2m", fires: false },
      { alert: "DrkitPostgresSubscriptionStopped", at: "4m", fires: true },
      // The last receipt (90 s) is remembered: age 450 from 9m, held 60 s.
      { alert: "DrkitPostgresReplicationLagging", at: "9m", fires: false },
      { alert: "DrkitPostgresReplicationLagging", at: "11m", fires: true, rendered: "9m 30s" },
    ],
  },
  {
    name: "postgres: WAL waits and the slot's confirmed position does not move",
    series: [
      { series: `drkit_pg_replication_slot_confirmed_flush_lag_bytes{${SLOT}}`, values: "100x40" },
      { series: `drkit_pg_replication_slot_confirmed_flush_lsn_bytes{${SLOT}}`, values: "5000x40" },
    ],
    alerts: [
      { alert: "DrkitPostgresReplicationNotAdvancing", at: "5m", fires: false },
      { alert: "DrkitPostgresReplicationNotAdvancing", at: "7m", fires: true, rendered: "100" },
    ],
    samples: [
      {
        expr: `drkit:replication_lag_bytes{drkit_control="${postgres.control}"}`,
        at: "1m",
        samples: [{ labels: `drkit:replication_lag_bytes{${labelsOf(postgres)}}`, value: 100 }],
      },
    ],
  },
  {
    name: "postgres: WAL waits but the confirmed position keeps moving",
    series: [
      { series: `drkit_pg_replication_slot_confirmed_flush_lag_bytes{${SLOT}}`, values: "100x40" },
      { series: `drkit_pg_replication_slot_confirmed_flush_lsn_bytes{${SLOT}}`, values: "0+100x40" },
    ],
    alerts: [{ alert: "DrkitPostgresReplicationNotAdvancing", at: "10m", fires: false }],
  },
  {
    name: "postgres: the primary reports no slot",
    series: [{ series: `drkit_pg_subscription_worker_running{${SUB}}`, values: "1x40" }],
    alerts: [
      { alert: "DrkitPostgresSlotMissing", at: "30s", fires: false },
      { alert: "DrkitPostgresSlotMissing", at: "2m", fires: true, labels: { slot_name: "orders_drkit_sub" } },
    ],
  },
  {
    name: "postgres: the slot has no subscriber",
    series: [{ series: `drkit_pg_replication_slot_active{${SLOT}}`, values: "0x60" }],
    alerts: [
      { alert: "DrkitPostgresSlotAboutToBeLost", at: "17m", fires: false },
      { alert: "DrkitPostgresSlotAboutToBeLost", at: "19m", fires: true },
    ],
  },
  {
    name: "postgres: the slot lost WAL it needed",
    series: [{ series: `drkit_pg_replication_slot_lost{${SLOT}}`, values: "0 1x40" }],
    alerts: [
      { alert: "DrkitPostgresSlotLost", at: "0s", fires: false },
      { alert: "DrkitPostgresSlotLost", at: "1m", fires: true },
    ],
  },
  {
    name: "postgres: the standby reports no subscription",
    series: [unrelated],
    alerts: [
      { alert: "DrkitPostgresSubscriberMetricsAbsent", at: "30s", fires: false },
      {
        alert: "DrkitPostgresSubscriberMetricsAbsent",
        at: "2m",
        fires: true,
        labels: { subscription: "orders_drkit_sub" },
      },
    ],
  },
];

const alertRules = new Map(
  controls.flatMap((c) =>
    c.group.rules.flatMap((r) => (r.alert !== undefined ? [[r.alert, r] as const] : [])),
  ),
);

/** The annotations Prometheus renders: the rule's, with its one template expression as `rendered`. */
function renderedAnnotations(alert: string, rendered: string | undefined): Record<string, string> {
  const annotations = { ...alertRules.get(alert)?.annotations };
  for (const [key, text] of Object.entries(annotations)) {
    const templates = text.match(/\{\{[^}]*\}\}/g) ?? [];
    if (templates.length > 0 && rendered === undefined)
      throw new Error(`${alert}: the test must say what ${templates.join(", ")} renders to`);
    annotations[key] = text.replace(/\{\{[^}]*\}\}/g, rendered ?? "");
  }
  return annotations;
}

function testFile(groupsFile: string) {
  return {
    rule_files: [groupsFile],
    evaluation_interval: "30s",
    tests: scenarios.map((s) => ({
      name: s.name,
      interval: "30s",
      input_series: s.series,
      alert_rule_test: s.alerts.map((a) => ({
        eval_time: a.at,
        alertname: a.alert,
        exp_alerts: a.fires
          ? [
              {
                exp_labels: { ...alertRules.get(a.alert)?.labels, ...a.labels },
                exp_annotations: renderedAnnotations(a.alert, a.rendered),
              },
            ]
          : [],
      })),
      ...(s.samples
        ? {
            promql_expr_test: s.samples.map((p) => ({
              expr: p.expr,
              eval_time: p.at,
              exp_samples: p.samples,
            })),
          }
        : {}),
    })),
  };
}

let dir: string;
beforeAll(() => {
  dir = scratchDir("drkit-promtool-");
  const groups: PrometheusRuleGroup[] = controls.map((c) => c.group);
  fs.writeFileSync(path.join(dir, "rules.yaml"), stringify({ groups }));
  fs.writeFileSync(path.join(dir, "test.yaml"), stringify(testFile("rules.yaml")));
});
afterAll(() => removeScratch(dir));

it("every generated group parses as Prometheus rules", () => {
  const result = promtool(["check", "rules", "rules.yaml"], dir);
  expect(result.output).toContain(
    `SUCCESS: ${controls.reduce((n, c) => n + c.group.rules.length, 0)} rules found`,
  );
  expect(result.status).toBe(0);
});

it("every alert stays quiet before its threshold and fires after it, with its labels and annotations", () => {
  const result = promtool(["test", "rules", "test.yaml"], dir);
  expect(result.output).toContain("SUCCESS");
  expect(result.status).toBe(0);
});

it("the scenarios cover every generated alert, each both quiet and firing", () => {
  const checked = scenarios.flatMap((s) => s.alerts);
  for (const alert of alertRules.keys()) {
    expect({ alert, quiet: checked.some((a) => a.alert === alert && !a.fires) }).toEqual({
      alert,
      quiet: true,
    });
    expect({ alert, fires: checked.some((a) => a.alert === alert && a.fires) }).toEqual({
      alert,
      fires: true,
    });
  }
  expect(alertRules.size).toBe(21);
});

it("fails when a scenario is wrong: promtool reports the alert that did not fire", () => {
  const wrong = {
    ...testFile("rules.yaml"),
    tests: [
      {
        interval: "30s",
        input_series: [
          { series: `velero_backup_last_successful_timestamp{${VELERO}}`, values: EVERY_FIVE_MINUTES },
        ],
        alert_rule_test: [
          {
            eval_time: "24m",
            alertname: "DrkitVeleroBackupTooOld",
            exp_alerts: [{ exp_labels: alertRules.get("DrkitVeleroBackupTooOld")?.labels }],
          },
        ],
      },
    ],
  };
  fs.writeFileSync(path.join(dir, "wrong.yaml"), stringify(wrong));
  const result = promtool(["test", "rules", "wrong.yaml"], dir);
  expect(result.status).toBe(1);
  expect(result.output).toContain("alertname: DrkitVeleroBackupTooOld, time: 24m");
});
