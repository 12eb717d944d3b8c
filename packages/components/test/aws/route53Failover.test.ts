import * as pulumi from "@pulumi/pulumi";
import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import { Bucket } from "@pulumi/aws/s3";
import {
  DrRegionPair,
  Route53Failover,
  Route53FailoverArgs,
  InvalidArgsError,
  validateRoute53FailoverArgs,
  RoutingMode,
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

function program(changes: Partial<Omit<Route53FailoverArgs, "regions">> | Record<string, unknown> = {}) {
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

  it("given the regions as arguments (as other Pulumi languages pass them), names them in the record set and creates no region pair: Route 53 is global", async () => {
    const run = await runProgram(() => {
      const dns = new Route53Failover("api", {
        service: "api",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" },
        zoneId: "Z0123456789",
        recordName: "api.example.com",
        primary: { value: "primary.example.net" },
        secondary: { value: "secondary.example.net" },
        routing: { mode: RoutingMode.Weighted, primaryWeight: 100, secondaryWeight: 0, manageRecords: false },
      });
      return { failover: dns.failoverOutputs };
    }, base);
    expect(run.ofType("drkit:index:DrRegionPair")).toEqual([]);
    expect(run.ofType("pulumi:providers:aws").map((p) => p.name)).toEqual(["api-route53"]);
    expect(run.stackOutputs.failover).toMatchObject({
      primary: { region: "eu-west-1" },
      secondary: { region: "eu-central-1" },
    });
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

  const values = { primary: { value: "primary.example.net" }, secondary: { value: "secondary.example.net" } };
  const ips = { primary: { value: "203.0.113.10" }, secondary: { value: "198.51.100.20" } };
  it.each([
    [
      "the record name is not a domain",
      { recordName: "api" },
      '`recordName` must be a fully qualified domain name such as api.example.com (got "api")',
    ],
    [
      "the record name is in capitals",
      { recordName: "API.Example.com" },
      '`recordName` must be a fully qualified domain name such as api.example.com (got "API.Example.com"): did you mean "api.example.com"?',
    ],
    [
      "a label of the record name is longer than 63 characters",
      { recordName: `${"a".repeat(64)}.example.com` },
      `\`recordName\` must be a fully qualified domain name such as api.example.com (got "${"a".repeat(64)}.example.com")`,
    ],
    [
      "the zone id is empty",
      { zoneId: "" },
      '`zoneId` must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ (got "")',
    ],
    [
      "the zone id is the hosted zone's path",
      { zoneId: "/hostedzone/Z0123456789" },
      '`zoneId` must be a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ (got "/hostedzone/Z0123456789"): did you mean "Z0123456789"?',
    ],
    ["the record type is MX", { recordType: "MX" }, '`recordType` must be "A", "AAAA" or "CNAME" (got "MX")'],
    [
      "the record type is a property of Object.prototype",
      { recordType: "constructor" },
      '`recordType` must be "A", "AAAA" or "CNAME" (got "constructor")',
    ],
    [
      "an endpoint is null",
      { primary: null },
      "`primary` must be { alias: { name, zoneId } } or { value }, with an optional healthCheckFqdn (got null)",
    ],
    [
      "an endpoint has both alias and value",
      { primary: { value: "x.example.net", alias: { name: "a.example.net", zoneId: "Z1" } } },
      '`primary` needs exactly one of `alias` or `value` (got {"value":"x.example.net","alias":{"name":"a.example.net","zoneId":"Z1"}})',
    ],
    [
      "an endpoint has neither alias nor value",
      { secondary: {} },
      "`secondary` needs exactly one of `alias` or `value` (got {})",
    ],
    [
      "one side is an alias and the other a value",
      { secondary: { value: "secondary.example.net" } },
      "`primary` is an `alias` and `secondary` a `value`: give both sides the same kind, so both records have the same type and caching (an alias has no TTL)",
    ],
    [
      "an alias has no zone id",
      { primary: { alias: { name: "primary-lb.eu-west-1.elb.amazonaws.com" } } },
      "`primary.alias.zoneId` must be the target's hosted zone ID such as Z32O12XQLNTSW2 (got undefined)",
    ],
    [
      "an alias name is empty",
      { secondary: { alias: { name: "", zoneId: "Z215JYRZR1TBD5" } } },
      '`secondary.alias.name` must be the target\'s DNS name, such as my-lb-1234.eu-west-1.elb.amazonaws.com (got "")',
    ],
    [
      "an A record is given a host name",
      { primary: { value: "primary.example.net" }, secondary: { value: "198.51.100.20" }, recordType: "A" },
      '`primary.value` must be an IPv4 address for an A record (got "primary.example.net"): set `recordType: "CNAME"` for a host name',
    ],
    [
      "a CNAME is given an IP address",
      {
        primary: { value: "203.0.113.10" },
        secondary: { value: "secondary.example.net" },
        recordType: "CNAME",
      },
      '`primary.value` must be a host name for a CNAME record (got "203.0.113.10"): set `recordType: "A"` for an IPv4 address',
    ],
    [
      "a value record without a type is given an IP address, which the default CNAME cannot hold",
      { primary: { value: "primary.example.net" }, secondary: { value: "2001:db8::1" } },
      '`secondary.value` must be a host name for a CNAME record (got "2001:db8::1"): set `recordType: "AAAA"` for an IPv6 address',
    ],
    [
      "an AAAA record is given an IPv4 address",
      { primary: { value: "203.0.113.10" }, secondary: { value: "2001:db8::2" }, recordType: "AAAA" },
      '`primary.value` must be an IPv6 address for an AAAA record (got "203.0.113.10"): set `recordType: "A"` for an IPv4 address',
    ],
    [
      "a value is a YAML list",
      { primary: { value: ["a.example.net", "b.example.net"] }, secondary: { value: "b.example.net" } },
      '`primary.value` must be a host name for a CNAME record (got ["a.example.net","b.example.net"])',
    ],
    [
      "the health-check host is empty",
      {
        primary: {
          alias: { name: "primary-lb.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" },
          healthCheckFqdn: "",
        },
      },
      '`primary.healthCheckFqdn` must be a host name such as api.example.com (got ""); omit it to probe the alias name or the value',
    ],
    [
      "the TTL is negative",
      { ...values, ttlSeconds: -1 },
      "`ttlSeconds` must be a whole number of seconds from 0 to 86400 (got -1); omit it to use 60",
    ],
    [
      "the TTL is a quoted number",
      { ...values, ttlSeconds: "60" },
      '`ttlSeconds` must be a whole number of seconds from 0 to 86400 (got "60"): write it without quotes; omit it to use 60',
    ],
    [
      "a TTL is given for alias records",
      { ttlSeconds: 30 },
      "`ttlSeconds` applies to value records only (got 30): alias records answer with their target's TTL; remove it",
    ],
    [
      "healthCheck is a string",
      { healthCheck: "https" },
      '`healthCheck` must be { path?, port?, requestIntervalSeconds?, failureThreshold? } (got "https")',
    ],
    [
      "the interval is 20 s",
      { healthCheck: { requestIntervalSeconds: 20 } },
      "`healthCheck.requestIntervalSeconds` must be 10 or 30 (got 20); omit it to use 10",
    ],
    [
      "the interval is a quoted number",
      { healthCheck: { requestIntervalSeconds: "30" } },
      '`healthCheck.requestIntervalSeconds` must be 10 or 30 (got "30"): write it without quotes; omit it to use 10',
    ],
    [
      "the threshold is 11",
      { healthCheck: { failureThreshold: 11 } },
      "`healthCheck.failureThreshold` must be a whole number from 1 to 10 (got 11); omit it to use 3",
    ],
    [
      "the port is 0",
      { healthCheck: { port: 0 } },
      "`healthCheck.port` must be a whole number from 1 to 65535 (got 0); omit it to use 443",
    ],
    [
      "the path is relative",
      { healthCheck: { path: "healthz" } },
      '`healthCheck.path` must be a path starting with "/", at most 255 characters (got "healthz"); omit it to use "/healthz"',
    ],
    [
      "the path is a number",
      { healthCheck: { path: 123 } },
      '`healthCheck.path` must be a path starting with "/", at most 255 characters (got 123); omit it to use "/healthz"',
    ],
    [
      "routing is a string from YAML",
      { routing: "weighted" },
      '`routing` must be { mode: "failover" } or { mode: "weighted", primaryWeight, secondaryWeight, allowAllZeroWeights?, manageRecords? } (got "weighted")',
    ],
    [
      "the routing mode is unknown",
      { routing: { mode: "latency" } },
      '`routing.mode` must be "failover" or "weighted" (got "latency")',
    ],
    [
      "the routing mode is a property of Object.prototype",
      { routing: { mode: "toString" } },
      '`routing.mode` must be "failover" or "weighted" (got "toString")',
    ],
    [
      "weights are given in failover mode",
      { routing: { mode: "failover", primaryWeight: 100 } },
      '`routing.primaryWeight` applies to weighted routing only: remove it, or set `mode: "weighted"`',
    ],
    [
      "a weight is missing",
      { routing: { mode: "weighted", primaryWeight: 100 } },
      "`routing.secondaryWeight` is required in weighted mode: a whole number from 0 to 255",
    ],
    [
      "a weight is 256",
      { routing: { mode: "weighted", primaryWeight: 256, secondaryWeight: 0 } },
      "`routing.primaryWeight` must be a whole number from 0 to 255 (got 256)",
    ],
    [
      "a weight is a quoted number",
      { routing: { mode: "weighted", primaryWeight: "100", secondaryWeight: 0 } },
      '`routing.primaryWeight` must be a whole number from 0 to 255 (got "100"): write it without quotes',
    ],
    [
      "both weights are 0",
      { routing: { mode: "weighted", primaryWeight: 0, secondaryWeight: 0 } },
      "`routing`: both weights are 0, so Route 53 would split traffic equally; give the active region a weight, or set `allowAllZeroWeights: true` if that is really meant",
    ],
    [
      'manageRecords is the YAML string "false"',
      { routing: { mode: "weighted", primaryWeight: 100, secondaryWeight: 0, manageRecords: "false" } },
      '`routing.manageRecords` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "manageRecords is an Output",
      {
        routing: {
          mode: "weighted",
          primaryWeight: 100,
          secondaryWeight: 0,
          manageRecords: pulumi.output(false),
        },
      },
      "`routing.manageRecords` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      'arc is the YAML string "false", which would create an hourly-billed cluster',
      { arc: "false" },
      '`arc` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "arc is an Output",
      { arc: pulumi.output(true) },
      "`arc` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "an argument is misspelt",
      { ttl: 60 },
      "`ttl` is not an argument drkit knows: did you mean `ttlSeconds`?",
    ],
  ] as [string, Record<string, unknown>, string][])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes), base)).rejects.toThrow(
      new InvalidArgsError("Route53Failover", "api", [message]),
    );
  });

  it.each([
    [
      "args are missing",
      undefined,
      "`args` must be an object (got undefined): pass { service, tier, regions, zoneId, recordName, primary, secondary }",
    ],
    [
      "regions is missing",
      { service: "api", tier: "critical", zoneId: "Z1", recordName: "api.example.com", ...values },
      "`regions` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion } (got undefined)",
    ],
  ])("fails when %s", async (_t, args, message) => {
    await expect(
      runProgram(() => {
        new Route53Failover("api", args as Route53FailoverArgs);
      }, base),
    ).rejects.toThrow(new InvalidArgsError("Route53Failover", "api", [message]));
  });

  it("fails when ARC names would exceed the 64 characters the API allows", async () => {
    const name = `api-${"x".repeat(45)}`;
    await expect(
      runProgram(() => {
        const regions = new DrRegionPair("dr", {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
        });
        new Route53Failover(name, {
          service: "api",
          tier: "critical",
          regions,
          zoneId: "Z1",
          recordName: "api.example.com",
          ...values,
          arc: true,
        });
      }, base),
    ).rejects.toThrow(
      new InvalidArgsError("Route53Failover", name, [
        `the name "${name}" cannot name ARC resources: with \`arc: true\` the safety rule is named "<name>-at-least-one-on", which must be at most 64 characters, without spaces or & > < ' " ; (got 65 characters): use a name of at most 48 characters, without them`,
      ]),
    );
  });

  it("fails when many arguments are wrong, listing every problem at once", async () => {
    await expect(
      runProgram(program({ recordName: "api", arc: "false", ttl: 60, healthCheck: { port: 0 } }), base),
    ).rejects.toThrow(
      new InvalidArgsError("Route53Failover", "api", [
        '`recordName` must be a fully qualified domain name such as api.example.com (got "api")',
        "`healthCheck.port` must be a whole number from 1 to 65535 (got 0); omit it to use 443",
        '`arc` must be true or false (got "false"): in YAML write it without quotes',
        "`ttl` is not an argument drkit knows: did you mean `ttlSeconds`?",
      ]),
    );
  });

  it("probes the IP address of A records and the host of CNAMEs", async () => {
    const run = await runProgram(
      program({
        recordType: "A",
        ...ips,
        secondary: { value: "198.51.100.20", healthCheckFqdn: "api-central.example.com" },
      }),
      base,
    );
    expect(
      run.ofType("aws:route53/healthCheck:HealthCheck").map((h) => [props(h).ipAddress, props(h).fqdn]),
    ).toEqual([
      ["203.0.113.10", undefined],
      ["198.51.100.20", "api-central.example.com"],
    ]);
    expect(run.ofType("aws:route53/record:Record").map((r) => [props(r).type, props(r).records])).toEqual([
      ["A", ["203.0.113.10"]],
      ["A", ["198.51.100.20"]],
    ]);
  });

  it("takes the zone, the endpoints and the weights as Outputs, checked when they resolve", async () => {
    const run = await runProgram(
      program({
        zoneId: pulumi.output("Z0123456789"),
        primary: { value: pulumi.output("primary.example.net") },
        secondary: { value: pulumi.output("secondary.example.net") },
        routing: { mode: "weighted", primaryWeight: pulumi.output(100), secondaryWeight: pulumi.output(0) },
      }),
      base,
    );
    expect(
      run
        .ofType("aws:route53/record:Record")
        .map((r) => [props(r).zoneId, props(r).type, props(r).weightedRoutingPolicies, props(r).records]),
    ).toEqual([
      ["Z0123456789", "CNAME", [{ weight: 100 }], ["primary.example.net"]],
      ["Z0123456789", "CNAME", [{ weight: 0 }], ["secondary.example.net"]],
    ]);
    expect(run.byUrn(COMPONENT)!.outputs.weights).toEqual({ primary: 100, secondary: 0 });
  });
  // Outputs that resolve to bad values (weights 0/0 or 256, a CNAME given an IP) fail the update with the
  // same messages: through drkit check, in packages/cli/test/awsInputsAtResolution.test.ts.

  it("accepts both weights 0 when explicitly allowed", async () => {
    const run = await runProgram(
      program({
        routing: { mode: "weighted", primaryWeight: 0, secondaryWeight: 0, allowAllZeroWeights: true },
      }),
      base,
    );
    expect(run.ofType("aws:route53/record:Record")).toHaveLength(2);
  });

  it("fails when both regions are the same", async () => {
    const message = '`regions` must name two different regions (both "eu-west-1")';
    await expect(
      runProgram(() => {
        const pair = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
        const args = {
          service: "api",
          tier: "critical",
          regions: {
            primaryRegion: "eu-west-1",
            secondaryRegion: "eu-west-1",
            primary: pair.primary,
            secondary: pair.primary,
          },
          zoneId: "Z1",
          recordName: "api.example.com",
          primary: { value: "a.example.net" },
          secondary: { value: "b.example.net" },
        };
        expect(validateRoute53FailoverArgs(args)).toEqual([message]);
        new Route53Failover("api", args);
      }, base),
    ).rejects.toThrow(new InvalidArgsError("Route53Failover", "api", [message]));
  });
});
