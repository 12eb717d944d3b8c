// The failover manifest: everything needed to move traffic between the two regions of a platform — the
// weighted record set, its health checks, the ARC cluster endpoints and routing controls. The platform
// publishes one copy in each region of its pair (`FailoverManifest` in @drkit/components); the failover
// stack and `drkit failover break-glass` read the copy in the region being activated, so a switch never
// needs the region being left, nor the platform's state backend. This module is the contract both sides
// import: its shape, its parameter name, its validation, and the plan a switch derives from it.

/** The manifest format this drkit writes and reads; a copy of another version is refused, never guessed. */
export const FAILOVER_MANIFEST_VERSION = 1;

export type FailoverSide = "primary" | "secondary";
export const FAILOVER_SIDES: readonly FailoverSide[] = ["primary", "secondary"];

/** The platform stack output naming the manifest's SSM parameter (the same name in both regions). */
export const FAILOVER_MANIFEST_OUTPUT = "failoverManifestParameter";

/** One side of the weighted record set. */
export interface FailoverRecordSide {
  /** AWS region code of this side, e.g. `eu-west-1` */
  readonly region: string;
  readonly setIdentifier: string;
  readonly healthCheckId: string;
  /** an alias target (load balancer, CloudFront…) … */
  readonly alias?: { readonly name: string; readonly zoneId: string };
  /** … or plain record values */
  readonly values?: readonly string[];
}

/** Route 53 ARC: the cluster's regional data-plane endpoints and one routing control per side. */
export interface FailoverArc {
  readonly clusterEndpoints: readonly { readonly endpoint: string; readonly region: string }[];
  readonly routingControlArns: { readonly primary: string; readonly secondary: string };
}

/** The record set and ARC, as the platform's `Route53Failover` exports them (`failoverOutputs`). */
export interface FailoverRecordSet {
  readonly zoneId: string;
  readonly recordName: string;
  readonly recordType: string;
  readonly ttl: number;
  readonly primary: FailoverRecordSide;
  readonly secondary: FailoverRecordSide;
  readonly arc?: FailoverArc;
}

/** The published document (JSON in an SSM parameter of each region). */
export interface FailoverManifestDocument extends FailoverRecordSet {
  readonly version: typeof FAILOVER_MANIFEST_VERSION;
  /** the platform stack that published it */
  readonly platform: { readonly project: string; readonly stack: string };
}

/**
 * SSM parameter names allow letters, digits and `_.-/`; Pulumi project and stack names fit, so the name
 * is derived rather than configured twice.
 */
const NAME_PART = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The SSM parameter holding a platform stack's manifest, the same name in each region:
 * `/drkit/<project>/<stack>/failover-manifest`.
 */
export function failoverManifestParameterName(project: string, stack: string): string {
  const bad = [
    ["project", project],
    ["stack", stack],
  ].filter(([, value]) => !NAME_PART.test(value as string));
  if (bad.length > 0)
    throw new FailoverManifestError(
      bad.map(
        ([what, value]) =>
          `the platform ${what} name ${JSON.stringify(value)} cannot name an SSM parameter: use letters, digits, "_", "." and "-" (at most 100)`,
      ),
    );
  return `/drkit/${project}/${stack}/failover-manifest`;
}

/** A manifest (or a plan's input) that cannot be used, with every problem found. */
export class FailoverManifestError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join("\n"));
    this.name = "FailoverManifestError";
  }
}

const AWS_REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const ROUTING_CONTROL_ARN =
  /^arn:aws[a-z-]*:route53-recovery-control::\d{12}:controlpanel\/[^\s]+\/routingcontrol\/[^\s]+$/;
const RECORD_TYPES = ["A", "AAAA", "CNAME"];
/** Host names, record values and ids go into shell commands: printable, no quotes, no white space. */
const PLAIN_TOKEN = /^[A-Za-z0-9._:*/-]{1,1024}$/;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const shown = (value: unknown) => (value === undefined ? "nothing" : JSON.stringify(value));

