// Measured restore times: a restore drill's measured time replaces the estimate of a restore step, while
// the measurement is recent enough to say something about the data as it is now.
//
// Fail closed, both ways: a measurement that cannot be validated is an error (never silently ignored), and
// a restore is never assumed faster than it was last measured — a stale measurement longer than the
// estimate still replaces it; only a stale, faster one gives way to the estimate.
import { DRILL_KINDS, DrillKind } from "./drills";
import { DISRUPTIONS, Disruption } from "./policy";
import { RtoTerms, Term, formatDuration } from "./estimate";
import { closestName } from "./names";

/** A restore time a drill measured, as a pipeline feeds it (`drkit drills report --policy-config-snippet`). */
export interface MeasuredRestore {
  readonly service: string;
  /** what was restored: the restore step of that kind is replaced */
  readonly kind: DrillKind;
  /** the disruption it stands for; omitted: every disruption whose recovery restores that kind */
  readonly disruption?: Disruption;
  /** restore to a verified target, seconds (`DrillResult.restoreSeconds`) */
  readonly restoreSeconds: number;
  /** when the drill ran, ISO 8601 UTC (`DrillResult.startedAt`) */
  readonly measuredAt: string;
  /** where the drill's record is, e.g. `s3://records/drills/orders/velero/2026-11-20T03:00:00Z.json` */
  readonly evidence: string;
}

/**
 * How many days a measurement counts, per tier. A tier's drills run at least this often (critical
 * monthly, important quarterly, standard twice a year): an older measurement means drills stopped or
 * fail, and the data has grown since. A tier not listed gets the strictest, 30.
 */
export const DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS: Readonly<Record<string, number>> = {
  critical: 30,
  important: 90,
  standard: 180,
};
const STRICTEST_MAX_AGE_DAYS = Math.min(...Object.values(DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS));
const MAX_AGE_LIMIT_DAYS = 366;

/** A restore term: a rule marks the action that restores a backup, which a drill of `kind` measures. */
export interface RestoreTerm extends Term {
  readonly restoreOf: DrillKind;
}
export const restoreTerm = (restoreOf: DrillKind, seconds: number, why: string): RestoreTerm => ({
  seconds,
  why,
  restoreOf,
});

const MEASURED_KEYS = ["service", "kind", "disruption", "restoreSeconds", "measuredAt", "evidence"];
/** ISO 8601 UTC with a zone: a date alone would hide the hour the window is judged by. */
const ISO_UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const DAY_MS = 86_400_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Problems of one `measuredRestores[i]` entry, judged at `latest` (a measurement cannot be from the future). */
function entryProblems(entry: unknown, at: string, latest: Date): string[] {
  if (!isObject(entry)) return [`\`${at}\` must be an object (got ${JSON.stringify(entry)})`];
  const problems: string[] = [];
  for (const key of Object.keys(entry)) {
    if (!MEASURED_KEYS.includes(key)) {
      const close = closestName(key, MEASURED_KEYS);
      problems.push(
        `\`${at}.${key}\` is not a field of a measured restore${close ? ` (did you mean \`${close}\`?)` : ""} (fields: ${MEASURED_KEYS.join(", ")})`,
      );
    }
  }
  for (const key of ["service", "evidence"] as const) {
    if (typeof entry[key] !== "string" || (entry[key] as string).trim() === "")
      problems.push(
        `\`${at}.${key}\` is required, a non-empty string (got ${JSON.stringify(entry[key] ?? null)})`,
      );
  }
  if (!(DRILL_KINDS as readonly unknown[]).includes(entry.kind))
    problems.push(
      `\`${at}.kind\` must be one of ${DRILL_KINDS.join(", ")} (got ${JSON.stringify(entry.kind ?? null)})`,
    );
  if (entry.disruption !== undefined && !(DISRUPTIONS as readonly unknown[]).includes(entry.disruption))
    problems.push(
      `\`${at}.disruption\` must be one of ${DISRUPTIONS.join(", ")} or omitted (got ${JSON.stringify(entry.disruption)})`,
    );
  const seconds = entry.restoreSeconds;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds <= 0)
    problems.push(
      `\`${at}.restoreSeconds\` must be a number of seconds > 0, as the drill measured it (got ${JSON.stringify(seconds ?? null)})`,
    );
  const when = entry.measuredAt;
  if (typeof when !== "string" || !ISO_UTC_TIME.test(when) || Number.isNaN(Date.parse(when)))
    problems.push(
      `\`${at}.measuredAt\` must be an ISO 8601 UTC time such as 2026-11-20T03:00:00Z, the drill's startedAt (got ${JSON.stringify(when ?? null)})`,
    );
  else if (Date.parse(when) > latest.getTime())
    problems.push(
      `\`${at}.measuredAt\` ${when} is in the future (judged at ${latest.toISOString()}): a measurement is of a drill that ran`,
    );
  return problems;
}

