// The failover stack: sets which region serves traffic. It must work while one region is gone, so:
//  - it reads what it switches from the failover manifest the platform published in the region being
//    activated (an SSM parameter in each region), never from the platform's stack state;
//  - its one AWS provider sits in a region outside the platform's pair, with inputs that never change
//    between switches: the records' provider reference is the same before and after, so a switch is an
//    in-place update of two weights, in both directions (see docs/failover.md and the switch-diff test);
//  - ARC routing controls are flipped through the cluster's data-plane endpoints, those outside the pair
//    tried first, each with bounded timeouts;
//  - the warm standby (optional) lives in the secondary region: raised there on failover, lowered on
//    fail-back; nothing is ever registered in the primary region.
// Changing records is a Route 53 control-plane call (served from us-east-1), which AWS says not to rely on
// during recovery: with ARC the routing-control flip is the data-plane switch, the weights follow.
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Record as DnsRecord } from "@pulumi/aws/route53";
import { getParameter } from "@pulumi/aws/ssm";
import { local, Provider as CommandProvider } from "@pulumi/command";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { DeploymentPatch } from "@pulumi/kubernetes/apps/v1";
import { HorizontalPodAutoscalerPatch } from "@pulumi/kubernetes/autoscaling/v2";
import {
  FAILOVER_SIDES,
  FailoverManifestDocument,
  FailoverRecordSet,
  FailoverSide,
  FailoverWeights,
  checkFailoverWeights,
  defaultFailoverWeights,
  failoverManifestParameterName,
  failoverPlan,
  parseFailoverManifest,
  switchReasonProblem,
} from "@drkit/posture";

export type Side = FailoverSide;
export const SIDES = FAILOVER_SIDES;

/** The record set as the platform publishes it (kept under its old name: the platform's test pins the two). */
export type PlatformFailoverOutputs = FailoverRecordSet;

/** A workload of the warm standby, in the secondary region's cluster. */
export interface StandbyWorkload {
  /** `Deployment` scales `spec.replicas`; `HorizontalPodAutoscaler` scales `spec.minReplicas` */
  readonly kind: "Deployment" | "HorizontalPodAutoscaler";
  readonly namespace: string;
  readonly name: string;
  /** while the secondary serves traffic */
  readonly activeReplicas: number;
  /** while it stands by */
  readonly standbyReplicas: number;
}

export interface FailoverConfig {
  /** the platform stack, `<org>/<project>/<stack>`: names the manifest's parameter */
  readonly platformStack: string;
  /** the platform's two AWS regions: where each copy of the manifest is read */
  readonly regions: Readonly<Record<Side, string>>;
  readonly activeRegion: Side;
  /** why traffic moves, as the operator typed it: required, kept in the outputs */
  readonly reason: string;
  /** who asked for the switch (e.g. the GitHub actor of the failover workflow) */
  readonly operator?: string;
  /** weight overrides for a gradual shift; default 100 on the active side, 0 on the other */
  readonly primaryWeight?: number;
  readonly secondaryWeight?: number;
  /** region of the stack's AWS provider: outside the pair. @default - the first of us-west-2, us-east-2, eu-north-1 outside the pair */
  readonly controlRegion?: string;
  /** warm-standby workloads in the secondary region's cluster (needs `secondaryKubeconfig`) */
  readonly standbyWorkloads?: readonly StandbyWorkload[];
  /** leave the standby alone (fail-back while the secondary region is unreachable). @default false */
  readonly skipStandbyScaling?: boolean;
}

/** Where the provider may sit when not configured: regions enabled in every account, tried in order. */
export const CONTROL_REGION_CANDIDATES = ["us-west-2", "us-east-2", "eu-north-1"] as const;

/** The region of the stack's AWS provider: given, or the first candidate in neither region of the pair. */
export function controlRegionFor(config: Pick<FailoverConfig, "regions" | "controlRegion">): string {
  const pair = [config.regions.primary, config.regions.secondary];
  // Three candidates and two regions in a pair: one is always left.
  return config.controlRegion ?? CONTROL_REGION_CANDIDATES.find((r) => !pair.includes(r)) ?? "us-west-2";
}

/** The weights a config asks for. */
export function weightsFor(config: FailoverConfig): FailoverWeights {
  const defaults = defaultFailoverWeights(config.activeRegion);
  return {
    primary: config.primaryWeight ?? defaults.primary,
    secondary: config.secondaryWeight ?? defaults.secondary,
  };
}

const key = (k: string) => `\`drkit-failover:${k}\``;
const shown = (value: unknown) => JSON.stringify(value ?? null);
const AWS_REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** The reason as the operator typed it (before anything, such as an operator name, is added to it). */
export function checkReason(reason: unknown): string | undefined {
  const problem = switchReasonProblem(reason);
  return problem && `${key("reason")} ${problem}; it is recorded in the stack outputs and the stack config`;
}