function checkSide(side: FailoverSide, value: unknown, problems: string[]): void {
  if (!isObject(value)) {
    problems.push(
      `\`${side}\` must be { region, setIdentifier, healthCheckId, alias | values } (got ${shown(value)})`,
    );
    return;
  }
  if (typeof value.region !== "string" || !AWS_REGION_CODE.test(value.region))
    problems.push(
      `\`${side}.region\` must be an AWS region code such as eu-west-1 (got ${shown(value.region)})`,
    );
  for (const field of ["setIdentifier", "healthCheckId"]) {
    const v = value[field];
    if (typeof v !== "string" || !PLAIN_TOKEN.test(v))
      problems.push(
        `\`${side}.${field}\` must be a non-empty identifier without spaces or quotes (got ${shown(v)})`,
      );
  }
  const hasAlias = value.alias !== undefined;
  const hasValues = value.values !== undefined;
  if (hasAlias === hasValues) {
    problems.push(`\`${side}\` needs exactly one of \`alias\` or \`values\``);
  } else if (hasAlias) {
    const alias = value.alias;
    if (
      !isObject(alias) ||
      typeof alias.name !== "string" ||
      !PLAIN_TOKEN.test(alias.name) ||
      typeof alias.zoneId !== "string" ||
      !HOSTED_ZONE_ID.test(alias.zoneId)
    )
      problems.push(
        `\`${side}.alias\` must be { name: <DNS name>, zoneId: <hosted zone id> } (got ${shown(alias)})`,
      );
  } else if (
    !Array.isArray(value.values) ||
    value.values.length === 0 ||
    !value.values.every((v) => typeof v === "string" && PLAIN_TOKEN.test(v))
  ) {
    problems.push(
      `\`${side}.values\` must be a non-empty list of record values (got ${shown(value.values)})`,
    );
  }
}

function checkArc(value: unknown, problems: string[]): void {
  if (value === undefined) return;
  if (!isObject(value)) {
    problems.push(`\`arc\` must be { clusterEndpoints, routingControlArns } (got ${shown(value)})`);
    return;
  }
  const endpoints = value.clusterEndpoints;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    problems.push(
      `\`arc.clusterEndpoints\` must list the cluster's regional endpoints (got ${shown(endpoints)})`,
    );
  } else {
    endpoints.forEach((e: unknown, i) => {
      if (
        !isObject(e) ||
        typeof e.endpoint !== "string" ||
        !/^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~/-]*)?$/.test(e.endpoint) ||
        typeof e.region !== "string" ||
        !AWS_REGION_CODE.test(e.region)
      )
        problems.push(
          `\`arc.clusterEndpoints[${i}]\` must be { endpoint: https://…, region: <AWS region> } (got ${shown(e)})`,
        );
    });
  }
  const arns = value.routingControlArns;
  for (const side of FAILOVER_SIDES) {
    const arn = isObject(arns) ? arns[side] : undefined;
    if (typeof arn !== "string" || !ROUTING_CONTROL_ARN.test(arn))
      problems.push(`\`arc.routingControlArns.${side}\` must be a routing control ARN (got ${shown(arn)})`);
  }
}

/** Every problem with a record set, each naming the field. */
export function validateFailoverRecordSet(value: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(value)) return [`the record set must be an object (got ${shown(value)})`];
  if (typeof value.zoneId !== "string" || !HOSTED_ZONE_ID.test(value.zoneId))
    problems.push(
      `\`zoneId\` must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got ${shown(value.zoneId)})`,
    );
  if (typeof value.recordName !== "string" || !PLAIN_TOKEN.test(value.recordName))
    problems.push(`\`recordName\` must be a DNS name (got ${shown(value.recordName)})`);
  if (typeof value.recordType !== "string" || !RECORD_TYPES.includes(value.recordType))
    problems.push(
      `\`recordType\` must be one of ${RECORD_TYPES.join(", ")} (got ${shown(value.recordType)})`,
    );
  if (typeof value.ttl !== "number" || !Number.isInteger(value.ttl) || value.ttl < 0 || value.ttl > 86_400)
    problems.push(`\`ttl\` must be a whole number of seconds from 0 to 86400 (got ${shown(value.ttl)})`);
  for (const side of FAILOVER_SIDES) checkSide(side, value[side], problems);
  const [primary, secondary] = FAILOVER_SIDES.map((side) =>
    isObject(value[side]) ? value[side].region : undefined,
  );
  if (primary !== undefined && primary === secondary)
    problems.push(`\`primary.region\` and \`secondary.region\` must differ (both ${shown(primary)})`);
  checkArc(value.arc, problems);
  return problems;
}

/**
 * Reads a published manifest, refusing anything it cannot use in full. `source` says where the text came
 * from (a parameter and region, a file) and starts every message.
 */
