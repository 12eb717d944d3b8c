// Builds graphs shaped exactly like what the policy pack and the harness hand the model.
import type { GraphResource, JsonObject, ResourceGraph } from "../src";

export class GraphBuilder {
  readonly resources: GraphResource[] = [];

  add(
    type: string,
    name: string,
    properties: JsonObject,
    options: { parent?: GraphResource; region?: string; deps?: Record<string, GraphResource[]> } = {},
  ): GraphResource {
    const resource: GraphResource = {
      urn: `urn:pulumi:prod::platform::${type}::${name}`,
      type,
      name,
      properties,
      parent: options.parent?.urn,
      dependencies: Object.values(options.deps ?? {})
        .flat()
        .map((r) => r.urn),
      propertyDependencies: Object.fromEntries(
        Object.entries(options.deps ?? {}).map(([k, rs]) => [k, rs.map((r) => r.urn)]),
      ),
      provider: options.region
        ? {
            urn: `urn:pulumi:prod::platform::pulumi:providers:aws::${options.region}`,
            type: "pulumi:providers:aws",
            name: options.region,
            properties: { region: options.region },
          }
        : undefined,
    };
    this.resources.push(resource);
    return resource;
  }

  get graph(): ResourceGraph {
    return { resources: this.resources };
  }
}

export const tags = (service: string, tier = "critical") => ({
  "drkit:service": service,
  "drkit:tier": tier,
});
export const labels = (service: string, region: string, tier = "critical") => ({
  "drkit.dev/service": service,
  "drkit.dev/tier": tier,
  "drkit.dev/region": region,
});

/** A source bucket in eu-west-1, versioned, optionally replicated to eu-central-1. */
export function replicatedBucket(
  g: GraphBuilder,
  options: {
    rtc?: boolean;
    replicate?: boolean;
    versioned?: boolean;
    destinationRegion?: string;
    service?: string;
  } = {},
) {
  const service = options.service ?? "orders";
  const source = g.add(
    "aws:s3/bucket:Bucket",
    `${service}-data`,
    { objectLockEnabled: true, tags: tags(service) },
    { region: "eu-west-1" },
  );
  if (options.versioned ?? true) {
    g.add(
      "aws:s3/bucketVersioning:BucketVersioning",
      `${service}-data-versioning`,
      { versioningConfiguration: { status: "Enabled" } },
      { region: "eu-west-1", deps: { bucket: [source] } },
    );
  }
  if (options.replicate ?? true) {
    const replica = g.add(
      "aws:s3/bucket:Bucket",
      `${service}-data-replica`,
      { objectLockEnabled: true, tags: tags(service) },
      { region: options.destinationRegion ?? "eu-central-1" },
    );
    const destination: JsonObject = { bucket: "arn:aws:s3:::replica" };
    if (options.rtc ?? true) {
      destination.replicationTime = { status: "Enabled", time: { minutes: 15 } };
      destination.metrics = { status: "Enabled", eventThreshold: { minutes: 15 } };
    }
    g.add(
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
      `${service}-data-replication`,
      {
        rules: [
          {
            id: "to-secondary",
            status: "Enabled",
            deleteMarkerReplication: { status: "Disabled" },
            destination,
          },
        ],
      },
      { region: "eu-west-1", deps: { bucket: [source], rules: [replica] } },
    );
  }
  return source;
}
