import { runProgram, plainProperties, ProgramOptions } from "@drkit/cli/harness";
import { failover, validateFailoverConfig, PlatformFailoverOutputs, ARC_SWITCH_SCRIPT } from "../failover";

const platformOutputs: PlatformFailoverOutputs = {
  zoneId: "Z0123456789",
  recordName: "api.example.com",
  recordType: "A",
  ttl: 60,
  primary: {
    region: "eu-west-1",
    setIdentifier: "primary",
    healthCheckId: "hc-primary",
    alias: { name: "primary-lb.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" },
  },
  secondary: {
    region: "eu-central-1",
    setIdentifier: "secondary",
    healthCheckId: "hc-secondary",
    alias: { name: "secondary-lb.eu-central-1.elb.amazonaws.com", zoneId: "Z215JYRZR1TBD5" },
  },
  arc: {
    clusterEndpoints: [
      { endpoint: "https://aaa.route53-recovery-cluster.us-west-2.amazonaws.com/v1", region: "us-west-2" },
      { endpoint: "https://bbb.route53-recovery-cluster.eu-west-1.amazonaws.com/v1", region: "eu-west-1" },
    ],
    routingControlArns: {
      primary: "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/primary",
      secondary: "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/secondary",
    },
  },
};

function options(config: Record<string, string>): ProgramOptions {
  return {
    project: "drkit-failover",
    stack: "prod",
    config: {
      "pulumi:disable-default-providers": '["*"]',
      "drkit-failover:platformStack": "organization/drkit-platform/prod",
      ...config,
    },
    // A StackReference under the mocks: the platform stack's outputs.
    newResource: (args) =>
      args.type === "pulumi:pulumi:StackReference"
        ? {
            id: args.inputs.name,
            state: { ...args.inputs, outputs: { failover: platformOutputs }, secretOutputNames: [] },
          }
        : { id: `${args.name}-id`, state: { ...args.inputs } },
  };
}

async function switchTo(activeRegion: string, extra: Record<string, string> = {}) {
  return runProgram(
    () => failover(),
    options({
      "drkit-failover:activeRegion": activeRegion,
      "drkit-failover:reason": "eu-west-1 outage, INC-4711",
      ...extra,
    }),
  );
}

