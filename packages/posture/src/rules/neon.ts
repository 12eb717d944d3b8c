// Neon Postgres: point-in-time restore inside the history window for software disruptions, Neon's own
// multi-AZ storage for hardware and zone, and a logically replicated standby project for region.
import type { GraphResource } from "../graph";
import { PropertyReader } from "../graphIndex";
import { Estimate, NO_TIME, term } from "../estimate";
import { manualRecovery, Rule } from "./context";

export const NEON_PROJECT = "neon:index/project:Project";
export const NEON_GEO_REPLICA = "drkit:index:NeonGeoReplica";

/** History window limits per plan, seconds (dr-facts [N1]). */
export const NEON_PLAN_HISTORY_LIMIT_SECONDS = { free: 21_600, launch: 604_800, scale: 2_592_000 } as const;
const LIMIT_BY_PLAN: Readonly<Record<string, number | undefined>> = NEON_PLAN_HISTORY_LIMIT_SECONDS;
/** What Neon keeps when `historyRetentionSeconds` is not set: one day. */
export const NEON_DEFAULT_HISTORY_SECONDS = 86_400;

export const neonRule: Rule = ({ service, policy }) => {
  const e = policy.estimates;
  const projects = service.resources.filter((r) => r.type === NEON_PROJECT);
  const [firstProject] = projects;
  if (firstProject === undefined) return [];
  const component = service.resources.find((r) => r.type === NEON_GEO_REPLICA);
  const c = component ? new PropertyReader(component) : undefined;
  const plan = c?.string("plan");
  const primaryRegionId = c?.string("primaryRegionId");
  const standbyRegionId = c?.string("standbyRegionId");
  const lagAlarm = c?.number("replicationLagAlarmSeconds");
  const regionOf = (p: GraphResource) => new PropertyReader(p).string("regionId");
  const primary =
    projects.find((p) => primaryRegionId !== undefined && regionOf(p) === primaryRegionId) ?? firstProject;
  const read = new PropertyReader(primary);
  const primaryRegion = read.string("regionId");
  const standby = projects.find(
    (p) =>
      p !== primary &&
      regionOf(p) !== undefined &&
      regionOf(p) !== primaryRegion &&
      (standbyRegionId === undefined || regionOf(p) === standbyRegionId),
  );
  const name = `Neon ${primary.name} (${primaryRegion ?? "region unknown"})`;
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
      : `The window (${window} s) is shorter than the time to notice a bad write (${e.incidentDetectionSeconds} s): the restore point may be gone.`,
  );
  estimates.push({
    component: name,
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
  const regionLines: string[] = [];
  let rpo = Infinity;
  if (!standby) {
    regionLines.push(
      `No standby project in another region: Neon has no cross-region replica, so a region loss loses the database.`,
    );
  } else if (!logical) {
    regionLines.push(
      `Standby ${standby.name} exists, but the primary does not enable logical replication, so nothing feeds it.`,
    );
  } else if (lagAlarm === undefined) {
    regionLines.push(
      `Standby ${standby.name} in ${regionOf(standby)} is fed by logical replication, but no lag alarm bounds the lag: replication can stall or lose its slot unnoticed.`,
    );
  } else {
    rpo = lagAlarm;
    regionLines.push(
      `Standby ${standby.name} in ${regionOf(standby)} is fed by logical replication; the lag alarm fires at ${lagAlarm} s, which bounds the loss.`,
    );
  }
  if (standby && logical)
    regionLines.push(
      "Schema changes and sequences do not replicate: promotion advances sequences past the primary's values.",
    );
  estimates.push({
    component: name,
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
    unknown: [...read.unknown, ...(c?.unknown ?? [])],
  });
  return estimates;
};
