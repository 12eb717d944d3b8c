import { isIPv4, isIPv6 } from "net";
import * as pulumi from "@pulumi/pulumi";
import * as route53 from "@pulumi/aws/route53";
import * as arc from "@pulumi/aws/route53recoverycontrol";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { checkRegionPair, regionNamesOf, type RegionPair } from "../common/regions";
import { ServiceIdentity, serviceTags, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkBoolean,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  checkedInput,
  isComputed,
  isPlainObject,
  ownEntry,
  shown,
  validatedInput,
} from "../common/validation";

/** An alias target: a load balancer, a CloudFront distribution, another record… */
export interface AliasTarget {
  /** The target's DNS name, e.g. `my-lb-1234.eu-west-1.elb.amazonaws.com`. */
  readonly name: pulumi.Input<string>;
  /** The target's hosted zone ID, e.g. `Z32O12XQLNTSW2`. */
  readonly zoneId: pulumi.Input<string>;
}

/**
 * Where one region's traffic goes: an alias target (load balancer, CloudFront…) or a plain value; both
 * sides the same kind.
 */
export interface FailoverEndpoint {
  /** Alias target: its DNS name and hosted zone ID; its health is evaluated too (`evaluateTargetHealth`). */
  readonly alias?: AliasTarget;
  /** A plain record value, fitting `recordType`: an IPv4 address (A), an IPv6 address (AAAA), a host name (CNAME). */
  readonly value?: pulumi.Input<string>;
  /**
   * Host the health check probes (and names in TLS SNI and the Host header). For A/AAAA values the check
   * probes the address itself, with this host name if given.
   * @default - the alias name, or the CNAME's value
   */
  readonly healthCheckFqdn?: pulumi.Input<string>;
}

export interface HealthCheckSettings {
  /** Path the HTTPS check requests: starts with "/", at most 255 characters. @default "/healthz" */
  readonly path?: string;
  /** 1–65535. @default 443 */
  readonly port?: number;
  /**
   * Seconds between checks from each checker: 10 or 30 (Route 53 offers no other). Detection takes about
   * interval × threshold.
   * @default 10
   */
  readonly requestIntervalSeconds?: number;
  /** Consecutive failures before unhealthy, 1–10. @default 3 */
  readonly failureThreshold?: number;
}

/** The record type; the endpoints' values must fit it. */
export const RecordType = {
  /** IPv4 addresses, or an alias to an IPv4 target. */
  A: "A",
  /** IPv6 addresses, or an alias to an IPv6 target. */
  AAAA: "AAAA",
  /** A host name. */
  CNAME: "CNAME",
} as const;
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** How the records route between the regions. */
export const RoutingMode = {
  /** PRIMARY/SECONDARY records switched by health checks: the data-plane path. */
  Failover: "failover",
  /** Weighted records with health checks, whose weights a separate failover stack can own. */
  Weighted: "weighted",
} as const;
export type RoutingMode = (typeof RoutingMode)[keyof typeof RoutingMode];

/**
 * How the records route between the regions. `failover` takes no other field. `weighted` needs both
 * weights (0–255); they are inputs so a separate failover stack can own them: with `manageRecords: false`
 * this component creates the health checks (and ARC) only, and exports the record specs
 * (`failoverOutputs`) for that stack. Weights that are Outputs are checked when they resolve.
 */
export interface Routing {
  readonly mode: RoutingMode;
  /** Weight of the primary's record, 0–255 (weighted mode, required there). */
  readonly primaryWeight?: pulumi.Input<number>;
  /** Weight of the secondary's record, 0–255 (weighted mode, required there). */
  readonly secondaryWeight?: pulumi.Input<number>;
  /**
   * Both weights 0 makes Route 53 split traffic equally; refused unless this is true (weighted mode).
   * @default false
   */
  readonly allowAllZeroWeights?: boolean;
  /** Create the weighted records here (weighted mode); false leaves them to a failover stack. @default true */
  readonly manageRecords?: boolean;
}

