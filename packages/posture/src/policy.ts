// Targets, time estimates and waivers: what the model measures a configuration against.

/** AWS Resilience Hub's four disruption types. */
export const DISRUPTIONS = ["software", "hardware", "zone", "region"] as const;
export type Disruption = (typeof DISRUPTIONS)[number];

export const DISRUPTION_MEANING: Record<Disruption, string> = {
  software: "bad deploy, data corruption or accidental deletion",
  hardware: "loss of a node or instance",
  zone: "loss of an Availability Zone",
  region: "loss of a whole region",
};

export interface Target {
  readonly rpoSeconds: number;
  readonly rtoSeconds: number;
}

/** Targets of one tier; a disruption left out has no target (status `MissingPolicy`). */
export type TierTargets = Partial<Record<Disruption, Target>>;

/** How long the manual and automatic steps of a recovery take. Every value is an assumption to tune. */
export interface ActionEstimates {
  /** from the start of a disruption without a health check until an alarm pages someone. @default 300 */
  readonly incidentDetectionSeconds: number;
  /** for a manual switch: from the page until a human decides to fail over. @default 900 */
  readonly operatorDecisionSeconds: number;
  /** a Route 53 record change (control plane, us-east-1) until it is served. @default 60 */
  readonly dnsChangeSeconds: number;
  /** an ARC routing-control flip through a cluster endpoint. @default 30 */
  readonly routingControlSwitchSeconds: number;
  /** restoring objects from previous versions after a bad write. @default 1800 */
  readonly s3VersionRestoreSeconds: number;
  /** pointing applications at the replica bucket. @default 300 */
  readonly s3ReplicaSwitchSeconds: number;
  /** rescheduling pods and re-attaching volumes after a node loss. @default 300 */
  readonly podRescheduleSeconds: number;
  /** a Velero restore of the service's namespaces. @default 1800 */
  readonly veleroRestoreSeconds: number;
  /** Sentinel detecting the primary down and promoting a replica. @default 60 */
  readonly redisSentinelFailoverSeconds: number;
  /** loading the latest RDB backup into Redis. @default 600 */
  readonly redisRestoreSeconds: number;
  /** replica lag assumed for an in-cluster Redis replica. @default 1 */
  readonly redisReplicaLagSeconds: number;
  /** a Neon point-in-time restore. @default 300 */
  readonly neonPitrRestoreSeconds: number;
  /** promoting the Neon standby (disable subscription, advance sequences, switch connection strings). @default 600 */
  readonly neonPromoteSeconds: number;
  /**
   * restoring the newest off-platform pg_dump archive (NeonBackup) into a new Neon project and switching
   * connection strings; a Postgres restore drill's measured time replaces it. @default 1800
   */
  readonly neonLogicalRestoreSeconds: number;
  /**
   * promoting a Redis replica by hand when Sentinel cannot (its quorum did not survive): reach a surviving
   * sentinel, run `SENTINEL FAILOVER` (or `REPLICAOF NO ONE` on the chosen replica), check that clients
   * follow the new primary. A rehearsed runbook step of a few commands, so minutes, not the hour of a
   * restore. @default 300
   */
  readonly redisManualPromotionSeconds: number;
}

export interface Waiver {
  readonly service: string;
  /** the disruption waived; omitted: every disruption of the service */
  readonly disruption?: Disruption;
  /**
   * the resource (name or URN) whose shortfall is accepted; omitted: every breaching component of the
   * service. A resource drkit cannot assess (`NotAssessed`) is waived only by a waiver that names it.
   */
  readonly resource?: string;
  /** the worst RPO accepted, seconds; omitted: no limit. A breach worse than this is not waived. */
  readonly acceptedRpoSeconds?: number;
  /** the worst RTO accepted, seconds; omitted: no limit. */
  readonly acceptedRtoSeconds?: number;
  readonly owner: string;
  readonly reason: string;
  /** last day the waiver applies, `YYYY-MM-DD` (UTC) */
  readonly expires: string;
}

export interface ResiliencyPolicy {
  readonly tiers: Readonly<Record<string, TierTargets>>;
  readonly estimates: ActionEstimates;
  readonly waivers: readonly unknown[];
  /** how far past the day it is judged a waiver may run. @default 365 */
  readonly maximumWaiverDays: number;
}

/** What callers pass: everything optional; tiers given replace the defaults tier by tier. */
export interface ResiliencyPolicyInput {
  readonly tiers?: Readonly<Record<string, TierTargets>>;
  readonly estimates?: Partial<ActionEstimates>;
  readonly waivers?: readonly unknown[];
  readonly maximumWaiverDays?: number;
  /**
   * restore times drills measured (`MeasuredRestore`, checked in `assessGraph`): within
   * `measuredRestoreMaxAgeDays` they replace the estimate of the restore step
   */
  readonly measuredRestores?: readonly unknown[];
  /**
   * days a measured restore counts: one number for every tier, or per tier
   * @default - critical 30, important 90, standard 180, any other tier 30
   */
  readonly measuredRestoreMaxAgeDays?: number | Readonly<Record<string, number>>;
}

