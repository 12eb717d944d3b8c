// What a rule says about one component under one disruption, and the arithmetic shared by all rules.
import type { Disruption } from "./policy";
import type { FactKey } from "./facts";

/** A time term of an RTO: seconds and why that many. */
export interface Term {
  readonly seconds: number;
  readonly why: string;
}

/** RTO as the sum of named terms (detection + decision + action + propagation). */
export interface RtoTerms {
  readonly detection: Term;
  readonly decision: Term;
  readonly action: Term;
  readonly propagation: Term;
}

export interface Estimate {
  /** what is estimated, e.g. `bucket orders-data (eu-west-1)` */
  readonly component: string;
  /** URN of the resource the estimate is about: waivers name it, the derivation cites it */
  readonly subject: string;
  /**
   * URNs of every resource the estimate relied on (the subject, its versioning, its replica, the health
   * check, the backup job, …): these count as assessed in the service's coverage.
   */
  readonly basis: readonly string[];
  readonly disruption: Disruption;
  /** seconds of data lost at worst; `Infinity`: nothing bounds it; `null`: holds no data */
  readonly rpoSeconds: number | null;
  /** the recovery's terms, or `Infinity` when no recovery path exists */
  readonly rto: RtoTerms | number;
  /** sentences a reviewer can check */
  readonly lines: readonly string[];
  readonly facts: readonly FactKey[];
  /** properties unknown until deploy that this estimate needed (`<urn> <path>`) */
  readonly unknown: readonly string[];
}

export function rtoSeconds(rto: RtoTerms | number): number {
  if (typeof rto === "number") return rto;
  return rto.detection.seconds + rto.decision.seconds + rto.action.seconds + rto.propagation.seconds;
}

export const term = (seconds: number, why: string): Term => ({ seconds, why });
export const NO_TIME = (why: string): Term => term(0, why);

/** `1h 5m`, `15m`, `90s`, `no bound` */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "no bound";
  if (seconds === 0) return "0s";
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [
    ["d", 86_400],
    ["h", 3_600],
    ["m", 60],
    ["s", 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(" ");
}

/** `RTO = detection 90 s (…) + decision 0 s (…) + … = 150 s` */
export function describeRto(rto: RtoTerms | number): string {
  if (typeof rto === "number") return "RTO: no bound (no recovery path).";
  const part = (name: string, t: Term) => `${name} ${t.seconds} s (${t.why})`;
  return `RTO = ${part("detection", rto.detection)} + ${part("decision", rto.decision)} + ${part("action", rto.action)} + ${part("propagation", rto.propagation)} = ${rtoSeconds(rto)} s.`;
}
