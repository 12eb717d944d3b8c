// Remote (multi-language) components — @pulumi/awsx, @pulumi/eks, a platform team's own — are built by
// their provider plugin: the program registers the component, and the plugin creates its children through
// the engine. Offline no plugin runs, so the children are not in the run, and nothing judges them. The
// harness marks such a component (`OPAQUE_COMPONENT_PROPERTY`) so that the posture model, in the pack,
// reports a service holding one NotAssessed; and `drkit check` names every one of them.
import { OPAQUE_COMPONENT_PROPERTY } from "@drkit/posture";
import type { CapturedResource, ProgramRun } from "./program";
import type { PropertyMap } from "./wire";

/** A component whose resources the offline run could not see. */
export interface RemoteComponent {
  readonly urn: string;
  /** its type token, e.g. `awsx:ec2:Vpc` */
  readonly type: string;
  readonly name: string;
}

/** The package whose provider plugin constructs a component of `type` (`awsx` for `awsx:ec2:Vpc`). */
export function pluginOf(type: string): string {
  return type.split(":")[0] ?? type;
}

/** Why a remote component of `type` is opaque offline, as the model's NotAssessed reason. */
export function opaqueReason(type: string): string {
  return `it is a remote component, whose resources the ${pluginOf(type)} provider plugin creates when Pulumi runs; drkit check runs no plugin, so they are not in the graph (\`pulumi preview --policy-pack\` sees them)`;
}

/**
 * A remote component's outputs offline: the mock's state (what the program saw; its own inputs, so a
 * `drkit:service` tag among them puts it in that service) and the opaque marker.
 */
export function opaqueOutputs(resource: CapturedResource, state: PropertyMap): PropertyMap {
  return { ...state, [OPAQUE_COMPONENT_PROPERTY]: opaqueReason(resource.type) };
}

/** The run's remote components, in registration order. */
export function remoteComponentsOf(run: Pick<ProgramRun, "resources">): RemoteComponent[] {
  return run.resources.filter((r) => r.remote).map(({ urn, type, name }) => ({ urn, type, name }));
}
