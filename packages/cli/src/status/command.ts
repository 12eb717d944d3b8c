// `drkit status --prometheus URL`: is the posture true right now? Reads the health monitor's series and alerts
// from Prometheus and prints, per service and disruption, the age of the newest usable recovery point (or the
// replication lag) against the target and the modelled value. Exit codes: 0 every target met; 1 a target
// breached now, one that cannot be measured, or a failing health check; 2 usage, or Prometheus cannot be read
// or holds none of the monitor's series. Made for a CronJob or a probe.
import { parseArgs } from "util";
import {
  CONTROL_INFO_RECORD,
  RECOVERY_POINT_AGE_RECORD,
  REPLICATION_LAG_BYTES_RECORD,
  RPO_ALERT_THRESHOLD_RECORD,
  RPO_TARGET_RECORD,
} from "@drkit/posture";
import type { Io } from "../main";
import { argumentProblem, misspeltOption } from "../checkArgs";
import { parseJsonFile, readTextFile, UsageError } from "../project";
import { PrometheusClient, PrometheusError } from "./prometheus";
import { LivePosture, ModelledPosture, livePosture } from "./livePosture";
import { renderLivePosture } from "./render";

export const STATUS_USAGE = `Usage: drkit status --prometheus URL [--service NAME] [--posture FILE] [--json] [--timeout SECONDS]

Reads the DR health monitor's recording rules and alerts (DrHealthMonitor) from the Prometheus at URL and
prints the live posture: per service and disruption, the age of the newest usable recovery point (a backup's
age, a standby's lag) against the RPO target the rules were derived from, and the modelled value.

  --prometheus URL   the Prometheus server's base URL, e.g. http://prometheus.monitoring:9090
  --service NAME     only this service
  --posture FILE     posture.json from \`drkit check --report\`: adds the modelled achievable RPO
  --json             print the result as JSON
  --timeout SECONDS  give up on Prometheus after this long (default: 10)

Exit status: 0 every target met; 1 a target breached now, one that cannot be measured, or a failing health
check; 2 usage, or Prometheus cannot be read or holds none of the monitor's series.`;

const OPTIONS = {
  prometheus: { type: "string" },
  service: { type: "string" },
  posture: { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** The modelled posture from `posture.json`, checked enough to be read. */
function readModelled(file: string): ModelledPosture {
  const value = parseJsonFile(file, readTextFile(file, "the --posture file ")) as {
    assessments?: unknown;
  } | null;
  const assessments = value?.assessments;
  const valid =
    Array.isArray(assessments) &&
    assessments.every(
      (a: { service?: unknown; disruption?: unknown; achievableRpoSeconds?: unknown }) =>
        typeof a?.service === "string" &&
        typeof a.disruption === "string" &&
        (a.achievableRpoSeconds === null || typeof a.achievableRpoSeconds === "number"),
    );
  if (!valid)
    throw new UsageError(
      `--posture ${file} is not a posture.json written by \`drkit check --report\` (it needs "assessments", each with service, disruption and achievableRpoSeconds)`,
    );
  return value as ModelledPosture;
}

/** Asks Prometheus and judges; throws PrometheusError when it cannot be read or holds no monitor series. */
export async function readLivePosture(
  client: PrometheusClient,
  options: { service?: string; modelled?: ModelledPosture },
): Promise<LivePosture> {
  const [controls, targets, ages, thresholds, lagBytes, alerts] = await Promise.all([
    client.query(CONTROL_INFO_RECORD),
    client.query(RPO_TARGET_RECORD),
    client.query(RECOVERY_POINT_AGE_RECORD),
    client.query(RPO_ALERT_THRESHOLD_RECORD),
    client.query(REPLICATION_LAG_BYTES_RECORD),
    client.alerts(),
  ]);
  if (controls.length === 0)
    throw new PrometheusError(
      `${client.baseUrl} holds no ${CONTROL_INFO_RECORD} series: no DrHealthMonitor rules are loaded there (check the PrometheusRules' labels against the Prometheus's ruleSelector), so nothing can be judged`,
    );
  const posture = livePosture({ controls, targets, ages, thresholds, lagBytes, alerts, ...options });
  if (options.service !== undefined && posture.rows.length + posture.healthChecks.length === 0) {
    const services = [...new Set(controls.map((c) => c.labels.drkit_service ?? ""))].sort();
    throw new UsageError(
      `--service ${options.service}: the monitor watches no such service (it watches ${services.join(", ")})`,
    );
  }
  return posture;
}

export async function statusCommand(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, tokens: true, allowPositionals: true });
  } catch (err) {
    io.err(`drkit status: ${misspeltOption(argv, OPTIONS) ?? (err as Error).message}\n\n${STATUS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(STATUS_USAGE);
    return 0;
  }
  const problem =
    positionals.length > 0
      ? `unexpected argument ${JSON.stringify(positionals[0])}`
      : (argumentProblem({ ...parsed, positionals: [] }, OPTIONS) ??
        (values.prometheus === undefined ? "--prometheus URL is required" : undefined));
  if (problem !== undefined) {
    io.err(`drkit status: ${problem}\n\n${STATUS_USAGE}`);
    return 2;
  }
  const url = values.prometheus as string;
  if (!/^https?:\/\/[^/\s]+/.test(url)) {
    io.err(
      `drkit status: --prometheus must be an http:// or https:// URL such as http://localhost:9090 (got ${JSON.stringify(url)})`,
    );
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? 10 : Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 600) {
    io.err(
      `drkit status: --timeout takes a whole number of seconds from 1 to 600 (got ${JSON.stringify(values.timeout)})`,
    );
    return 2;
  }
  try {
    const modelled = values.posture === undefined ? undefined : readModelled(values.posture);
    const client = new PrometheusClient(url, timeoutSeconds * 1000);
    const posture = await readLivePosture(client, {
      ...(values.service !== undefined ? { service: values.service } : {}),
      ...(modelled ? { modelled } : {}),
    });
    io.out(
      values.json
        ? JSON.stringify({ prometheus: url, ...posture }, null, 2)
        : renderLivePosture(posture, url),
    );
    return posture.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof PrometheusError || err instanceof UsageError) {
      io.err(`drkit status: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
