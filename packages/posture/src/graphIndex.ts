// One pass over the graph builds every lookup the rules need, so assessing is linear in its size.
import { GraphResource, JsonValue, ResourceGraph, UNKNOWN_VALUE } from "./graph";
import {
  COMPONENT_TYPE_PREFIX,
  REGION_LABEL,
  SERVICE_LABEL,
  SERVICE_TAG,
  TIER_LABEL,
  TIER_TAG,
} from "./labels";

/** Thrown for a graph the model cannot read (a malformed cron, …): names resource, field, value and fix. */
export class PostureInputError extends Error {
  constructor(
    readonly urn: string,
    readonly field: string,
    message: string,
  ) {
    super(`${urn}: \`${field}\` ${message}`);
    this.name = "PostureInputError";
  }
}

export function valueAt(value: JsonValue | undefined, path: string): JsonValue | undefined {
  let current = value;
  for (const key of path.split(".")) {
    if (current === UNKNOWN_VALUE) return UNKNOWN_VALUE;
    if (current === null || typeof current !== "object" || Array.isArray(current)) return undefined;
    current = current[key];
  }
  return current;
}

/**
 * Reads a resource's properties and remembers which ones were unknown (preview), so an estimate that
 * needed them becomes `UnknownUntilDeploy` naming them instead of a guess.
 */
export class PropertyReader {
  readonly unknown: string[] = [];
  constructor(readonly resource: GraphResource) {}

  get(
    path: string,
    from: JsonValue | undefined = this.resource.properties,
    label = path,
  ): JsonValue | undefined {
    const value = valueAt(from, path);
    if (value === UNKNOWN_VALUE) {
      this.unknown.push(`${this.resource.urn} ${label}`);
      return undefined;
    }
    return value;
  }
  string(path: string, from?: JsonValue, label?: string): string | undefined {
    const v = this.get(path, from, label);
    return typeof v === "string" ? v : undefined;
  }
  number(path: string, from?: JsonValue, label?: string): number | undefined {
    const v = this.get(path, from, label);
    return typeof v === "number" ? v : undefined;
  }
  list(path: string, from?: JsonValue, label?: string): JsonValue[] {
    const v = this.get(path, from, label);
    return Array.isArray(v) ? v : [];
  }
}

export interface ServiceGroup {
  readonly name: string;
  /** every tier the service's components, tags or labels declare, in order of first appearance */
  readonly declaredTiers: string[];
  readonly resources: GraphResource[];
}

export class GraphIndex {
  readonly byUrn = new Map<string, GraphResource>();
  /** for each URN, the resources whose inputs were computed from it, by input key */
  private readonly dependents = new Map<string, { resource: GraphResource; key: string }[]>();
  private readonly byType = new Map<string, GraphResource[]>();
  private readonly componentService = new Map<string, { service: string; tier: string } | null>();
  private readonly memos = new Map<string, unknown>();

  constructor(readonly graph: ResourceGraph) {
    for (const r of graph.resources) {
      this.byUrn.set(r.urn, r);
      const ofType = this.byType.get(r.type);
      if (ofType) ofType.push(r);
      else this.byType.set(r.type, [r]);
      for (const [key, urns] of Object.entries(r.propertyDependencies)) {
        for (const urn of urns) {
          const list = this.dependents.get(urn);
          if (list) list.push({ resource: r, key });
          else this.dependents.set(urn, [{ resource: r, key }]);
        }
      }
    }
  }

  /**
   * A lookup computed once per graph (rules run once per service; a graph-wide scan inside a rule would
   * make assessing quadratic).
   */
  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  ofType(type: string): readonly GraphResource[] {
    return this.byType.get(type) ?? [];
  }

  /** Resources of `type` whose input `key` was computed from `urn` (e.g. the versioning of a bucket). */
  dependentsOf(urn: string, type: string, key: string): GraphResource[] {
    return (this.dependents.get(urn) ?? [])
      .filter((d) => d.resource.type === type && d.key === key)
      .map((d) => d.resource);
  }

  /** Resources of `type` that input `key` of `resource` was computed from (e.g. a replication's destination). */
  dependenciesOf(resource: GraphResource, key: string, type: string): GraphResource[] {
    return (resource.propertyDependencies[key] ?? [])
      .map((urn) => this.byUrn.get(urn))
      .filter((r): r is GraphResource => r !== undefined && r.type === type);
  }

