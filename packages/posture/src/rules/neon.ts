// Neon Postgres: point-in-time restore inside the history window for software disruptions, Neon's own
// multi-AZ storage for hardware and zone, and a logically replicated standby project for region. The loss
// of the project itself (deleted, or the account compromised) is a software disruption too: the history
// window and the standby go with it, and only an off-platform backup (NeonBackup's CronJob) bounds it.
import type { GraphResource } from "../graph";
import { GraphIndex, PropertyReader, ServiceGroup } from "../graphIndex";
import type { ActionEstimates } from "../policy";
import {
  ALARM_FOR_ANNOTATION,
  ALARM_THRESHOLD_ANNOTATION,
  BACKUP_OF_ANNOTATION,
  METRIC_ALARM_TYPE,
  PROMETHEUS_RULE_TYPE,
} from "../labels";
import { Estimate, NO_TIME, formatDuration, term } from "../estimate";
import type { FactKey } from "../facts";
import { restoreTerm } from "../measuredRestore";
import { manualRecovery, Rule, RuleContext } from "./context";
import { scheduleGapSeconds } from "./cronGap";
import { bucketLimit, judgeRetention } from "./retention";
import { BUCKET } from "./s3";

export const NEON_PROJECT = "neon:index/project:Project";
export const NEON_GEO_REPLICA = "drkit:index:NeonGeoReplica";
export const NEON_BACKUP = "drkit:index:NeonBackup";
const CRON_JOB = "kubernetes:batch/v1:CronJob";

/** History window limits per plan, seconds (dr-facts [N1]). */
export const NEON_PLAN_HISTORY_LIMIT_SECONDS = { free: 21_600, launch: 604_800, scale: 2_592_000 } as const;
const LIMIT_BY_PLAN: Readonly<Record<string, number | undefined>> = NEON_PLAN_HISTORY_LIMIT_SECONDS;
/** What Neon keeps when `historyRetentionSeconds` is not set: one day. */
export const NEON_DEFAULT_HISTORY_SECONDS = 86_400;

/** A resource annotated or tagged as an alarm for a data source, and whether the model credits it. */
interface DeployedAlarm {
  readonly alarm: GraphResource;
  readonly thresholdSeconds: number | undefined;
  /** why it bounds nothing, when it does not: not an alarm kind, no alerting rule, no one notified */
  readonly refused: string | undefined;
  /** values unknown in preview that decide whether it is an alarm */
  readonly unknown: readonly string[];
}

/**
 * Why `r` does not alert, or undefined when it does: only a PrometheusRule with an alerting rule or a
 * CloudWatch alarm that notifies someone is an alarm; an annotation on anything else is a claim.
 */
function notAnAlarm(r: GraphResource, read: PropertyReader): string | undefined {
  if (r.type === PROMETHEUS_RULE_TYPE) {
    const alerts = read
      .list("spec.groups")
      .flatMap((group) => read.list("rules", group, "spec.groups[].rules"))
      .filter((rule) => typeof read.get("alert", rule, "spec.groups[].rules[].alert") === "string");
    return alerts.length > 0 ? undefined : "it has no alerting rule";
  }
  if (r.type === METRIC_ALARM_TYPE) {
    if (read.get("actionsEnabled") === false) return "its actions are disabled";
    return read.list("alarmActions").length > 0 ? undefined : "it has no alarm action: it notifies no one";
  }
  return `it is a ${r.type}, not an alarm (a PrometheusRule with an alerting rule, or a CloudWatch MetricAlarm with an action)`;
}

