// The Prometheus rules of each monitored control, built from the service's targets. Pure: no Pulumi, so the
// tests run the exact groups through `promtool test rules` and a real Prometheus server.
//
// Every control gets one rule group: recording rules that say what is watched and against what
// (`drkit:control_info`, `drkit:rpo_target_seconds`, `drkit:rpo_alert_threshold_seconds`,
// `drkit:rto_target_seconds`, `drkit:recovery_point_age_seconds`), read by `drkit status` and the DR
// dashboard, then its alerts. Every series and alert carries the service, tier and control as labels.
import {
  CONTROL_INFO_RECORD,
  DRILL_KIND_LABEL,
  DRILL_LAST_RUN_METRIC,
  DRILL_LAST_SUCCESS_AGE_RECORD,
  DRILL_LAST_SUCCESS_METRIC,
  DRILL_RESTORE_SECONDS_METRIC,
  DRILL_SUCCESS_METRIC,
  type Disruption,
  type DrillKind,
  PROMETHEUS_CONTROL_LABEL,
  PROMETHEUS_DISRUPTION_LABEL,
  PROMETHEUS_SERVICE_LABEL,
  PROMETHEUS_TIER_LABEL,
  RECOVERY_POINT_AGE_RECORD,
  REPLICATION_LAG_BYTES_RECORD,
  RPO_ALERT_THRESHOLD_RECORD,
  RPO_TARGET_RECORD,
  RTO_TARGET_RECORD,
  cronWorstCaseGapSeconds,
} from "@drkit/posture";
import { POSTGRES_METRICS } from "./postgresQueries";
import { Threshold, deriveThreshold } from "./thresholds";

