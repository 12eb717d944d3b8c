import { plainProperties } from "@drkit/cli/harness";
import { ARC_SWITCH_SCRIPT, controlRegionFor, validateFailoverConfig } from "../failover";
import { inputs, manifestFor, runFailover, MANIFEST_PARAMETER } from "./support";

const REASON = "eu-west-1 outage, INC-4711";
const switchTo = (activeRegion: string, extra: Record<string, string> = {}) =>
  runFailover({ activeRegion, reason: REASON, ...extra });

const ARNS = manifestFor("eu-west-1", "eu-central-1").arc!.routingControlArns;
// Outside the pair first (all five here), in the manifest's order.
const ENDPOINTS = [
  "https://a.route53-recovery-cluster.us-east-1.amazonaws.com/v1|us-east-1",
  "https://b.route53-recovery-cluster.us-west-2.amazonaws.com/v1|us-west-2",
  "https://d.route53-recovery-cluster.ap-northeast-1.amazonaws.com/v1|ap-northeast-1",
  "https://e.route53-recovery-cluster.ap-southeast-2.amazonaws.com/v1|ap-southeast-2",
  "https://c.route53-recovery-cluster.eu-west-1.amazonaws.com/v1|eu-west-1",
].join(" ");

const record = (side: "primary" | "secondary", weight: number, region: string) => ({
  zoneId: "Z0123456789",
  name: "api.example.com",
  type: "A",
  setIdentifier: side,
  healthCheckId: `hc-${side}`,
  weightedRoutingPolicies: [{ weight }],
  aliases: [
    {
      name: `${side}-lb.${region}.elb.amazonaws.com`,
      zoneId: side === "primary" ? "Z32O12XQLNTSW2" : "Z215JYRZR1TBD5",
      evaluateTargetHealth: true,
    },
  ],
});