describe("the failover stack", () => {
  it.each([
    ["secondary", "eu-central-1", { primary: 0, secondary: 100 }, "secondary", "primary"],
    ["primary", "eu-west-1", { primary: 100, secondary: 0 }, "primary", "secondary"],
  ])(
    "switching to %s sets exact weights, from a provider in %s only",
    async (side, region, weights, on, off) => {
      const run = await switchTo(side);
      // Every provider it registers, and every resource's provider: nothing in the region being left.
      const providers = run.resources
        .filter((r) => r.type.startsWith("pulumi:providers:"))
        .sort((a, b) => a.type.localeCompare(b.type));
      expect(providers.map((p) => [p.type, p.name, plainProperties(p.inputs).region ?? null])).toEqual([
        ["pulumi:providers:aws", `activate-${side}`, region],
        ["pulumi:providers:command", "local", null],
      ]);
      for (const r of run.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:"))) {
        expect(run.providerOf(r)?.name).toBe(
          r.type === "aws:route53/record:Record" ? `activate-${side}` : "local",
        );
      }
      const records = run.ofType("aws:route53/record:Record").map((r) => plainProperties(r.inputs));
      expect(records).toEqual([
        {
          zoneId: "Z0123456789",
          name: "api.example.com",
          type: "A",
          setIdentifier: "primary",
          healthCheckId: "hc-primary",
          weightedRoutingPolicies: [{ weight: weights.primary }],
          aliases: [
            {
              name: "primary-lb.eu-west-1.elb.amazonaws.com",
              zoneId: "Z32O12XQLNTSW2",
              evaluateTargetHealth: true,
            },
          ],
        },
        {
          zoneId: "Z0123456789",
          name: "api.example.com",
          type: "A",
          setIdentifier: "secondary",
          healthCheckId: "hc-secondary",
          weightedRoutingPolicies: [{ weight: weights.secondary }],
          aliases: [
            {
              name: "secondary-lb.eu-central-1.elb.amazonaws.com",
              zoneId: "Z215JYRZR1TBD5",
              evaluateTargetHealth: true,
            },
          ],
        },
      ]);
      const arc = plainProperties(run.ofType("command:local:Command")[0]!.inputs);
      expect(arc.create).toBe(ARC_SWITCH_SCRIPT);
      expect(arc.environment).toEqual({
        ARC_ENDPOINTS:
          "https://aaa.route53-recovery-cluster.us-west-2.amazonaws.com/v1|us-west-2 https://bbb.route53-recovery-cluster.eu-west-1.amazonaws.com/v1|eu-west-1",
        ON_CONTROL_ARN: platformOutputs.arc!.routingControlArns[on as "primary"],
        OFF_CONTROL_ARN: platformOutputs.arc!.routingControlArns[off as "primary"],
      });
      expect(run.stackOutputs).toMatchObject({
        activeRegion: side,
        reason: "eu-west-1 outage, INC-4711",
        weights,
      });
      expect(plainProperties(run.byUrn(run.stackUrn)!.outputs)).toMatchObject({
        activeAwsRegion: region,
        weights,
      });
    },
  );

  it("reads the platform through one StackReference", async () => {
    const run = await switchTo("secondary");
    expect(run.ofType("pulumi:pulumi:StackReference").map((r) => plainProperties(r.inputs).name)).toEqual([
      "organization/drkit-platform/prod",
    ]);
  });

  it("allows a gradual shift with explicit weights", async () => {
    const run = await switchTo("secondary", {
      "drkit-failover:primaryWeight": "20",
      "drkit-failover:secondaryWeight": "80",
    });
    expect(run.stackOutputs).toMatchObject({ weights: { primary: 20, secondary: 80 } });
  });

  it("fails when both weights are zero", async () => {
    await expect(switchTo("secondary", { "drkit-failover:secondaryWeight": "0" })).rejects.toThrow(
      "the failover config is invalid:\n  - both weights are 0: Route 53 then splits traffic equally over both regions, the opposite of a failover. Give `drkit-failover:secondaryWeight` a positive weight",
    );
  });

  it("fails without a reason, naming the key", async () => {
    await expect(
      runProgram(() => failover(), options({ "drkit-failover:activeRegion": "secondary" })),
    ).rejects.toThrow(
      "  - `drkit-failover:reason` must say why traffic moves, in at least 10 characters (got null); it is recorded in the stack outputs",
    );
  });
});

describe("validateFailoverConfig", () => {
  it("lists every problem at once", () => {
    expect(
      validateFailoverConfig({
        platformStack: "prod",
        activeRegion: "tertiary",
        reason: "",
        primaryWeight: 300,
      }),
    ).toEqual([
      '`drkit-failover:platformStack` must be <org>/<project>/<stack> (got "prod"); e.g. organization/drkit-platform/prod',
      '`drkit-failover:activeRegion` must be "primary" or "secondary" (got "tertiary")',
      '`drkit-failover:reason` must say why traffic moves, in at least 10 characters (got ""); it is recorded in the stack outputs',
      "`drkit-failover:primaryWeight` must be an integer 0–255 (got 300); omit it to use 100 or 0",
    ]);
  });
  it("fails when the active side's weight is zero", () => {
    expect(
      validateFailoverConfig({
        platformStack: "o/p/s",
        activeRegion: "secondary",
        reason: "drill: game day 7",
        primaryWeight: 100,
        secondaryWeight: 0,
      }),
    ).toEqual([
      "`drkit-failover:activeRegion` is secondary but its weight is 0: raise `drkit-failover:secondaryWeight`",
    ]);
  });
});