/** Every problem with `measuredRestores` and `measuredRestoreMaxAgeDays` that needs no graph. */
export function measuredRestoreConfigProblems(
  measured: unknown,
  maxAgeDays: unknown,
  latest: Date,
): string[] {
  const problems: string[] = [];
  if (measured !== undefined) {
    if (!Array.isArray(measured))
      problems.push(`\`measuredRestores\` must be a list (got ${JSON.stringify(measured)})`);
    else measured.forEach((m, i) => problems.push(...entryProblems(m, `measuredRestores[${i}]`, latest)));
  }
  const days = (v: unknown) =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_AGE_LIMIT_DAYS;
  const bound = `a whole number of days from 1 to ${MAX_AGE_LIMIT_DAYS}`;
  if (maxAgeDays !== undefined && typeof maxAgeDays !== "number" && !isObject(maxAgeDays))
    problems.push(
      `\`measuredRestoreMaxAgeDays\` must be ${bound} for every tier, or an object of tier to days (got ${JSON.stringify(maxAgeDays)})`,
    );
  else if (typeof maxAgeDays === "number" && !days(maxAgeDays))
    problems.push(`\`measuredRestoreMaxAgeDays\` must be ${bound} (got ${JSON.stringify(maxAgeDays)})`);
  else if (isObject(maxAgeDays))
    for (const [tier, value] of Object.entries(maxAgeDays))
      if (!days(value))
        problems.push(
          `\`measuredRestoreMaxAgeDays.${tier}\` must be ${bound} (got ${JSON.stringify(value)})`,
        );
  return problems;
}

/** Days a measurement counts for `tier`, from the config (a number: every tier) over the defaults. */
export function measuredRestoreMaxAgeDays(
  config: number | Readonly<Record<string, number>> | undefined,
  tier: string,
): number {
  if (typeof config === "number") return config;
  return config?.[tier] ?? DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS[tier] ?? STRICTEST_MAX_AGE_DAYS;
}

/** Problems of measurements that name no service of the stack, or no restore it has (graph known). */
export function unmatchedMeasurementProblems(
  measured: readonly MeasuredRestore[],
  restoresByService: ReadonlyMap<string, ReadonlySet<string>>,
): string[] {
  const services = [...restoresByService.keys()];
  return measured.flatMap((m, i) => {
    const at = `measuredRestores[${i}]`;
    const restores = restoresByService.get(m.service);
    if (restores === undefined) {
      const close = closestName(m.service, services);
      return [
        `\`${at}.service\` "${m.service}" is not a service of the stack${close ? ` (did you mean \`${close}\`?)` : ""}: correct it, or remove the measurement`,
      ];
    }
    const wanted = m.disruption === undefined ? m.kind : `${m.kind}/${m.disruption}`;
    if (
      m.disruption === undefined
        ? [...restores].some((r) => r.startsWith(`${m.kind}/`))
        : restores.has(wanted)
    )
      return [];
    const modelled = [...restores].sort().join(", ");
    return [
      `\`${at}\` (${wanted}) matches no restore drkit models for ${m.service}${modelled ? ` (its restores: ${modelled})` : " (it has no restore of a backup)"}: correct its kind or disruption, or remove it`,
    ];
  });
}

const day = (iso: string) => iso.slice(0, 10);

/**
 * The restore terms of `rto` with the measurement applied, and the sentence that says what was done; the
 * terms unchanged (and no sentence) when no measurement matches. `instants`: the moments judged (now, and
 * the assessment date); a measurement is stale when it is too old at any of them.
 */
export function applyMeasuredRestore(
  rto: RtoTerms,
  match: { service: string; tier: string; disruption: Disruption },
  measured: readonly MeasuredRestore[],
  maxAgeDays: number,
  instants: readonly Date[],
): { rto: RtoTerms; line?: string } {
  const action = rto.action as Partial<RestoreTerm>;
  const kind = action.restoreOf;
  if (kind === undefined) return { rto };
  const candidates = measured.filter(
    (m) =>
      m.service === match.service &&
      m.kind === kind &&
      (m.disruption === undefined || m.disruption === match.disruption),
  );
  if (candidates.length === 0) return { rto };
  const ageDays = (m: MeasuredRestore) =>
    Math.max(...instants.map((at) => (at.getTime() - Date.parse(m.measuredAt)) / DAY_MS));
  const fresh = candidates.filter((m) => ageDays(m) <= maxAgeDays);
  const window = `a measurement counts for ${maxAgeDays} days in tier ${match.tier}`;
  const what = (m: MeasuredRestore) => `the ${kind} drill of ${m.measuredAt} (evidence ${m.evidence})`;
  const slowest = (list: readonly MeasuredRestore[]) =>
    list.reduce((a, b) => (b.restoreSeconds > a.restoreSeconds ? b : a));
  const estimate = `the estimate of ${action.seconds} s`;
  const replaced = (m: MeasuredRestore, why: string): RtoTerms => ({
    ...rto,
    action: restoreTerm(
      kind,
      m.restoreSeconds,
      `${why}, measured by the drill of ${day(m.measuredAt)} (evidence ${m.evidence})`,
    ),
  });
  const restoreWhy = action.why ?? "restore";
  // The RTO is a worst case: of the recent measurements, the slowest.
  if (fresh.length > 0) {
    const m = slowest(fresh);
    return {
      rto: replaced(m, restoreWhy),
      line: `The restore step is measured: ${m.restoreSeconds} s (${formatDuration(m.restoreSeconds)}) by ${what(m)}, in place of ${estimate}${fresh.length > 1 ? `; the slowest of ${fresh.length} recent drills` : ""} (${window}).`,
    };
  }
  const newest = candidates.reduce((a, b) => (Date.parse(b.measuredAt) > Date.parse(a.measuredAt) ? b : a));
  const stale = `The measurement of ${what(newest)} is stale: ${Math.floor(ageDays(newest))} days old, and ${window}`;
  const longest = slowest(candidates);
  if (longest.restoreSeconds > (action.seconds ?? 0))
    return {
      rto: replaced(longest, restoreWhy),
      line: `${stale}. But ${what(longest)} measured ${longest.restoreSeconds} s, longer than ${estimate}, so the measurement is used: a restore is never assumed faster than it was measured.`,
    };
  return { rto, line: `${stale}, so ${estimate} is used.` };
}
