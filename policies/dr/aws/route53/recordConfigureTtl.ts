import { Record as DnsRecord } from "@pulumi/aws/route53";
import { remediateResourceOfType, validateResourceOfType } from "@pulumi/policy";
import { listAt, unknownMessage, unknownPaths, valueAt } from "../../support/properties";
import { fromJudgement, Judge, unfixable } from "../../support/remediation";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../../support/metadata";

const NAME = "drkit-aws-route53-record-configure-ttl";

export interface RecordTtlConfig {
  maximumTtlSeconds: number;
}

/**
 * The fix is `ttl` set to the budget: an in-place change (Route 53 UPSERT; the provider's `ttl` is not
 * ForceNew). A record with no TTL and no values is left alone: it is broken in a way a TTL does not mend.
 */
const judge: Judge = (props, args) => {
  const { maximumTtlSeconds } = args.getConfig<RecordTtlConfig>();
  const subject = `record ${args.name}`;
  const routing = unknownPaths(props, ["failoverRoutingPolicies", "weightedRoutingPolicies", "aliases"]);
  if (routing.length > 0) return { findings: [unfixable(unknownMessage(subject, routing))] };
  const routed =
    listAt(props, "failoverRoutingPolicies").length + listAt(props, "weightedRoutingPolicies").length > 0;
  if (!routed) return { notApplicable: "the record has no failover or weighted routing policy" };
  if (listAt(props, "aliases").length > 0) return { notApplicable: "alias records take the target's TTL" };
  const unknown = unknownPaths(props, ["ttl"]);
  if (unknown.length > 0) return { findings: [unfixable(unknownMessage(subject, unknown))] };
  const ttl = valueAt(props, "ttl");
  const fixes = [{ path: ["ttl"], value: maximumTtlSeconds }];
  if (typeof ttl !== "number") {
    const hasValues = listAt(props, "records").length > 0;
    return {
      findings: [
        {
          message: `record ${args.name} has no TTL; set \`ttl\` to at most ${maximumTtlSeconds} s.`,
          fixes: hasValues ? fixes : [],
        },
      ],
    };
  }
  if (ttl <= maximumTtlSeconds) return { findings: [] };
  return {
    findings: [
      {
        message: `record ${args.name} has TTL ${ttl} s: resolvers may keep sending clients to a failed endpoint that long. The budget is ${maximumTtlSeconds} s.`,
        fixes,
      },
    ],
  };
};

const { validate, remediate } = fromJudgement(judge);

/** Resolvers keep answering the failed region for up to the TTL after a failover (dr-facts [R53-2]). */
export const recordConfigureTtl: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "Route 53 failover records: short TTL",
  description: "A failover or weighted Route 53 record must have a TTL within the budget (AWS advises 60 s).",
  enforcementLevel: "advisory",
  severity: "medium",
  url: policyDocsUrl(NAME),
  remediationSteps:
    'Set `ttl` on the aws.route53.Record to at most `maximumTtlSeconds` (default 60), e.g. `new aws.route53.Record("api-primary", { ..., ttl: 60 })`. ' +
    'Or opt in to the remediation: { "drkit-aws-route53-record-configure-ttl": "remediate" } in the policy pack config sets `ttl` to the budget (an in-place update).',
  framework: iso27001(
    "5.30",
    "ICT continuity requirements set a recovery time; a failover that resolvers ignore for the record's TTL adds that TTL to every recovery.",
  ),
  tags: policyTags({
    topics: ["failover"],
    disruptions: ["region"],
    soc2: ["A1.2"],
    nist80053: ["CP-7"],
  }),
  configSchema: {
    properties: { maximumTtlSeconds: { type: "integer", minimum: 0, default: 60 } },
  },
  validateResource: validateResourceOfType(DnsRecord, (_record, args, reportViolation) =>
    validate(args, reportViolation),
  ),
  remediateResource: remediateResourceOfType(DnsRecord, (_record, args) => remediate(args)),
};