/** The deployed alarms by what they watch (URN or name): resources annotated or tagged `drkit.dev/alarm-for`. */
function deployedAlarms(index: GraphIndex): Map<string, DeployedAlarm[]> {
  return index.memo("alarms-by-target", () => {
    const byTarget = new Map<string, DeployedAlarm[]>();
    for (const r of index.graph.resources) {
      const read = new PropertyReader(r);
      for (const path of ["metadata.annotations", "tags"]) {
        const bag = read.get(path);
        if (typeof bag !== "object" || bag === null || Array.isArray(bag)) continue;
        const target = bag[ALARM_FOR_ANNOTATION];
        if (typeof target !== "string") continue;
        const threshold = Number(bag[ALARM_THRESHOLD_ANNOTATION]);
        const thresholdSeconds = Number.isFinite(threshold) && threshold > 0 ? threshold : undefined;
        const check = new PropertyReader(r);
        const refused =
          notAnAlarm(r, check) ??
          (thresholdSeconds === undefined
            ? `its \`${ALARM_THRESHOLD_ANNOTATION}\` is not a number of seconds above 0`
            : undefined);
        const list = byTarget.get(target) ?? [];
        list.push({ alarm: r, thresholdSeconds, refused, unknown: check.unknown });
        byTarget.set(target, list);
      }
    }
    return byTarget;
  });
}

/** A database: its primary project, the standby that follows it and the component that made them. */
interface NeonDatabase {
  readonly primary: GraphResource;
  readonly standby: GraphResource | undefined;
  readonly component: GraphResource | undefined;
}

/**
 * Every database of the service: one per NeonGeoReplica (its primary and standby projects), and one per
 * project that no component groups. Each is assessed; the worst bounds the service.
 */
function databasesOf(service: ServiceGroup): NeonDatabase[] {
  const projects = service.resources.filter((r) => r.type === NEON_PROJECT);
  const components = service.resources.filter((r) => r.type === NEON_GEO_REPLICA);
  const regionOf = (p: GraphResource) => new PropertyReader(p).string("regionId");
  const grouped = new Set<GraphResource>();
  const databases: NeonDatabase[] = [];
  for (const component of components) {
    const c = new PropertyReader(component);
    const children = projects.filter((p) => p.parent === component.urn);
    const [first] = children;
    if (first === undefined) continue;
    const primaryRegionId = c.string("primaryRegionId");
    const standbyRegionId = c.string("standbyRegionId");
    const primary =
      children.find((p) => primaryRegionId !== undefined && regionOf(p) === primaryRegionId) ?? first;
    const standby = children.find(
      (p) =>
        p !== primary &&
        regionOf(p) !== undefined &&
        regionOf(p) !== regionOf(primary) &&
        (standbyRegionId === undefined || regionOf(p) === standbyRegionId),
    );
    children.forEach((p) => grouped.add(p));
    databases.push({ primary, standby, component });
  }
  for (const project of projects) {
    if (!grouped.has(project)) databases.push({ primary: project, standby: undefined, component: undefined });
  }
  return databases;
}

export const neonRule: Rule = (context) =>
  databasesOf(context.service).flatMap((database) => assessDatabase(context, database));

/** What an off-platform backup bounds: the loss of everything Neon holds of the database. */
interface BackupBound {
  readonly rpoSeconds: number;
  readonly lines: string[];
  readonly facts: FactKey[];
  readonly basis: string[];
  readonly unknown: string[];
}

function annotationOf(resource: GraphResource, key: string): string | undefined {
  const annotations = new PropertyReader(resource).get("metadata.annotations");
  const value =
    typeof annotations === "object" && annotations !== null && !Array.isArray(annotations)
      ? annotations[key]
      : undefined;
  return typeof value === "string" ? value : undefined;
}

/**
 * The best bound the deployed off-platform backups of `database` give: the CronJobs of the service's
 * NeonBackup components annotated `drkit.dev/backup-of: <database>`, each credited with its cron's longest
 * gap only through a bucket its inputs are computed from, whose lifecycle keeps a backup until a
 * disruption is noticed. A NeonBackup without its CronJob in the graph, a job without a schedule or a
 * bucket, bounds nothing (fail closed).
 */
