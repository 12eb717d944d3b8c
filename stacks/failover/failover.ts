// The failover stack: sets which region serves traffic. Its only AWS provider is pinned to the region
// being activated, default providers are disabled (Pulumi.yaml), and nothing it manages or refreshes
// lives in the region being left — during a regional outage that region's APIs may be down.
//
// Two switches, fastest first:
//  - ARC routing controls (when the platform enabled them): flipped through the cluster's data-plane
//    endpoints, the path AWS recommends for recovery (dr-facts [R53-11]).
//  - Route 53 weights: this stack owns the weighted record set. Changing records is a Route 53
//    control-plane call (served from us-east-1), which AWS says not to rely on during recovery
//    (dr-facts [R53-7]); the posture model counts it as the slower, operator-driven path.
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Record as DnsRecord } from "@pulumi/aws/route53";
import { local, Provider as CommandProvider } from "@pulumi/command";

export type Side = "primary" | "secondary";
export const SIDES: readonly Side[] = ["primary", "secondary"];

/** One side of the record set, as the platform stack exports it. */
export interface PlatformRecordSide {
  readonly region: string;
  readonly setIdentifier: string;
  readonly healthCheckId: string;
  /** an alias target (load balancer, CloudFront…) … */
  readonly alias?: { readonly name: string; readonly zoneId: string };
  /** … or plain record values */
  readonly values?: readonly string[];
}

/** The platform stack's `failover` output: everything this stack needs, and nothing it must look up. */
export interface PlatformFailoverOutputs {
  readonly zoneId: string;
  readonly recordName: string;
  readonly recordType: string;
  readonly ttl: number;
  readonly primary: PlatformRecordSide;
  readonly secondary: PlatformRecordSide;
  /** ARC routing controls, when the platform enabled them */
  readonly arc?: {
    readonly clusterEndpoints: readonly { readonly endpoint: string; readonly region: string }[];
    readonly routingControlArns: { readonly primary: string; readonly secondary: string };
  };
}

export interface FailoverConfig {
  /** the platform stack, `<org>/<project>/<stack>` */
  readonly platformStack: string;
  readonly activeRegion: Side;
  /** why traffic moves: required, kept in the outputs as the audit trail */
  readonly reason: string;
  /** weight overrides for a gradual shift; default 100 on the active side, 0 on the other */
  readonly primaryWeight?: number;
  readonly secondaryWeight?: number;
}

/** The weights a config asks for. */
export function weightsFor(config: FailoverConfig): Record<Side, number> {
  return {
    primary: config.primaryWeight ?? (config.activeRegion === "primary" ? 100 : 0),
    secondary: config.secondaryWeight ?? (config.activeRegion === "secondary" ? 100 : 0),
  };
}

/** Every problem with the failover config, each naming the key, the value and the fix. */
export function validateFailoverConfig(config: Partial<Record<keyof FailoverConfig, unknown>>): string[] {
  const problems: string[] = [];
  const key = (k: string) => `\`drkit-failover:${k}\``;
  if (typeof config.platformStack !== "string" || config.platformStack.split("/").length !== 3) {
    problems.push(
      `${key("platformStack")} must be <org>/<project>/<stack> (got ${JSON.stringify(config.platformStack ?? null)}); e.g. organization/drkit-platform/prod`,
    );
  }
  if (config.activeRegion !== "primary" && config.activeRegion !== "secondary") {
    problems.push(
      `${key("activeRegion")} must be "primary" or "secondary" (got ${JSON.stringify(config.activeRegion ?? null)})`,
    );
  }
  if (typeof config.reason !== "string" || config.reason.trim().length < 10) {
    problems.push(
      `${key("reason")} must say why traffic moves, in at least 10 characters (got ${JSON.stringify(config.reason ?? null)}); it is recorded in the stack outputs`,
    );
  }
  for (const side of SIDES) {
    const value = config[`${side}Weight`];
    if (
      value !== undefined &&
      !(typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 255)
    ) {
      problems.push(
        `${key(`${side}Weight`)} must be an integer 0–255 (got ${JSON.stringify(value)}); omit it to use 100 or 0`,
      );
    }
  }
  if (problems.length === 0) {
    const weights = weightsFor(config as FailoverConfig);
    if (weights.primary === 0 && weights.secondary === 0) {
      problems.push(
        `both weights are 0: Route 53 then splits traffic equally over both regions, the opposite of a failover. Give ${key(`${config.activeRegion}Weight`)} a positive weight`,
      );
    } else if (weights[config.activeRegion as Side] === 0) {
      problems.push(
        `${key("activeRegion")} is ${config.activeRegion} but its weight is 0: raise ${key(`${config.activeRegion}Weight`)}`,
      );
    }
  }
  return problems;
}

