// A switch must be an in-place update in both directions: the same URNs, the same provider references, and
// only the weights and the routing-control states changing, none of them a property that forces a
// replacement in the provider's schema. Judged by `engineDiff` (the engine's rules) over two captured graphs.
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Record as DnsRecord } from "@pulumi/aws/route53";
import { runProgram } from "@drkit/cli/harness";
import { changedPaths, engineDiff, loadReplacementFacts, ResourceStep } from "./engineDiff";
import { manifestFor, runFailover } from "./support";

const facts = loadReplacementFacts();
const REASON = "eu-west-1 outage, INC-4711";
const graph = async (config: Record<string, string>, secrets?: Record<string, string>) =>
  (await runFailover({ reason: REASON, ...config }, { secrets })).run;

/** Each resource's step by name (the stack and its components aside): what `pulumi preview` would list. */
const summary = (steps: ResourceStep[]) =>
  Object.fromEntries(
    steps
      .filter((s) => !s.type.startsWith("pulumi:pulumi:"))
      .map((s) => [
        s.urn.slice(s.urn.lastIndexOf("::") + 2),
        { op: s.op, ref: s.providerReference, changed: s.changed, replace: s.replaceReasons },
      ]),
  );

const UNCHANGED_PROVIDERS = {
  "aws-switch": { op: "same", ref: "none", changed: [], replace: [] },
  local: { op: "same", ref: "none", changed: [], replace: [] },
};
const weightUpdate = {
  op: "update",
  ref: "same",
  changed: ["weightedRoutingPolicies[0].weight"],
  replace: [],
};
const states = (...changed: string[]) => ({
  op: "update",
  ref: "same",
  changed: changed.map((side) => `environment.${side.toUpperCase()}_STATE`),
  replace: [],
});

describe("the replacement facts come from the vendored schemas", () => {
  it("Route 53 records are replaced on a new zone or name only; the AWS provider on no config key", () => {
    expect(facts.replacePaths.get("aws:route53/record:Record")).toEqual(["name", "zoneId"]);
    expect(facts.providerReplaceKeys.get("aws")).toEqual([]);
    expect(facts.replacePaths.get("command:local:Command")).toEqual(["triggers"]);
    expect(facts.replacePaths.get("kubernetes:apps/v1:DeploymentPatch")).toEqual([
      "metadata.name",
      "metadata.namespace",
      "spec.selector",
    ]);
  });
});

describe("a switch is an in-place update", () => {
  it.each([
    ["primary", "secondary"],
    ["secondary", "primary"],
  ])(
    "from %s to %s: two weights and two routing-control states, same URNs and providers",
    async (from, to) => {
      const before = await graph({ activeRegion: from });
      const after = await graph({ activeRegion: to });
      const steps = summary(engineDiff(before, after, facts));
      expect(steps).toEqual({
        ...UNCHANGED_PROVIDERS,
        "primary-weighted": weightUpdate,
        "secondary-weighted": weightUpdate,
        "routing-controls": states("primary", "secondary"),
      });
    },
  );

  it("a gradual shift, 50/50 then 0/100: weights, then one routing control", async () => {
    const half = await graph({ activeRegion: "secondary", primaryWeight: "50", secondaryWeight: "50" });
    const all = await graph({ activeRegion: "secondary" });
    expect(summary(engineDiff(half, all, facts))).toEqual({
      ...UNCHANGED_PROVIDERS,
      "primary-weighted": weightUpdate,
      "secondary-weighted": weightUpdate,
      "routing-controls": states("primary"),
    });
  });

  it("with a warm standby, the standby's replicas change too, in place, under the same provider", async () => {
    const workloads = JSON.stringify([
      { kind: "Deployment", namespace: "orders", name: "api", activeReplicas: 6, standbyReplicas: 1 },
    ]);
    const secrets = { secondaryKubeconfig: "apiVersion: v1\nkind: Config\n" };
    const before = await graph({ activeRegion: "primary", standbyWorkloads: workloads }, secrets);
    const after = await graph({ activeRegion: "secondary", standbyWorkloads: workloads }, secrets);
    expect(summary(engineDiff(before, after, facts))).toEqual({
      ...UNCHANGED_PROVIDERS,
      "primary-weighted": weightUpdate,
      "secondary-weighted": weightUpdate,
      "routing-controls": states("primary", "secondary"),
      "kubernetes-eu-central-1": { op: "same", ref: "none", changed: [], replace: [] },
      "standby-orders-api": { op: "update", ref: "same", changed: ["spec.replicas"], replace: [] },
    });
  });
});

describe("engineDiff is live", () => {
  it("reports a replacement for a property the schema marks replaceOnChanges", async () => {
    const before = await graph({ activeRegion: "secondary" });
    const moved = { ...manifestFor("eu-west-1", "eu-central-1"), zoneId: "Z999999999" };
    const after = (
      await runFailover(
        { activeRegion: "secondary", reason: REASON },
        { manifests: { "eu-central-1": JSON.stringify(moved) } },
      )
    ).run;
    const steps = summary(engineDiff(before, after, facts));
    for (const name of ["primary-weighted", "secondary-weighted"])
      expect(steps[name]).toMatchObject({ op: "replace", replace: ["property zoneId"] });
  });

  // The design the issue reported: a provider named after the side being activated. Its records' provider
  // reference changes with every switch, which is what a stable provider avoids.
  it("reports the changed provider reference of a provider named after the side activated", async () => {
    const program = (side: string, region: string) => () => {
      const provider = new AwsProvider(`activate-${side}`, { region });
      new DnsRecord(
        "primary-weighted",
        {
          zoneId: "Z0123456789",
          name: "api.example.com",
          type: "A",
          setIdentifier: "primary",
          records: ["192.0.2.1"],
          ttl: 60,
          weightedRoutingPolicies: [{ weight: side === "primary" ? 100 : 0 }],
        },
        { provider },
      );
      return pulumi.output({});
    };
    const options = { config: { "pulumi:disable-default-providers": '["*"]' } };
    const before = await runProgram(program("primary", "eu-west-1"), options);
    const after = await runProgram(program("secondary", "eu-central-1"), options);
    expect(summary(engineDiff(before, after, facts))["primary-weighted"]).toMatchObject({
      op: "update",
      ref: "changed",
    });
    // Were `region` a key that replaces the provider (pulumi-aws before v7), the record would be replaced.
    const v6 = { ...facts, providerReplaceKeys: new Map([["aws", ["region"]]]) };
    expect(summary(engineDiff(before, after, v6))["primary-weighted"]).toMatchObject({
      op: "replace",
      replace: ["its provider changed from activate-primary to activate-secondary (region)"],
    });
  });

  it("changedPaths names leaves, list items by index", () => {
    expect(changedPaths({ a: [{ w: 1 }], b: { c: "x", d: 1 } }, { a: [{ w: 2 }], b: { c: "x" } })).toEqual([
      "a[0].w",
      "b.d",
    ]);
  });
});
