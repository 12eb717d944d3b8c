// How drkit's error messages show what the user wrote: a value, a key path, a key given twice, the name
// that was likely meant.

/** Characters of a value a message shows; past this, the start and the value's size. */
const SHOWN_CHARACTERS = 80;

/**
 * `value` as JSON, as the user wrote it; a long one cut to its first 80 characters and its size, so that a
 * 5 MB string never comes back whole in a message.
 */
export function shown(value: unknown): string {
  const text = value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value));
  return clipped(text);
}

/** `text` cut to its first `limit` characters and its size when longer. */
export function clipped(text: string, limit = SHOWN_CHARACTERS): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length} characters)`;
}

/** A key as a path shows it: bare when it reads as a name, else quoted (and cut when long). */
function keySegment(key: string): string {
  return key.length <= SHOWN_CHARACTERS && /^[\w$:-]+$/.test(key) ? key : shown(key);
}

/** `["waivers", 0, "owner"]` → `waivers[0].owner`: a path into a JSON or YAML document. */
export function keyPath(segments: readonly (string | number)[]): string {
  return segments
    .map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? keySegment(s) : `.${keySegment(s)}`))
    .join("");
}

/**
 * A key given twice in one object: JSON.parse, Go's encoding/json and YAML loaders keep one silently, so
 * the other would be dropped without a word.
 */
export function duplicateKeyMessage(path: readonly (string | number)[], firstLine: number): string {
  return `\`${keyPath(path)}\` is given twice (first at line ${firstLine}): only the last would count; keep one`;
}