function offPlatformBackup(
  context: RuleContext,
  database: string | undefined,
  neonRegion: string | undefined,
): BackupBound {
  const { index, service, policy } = context;
  const detection = policy.estimates.incidentDetectionSeconds;
  const named = `database \`${database ?? "unknown"}\``;
  const components = service.resources.filter(
    (r) => r.type === NEON_BACKUP && new PropertyReader(r).string("database") === database,
  );
  const jobs = index
    .ofType(CRON_JOB)
    .filter(
      (job) =>
        database !== undefined &&
        annotationOf(job, BACKUP_OF_ANNOTATION) === database &&
        index.byUrn.get(job.parent ?? "")?.type === NEON_BACKUP &&
        components.some((c) => c.urn === job.parent),
    );
  const none = (lines: string[], basis: string[] = [], unknown: string[] = []): BackupBound => ({
    rpoSeconds: Infinity,
    lines,
    facts: ["neonProjectLoss"],
    basis,
    unknown,
  });
  if (jobs.length === 0)
    return none(
      components.length > 0
        ? [
            `NeonBackup ${components.map((c) => c.name).join(", ")} is declared for ${named}, but no backup CronJob of it is in the graph: a backup that is not deployed bounds nothing.`,
          ]
        : [
            `No off-platform backup of ${named} is deployed (no CronJob of a NeonBackup annotated \`${BACKUP_OF_ANNOTATION}: ${database ?? "…"}\`): the project's loss loses the database, so nothing bounds it.`,
          ],
      components.map((c) => c.urn),
    );
  const bounds = jobs.map((job): BackupBound => {
    const read = new PropertyReader(job);
    const cron = read.string("spec.schedule");
    if (cron === undefined)
      return none(
        [`The backup CronJob ${job.name} has no schedule: it takes no backups.`],
        [job.urn],
        read.unknown,
      );
    const buckets = [
      ...new Map(
        Object.keys(job.propertyDependencies)
          .flatMap((key) => index.dependenciesOf(job, key, BUCKET))
          .map((b) => [b.urn, b]),
      ).values(),
    ];
    if (buckets.length === 0)
      return none(
        [
          `No input of the backup CronJob ${job.name} is computed from a bucket in this stack: drkit cannot see where its archives go or how long they are kept, so they are not credited.`,
        ],
        [job.urn],
        read.unknown,
      );
    const gap = scheduleGapSeconds(job, "spec.schedule", cron);
    const perBucket = buckets.map((bucket): BackupBound => {
      const bucketRegion = index.regionOf(bucket);
      const kept = judgeRetention([bucketLimit(context, bucket)], gap, detection);
      const where =
        bucketRegion === undefined
          ? "in an unknown region"
          : neonRegion !== undefined && `aws-${bucketRegion}` === neonRegion
            ? `in ${bucketRegion}, the database's own region (a region loss could take both; the project's loss cannot)`
            : `in ${bucketRegion}, outside the database's region${neonRegion ? ` (${neonRegion})` : ""}`;
      return {
        rpoSeconds: kept.kept ? gap : Infinity,
        lines: [
          `The backup CronJob ${job.name} (NeonBackup) dumps ${named} with pg_dump from one exported snapshot, checks that the archive reads back and records its sha256 and per-table counts, on "${cron}": the longest gap is ${gap} s (${formatDuration(gap)}).`,
          `Its archives go to bucket ${bucket.name} ${where} (an input of the CronJob is computed from it).`,
          ...kept.lines,
        ],
        facts: ["neonProjectLoss", "pgDumpSnapshot", ...kept.facts],
        basis: [job.urn, bucket.urn, ...kept.basis],
        unknown: [...read.unknown, ...kept.unknown],
      };
    });
    // A job that may write to several buckets is judged by the worst of them.
    return perBucket.reduce((worst, b) => (b.rpoSeconds > worst.rpoSeconds ? b : worst));
  });
  // Any one credited backup suffices: the best bounds the loss.
  return bounds.reduce((best, b) => (b.rpoSeconds < best.rpoSeconds ? b : best));
}

