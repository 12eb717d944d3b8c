import { listAt, rawProperties, reportUnknown, unknownPaths, valueAt } from "../support/properties";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../support/metadata";

const NAME = "drkit-kubernetes-redis-replication-spread-across-zones";

export const REDIS_REPLICATION_TYPE = "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication";
const ZONE_KEY = "topology.kubernetes.io/zone";

export interface RedisSpreadConfig {
  minimumReplicas: number;
}

/**
 * Replicas in one zone die together: a zone disruption then loses every copy held in memory.
 * No remediation: more replicas cost memory and nodes, and a hard spread leaves pods Pending on a cluster
 * without nodes in enough zones; both reschedule the running Redis pods.
 */
export const redisReplicationSpreadAcrossZones: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "Redis replication: replicas spread across zones",
  description:
    "A RedisReplication needs enough replicas and a hard zone spread (topology.kubernetes.io/zone, maxSkew 1, DoNotSchedule) to survive a zone loss.",
  enforcementLevel: "advisory",
  severity: "high",
  url: policyDocsUrl(NAME),
  remediationSteps:
    'On the RedisReplication (redis.redis.opstreelabs.in/v1beta2), set `spec.clusterSize` to at least `minimumReplicas` (default 3) and add `spec.topologySpreadConstraints` [{ topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", labelSelector: ... }]; make sure the cluster has nodes in at least that many zones. ' +
    "drkit offers no automatic remediation for this policy.",
  framework: iso27001(
    "8.14",
    "Processing facilities are redundant enough to meet availability requirements: copies of the data must not share one zone.",
  ),
  tags: policyTags({
    topics: ["redundancy"],
    disruptions: ["zone"],
    soc2: ["A1.2"],
    nist80053: ["SC-36"],
  }),
  configSchema: { properties: { minimumReplicas: { type: "integer", minimum: 2, default: 3 } } },
  validateResource: (args, reportViolation) => {
    if (args.type !== REDIS_REPLICATION_TYPE) return;
    const { minimumReplicas } = args.getConfig<RedisSpreadConfig>();
    const props = rawProperties(args.props);
    const unknown = unknownPaths(props, ["spec.clusterSize", "spec.topologySpreadConstraints"]);
    if (unknown.length > 0) return reportUnknown(reportViolation, `RedisReplication ${args.name}`, unknown);
    const replicas = valueAt(props, "spec.clusterSize");
    if (typeof replicas !== "number" || replicas < minimumReplicas) {
      reportViolation(
        `RedisReplication ${args.name} runs ${JSON.stringify(replicas ?? null)} replicas; at least ${minimumReplicas} are needed. Set \`spec.clusterSize\`.`,
      );
    }
    const hardZoneSpread = listAt(props, "spec.topologySpreadConstraints").some(
      (c) =>
        valueAt(c, "topologyKey") === ZONE_KEY &&
        valueAt(c, "maxSkew") === 1 &&
        valueAt(c, "whenUnsatisfiable") === "DoNotSchedule",
    );
    if (!hardZoneSpread) {
      reportViolation(
        `RedisReplication ${args.name} does not require a zone spread: add \`spec.topologySpreadConstraints\` { topologyKey: "${ZONE_KEY}", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" }.`,
      );
    }
  },
};
