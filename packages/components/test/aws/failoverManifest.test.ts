import { runProgram, plainProperties } from "@drkit/cli/harness";
import { parseFailoverManifest, FailoverRecordSet } from "@drkit/posture";
import {
  DrRegionPair,
  FailoverManifest,
  FailoverManifestArgs,
  Route53Failover,
  validateFailoverManifestArgs,
} from "@drkit/components";

const base = { project: "platform", stack: "prod" };
const PARAMETER = "/drkit/platform/prod/failover-manifest";

function program(recordSet?: FailoverRecordSet, extra: Partial<FailoverManifestArgs> = {}) {
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
      routing: { mode: "weighted", primaryWeight: 100, secondaryWeight: 0, manageRecords: false },
    });
    const manifest = new FailoverManifest("failover-manifest", {
      regions,
      recordSet: recordSet ?? dns.failoverOutputs,
      ...extra,
    });
    return { parameter: manifest.parameterName };
  };
}

describe("FailoverManifest", () => {
  it("publishes the same document under the same name in each region of the pair, through that region's provider", async () => {
    const run = await runProgram(program(), base);
    const parameters = run.ofType("aws:ssm/parameter:Parameter");
    expect(
      parameters.map((p) => [
        p.name,
        plainProperties(run.providerOf(p)!.inputs).region,
        plainProperties(p.inputs).name,
      ]),
    ).toEqual([
      ["failover-manifest-primary", "eu-west-1", PARAMETER],
      ["failover-manifest-secondary", "eu-central-1", PARAMETER],
    ]);
    const [primary, secondary] = parameters.map((p) => plainProperties(p.inputs));
    expect(primary).toMatchObject({
      type: "String",
      tier: "Intelligent-Tiering",
      tags: { "managed-by": "drkit" },
    });
    expect(secondary!.value).toBe(primary!.value);
    // What the failover stack reads back: it parses in full.
    const document = parseFailoverManifest(primary!.value as string, "test");
    expect(document).toMatchObject({
      version: 1,
      platform: { project: "platform", stack: "prod" },
      zoneId: "Z0123456789",
      recordName: "api.example.com",
      primary: { region: "eu-west-1", setIdentifier: "primary", healthCheckId: "api-primary-id" },
      secondary: { region: "eu-central-1", setIdentifier: "secondary", healthCheckId: "api-secondary-id" },
    });
    expect(run.stackOutputs).toEqual({ parameter: PARAMETER });
  });

  it("fails when the record set's regions are not the pair's, naming both", async () => {
    const recordSet: FailoverRecordSet = {
      zoneId: "Z0123456789",
      recordName: "api.example.com",
      recordType: "A",
      ttl: 60,
      primary: {
        region: "eu-west-1",
        setIdentifier: "primary",
        healthCheckId: "hc-1",
        values: ["192.0.2.1"],
      },
      secondary: {
        region: "eu-north-1",
        setIdentifier: "secondary",
        healthCheckId: "hc-2",
        values: ["192.0.2.2"],
      },
    };
    await expect(runProgram(program(recordSet), base)).rejects.toThrow(
      'FailoverManifest "failover-manifest" has invalid arguments:\n  - `recordSet.secondary.region` is eu-north-1, but the pair\'s secondary region is eu-central-1',
    );
  });

  it("validates its arguments before any child exists", () => {
    const problems = validateFailoverManifestArgs({
      regions: undefined,
      stack: "prod stack",
    } as unknown as FailoverManifestArgs);
    // The first is the region pair's own message (common/regions), whatever its wording.
    expect(problems[0]).toMatch(/^`regions` must be a DrRegionPair/);
    expect(problems.slice(1)).toEqual([
      "`recordSet` is required: pass `Route53Failover.failoverOutputs`",
      'the platform stack name "prod stack" cannot name an SSM parameter: use letters, digits, "_", "." and "-" (at most 100)',
    ]);
  });
});