function readConfig(): FailoverConfig {
  const config = new pulumi.Config("drkit-failover");
  const raw = {
    platformStack: config.get("platformStack"),
    activeRegion: config.get("activeRegion"),
    reason: config.get("reason"),
    primaryWeight: config.getNumber("primaryWeight"),
    secondaryWeight: config.getNumber("secondaryWeight"),
  };
  const problems = validateFailoverConfig(raw);
  if (problems.length > 0) {
    throw new Error(`the failover config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return raw as FailoverConfig;
}

// The ARC data plane: try each regional cluster endpoint until one accepts the change. Both states go
// in one call, so the safety rule (at least one control on) holds throughout. Values arrive through
// the environment, never in the command text.
export const ARC_SWITCH_SCRIPT = `set -eu
for entry in $ARC_ENDPOINTS; do
  endpoint="\${entry%|*}"; region="\${entry#*|}"
  if aws route53-recovery-cluster update-routing-control-states \\
      --endpoint-url "$endpoint" --region "$region" \\
      --update-routing-control-state-entries \\
        "RoutingControlArn=$ON_CONTROL_ARN,RoutingControlState=On" \\
        "RoutingControlArn=$OFF_CONTROL_ARN,RoutingControlState=Off"; then
    echo "routing control $ON_CONTROL_ARN is On (via $endpoint)"; exit 0
  fi
done
echo "no ARC cluster endpoint accepted the change" >&2; exit 1`;

/** The program: returns the audit trail as stack outputs. */
export function failover() {
  const config = readConfig();
  const weights = weightsFor(config);
  const platform = new pulumi.StackReference("platform", { name: config.platformStack });
  const target = platform.requireOutput("failover") as pulumi.Output<PlatformFailoverOutputs>;
  const targetRegion = target.apply((t) => t[config.activeRegion].region);

  // The only AWS provider: in the region being activated. Route 53 is global; the provider's region
  // only decides where the SDK signs requests.
  const provider = new AwsProvider(`activate-${config.activeRegion}`, { region: targetRegion });

  const records = SIDES.map(
    (side) =>
      new DnsRecord(
        `${side}-weighted`,
        {
          zoneId: target.zoneId,
          name: target.recordName,
          type: target.recordType,
          setIdentifier: target[side].setIdentifier,
          healthCheckId: target[side].healthCheckId,
          weightedRoutingPolicies: [{ weight: weights[side] }],
          // Alias records take the target's TTL; plain records use the platform's.
          ttl: target.apply((t) => (t[side].alias ? undefined : t.ttl)),
          records: target.apply((t) => (t[side].alias ? undefined : [...(t[side].values ?? [])])),
          aliases: target.apply((t) => {
            const alias = t[side].alias;
            return alias ? [{ name: alias.name, zoneId: alias.zoneId, evaluateTargetHealth: true }] : [];
          }),
        },
        { provider },
      ),
  );

  const arcSwitch = target.apply((t) => t.arc !== undefined);
  const off: Side = config.activeRegion === "primary" ? "secondary" : "primary";
  // Registered unconditionally so preview shows it; with no ARC it only reports that there is none.
  const routingControls = new local.Command(
    "routing-controls",
    {
      create: arcSwitch.apply((enabled) =>
        enabled ? ARC_SWITCH_SCRIPT : 'echo "ARC routing controls are not enabled"',
      ),
      environment: {
        ARC_ENDPOINTS: target.apply((t) =>
          (t.arc?.clusterEndpoints ?? []).map((e) => `${e.endpoint}|${e.region}`).join(" "),
        ),
        ON_CONTROL_ARN: target.apply((t) => t.arc?.routingControlArns[config.activeRegion] ?? ""),
        OFF_CONTROL_ARN: target.apply((t) => t.arc?.routingControlArns[off] ?? ""),
      },
      triggers: [config.activeRegion, config.reason],
    },
    { provider: new CommandProvider("local") },
  );

  return {
    activeRegion: config.activeRegion,
    activeAwsRegion: targetRegion,
    reason: config.reason,
    weights,
    platformStack: config.platformStack,
    recordSetIdentifiers: records.map((r) => r.setIdentifier),
    routingControlsOutput: routingControls.stdout,
  };
}
