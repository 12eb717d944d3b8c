// The whole graph RedisCrossZone registers, as the engine receives it (types, names, parents, providers,
// dependencies, options and inputs with their secrets), for the shapes of arguments that change it. The
// posture model and the pack read this graph (docs/graph-contract.md): a refactor must leave it identical,
// and a deliberate change shows here as a reviewable snapshot diff.
import { runProgram, ProgramRun } from "@drkit/cli/harness";
import { DrRegionPair, RedisCrossZone, RedisCrossZoneArgs } from "@drkit/components";

const base = {
  project: "platform",
  stack: "prod",
  computedOutputs: {
    "aws:s3/bucket:Bucket": ["arn", "bucket"],
    "aws:iam/role:Role": ["arn"],
    "aws:iam/policy:Policy": ["arn"],
    "random:index/randomPassword:RandomPassword": ["result"],
  },
};

function program(changes: Partial<Omit<RedisCrossZoneArgs, "regions">>) {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new RedisCrossZone("sessions", { service: "sessions", tier: "critical", regions, ...changes });
  };
}

/** Everything the engine is told, with URNs shortened to names so the snapshot reads. */
function registered(run: ProgramRun) {
  const nameOf = (urn: string | undefined) => (urn === undefined ? undefined : urn.split("::").pop());
  return run.resources
    .filter((r) => r.origin === "registered")
    .map((r) => ({
      type: r.type,
      name: r.name,
      parent: nameOf(r.parent),
      provider: nameOf(r.providerRef?.slice(0, r.providerRef.lastIndexOf("::"))),
      dependencies: r.dependencies.map(nameOf),
      propertyDependencies: Object.fromEntries(
        Object.entries(r.propertyDependencies).map(([key, urns]) => [key, urns.map(nameOf)]),
      ),
      retainOnDelete: r.retainOnDelete,
      additionalSecretOutputs: r.additionalSecretOutputs,
      inputs: r.inputs,
    }));
}

describe("RedisCrossZone registers exactly this graph", () => {
  it.each([
    ["with its defaults", {}],
    [
      "with every option that adds or changes children",
      {
        namespace: "cache",
        replicas: 5,
        zones: 3,
        storageGi: 20,
        storageClassName: "gp3",
        image: "quay.io/opstree/redis:v7.2.4",
        sentinelImage: "quay.io/opstree/redis-sentinel:v7.2.4",
        uploaderImage: "amazon/aws-cli:2.22.0",
        backup: {
          cron: "*/30 * * * *",
          retentionDays: 14,
          serviceAccountName: "redis-backup",
          pushgatewayUrl: "http://pushgateway.monitoring:9091",
        },
        drill: {
          schedule: "0 4 * * 1",
          pushgatewayUrl: "http://pushgateway.monitoring:9091",
          serviceAccountName: "redis-drill",
          loadTimeoutSeconds: 1200,
        },
        installOperator: true,
        operatorChartVersion: "0.22.1",
        standby: true,
        standbyServiceAccountName: "redis-restore",
      },
    ],
    [
      "with IRSA roles for the backup Job and the standby",
      {
        standby: true,
        irsa: {
          primaryOidcProviderArn:
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
          secondaryOidcProviderArn:
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF",
        },
      },
    ],
  ] as const)("%s", async (_case, changes) => {
    const run = await runProgram(program(changes as Partial<RedisCrossZoneArgs>), base);
    expect(registered(run)).toMatchSnapshot();
  });
});