describe("the failover stack", () => {
  it.each([
    [
      "secondary",
      "eu-central-1",
      { primary: 0, secondary: 100 },
      { PRIMARY_STATE: "Off", SECONDARY_STATE: "On" },
    ],
    ["primary", "eu-west-1", { primary: 100, secondary: 0 }, { PRIMARY_STATE: "On", SECONDARY_STATE: "Off" }],
  ])(
    "switching to %s reads the copy in %s and sets exact weights and ARC states",
    async (side, region, weights, states) => {
      const { run, reads } = await switchTo(side);
      // One AWS provider, outside the pair, the same whichever side is activated.
      const providers = run.resources
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .map((p) => [p.type, p.name, plainProperties(p.inputs)]);
      expect(providers).toEqual([
        [
          "pulumi:providers:aws",
          "aws-switch",
          // Provider inputs travel as strings, as the SDK sends them to the engine.
          {
            region: "us-west-2",
            skipCredentialsValidation: "true",
            skipRequestingAccountId: "true",
            skipMetadataApiCheck: "true",
            skipRegionValidation: "true",
          },
        ],
        ["pulumi:providers:command", "local", {}],
      ]);
      expect(reads).toEqual([
        {
          token: "aws:ssm/getParameter:getParameter",
          region,
          provider: expect.stringContaining("aws-switch"),
        },
      ]);
      expect(inputs(run, "aws:route53/record:Record")).toEqual([
        record("primary", weights.primary, "eu-west-1"),
        record("secondary", weights.secondary, "eu-central-1"),
      ]);
      for (const r of run.ofType("aws:route53/record:Record"))
        expect(run.providerOf(r)?.name).toBe("aws-switch");
      const arc = inputs(run, "command:local:Command")[0]!;
      expect(arc.create).toBe(ARC_SWITCH_SCRIPT);
      expect(arc.environment).toEqual({
        ARC_ENDPOINTS: ENDPOINTS,
        PRIMARY_CONTROL_ARN: ARNS.primary,
        SECONDARY_CONTROL_ARN: ARNS.secondary,
        ...states,
      });
      expect(run.stackOutputs).toMatchObject({
        activeRegion: side,
        activeAwsRegion: region,
        reason: REASON,
        operator: null,
        weights,
        controlRegion: "us-west-2",
      });
      expect(run.ofType("pulumi:pulumi:StackReference")).toEqual([]);
    },
  );

  it("allows a gradual shift: both routing controls on while both sides have weight", async () => {
    const { run } = await switchTo("secondary", { primaryWeight: "50", secondaryWeight: "50" });
    expect(run.stackOutputs).toMatchObject({ weights: { primary: 50, secondary: 50 } });
    expect(inputs(run, "command:local:Command")[0]!.environment).toMatchObject({
      PRIMARY_STATE: "On",
      SECONDARY_STATE: "On",
    });
  });

  it("without ARC the routing-control step only says so", async () => {
    const plain = JSON.stringify(manifestFor("eu-west-1", "eu-central-1", false));
    const { run } = await runFailover(
      { activeRegion: "secondary", reason: REASON },
      { manifests: { "eu-central-1": plain } },
    );
    expect(inputs(run, "command:local:Command")[0]!.environment).toEqual({
      ARC_ENDPOINTS: "",
      PRIMARY_CONTROL_ARN: "",
      SECONDARY_CONTROL_ARN: "",
      PRIMARY_STATE: "",
      SECONDARY_STATE: "",
    });
  });

  it("fails when both weights are zero", async () => {
    await expect(switchTo("secondary", { secondaryWeight: "0" })).rejects.toThrow(
      "the failover config is invalid:\n  - both weights are 0: Route 53 then splits traffic equally over both regions, the opposite of a failover. Give `drkit-failover:secondaryWeight` a positive weight",
    );
  });

  it("fails without a reason, naming the key", async () => {
    await expect(runFailover({ activeRegion: "secondary" })).rejects.toThrow(
      "  - `drkit-failover:reason` must say why traffic moves (an incident or drill id), on one line of 10–500 characters (got null)",
    );
  });

  it("fails on a manifest copy of another platform or another region pair, naming both", async () => {
    const other = {
      ...manifestFor("eu-west-1", "eu-north-1"),
      platform: { project: "other", stack: "prod" },
    };
    await expect(
      runFailover(
        { activeRegion: "secondary", reason: REASON },
        { manifests: { "eu-central-1": JSON.stringify(other) } },
      ),
    ).rejects.toThrow(
      `SSM parameter ${MANIFEST_PARAMETER} in eu-central-1 does not belong to this failover stack: it was published by other/prod, not drkit-platform/prod; its secondary region is eu-north-1, but \`drkit-failover:regions\`.secondary is eu-central-1`,
    );
  });

  it("fails on a manifest it cannot use in full, listing every problem", async () => {
    const broken = { ...manifestFor("eu-west-1", "eu-central-1"), version: 2, zoneId: "hostedzone/Z1" };
    await expect(
      runFailover(
        { activeRegion: "secondary", reason: REASON },
        { manifests: { "eu-central-1": JSON.stringify(broken) } },
      ),
    ).rejects.toThrow(
      `SSM parameter ${MANIFEST_PARAMETER} in eu-central-1: \`version\` must be 1 (got 2): publish it again with this drkit, or use the drkit that wrote it\nSSM parameter ${MANIFEST_PARAMETER} in eu-central-1: \`zoneId\` must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got "hostedzone/Z1")`,
    );
  });
});

describe("the warm standby", () => {
  const workloads = JSON.stringify([
    { kind: "Deployment", namespace: "orders", name: "api", activeReplicas: 6, standbyReplicas: 1 },
    {
      kind: "HorizontalPodAutoscaler",
      namespace: "orders",
      name: "worker",
      activeReplicas: 4,
      standbyReplicas: 1,
    },
  ]);
  const secrets = { secondaryKubeconfig: "apiVersion: v1\nkind: Config\n" };
  const patches = (run: Awaited<ReturnType<typeof runFailover>>["run"]) =>
    run.resources
      .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:"))
      .map((r) => [
        r.type,
        r.name,
        run.providerOf(r)?.name,
        r.retainOnDelete,
        plainProperties(r.inputs).spec,
      ]);

  it.each([
    ["secondary", { replicas: 6 }, { minReplicas: 4 }],
    ["primary", { replicas: 1 }, { minReplicas: 1 }],
  ])("switching to %s sets the secondary cluster's workloads, there only", async (side, deployment, hpa) => {
    const { run } = await runFailover(
      { activeRegion: side, reason: REASON, standbyWorkloads: workloads },
      { secrets },
    );
    expect(patches(run)).toEqual([
      [
        "kubernetes:apps/v1:DeploymentPatch",
        "standby-orders-api",
        "kubernetes-eu-central-1",
        true,
        deployment,
      ],
      [
        "kubernetes:autoscaling/v2:HorizontalPodAutoscalerPatch",
        "standby-orders-worker",
        "kubernetes-eu-central-1",
        true,
        hpa,
      ],
    ]);
    expect(plainProperties(run.ofType("kubernetes:apps/v1:DeploymentPatch")[0]!.inputs).metadata).toEqual({
      name: "api",
      namespace: "orders",
      annotations: { "pulumi.com/patchForce": "true" },
    });
  });

  it("skipStandbyScaling leaves the standby's cluster alone (fail-back while it is unreachable)", async () => {
    const { run } = await runFailover(
      { activeRegion: "primary", reason: REASON, standbyWorkloads: workloads, skipStandbyScaling: "true" },
      { secrets },
    );
    expect(patches(run)).toEqual([]);
    expect(run.resources.filter((r) => r.type === "pulumi:providers:kubernetes")).toEqual([]);
  });

  it("fails without the secondary cluster's kubeconfig, saying how to set it", async () => {
    await expect(
      runFailover({ activeRegion: "secondary", reason: REASON, standbyWorkloads: workloads }),
    ).rejects.toThrow(
      '`drkit-failover:standbyWorkloads` needs the secondary cluster\'s kubeconfig: pulumi config set --secret drkit-failover:secondaryKubeconfig "$(cat secondary.kubeconfig)"',
    );
  });
});

