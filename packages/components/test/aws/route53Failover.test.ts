import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import { Bucket } from "@pulumi/aws/s3";
import {
  DrRegionPair,
  Route53Failover,
  Route53FailoverArgs,
  InvalidArgsError,
  validateRoute53FailoverArgs,
} from "@drkit/components";

const computedOutputs = {
  "aws:route53recoverycontrol/cluster:Cluster": ["arn"],
  "aws:route53recoverycontrol/controlPanel:ControlPanel": ["arn"],
  "aws:route53recoverycontrol/routingControl:RoutingControl": ["arn"],
};
const base = { project: "platform", stack: "prod", computedOutputs };
const COMPONENT = "urn:pulumi:prod::platform::drkit:index:Route53Failover::api";
const props = (r: CapturedResource) => plainProperties(r.inputs);
const regionOf = (run: ProgramRun, r: CapturedResource) => plainProperties(run.providerOf(r)!.inputs).region;

function program(changes: Partial<Omit<Route53FailoverArgs, "regions">> = {}) {
  return () => {
    const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    const dns = new Route53Failover("api", {
      service: "api",
      tier: "critical",
      regions,
      zoneId: "Z0123456789",
      recordName: "api.example.com",
      primary: { alias: { name: "primary-lb.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" } },
      secondary: { alias: { name: "secondary-lb.eu-central-1.elb.amazonaws.com", zoneId: "Z215JYRZR1TBD5" } },
      ...changes,
    });
    return { failover: dns.failoverOutputs };
  };
}

