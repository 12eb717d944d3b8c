// Neon Postgres: point-in-time restore inside the history window for software disruptions, Neon's own
// multi-AZ storage for hardware and zone, and a logically replicated standby project for region.
import type { GraphResource } from "../graph";
import { GraphIndex, PropertyReader, ServiceGroup } from "../graphIndex";
import type { ActionEstimates } from "../policy";
import {
  ALARM_FOR_ANNOTATION,
  ALARM_THRESHOLD_ANNOTATION,
  METRIC_ALARM_TYPE,
  PROMETHEUS_RULE_TYPE,
} from "../labels";
import { Estimate, NO_TIME, term } from "../estimate";
import { manualRecovery, Rule } from "./context";

export const NEON_PROJECT = "neon:index/project:Project";
export const NEON_GEO_REPLICA = "drkit:index:NeonGeoReplica";

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

export const neonRule: Rule = ({ index, service, policy }) =>
  databasesOf(service).flatMap((database) => assessDatabase(index, policy.estimates, database));

function assessDatabase(index: GraphIndex, e: ActionEstimates, db: NeonDatabase): Estimate[] {
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
  lines.push(
    caughtInTime
      ? `A bad write noticed within ${window} s is undone by restoring to just before it: RPO 0 s.`
      : `The window (${window} s) is shorter than the time to notice a bad write (${e.incidentDetectionSeconds} s, estimate \`incidentDetectionSeconds\`): the restore point is gone before anyone asks for it, so nothing bounds the loss.`,
  );
  estimates.push({
    component: name,
    subject,
    basis,
    disruption: "software",
    rpoSeconds: caughtInTime ? 0 : Infinity,
    rto: caughtInTime
      ? manualRecovery(
          e,
          term(e.neonPitrRestoreSeconds, "point-in-time restore, estimate `neonPitrRestoreSeconds`"),
        )
      : Infinity,
    lines,
    facts: ["neonPitr"],
    unknown: [...read.unknown, ...(c?.unknown ?? [])],
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
