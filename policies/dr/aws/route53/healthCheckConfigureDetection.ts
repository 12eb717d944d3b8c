import { HealthCheck } from "@pulumi/aws/route53";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { unknownMessage, unknownPaths, valueAt } from "../../support/properties";
import { fromJudgement, Judge, unfixable } from "../../support/remediation";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../../support/metadata";

const NAME = "drkit-aws-route53-health-check-configure-detection";

// Endpoint checks: Route 53 declares them unhealthy after about interval × threshold (dr-facts [R53-3]).
const ENDPOINT_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];
// Route 53 defaults: 30 s interval, 3 failures; a threshold is 1–10 (dr-facts [R53-1], [R53-2]).
const DEFAULT_INTERVAL_SECONDS = 30;
const DEFAULT_FAILURE_THRESHOLD = 3;
const MAXIMUM_FAILURE_THRESHOLD = 10;

export interface HealthCheckDetectionConfig {
  maximumDetectionSeconds: number;
}

/**
 * The fix lowers `failureThreshold` to the largest count that fits the budget: Route 53 updates it in
 * place. `requestInterval` is fixed when a health check is created (the provider's `request_interval` is
 * ForceNew: changing it replaces the check, and the records that name it), so the fix never touches it;
 * when even one failure at the check's interval exceeds the budget, there is no safe fix.
 */
const judge: Judge = (props, args) => {
  const { maximumDetectionSeconds } = args.getConfig<HealthCheckDetectionConfig>();
  const unknown = unknownPaths(props, ["type", "requestInterval", "failureThreshold"]);
  if (unknown.length > 0)
    return { findings: [unfixable(unknownMessage(`health check ${args.name}`, unknown))] };
  const type = valueAt(props, "type");
  if (typeof type !== "string" || !ENDPOINT_CHECK_TYPES.includes(type)) {
    return { notApplicable: `type ${JSON.stringify(type)} does not probe an endpoint` };
  }
  const interval = Number(valueAt(props, "requestInterval") ?? DEFAULT_INTERVAL_SECONDS);
  const threshold = Number(valueAt(props, "failureThreshold") ?? DEFAULT_FAILURE_THRESHOLD);
  const detection = interval * threshold;
  if (detection <= maximumDetectionSeconds) return { findings: [] };
  const fittingThreshold = Math.min(
    MAXIMUM_FAILURE_THRESHOLD,
    Math.floor(maximumDetectionSeconds / interval),
  );
  return {
    findings: [
      {
        message: `health check ${args.name} detects failure after ${interval} s × ${threshold} = ${detection} s; the budget is ${maximumDetectionSeconds} s. Lower \`requestInterval\` (10 or 30) or \`failureThreshold\` (1–10).`,
        fixes: fittingThreshold >= 1 ? [{ path: ["failureThreshold"], value: fittingThreshold }] : [],
      },
    ],
  };
};

const { validate, remediate } = fromJudgement(judge);

/** Detection time is the first term of every DNS-failover RTO; a slow check eats the budget. */
export const healthCheckConfigureDetection: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "Route 53 health checks: detect failure within the budget",
  description:
    "A Route 53 endpoint health check must detect failure (request interval × failure threshold) within the detection budget.",
  enforcementLevel: "advisory",
  severity: "medium",
  url: policyDocsUrl(NAME),
  remediationSteps:
    'Make `requestInterval` × `failureThreshold` on the aws.route53.HealthCheck at most `maximumDetectionSeconds` (default 90), e.g. `new aws.route53.HealthCheck("primary-check", { ..., requestInterval: 10, failureThreshold: 3 })`. ' +
    "`requestInterval` can only be set when the check is created (changing it replaces the check); `failureThreshold` changes in place. " +
    'Or opt in to the remediation: { "drkit-aws-route53-health-check-configure-detection": "remediate" } lowers `failureThreshold` to the largest value that fits the budget, when one does.',
  framework: iso27001(
    "5.30",
    "ICT continuity requirements set a recovery time; failover starts only once the failure is detected, so detection must fit inside it.",
  ),
  tags: policyTags({
    topics: ["failover", "detection"],
    disruptions: ["region"],
    soc2: ["A1.2"],
    nist80053: ["CP-7"],
  }),
  configSchema: {
    properties: {
      maximumDetectionSeconds: {
        type: "integer",
        minimum: 10,
        default: 90,
        description: "Default 90 s: Route 53's default 30 s interval × 3 failures.",
      },
    },
  },
  validateResource: validateResourceOfType(HealthCheck, (_check, args, reportViolation) =>
    validate(args, reportViolation),
  ),
  remediateResource: remediateResourceOfType(HealthCheck, (_check, args) => remediate(args)),
};
