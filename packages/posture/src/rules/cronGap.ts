import type { GraphResource } from "../graph";
import { CronError, cronWorstCaseGapSeconds } from "../cron";
import { PostureInputError } from "../graphIndex";

/** The worst-case gap of a resource's cron field; a malformed cron is an input error naming resource and field. */
export function scheduleGapSeconds(resource: GraphResource, field: string, expression: string): number {
  try {
    return cronWorstCaseGapSeconds(expression);
  } catch (err) {
    if (err instanceof CronError) throw new PostureInputError(resource.urn, field, `is ${err.message}`);
    throw err;
  }
}
