import * as pulumi from "@pulumi/pulumi";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
  ALARM_FOR_ANNOTATION,
  ALARM_THRESHOLD_ANNOTATION,
  DEFAULT_TIER_TARGETS,
  DISRUPTIONS,
  DRILL_KINDS,
  type DrillKind,
} from "@drkit/posture";
import { type RegionPair, checkRegionPair, kubeconfigFix } from "../common/regions";
import { ServiceIdentity, serviceLabels, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  isPlainObject,
  ownEntry,
  shown,
} from "../common/validation";
import { regionSidesOf } from "../drRegionPair";
import { checkCron, checkNamespace, isDnsSubdomain } from "../kubernetes/validation";
import { POSTGRES_EXPORTER_QUERIES } from "./postgresQueries";
import {
  ControlRules,
  MonitorContext,
  postgresSubscriptionRules,
  redisBackupRules,
  redisPersistenceRules,
  restoreDrillRules,
  veleroScheduleRules,
} from "./rules";

/** The cluster whose Prometheus scrapes the exporters the rules read. */
export const MonitorCluster = {
  /** the primary region's cluster (where Velero and Redis run) */
  Primary: "primary",
  /** the secondary region's cluster: it outlives a loss of the primary region */
  Secondary: "secondary",
} as const;
export type MonitorCluster = (typeof MonitorCluster)[keyof typeof MonitorCluster];

/** A Velero Schedule to watch. */
export interface VeleroScheduleMonitor {
  /** The Schedule's name in Velero, e.g. `cluster-velero-hourly` (VeleroSchedule's `<name>-<schedule>`). */
  readonly schedule: string;
  /** Its 5-field cron: how old its newest backup gets while healthy. */
  readonly cron: string;
}

/** A Redis to watch (RedisCrossZone's): its pods' own saves, its backup CronJob, or both. */
export interface RedisMonitor {
  /** The namespace of the Redis and its backup CronJob. */
  readonly namespace: string;
  /**
   * The RedisReplication's name: watch its pods' RDB and AOF saves through redis_exporter (series labelled
   * with the pods' `namespace` and `pod`, as a ServiceMonitor or PodMonitor labels them).
   * @default - the pods' own persistence is not watched
   */
  readonly redisName?: string;
  /**
   * The backup CronJob's name (RedisCrossZone's `<name>-backup`): watch the age of its last success, as
   * kube-state-metrics reports it.
   * @default - the backups are not watched
   */
  readonly backupCronJob?: string;
  /** The backup CronJob's 5-field cron; required with `backupCronJob`. */
  readonly backupCron?: string;
}

/** A logical-replication subscription to watch (NeonGeoReplica's standby). */
export interface PostgresSubscriptionMonitor {
  /** The subscription's name on the standby, e.g. `orders_drkit_sub` (NeonGeoReplica's `<database>_drkit_sub`). */
  readonly subscription: string;
  /** The replication slot on the primary. @default - the subscription's name, as CREATE SUBSCRIPTION names it */
  readonly slot?: string;
  /**
   * What the lag alarm bounds, as the posture model finds it: the primary project's resource name (e.g.
   * `orders-db-primary`) or URN. The PrometheusRule is annotated with it, and the model then credits the
   * region RPO of that database with the alarm's bound.
   */
  readonly alarmFor: string;
  /** The standby's `wal_receiver_timeout`, seconds (1–3600). @default 60 (PostgreSQL's default) */
  readonly walReceiverTimeoutSeconds?: number;
  /**
   * After how long the primary drops a slot no subscriber uses, seconds (60–31536000).
   * @default 144000 (Neon removes inactive slots after about 40 hours)
   */
  readonly slotLossSeconds?: number;
}

/** A scheduled restore drill of the service to watch, through the series it pushes to a Pushgateway. */
export interface RestoreDrillMonitor {
  /** What the drill restores: `postgres`, `redis` or `velero` (its `drkit_drill_kind` label). */
  readonly kind: string;
  /** The drill's 5-field cron: how long passes between two drills while healthy. */
  readonly cron: string;
  /**
   * How long one drill may take (restore and checks), seconds, on top of the cron's gap before the last
   * success counts as overdue.
   * @default 3600
   */
  readonly runSeconds?: number;
}

