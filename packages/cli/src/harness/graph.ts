// A captured run as the posture model's graph: what the stack policy sees, built from the same wire
// values the engine would send it (outputs, secrets revealed, resource references as ids).
import type { GraphResource, JsonObject, ResourceGraph } from "@drkit/posture";
import type { ProgramRun } from "./program";
import { plainProperties } from "./wire";

/** `properties` are outputs, as in `AnalyzeStack` (use "inputs" for what `Analyze` sees). */
export function toResourceGraph(
  run: ProgramRun,
  properties: "outputs" | "inputs" = "outputs",
): ResourceGraph {
  return {
    resources: run.resources.map((r): GraphResource => {
      const provider = run.providerOf(r);
      return {
        urn: r.urn,
        type: r.type,
        name: r.name,
        properties: plainProperties(r[properties]) as JsonObject,
        parent: r.parent,
        dependencies: r.dependencies,
        propertyDependencies: r.propertyDependencies,
        provider: provider
          ? {
              urn: provider.urn,
              type: provider.type,
              name: provider.name,
              properties: plainProperties(provider.inputs) as JsonObject,
            }
          : undefined,
      };
    }),
  };
}
