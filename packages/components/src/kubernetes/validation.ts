import { CronError, parseCron } from "@drkit/posture";
import type { ArgsProblems } from "../common/validation";
import { shown } from "../common/validation";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1123 subdomain: what Kubernetes requires of most object names (service accounts among them).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// Go's time.ParseDuration: one or more <number><unit>.
const GO_DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

export function isDnsLabel(value: unknown): boolean {
  return typeof value === "string" && value.length <= 63 && DNS_LABEL.test(value);
}

export function isDnsSubdomain(value: unknown): boolean {
  return typeof value === "string" && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

export function isGoDuration(value: unknown): boolean {
  return typeof value === "string" && GO_DURATION.test(value);
}

/** Checks a 5-field cron; the problem names the field and says what is wrong. */
export function checkCron(field: string, value: unknown, problems: ArgsProblems): void {
  if (typeof value !== "string") {
    problems.add(`\`${field}\` must be a cron expression such as "0 * * * *" (got ${shown(value)})`);
    return;
  }
  try {
    const parsed = parseCron(value);
    // Kubernetes CronJobs and Velero take 5 fields; @every is robfig-only, so it is refused here.
    if (parsed.everySeconds !== undefined)
      problems.add(`\`${field}\`: use a 5-field cron, not @every (got ${shown(value)})`);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    problems.add(`\`${field}\` ${err.message}`);
  }
}

export function checkNamespaces(
  field: string,
  value: readonly string[] | undefined,
  problems: ArgsProblems,
): void {
  for (const [i, namespace] of (value ?? []).entries()) {
    problems.check(
      isDnsLabel(namespace),
      `\`${field}[${i}]\` must be a namespace name (a DNS label: lowercase letters, digits, '-') (got ${shown(namespace)})`,
    );
  }
}
