// How long a backup store keeps a recovery point. A point helps only if it still exists when the
// disruption is noticed: retention must reach the gap between points plus the time to detect.
import type { GraphResource } from "../graph";
import type { GraphIndex } from "../graphIndex";
import { formatDuration } from "../estimate";
import type { FactKey } from "../facts";
import type { RuleContext } from "./context";
import { BUCKET, REPLICATION, objectRetention } from "./s3";

/** One thing that deletes recovery points: a backup TTL, a bucket's lifecycle rule. */
export interface RetentionLimit {
  /** seconds after it is taken that a point may be deleted (`Infinity`: never) */
  readonly seconds: number;
  /** the limit and its number, e.g. `TTL 1h (3600 s)` */
  readonly clause: string;
  readonly facts: readonly FactKey[];
  readonly basis: readonly string[];
  readonly unknown: readonly string[];
  /** say nothing when it keeps points forever (a bucket without lifecycle rules, beside a TTL) */
  readonly quiet?: boolean;
}

export interface RetentionJudgement {
  /** every limit keeps the point until the disruption is noticed */
  readonly kept: boolean;
  readonly lines: string[];
  readonly facts: FactKey[];
  readonly basis: string[];
  readonly unknown: string[];
}

/** Each limit against the gap between points plus detection, one line each, with the arithmetic. */
export function judgeRetention(
  limits: readonly RetentionLimit[],
  gapSeconds: number,
  detectionSeconds: number,
): RetentionJudgement {
  const needed = gapSeconds + detectionSeconds;
  const lines = limits.flatMap((limit) => {
    if (limit.seconds === Infinity) return limit.quiet ? [] : [`${limit.clause}: the backups are kept.`];
    const kept = limit.seconds >= needed;
    return [
      `${limit.clause}${limit.seconds === 0 ? " (0 s)" : ""} ${kept ? "≥" : "<"} gap ${gapSeconds} s + detection ${detectionSeconds} s (\`incidentDetectionSeconds\`): ${kept ? "the backup that predates a disruption still exists when it is noticed." : "the backup that predates a disruption is deleted before anyone can restore it: no bound."}`,
    ];
  });
  return {
    kept: limits.every((l) => l.seconds >= needed),
    lines,
    facts: [...new Set(limits.flatMap((l) => l.facts))],
    basis: limits.flatMap((l) => l.basis),
    unknown: limits.flatMap((l) => l.unknown),
  };
}

/** A time-to-live as a limit: `TTL 30d (2592000 s, why)`. */
export function ttlLimit(seconds: number, fact: FactKey, note?: string): RetentionLimit {
  return {
    seconds,
    clause: `TTL ${formatDuration(seconds)} (${seconds} s${note ? `, ${note}` : ""})`,
    facts: [fact],
    basis: [],
    unknown: [],
  };
}

/** What a bucket's lifecycle rules keep of the objects written to it (see `objectRetention`). */
export function bucketLimit(context: RuleContext, bucket: GraphResource, quiet = false): RetentionLimit {
  const retention = objectRetention(context, bucket);
  return {
    quiet,
    seconds: retention.seconds,
    clause: `Bucket ${bucket.name}: ${retention.line.replace(/\.$/, "")}`,
    facts: retention.facts,
    basis: retention.basis,
    unknown: retention.unknown,
  };
}

/** The buckets `bucket` replicates to (destinations of the replication configs computed from it). */
export function replicaBuckets(index: GraphIndex, bucket: GraphResource): GraphResource[] {
  return index
    .dependentsOf(bucket.urn, REPLICATION, "bucket")
    .flatMap((config) => index.dependenciesOf(config, "rules", BUCKET));
}

const GO_UNIT_SECONDS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3_600,
};

/**
 * Seconds in a Go duration (`720h`, `168h30m`, `1.5h`, `0`) as `time.ParseDuration` reads it, or
 * undefined when Go would refuse it. Negative durations are refused too: no TTL or period drkit reads may
 * be negative. The components validate their arguments with this same reader.
 */
export function goDurationSeconds(text: string): number | undefined {
  const body = text.startsWith("+") ? text.slice(1) : text;
  if (body === "0") return 0;
  if (body === "") return undefined;
  const part = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;
  let total = 0;
  for (let at = 0; at < body.length; at = part.lastIndex) {
    part.lastIndex = at;
    const match = part.exec(body);
    const perUnit = match ? GO_UNIT_SECONDS[match[2] ?? ""] : undefined;
    if (!match || perUnit === undefined) return undefined;
    total += Number(match[1]) * perUnit;
  }
  return Math.round(total * 1e9) / 1e9;
}