export interface DrHealthMonitorArgs extends ServiceIdentity {
  /** The clusters: a `DrRegionPair` given kubeconfigs in TypeScript, or the regions with their kubeconfigs. */
  readonly regions: RegionPair;
  /** The cluster the rules go to: where Prometheus scrapes the exporters. @default "primary" */
  readonly cluster?: MonitorCluster;
  /** Namespace of the PrometheusRules and ConfigMaps. @default "monitoring" */
  readonly namespace?: string;
  /**
   * The RPO target the thresholds are derived from, seconds (1–31536000): the strictest target of the
   * service's tier over the disruptions its controls serve.
   * @default - the tier's default target (critical 300, important 3600, standard 86400); required for a
   *   tier drkit has no defaults for
   */
  readonly rpoTargetSeconds?: number;
  /** The RTO target (the dashboard's budget), seconds (1–31536000). @default - the tier's default target */
  readonly rtoTargetSeconds?: number;
  /** How long before the RPO target is breached the on-call must be paged, seconds (0–86400). @default 60 */
  readonly leadTimeSeconds?: number;
  /** How long a condition must hold before an alert fires (`for:`), seconds (0–86400). @default 60 */
  readonly forSeconds?: number;
  /** How often Prometheus scrapes the exporters, seconds (1–3600). @default 30 (Prometheus Operator's default) */
  readonly scrapeIntervalSeconds?: number;
  /** How often the rules are evaluated, seconds (1–3600); set on each rule group. @default 30 */
  readonly evaluationIntervalSeconds?: number;
  /**
   * Labels on each PrometheusRule, for the Prometheus's `ruleSelector` (e.g. `release: kube-prometheus-stack`).
   * @default {}
   */
  readonly ruleLabels?: { [key: string]: string };
  /** Velero Schedules to watch. @default [] */
  readonly veleroSchedules?: VeleroScheduleMonitor[];
  /** Redis deployments to watch. @default [] */
  readonly redis?: RedisMonitor[];
  /** Logical-replication subscriptions to watch. @default [] */
  readonly postgresSubscriptions?: PostgresSubscriptionMonitor[];
  /**
   * Restore drills to watch (their series pushed to a Pushgateway that Prometheus scrapes with
   * `honor_labels: true`): overdue, failed, or slower than the RTO target. @default []
   */
  readonly restoreDrills?: RestoreDrillMonitor[];
}

const DEFAULTS = {
  cluster: MonitorCluster.Primary,
  namespace: "monitoring",
  leadTimeSeconds: 60,
  forSeconds: 60,
  scrapeIntervalSeconds: 30,
  evaluationIntervalSeconds: 30,
  walReceiverTimeoutSeconds: 60,
  /** Neon: "inactive replication slots are removed after approximately 40 hours" (dr-facts [N7]). */
  slotLossSeconds: 144_000,
  drillRunSeconds: 3_600,
} as const;

const ARG_FIELDS = [
  "service",
  "tier",
  "regions",
  "cluster",
  "namespace",
  "rpoTargetSeconds",
  "rtoTargetSeconds",
  "leadTimeSeconds",
  "forSeconds",
  "scrapeIntervalSeconds",
  "evaluationIntervalSeconds",
  "ruleLabels",
  "veleroSchedules",
  "redis",
  "postgresSubscriptions",
  "restoreDrills",
];
const YEAR = 31_536_000;
// PostgreSQL identifiers as drkit names them: lowercase, at most 63 bytes.
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
// Prometheus label names; values may be any string, but PrometheusRule labels are Kubernetes labels here.
const K8S_LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const K8S_LABEL_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** A list argument: each element an object with known fields; returns the elements that can be read. */
function checkList(
  field: string,
  value: unknown,
  fields: readonly string[],
  example: string,
  problems: ArgsProblems,
): Record<string, unknown>[] {
  if (value === undefined || !checkPlain(field, value, problems)) return [];
  if (!Array.isArray(value)) {
    problems.add(`\`${field}\` must be a list such as [${example}] (got ${shown(value)})`);
    return [];
  }
  const items: Record<string, unknown>[] = [];
  value.forEach((item: unknown, i) => {
    if (!isPlainObject(item)) {
      problems.add(`\`${field}[${i}]\` must be an object such as ${example} (got ${shown(item)})`);
      return;
    }
    checkKnownFields(`${field}[${i}]`, item, fields, problems);
    items.push(item);
  });
  return items;
}

