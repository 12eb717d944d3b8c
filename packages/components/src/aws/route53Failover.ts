import * as pulumi from "@pulumi/pulumi";
import * as route53 from "@pulumi/aws/route53";
import * as arc from "@pulumi/aws/route53recoverycontrol";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { RegionPairSides } from "../common/regions";
import { ServiceIdentity, serviceTags, validateServiceIdentity } from "../common/service";
import { ArgsProblems, InvalidArgsError, plainValue, shown } from "../common/validation";

/** Where one region's traffic goes: an alias target (load balancer, CloudFront…) or a plain value. */
export interface FailoverEndpoint {
  /** Alias target; its health is evaluated too (`evaluateTargetHealth`). */
  readonly alias?: { readonly name: pulumi.Input<string>; readonly zoneId: pulumi.Input<string> };
  /** A plain record value (an IP for A records, a hostname for CNAME). */
  readonly value?: pulumi.Input<string>;
  /**
   * Host the health check probes.
   * @default - the alias name or the value
   */
  readonly healthCheckFqdn?: pulumi.Input<string>;
}

export interface HealthCheckSettings {
  /** @default "/healthz" */
  readonly path?: string;
  /** @default 443 */
  readonly port?: number;
  /**
   * Seconds between checks from each checker: 10 or 30. Detection takes about interval × threshold.
   * @default 10
   */
  readonly requestIntervalSeconds?: 10 | 30;
  /** Consecutive failures before unhealthy, 1–10. @default 3 */
  readonly failureThreshold?: number;
}

export type RoutingMode =
  /** PRIMARY/SECONDARY records switched by health checks: the data-plane path. */
  | { readonly mode: "failover" }
  /**
   * Weighted records with health checks. The weights are inputs so a separate failover stack can own
   * them: with `manageRecords: false` this component creates the health checks (and ARC) only, and
   * exports the record specs (`failoverOutputs`) for that stack.
   */
  | {
      readonly mode: "weighted";
      readonly primaryWeight: pulumi.Input<number>;
      readonly secondaryWeight: pulumi.Input<number>;
      /** Both weights 0 makes Route 53 split traffic equally; refused unless this is true. @default false */
      readonly allowAllZeroWeights?: boolean;
      /** @default true */
      readonly manageRecords?: boolean;
    };

export interface Route53FailoverArgs extends ServiceIdentity {
  /** The regions of the two endpoints; usually a `DrRegionPair`. */
  readonly regions: RegionPairSides;
  /** Hosted zone of the record. */
  readonly zoneId: pulumi.Input<string>;
  /** Fully qualified record name, e.g. `api.example.com`. */
  readonly recordName: string;
  /** @default "A" for alias endpoints, "CNAME" for values */
  readonly recordType?: "A" | "AAAA" | "CNAME";
  readonly primary: FailoverEndpoint;
  readonly secondary: FailoverEndpoint;
  /** TTL of non-alias records, seconds. AWS advises 60 with health checks. @default 60 */
  readonly ttlSeconds?: number;
  /** @default - HTTPS on 443 at /healthz, every 10 s, 3 failures */
  readonly healthCheck?: HealthCheckSettings;
  /** @default { mode: "failover" } */
  readonly routing?: RoutingMode;
  /**
   * Route 53 ARC: a cluster, a control panel, one routing control per region with a safety rule keeping
   * at least one on, and RECOVERY_CONTROL health checks on the records: the switch AWS recommends for
   * recovery. Costs an ARC cluster (billed hourly).
   * @default false
   */
  readonly arc?: boolean;
}

/** What the failover stack reads from the platform stack (see stacks/failover). */
export interface FailoverRecordSpec {
  readonly zoneId: string;
  readonly recordName: string;
  readonly recordType: string;
  readonly ttl: number;
  readonly primary: FailoverSideSpec;
  readonly secondary: FailoverSideSpec;
  readonly arc?: {
    readonly clusterEndpoints: { readonly endpoint: string; readonly region: string }[];
    readonly routingControlArns: { readonly primary: string; readonly secondary: string };
  };
}
export interface FailoverSideSpec {
  readonly region: string;
  readonly setIdentifier: string;
  readonly healthCheckId: string;
  readonly alias?: { readonly name: string; readonly zoneId: string };
  readonly values?: string[];
}

const RECORD_NAME = /^(?=.{1,253}$)([a-z0-9*]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,63}\.?$/;

