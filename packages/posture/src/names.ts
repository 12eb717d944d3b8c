// "Did you mean …?" for names a user typed: a tier, a service, a policy.

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) =>
    Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, at(i - 2, j - 2) + 1);
      (d[i] as number[])[j] = best;
    }
  }
  return at(a.length, b.length);
}

/** Shortest typed name that may be completed: a shorter prefix matches too much to be a guess. */
const MIN_PREFIX_CHARACTERS = 3;

/**
 * The candidate `typed` most likely meant, or undefined: a typo (at most 2 edits, or a third of the
 * word's length for long words, ignoring case), else the one candidate it begins (units are in drkit's
 * names: `ttl` → `ttlSeconds`, `maximumTtl` → `maximumTtlSeconds`). A name far longer than every candidate
 * is neither, and is not compared: the edit distance of a 5 MB string would take minutes.
 */
export function closestName(typed: string, candidates: readonly string[]): string | undefined {
  const longest = Math.max(0, ...candidates.map((c) => c.length));
  if (typed.length > 2 * longest + 2) return undefined;
  const limit = Math.max(2, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { name, distance };
  }
  if (best !== undefined || typed.length < MIN_PREFIX_CHARACTERS) return best?.name;
  const lower = typed.toLowerCase();
  const completions = candidates.filter((c) => c.toLowerCase().startsWith(lower));
  return completions.length === 1 ? completions[0] : undefined;
}