function assessDatabase(context: RuleContext, db: NeonDatabase): Estimate[] {
  const { index } = context;
  const e: ActionEstimates = context.policy.estimates;
  const { primary, standby, component } = db;
  const c = component ? new PropertyReader(component) : undefined;
  const plan = c?.string("plan");
  const requestedAlarm = c?.number("replicationLagAlarmSeconds");
  const read = new PropertyReader(primary);
  const primaryRegion = read.string("regionId");
  const name = `Neon ${primary.name} (${primaryRegion ?? "region unknown"})`;
  const subject = primary.urn;
  const basis = [subject, ...(standby ? [standby.urn] : []), ...(component ? [component.urn] : [])];
  const estimates: Estimate[] = [];

  // Software: point-in-time restore reaches back as far as the history window.
  const requested = read.number("historyRetentionSeconds") ?? NEON_DEFAULT_HISTORY_SECONDS;
  const limit = plan !== undefined ? LIMIT_BY_PLAN[plan] : undefined;
  const window = limit !== undefined ? Math.min(requested, limit) : requested;
  const lines = [
    `The history window is ${requested} s${read.number("historyRetentionSeconds") === undefined ? " (Neon's default)" : ""}.`,
  ];
  if (limit !== undefined && requested > limit) {
    lines.push(
      `That exceeds the ${plan} plan's limit of ${limit} s: Neon refuses it, so the model counts ${limit} s.`,
    );
  } else if (limit === undefined) {
    lines.push(
      "The plan is not known (no NeonGeoReplica component), so the window is not checked against a plan limit.",
    );
  }
  const caughtInTime = window >= e.incidentDetectionSeconds;
  const database = c?.string("database") ?? read.string("branch.databaseName");
  const backup = offPlatformBackup(context, database, primaryRegion);
  lines.push(
    caughtInTime
      ? `A bad write noticed within ${window} s is undone by restoring to just before it: RPO 0 s.`
      : `The window (${window} s) is shorter than the time to notice a bad write (${e.incidentDetectionSeconds} s, estimate \`incidentDetectionSeconds\`): the restore point is gone before anyone asks for it; only an off-platform backup reaches further back.`,
    "The loss of the Neon project itself (deleted, or the Neon account compromised) is counted as a software disruption: its history window goes with it, and so may the standby project, in the same account.",
    ...backup.lines,
  );
  // The worst case bounds the disruption: a bad write (PITR, or the backup beyond the window) and the
  // project's loss (the backup).
  const historyRpo = caughtInTime ? 0 : backup.rpoSeconds;
  const softwareRpo = Math.max(historyRpo, backup.rpoSeconds);
  lines.push(
    Number.isFinite(softwareRpo)
      ? `Software RPO = ${softwareRpo} s, the worst of: a bad write ${historyRpo} s (${caughtInTime ? "point-in-time restore" : "the backup gap"}); the project's loss ${backup.rpoSeconds} s (the backup gap).`
      : "Nothing bounds the worst case: no RPO.",
  );
  estimates.push({
    component: name,
    subject,
    basis: [...basis, ...backup.basis],
    disruption: "software",
    rpoSeconds: softwareRpo,
    // Recovering from the project's loss restores the archive into a new project: the slowest case.
    rto: Number.isFinite(softwareRpo)
      ? manualRecovery(
          e,
          restoreTerm(
            "postgres",
            e.neonLogicalRestoreSeconds,
            "restore the newest pg_dump archive into a new Neon project and switch connection strings, estimate `neonLogicalRestoreSeconds`",
          ),
        )
      : Infinity,
    lines,
    facts: ["neonPitr", ...backup.facts.filter((f) => f !== "neonPitr")],
    unknown: [...read.unknown, ...(c?.unknown ?? []), ...backup.unknown],
  });
  for (const [disruption, seconds, what] of [
    ["hardware", 120, "a node failure: 1–2 min"],
    ["zone", 600, "an AZ failure: 1–10 min"],
  ] as const) {
    estimates.push({
      component: name,
      subject,
      basis,
      disruption,
      rpoSeconds: 0,
      rto: {
        detection: NO_TIME("Neon detects it"),
        decision: NO_TIME("automatic"),
        action: term(seconds, `Neon recovers ${what}`),
        propagation: NO_TIME("same endpoint"),
      },
      lines: [
        `Committed WAL is kept on safekeepers in several zones: nothing committed is lost; Neon recovers ${what}.`,
      ],
      facts: ["neonHa"],
      unknown: [],
    });
  }
  const logical = read.string("enableLogicalReplication") === "yes";
  const standbyRegion = standby ? new PropertyReader(standby).string("regionId") : undefined;
  const regionLines: string[] = [];
  let rpo = Infinity;
  // Only an alarm that is in the graph bounds the lag; the component's argument is an intention.
  const annotated = [
    ...(deployedAlarms(index).get(primary.urn) ?? []),
    ...(deployedAlarms(index).get(primary.name) ?? []),
    ...(component ? (deployedAlarms(index).get(component.urn) ?? []) : []),
  ];
  const alarmUnknown = annotated.flatMap((a) => a.unknown);
  const alarm = annotated
    .filter((a) => a.refused === undefined && a.unknown.length === 0)
    .reduce<DeployedAlarm | undefined>(
      (best, a) =>
        best === undefined || (a.thresholdSeconds ?? Infinity) < (best.thresholdSeconds ?? Infinity)
          ? a
          : best,
      undefined,
    );
  const refusals = annotated
    .filter((a) => a.refused !== undefined)
    .map((a) => `${a.alarm.name} is annotated \`${ALARM_FOR_ANNOTATION}\` but bounds nothing: ${a.refused}.`);
  if (!standby) {
    regionLines.push(
      `No standby project in another region: Neon has no cross-region replica, so a region loss loses the database.`,
    );
  } else if (!logical) {
    regionLines.push(
      `Standby ${standby.name} exists, but the primary does not enable logical replication, so nothing feeds it.`,
    );
  } else if (alarm?.thresholdSeconds === undefined) {
    regionLines.push(...refusals);
    regionLines.push(
      `Standby ${standby.name} in ${standbyRegion ?? "another region"} is fed by logical replication, but no deployed alarm watches its lag${requestedAlarm !== undefined && refusals.length === 0 ? ` (the component asks for one at ${requestedAlarm} s, but no resource in the graph is annotated \`${ALARM_FOR_ANNOTATION}: ${primary.name}\`)` : ""}: replication can stall or lose its slot unnoticed, so nothing bounds the loss.`,
    );
  } else {
    rpo = alarm.thresholdSeconds;
    basis.push(alarm.alarm.urn);
    regionLines.push(
      `Standby ${standby.name} in ${standbyRegion ?? "another region"} is fed by logical replication; the deployed alarm ${alarm.alarm.name} (${alarm.alarm.type}) has fired by the time the lag reaches ${alarm.thresholdSeconds} s, which bounds the loss.`,
    );
  }
  if (standby && logical)
    regionLines.push(
      "Schema changes and sequences do not replicate: promotion advances sequences past the primary's values.",
    );
  estimates.push({
    component: name,
    subject,
    basis,
    disruption: "region",
    rpoSeconds: rpo,
    rto:
      standby && logical
        ? manualRecovery(
            e,
            term(
              e.neonPromoteSeconds,
              "promote the standby and switch connection strings, estimate `neonPromoteSeconds`",
            ),
          )
        : Infinity,
    lines: regionLines,
    facts: standby ? ["neonNoCrossRegion", "neonLogicalReplication"] : ["neonNoCrossRegion"],
    unknown: [...read.unknown, ...(c?.unknown ?? []), ...(alarm === undefined ? alarmUnknown : [])],
  });
  return estimates;
}
