import { ReportViolation } from "@pulumi/policy";
import type { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import {
  Assessment,
  DEFAULT_ESTIMATES,
  DEFAULT_MAXIMUM_WAIVER_DAYS,
  DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS,
  DRILL_KINDS,
  DEFAULT_TIER_TARGETS,
  DISRUPTIONS,
  DISRUPTION_MEANING,
  InvalidPolicyError,
  PostureConfig,
  PostureInputError,
  assessWithConfig,
  formatDuration,
} from "@drkit/posture";
import { toResourceGraph } from "../support/graph";
import { DocumentedStackPolicy, iso27001, policyDocsUrl, policyTags } from "../support/metadata";

const NAME = "drkit-rpo-rto";

const seconds: PolicyConfigJSONSchema = { type: "number", minimum: 0 };
const target: PolicyConfigJSONSchema = {
  type: "object",
  properties: { rpoSeconds: seconds, rtoSeconds: seconds },
  required: ["rpoSeconds", "rtoSeconds"],
  additionalProperties: false,
};

type Level = "advisory" | "mandatory";
const level: PolicyConfigJSONSchema = {
  type: "string",
  enum: ["advisory", "mandatory"],
  default: "mandatory",
};

/** The policy's settings: the posture model's resiliency policy, in `--policy-pack-config` form. */
export interface RpoRtoConfig extends PostureConfig {
  /** level of a service whose targets are unknown (no tier, unknown tier, tiers in conflict). @default "mandatory" */
  missingPolicyLevel?: Level;
  /** level of a service holding data drkit cannot judge (`NotAssessed`). @default "mandatory" */
  notAssessedLevel?: Level;
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
 * No remediation: Pulumi cannot remediate stack policies, and meeting a target is a design choice.
 */
export const rpoRto: DocumentedStackPolicy = {
  name: NAME,
  displayName: "RPO and RTO targets met for every service and disruption",
  description:
    "Every service must be able to meet its tier's RPO and RTO targets for each disruption (software, hardware, zone, region).",
  enforcementLevel: "mandatory",
  severity: "critical",
  url: policyDocsUrl(NAME),
  remediationSteps:
    "Read the violation's derivation: it names the resource and the term (backup interval, retention, replication, detection, failover) that misses the target. " +
    "Change that resource (e.g. enable `destination.replicationTime` on the bucket's replication rule, shorten a Velero schedule, raise a Neon history window), put the service in a tier whose targets it can meet (`drkit:tier`), " +
    'or accept the breach for a limited time with a waiver in this policy\'s config: { "drkit-rpo-rto": { "waivers": [{ "service": "orders", "disruption": "region", "owner": "...", "reason": "...", "expires": "YYYY-MM-DD" }] } }. ' +
    "drkit offers no automatic remediation for this policy.",
  framework: iso27001(
    "5.30",
    "ICT readiness is planned and implemented from continuity objectives: each service's recovery point and recovery time objectives, per disruption, must be achievable by what is deployed.",
  ),
  tags: policyTags({
    topics: ["rpo-rto"],
    disruptions: ["software", "hardware", "zone", "region"],
    soc2: ["A1.2"],
    nist80053: ["CP-2"],
    other: ["nist-sp-800-34r1/3.2"],
  }),
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
            resource: { type: "string", minLength: 1 },
            acceptedRpoSeconds: seconds,
            acceptedRtoSeconds: seconds,
            owner: { type: "string", minLength: 1 },
            reason: { type: "string", minLength: 1 },
            expires: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" },
          },
          required: ["service", "owner", "reason", "expires"],
          additionalProperties: false,
        },
        default: [],
      },
      measuredRestores: {
        type: "array",
        description:
          "Restore times drills measured (`drkit drills report --policy-config-snippet` writes them): within measuredRestoreMaxAgeDays each replaces the estimate of its service's restore step of that kind; a stale one only when it is longer.",
        items: {
          type: "object",
          properties: {
            service: { type: "string", minLength: 1 },
            kind: { type: "string", enum: [...DRILL_KINDS] },
            disruption: { type: "string", enum: [...DISRUPTIONS] },
            restoreSeconds: { type: "number", exclusiveMinimum: 0 },
            measuredAt: { type: "string", minLength: 1 },
            evidence: { type: "string", minLength: 1 },
          },
          required: ["service", "kind", "restoreSeconds", "measuredAt", "evidence"],
          additionalProperties: false,
        },
        default: [],
      },
      measuredRestoreMaxAgeDays: {
        // The bounds are the model's to check (1–366 days), so its message names the tier and the fix.
        type: ["integer", "object"],
        default: DEFAULT_MEASURED_RESTORE_MAX_AGE_DAYS,
        description:
          "Days a measured restore counts, 1–366: one number for every tier, or per tier (a tier not listed: 30).",
      },
      assessmentDate: {
        type: "string",
        pattern: "^\\d{4}-\\d{2}-\\d{2}$",
        description:
          "Date the evidence as of this day (reproducible reports). Waivers are judged on this day and today: a past date never revives an expired waiver.",
      },
      maximumWaiverDays: {
        type: "integer",
        minimum: 1,
        maximum: 3650,
        default: DEFAULT_MAXIMUM_WAIVER_DAYS,
        description: "A waiver may not run longer than this many days past the day it is judged.",
      },
      missingPolicyLevel: {
        ...level,
        description:
          "Level of a service whose targets are unknown: no tier, a tier the policy does not define, a tier without a target for a disruption, or several tiers.",
      },
      notAssessedLevel: {
        ...level,
        description: "Level of a service holding data drkit cannot judge (NotAssessed) and no waiver names.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const { missingPolicyLevel, notAssessedLevel, ...config } = args.getConfig<RpoRtoConfig>();
    let report;
    try {
      report = assessWithConfig(toResourceGraph(args.resources), config, new Date());
    } catch (err) {
      if (err instanceof PostureInputError || err instanceof InvalidPolicyError)
        return reportViolation(err.message);
      throw err;
    }
    // The SDK types reportViolation as (message, urn); at runtime it also takes an object that sets the
    // level of one violation (@pulumi/policy server.js makeReportViolationFun). "mandatory" inherits the
    // policy's own level, so a policy configured advisory stays advisory throughout.
    const report_ = reportViolation as ReportViolation &
      ((v: { message: string; urn?: string; enforcementLevel?: "advisory" }) => void);
    const at = (message: string, urn: string | undefined, configured: Level | undefined) =>
      report_({
        message: `${rpoRto.description}\n${message}`,
        urn,
        ...(configured === "advisory" ? { enforcementLevel: "advisory" as const } : {}),
      });
    const urnOf = (service: string) => report.services.find((s) => s.name === service)?.resources[0];
    for (const problem of report.problems) {
      at(`NOT JUDGED: ${problem.message}`, urnOf(problem.service), missingPolicyLevel);
    }
    for (const a of report.assessments) {
      if (a.status === "PolicyBreached" || a.status === "UnknownUntilDeploy") {
        reportViolation(body(a), urnOf(a.service));
      } else if (a.status === "Waived") {
        at(`WAIVED: ${body(a)}`, urnOf(a.service), "advisory");
      }
    }
    for (const service of report.services) {
      const disruptions = report.assessments
        .filter((a) => a.service === service.name && a.status === "NotAssessed")
        .map((a) => a.disruption);
      if (disruptions.length === 0) continue;
      const lines = service.notAssessed.map(
        (n) =>
          `  - drkit cannot judge ${n.type} ${n.name}: ${n.reason}. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (\`"resource": "${n.name}"\`) with an owner, a reason and an expiry.`,
      );
      at(
        `NOT ASSESSED: ${service.name} (${service.tier}) holds data drkit cannot judge, so its ${disruptions.join(", ")} ${disruptions.length === 1 ? "disruption is" : "disruptions are"} not judged:\n${lines.join("\n")}`,
        service.notAssessed[0]?.urn ?? urnOf(service.name),
        notAssessedLevel,
      );
    }
    for (const w of report.waivers.filter((x) => x.state !== "applied")) {
      const text = `A waiver was not applied (${w.state}): ${describeWaiver(w.waiver)}: ${w.problems.join("; ")}`;
      // A malformed waiver is refused like bad config; an expired or unused one is a reminder.
      if (w.state === "malformed") reportViolation(text);
      else at(text, undefined, "advisory");
    }
  },
};
