// Runs the failover program under the mock runtime, with the manifest the platform would have published,
// and optionally with one region "gone": any provider configured for it, any read addressed to it, and any
// stack reference (the platform's state backend) fail the run, as they would during that region's outage.
import { runProgram, plainProperties, ProgramRun } from "@drkit/cli/harness";
import {
  FAILOVER_MANIFEST_VERSION,
  FailoverManifestDocument,
  failoverManifestParameterName,
} from "@drkit/posture";
import { failover } from "../failover";

export const PLATFORM_STACK = "organization/drkit-platform/prod";
export const MANIFEST_PARAMETER = failoverManifestParameterName("drkit-platform", "prod");

/** The manifest of a platform on `primary`/`secondary`, with ARC endpoints in five regions. */
export function manifestFor(primary: string, secondary: string, arc = true): FailoverManifestDocument {
  const arcRegions = ["us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1", "ap-southeast-2"];
  return {
    version: FAILOVER_MANIFEST_VERSION,
    platform: { project: "drkit-platform", stack: "prod" },
    zoneId: "Z0123456789",
    recordName: "api.example.com",
    recordType: "A",
    ttl: 60,
    primary: {
      region: primary,
      setIdentifier: "primary",
      healthCheckId: "hc-primary",
      alias: { name: `primary-lb.${primary}.elb.amazonaws.com`, zoneId: "Z32O12XQLNTSW2" },
    },
    secondary: {
      region: secondary,
      setIdentifier: "secondary",
      healthCheckId: "hc-secondary",
      alias: { name: `secondary-lb.${secondary}.elb.amazonaws.com`, zoneId: "Z215JYRZR1TBD5" },
    },
    ...(arc
      ? {
          arc: {
            clusterEndpoints: arcRegions.map((region, i) => ({
              endpoint: `https://${"abcde"[i]}.route53-recovery-cluster.${region}.amazonaws.com/v1`,
              region,
            })),
            routingControlArns: {
              primary:
                "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/primary",
              secondary:
                "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/secondary",
            },
          },
        }
      : {}),
  };
}

export interface Read {
  readonly token: string;
  readonly region: string;
  readonly provider?: string;
}

export interface FailoverRun {
  readonly run: ProgramRun;
  /** every data source the program read, with the region it was addressed to */
  readonly reads: readonly Read[];
}

export interface RunOptions {
  readonly regions?: { primary: string; secondary: string };
  /** the region that is gone: nothing may be configured for it or read from it */
  readonly brokenRegion?: string;
  /** the manifest copies, per region (default: the same manifest in both) */
  readonly manifests?: Record<string, string>;
  readonly secrets?: Record<string, string>;
}

/** Runs the failover program with `config` (`drkit-failover:` keys without the namespace). */
export async function runFailover(
  config: Record<string, string>,
  options: RunOptions = {},
): Promise<FailoverRun> {
  const regions = options.regions ?? { primary: "eu-west-1", secondary: "eu-central-1" };
  const manifest = JSON.stringify(manifestFor(regions.primary, regions.secondary));
  const copies = options.manifests ?? { [regions.primary]: manifest, [regions.secondary]: manifest };
  const reads: Read[] = [];
  const providerRegions = new Map<string, string>();
  const gone = (what: string) => new Error(`${what}: region ${options.brokenRegion} is unreachable`);
  const all = { ...config, ...options.secrets };
  const run = await runProgram(() => failover(), {
    project: "drkit-failover",
    stack: "prod",
    config: {
      "pulumi:disable-default-providers": '["*"]',
      "drkit-failover:platformStack": PLATFORM_STACK,
      "drkit-failover:regions": JSON.stringify(regions),
      ...Object.fromEntries(Object.entries(all).map(([k, v]) => [`drkit-failover:${k}`, v])),
    },
    secretConfigKeys: Object.keys(options.secrets ?? {}).map((k) => `drkit-failover:${k}`),
    newResource: (args) => {
      if (args.type === "pulumi:pulumi:StackReference")
        throw new Error("the platform's state backend is unreachable");
      const region = typeof args.inputs.region === "string" ? args.inputs.region : undefined;
      if (
        options.brokenRegion !== undefined &&
        (region === options.brokenRegion || args.name.includes(options.brokenRegion))
      )
        throw gone(`provider or resource ${args.type} ${args.name}`);
      const id = `${args.name}-id`;
      if (args.type === "pulumi:providers:aws" && region) providerRegions.set(id, region);
      // A command's stdout is known after it runs: a fixed line here.
      const outputs = args.type === "command:local:Command" ? { stdout: "ran" } : {};
      return { id, state: { ...args.inputs, ...outputs } };
    },
    call: (args) => {
      const providerId = args.provider?.slice(args.provider.lastIndexOf("::") + 2);
      const region =
        (args.inputs.region as string | undefined) ?? providerRegions.get(providerId ?? "") ?? "unknown";
      reads.push({ token: args.token, region, provider: args.provider });
      if (region === options.brokenRegion) throw gone(`read ${args.token}`);
      if (args.token !== "aws:ssm/getParameter:getParameter")
        throw new Error(`unexpected read ${args.token}`);
      const value = copies[region];
      if (value === undefined || args.inputs.name !== MANIFEST_PARAMETER)
        throw new Error(`ParameterNotFound: ${args.inputs.name} in ${region}`);
      return { name: args.inputs.name, value, type: "String", version: 1, arn: "arn", id: args.inputs.name };
    },
  });
  return { run, reads };
}

/** A resource's inputs, as plain values. */
export const inputs = (run: ProgramRun, type: string) =>
  run.ofType(type).map((r) => plainProperties(r.inputs));
