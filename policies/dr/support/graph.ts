import { PolicyResource } from "@pulumi/policy";
import { GraphResource, ResourceGraph } from "@drkit/posture";
import { rawProperties } from "./properties";

/** The stack policy's view of the stack, as the posture model's graph (no value is lost or re-derived). */
export function toResourceGraph(resources: readonly PolicyResource[]): ResourceGraph {
  return {
    resources: resources.map((r): GraphResource => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      properties: rawProperties(r.props),
      parent: r.parent?.urn,
      dependencies: r.dependencies.map((d) => d.urn),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies).map(([key, deps]) => [key, deps.map((d) => d.urn)]),
      ),
      provider: r.provider
        ? {
            urn: r.provider.urn,
            type: r.provider.type,
            name: r.provider.name,
            properties: rawProperties(r.provider.props),
          }
        : undefined,
    })),
  };
}