export const DEFAULT_MAXIMUM_WAIVER_DAYS = 365;

const every = (rpoSeconds: number, rtoSeconds: number): TierTargets =>
  Object.fromEntries(DISRUPTIONS.map((d) => [d, { rpoSeconds, rtoSeconds }]));

/** Default tiers: critical is the mission (RPO 5 min, RTO 60 min for every disruption). */
export const DEFAULT_TIER_TARGETS: Readonly<Record<string, TierTargets>> = {
  critical: every(300, 3_600),
  important: every(3_600, 14_400),
  standard: every(86_400, 86_400),
};

export const DEFAULT_ESTIMATES: ActionEstimates = {
  incidentDetectionSeconds: 300,
  operatorDecisionSeconds: 900,
  dnsChangeSeconds: 60,
  routingControlSwitchSeconds: 30,
  s3VersionRestoreSeconds: 1_800,
  s3ReplicaSwitchSeconds: 300,
  podRescheduleSeconds: 300,
  veleroRestoreSeconds: 1_800,
  redisSentinelFailoverSeconds: 60,
  redisRestoreSeconds: 600,
  redisReplicaLagSeconds: 1,
  neonPitrRestoreSeconds: 300,
  neonPromoteSeconds: 600,
  neonLogicalRestoreSeconds: 1_800,
  redisManualPromotionSeconds: 300,
};

export function defaultResiliencyPolicy(): ResiliencyPolicy {
  return {
    tiers: DEFAULT_TIER_TARGETS,
    estimates: DEFAULT_ESTIMATES,
    waivers: [],
    maximumWaiverDays: DEFAULT_MAXIMUM_WAIVER_DAYS,
  };
}

/** Thrown for a policy the model cannot use; lists every problem. */
export class InvalidPolicyError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the resiliency policy is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "InvalidPolicyError";
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const isSeconds = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v) && v >= 0;

/**
 * Every problem with a policy input (targets, estimates); waivers are checked one by one when they are
 * applied, because a bad waiver must not stop the assessment — it is reported and not applied.
 */
export function validateResiliencyPolicy(input: ResiliencyPolicyInput): string[] {
  const problems: string[] = [];
  if (input.tiers !== undefined && !isObject(input.tiers)) {
    problems.push(`\`tiers\` must be an object of tier name to targets (got ${JSON.stringify(input.tiers)})`);
  }
  for (const [tier, targets] of Object.entries(isObject(input.tiers) ? input.tiers : {})) {
    if (!isObject(targets) || Object.keys(targets).length === 0) {
      problems.push(
        `tier "${tier}" has no targets: give at least one of ${DISRUPTIONS.join(", ")} as { rpoSeconds, rtoSeconds }, or remove the tier`,
      );
      continue;
    }
    for (const [disruption, target] of Object.entries(targets)) {
      const at = `tiers.${tier}.${disruption}`;
      if (!(DISRUPTIONS as readonly string[]).includes(disruption)) {
        problems.push(`\`${at}\`: unknown disruption "${disruption}" (use ${DISRUPTIONS.join(", ")})`);
        continue;
      }
      for (const key of ["rpoSeconds", "rtoSeconds"] as const) {
        const value = isObject(target) ? target[key] : undefined;
        if (!isSeconds(value)) {
          problems.push(
            `\`${at}.${key}\` must be a number of seconds ≥ 0 (got ${JSON.stringify(value ?? null)})`,
          );
        }
      }
    }
  }
  for (const [key, value] of Object.entries(input.estimates ?? {})) {
    if (!(key in DEFAULT_ESTIMATES)) {
      problems.push(
        `\`estimates.${key}\` is not an estimate drkit knows (known: ${Object.keys(DEFAULT_ESTIMATES).join(", ")})`,
      );
    } else if (!isSeconds(value)) {
      problems.push(`\`estimates.${key}\` must be a number of seconds ≥ 0 (got ${JSON.stringify(value)})`);
    }
  }
  const maxDays = input.maximumWaiverDays;
  if (maxDays !== undefined && !(Number.isInteger(maxDays) && maxDays >= 1 && maxDays <= 3650)) {
    problems.push(
      `\`maximumWaiverDays\` must be a whole number of days from 1 to 3650 (got ${JSON.stringify(maxDays)}); omit it to use ${DEFAULT_MAXIMUM_WAIVER_DAYS}`,
    );
  }
  if (input.waivers !== undefined && !Array.isArray(input.waivers)) {
    problems.push(`\`waivers\` must be a list (got ${JSON.stringify(input.waivers)})`);
  }
  return problems;
}