export interface Route53FailoverArgs extends ServiceIdentity {
  /**
   * The regions of the two endpoints: a `DrRegionPair` in TypeScript, or the regions
   * `{ primaryRegion, secondaryRegion }`. Route 53 is global: only the region names are used.
   */
  readonly regions: RegionPair;
  /** Hosted zone ID of the record, e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly zoneId: pulumi.Input<string>;
  /** Fully qualified record name in lowercase, e.g. `api.example.com`. */
  readonly recordName: string;
  /** The values must fit it: A takes IPv4 addresses, AAAA IPv6 ones, CNAME host names. @default "A" for alias endpoints, "CNAME" for values */
  readonly recordType?: RecordType;
  readonly primary: FailoverEndpoint;
  readonly secondary: FailoverEndpoint;
  /**
   * TTL of value records, seconds (0–86400). AWS advises 60 with health checks. Alias records answer with
   * their target's TTL, so it is refused for them.
   * @default 60
   */
  readonly ttlSeconds?: number;
  /** @default - HTTPS on 443 at /healthz, every 10 s, 3 failures */
  readonly healthCheck?: HealthCheckSettings;
  /** @default { mode: "failover" } */
  readonly routing?: Routing;
  /**
   * Route 53 ARC: a cluster, a control panel, one routing control per region with a safety rule keeping
   * at least one on, and RECOVERY_CONTROL health checks on the records: the switch AWS recommends for
   * recovery. Costs an ARC cluster (billed hourly). Its names are `<name>-…`, at most 64 characters: the
   * component's name can have at most 48.
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
  readonly arc?: FailoverArcSpec;
}
export interface FailoverSideSpec {
  readonly region: string;
  readonly setIdentifier: string;
  readonly healthCheckId: string;
  readonly alias?: FailoverAliasSpec;
  readonly values?: string[];
}
export interface FailoverAliasSpec {
  readonly name: string;
  readonly zoneId: string;
}
/** The ARC cluster's endpoints and routing controls, with which the failover stack flips traffic. */
export interface FailoverArcSpec {
  readonly clusterEndpoints: ArcClusterEndpoint[];
  readonly routingControlArns: ArcRoutingControlArns;
}
export interface ArcClusterEndpoint {
  readonly endpoint: string;
  readonly region: string;
}
export interface ArcRoutingControlArns {
  readonly primary: string;
  readonly secondary: string;
}

/** The health check of each region's record. */
export interface HealthCheckIds {
  readonly primary: pulumi.Output<string>;
  readonly secondary: pulumi.Output<string>;
}
/** The ARC routing control of each region. */
export interface RoutingControlArns {
  readonly primary: pulumi.Output<string>;
  readonly secondary: pulumi.Output<string>;
}

const FIELDS = [
  "service",
  "tier",
  "regions",
  "zoneId",
  "recordName",
  "recordType",
  "primary",
  "secondary",
  "ttlSeconds",
  "healthCheck",
  "routing",
  "arc",
];
type Side = "primary" | "secondary";

const LABEL = "[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?";
/** A record name: lowercase labels of at most 63 characters, the first one possibly `*`, at most 253. */
const RECORD_NAME = new RegExp(
  `^(?=.{1,253}\\.?$)(?:\\*\\.)?(?:${LABEL}\\.)+[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?\\.?$`,
);
/** A host name to point at or probe: DNS is case-insensitive (ELB names come in mixed case). */
const HOST_NAME = new RegExp(
  `^(?=.{1,253}\\.?$)(?:[a-z0-9_](?:[-a-z0-9_]{0,61}[a-z0-9_])?\\.)+[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?\\.?$`,
  "i",
);
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** ARC names: 1–64 characters, no white space nor & > < ' " ; (the API's own limits). */
const ARC_NAME = /^[^\s&<>'";]{1,64}$/;
const ARC_LONGEST_SUFFIX = "-at-least-one-on";

const isHostName = (value: unknown): value is string => typeof value === "string" && HOST_NAME.test(value);
/** What each record type holds, and the fix that names the right type for a value that does not fit. */
const RECORD_TYPES: Readonly<
  Record<string, { readonly holds: string; readonly fits: (value: unknown) => boolean }>
> = {
  A: { holds: "an IPv4 address for an A record", fits: (v) => typeof v === "string" && isIPv4(v) },
  AAAA: { holds: "an IPv6 address for an AAAA record", fits: (v) => typeof v === "string" && isIPv6(v) },
  CNAME: { holds: "a host name for a CNAME record", fits: isHostName },
};
/** The fields of `routing`, and those only weighted routing takes. */
const ROUTING_FIELDS: readonly (keyof Routing)[] = [
  "mode",
  "primaryWeight",
  "secondaryWeight",
  "allowAllZeroWeights",
  "manageRecords",
];
const WEIGHTED_ONLY: readonly (keyof Routing)[] = ROUTING_FIELDS.filter((f) => f !== "mode");
const ROUTING_MODES: Readonly<Record<string, RoutingMode>> = {
  failover: "failover",
  weighted: "weighted",
};

function typeFor(value: unknown): RecordType | undefined {
  if (typeof value !== "string") return undefined;
  if (isIPv4(value)) return "A";
  if (isIPv6(value)) return "AAAA";
  return isHostName(value) ? "CNAME" : undefined;
}

function checkZoneId(field: string, example: string, value: unknown, problems: ArgsProblems): void {
  if (typeof value === "string" && HOSTED_ZONE_ID.test(value)) return;
  const near =
    typeof value === "string"
      ? value
          .trim()
          .replace(/^\/?hostedzone\//, "")
          .toUpperCase()
      : undefined;
  problems.add(
    `\`${field}\` must be ${field === "zoneId" ? "a Route 53 hosted zone ID" : "the target's hosted zone ID"} such as ${example} (got ${shown(value)})${near !== undefined && near !== value && HOSTED_ZONE_ID.test(near) ? `: did you mean ${shown(near)}?` : ""}`,
  );
}

function checkRecordValue(side: Side, type: RecordType, value: unknown, problems: ArgsProblems): void {
  const spec = RECORD_TYPES[type];
  if (spec === undefined || spec.fits(value)) return;
  const fitting = typeFor(value);
  const fix =
    fitting === undefined
      ? ""
      : `: set \`recordType: "${fitting}"\` for ${fitting === "A" ? "an IPv4 address" : fitting === "AAAA" ? "an IPv6 address" : "a host name"}`;
  problems.add(`\`${side}.value\` must be ${spec.holds} (got ${shown(value)})${fix}`);
}

function checkAliasName(side: Side, value: unknown, problems: ArgsProblems): void {
  problems.check(
    isHostName(value),
    `\`${side}.alias.name\` must be the target's DNS name, such as my-lb-1234.eu-west-1.elb.amazonaws.com (got ${shown(value)})`,
  );
}

function checkHealthCheckFqdn(side: Side, value: unknown, problems: ArgsProblems): void {
  problems.check(
    isHostName(value),
    `\`${side}.healthCheckFqdn\` must be a host name such as api.example.com (got ${shown(value)}); omit it to probe the alias name or the value`,
  );
}

function checkWeight(side: Side, value: unknown, problems: ArgsProblems): void {
  checkWholeNumber(`routing.${side}Weight`, value, { min: 0, max: 255 }, problems);
}

function checkWeights(
  weights: readonly [unknown, unknown],
  allowAllZero: boolean,
  problems: ArgsProblems,
): void {
  checkWeight("primary", weights[0], problems);
  checkWeight("secondary", weights[1], problems);
  problems.check(
    !(weights[0] === 0 && weights[1] === 0) || allowAllZero,
    "`routing`: both weights are 0, so Route 53 would split traffic equally; give the active region a weight, or set `allowAllZeroWeights: true` if that is really meant",
  );
}

/** Which of `alias` and `value` an endpoint has, when it has exactly one. */
function kindOf(endpoint: unknown): "alias" | "value" | undefined {
  if (!isPlainObject(endpoint) || (endpoint.alias === undefined) === (endpoint.value === undefined))
    return undefined;
  return endpoint.alias !== undefined ? "alias" : "value";
}

/** One endpoint's shape and values (against `recordType` when there is one to fit). */
function checkEndpoint(
  side: Side,
  endpoint: unknown,
  recordType: RecordType | undefined,
  problems: ArgsProblems,
): void {
  if (!isPlainObject(endpoint)) {
    problems.add(
      `\`${side}\` must be { alias: { name, zoneId } } or { value }, with an optional healthCheckFqdn (got ${shown(endpoint)})`,
    );
    return;
  }
  checkKnownFields(side, endpoint, ["alias", "value", "healthCheckFqdn"], problems);
  if (endpoint.healthCheckFqdn !== undefined && !isComputed(endpoint.healthCheckFqdn))
    checkHealthCheckFqdn(side, endpoint.healthCheckFqdn, problems);
  if ((endpoint.alias === undefined) === (endpoint.value === undefined)) {
    problems.add(`\`${side}\` needs exactly one of \`alias\` or \`value\` (got ${shown(endpoint)})`);
    return;
  }
  if (endpoint.value !== undefined) {
    if (recordType !== undefined && !isComputed(endpoint.value))
      checkRecordValue(side, recordType, endpoint.value, problems);
    return;
  }
  const alias = endpoint.alias;
  if (!isPlainObject(alias)) {
    problems.add(`\`${side}.alias\` must be { name, zoneId } (got ${shown(alias)})`);
    return;
  }
  checkKnownFields(`${side}.alias`, alias, ["name", "zoneId"], problems);
  if (!isComputed(alias.name)) checkAliasName(side, alias.name, problems);
  if (!isComputed(alias.zoneId))
    checkZoneId(`${side}.alias.zoneId`, "Z32O12XQLNTSW2", alias.zoneId, problems);
}

function checkHealthCheck(value: unknown, problems: ArgsProblems): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    problems.add(
      `\`healthCheck\` must be { path?, port?, requestIntervalSeconds?, failureThreshold? } (got ${shown(value)})`,
    );
    return;
  }
  checkKnownFields(
    "healthCheck",
    value,
    ["path", "port", "requestIntervalSeconds", "failureThreshold"],
    problems,
  );
  const path = value.path;
  problems.check(
    path === undefined || (typeof path === "string" && path.startsWith("/") && path.length <= 255),
    `\`healthCheck.path\` must be a path starting with "/", at most 255 characters (got ${shown(path)}); omit it to use "/healthz"`,
  );
  checkWholeNumber("healthCheck.port", value.port, { min: 1, max: 65_535, omitted: "443" }, problems);
  const interval = value.requestIntervalSeconds;
  problems.check(
    interval === undefined || interval === 10 || interval === 30,
    `\`healthCheck.requestIntervalSeconds\` must be 10 or 30 (got ${shown(interval)})${typeof interval === "string" ? ": write it without quotes" : ""}; omit it to use 10`,
  );
  checkWholeNumber(
    "healthCheck.failureThreshold",
    value.failureThreshold,
    { min: 1, max: 10, omitted: "3" },
    problems,
  );
}