  /** The AWS region a resource lives in: its own `region`, its provider's, or its Kubernetes region label. */
  regionOf(resource: GraphResource): string | undefined {
    const own = resource.properties.region;
    if (typeof own === "string" && own !== UNKNOWN_VALUE) return own;
    const provider = resource.provider?.properties.region;
    if (typeof provider === "string" && provider !== UNKNOWN_VALUE) return provider;
    const label = valueAt(resource.properties, `metadata.labels`);
    const region =
      label && typeof label === "object" && !Array.isArray(label) ? label[REGION_LABEL] : undefined;
    return typeof region === "string" ? region : undefined;
  }

  private serviceFromComponents(resource: GraphResource): { service: string; tier: string } | null {
    const cached = this.componentService.get(resource.urn);
    if (cached !== undefined) return cached;
    let found: { service: string; tier: string } | null = null;
    const service = resource.properties.service;
    if (
      resource.type.startsWith(COMPONENT_TYPE_PREFIX) &&
      typeof service === "string" &&
      service !== UNKNOWN_VALUE
    ) {
      const tier = resource.properties.tier;
      found = { service, tier: typeof tier === "string" ? tier : "" };
    } else if (resource.parent) {
      const parent = this.byUrn.get(resource.parent);
      found = parent ? this.serviceFromComponents(parent) : null;
    }
    this.componentService.set(resource.urn, found);
    return found;
  }

  /**
   * The service a resource belongs to: its nearest drkit component's, else its own tags (merged over the
   * AWS provider's `defaultTags`, as the provider merges them) or Kubernetes labels.
   */
  serviceOf(resource: GraphResource): { service: string; tier: string } | null {
    const fromComponent = this.serviceFromComponents(resource);
    if (fromComponent) return fromComponent;
    const ownTags = valueAt(resource.properties, "tags");
    const tags = { ...providerDefaultTags(resource), ...(isBag(ownTags) ? ownTags : {}) };
    const labels = valueAt(resource.properties, "metadata.labels");
    for (const [bag, serviceKey, tierKey] of [
      [tags, SERVICE_TAG, TIER_TAG],
      [labels, SERVICE_LABEL, TIER_LABEL],
    ] as const) {
      if (isBag(bag) && typeof bag[serviceKey] === "string") {
        const tier = bag[tierKey];
        return { service: bag[serviceKey] as string, tier: typeof tier === "string" ? tier : "" };
      }
    }
    return null;
  }

  /** Services in order of first appearance. */
  services(): ServiceGroup[] {
    return this.grouping().services;
  }

  /** Resources whose service or tier tag is unknown until deploy (computed from another resource). */
  unknownMembership(): GraphResource[] {
    return this.grouping().unknown;
  }

  private grouping(): { services: ServiceGroup[]; unknown: GraphResource[] } {
    return this.memo("services", () => {
      const groups = new Map<string, ServiceGroup>();
      const unknown: GraphResource[] = [];
      for (const r of this.graph.resources) {
        const membership = this.serviceOf(r);
        if (!membership) continue;
        // A membership computed from another resource cannot be read in preview: never drop it silently.
        if (membership.service === UNKNOWN_VALUE || membership.tier === UNKNOWN_VALUE) {
          unknown.push(r);
          if (membership.service === UNKNOWN_VALUE) continue;
        }
        let group = groups.get(membership.service);
        if (!group) {
          group = { name: membership.service, declaredTiers: [], resources: [] };
          groups.set(membership.service, group);
        }
        if (
          membership.tier !== "" &&
          membership.tier !== UNKNOWN_VALUE &&
          !group.declaredTiers.includes(membership.tier)
        ) {
          group.declaredTiers.push(membership.tier);
        }
        group.resources.push(r);
      }
      return { services: [...groups.values()], unknown };
    });
  }
}

const isBag = (value: JsonValue | undefined): value is { [key: string]: JsonValue } =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The tags an AWS provider adds to every resource it manages (`defaultTags.tags`). The SDK sends provider
 * inputs that are objects as JSON text, so both forms are read.
 */
function providerDefaultTags(resource: GraphResource): { [key: string]: JsonValue } {
  const provider = resource.provider;
  if (!provider || !provider.type.startsWith("pulumi:providers:aws")) return {};
  let defaultTags: JsonValue | undefined = provider.properties.defaultTags;
  if (typeof defaultTags === "string" && defaultTags !== UNKNOWN_VALUE) {
    try {
      defaultTags = JSON.parse(defaultTags) as JsonValue;
    } catch {
      return {};
    }
  }
  const tags = valueAt(defaultTags, "tags");
  // Default tags unknown in preview may carry the service: a resource without its own service tag then
  // belongs to an unknown service, which is reported, never dropped.
  if (defaultTags === UNKNOWN_VALUE || tags === UNKNOWN_VALUE) return { [SERVICE_TAG]: UNKNOWN_VALUE };
  return isBag(tags) ? tags : {};
}
