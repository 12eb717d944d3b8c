// One record of the failover audit log: what it holds, how each field is checked, and its exact bytes.
// A record is written once, as a new S3 object, and names the sha256 of the record before it, so the log
// is a hash chain: an edited, reordered or missing record breaks it (see chain.ts).
import { createHash } from "crypto";

/** Where the audit log lives in the records bucket: `audit/<stream>/<sequence>.json`. */
export const AUDIT_PREFIX = "audit/";
/** The record format; a reader refuses any other. */
export const AUDIT_SCHEMA = "drkit.dev/audit/v1";

/** A side of the region pair, as the failover stack names them. */
export enum Side {
  Primary = "primary",
  Secondary = "secondary",
}

/** What the ARC routing-control switch did during the failover. */
export enum ArcResult {
  /** the routing controls were set */
  Switched = "switched",
  /** the platform has no ARC routing controls */
  NotEnabled = "not-enabled",
  /** no ARC cluster endpoint accepted the change */
  Failed = "failed",
  /** ARC was not tried (e.g. the switch stopped before it) */
  Skipped = "skipped",
}

/** How the switch ended. */
export enum Outcome {
  Succeeded = "succeeded",
  Failed = "failed",
}

export interface Weights {
  readonly primary: number;
  readonly secondary: number;
}

/** What the operator states about a switch; the CLI adds the sequence, stream, time and chain link. */
export interface SwitchFacts {
  readonly operator: string;
  readonly reason: string;
  readonly from: Side;
  readonly to: Side;
  readonly weights: Weights;
  readonly arcResult: ArcResult;
  /** what the ARC step printed, when there is something to keep; null otherwise */
  readonly arcDetail: string | null;
  readonly outcome: Outcome;
}

export interface AuditRecord extends SwitchFacts {
  readonly schema: typeof AUDIT_SCHEMA;
  /** 1 for the first record of a stream, then one more per record */
  readonly sequence: number;
  /** the stream the record belongs to: the region of the bucket it was written to */
  readonly stream: string;
  /** when the record was appended (ISO 8601, UTC), by the appending machine's clock */
  readonly time: string;
  /** sha256 (hex) of the exact bytes of the previous record; null for the first */
  readonly previousSha256: string | null;
}

/** The record's fields in the order they are written. */
const FIELDS = [
  "schema",
  "sequence",
  "stream",
  "time",
  "operator",
  "reason",
  "from",
  "to",
  "weights",
  "arcResult",
  "arcDetail",
  "outcome",
  "previousSha256",
] as const satisfies readonly (keyof AuditRecord)[];

export const REASON_MIN = 10;
export const REASON_MAX = 500;
export const OPERATOR_MAX = 100;
export const ARC_DETAIL_MAX = 1_000;
const SEQUENCE_DIGITS = 12;
const STREAM = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const SHA256 = /^[0-9a-f]{64}$/;
/**
 * What a log line must not hold: control characters (newlines, escapes), format characters (bidi
 * overrides and zero-width characters, which make text read differently than it is stored), line and
 * paragraph separators, private-use, surrogate and unassigned code points.
 */
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cs}\p{Cn}]/u;