function checkRouting(value: unknown, problems: ArgsProblems): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    problems.add(
      `\`routing\` must be { mode: "failover" } or { mode: "weighted", primaryWeight, secondaryWeight, allowAllZeroWeights?, manageRecords? } (got ${shown(value)})`,
    );
    return;
  }
  checkKnownFields("routing", value, ROUTING_FIELDS, problems);
  if (!checkPlain("routing.mode", value.mode, problems)) return;
  if (ownEntry(ROUTING_MODES, value.mode) === undefined) {
    problems.add(`\`routing.mode\` must be "failover" or "weighted" (got ${shown(value.mode)})`);
    return;
  }
  if (value.mode !== "weighted") {
    for (const field of WEIGHTED_ONLY)
      problems.check(
        value[field] === undefined,
        `\`routing.${field}\` applies to weighted routing only: remove it, or set \`mode: "weighted"\``,
      );
    return;
  }
  const allowAllZero = checkBoolean("routing.allowAllZeroWeights", value.allowAllZeroWeights, problems)
    ? value.allowAllZeroWeights === true
    : true;
  if (checkPlain("routing.manageRecords", value.manageRecords, problems))
    checkBoolean("routing.manageRecords", value.manageRecords, problems);
  const weights = [value.primaryWeight, value.secondaryWeight] as const;
  for (const [i, side] of (["primary", "secondary"] as const).entries()) {
    if (weights[i] === undefined)
      problems.add(`\`routing.${side}Weight\` is required in weighted mode: a whole number from 0 to 255`);
  }
  if (weights.every((w) => w !== undefined && !isComputed(w))) checkWeights(weights, allowAllZero, problems);
  else
    for (const [i, side] of (["primary", "secondary"] as const).entries()) {
      if (weights[i] !== undefined && !isComputed(weights[i])) checkWeight(side, weights[i], problems);
    }
}

