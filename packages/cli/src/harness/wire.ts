// The engine's wire form of property values, and conversions out of it.
//
// What the SDK sends the monitor (and what the Analyzer protocol carries) is JSON in which special values
// are objects tagged with a signature key: secrets, resource references, output values, assets. Unknown
// values (preview) are the string sentinel `UNKNOWN`. Every drkit consumer of a captured graph goes
// through these helpers, so no one re-derives the signatures.

/** The SDK's and engine's sentinel for a value that is unknown during preview (`pulumi.runtime.unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const SPECIAL_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
export const OUTPUT_VALUE_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** A JSON value as it appears on the wire. */
export type PropertyValue =
  null | boolean | number | string | PropertyValue[] | { [key: string]: PropertyValue };
export type PropertyMap = Record<string, PropertyValue>;

function isObject(value: PropertyValue | undefined): value is { [key: string]: PropertyValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** true when `value` is a wrapped secret (`{ <sig>: SECRET_SIG, value }`). */
export function isSecret(value: PropertyValue | undefined): boolean {
  return isObject(value) && value[SPECIAL_SIG_KEY] === SECRET_SIG;
}

/** true when `value` is, or contains anywhere, the unknown sentinel. */
export function containsUnknown(value: PropertyValue | undefined): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * What the engine hands an analyzer (`MarshalProperties{KeepUnknowns, KeepSecrets, SkipInternalKeys}`):
 * resource references become their id (or URN when the id is unknown or absent), output values collapse to
 * their value (or unknown), secrets stay wrapped, `__`-prefixed internal keys are dropped.
 */
export function marshalForAnalyzer(value: PropertyValue): PropertyValue {
  if (Array.isArray(value)) return value.map(marshalForAnalyzer);
  if (!isObject(value)) return value;
  const sig = value[SPECIAL_SIG_KEY];
  if (sig === RESOURCE_REFERENCE_SIG) {
    if ("id" in value) return value.id === "" ? UNKNOWN : marshalForAnalyzer(value.id ?? null);
    return value.urn ?? null;
  }
  if (sig === OUTPUT_VALUE_SIG) {
    const inner = "value" in value ? marshalForAnalyzer(value.value ?? null) : UNKNOWN;
    return value.secret === true ? { [SPECIAL_SIG_KEY]: SECRET_SIG, value: inner } : inner;
  }
  if (sig === SECRET_SIG)
    return { [SPECIAL_SIG_KEY]: SECRET_SIG, value: marshalForAnalyzer(value.value ?? null) };
  if (sig !== undefined) return value; // assets and archives pass through unchanged
  const out: PropertyMap = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!key.startsWith("__")) out[key] = marshalForAnalyzer(inner);
  }
  return out;
}

/** As a policy sees properties (`@pulumi/policy` deserializes with secrets unwrapped): analyzer form, secrets opened. */
export function revealSecrets(value: PropertyValue): PropertyValue {
  if (Array.isArray(value)) return value.map(revealSecrets);
  if (!isObject(value)) return value;
  if (value[SPECIAL_SIG_KEY] === SECRET_SIG) return revealSecrets(value.value ?? null);
  if (value[SPECIAL_SIG_KEY] !== undefined) return value;
  const out: PropertyMap = {};
  for (const [key, inner] of Object.entries(value)) out[key] = revealSecrets(inner);
  return out;
}

/** Plain values for assertions and models: `revealSecrets(marshalForAnalyzer(map))`. */
export function plainProperties(map: PropertyMap): PropertyMap {
  const plain = revealSecrets(marshalForAnalyzer(map));
  return isObject(plain) ? plain : {};
}