function checkString(
  field: string,
  value: unknown,
  ok: (v: string) => boolean,
  what: string,
  problems: ArgsProblems,
): value is string {
  if (checkPlain(field, value, problems) && typeof value === "string" && ok(value)) return true;
  if (!pulumi.Output.isInstance(value) && !(value instanceof Promise))
    problems.add(`\`${field}\` must be ${what} (got ${shown(value)})`);
  return false;
}

/** The service's targets: the arguments, or the tier's defaults; undefined when neither is there. */
function targetsOf(args: Record<string, unknown>, problems: ArgsProblems) {
  const defaults = ownEntry(DEFAULT_TIER_TARGETS, args.tier);
  const strictest = (pick: "rpoSeconds" | "rtoSeconds") =>
    defaults === undefined
      ? undefined
      : Math.min(...DISRUPTIONS.map((d) => defaults[d]?.[pick] ?? Infinity).filter(Number.isFinite));
  const result: { rpo?: number; rto?: number } = {};
  for (const [field, pick, key] of [
    ["rpoTargetSeconds", "rpoSeconds", "rpo"],
    ["rtoTargetSeconds", "rtoSeconds", "rto"],
  ] as const) {
    const value = args[field];
    if (!checkPlain(field, value, problems)) continue;
    if (value === undefined) {
      const fallback = strictest(pick);
      if (fallback === undefined)
        problems.add(
          `\`${field}\` is required for tier ${shown(args.tier)}: drkit has default targets only for ${Object.keys(DEFAULT_TIER_TARGETS).join(", ")}; give the target your policy config sets`,
        );
      else result[key] = fallback;
    } else if (checkWholeNumber(field, value, { min: 1, max: YEAR, unit: "seconds" }, problems)) {
      result[key] = value;
    }
  }
  return result;
}

interface MonitorPlan {
  readonly problems: readonly string[];
  readonly context?: MonitorContext;
  readonly controls: readonly (ControlRules & { readonly alarmFor?: string })[];
}

