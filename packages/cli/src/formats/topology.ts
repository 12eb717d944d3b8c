// The recovery topology of a checked stack, for the pull-request summary: the regions, the services'
// components in them, and the copies a region disruption recovers from, each labelled with its RPO bound.
// Nothing here is drawn by hand: the nodes and arrows are the posture model's own estimates (their
// subjects and the basis they relied on), placed in the regions the model reads.
import type { CheckResult } from "../check";
import { POSTURE_POLICY } from "../check";
import { toResourceGraph } from "../harness/graph";
import {
  dataHoldingKind,
  formatDuration,
  Estimate,
  GraphIndex,
  GraphResource,
  PostureConfig,
  PropertyReader,
  resolveResiliencyPolicy,
  RULES,
} from "@drkit/posture";

export interface TopologyNode {
  /** the diagram's id: `n0`, `n1`, … in order of first appearance */
  readonly id: string;
  readonly urn: string;
  readonly service: string;
  readonly label: string;
}

export interface TopologyRegion {
  /** the region's name; null when drkit cannot tell (a global resource, or one with no region set) */
  readonly name: string | null;
  readonly nodes: readonly TopologyNode[];
}

export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

export interface Topology {
  readonly regions: readonly TopologyRegion[];
  readonly edges: readonly TopologyEdge[];
}

/**
 * Where a resource is: the AWS region the model reads (its own, its provider's, its Kubernetes label), or
 * for a Neon project the Neon region it declares (`regionId`, e.g. `aws-eu-central-1`).
 */
function regionOf(index: GraphIndex, resource: GraphResource): string | null {
  return index.regionOf(resource) ?? new PropertyReader(resource).string("regionId") ?? null;
}

/** An RPO bound as an arrow reads it. */
function rpoLabel(estimate: Estimate): string {
  if (estimate.unknown.length > 0) return "RPO unknown until deploy";
  if (estimate.rpoSeconds === null) return "holds no data";
  return Number.isFinite(estimate.rpoSeconds)
    ? `RPO ≤ ${formatDuration(estimate.rpoSeconds)}`
    : "RPO: no bound";
}

/** "Bucket orders-data-replica": the kind (last part of the type token) and the name. */
function resourceLabel(resource: GraphResource): string {
  return `${resource.type.split(":").pop() ?? resource.type} ${resource.name}`;
}

/**
 * The topology of `result`, or undefined when there is no posture (the drkit-rpo-rto policy did not run,
 * or the model refused its input: the pack reported that).
 */
export function topologyOf(result: CheckResult): Topology | undefined {
  const settings = result.report.config[POSTURE_POLICY];
  if (!result.posture || !settings) return undefined;
  const { assessmentDate: _ignored, ...policyInput } = (settings.properties ?? {}) as PostureConfig;
  const index = new GraphIndex(toResourceGraph(result.run));
  const policy = resolveResiliencyPolicy(policyInput);

  const nodes = new Map<string, TopologyNode & { readonly region: string | null }>();
  const nodeFor = (resource: GraphResource, service: string, label: string) => {
    let node = nodes.get(resource.urn);
    if (!node) {
      node = {
        id: `n${nodes.size}`,
        urn: resource.urn,
        service,
        label: `${service}: ${label}`,
        region: regionOf(index, resource),
      };
      nodes.set(resource.urn, node);
    }
    return node;
  };
  const edges: TopologyEdge[] = [];
  for (const service of index.services()) {
    // The model's rules, as the assessment ran them (what they report as not assessed is in the posture).
    const estimates = RULES.flatMap((rule) => rule({ index, policy, service, notAssessed: () => undefined }));
    for (const estimate of estimates) {
      const subject = index.byUrn.get(estimate.subject);
      if (!subject) continue;
      const from = nodeFor(subject, service.name, estimate.component);
      if (estimate.disruption !== "region") continue;
      // A copy a region loss is recovered from: data held by another resource, somewhere else.
      for (const urn of new Set(estimate.basis)) {
        const copy = index.byUrn.get(urn);
        if (!copy || urn === estimate.subject || dataHoldingKind(copy.type) === undefined) continue;
        const region = regionOf(index, copy);
        if (region !== null && region === from.region) continue;
        const to = nodeFor(copy, service.name, resourceLabel(copy));
        if (!edges.some((e) => e.from === from.id && e.to === to.id)) {
          edges.push({ from: from.id, to: to.id, label: rpoLabel(estimate) });
        }
      }
    }
  }
  const regionNames = [...new Set([...nodes.values()].map((n) => n.region))];
  // Named regions in order of first appearance; the unplaced ones last.
  const ordered = [...regionNames.filter((r) => r !== null), ...regionNames.filter((r) => r === null)];
  return {
    regions: ordered.map((name) => ({
      name,
      nodes: [...nodes.values()]
        .filter((n) => n.region === name)
        .map(({ id, urn, service, label }) => ({ id, urn, service, label })),
    })),
    edges,
  };
}

/** Mermaid's limits as GitHub renders it (mermaid's defaults `maxTextSize` and `maxEdges`). */
export const MERMAID_MAX_TEXT = 50_000;
export const MERMAID_MAX_EDGES = 500;

/** `text` inside a quoted Mermaid label: quotes, markup and `#` as Mermaid's entity codes, on one line. */
export function mermaidLabel(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/#/g, "#35;")
    .replace(/"/g, "#quot;")
    .replace(/</g, "#lt;")
    .replace(/>/g, "#gt;")
    .replace(/`/g, "#96;");
}

/** The topology as a Mermaid flowchart: regions as subgraphs, copies as labelled arrows. */
export function renderMermaid(topology: Topology): string {
  const lines = ["flowchart LR"];
  topology.regions.forEach((region, i) => {
    lines.push(`  subgraph r${i}["${mermaidLabel(region.name ?? "no region (global, or not set)")}"]`);
    for (const node of region.nodes) lines.push(`    ${node.id}["${mermaidLabel(node.label)}"]`);
    lines.push("  end");
  });
  for (const edge of topology.edges)
    lines.push(`  ${edge.from} -->|"${mermaidLabel(edge.label)}"| ${edge.to}`);
  return lines.join("\n");
}
