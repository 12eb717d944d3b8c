import { SERVICE_TAG, TIER_TAG, SERVICE_LABEL, TIER_LABEL, REGION_LABEL } from "@drkit/posture";
import { ArgsProblems, shown } from "./validation";

/** Who a component's resources serve: the posture model groups resources by these. */
export interface ServiceIdentity {
  /** Service name: a DNS label (lowercase letters, digits, `-`; at most 63), e.g. `orders`. */
  readonly service: string;
  /** Tier whose RPO/RTO targets apply: `critical`, `important`, `standard`, or a tier your policy config defines. */
  readonly tier: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Checks `service` and `tier` (both become tag and label values). */
export function validateServiceIdentity(identity: ServiceIdentity, problems: ArgsProblems): void {
  for (const field of ["service", "tier"] as const) {
    const value: unknown = identity[field];
    problems.check(
      typeof value === "string" && value.length <= 63 && DNS_LABEL.test(value),
      `\`${field}\` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got ${shown(value)})`,
    );
  }
}

/** AWS tags marking a resource as part of the service. */
export function serviceTags(identity: ServiceIdentity): Record<string, string> {
  return { [SERVICE_TAG]: identity.service, [TIER_TAG]: identity.tier };
}

/** Kubernetes labels marking an object as part of the service, running in `region`'s cluster. */
export function serviceLabels(identity: ServiceIdentity, region: string): Record<string, string> {
  return { [SERVICE_LABEL]: identity.service, [TIER_LABEL]: identity.tier, [REGION_LABEL]: region };
}