describe("Route53Failover", () => {
  it("failover mode: HTTPS checks and PRIMARY/SECONDARY alias records, all through a us-east-1 provider", async () => {
    const run = await runProgram(program(), base);
    const children = run.childrenOf(COMPONENT);
    expect(children.map((c) => [c.type, c.name])).toEqual([
      ["pulumi:providers:aws", "api-route53"],
      ["aws:route53/healthCheck:HealthCheck", "api-primary"],
      ["aws:route53/healthCheck:HealthCheck", "api-secondary"],
      ["aws:route53/record:Record", "api-primary"],
      ["aws:route53/record:Record", "api-secondary"],
    ]);
    for (const child of children.filter((c) => c.custom && !c.type.startsWith("pulumi:")))
      expect(regionOf(run, child)).toBe("us-east-1");
    expect(run.ofType("aws:route53/healthCheck:HealthCheck").map(props)).toEqual([
      {
        type: "HTTPS",
        fqdn: "primary-lb.eu-west-1.elb.amazonaws.com",
        port: 443,
        resourcePath: "/healthz",
        requestInterval: 10,
        failureThreshold: 3,
        tags: { "drkit:service": "api", "drkit:tier": "critical" },
      },
      {
        type: "HTTPS",
        fqdn: "secondary-lb.eu-central-1.elb.amazonaws.com",
        port: 443,
        resourcePath: "/healthz",
        requestInterval: 10,
        failureThreshold: 3,
        tags: { "drkit:service": "api", "drkit:tier": "critical" },
      },
    ]);
    expect(run.ofType("aws:route53/record:Record").map(props)).toEqual([
      {
        zoneId: "Z0123456789",
        name: "api.example.com",
        type: "A",
        setIdentifier: "primary",
        healthCheckId: "api-primary-id",
        failoverRoutingPolicies: [{ type: "PRIMARY" }],
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
        healthCheckId: "api-secondary-id",
        failoverRoutingPolicies: [{ type: "SECONDARY" }],
        aliases: [
          {
            name: "secondary-lb.eu-central-1.elb.amazonaws.com",
            zoneId: "Z215JYRZR1TBD5",
            evaluateTargetHealth: true,
          },
        ],
      },
    ]);
    expect(run.byUrn(COMPONENT)!.outputs).toMatchObject({
      service: "api",
      tier: "critical",
      routingMode: "failover",
      arcEnabled: false,
      fqdn: "api.example.com",
      weights: null,
    });
  });

  it("weighted mode with plain values: weights as given, TTL 60, CNAME records", async () => {
    const run = await runProgram(
      program({
        routing: { mode: "weighted", primaryWeight: 100, secondaryWeight: 0 },
        primary: { value: "primary.example.net" },
        secondary: { value: "secondary.example.net" },
      }),
      base,
    );
    expect(
      run
        .ofType("aws:route53/record:Record")
        .map((r) => [props(r).type, props(r).weightedRoutingPolicies, props(r).ttl, props(r).records]),
    ).toEqual([
      ["CNAME", [{ weight: 100 }], 60, ["primary.example.net"]],
      ["CNAME", [{ weight: 0 }], 60, ["secondary.example.net"]],
    ]);
  });

  it("weighted mode for a failover stack: health checks only, and the record set exported", async () => {
    const run = await runProgram(
      program({
        routing: { mode: "weighted", primaryWeight: 100, secondaryWeight: 0, manageRecords: false },
      }),
      base,
    );
    expect(run.ofType("aws:route53/record:Record")).toEqual([]);
    expect(run.stackOutputs).toEqual({
      failover: {
        zoneId: "Z0123456789",
        recordName: "api.example.com",
        recordType: "A",
        ttl: 60,
        primary: {
          region: "eu-west-1",
          setIdentifier: "primary",
          healthCheckId: "api-primary-id",
          alias: { name: "primary-lb.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" },
        },
        secondary: {
          region: "eu-central-1",
          setIdentifier: "secondary",
          healthCheckId: "api-secondary-id",
          alias: { name: "secondary-lb.eu-central-1.elb.amazonaws.com", zoneId: "Z215JYRZR1TBD5" },
        },
      },
    });
  });

  it("ARC: cluster, panel, one control per region, an at-least-one-on safety rule, RECOVERY_CONTROL checks, in us-west-2", async () => {
    const endpoints = [
      { endpoint: "https://host-aaa.us-west-2.example/v1", region: "us-west-2" },
      { endpoint: "https://host-bbb.eu-west-1.example/v1", region: "eu-west-1" },
    ];
    // What the provider reports for a cluster: its five regional endpoints (two here).
    const newResource = (args: { type: string; name: string; inputs: Record<string, unknown> }) => ({
      id: `${args.name}-id`,
      state:
        args.type === "aws:route53recoverycontrol/cluster:Cluster"
          ? { ...args.inputs, clusterEndpoints: endpoints }
          : { ...args.inputs },
    });
    const run = await runProgram(program({ arc: true }), { ...base, newResource });
    expect((run.stackOutputs as { failover: { arc: unknown } }).failover.arc).toEqual({
      clusterEndpoints: endpoints,
      routingControlArns: { primary: "arn-of-api-primary", secondary: "arn-of-api-secondary" },
    });
    const arcTypes = run.resources.filter((r) => r.type.startsWith("aws:route53recoverycontrol/"));
    expect(arcTypes.map((r) => [r.type.split(":").pop(), r.name, regionOf(run, r)])).toEqual([
      ["Cluster", "api-arc", "us-west-2"],
      ["ControlPanel", "api-arc", "us-west-2"],
      ["RoutingControl", "api-primary", "us-west-2"],
      ["RoutingControl", "api-secondary", "us-west-2"],
      ["SafetyRule", "api-at-least-one-on", "us-west-2"],
    ]);
    expect(props(run.ofType("aws:route53recoverycontrol/safetyRule:SafetyRule")[0]!)).toMatchObject({
      assertedControls: ["arn-of-api-primary", "arn-of-api-secondary"],
      ruleConfig: { type: "ATLEAST", threshold: 1, inverted: false },
    });
    expect(
      run
        .ofType("aws:route53/healthCheck:HealthCheck")
        .map((h) => [props(h).type, props(h).routingControlArn]),
    ).toEqual([
      ["RECOVERY_CONTROL", "arn-of-api-primary"],
      ["RECOVERY_CONTROL", "arn-of-api-secondary"],
    ]);
    expect(run.byUrn(COMPONENT)!.outputs).toMatchObject({
      arcEnabled: true,
      routingControlArns: { primary: "arn-of-api-primary", secondary: "arn-of-api-secondary" },
    });
  });

  it("constructs in preview with unknown weights", async () => {
    const run = await runProgram(
      () => {
        const regions = new DrRegionPair("dr", {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
        });
        const seed = new Bucket("seed");
        new Route53Failover("api", {
          service: "api",
          tier: "critical",
          regions,
          zoneId: "Z1",
          recordName: "api.example.com",
          primary: { value: "a.example.net" },
          secondary: { value: "b.example.net" },
          routing: { mode: "weighted", primaryWeight: seed.id.apply(() => 0), secondaryWeight: 0 },
        });
      },
      { ...base, preview: true },
    );
    expect(run.ofType("aws:route53/record:Record")).toHaveLength(2);
  });

  it.each([
    [
      "the record name is not a domain",
      { recordName: "api" },
      '`recordName` must be a fully qualified domain name such as api.example.com (got "api")',
    ],
    [
      "an endpoint has both alias and value",
      { primary: { value: "x.example.net", alias: { name: "a", zoneId: "z" } } },
      "`primary` needs exactly one of `alias` or `value`",
    ],
    [
      "the TTL is negative",
      { ttlSeconds: -1 },
      "`ttlSeconds` must be a whole number 0–86400 (got -1); omit it to use 60",
    ],
    [
      "the interval is 20 s",
      { healthCheck: { requestIntervalSeconds: 20 as never } },
      "`healthCheck.requestIntervalSeconds` must be 10 or 30 (got 20)",
    ],
    [
      "the threshold is 11",
      { healthCheck: { failureThreshold: 11 } },
      "`healthCheck.failureThreshold` must be a whole number 1–10 (got 11)",
    ],
    ["the port is 0", { healthCheck: { port: 0 } }, "`healthCheck.port` must be 1–65535 (got 0)"],
    [
      "the path is relative",
      { healthCheck: { path: "healthz" } },
      '`healthCheck.path` must start with "/" (got "healthz")',
    ],
    [
      "a weight is 256",
      { routing: { mode: "weighted", primaryWeight: 256, secondaryWeight: 0 } },
      "`routing.primaryWeight` must be a whole number 0–255 (got 256)",
    ],
    [
      "both weights are 0",
      { routing: { mode: "weighted", primaryWeight: 0, secondaryWeight: 0 } },
      "`routing`: both weights are 0, so Route 53 would split traffic equally; give the active region a weight, or set `allowAllZeroWeights: true` if that is really meant",
    ],
  ] as [string, Partial<Route53FailoverArgs>, string][])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes), base)).rejects.toThrow(
      new InvalidArgsError("Route53Failover", "api", [message]),
    );
  });

  it("accepts both weights 0 when explicitly allowed", async () => {
    const run = await runProgram(
      program({
        routing: { mode: "weighted", primaryWeight: 0, secondaryWeight: 0, allowAllZeroWeights: true },
      }),
      base,
    );
    expect(run.ofType("aws:route53/record:Record")).toHaveLength(2);
  });

  it("fails when both regions are the same", () => {
    const side = { region: "eu-west-1" } as never;
    expect(
      validateRoute53FailoverArgs({
        service: "api",
        tier: "critical",
        regions: { primary: side, secondary: side },
        zoneId: "Z1",
        recordName: "api.example.com",
        primary: { value: "a.example.net" },
        secondary: { value: "b.example.net" },
      }),
    ).toEqual(['`regions` must name two different regions (both "eu-west-1")']);
  });
});
