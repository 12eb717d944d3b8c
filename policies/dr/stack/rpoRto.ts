import { ReportViolation, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  Assessment,
  DEFAULT_ESTIMATES,
  DEFAULT_TIER_TARGETS,
  DISRUPTIONS,
  DISRUPTION_MEANING,
  InvalidPolicyError,
  PostureInputError,
  ResiliencyPolicyInput,
  assessGraph,
  formatDuration,
} from "@drkit/posture";
import { toResourceGraph } from "../support/graph";

const seconds: PolicyConfigJSONSchema = { type: "number", minimum: 0 };
const target: PolicyConfigJSONSchema = {
  type: "object",
  properties: { rpoSeconds: seconds, rtoSeconds: seconds },
  required: ["rpoSeconds", "rtoSeconds"],
  additionalProperties: false,
};

/** The policy's settings: the posture model's resiliency policy, in `--policy-pack-config` form. */
export interface RpoRtoConfig extends ResiliencyPolicyInput {
  /** the day waivers are judged against, `YYYY-MM-DD`; default today (UTC) */
  assessmentDate?: string;
}

function compare(achievable: number | null, target: number): string {
  return achievable === null
    ? `no bound > target ${formatDuration(target)}`
    : `${formatDuration(achievable)} ${achievable > target ? ">" : "≤"} target ${formatDuration(target)}`;
}

function headline(a: Assessment): string {
  const what = `${a.service} (${a.tier}), ${a.disruption} disruption (${DISRUPTION_MEANING[a.disruption]})`;
  if (a.status === "UnknownUntilDeploy") {
    return `${what}: cannot be assessed until deploy, because ${a.unknownProperties.join(", ")} ${a.unknownProperties.length === 1 ? "is" : "are"} unknown during preview.`;
  }
  const t = a.target;
  return t === null
    ? what
    : `${what}: RPO ${compare(a.achievableRpoSeconds, t.rpoSeconds)}; RTO ${compare(a.achievableRtoSeconds, t.rtoSeconds)}.`;
}

function describeWaiver(waiver: unknown): string {
  const w = (typeof waiver === "object" && waiver !== null ? waiver : {}) as Record<string, unknown>;
  const field = (key: string) => (typeof w[key] === "string" ? (w[key] as string) : "?");
  return `the waiver for ${field("service")} (${typeof w.disruption === "string" ? w.disruption : "every disruption"}) owned by ${field("owner")}, expiring ${field("expires")}`;
}

function body(a: Assessment): string {
  const sources = a.sources.map((s) => `  [${s.id}] ${s.text} (${s.source})`);
  return [
    headline(a),
    ...a.derivation.map((d) => `  - ${d}`),
    ...(sources.length > 0 ? ["Sources:", ...sources] : []),
  ].join("\n");
}

/**
 * The gate: every service's achievable RPO and RTO, per disruption, against its tier's targets. A breach,
 * or a value that cannot be known before deploy, is mandatory; a waived breach is reported as advisory.
 */
export const rpoRto: StackValidationPolicy = {
  name: "drkit-rpo-rto",
  description:
    "Every service must be able to meet its tier's RPO and RTO targets for each disruption (software, hardware, zone, region).",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      tiers: {
        type: "object",
        description:
          "Targets per tier and disruption, in seconds. A tier given here replaces the default tier of that name.",
        additionalProperties: {
          type: "object",
          properties: Object.fromEntries(DISRUPTIONS.map((d) => [d, target])),
          additionalProperties: false,
        },
        default: DEFAULT_TIER_TARGETS,
      },
      estimates: {
        type: "object",
        description:
          "Durations of detection, decision and recovery actions, in seconds (see @drkit/posture).",
        properties: Object.fromEntries(Object.keys(DEFAULT_ESTIMATES).map((k) => [k, seconds])),
        additionalProperties: false,
        default: {},
      },
      waivers: {
        type: "array",
        description:
          "Time-boxed acceptances of a breach: service, optional disruption, owner, reason, expires (YYYY-MM-DD).",
        items: {
          type: "object",
          properties: {
            service: { type: "string", minLength: 1 },
            disruption: { type: "string", enum: [...DISRUPTIONS] },
            owner: { type: "string", minLength: 1 },
            reason: { type: "string", minLength: 1 },
            expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
          },
          required: ["service", "owner", "reason", "expires"],
          additionalProperties: false,
        },
        default: [],
      },
      assessmentDate: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
    },
  },
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<RpoRtoConfig>();
    const now = config.assessmentDate ? new Date(`${config.assessmentDate}T00:00:00Z`) : new Date();
    let report;
    try {
      report = assessGraph(toResourceGraph(args.resources), config, { now });
    } catch (err) {
      if (err instanceof PostureInputError || err instanceof InvalidPolicyError)
        return reportViolation(err.message);
      throw err;
    }
    // The SDK types reportViolation as (message, urn); at runtime it also takes an object that sets the
    // level of one violation (@pulumi/policy server.js makeReportViolationFun).
    const report_ = reportViolation as ReportViolation &
      ((v: { message: string; urn?: string; enforcementLevel: "advisory" }) => void);
    const urnOf = (service: string) => report.services.find((s) => s.name === service)?.resources[0];
    for (const a of report.assessments) {
      if (a.status === "PolicyBreached" || a.status === "UnknownUntilDeploy") {
        reportViolation(body(a), urnOf(a.service));
      } else if (a.status === "Waived") {
        report_({
          message: `${rpoRto.description}\nWAIVED: ${body(a)}`,
          urn: urnOf(a.service),
          enforcementLevel: "advisory",
        });
      }
    }
    for (const w of report.waivers.filter((x) => x.state === "expired" || x.state === "malformed")) {
      report_({
        message: `${rpoRto.description}\nA waiver was not applied (${w.state}): ${describeWaiver(w.waiver)}: ${w.problems.join("; ")}`,
        enforcementLevel: "advisory",
      });
    }
  },
};