function checkWorkloads(value: unknown, problems: string[]): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.length === 0) {
    problems.push(
      `${key("standbyWorkloads")} must be a list of { kind, namespace, name, activeReplicas, standbyReplicas } (got ${shown(value)})`,
    );
    return;
  }
  value.forEach((w: Record<string, unknown>, i) => {
    const at = key(`standbyWorkloads[${i}]`);
    if (typeof w !== "object" || w === null) {
      problems.push(
        `${at} must be { kind, namespace, name, activeReplicas, standbyReplicas } (got ${shown(w)})`,
      );
      return;
    }
    if (w.kind !== "Deployment" && w.kind !== "HorizontalPodAutoscaler")
      problems.push(
        `${at}.kind must be "Deployment" (scales spec.replicas) or "HorizontalPodAutoscaler" (scales spec.minReplicas) (got ${shown(w.kind)})`,
      );
    if (typeof w.namespace !== "string" || !DNS_LABEL.test(w.namespace))
      problems.push(`${at}.namespace must be a Kubernetes namespace name (got ${shown(w.namespace)})`);
    if (typeof w.name !== "string" || !DNS_SUBDOMAIN.test(w.name))
      problems.push(`${at}.name must be a Kubernetes object name (got ${shown(w.name)})`);
    for (const field of ["activeReplicas", "standbyReplicas"]) {
      const n = w[field];
      if (!(typeof n === "number" && Number.isInteger(n) && n >= 0 && n <= 10_000))
        problems.push(`${at}.${field} must be a whole number from 0 to 10000 (got ${shown(n)})`);
    }
    if (
      typeof w.activeReplicas === "number" &&
      typeof w.standbyReplicas === "number" &&
      w.activeReplicas < w.standbyReplicas
    )
      problems.push(
        `${at}.activeReplicas (${w.activeReplicas}) is below standbyReplicas (${w.standbyReplicas}): failover would lower the standby`,
      );
    if (w.kind === "HorizontalPodAutoscaler" && w.activeReplicas === 0)
      problems.push(`${at}.activeReplicas must be at least 1: an HPA's minReplicas cannot be 0`);
  });
}

/** Every problem with the failover config, each naming the key, the value and the fix. */
export function validateFailoverConfig(config: Partial<Record<keyof FailoverConfig, unknown>>): string[] {
  const problems: string[] = [];
  const [org, project, stack, ...rest] =
    typeof config.platformStack === "string" ? config.platformStack.split("/") : [];
  if (!org || !project || !stack || rest.length > 0) {
    problems.push(
      `${key("platformStack")} must be <org>/<project>/<stack> (got ${shown(config.platformStack)}); e.g. organization/drkit-platform/prod`,
    );
  } else {
    try {
      failoverManifestParameterName(project, stack);
    } catch (err) {
      problems.push(`${key("platformStack")}: ${(err as Error).message}`);
    }
  }
  const regions = config.regions as Record<string, unknown> | undefined;
  if (
    typeof regions !== "object" ||
    regions === null ||
    !FAILOVER_SIDES.every(
      (s) => typeof regions[s] === "string" && AWS_REGION_CODE.test(regions[s] as string),
    ) ||
    regions.primary === regions.secondary
  ) {
    problems.push(
      `${key("regions")} must be { primary: <aws region>, secondary: <another aws region> }, the platform's pair (got ${shown(regions)}); the manifest is read from the region being activated`,
    );
  }
  if (config.activeRegion !== "primary" && config.activeRegion !== "secondary") {
    problems.push(
      `${key("activeRegion")} must be "primary" or "secondary" (got ${shown(config.activeRegion)})`,
    );
  }
  const reason = checkReason(config.reason);
  if (reason) problems.push(reason);
  if (
    config.operator !== undefined &&
    !(typeof config.operator === "string" && /^[A-Za-z0-9._@-]{1,100}$/.test(config.operator))
  )
    problems.push(
      `${key("operator")} must be a user name (letters, digits, "._@-") (got ${shown(config.operator)})`,
    );
  for (const side of SIDES) {
    const value = config[`${side}Weight`];
    if (
      value !== undefined &&
      !(typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 255)
    ) {
      problems.push(
        `${key(`${side}Weight`)} must be an integer 0–255 (got ${shown(value)}); omit it to use 100 or 0`,
      );
    }
  }
  if (config.controlRegion !== undefined) {
    const pair = regions && typeof regions === "object" ? [regions.primary, regions.secondary] : [];
    if (
      typeof config.controlRegion !== "string" ||
      !AWS_REGION_CODE.test(config.controlRegion) ||
      pair.includes(config.controlRegion)
    )
      problems.push(
        `${key("controlRegion")} must be an AWS region outside the platform's pair (got ${shown(config.controlRegion)}): the provider must not sit in a region that can be the failed one; omit it to use the first of ${CONTROL_REGION_CANDIDATES.join(", ")} outside the pair`,
      );
  }
  checkWorkloads(config.standbyWorkloads, problems);
  if (config.skipStandbyScaling !== undefined && typeof config.skipStandbyScaling !== "boolean")
    problems.push(
      `${key("skipStandbyScaling")} must be true or false (got ${shown(config.skipStandbyScaling)})`,
    );
  if (problems.length === 0) {
    const active = config.activeRegion as Side;
    for (const problem of checkFailoverWeights(active, weightsFor(config as FailoverConfig)))
      problems.push(
        problem.startsWith("both weights")
          ? `${problem}. Give ${key(`${active}Weight`)} a positive weight`
          : `${key("activeRegion")} is ${active} but its weight is 0: raise ${key(`${active}Weight`)}`,
      );
  }
  return problems;
}