/** Checks every argument and derives every control's rules; one pass serves validation and construction. */
function planMonitor(args: unknown): MonitorPlan {
  const problems = new ArgsProblems();
  if (
    !checkArgsObject(
      args,
      "pass { service, tier, regions, and at least one of veleroSchedules, redis, postgresSubscriptions, restoreDrills }",
      problems,
    )
  )
    return { problems: problems.list, controls: [] };
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);
  checkKnownFields("", args, ARG_FIELDS, problems);

  const regions = checkRegionPair(args.regions, problems);
  const cluster = args.cluster ?? DEFAULTS.cluster;
  if (checkPlain("cluster", args.cluster, problems)) {
    if (cluster !== "primary" && cluster !== "secondary")
      problems.add(`\`cluster\` must be "primary" or "secondary" (got ${shown(args.cluster)})`);
    else if (regions && !regions[cluster].kubernetes)
      problems.add(
        `\`regions.${cluster}\` has no Kubernetes provider, which the rules need: ${kubeconfigFix(regions, cluster)}`,
      );
  }
  if (checkPlain("namespace", args.namespace, problems))
    checkNamespace("namespace", args.namespace, problems);
  if (checkPlain("ruleLabels", args.ruleLabels, problems) && args.ruleLabels !== undefined) {
    if (!isPlainObject(args.ruleLabels))
      problems.add(`\`ruleLabels\` must be a map of label names to values (got ${shown(args.ruleLabels)})`);
    else
      for (const [key, value] of Object.entries(args.ruleLabels))
        problems.check(
          K8S_LABEL_KEY.test(key) &&
            typeof value === "string" &&
            value.length <= 63 &&
            K8S_LABEL_VALUE.test(value),
          `\`ruleLabels[${JSON.stringify(key)}]\` must be a Kubernetes label (a name, and a value of at most 63 letters, digits, '-', '_' or '.') (got ${shown(value)})`,
        );
  }

  const targets = targetsOf(args, problems);
  const timing: Record<string, number> = {};
  for (const [field, min, max] of [
    ["leadTimeSeconds", 0, 86_400],
    ["forSeconds", 0, 86_400],
    ["scrapeIntervalSeconds", 1, 3_600],
    ["evaluationIntervalSeconds", 1, 3_600],
  ] as const) {
    const value = args[field];
    if (
      checkPlain(field, value, problems) &&
      checkWholeNumber(
        field,
        value,
        { min, max, unit: "seconds", omitted: String(DEFAULTS[field]) },
        problems,
      )
    )
      timing[field] = value ?? DEFAULTS[field];
  }

  const velero = checkList(
    "veleroSchedules",
    args.veleroSchedules,
    ["schedule", "cron"],
    '{ schedule: "cluster-velero-hourly", cron: "0 * * * *" }',
    problems,
  );
  const redis = checkList(
    "redis",
    args.redis,
    ["namespace", "redisName", "backupCronJob", "backupCron"],
    '{ namespace: "redis", redisName: "sessions-redis", backupCronJob: "sessions-redis-backup", backupCron: "0 * * * *" }',
    problems,
  );
  const postgres = checkList(
    "postgresSubscriptions",
    args.postgresSubscriptions,
    ["subscription", "slot", "alarmFor", "walReceiverTimeoutSeconds", "slotLossSeconds"],
    '{ subscription: "orders_drkit_sub", alarmFor: "orders-db-primary" }',
    problems,
  );
  const drills = checkList(
    "restoreDrills",
    args.restoreDrills,
    ["kind", "cron", "runSeconds"],
    '{ kind: "postgres", cron: "30 4 * * *" }',
    problems,
  );
  if (problems.list.length === 0 && velero.length + redis.length + postgres.length + drills.length === 0)
    problems.add(
      "nothing to monitor: give at least one of `veleroSchedules`, `redis`, `postgresSubscriptions`, `restoreDrills`",
    );

  // Each control's own fields, every one checked; its rules only once every shared setting is sound.
  const builds: ((ctx: MonitorContext) => ControlRules | { problem: string })[] = [];
  const alarmFors: (string | undefined)[] = [];
  const allOk = (...results: boolean[]) => results.every(Boolean);
  const isCron = (field: string, value: unknown) => {
    const before = problems.list.length;
    if (checkPlain(field, value, problems)) checkCron(field, value, problems);
    return problems.list.length === before;
  };
  const isName = (field: string, value: unknown, max: number, what: string) =>
    checkString(field, value, (v) => v.length <= max && isDnsSubdomain(v), what, problems);
  const isNamespace = (field: string, value: unknown) => {
    const before = problems.list.length;
    if (value === undefined) problems.add(`\`${field}\` is required: the namespace Redis runs in`);
    else if (checkPlain(field, value, problems)) checkNamespace(field, value, problems);
    return problems.list.length === before;
  };
  const isSeconds = (field: string, value: unknown, min: number, max: number, omitted: number) =>
    checkPlain(field, value, problems) &&
    checkWholeNumber(field, value, { min, max, unit: "seconds", omitted: String(omitted) }, problems);
  const identifier = "a PostgreSQL identifier as drkit names them (a-z, 0-9, _; at most 63)";

  velero.forEach((v, i) => {
    const at = `veleroSchedules[${i}]`;
    if (
      allOk(
        isName(
          `${at}.schedule`,
          v.schedule,
          63,
          "a Velero Schedule name (a DNS name of at most 63 characters)",
        ),
        isCron(`${at}.cron`, v.cron),
      )
    ) {
      const control = { schedule: v.schedule as string, cron: v.cron as string };
      builds.push((ctx) => veleroScheduleRules(ctx, control));
      alarmFors.push(undefined);
    }
  });
  redis.forEach((r, i) => {
    const at = `redis[${i}]`;
    const backup = r.backupCronJob !== undefined || r.backupCron !== undefined;
    if (r.redisName === undefined && !backup)
      problems.add(
        `\`${at}\` watches nothing: give \`redisName\`, \`backupCronJob\` with \`backupCron\`, or both`,
      );
    if (
      allOk(
        isNamespace(`${at}.namespace`, r.namespace),
        r.redisName === undefined ||
          isName(
            `${at}.redisName`,
            r.redisName,
            63,
            "a RedisReplication name (a DNS name of at most 63 characters)",
          ),
        !backup ||
          allOk(
            isName(
              `${at}.backupCronJob`,
              r.backupCronJob,
              52,
              "a CronJob name (a DNS name of at most 52 characters)",
            ),
            isCron(`${at}.backupCron`, r.backupCron),
          ),
      )
    ) {
      const namespace = r.namespace as string;
      if (backup) {
        const control = { namespace, cronJob: r.backupCronJob as string, cron: r.backupCron as string };
        builds.push((ctx) => redisBackupRules(ctx, control));
        alarmFors.push(undefined);
      }
      if (r.redisName !== undefined) {
        const control = { namespace, redisName: r.redisName as string };
        builds.push((ctx) => redisPersistenceRules(ctx, control));
        alarmFors.push(undefined);
      }
    }
  });
  postgres.forEach((p, i) => {
    const at = `postgresSubscriptions[${i}]`;
    const isIdentifier = (field: string, value: unknown) =>
      checkString(field, value, (v) => PG_IDENTIFIER.test(v), identifier, problems);
    if (
      allOk(
        isIdentifier(`${at}.subscription`, p.subscription),
        p.slot === undefined || isIdentifier(`${at}.slot`, p.slot),
        checkString(
          `${at}.alarmFor`,
          p.alarmFor,
          (v) => v.trim() !== "" && v.length <= 1024,
          "the primary project's resource name or URN",
          problems,
        ),
        isSeconds(
          `${at}.walReceiverTimeoutSeconds`,
          p.walReceiverTimeoutSeconds,
          1,
          3_600,
          DEFAULTS.walReceiverTimeoutSeconds,
        ),
        isSeconds(`${at}.slotLossSeconds`, p.slotLossSeconds, 60, YEAR, DEFAULTS.slotLossSeconds),
      )
    ) {
      const control = {
        subscription: p.subscription as string,
        slot: (p.slot ?? p.subscription) as string,
        walReceiverTimeoutSeconds:
          (p.walReceiverTimeoutSeconds as number | undefined) ?? DEFAULTS.walReceiverTimeoutSeconds,
        slotLossSeconds: (p.slotLossSeconds as number | undefined) ?? DEFAULTS.slotLossSeconds,
      };
      builds.push((ctx) => postgresSubscriptionRules(ctx, control));
      alarmFors.push(p.alarmFor as string);
    }
  });

  drills.forEach((d, i) => {
    const at = `restoreDrills[${i}]`;
    const kindOk = checkString(
      `${at}.kind`,
      d.kind,
      (v) => (DRILL_KINDS as readonly string[]).includes(v),
      `one of ${DRILL_KINDS.join(", ")}`,
      problems,
    );
    if (
      allOk(
        kindOk,
        isCron(`${at}.cron`, d.cron),
        isSeconds(`${at}.runSeconds`, d.runSeconds, 60, 86_400, DEFAULTS.drillRunSeconds),
      )
    ) {
      const control = {
        kind: d.kind as DrillKind,
        cron: d.cron as string,
        runSeconds: (d.runSeconds as number | undefined) ?? DEFAULTS.drillRunSeconds,
      };
      builds.push((ctx) => restoreDrillRules(ctx, control));
      alarmFors.push(undefined);
    }
  });

  if (problems.list.length > 0 || targets.rpo === undefined || targets.rto === undefined)
    return { problems: problems.list, controls: [] };
  const ctx: MonitorContext = {
    service: args.service as string,
    tier: args.tier as string,
    rpoTargetSeconds: targets.rpo,
    rtoTargetSeconds: targets.rto,
    leadTimeSeconds: timing.leadTimeSeconds as number,
    forSeconds: timing.forSeconds as number,
    scrapeIntervalSeconds: timing.scrapeIntervalSeconds as number,
    evaluationIntervalSeconds: timing.evaluationIntervalSeconds as number,
  };
  const controls: (ControlRules & { alarmFor?: string })[] = [];
  builds.forEach((build, i) => {
    const built = build(ctx);
    if ("problem" in built) problems.add(built.problem);
    else controls.push({ ...built, ...(alarmFors[i] !== undefined ? { alarmFor: alarmFors[i] } : {}) });
  });
  const ids = new Set<string>();
  for (const c of controls) {
    problems.check(!ids.has(c.control), `${c.control} is listed twice: watch each control once`);
    ids.add(c.control);
  }
  return { problems: problems.list, context: ctx, controls };
}

