import { closestName } from "@drkit/posture";
// One ajv error against a policy's `configSchema`, told the drkit way: the key path, the value as given,
// what the schema allows, and the fix ("must NOT have additional properties" says none of these).
import type { ErrorObject } from "ajv";
import { keyPath, shown } from "./messages";

type Schema = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const asSchema = (value: unknown): Schema => (isRecord(value) ? value : {});
const numberAt = (schema: Schema, key: string): number | undefined =>
  typeof schema[key] === "number" ? schema[key] : undefined;

/**
 * The fields an object schema declares, sorted: a schema reaches drkit as a protobuf Struct, which keeps no
 * declaration order, so sorting is what makes a message the same on every run.
 */
const fieldNames = (schema: Schema): string[] => Object.keys(asSchema(schema.properties)).sort();

/** Patterns that read better as words; others are shown as they are. */
const KNOWN_PATTERNS: Readonly<Record<string, { expected: string; fix: string }>> = {
  "^\\d{4}-\\d{2}-\\d{2}$": { expected: "a date YYYY-MM-DD", fix: "write it as YYYY-MM-DD" },
};

/** Keywords whose failure `expectedValue` describes; any other is told in ajv's words. */
const DESCRIBED_KEYWORDS = new Set([
  "type",
  "enum",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minLength",
  "pattern",
  "minItems",
]);

/** A longer default reads better as "the default" than as a wall of JSON. */
const SHOWN_DEFAULT_CHARACTERS = 40;

function range(schema: Schema): string {
  const min = numberAt(schema, "minimum");
  const max = numberAt(schema, "maximum");
  const above = numberAt(schema, "exclusiveMinimum");
  const below = numberAt(schema, "exclusiveMaximum");
  const parts = [
    min !== undefined && max !== undefined ? ` from ${min} to ${max}` : "",
    min !== undefined && max === undefined ? ` ≥ ${min}` : "",
    max !== undefined && min === undefined ? ` ≤ ${max}` : "",
    above !== undefined ? ` > ${above}` : "",
    below !== undefined ? ` < ${below}` : "",
  ];
  return parts.join("");
}

function stringKind(schema: Schema): string {
  const pattern = typeof schema.pattern === "string" ? schema.pattern : undefined;
  if (pattern !== undefined) return KNOWN_PATTERNS[pattern]?.expected ?? `a string matching /${pattern}/`;
  const minLength = numberAt(schema, "minLength") ?? 0;
  if (minLength === 1) return "a non-empty string";
  return minLength > 1 ? `a string of at least ${minLength} characters` : "a string";
}

function listKind(schema: Schema): string {
  const minItems = numberAt(schema, "minItems") ?? 0;
  const items = asSchema(schema.items);
  const each = Object.keys(items).length > 0 ? `, each ${expectedValue(items)}` : "";
  if (minItems > 0) return `a list of at least ${minItems} value${minItems === 1 ? "" : "s"}${each}`;
  return each ? `a list of values${each}` : "a list";
}

/** What `schema` allows, in words: "a whole number from 1 to 3650", "one of "zone", "region"". */
export function expectedValue(schema: Schema): string {
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => shown(v)).join(", ")}`;
  switch (schema.type) {
    case "integer":
      return `a whole number${range(schema)}`;
    case "number":
      return `a number${range(schema)}`;
    case "string":
      return stringKind(schema);
    case "boolean":
      return "true or false";
    case "array":
      return listKind(schema);
    case "object": {
      const names = fieldNames(schema);
      return names.length > 0 ? `an object with ${names.join(", ")}` : "an object";
    }
    default:
      return "a valid value";
  }
}

/** The likeliest fix for `value`, which `schema` refused. */
function fixFor(schema: Schema, value: unknown): string {
  const numeric = schema.type === "number" || schema.type === "integer";
  if (numeric && typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return "write it without quotes";
  }
  const choices = Array.isArray(schema.enum) ? schema.enum : undefined;
  const scalar = typeof value === "number" || typeof value === "boolean";
  if (choices === undefined && schema.type === "string" && scalar) return "write it in quotes";
  if (choices !== undefined && typeof value === "string") {
    const close = closestName(
      value,
      choices.filter((c): c is string => typeof c === "string"),
    );
    if (close !== undefined) return `did you mean ${shown(close)}?`;
  }
  if (schema.type === "array" && !Array.isArray(value)) return `write it as a list: [${shown(value)}]`;
  if ("default" in schema) {
    const fallback = JSON.stringify(schema.default) ?? "";
    return `omit it to use ${fallback.length <= SHOWN_DEFAULT_CHARACTERS ? fallback : "the default"}`;
  }
  const pattern = typeof schema.pattern === "string" ? KNOWN_PATTERNS[schema.pattern] : undefined;
  if (pattern !== undefined) return pattern.fix;
  if (value === "") return "fill it in";
  return choices !== undefined ? "choose one of them" : "correct it";
}

/** The instance path's segments (`/waivers/0/owner` → `["waivers", 0, "owner"]`), read against the data. */
function segmentsOf(pointer: string, root: unknown): (string | number)[] {
  const segments: (string | number)[] = [];
  let at = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(at)) {
      segments.push(Number(key));
      at = at[Number(key)];
    } else {
      segments.push(key);
      at = isRecord(at) ? at[key] : undefined;
    }
  }
  return segments;
}

function unknownKey(extra: string, segments: (string | number)[], schema: Schema): string {
  const names = fieldNames(schema);
  const close = closestName(extra, names);
  const fix = close !== undefined ? `did you mean \`${close}\`?` : "remove it";
  if (segments.length === 0) {
    const settings = names.length > 0 ? `settings: ${names.join(", ")}` : "it has none";
    return `\`${keyPath([extra])}\` is not a setting of this policy (${settings}): ${fix}`;
  }
  const at = keyPath(segments);
  return `\`${keyPath([...segments, extra])}\` is not a field of \`${at}\` (fields: ${names.join(", ")}): ${fix}`;
}

/**
 * `error` (from ajv with `verbose: true`, so it carries the failing value and schema) for `policy`, whose
 * settings are `settings`, as one line: `` drkit-rpo-rto: `waivers[0]` has no `owner`: add `owner`, … ``.
 */
export function describeSchemaError(policy: string, error: ErrorObject, settings: unknown): string {
  const segments = segmentsOf(error.instancePath, settings);
  const schema = asSchema(error.parentSchema);
  const at = segments.length > 0 ? `\`${keyPath(segments)}\`` : "the settings";
  const params: Record<string, unknown> = error.params;
  let problem: string;
  if (error.keyword === "required" && typeof params.missingProperty === "string") {
    const missing = params.missingProperty;
    const expected = expectedValue(asSchema(asSchema(schema.properties)[missing]));
    problem =
      segments.length === 0
        ? `\`${keyPath([missing])}\` is required: add it, ${expected}`
        : `${at} has no \`${keyPath([missing])}\`: add \`${keyPath([missing])}\`, ${expected}`;
  } else if (error.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    problem = unknownKey(params.additionalProperty, segments, schema);
  } else if (DESCRIBED_KEYWORDS.has(error.keyword)) {
    problem = `${at} must be ${expectedValue(schema)} (got ${shown(error.data)}): ${fixFor(schema, error.data)}`;
  } else {
    problem = `${at} ${error.message ?? "is invalid"} (got ${shown(error.data)}): correct it`;
  }
  return `${keyPath([policy])}: ${problem}`;
}
