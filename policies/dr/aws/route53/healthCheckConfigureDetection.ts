import { HealthCheck } from "@pulumi/aws/route53";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { rawProperties, reportUnknown, unknownPaths, valueAt } from "../../support/properties";

// Endpoint checks: Route 53 declares them unhealthy after about interval × threshold (dr-facts [R53-3]).
const ENDPOINT_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];

export interface HealthCheckDetectionConfig {
  maximumDetectionSeconds: number;
}

/** Detection time is the first term of every DNS-failover RTO; a slow check eats the budget. */
export const healthCheckConfigureDetection: ResourceValidationPolicy = {
  name: "drkit-aws-route53-health-check-configure-detection",
  description:
    "A Route 53 endpoint health check must detect failure (request interval × failure threshold) within the detection budget.",
  enforcementLevel: "advisory",
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
  validateResource: validateResourceOfType(HealthCheck, (_check, args, reportViolation) => {
    const { maximumDetectionSeconds } = args.getConfig<HealthCheckDetectionConfig>();
    const props = rawProperties(args.props);
    const unknown = unknownPaths(props, ["type", "requestInterval", "failureThreshold"]);
    if (unknown.length > 0) return reportUnknown(reportViolation, `health check ${args.name}`, unknown);
    const type = valueAt(props, "type");
    if (typeof type !== "string" || !ENDPOINT_CHECK_TYPES.includes(type)) {
      return args.notApplicable(`type ${JSON.stringify(type)} does not probe an endpoint`);
    }
    // Route 53 defaults: 30 s interval, 3 failures.
    const interval = Number(valueAt(props, "requestInterval") ?? 30);
    const threshold = Number(valueAt(props, "failureThreshold") ?? 3);
    const detection = interval * threshold;
    if (detection > maximumDetectionSeconds) {
      reportViolation(
        `health check ${args.name} detects failure after ${interval} s × ${threshold} = ${detection} s; the budget is ${maximumDetectionSeconds} s. Lower \`requestInterval\` (10 or 30) or \`failureThreshold\` (1–10).`,
      );
    }
  }),
};