/**
 * Every problem with the arguments, each naming the field, the value and the fix, including thresholds that
 * cannot be derived (a target with no room for an alert before it). Takes anything: YAML config and
 * JavaScript callers are not type-checked.
 */
export function validateDrHealthMonitorArgs(args: unknown): string[] {
  return [...planMonitor(args).problems];
}

/** The Kubernetes name of a control's PrometheusRule: `<name>-<control>`, with `/` and `_` as `-`. */
function ruleName(name: string, control: string): string {
  return `${name}-${control.replace(/[/_]/g, "-")}`;
}

/** The thresholds of one control, as the component's outputs report them. */
export interface MonitoredControl {
  readonly control: string;
  readonly kind: string;
  readonly prometheusRule: string;
  readonly disruptions: string[];
  readonly thresholdSeconds?: number;
  readonly firedByAgeSeconds?: number;
  readonly alerts: string[];
}

/**
 * The DR health monitor of one service: Prometheus Operator `PrometheusRule`s whose thresholds are derived
 * from the service's RPO target (age of the newest backup per Velero schedule and Redis backup job, the
 * logical standby's receipt age, its slot on the primary), recording rules for `drkit status` and the DR
 * dashboard, and the queries postgres_exporter needs for the standby. A subscription's rule is annotated
 * with what it bounds, so the posture model credits it: the region RPO bound names the resource that
 * enforces it.
 */
