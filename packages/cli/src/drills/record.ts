// Reading one drill record against the contract (@drkit/posture drills.ts). A record that is not JSON, of
// another schema version, missing a field, or inconsistent (ok with a failed check, a restore longer than
// the drill) is a problem to report, never a pass: the auditor reads what the bucket holds, not what the
// drill meant to write.
import { DRILL_KINDS, DRILL_RESULT_SCHEMA, DrillCheck, DrillResult, drillResultKey } from "@drkit/posture";

export type ParsedRecord =
  | { readonly valid: true; readonly result: DrillResult }
  | { readonly valid: false; readonly problems: readonly string[] };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
/** ISO 8601 UTC, as the contract says its times are. */
const ISO_UTC_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const isTime = (v: unknown): v is string =>
  typeof v === "string" && ISO_UTC_TIME.test(v) && !Number.isNaN(Date.parse(v));
const isText = (v: unknown): v is string => typeof v === "string" && v.trim() !== "";
const shown = (v: unknown) => JSON.stringify(v ?? null);

function checkProblems(checks: unknown): string[] {
  if (!Array.isArray(checks)) return [`\`checks\` must be a list (got ${shown(checks)})`];
  return checks.flatMap((c: unknown, i) => {
    if (!isObject(c)) return [`\`checks[${i}]\` must be an object (got ${shown(c)})`];
    const problems: string[] = [];
    if (!isText(c.name))
      problems.push(`\`checks[${i}].name\` must be a non-empty string (got ${shown(c.name)})`);
    if (typeof c.ok !== "boolean")
      problems.push(`\`checks[${i}].ok\` must be true or false (got ${shown(c.ok)})`);
    for (const key of ["expected", "actual"] as const)
      if (c[key] !== undefined && typeof c[key] !== "string")
        problems.push(`\`checks[${i}].${key}\` must be a string when given (got ${shown(c[key])})`);
    return problems;
  });
}

/** The record stored at `key`, checked field by field and for consistency; every problem listed. */
export function parseDrillRecord(text: string, key: string): ParsedRecord {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return { valid: false, problems: [`not JSON (${(err as Error).message})`] };
  }
  if (!isObject(json)) return { valid: false, problems: [`not a JSON object (got ${shown(json)})`] };
  if (json.schema !== DRILL_RESULT_SCHEMA)
    return {
      valid: false,
      problems: [
        `schema ${shown(json.schema)}, and this drkit reads ${DRILL_RESULT_SCHEMA}: read it with the drkit of the drill that wrote it`,
      ],
    };
  const problems: string[] = [];
  for (const field of ["service", "tier", "target"] as const)
    if (!isText(json[field]))
      problems.push(`\`${field}\` must be a non-empty string (got ${shown(json[field])})`);
  if (!(DRILL_KINDS as readonly unknown[]).includes(json.kind))
    problems.push(`\`kind\` must be one of ${DRILL_KINDS.join(", ")} (got ${shown(json.kind)})`);
  const backup = json.backup;
  if (!isObject(backup) || !isText(backup.key) || !isTime(backup.takenAt))
    problems.push(
      `\`backup\` must be { key, takenAt } with takenAt an ISO 8601 UTC time (got ${shown(backup)})`,
    );
  for (const field of ["startedAt", "finishedAt"] as const)
    if (!isTime(json[field]))
      problems.push(`\`${field}\` must be an ISO 8601 UTC time (got ${shown(json[field])})`);
  const seconds = json.restoreSeconds;
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0)
    problems.push(`\`restoreSeconds\` must be a number of seconds ≥ 0 (got ${shown(seconds)})`);
  if (typeof json.ok !== "boolean") problems.push(`\`ok\` must be true or false (got ${shown(json.ok)})`);
  problems.push(...checkProblems(json.checks));
  if (json.error !== undefined && typeof json.error !== "string")
    problems.push(`\`error\` must be a string when given (got ${shown(json.error)})`);
  if (problems.length > 0) return { valid: false, problems };

  // The fields are well-formed: now whether they agree with each other and with where the record is.
  const result = json as unknown as DrillResult;
  const checks = result.checks as readonly DrillCheck[];
  const started = Date.parse(result.startedAt);
  const finished = Date.parse(result.finishedAt);
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  if (result.ok && failed.length > 0)
    problems.push(`\`ok\` is true, but check${failed.length === 1 ? "" : "s"} ${failed.join(", ")} failed`);
  if (result.ok && checks.length === 0) problems.push("`ok` is true, but the drill made no check");
  if (result.ok && result.error !== undefined)
    problems.push(`\`ok\` is true, but it has an error: ${result.error}`);
  if (!result.ok && failed.length === 0 && !isText(result.error))
    problems.push("`ok` is false, but no check failed and no `error` says why");
  if (finished < started)
    problems.push(`\`finishedAt\` ${result.finishedAt} is before \`startedAt\` ${result.startedAt}`);
  // The restore runs within the drill: a longer one was not measured by it (a second's rounding allowed).
  else if (result.restoreSeconds > (finished - started) / 1000 + 1)
    problems.push(
      `\`restoreSeconds\` ${result.restoreSeconds} is longer than the drill itself (${(finished - started) / 1000} s from startedAt to finishedAt)`,
    );
  if (Date.parse(result.backup.takenAt) > started)
    problems.push(
      `the backup was taken (${result.backup.takenAt}) after the drill started (${result.startedAt})`,
    );
  const expectedKey = drillResultKey(result);
  if (key !== expectedKey)
    problems.push(
      `it is stored at ${key}, but a record of its service, kind and startedAt belongs at ${expectedKey}`,
    );
  return problems.length > 0 ? { valid: false, problems } : { valid: true, result };
}
