import * as pulumi from "@pulumi/pulumi";
import { ConfigMap } from "@pulumi/kubernetes/core/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { type RegionPair, checkRegionPair, kubeconfigFix } from "../common/regions";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkPlain,
  shown,
} from "../common/validation";
import { regionSidesOf } from "../drRegionPair";
import { checkNamespace, isDnsSubdomain } from "../kubernetes/validation";
import { drDashboard } from "./dashboard";
import { MonitorCluster } from "./drHealthMonitor";

/** The label Grafana's dashboard sidecar (the grafana Helm chart's default) looks for on ConfigMaps. */
export const GRAFANA_DASHBOARD_LABEL = "grafana_dashboard";

export interface DrDashboardArgs {
  /** The clusters: a `DrRegionPair` given kubeconfigs in TypeScript, or the regions with their kubeconfigs. */
  readonly regions: RegionPair;
  /**
   * The clusters whose Grafana gets the dashboard; each shows what its own Prometheus holds.
   * @default ["primary", "secondary"]
   */
  readonly clusters?: MonitorCluster[];
  /** Namespace of the ConfigMap; Grafana's sidecar must watch it. @default "monitoring" */
  readonly namespace?: string;
  /** The dashboard's title. @default "DR posture" */
  readonly title?: string;
}

const FIELDS = ["regions", "clusters", "namespace", "title"];

/**
 * Every problem with the arguments, each naming the field and the fix; with `name`, also a component name
 * that cannot name the ConfigMaps. Takes anything.
 */
export function validateDrDashboardArgs(args: unknown, name?: string): string[] {
  const problems = new ArgsProblems();
  if (name !== undefined)
    problems.check(
      isDnsSubdomain(name),
      `\`name\` ${shown(name)} must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters): it names the ConfigMaps`,
    );
  if (!checkArgsObject(args, "pass { regions }", problems)) return [...problems.list];
  checkKnownFields("", args, FIELDS, problems);
  const regions = checkRegionPair(args.regions, problems);
  if (checkPlain("clusters", args.clusters, problems) && args.clusters !== undefined) {
    const clusters: unknown = args.clusters;
    if (!Array.isArray(clusters) || clusters.length === 0)
      problems.add(`\`clusters\` must list "primary", "secondary" or both (got ${shown(clusters)})`);
    else
      clusters.forEach((cluster: unknown, i) => {
        if (cluster !== "primary" && cluster !== "secondary")
          problems.add(`\`clusters[${i}]\` must be "primary" or "secondary" (got ${shown(cluster)})`);
        else if (regions && !regions[cluster].kubernetes)
          problems.add(
            `\`regions.${cluster}\` has no Kubernetes provider: ${kubeconfigFix(regions, cluster)}`,
          );
      });
  } else if (args.clusters === undefined && regions) {
    for (const cluster of ["primary", "secondary"] as const)
      problems.check(
        regions[cluster].kubernetes,
        `\`regions.${cluster}\` has no Kubernetes provider: ${kubeconfigFix(regions, cluster)}, or list the clusters that have one in \`clusters\``,
      );
  }
  if (checkPlain("namespace", args.namespace, problems))
    checkNamespace("namespace", args.namespace, problems);
  if (checkPlain("title", args.title, problems))
    problems.check(
      args.title === undefined ||
        (typeof args.title === "string" && args.title.trim() !== "" && args.title.length <= 200),
      `\`title\` must be a non-empty string of at most 200 characters (got ${shown(args.title)})`,
    );
  return [...problems.list];
}

/**
 * The DR dashboard, provisioned through a ConfigMap that Grafana's dashboard sidecar loads (label
 * `grafana_dashboard: "1"`), in each cluster given: per service, the age of each recovery point against its
 * alert threshold and RPO target, the standby's replication lag, the RTO budget, the last exercise and the
 * DR alerts firing. It reads only DrHealthMonitor's recording rules, so one dashboard serves every service.
 */
export class DrDashboard extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:DrDashboard";
  /** The dashboard JSON, as the ConfigMaps hold it. */
  readonly dashboardJson: string;

  constructor(name: string, args: DrDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateDrDashboardArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("DrDashboard", name, problems);
    super(DrDashboard.__pulumiType, name, {}, opts);

    const sides = regionSidesOf(name, args.regions, this);
    const clusters = args.clusters ?? [MonitorCluster.Primary, MonitorCluster.Secondary];
    const namespace = args.namespace ?? "monitoring";
    this.dashboardJson = JSON.stringify(
      drDashboard({ uid: `drkit-${name}`.slice(0, 40), title: args.title ?? "DR posture" }),
      null,
      2,
    );
    for (const cluster of clusters) {
      new ConfigMap(
        `${name}-${cluster}`,
        {
          metadata: {
            name,
            namespace,
            labels: { [GRAFANA_DASHBOARD_LABEL]: "1", "app.kubernetes.io/managed-by": "drkit" },
          },
          data: { [`${name}.json`]: this.dashboardJson },
        },
        { parent: this, provider: sides[cluster].kubernetesProvider as KubernetesProvider },
      );
    }
    this.registerOutputs({ clusters, namespace, dashboardJson: this.dashboardJson });
  }
}
