// What the Redis and Velero restore drills share: how often they run by default (per tier), where they
// push their metrics, and the checks of those arguments.
import { ArgsProblems, checkKnownFields, checkPlain, ownEntry, shown } from "../common/validation";
import { checkCron, checkObject } from "./validation";

/**
 * A drill's default schedule per tier, as a 5-field cron (UTC): critical daily, important weekly (Sunday),
 * standard monthly (the 1st), at 03:30, off the hour when backups run. Other tiers must set one.
 */
export const DRILL_SCHEDULES: Readonly<Record<string, string>> = {
  critical: "30 3 * * *",
  important: "30 3 * * 0",
  standard: "30 3 1 * *",
};

/** The drill's schedule: the one given, else its tier's; undefined when neither (validation refused it). */
export function drillSchedule(schedule: string | undefined, tier: string): string | undefined {
  return schedule ?? ownEntry(DRILL_SCHEDULES, tier);
}

/**
 * Checks the fields every drill has (`schedule`, `pushgatewayUrl`) of the `drill` argument at `field`, and
 * that it names only `known` fields. Returns the drill object when it is one, for the component's own
 * fields.
 */
export function checkDrill(
  field: string,
  drill: unknown,
  tier: unknown,
  known: readonly string[],
  problems: ArgsProblems,
): Record<string, unknown> | undefined {
  if (!checkPlain(field, drill, problems)) return undefined;
  if (!checkObject(field, drill, '{ schedule: "30 3 * * *" }', problems) || drill === undefined)
    return undefined;
  checkKnownFields(field, drill, known, problems);
  if (drill.schedule !== undefined) {
    if (checkPlain(`${field}.schedule`, drill.schedule, problems))
      checkCron(`${field}.schedule`, drill.schedule, problems);
  } else if (typeof tier === "string" && ownEntry(DRILL_SCHEDULES, tier) === undefined)
    problems.add(
      `\`${field}.schedule\` is required for tier ${shown(tier)}: drkit has default drill schedules for ${Object.keys(DRILL_SCHEDULES).join(", ")} only; give a 5-field cron such as "30 3 * * 0"`,
    );
  if (drill.pushgatewayUrl !== undefined)
    checkPushgatewayUrl(`${field}.pushgatewayUrl`, drill.pushgatewayUrl, problems);
  return drill;
}

/** A Pushgateway base URL, `http(s)://host[:port][/path]`, without a query, fragment or credentials. */
export function checkPushgatewayUrl(field: string, value: unknown, problems: ArgsProblems): void {
  if (!checkPlain(field, value, problems)) return;
  let url: URL | undefined;
  try {
    url = typeof value === "string" ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  problems.check(
    url !== undefined &&
      (url.protocol === "http:" || url.protocol === "https:") &&
      url.search === "" &&
      url.hash === "" &&
      url.username === "" &&
      url.password === "" &&
      !String(value).endsWith("/"),
    `\`${field}\` must be a Pushgateway's base URL such as "http://pushgateway.monitoring:9091", http or https, without a trailing '/', query or credentials (got ${shown(value)})`,
  );
}