describe("validateFailoverConfig", () => {
  const valid = {
    platformStack: "o/p/s",
    regions: { primary: "eu-west-1", secondary: "eu-central-1" },
    activeRegion: "secondary",
    reason: "drill: game day 7",
  };

  it("accepts a complete config", () => {
    expect(validateFailoverConfig(valid)).toEqual([]);
  });

  it("lists every problem at once", () => {
    expect(
      validateFailoverConfig({
        platformStack: "prod",
        regions: { primary: "eu-west-1", secondary: "eu-west-1" },
        activeRegion: "tertiary",
        reason: "",
        primaryWeight: 300,
        controlRegion: "eu-west-1",
        standbyWorkloads: [
          { kind: "StatefulSet", namespace: "Orders", name: "api", activeReplicas: 1, standbyReplicas: 2 },
        ],
      }),
    ).toEqual([
      '`drkit-failover:platformStack` must be <org>/<project>/<stack> (got "prod"); e.g. organization/drkit-platform/prod',
      '`drkit-failover:regions` must be { primary: <aws region>, secondary: <another aws region> }, the platform\'s pair (got {"primary":"eu-west-1","secondary":"eu-west-1"}); the manifest is read from the region being activated',
      '`drkit-failover:activeRegion` must be "primary" or "secondary" (got "tertiary")',
      '`drkit-failover:reason` must say why traffic moves (an incident or drill id), on one line of 10–500 characters (got ""); it is recorded in the stack outputs and the stack config',
      "`drkit-failover:primaryWeight` must be an integer 0–255 (got 300); omit it to use 100 or 0",
      '`drkit-failover:controlRegion` must be an AWS region outside the platform\'s pair (got "eu-west-1"): the provider must not sit in a region that can be the failed one; omit it to use the first of us-west-2, us-east-2, eu-north-1 outside the pair',
      '`drkit-failover:standbyWorkloads[0]`.kind must be "Deployment" (scales spec.replicas) or "HorizontalPodAutoscaler" (scales spec.minReplicas) (got "StatefulSet")',
      '`drkit-failover:standbyWorkloads[0]`.namespace must be a Kubernetes namespace name (got "Orders")',
      "`drkit-failover:standbyWorkloads[0]`.activeReplicas (1) is below standbyReplicas (2): failover would lower the standby",
    ]);
  });

  it("refuses a reason on several lines: it goes into YAML, commits and audit records", () => {
    expect(validateFailoverConfig({ ...valid, reason: "INC-4711\nsecond line" })).toEqual([
      '`drkit-failover:reason` must say why traffic moves (an incident or drill id), on one line of 10–500 characters (got "INC-4711\\nsecond line"); it is recorded in the stack outputs and the stack config',
    ]);
  });

  it("fails when the active side's weight is zero", () => {
    expect(validateFailoverConfig({ ...valid, primaryWeight: 100, secondaryWeight: 0 })).toEqual([
      "`drkit-failover:activeRegion` is secondary but its weight is 0: raise `drkit-failover:secondaryWeight`",
    ]);
  });
});

describe("controlRegionFor", () => {
  it.each([
    [{ primary: "eu-west-1", secondary: "eu-central-1" }, "us-west-2"],
    [{ primary: "us-east-1", secondary: "us-west-2" }, "us-east-2"],
    [{ primary: "us-west-2", secondary: "us-east-2" }, "eu-north-1"],
  ])("%j → %s: never a region of the pair", (regions, expected) => {
    expect(controlRegionFor({ regions })).toBe(expected);
  });
});