/**
 * Every problem with the arguments, checked before anything reads them: shapes, YAML-typed values,
 * enumerations, values that must fit the record type, ranges, and — given the component's `name` —
 * whether it can name the ARC resources. Outputs are checked when they resolve, with the same messages.
 */
export function validateRoute53FailoverArgs(args: Route53FailoverArgs, name?: string): string[] {
  const problems = new ArgsProblems();
  const raw: unknown = args;
  if (
    !checkArgsObject(raw, "pass { service, tier, regions, zoneId, recordName, primary, secondary }", problems)
  )
    return [...problems.list];
  validateServiceIdentity(raw as unknown as ServiceIdentity, problems);
  const regions = checkRegionPair(raw.regions, problems);
  if (!isComputed(raw.zoneId)) checkZoneId("zoneId", "Z0123456789ABCDEFGHIJ", raw.zoneId, problems);
  if (typeof raw.recordName !== "string" || !RECORD_NAME.test(raw.recordName)) {
    const near = typeof raw.recordName === "string" ? raw.recordName.trim().toLowerCase() : undefined;
    problems.add(
      `\`recordName\` must be a fully qualified domain name such as api.example.com (got ${shown(raw.recordName)})${near !== undefined && RECORD_NAME.test(near) ? `: did you mean ${shown(near)}?` : ""}`,
    );
  }
  let recordType: RecordType | undefined;
  if (raw.recordType !== undefined) {
    if (ownEntry(RECORD_TYPES, raw.recordType) === undefined)
      problems.add(`\`recordType\` must be "A", "AAAA" or "CNAME" (got ${shown(raw.recordType)})`);
    else recordType = raw.recordType as RecordType;
  }
  const kinds = [kindOf(raw.primary), kindOf(raw.secondary)] as const;
  const mixed = kinds[0] !== undefined && kinds[1] !== undefined && kinds[0] !== kinds[1];
  // Values must fit the record type, given or by default; mixed kinds (refused below) have no one type.
  const typeForValues: RecordType | undefined = mixed
    ? undefined
    : raw.recordType !== undefined
      ? recordType
      : (kinds[0] ?? kinds[1]) === "alias"
        ? "A"
        : "CNAME";
  checkEndpoint("primary", raw.primary, typeForValues, problems);
  checkEndpoint("secondary", raw.secondary, typeForValues, problems);
  problems.check(
    !mixed,
    `\`primary\` is ${kinds[0] === "alias" ? "an `alias`" : "a `value`"} and \`secondary\` ${kinds[1] === "alias" ? "an `alias`" : "a `value`"}: give both sides the same kind, so both records have the same type and caching (an alias has no TTL)`,
  );
  checkWholeNumber(
    "ttlSeconds",
    raw.ttlSeconds,
    { min: 0, max: 86_400, unit: "seconds", omitted: "60" },
    problems,
  );
  problems.check(
    raw.ttlSeconds === undefined || kinds[0] !== "alias" || kinds[1] !== "alias",
    `\`ttlSeconds\` applies to value records only (got ${shown(raw.ttlSeconds)}): alias records answer with their target's TTL; remove it`,
  );
  checkHealthCheck(raw.healthCheck, problems);
  checkRouting(raw.routing, problems);
  if (checkPlain("arc", raw.arc, problems)) checkBoolean("arc", raw.arc, problems);
  if (raw.arc === true && name !== undefined) {
    const longest = `${name}${ARC_LONGEST_SUFFIX}`;
    problems.check(
      ARC_NAME.test(longest),
      `the name ${shown(name)} cannot name ARC resources: with \`arc: true\` the safety rule is named "<name>${ARC_LONGEST_SUFFIX}", which must be at most 64 characters, without spaces or & > < ' " ; (got ${longest.length} characters): use a name of at most ${64 - ARC_LONGEST_SUFFIX.length} characters, without them`,
    );
  }
  problems.check(
    regions === undefined || regions.primary.region !== regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(regions?.primary.region)})`,
  );
  checkKnownFields("", raw, FIELDS, problems);
  return [...problems.list];
}

/** An endpoint as the children get it: each Output checked when it resolves, as `checkEndpoint` does now. */
function checkedEndpoint(
  resourceName: string,
  side: Side,
  endpoint: FailoverEndpoint,
  recordType: RecordType,
) {
  const checked = <T>(input: pulumi.Input<T>, check: (value: unknown, problems: ArgsProblems) => void) =>
    checkedInput("Route53Failover", resourceName, input, check);
  return {
    alias: endpoint.alias && {
      name: checked(endpoint.alias.name, (v, p) => checkAliasName(side, v, p)),
      zoneId: checked(endpoint.alias.zoneId, (v, p) =>
        checkZoneId(`${side}.alias.zoneId`, "Z32O12XQLNTSW2", v, p),
      ),
    },
    value:
      endpoint.value === undefined
        ? undefined
        : checked(endpoint.value, (v, p) => checkRecordValue(side, recordType, v, p)),
    healthCheckFqdn:
      endpoint.healthCheckFqdn === undefined
        ? undefined
        : checked(endpoint.healthCheckFqdn, (v, p) => checkHealthCheckFqdn(side, v, p)),
  };
}

/** The weights as the records get them; Outputs checked together when they resolve ("both 0" is the pair's). */
function checkedWeights(resourceName: string, weighted: Routing) {
  // Validation requires both in weighted mode.
  const given = {
    primary: weighted.primaryWeight as pulumi.Input<number>,
    secondary: weighted.secondaryWeight as pulumi.Input<number>,
  };
  if (!isComputed(given.primary) && !isComputed(given.secondary)) return given;
  const pair = validatedInput(
    "Route53Failover",
    resourceName,
    pulumi.all([given.primary, given.secondary]),
    (w) => {
      const problems = new ArgsProblems();
      checkWeights(w, weighted.allowAllZeroWeights === true, problems);
      return problems.list[0];
    },
  );
  return { primary: pair.apply((w) => w[0]), secondary: pair.apply((w) => w[1]) };
}

/**
 * DNS failover between the two regions of a pair: HTTPS health checks per region, and failover or
 * weighted records driven by them, optionally behind Route 53 ARC routing controls.
 */
export class Route53Failover extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:Route53Failover";
  readonly healthCheckIds: HealthCheckIds;
  readonly routingControlArns?: RoutingControlArns;
  /** The record set, as the failover stack needs it. */
  readonly failoverOutputs: pulumi.Output<FailoverRecordSpec>;
  readonly fqdn: string;

  constructor(name: string, args: Route53FailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super(Route53Failover.__pulumiType, name, {}, opts);
    const problems = validateRoute53FailoverArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("Route53Failover", name, problems);

    const routing: Routing = args.routing ?? { mode: "failover" };
    const manageRecords = routing.mode === "failover" || (routing.manageRecords ?? true);
    const ttl = args.ttlSeconds ?? 60;
    const check = {
      path: args.healthCheck?.path ?? "/healthz",
      port: args.healthCheck?.port ?? 443,
      interval: args.healthCheck?.requestIntervalSeconds ?? 10,
      threshold: args.healthCheck?.failureThreshold ?? 3,
    };
    const recordType: RecordType = args.recordType ?? (args.primary.alias ? "A" : "CNAME");
    const tags = serviceTags(args);
    this.fqdn = args.recordName;

    // Outputs are checked when they resolve, with the plain values' messages: the child that consumes a
    // bad one is never registered.
    const zoneId = checkedInput("Route53Failover", name, args.zoneId, (v, p) =>
      checkZoneId("zoneId", "Z0123456789ABCDEFGHIJ", v, p),
    );
    const endpoints = {
      primary: checkedEndpoint(name, "primary", args.primary, recordType),
      secondary: checkedEndpoint(name, "secondary", args.secondary, recordType),
    };

    // Route 53 and ARC are global services with their control planes in us-east-1 and us-west-2. Their own
    // providers keep them off the primary region's provider, whose region may be the one that is down.
    const route53Provider = new AwsProvider(`${name}-route53`, { region: "us-east-1" }, { parent: this });
    const regionNames = regionNamesOf(args.regions);

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
        const endpoint = endpoints[side];
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
                // An A/AAAA value is an address: probe it (a host name cannot be resolved from it).
                ...(endpoint.value !== undefined && recordType !== "CNAME"
                  ? { ipAddress: endpoint.value, fqdn: endpoint.healthCheckFqdn }
                  : { fqdn: endpoint.healthCheckFqdn ?? endpoint.alias?.name ?? endpoint.value }),
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

    const weights = routing.mode === "weighted" ? checkedWeights(name, routing) : undefined;
    if (manageRecords) {
      for (const side of ["primary", "secondary"] as const) {
        const endpoint = endpoints[side];
        new route53.Record(
          `${name}-${side}`,
          {
            zoneId,
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
        .all([
          healthChecks[side].id,
          endpoints[side].alias?.name,
          endpoints[side].alias?.zoneId,
          endpoints[side].value,
        ])
        .apply(([healthCheckId, aliasName, aliasZoneId, value]): FailoverSideSpec => ({
          region: regionNames[side],
          setIdentifier: side,
          healthCheckId,
          ...(aliasName !== undefined && aliasZoneId !== undefined
            ? { alias: { name: aliasName, zoneId: aliasZoneId } }
            : { values: value === undefined ? [] : [value] }),
        }));
    this.failoverOutputs = pulumi
      .all([
        zoneId,
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