export function validateRoute53FailoverArgs(args: Route53FailoverArgs): string[] {
  const problems = new ArgsProblems();
  validateServiceIdentity(args, problems);
  problems.check(
    typeof args.recordName === "string" && RECORD_NAME.test(args.recordName),
    `\`recordName\` must be a fully qualified domain name such as api.example.com (got ${shown(args.recordName)})`,
  );
  for (const side of ["primary", "secondary"] as const) {
    const endpoint = args[side];
    problems.check(
      (endpoint.alias === undefined) !== (endpoint.value === undefined),
      `\`${side}\` needs exactly one of \`alias\` or \`value\``,
    );
  }
  const ttl = args.ttlSeconds;
  problems.check(
    ttl === undefined || (Number.isInteger(ttl) && ttl >= 0 && ttl <= 86_400),
    `\`ttlSeconds\` must be a whole number 0–86400 (got ${shown(ttl)}); omit it to use 60`,
  );
  const check = args.healthCheck ?? {};
  problems.check(
    check.requestIntervalSeconds === undefined ||
      check.requestIntervalSeconds === 10 ||
      check.requestIntervalSeconds === 30,
    `\`healthCheck.requestIntervalSeconds\` must be 10 or 30 (got ${shown(check.requestIntervalSeconds)})`,
  );
  problems.check(
    check.failureThreshold === undefined ||
      (Number.isInteger(check.failureThreshold) &&
        check.failureThreshold >= 1 &&
        check.failureThreshold <= 10),
    `\`healthCheck.failureThreshold\` must be a whole number 1–10 (got ${shown(check.failureThreshold)})`,
  );
  problems.check(
    check.port === undefined || (Number.isInteger(check.port) && check.port >= 1 && check.port <= 65_535),
    `\`healthCheck.port\` must be 1–65535 (got ${shown(check.port)})`,
  );
  problems.check(
    check.path === undefined || check.path.startsWith("/"),
    `\`healthCheck.path\` must start with "/" (got ${shown(check.path)})`,
  );
  const routing = args.routing;
  if (routing?.mode === "weighted") {
    const weights = [plainValue(routing.primaryWeight), plainValue(routing.secondaryWeight)];
    for (const [i, weight] of weights.entries()) {
      problems.check(
        weight === undefined || (Number.isInteger(weight) && weight >= 0 && weight <= 255),
        `\`routing.${i === 0 ? "primary" : "secondary"}Weight\` must be a whole number 0–255 (got ${shown(weight)})`,
      );
    }
    problems.check(
      !(weights[0] === 0 && weights[1] === 0) || routing.allowAllZeroWeights === true,
      "`routing`: both weights are 0, so Route 53 would split traffic equally; give the active region a weight, or set `allowAllZeroWeights: true` if that is really meant",
    );
  }
  problems.check(
    args.regions.primary.region !== args.regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(args.regions.primary.region)})`,
  );
  return [...problems.list];
}

/**
 * DNS failover between the two regions of a pair: HTTPS health checks per region, and failover or
 * weighted records driven by them, optionally behind Route 53 ARC routing controls.
 */
export class Route53Failover extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:Route53Failover";
  readonly healthCheckIds: {
    readonly primary: pulumi.Output<string>;
    readonly secondary: pulumi.Output<string>;
  };
  readonly routingControlArns?: {
    readonly primary: pulumi.Output<string>;
    readonly secondary: pulumi.Output<string>;
  };
  /** The record set, as the failover stack needs it. */
  readonly failoverOutputs: pulumi.Output<FailoverRecordSpec>;
  readonly fqdn: string;

  constructor(name: string, args: Route53FailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Route53Failover.__pulumiType, name, {}, opts);
    const problems = validateRoute53FailoverArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("Route53Failover", name, problems);

    const routing: RoutingMode = args.routing ?? { mode: "failover" };
    const manageRecords = routing.mode === "failover" || (routing.manageRecords ?? true);
    const ttl = args.ttlSeconds ?? 60;
    const check = {
      path: args.healthCheck?.path ?? "/healthz",
      port: args.healthCheck?.port ?? 443,
      interval: args.healthCheck?.requestIntervalSeconds ?? 10,
      threshold: args.healthCheck?.failureThreshold ?? 3,
    };
    const recordType = args.recordType ?? (args.primary.alias ? "A" : "CNAME");
    const tags = serviceTags(args);
    this.fqdn = args.recordName;

    // Route 53 and ARC are global services with their control planes in us-east-1 and us-west-2. Their own
    // providers keep them off the primary region's provider, whose region may be the one that is down.
    const route53Provider = new AwsProvider(`${name}-route53`, { region: "us-east-1" }, { parent: this });
    const sides = { primary: args.regions.primary, secondary: args.regions.secondary };

    let routingControls: { primary: arc.RoutingControl; secondary: arc.RoutingControl } | undefined;
    let cluster: arc.Cluster | undefined;
    if (args.arc) {
      const arcProvider = new AwsProvider(`${name}-arc`, { region: "us-west-2" }, { parent: this });
      const arcOpts = { parent: this, provider: arcProvider };
      cluster = new arc.Cluster(`${name}-arc`, { name: `${name}-arc` }, arcOpts);
      const panel = new arc.ControlPanel(
        `${name}-arc`,
        { name: `${name}-arc`, clusterArn: cluster.arn },
        arcOpts,
      );
      routingControls = {
        primary: new arc.RoutingControl(
          `${name}-primary`,
          { name: `${name}-primary`, clusterArn: cluster.arn, controlPanelArn: panel.arn },
          arcOpts,
        ),
        secondary: new arc.RoutingControl(
          `${name}-secondary`,
          { name: `${name}-secondary`, clusterArn: cluster.arn, controlPanelArn: panel.arn },
          arcOpts,
        ),
      };
      // Never both off: that would fail open (no region answers).
      new arc.SafetyRule(
        `${name}-at-least-one-on`,
        {
          name: `${name}-at-least-one-on`,
          controlPanelArn: panel.arn,
          assertedControls: [routingControls.primary.arn, routingControls.secondary.arn],
          waitPeriodMs: 5_000,
          ruleConfig: { type: "ATLEAST", threshold: 1, inverted: false },
        },
        arcOpts,
      );
      this.routingControlArns = {
        primary: routingControls.primary.arn,
        secondary: routingControls.secondary.arn,
      };
    }

    const healthChecks = Object.fromEntries(
      (["primary", "secondary"] as const).map((side) => {
        const endpoint = args[side];
        const control = routingControls?.[side];
        const healthCheck = control
          ? new route53.HealthCheck(
              `${name}-${side}`,
              { type: "RECOVERY_CONTROL", routingControlArn: control.arn, tags },
              { parent: this, provider: route53Provider },
            )
          : new route53.HealthCheck(
              `${name}-${side}`,
              {
                type: "HTTPS",
                fqdn: endpoint.healthCheckFqdn ?? endpoint.alias?.name ?? endpoint.value,
                port: check.port,
                resourcePath: check.path,
                requestInterval: check.interval,
                failureThreshold: check.threshold,
                tags,
              },
              { parent: this, provider: route53Provider },
            );
        return [side, healthCheck];
      }),
    ) as Record<"primary" | "secondary", route53.HealthCheck>;
    this.healthCheckIds = { primary: healthChecks.primary.id, secondary: healthChecks.secondary.id };

    const weights =
      routing.mode === "weighted"
        ? { primary: routing.primaryWeight, secondary: routing.secondaryWeight }
        : undefined;
    if (manageRecords) {
      for (const side of ["primary", "secondary"] as const) {
        const endpoint = args[side];
        new route53.Record(
          `${name}-${side}`,
          {
            zoneId: args.zoneId,
            name: args.recordName,
            type: recordType,
            setIdentifier: side,
            healthCheckId: healthChecks[side].id,
            ...(weights
              ? { weightedRoutingPolicies: [{ weight: weights[side] }] }
              : { failoverRoutingPolicies: [{ type: side === "primary" ? "PRIMARY" : "SECONDARY" }] }),
            ...(endpoint.alias
              ? {
                  aliases: [
                    { name: endpoint.alias.name, zoneId: endpoint.alias.zoneId, evaluateTargetHealth: true },
                  ],
                }
              : { ttl, records: [endpoint.value as pulumi.Input<string>] }),
          },
          { parent: this, provider: route53Provider },
        );
      }
    }

    const sideSpec = (side: "primary" | "secondary") =>
      pulumi
        .all([healthChecks[side].id, args[side].alias?.name, args[side].alias?.zoneId, args[side].value])
        .apply(([healthCheckId, aliasName, aliasZoneId, value]): FailoverSideSpec => ({
          region: sides[side].region,
          setIdentifier: side,
          healthCheckId,
          ...(aliasName !== undefined && aliasZoneId !== undefined
            ? { alias: { name: aliasName, zoneId: aliasZoneId } }
            : { values: value === undefined ? [] : [value] }),
        }));
    this.failoverOutputs = pulumi
      .all([
        args.zoneId,
        sideSpec("primary"),
        sideSpec("secondary"),
        cluster?.clusterEndpoints ?? [],
        routingControls?.primary.arn ?? "",
        routingControls?.secondary.arn ?? "",
      ])
      .apply(([zoneId, primary, secondary, endpoints, onPrimary, onSecondary]): FailoverRecordSpec => ({
        zoneId,
        recordName: args.recordName,
        recordType,
        ttl,
        primary,
        secondary,
        ...(cluster
          ? {
              arc: {
                clusterEndpoints: endpoints.map((e) => ({ endpoint: e.endpoint, region: e.region })),
                routingControlArns: { primary: onPrimary, secondary: onSecondary },
              },
            }
          : {}),
      }));

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      routingMode: routing.mode,
      // false: the failover stack owns the records; the posture model reads the set from these outputs.
      manageRecords,
      ttlSeconds: ttl,
      recordAlias: args.primary.alias !== undefined,
      arcEnabled: args.arc ?? false,
      fqdn: args.recordName,
      healthCheckIds: this.healthCheckIds,
      weights: weights ?? null,
      routingControlArns: this.routingControlArns ?? null,
      failover: this.failoverOutputs,
    });
  }
}