export class DrHealthMonitor extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:DrHealthMonitor";
  /** Per control: its PrometheusRule, threshold and alerts. */
  readonly controls: MonitoredControl[];
  /** postgres_exporter's custom queries (only with `postgresSubscriptions`): its `--extend.query-path` file. */
  readonly postgresExporterQueries?: string;

  constructor(name: string, args: DrHealthMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a bad argument registers nothing, not even this component.
    const plan = planMonitor(args);
    if (plan.problems.length > 0) throw new InvalidArgsError("DrHealthMonitor", name, plan.problems);
    super(DrHealthMonitor.__pulumiType, name, {}, opts);

    const cluster = args.cluster ?? DEFAULTS.cluster;
    const side = regionSidesOf(name, args.regions, this)[cluster];
    const provider = side.kubernetesProvider as KubernetesProvider;
    const namespace = args.namespace ?? DEFAULTS.namespace;
    const labels = { ...serviceLabels(args, side.region), ...(args.ruleLabels ?? {}) };

    this.controls = plan.controls.map((c) => {
      const metadataName = ruleName(name, c.control);
      const annotations =
        c.alarmFor !== undefined && c.threshold !== undefined
          ? {
              [ALARM_FOR_ANNOTATION]: c.alarmFor,
              [ALARM_THRESHOLD_ANNOTATION]: String(c.threshold.firedByAgeSeconds),
            }
          : undefined;
      new CustomResource(
        metadataName,
        {
          apiVersion: "monitoring.coreos.com/v1",
          kind: "PrometheusRule",
          metadata: { name: metadataName, namespace, labels, ...(annotations ? { annotations } : {}) },
          spec: { groups: [c.group] },
        },
        { parent: this, provider },
      );
      return {
        control: c.control,
        kind: c.kind,
        prometheusRule: metadataName,
        disruptions: [...c.disruptions],
        ...(c.threshold
          ? {
              thresholdSeconds: c.threshold.thresholdSeconds,
              firedByAgeSeconds: c.threshold.firedByAgeSeconds,
            }
          : {}),
        alerts: c.group.rules.flatMap((r) => (r.alert !== undefined ? [r.alert] : [])),
      };
    });

    if ((args.postgresSubscriptions ?? []).length > 0) {
      this.postgresExporterQueries = POSTGRES_EXPORTER_QUERIES;
      // Mount it into postgres_exporter and point `--extend.query-path` (PG_EXPORTER_EXTEND_QUERY_PATH) at it.
      new ConfigMap(
        `${name}-postgres-exporter-queries`,
        {
          metadata: { name: `${name}-postgres-exporter-queries`, namespace, labels },
          data: { "queries.yaml": POSTGRES_EXPORTER_QUERIES },
        },
        { parent: this, provider },
      );
    }

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      cluster,
      namespace,
      rpoTargetSeconds: plan.context?.rpoTargetSeconds,
      rtoTargetSeconds: plan.context?.rtoTargetSeconds,
      controls: this.controls,
    });
  }
}
