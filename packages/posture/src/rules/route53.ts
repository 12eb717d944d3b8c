// Route 53: how traffic leaves a failed region. Health-check-driven records switch on their own (data
// plane); ARC routing controls are a manual but data-plane switch; anything else is an operator's record
// change through the control plane. DNS holds no data, so it has no RPO.
import type { GraphResource } from "../graph";
import { PropertyReader } from "../graphIndex";
import { Estimate, NO_TIME, RtoTerms, term } from "../estimate";
import type { FactKey } from "../facts";
import { manualRecovery, Rule } from "./context";

export const RECORD = "aws:route53/record:Record";
export const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";
export const ROUTE53_FAILOVER = "drkit:index:Route53Failover";
const ENDPOINT_CHECKS = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP"];
// Alias records answer with the target's TTL; load balancers use 60 s.
const ALIAS_TTL_SECONDS = 60;

interface RecordSet {
  readonly name: string;
  /** the resource waivers name: the first record, or the component declaring the set */
  readonly subject: string;
  /** the records; for a declared set, its health checks */
  readonly records: { record: GraphResource; read: PropertyReader }[];
  /** set when another stack owns the records (see Route53Failover `manageRecords`) */
  readonly declared?: { mode: string; ttl: number };
}

type Check =
  { kind: "endpoint"; interval: number; threshold: number } | { kind: "routing-control" } | { kind: "none" };

export const route53Rule: Rule = ({ index, service, policy }) => {
  const e = policy.estimates;
  const records = service.resources.filter((r) => r.type === RECORD);
  const groups = new Map<string, RecordSet>();
  for (const record of records) {
    const read = new PropertyReader(record);
    const routed =
      read.list("failoverRoutingPolicies").length + read.list("weightedRoutingPolicies").length > 0;
    if (!routed) continue;
    const name = read.string("name") ?? record.name;
    const key = `${name} ${read.string("type") ?? ""}`;
    const group = groups.get(key) ?? { name, subject: record.urn, records: [] };
    group.records.push({ record, read });
    groups.set(key, group);
  }
  // A Route53Failover whose records another stack owns (the failover stack): its health checks are here,
  // its records are not; model the record set it declares.
  for (const component of service.resources.filter((r) => r.type === ROUTE53_FAILOVER)) {
    const read = new PropertyReader(component);
    if (read.get("manageRecords") !== false) continue;
    const name = read.string("fqdn") ?? component.name;
    const ttl = read.get("recordAlias") === true ? ALIAS_TTL_SECONDS : (read.number("ttlSeconds") ?? 60);
    const checks = service.resources.filter((r) => r.type === HEALTH_CHECK && r.parent === component.urn);
    groups.set(`${name} declared`, {
      name,
      subject: component.urn,
      records: checks.map((check) => ({ record: check, read: new PropertyReader(check) })),
      declared: { mode: read.string("routingMode") ?? "weighted", ttl },
    });
  }
  const estimates: Estimate[] = [];
  for (const group of groups.values()) {
    const unknown: string[] = [];
    const basis = [group.subject, ...group.records.map(({ record }) => record.urn)];
    const classify = (check: GraphResource | undefined): Check => {
      if (!check) return { kind: "none" };
      basis.push(check.urn);
      const read = new PropertyReader(check);
      const type = read.string("type");
      const result: Check =
        type === "RECOVERY_CONTROL"
          ? { kind: "routing-control" }
          : type !== undefined && ENDPOINT_CHECKS.includes(type)
            ? {
                kind: "endpoint",
                interval: read.number("requestInterval") ?? 30,
                threshold: read.number("failureThreshold") ?? 3,
              }
            : { kind: "none" };
      unknown.push(...read.unknown);
      return result;
    };
    let ttl = 0;
    let mode: string;
    let checks: Check[];
    if (group.declared) {
      ({ ttl, mode } = group.declared);
      checks = group.records.map(({ record }) => classify(record));
    } else {
      for (const { read } of group.records) {
        ttl = Math.max(ttl, read.list("aliases").length > 0 ? ALIAS_TTL_SECONDS : (read.number("ttl") ?? 0));
      }
      const failover = group.records.filter(({ read }) => read.list("failoverRoutingPolicies").length > 0);
      mode = failover.length > 0 ? "failover" : "weighted";
      checks = (
        mode === "failover" ? failover.filter(({ read }) => valueIsPrimary(read)) : group.records
      ).map(({ record }) => classify(index.dependenciesOf(record, "healthCheckId", HEALTH_CHECK)[0]));
    }
    for (const { read } of group.records) unknown.push(...read.unknown);

    const propagation = term(ttl, `resolvers cache the old answer for the record TTL of ${ttl} s`);
    const facts: FactKey[] = ["r53Ttl"];
    const lines: string[] = [];
    let rto: RtoTerms;
    const endpointChecks = checks.filter(
      (c): c is Extract<Check, { kind: "endpoint" }> => c.kind === "endpoint",
    );
    if (checks.length > 0 && endpointChecks.length === checks.length) {
      const slowest = endpointChecks.reduce((a, b) =>
        a.interval * a.threshold >= b.interval * b.threshold ? a : b,
      );
      const detection = slowest.interval * slowest.threshold;
      rto = {
        detection: term(detection, `health check ${slowest.interval} s × ${slowest.threshold} failures`),
        decision: NO_TIME("automatic"),
        action: NO_TIME("Route 53 answers the other record by itself"),
        propagation,
      };
      lines.push(
        mode === "failover"
          ? `Failover records driven by health checks switch to the SECONDARY on their own (data plane), after ${slowest.interval} s × ${slowest.threshold} = ${detection} s.`
          : `Weighted records with health checks skip the unhealthy region on their own (data plane), after ${slowest.interval} s × ${slowest.threshold} = ${detection} s.`,
      );
      facts.push("r53Detection", mode === "failover" ? "r53FailoverRecords" : "r53WeightedHealth");
    } else if (checks.length > 0 && checks.every((c) => c.kind === "routing-control")) {
      rto = manualRecovery(
        e,
        term(
          e.routingControlSwitchSeconds,
          "flip the ARC routing control, estimate `routingControlSwitchSeconds`",
        ),
        propagation,
      );
      lines.push(
        `ARC routing controls switch traffic through the cluster's data-plane endpoints, once an operator decides.`,
      );
      facts.push("arcRoutingControl");
    } else {
      rto = manualRecovery(
        e,
        term(
          e.dnsChangeSeconds,
          "change the records (control plane, us-east-1), estimate `dnsChangeSeconds`",
        ),
        propagation,
      );
      lines.push(
        `No health check can move traffic by itself, so an operator changes the records: a control-plane call AWS advises not to rely on during recovery.`,
      );
      facts.push("r53ControlPlane");
    }
    estimates.push({
      subject: group.subject,
      basis,
      component: `DNS ${group.name} (${mode}${group.declared ? ", records owned by the failover stack" : ""})`,
      disruption: "region",
      rpoSeconds: null,
      rto,
      lines,
      facts,
      unknown,
    });
  }
  return estimates;
};

function valueIsPrimary(read: PropertyReader): boolean {
  return read
    .list("failoverRoutingPolicies")
    .some((p) => typeof p === "object" && p !== null && !Array.isArray(p) && p.type === "PRIMARY");
}
