// Reading resource properties without tripping the policy SDK's preview-unknown proxy.
//
// @pulumi/policy wraps `props` in a proxy that throws when a policy reads a value unknown during preview;
// the SDK turns that throw into an advisory "can't run policy during preview" — so a mandatory policy
// would silently stop gating. drkit policies instead read the raw properties and decide themselves what
// an unknown means (see `UNKNOWN_VALUE`).
import { UNKNOWN_VALUE, JsonObject, JsonValue } from "@drkit/posture";

// The SDK's (internal) key that returns a proxy's target: documented in @pulumi/policy proxy.js.
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/** The plain properties behind the SDK's proxy (unknowns are `UNKNOWN_VALUE`, secrets already revealed). */
export function rawProperties(props: Record<string, unknown>): JsonObject {
  const target = (props as Record<string, unknown>)[PROXY_TARGET_KEY];
  return (target ?? props) as JsonObject;
}

export function isUnknown(value: JsonValue | undefined): boolean {
  return value === UNKNOWN_VALUE;
}

/** The value at a dotted path (`rule.defaultRetention.days`), or undefined. */
export function valueAt(object: JsonValue | undefined, path: string): JsonValue | undefined {
  let current: JsonValue | undefined = object;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A list property as an array (absent → empty). */
export function listAt(object: JsonValue | undefined, path: string): JsonValue[] {
  const value = valueAt(object, path);
  return Array.isArray(value) ? value : [];
}

/**
 * Reports that a policy cannot decide because `paths` are unknown during preview. The violation carries
 * the policy's own enforcement level, so a mandatory policy fails closed instead of passing silently.
 */
export function reportUnknown(
  reportViolation: (message: string) => void,
  subject: string,
  paths: string[],
): void {
  reportViolation(unknownMessage(subject, paths));
}

/** What `reportUnknown` reports: `subject` cannot be judged because `paths` are unknown during preview. */
export function unknownMessage(subject: string, paths: readonly string[]): string {
  return `${subject}: cannot be checked until deploy, because ${paths.map((p) => `\`${p}\``).join(", ")} ${paths.length === 1 ? "is" : "are"} unknown during preview. Make the value a plain input, or run the check again after \`pulumi up\`.`;
}

/** The paths among `paths` whose value is unknown. */
export function unknownPaths(object: JsonValue | undefined, paths: string[]): string[] {
  return paths.filter((path) => isUnknown(valueAt(object, path)));
}