/** The policy the model runs with: defaults, then the input on top. Throws `InvalidPolicyError`. */
export function resolveResiliencyPolicy(input: ResiliencyPolicyInput = {}): ResiliencyPolicy {
  const problems = validateResiliencyPolicy(input);
  if (problems.length > 0) throw new InvalidPolicyError(problems);
  return {
    tiers: { ...DEFAULT_TIER_TARGETS, ...(input.tiers ?? {}) },
    estimates: { ...DEFAULT_ESTIMATES, ...(input.estimates ?? {}) },
    waivers: input.waivers ?? [],
    maximumWaiverDays: input.maximumWaiverDays ?? DEFAULT_MAXIMUM_WAIVER_DAYS,
  };
}

// --- waivers

export type WaiverState = "applied" | "unused" | "expired" | "malformed";

export interface WaiverEvaluation {
  /** the waiver as given */
  readonly waiver: unknown;
  readonly state: WaiverState;
  /** why it was not applied (expired, malformed) or what it matched nothing of (unused) */
  readonly problems: readonly string[];
}

/** The first instant of a `YYYY-MM-DD` day (UTC), or undefined when it is not a real calendar date. */
export function calendarDay(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const start = Date.UTC(year, month - 1, day);
  const date = new Date(start);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day)
    return undefined;
  return start;
}

const DAY_MS = 86_400_000;
const WAIVER_KEYS = [
  "service",
  "disruption",
  "resource",
  "acceptedRpoSeconds",
  "acceptedRtoSeconds",
  "owner",
  "reason",
  "expires",
];

/**
 * Problems that make a waiver unusable: it must name service, owner, reason and a real expiry date no
 * further than `maximumWaiverDays` past `judgedOn`.
 */
export function waiverProblems(waiver: unknown, maximumWaiverDays: number, judgedOn: Date): string[] {
  if (!isObject(waiver)) return [`a waiver must be an object (got ${JSON.stringify(waiver)})`];
  const problems: string[] = [];
  for (const key of ["service", "owner", "reason"] as const) {
    if (typeof waiver[key] !== "string" || (waiver[key] as string).trim() === "") {
      problems.push(`\`${key}\` is required (got ${JSON.stringify(waiver[key] ?? null)})`);
    }
  }
  for (const key of Object.keys(waiver)) {
    if (!WAIVER_KEYS.includes(key)) {
      problems.push(`\`${key}\` is not a waiver field (fields: ${WAIVER_KEYS.join(", ")})`);
    }
  }
  if (waiver.disruption !== undefined && !(DISRUPTIONS as readonly unknown[]).includes(waiver.disruption)) {
    problems.push(
      `\`disruption\` must be one of ${DISRUPTIONS.join(", ")} or omitted (got ${JSON.stringify(waiver.disruption)})`,
    );
  }
  if (waiver.resource !== undefined && (typeof waiver.resource !== "string" || waiver.resource === "")) {
    problems.push(
      `\`resource\` must be a resource name or URN, or omitted (got ${JSON.stringify(waiver.resource)})`,
    );
  }
  for (const key of ["acceptedRpoSeconds", "acceptedRtoSeconds"] as const) {
    if (waiver[key] !== undefined && !isSeconds(waiver[key])) {
      problems.push(
        `\`${key}\` must be a number of seconds ≥ 0, or omitted (got ${JSON.stringify(waiver[key])})`,
      );
    }
  }
  const expiresDay = typeof waiver.expires === "string" ? calendarDay(waiver.expires) : undefined;
  if (expiresDay === undefined) {
    problems.push(
      `\`expires\` must be a real calendar date YYYY-MM-DD (got ${JSON.stringify(waiver.expires ?? null)})`,
    );
  } else {
    const latest = Math.floor(judgedOn.getTime() / DAY_MS) * DAY_MS + maximumWaiverDays * DAY_MS;
    if (expiresDay > latest) {
      problems.push(
        `\`expires\` ${String(waiver.expires)} is more than ${maximumWaiverDays} days after ${new Date(judgedOn).toISOString().slice(0, 10)}: a waiver is time-boxed; shorten it (or raise \`maximumWaiverDays\`)`,
      );
    }
  }
  return problems;
}

/** Whether a (well-formed) waiver has passed its last day (UTC) at `at`. */
export function isWaiverExpired(waiver: Waiver, at: Date): boolean {
  return at.getTime() >= (calendarDay(waiver.expires) ?? 0) + DAY_MS;
}
