import { Record as DnsRecord } from "@pulumi/aws/route53";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { listAt, rawProperties, reportUnknown, unknownPaths, valueAt } from "../../support/properties";

export interface RecordTtlConfig {
  maximumTtlSeconds: number;
}

/** Resolvers keep answering the failed region for up to the TTL after a failover (dr-facts [R53-2]). */
export const recordConfigureTtl: ResourceValidationPolicy = {
  name: "drkit-aws-route53-record-configure-ttl",
  description: "A failover or weighted Route 53 record must have a TTL within the budget (AWS advises 60 s).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: { maximumTtlSeconds: { type: "integer", minimum: 0, default: 60 } },
  },
  validateResource: validateResourceOfType(DnsRecord, (_record, args, reportViolation) => {
    const { maximumTtlSeconds } = args.getConfig<RecordTtlConfig>();
    const props = rawProperties(args.props);
    const routed =
      listAt(props, "failoverRoutingPolicies").length + listAt(props, "weightedRoutingPolicies").length > 0;
    if (!routed) return args.notApplicable("the record has no failover or weighted routing policy");
    if (listAt(props, "aliases").length > 0) {
      return args.notApplicable("alias records take the target's TTL");
    }
    const unknown = unknownPaths(props, ["ttl"]);
    if (unknown.length > 0) return reportUnknown(reportViolation, `record ${args.name}`, unknown);
    const ttl = valueAt(props, "ttl");
    if (typeof ttl !== "number") {
      return reportViolation(
        `record ${args.name} has no TTL; set \`ttl\` to at most ${maximumTtlSeconds} s.`,
      );
    }
    if (ttl > maximumTtlSeconds) {
      reportViolation(
        `record ${args.name} has TTL ${ttl} s: resolvers may keep sending clients to a failed endpoint that long. The budget is ${maximumTtlSeconds} s.`,
      );
    }
  }),
};