export function parseFailoverManifest(text: string, source: string): FailoverManifestDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FailoverManifestError([`${source}: not JSON (${(err as Error).message})`]);
  }
  const problems: string[] = [];
  if (!isObject(value)) {
    problems.push(`the manifest must be a JSON object (got ${shown(value)})`);
  } else {
    if (value.version !== FAILOVER_MANIFEST_VERSION)
      problems.push(
        `\`version\` must be ${FAILOVER_MANIFEST_VERSION} (got ${shown(value.version)}): publish it again with this drkit, or use the drkit that wrote it`,
      );
    const platform = value.platform;
    if (!isObject(platform) || typeof platform.project !== "string" || typeof platform.stack !== "string")
      problems.push(`\`platform\` must be { project, stack } (got ${shown(platform)})`);
    problems.push(...validateFailoverRecordSet(value));
  }
  if (problems.length > 0) throw new FailoverManifestError(problems.map((p) => `${source}: ${p}`));
  return value as unknown as FailoverManifestDocument;
}

/** The weights Route 53 gets: 0–255 each. */
export type FailoverWeights = Readonly<Record<FailoverSide, number>>;

/** What one switch does, derived from the manifest alone: shared by the failover stack and break-glass. */
export interface FailoverPlan {
  readonly to: FailoverSide;
  readonly from: FailoverSide;
  /** AWS region of the side being activated, and of the side being left */
  readonly activatedRegion: string;
  readonly leftRegion: string;
  readonly weights: FailoverWeights;
  /** ARC, when the platform enabled it: each side's control On exactly when its weight is positive */
  readonly arc?: {
    readonly states: Readonly<Record<FailoverSide, "On" | "Off">>;
    readonly routingControlArns: Readonly<Record<FailoverSide, string>>;
    /**
     * Endpoints to try, in order: those outside the platform's two regions first (neither can be the one
     * that failed), then the others, each in the manifest's order.
     */
    readonly endpoints: readonly { readonly endpoint: string; readonly region: string }[];
  };
}

/** Every problem with a pair of weights for a switch to `to`. */
export function checkFailoverWeights(to: FailoverSide, weights: FailoverWeights): string[] {
  const problems: string[] = [];
  for (const side of FAILOVER_SIDES) {
    const w = weights[side];
    if (!Number.isInteger(w) || w < 0 || w > 255)
      problems.push(`the ${side} weight must be a whole number from 0 to 255 (got ${shown(w)})`);
  }
  if (problems.length > 0) return problems;
  if (weights.primary === 0 && weights.secondary === 0)
    problems.push(
      "both weights are 0: Route 53 then splits traffic equally over both regions, the opposite of a failover",
    );
  else if (weights[to] === 0) problems.push(`traffic moves to ${to}, but its weight is 0`);
  return problems;
}

/** The default weights of a switch: everything to the side activated. */
export function defaultFailoverWeights(to: FailoverSide): FailoverWeights {
  return { primary: to === "primary" ? 100 : 0, secondary: to === "secondary" ? 100 : 0 };
}

/** The plan of a switch to `to` (with `weights`, default 100/0) over a validated record set. */
export function failoverPlan(
  recordSet: FailoverRecordSet,
  to: FailoverSide,
  weights: FailoverWeights = defaultFailoverWeights(to),
): FailoverPlan {
  const problems = checkFailoverWeights(to, weights);
  if (problems.length > 0) throw new FailoverManifestError(problems);
  const from: FailoverSide = to === "primary" ? "secondary" : "primary";
  const pair = new Set([recordSet.primary.region, recordSet.secondary.region]);
  const arc = recordSet.arc;
  return {
    to,
    from,
    activatedRegion: recordSet[to].region,
    leftRegion: recordSet[from].region,
    weights: { primary: weights.primary, secondary: weights.secondary },
    ...(arc
      ? {
          arc: {
            states: {
              primary: weights.primary > 0 ? "On" : "Off",
              secondary: weights.secondary > 0 ? "On" : "Off",
            },
            routingControlArns: { ...arc.routingControlArns },
            endpoints: [
              ...arc.clusterEndpoints.filter((e) => !pair.has(e.region)),
              ...arc.clusterEndpoints.filter((e) => pair.has(e.region)),
            ].map((e) => ({ endpoint: e.endpoint, region: e.region })),
          },
        }
      : {}),
  };
}

/**
 * The reason for a switch, judged as the operator typed it, before anything (an operator name, a run id) is
 * added to it: 10–500 characters of printable text on one line, since it goes into stack config, commits
 * and audit records. Undefined when it is fine, else what is wrong.
 */
export function switchReasonProblem(reason: unknown): string | undefined {
  const printable = (text: string) =>
    [...text].every((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f);
  if (typeof reason !== "string" || reason.trim().length < 10 || reason.length > 500 || !printable(reason))
    return `must say why traffic moves (an incident or drill id), on one line of 10–500 characters (got ${shown(reason ?? null)})`;
  return undefined;
}