/** A structured value from config (Pulumi keeps YAML mappings and lists as JSON); a plain string stays one. */
function parsed(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function readConfig(): FailoverConfig {
  const config = new pulumi.Config("drkit-failover");
  const number = (k: string) => {
    const text = config.get(k);
    return text === undefined ? undefined : (parsed(text) as unknown);
  };
  const raw = {
    platformStack: config.get("platformStack"),
    regions: parsed(config.get("regions")),
    activeRegion: config.get("activeRegion"),
    reason: config.get("reason"),
    operator: config.get("operator"),
    primaryWeight: number("primaryWeight"),
    secondaryWeight: number("secondaryWeight"),
    controlRegion: config.get("controlRegion"),
    standbyWorkloads: parsed(config.get("standbyWorkloads")),
    skipStandbyScaling: parsed(config.get("skipStandbyScaling")),
  };
  const problems = validateFailoverConfig(raw);
  if (problems.length > 0) {
    throw new Error(`the failover config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
  return Object.fromEntries(
    Object.entries(raw).filter(([, v]) => v !== undefined),
  ) as unknown as FailoverConfig;
}

// The ARC data plane. Each routing control is set to the state its side's weight implies, in one call so
// the safety rule (at least one on) holds throughout. Endpoints come in the plan's order (outside the
// platform's pair first); each attempt is bounded, so an endpoint in a dead region costs seconds. Values
// arrive through the environment, never in the command text.
export const ARC_SWITCH_SCRIPT = `set -eu
if [ -z "$ARC_ENDPOINTS" ]; then echo "ARC routing controls are not enabled"; exit 0; fi
export AWS_MAX_ATTEMPTS=2
for entry in $ARC_ENDPOINTS; do
  endpoint="\${entry%|*}"; region="\${entry#*|}"
  if aws route53-recovery-cluster update-routing-control-states \\
      --endpoint-url "$endpoint" --region "$region" \\
      --cli-connect-timeout 5 --cli-read-timeout 10 \\
      --update-routing-control-state-entries \\
        "RoutingControlArn=$PRIMARY_CONTROL_ARN,RoutingControlState=$PRIMARY_STATE" \\
        "RoutingControlArn=$SECONDARY_CONTROL_ARN,RoutingControlState=$SECONDARY_STATE"; then
    echo "routing controls: primary $PRIMARY_STATE, secondary $SECONDARY_STATE (via $endpoint)"; exit 0
  fi
done
echo "no ARC cluster endpoint accepted the change" >&2; exit 1`;

/**
 * Reads the manifest copy published in the region being activated, through the stack's provider, and
 * refuses one it cannot use in full: before any resource is registered, with one message.
 */
async function readManifest(
  config: FailoverConfig,
  provider: AwsProvider,
): Promise<FailoverManifestDocument> {
  const [, project, stack] = config.platformStack.split("/") as [string, string, string];
  const parameter = failoverManifestParameterName(project, stack);
  const region = config.regions[config.activeRegion];
  const source = `SSM parameter ${parameter} in ${region}`;
  let text: string;
  try {
    text = (await getParameter({ name: parameter, region, withDecryption: false }, { provider })).value;
  } catch (cause) {
    throw new Error(
      `cannot read the failover manifest (${source}): ${cause instanceof Error ? cause.message : String(cause)}. Deploy the platform with a FailoverManifest, or switch without Pulumi: drkit failover break-glass`,
      { cause },
    );
  }
  const manifest = parseFailoverManifest(text, source);
  const mismatches = [
    ...(manifest.platform.project !== project || manifest.platform.stack !== stack
      ? [
          `it was published by ${manifest.platform.project}/${manifest.platform.stack}, not ${project}/${stack}`,
        ]
      : []),
    ...SIDES.filter((s) => manifest[s].region !== config.regions[s]).map(
      (s) => `its ${s} region is ${manifest[s].region}, but ${key("regions")}.${s} is ${config.regions[s]}`,
    ),
  ];
  if (mismatches.length > 0)
    throw new Error(`${source} does not belong to this failover stack: ${mismatches.join("; ")}`);
  return manifest;
}

/** The warm standby: scaled in the secondary region's cluster only, up on failover, down on fail-back. */
function scaleStandby(config: FailoverConfig, kubeconfig: pulumi.Output<string>): void {
  const region = config.regions.secondary;
  // Named by region and fed constant inputs: the same provider reference before and after every switch.
  const provider = new KubernetesProvider(`kubernetes-${region}`, { kubeconfig });
  const up = config.activeRegion === "secondary";
  for (const workload of config.standbyWorkloads ?? []) {
    const replicas = up ? workload.activeReplicas : workload.standbyReplicas;
    const metadata = {
      name: workload.name,
      namespace: workload.namespace,
      // Server-side apply: take the replica count from the manager that set it (a deploy pipeline).
      annotations: { "pulumi.com/patchForce": "true" },
    };
    const name = `standby-${workload.namespace}-${workload.name}`;
    // Retained on delete: dropping the standby from config (or skipStandbyScaling) never calls the cluster.
    const opts = { provider, retainOnDelete: true };
    if (workload.kind === "Deployment") new DeploymentPatch(name, { metadata, spec: { replicas } }, opts);
    else new HorizontalPodAutoscalerPatch(name, { metadata, spec: { minReplicas: replicas } }, opts);
  }
}

/** The program: returns the audit trail as stack outputs. */
export async function failover() {
  const config = readConfig();
  const weights = weightsFor(config);
  const controlRegion = controlRegionFor(config);

  // The only AWS provider: outside the pair, and the same inputs whatever the switch. Route 53's API is
  // global (its region only picks where requests are signed), the manifest read names its own region, and
  // nothing is asked of STS or the metadata service at start.
  const provider = new AwsProvider("aws-switch", {
    region: controlRegion,
    skipCredentialsValidation: true,
    skipRequestingAccountId: true,
    skipMetadataApiCheck: true,
    skipRegionValidation: true,
  });
  const manifest = await readManifest(config, provider);
  const plan = failoverPlan(manifest, config.activeRegion, weights);

  const records = SIDES.map(
    (side) =>
      new DnsRecord(
        `${side}-weighted`,
        {
          zoneId: manifest.zoneId,
          name: manifest.recordName,
          type: manifest.recordType,
          setIdentifier: manifest[side].setIdentifier,
          healthCheckId: manifest[side].healthCheckId,
          weightedRoutingPolicies: [{ weight: plan.weights[side] }],
          // Alias records take the target's TTL; plain records use the platform's.
          ...(manifest[side].alias
            ? {
                aliases: [{ ...manifest[side].alias, evaluateTargetHealth: true }],
              }
            : { ttl: manifest.ttl, records: [...(manifest[side].values ?? [])] }),
        },
        { provider },
      ),
  );

  // Registered with or without ARC, so that enabling ARC later is an update of this resource.
  // No `triggers`: a change of state is an update (the script runs again), never a replacement.
  const routingControls = new local.Command(
    "routing-controls",
    {
      create: ARC_SWITCH_SCRIPT,
      environment: {
        ARC_ENDPOINTS: (plan.arc?.endpoints ?? []).map((e) => `${e.endpoint}|${e.region}`).join(" "),
        PRIMARY_CONTROL_ARN: plan.arc?.routingControlArns.primary ?? "",
        SECONDARY_CONTROL_ARN: plan.arc?.routingControlArns.secondary ?? "",
        PRIMARY_STATE: plan.arc?.states.primary ?? "",
        SECONDARY_STATE: plan.arc?.states.secondary ?? "",
      },
    },
    { provider: new CommandProvider("local") },
  );

  if (config.standbyWorkloads !== undefined && !config.skipStandbyScaling) {
    const kubeconfig = new pulumi.Config("drkit-failover").getSecret("secondaryKubeconfig");
    if (kubeconfig === undefined)
      throw new Error(
        `the failover config is invalid:\n  - ${key("standbyWorkloads")} needs the secondary cluster's kubeconfig: pulumi config set --secret drkit-failover:secondaryKubeconfig "$(cat secondary.kubeconfig)"`,
      );
    scaleStandby(config, kubeconfig);
  }

  return {
    activeRegion: config.activeRegion,
    activeAwsRegion: config.regions[config.activeRegion],
    reason: config.reason,
    operator: config.operator ?? null,
    weights,
    controlRegion,
    platformStack: config.platformStack,
    recordSetIdentifiers: records.map((r) => r.setIdentifier),
    routingControlsOutput: routingControls.stdout,
  };
}