const codePoint = (c: string) => `U+${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;

/**
 * What is wrong with a piece of text meant for the log, or undefined: the raw value, as given, before
 * anything is added to it (a suffix must not make a too-short reason long enough). Lengths count code
 * points of the text without its surrounding spaces.
 */
export function textProblem(
  field: string,
  value: unknown,
  limits: { readonly min: number; readonly max: number; readonly what: string },
): string | undefined {
  if (typeof value !== "string") return `${field} must be text: ${limits.what}`;
  const bad = UNPRINTABLE.exec(value);
  if (bad) {
    const at = [...value.slice(0, bad.index)].length + 1;
    return `${field} must be printable text on one line: character ${at} is ${codePoint(bad[0])}, a control, format or unassigned character; ${limits.what}`;
  }
  const length = [...value.trim()].length;
  if (length < limits.min || length > limits.max)
    return `${field} must be ${limits.min}–${limits.max} characters (got ${length}): ${limits.what}`;
  return undefined;
}

export function reasonProblem(value: unknown): string | undefined {
  return textProblem("--reason", value, {
    min: REASON_MIN,
    max: REASON_MAX,
    what: "say why traffic moves, such as an incident id or a drill's name",
  });
}

export function operatorProblem(value: unknown): string | undefined {
  return textProblem("--operator", value, {
    min: 1,
    max: OPERATOR_MAX,
    what: "name who made the switch, such as $GITHUB_ACTOR",
  });
}

export function arcDetailProblem(value: unknown): string | undefined {
  return textProblem("--arc-detail", value, {
    min: 1,
    max: ARC_DETAIL_MAX,
    what: "keep what the ARC step printed, on one line",
  });
}

export function streamProblem(value: unknown): string | undefined {
  return typeof value === "string" && STREAM.test(value)
    ? undefined
    : `--stream must be lowercase letters, digits and '-', at most 63, such as eu-west-1 (got ${JSON.stringify(value)})`;
}

/** A value of a string enum the user typed, or undefined. */
export function enumValue<T extends string>(
  values: Readonly<Record<string, T>>,
  value: unknown,
): T | undefined {
  return Object.values(values).find((v) => v === value);
}

/** `primary=0,secondary=100` → weights, or the problem. The same bounds as the failover stack's. */
export function parseWeights(text: string): Weights | string {
  const usage = `--weights must be primary=N,secondary=N with whole numbers 0–255 (got ${JSON.stringify(text)})`;
  const pairs = text.split(",").map((p) => p.split("="));
  const weights: Record<string, number> = {};
  for (const pair of pairs) {
    const [side, value = ""] = pair;
    if (pair.length !== 2 || (side !== Side.Primary && side !== Side.Secondary) || side in weights)
      return usage;
    if (!/^\d{1,3}$/.test(value) || Number(value) > 255) return usage;
    weights[side] = Number(value);
  }
  if (weights.primary === undefined || weights.secondary === undefined) return usage;
  if (weights.primary === 0 && weights.secondary === 0)
    return "--weights are both 0: Route 53 then splits traffic equally, which no switch sets";
  return { primary: weights.primary, secondary: weights.secondary };
}

export function recordKey(stream: string, sequence: number): string {
  return `${AUDIT_PREFIX}${stream}/${String(sequence).padStart(SEQUENCE_DIGITS, "0")}.json`;
}

/** The stream and sequence a key names, or undefined for a key that is not a record's. */
export function parseRecordKey(key: string): { stream: string; sequence: number } | undefined {
  const match = new RegExp(`^${AUDIT_PREFIX}([a-z0-9-]+)/(\\d{${SEQUENCE_DIGITS}})\\.json$`).exec(key);
  const [, stream = "", sequence = "0"] = match ?? [];
  if (!match || !STREAM.test(stream) || Number(sequence) < 1) return undefined;
  return { stream, sequence: Number(sequence) };
}

/** The exact bytes stored: one line of JSON, fields in a fixed order. The chain hashes these bytes. */
export function recordBytes(record: AuditRecord): Buffer {
  const ordered = Object.fromEntries(FIELDS.map((f) => [f, record[f]]));
  return Buffer.from(`${JSON.stringify(ordered)}\n`, "utf8");
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A flag's problem, said of a stored field: "its reason is 4 characters (10–500)…" reads as the flag's. */
const stored = (field: string, problem: string | undefined) =>
  problem === undefined ? undefined : `its ${field}: ${problem.replace(/^--[a-z-]+ /, "")}`;

export function isIsoTime(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const time = new Date(value);
  return !Number.isNaN(time.getTime()) && time.toISOString() === value;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A stored record read back, with every field checked as a writer would have been made to write it; a
 * record that fails was not written by `drkit audit append`, or was changed since.
 */
export function parseRecord(bytes: Uint8Array): AuditRecord | string {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch {
    return "it is not JSON";
  }
  if (!isObject(value)) return "it is not a JSON object";
  const keys = Object.keys(value);
  if (keys.length !== FIELDS.length || !FIELDS.every((f, i) => keys[i] === f))
    return `its fields are not those of ${AUDIT_SCHEMA} (${FIELDS.join(", ")}, in that order)`;
  const r = value as unknown as AuditRecord;
  const problems = [
    r.schema === AUDIT_SCHEMA ? undefined : `its schema is ${JSON.stringify(r.schema)}, not ${AUDIT_SCHEMA}`,
    Number.isInteger(r.sequence) && r.sequence >= 1 ? undefined : "its sequence is not a whole number from 1",
    streamProblem(r.stream),
    isIsoTime(r.time) ? undefined : "its time is not ISO 8601 UTC",
    stored("operator", operatorProblem(r.operator)),
    stored("reason", reasonProblem(r.reason)),
    enumValue(Side, r.from) && enumValue(Side, r.to)
      ? undefined
      : "its from or to is not primary or secondary",
    isObject(r.weights) &&
    typeof parseWeights(`primary=${r.weights.primary},secondary=${r.weights.secondary}`) === "object"
      ? undefined
      : "its weights are not two whole numbers 0–255",
    enumValue(ArcResult, r.arcResult) ? undefined : "its arcResult is not one drkit writes",
    r.arcDetail === null ? undefined : stored("arcDetail", arcDetailProblem(r.arcDetail)),
    enumValue(Outcome, r.outcome) ? undefined : "its outcome is not succeeded or failed",
    r.previousSha256 === null || (typeof r.previousSha256 === "string" && SHA256.test(r.previousSha256))
      ? undefined
      : "its previousSha256 is not a sha256",
  ].filter((p): p is string => p !== undefined);
  return problems.length === 0 ? r : problems.join("; ");
}