/** One rule of a group, as Prometheus (and the PrometheusRule CRD) spells it. */
export interface PrometheusRuleSpec {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface PrometheusRuleGroup {
  readonly name: string;
  /** evaluation interval of the group: the E of the thresholds, enforced by the rule itself */
  readonly interval: string;
  readonly rules: readonly PrometheusRuleSpec[];
}

/** The service a monitor watches, its targets and the timings every threshold is derived with. */
export interface MonitorContext {
  readonly service: string;
  readonly tier: string;
  readonly rpoTargetSeconds: number;
  readonly rtoTargetSeconds: number;
  readonly leadTimeSeconds: number;
  readonly forSeconds: number;
  readonly scrapeIntervalSeconds: number;
  readonly evaluationIntervalSeconds: number;
}

/** What kind of control: an RPO control has a recovery point whose age is measured; a health check has none. */
export type ControlKind =
  "velero-schedule" | "redis-backup" | "redis-persistence" | "postgres-subscription" | "restore-drill";

/** The rules of one control, and what they were derived from. */
export interface ControlRules {
  /** `<kind>/<name>`: the `drkit_control` label of every series and alert */
  readonly control: string;
  readonly kind: ControlKind;
  /** the disruptions whose recovery point this control watches (none for a health check) */
  readonly disruptions: readonly Disruption[];
  /** the age threshold and its derivation (RPO controls) */
  readonly threshold?: Threshold;
  readonly group: PrometheusRuleGroup;
}

/** A control whose rules cannot be derived, with the reason and the fix. */
export interface ControlProblem {
  readonly problem: string;
}

const seconds = (n: number) => `${n}s`;
/** A PromQL string literal. Names reaching here are validated identifiers; quoting keeps them inert anyway. */
const q = (value: string) => JSON.stringify(value);
const selector = (matchers: Readonly<Record<string, string>>) =>
  `{${Object.entries(matchers)
    .map(([k, v]) => `${k}=${q(v)}`)
    .join(", ")}}`;
const regexSelector = (matchers: Readonly<Record<string, string>>, regex: Readonly<Record<string, string>>) =>
  `{${[
    ...Object.entries(matchers).map(([k, v]) => `${k}=${q(v)}`),
    ...Object.entries(regex).map(([k, v]) => `${k}=~${q(v)}`),
  ].join(", ")}}`;

function controlLabels(ctx: MonitorContext, control: string): Record<string, string> {
  return {
    [PROMETHEUS_SERVICE_LABEL]: ctx.service,
    [PROMETHEUS_TIER_LABEL]: ctx.tier,
    [PROMETHEUS_CONTROL_LABEL]: control,
  };
}

/** Selects a recorded series of this control. */
function recorded(name: string, ctx: MonitorContext, control: string): string {
  return `${name}${selector({ [PROMETHEUS_SERVICE_LABEL]: ctx.service, [PROMETHEUS_CONTROL_LABEL]: control })}`;
}

/** The recording rules every control has: what it is and, for an RPO control, its targets and threshold. */
function describingRules(
  ctx: MonitorContext,
  control: string,
  kind: ControlKind,
  disruptions: readonly Disruption[],
  threshold: Threshold | undefined,
): PrometheusRuleSpec[] {
  const labels = controlLabels(ctx, control);
  const rules: PrometheusRuleSpec[] = [
    { record: CONTROL_INFO_RECORD, expr: "vector(1)", labels: { ...labels, drkit_kind: kind } },
  ];
  for (const disruption of disruptions) {
    const perDisruption = { ...labels, [PROMETHEUS_DISRUPTION_LABEL]: disruption };
    rules.push(
      { record: RPO_TARGET_RECORD, expr: `vector(${ctx.rpoTargetSeconds})`, labels: perDisruption },
      { record: RTO_TARGET_RECORD, expr: `vector(${ctx.rtoTargetSeconds})`, labels: perDisruption },
    );
  }
  if (threshold !== undefined)
    rules.push({
      record: RPO_ALERT_THRESHOLD_RECORD,
      expr: `vector(${threshold.thresholdSeconds})`,
      labels,
    });
  return rules;
}

function alert(
  ctx: MonitorContext,
  control: string,
  spec: {
    alert: string;
    expr: string;
    forSeconds?: number;
    severity: "critical" | "warning";
    summary: string;
    description: string;
  },
): PrometheusRuleSpec {
  return {
    alert: spec.alert,
    expr: spec.expr,
    ...(spec.forSeconds !== undefined && spec.forSeconds > 0 ? { for: seconds(spec.forSeconds) } : {}),
    labels: { ...controlLabels(ctx, control), severity: spec.severity },
    annotations: { summary: spec.summary, description: spec.description },
  };
}

function group(ctx: MonitorContext, control: string, rules: PrometheusRuleSpec[]): PrometheusRuleGroup {
  return { name: `drkit-${ctx.service}-${control}`, interval: seconds(ctx.evaluationIntervalSeconds), rules };
}

const timings = (ctx: MonitorContext) => ({
  rpoTargetSeconds: ctx.rpoTargetSeconds,
  leadTimeSeconds: ctx.leadTimeSeconds,
  forSeconds: ctx.forSeconds,
  scrapeIntervalSeconds: ctx.scrapeIntervalSeconds,
  evaluationIntervalSeconds: ctx.evaluationIntervalSeconds,
});

/** A Velero Schedule: the age of its last successful backup, failures, and a schedule gone silent. */
export interface VeleroScheduleControl {
  /** the Schedule's name in Velero (the `schedule` label of Velero's metrics), e.g. `cluster-velero-hourly` */
  readonly schedule: string;
  /** its cron, which sets how old its newest backup gets while healthy */
  readonly cron: string;
}

export function veleroScheduleRules(
  ctx: MonitorContext,
  control: VeleroScheduleControl,
): ControlRules | ControlProblem {
  const id = `velero-schedule/${control.schedule}`;
  const gap = cronWorstCaseGapSeconds(control.cron);
  const threshold = deriveThreshold(`velero schedule ${q(control.schedule)}`, {
    ...timings(ctx),
    healthyMaxSeconds: gap,
    healthyMaxReason: `the schedule ${q(control.cron)} leaves up to ${gap} s between two backups`,
  });
  if ("problem" in threshold) return threshold;
  const match = selector({ schedule: control.schedule });
  const disruptions: Disruption[] = ["software", "zone", "region"];
  const age = recorded(RECOVERY_POINT_AGE_RECORD, ctx, id);
  const t = threshold.thresholdSeconds;
  return {
    control: id,
    kind: "velero-schedule",
    disruptions,
    threshold,
    group: group(ctx, id, [
      ...describingRules(ctx, id, "velero-schedule", disruptions, threshold),
      {
        record: RECOVERY_POINT_AGE_RECORD,
        expr: `time() - max(velero_backup_last_successful_timestamp${match})`,
        labels: controlLabels(ctx, id),
      },
      alert(ctx, id, {
        alert: "DrkitVeleroBackupTooOld",
        expr: `${age} > ${t}`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the newest Velero backup of ${control.schedule} is older than ${t} s`,
        description: `The last successful backup of schedule ${control.schedule} is {{ $value | humanizeDuration }} old. ${threshold.lines.join(" ")}`,
      }),
      alert(ctx, id, {
        alert: "DrkitVeleroBackupFailed",
        expr: `sum(increase(velero_backup_failure_total${match}[${seconds(gap)}])) > 0`,
        severity: "critical",
        summary: `${ctx.service}: a Velero backup of ${control.schedule} failed`,
        description: `A backup of schedule ${control.schedule} failed within the last schedule interval (${gap} s).`,
      }),
      alert(ctx, id, {
        alert: "DrkitVeleroBackupPartiallyFailed",
        expr: `sum(increase(velero_backup_partial_failure_total${match}[${seconds(gap)}])) > 0`,
        severity: "critical",
        summary: `${ctx.service}: a Velero backup of ${control.schedule} partially failed`,
        description: `A backup of schedule ${control.schedule} finished PartiallyFailed within the last schedule interval (${gap} s): some items are not in it.`,
      }),
      alert(ctx, id, {
        alert: "DrkitVeleroScheduleMetricsAbsent",
        expr: `absent(velero_backup_last_successful_timestamp${match})`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: Velero reports no successful backup of ${control.schedule}`,
        description: `No velero_backup_last_successful_timestamp for schedule ${control.schedule}: the schedule never succeeded, was deleted or renamed, or Velero is not scraped. Its backup age is unknown.`,
      }),
    ]),
  };
}

/** A backup CronJob (RedisCrossZone's): the age of its last success, as kube-state-metrics reports it. */
export interface RedisBackupControl {
  readonly namespace: string;
  readonly cronJob: string;
  readonly cron: string;
}

export function redisBackupRules(
  ctx: MonitorContext,
  control: RedisBackupControl,
): ControlRules | ControlProblem {
  const id = `redis-backup/${control.namespace}/${control.cronJob}`;
  const gap = cronWorstCaseGapSeconds(control.cron);
  const threshold = deriveThreshold(`backup CronJob ${q(`${control.namespace}/${control.cronJob}`)}`, {
    ...timings(ctx),
    healthyMaxSeconds: gap,
    healthyMaxReason: `the schedule ${q(control.cron)} leaves up to ${gap} s between two backups`,
  });
  if ("problem" in threshold) return threshold;
  const cronJob = selector({ namespace: control.namespace, cronjob: control.cronJob });
  // A CronJob names its Jobs `<cronjob>-<scheduled time in minutes>`.
  const jobs = regexSelector({ namespace: control.namespace }, { job_name: `${control.cronJob}-[0-9]+` });
  const disruptions: Disruption[] = ["software", "region"];
  const t = threshold.thresholdSeconds;
  return {
    control: id,
    kind: "redis-backup",
    disruptions,
    threshold,
    group: group(ctx, id, [
      ...describingRules(ctx, id, "redis-backup", disruptions, threshold),
      {
        record: RECOVERY_POINT_AGE_RECORD,
        expr: `time() - max(kube_cronjob_status_last_successful_time${cronJob})`,
        labels: controlLabels(ctx, id),
      },
      alert(ctx, id, {
        alert: "DrkitRedisBackupTooOld",
        expr: `${recorded(RECOVERY_POINT_AGE_RECORD, ctx, id)} > ${t}`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the last successful Redis backup is older than ${t} s`,
        description: `The backup CronJob ${control.namespace}/${control.cronJob} last succeeded {{ $value | humanizeDuration }} ago. ${threshold.lines.join(" ")}`,
      }),
      alert(ctx, id, {
        alert: "DrkitRedisBackupJobFailed",
        // The newest failed Job's creation time, when it is newer than the last success.
        expr: `max((kube_job_status_failed${jobs} > bool 0) * on(namespace, job_name) kube_job_created${jobs}) > max(kube_cronjob_status_last_successful_time${cronJob})`,
        severity: "critical",
        summary: `${ctx.service}: the Redis backup Job failed since its last success`,
        description: `A Job of the backup CronJob ${control.namespace}/${control.cronJob} failed after its last successful run.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRedisBackupMetricsAbsent",
        expr: `absent(kube_cronjob_status_last_successful_time${cronJob})`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: no successful Redis backup is reported`,
        description: `kube-state-metrics reports no last successful time for CronJob ${control.namespace}/${control.cronJob}: it never succeeded, or kube-state-metrics is not scraped. The backup age is unknown.`,
      }),
    ]),
  };
}

/** The primary's own persistence, through redis_exporter: a health check with no recovery-point age. */
export interface RedisPersistenceControl {
  readonly namespace: string;
  /** the RedisReplication's name: its pods are `<name>-0`, `<name>-1`… */
  readonly redisName: string;
}

export function redisPersistenceRules(ctx: MonitorContext, control: RedisPersistenceControl): ControlRules {
  const id = `redis-persistence/${control.namespace}/${control.redisName}`;
  // The labels a ServiceMonitor or PodMonitor gives the exporter's series (target namespace and pod).
  const pods = regexSelector({ namespace: control.namespace }, { pod: `${control.redisName}-[0-9]+` });
  return {
    control: id,
    kind: "redis-persistence",
    disruptions: [],
    group: group(ctx, id, [
      ...describingRules(ctx, id, "redis-persistence", [], undefined),
      alert(ctx, id, {
        alert: "DrkitRedisRdbSaveFailing",
        // The value is the age of the last successful save, so the page says how stale the disk copy is.
        expr: `(time() - max(redis_rdb_last_save_timestamp_seconds${pods})) and on() (min(redis_rdb_last_bgsave_status${pods}) == 0)`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: Redis cannot save its RDB snapshot`,
        description: `The last BGSAVE of ${control.namespace}/${control.redisName} failed; the last successful save was {{ $value | humanizeDuration }} ago. With stop-writes-on-bgsave-error (the default) Redis refuses writes until a save succeeds.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRedisAofWriteFailing",
        expr: `min(redis_aof_last_write_status${pods}) == 0 or min(redis_aof_last_bgrewrite_status${pods}) == 0`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: Redis cannot write its append-only file`,
        description: `The last AOF write or rewrite of ${control.namespace}/${control.redisName} failed: writes since then are not on disk.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRedisExporterDown",
        expr: `absent(redis_up${pods}) or min(redis_up${pods}) == 0`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: Redis persistence is not observed`,
        description: `redis_exporter does not report ${control.namespace}/${control.redisName} (no series, or redis_up 0): its persistence health is unknown.`,
      }),
    ]),
  };
}

/** A logical subscription (NeonGeoReplica's standby): how far behind it is and whether its slot survives. */
export interface PostgresSubscriptionControl {
  readonly subscription: string;
  /** the slot on the publisher @default - the subscription's name (what CREATE SUBSCRIPTION creates) */
  readonly slot: string;
  /** the subscriber's wal_receiver_timeout: the apply worker asks for a keepalive after half of it */
  readonly walReceiverTimeoutSeconds: number;
  /** how long the publisher keeps an inactive slot before dropping it (Neon: about 40 h) */
  readonly slotLossSeconds: number;
}

/** How far back `drkit:recovery_point_age_seconds` remembers the last receipt once the apply worker stops. */
const RECEIPT_LOOKBACK = "1d";

export function postgresSubscriptionRules(
  ctx: MonitorContext,
  control: PostgresSubscriptionControl,
): ControlRules | ControlProblem {
  const id = `postgres-subscription/${control.subscription}`;
  // While idle, the apply worker asks the publisher for a keepalive after wal_receiver_timeout / 2 of
  // silence (PostgreSQL, logical/worker.c): a healthy receipt age stays below that, plus a second.
  const keepalive = Math.ceil(control.walReceiverTimeoutSeconds / 2) + 1;
  const threshold = deriveThreshold(`subscription ${q(control.subscription)}`, {
    ...timings(ctx),
    healthyMaxSeconds: keepalive,
    healthyMaxReason: `an idle subscriber hears from the publisher at least every ${keepalive} s, half its wal_receiver_timeout of ${control.walReceiverTimeoutSeconds} s plus 1 s`,
  });
  if ("problem" in threshold) return threshold;
  const t = threshold.thresholdSeconds;
  if (t < 2 * ctx.scrapeIntervalSeconds)
    return {
      problem: `subscription ${q(control.subscription)}: the threshold of ${t} s must span two scrapes (2 × ${ctx.scrapeIntervalSeconds} s) to see the slot's confirmed position move: scrape more often or lower \`leadTimeSeconds\``,
    };
  // The slot must be reported lost before Neon drops it: the alert has fired by then minus the lead time.
  const slotFor =
    control.slotLossSeconds - ctx.leadTimeSeconds - ctx.scrapeIntervalSeconds - ctx.evaluationIntervalSeconds;
  if (slotFor < ctx.forSeconds)
    return {
      problem: `subscription ${q(control.subscription)}: an inactive slot is dropped after ${control.slotLossSeconds} s; alerting ${ctx.leadTimeSeconds} s before that leaves ${slotFor} s, less than \`forSeconds\` (${ctx.forSeconds})`,
    };
  const m = POSTGRES_METRICS;
  const sub = selector({ subscription: control.subscription });
  const slot = selector({ slot_name: control.slot });
  const disruptions: Disruption[] = ["region"];
  const labels = controlLabels(ctx, id);
  return {
    control: id,
    kind: "postgres-subscription",
    disruptions,
    threshold,
    group: group(ctx, id, [
      ...describingRules(ctx, id, "postgres-subscription", disruptions, threshold),
      {
        // The newest message received; once the worker stops, the last one seen within the lookback.
        record: RECOVERY_POINT_AGE_RECORD,
        expr: `time() - max(max_over_time(${m.subscriptionLastReceipt}${sub}[${RECEIPT_LOOKBACK}]))`,
        labels,
      },
      { record: REPLICATION_LAG_BYTES_RECORD, expr: `max(${m.slotLagBytes}${slot})`, labels },
      alert(ctx, id, {
        alert: "DrkitPostgresReplicationLagging",
        expr: `${recorded(RECOVERY_POINT_AGE_RECORD, ctx, id)} > ${t}`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the standby has heard nothing from the primary for over ${t} s`,
        description: `Subscription ${control.subscription} last received a message {{ $value | humanizeDuration }} ago: the standby is at least that far behind. ${threshold.lines.join(" ")}`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresSubscriptionStopped",
        expr: `max(${m.subscriptionWorkerRunning}${sub}) == 0`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the standby's subscription is not replicating`,
        description: `No apply worker runs for subscription ${control.subscription} (disabled, or failing to connect or apply): the standby falls further behind every second.`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresReplicationNotAdvancing",
        // Unmoved across two scrapes, held until unmoved for the threshold: a restarted Prometheus
        // cannot mistake its first samples for a stuck slot.
        expr: `max(${m.slotLagBytes}${slot}) > 0 and on() max(changes(${m.slotConfirmedPosition}${slot}[${seconds(2 * ctx.scrapeIntervalSeconds)}])) == 0`,
        forSeconds: t - 2 * ctx.scrapeIntervalSeconds,
        severity: "critical",
        summary: `${ctx.service}: the primary holds WAL the standby has not confirmed for ${t} s`,
        description: `Slot ${control.slot} holds {{ $value | humanize1024 }}B of WAL the subscriber has not confirmed, and its confirmed position has not moved for ${t} s.`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresSlotMissing",
        expr: `absent(${m.slotActive}${slot})`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the replication slot is gone from the primary`,
        description: `The primary reports no slot ${control.slot}: it was dropped (a Neon branch restore drops every slot; Neon drops slots inactive for about 40 h) and the standby must be re-seeded, or the primary's exporter is not scraped.`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresSlotAboutToBeLost",
        expr: `max(${m.slotActive}${slot}) == 0`,
        forSeconds: slotFor,
        severity: "critical",
        summary: `${ctx.service}: the replication slot has been inactive for ${slotFor} s`,
        description: `Slot ${control.slot} has had no subscriber for ${slotFor} s; the publisher drops an inactive slot after about ${control.slotLossSeconds} s, after which the standby must be re-seeded. Reconnect the subscription now.`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresSlotLost",
        expr: `max(${m.slotLost}${slot}) == 1`,
        severity: "critical",
        summary: `${ctx.service}: the replication slot lost WAL it needed`,
        description: `Slot ${control.slot} is in wal_status "lost": the standby can no longer catch up and must be re-seeded.`,
      }),
      alert(ctx, id, {
        alert: "DrkitPostgresSubscriberMetricsAbsent",
        expr: `absent(${m.subscriptionWorkerRunning}${sub})`,
        forSeconds: ctx.forSeconds,
        severity: "critical",
        summary: `${ctx.service}: the standby's subscription is not observed`,
        description: `No ${m.subscriptionWorkerRunning} for subscription ${control.subscription}: the subscription does not exist, or the standby's exporter does not run drkit's queries. The lag is unknown.`,
      }),
    ]),
  };
}

/** A scheduled restore drill of the service (the Neon, Redis or Velero drill job), by what it restores. */
export interface RestoreDrillControl {
  readonly kind: DrillKind;
  /** the drill's cron: how long passes between two drills while healthy */
  readonly cron: string;
  /** how long one drill may run (restore and checks), on top of the gap, before it is overdue */
  readonly runSeconds: number;
}

/**
 * The drill's own series, pushed to a Pushgateway (job `drkit-drill`) and scraped with `honor_labels`: the
 * last success too old, the last drill failed, a measured restore longer than the RTO target, or no drill
 * ever reported.
 */
export function restoreDrillRules(ctx: MonitorContext, control: RestoreDrillControl): ControlRules {
  const id = `restore-drill/${control.kind}`;
  const gap = cronWorstCaseGapSeconds(control.cron);
  const overdue = gap + control.runSeconds;
  const match = selector({ [PROMETHEUS_SERVICE_LABEL]: ctx.service, [DRILL_KIND_LABEL]: control.kind });
  const labels = controlLabels(ctx, id);
  const what = `the ${control.kind} restore drill`;
  return {
    control: id,
    kind: "restore-drill",
    disruptions: [],
    group: group(ctx, id, [
      ...describingRules(ctx, id, "restore-drill", [], undefined),
      {
        record: DRILL_LAST_SUCCESS_AGE_RECORD,
        expr: `time() - max(${DRILL_LAST_SUCCESS_METRIC}${match})`,
        labels,
      },
      alert(ctx, id, {
        alert: "DrkitRestoreDrillOverdue",
        expr: `${recorded(DRILL_LAST_SUCCESS_AGE_RECORD, ctx, id)} > ${overdue}`,
        forSeconds: ctx.forSeconds,
        severity: "warning",
        summary: `${ctx.service}: ${what} has not passed for over ${overdue} s`,
        description: `The last ${control.kind} drill that passed was {{ $value | humanizeDuration }} ago. Drills run on ${q(control.cron)} (up to ${gap} s apart) and may take ${control.runSeconds} s: a restore that is not exercised is not known to work.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRestoreDrillFailed",
        expr: `max(${DRILL_SUCCESS_METRIC}${match}) == 0`,
        severity: "critical",
        summary: `${ctx.service}: ${what} failed`,
        description: `The last ${control.kind} restore drill failed: the newest backup did not restore, or its checks did not match. Read its record (drkit drills report) before relying on that backup.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRestoreDrillTooSlow",
        expr: `max(${DRILL_RESTORE_SECONDS_METRIC}${match}) > ${ctx.rtoTargetSeconds}`,
        severity: "critical",
        summary: `${ctx.service}: ${what} took longer than the RTO target of ${ctx.rtoTargetSeconds} s`,
        description: `The last ${control.kind} drill's restore took {{ $value }} s, more than the ${ctx.tier} RTO target of ${ctx.rtoTargetSeconds} s before detection and decision are even added.`,
      }),
      alert(ctx, id, {
        alert: "DrkitRestoreDrillMetricsAbsent",
        expr: `absent(${DRILL_LAST_RUN_METRIC}${match})`,
        forSeconds: Math.max(ctx.forSeconds, overdue),
        severity: "warning",
        summary: `${ctx.service}: no ${control.kind} restore drill is reported`,
        description: `No ${DRILL_LAST_RUN_METRIC} for ${ctx.service}'s ${control.kind} drill for ${overdue} s: the drill never ran, cannot reach the Pushgateway, or the Pushgateway is not scraped.`,
      }),
    ]),
  };
}
