// Offline answers for the data sources (invokes) that public Pulumi programs call most often. Offline there
// is no provider to ask, and echoing the invoke's inputs back (the stock mock's answer) gives a program no
// `names`, no `accountId`: it then fails oddly or waits forever. Every answer here is a stand-in, plausible
// and region-aware, in the shape of the provider's own result type (`@pulumi/aws` 7.x `<Name>Result`).
// An invoke not answered here, nor by `--mock`, fails the run with `UnansweredDataSourceError`.

/** What an answer may read: the invoke's inputs and the region its provider is configured for. */
export interface DataSourceContext {
  readonly inputs: Readonly<Record<string, unknown>>;
  /** the explicit provider's `region`, else the stack's `aws:region`, else `DEFAULT_AWS_REGION` */
  readonly region: string;
}

export type DataSourceAnswer = (context: DataSourceContext) => Record<string, unknown>;

/**
 * The region a data source answers for when neither the provider nor the stack config names one. A stand-in:
 * the real provider refuses to start without a region.
 */
export const DEFAULT_AWS_REGION = "us-east-1";

/** AWS's documented example account id (used throughout the IAM documentation); never a real account. */
export const STAND_IN_ACCOUNT_ID = "123456789012";

const DIRECTIONS: Readonly<Record<string, string>> = {
  east: "e",
  west: "w",
  north: "n",
  south: "s",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/**
 * A zone id in AWS's form (`use1-az1` for us-east-1): the region's short code plus `-az<n>`. The real
 * mapping from zone name to id differs per account; this one is fixed, a to b to c.
 */
export function standInZoneId(region: string, index: number): string {
  const [area = "", direction = "", number = ""] = region.split("-");
  return `${area}${DIRECTIONS[direction] ?? direction.charAt(0)}${number}-az${index + 1}`;
}

/** The invoke's own `region` argument (AWS provider 7.x takes one on every data source), else the provider's. */
function regionOf(context: DataSourceContext): string {
  const own = context.inputs.region;
  return typeof own === "string" && own !== "" ? own : context.region;
}

/** Offline answers, keyed by invoke token (as `@pulumi/aws` calls `pulumi.runtime.invoke`). */
export const DATA_SOURCE_ANSWERS: Readonly<Record<string, DataSourceAnswer>> = {
  // Stand-in for aws.getAvailabilityZones (GetAvailabilityZonesResult): three available zones a, b, c in
  // the region, as most AWS regions have at least three; no zone groups beyond the region itself.
  "aws:index/getAvailabilityZones:getAvailabilityZones": (context) => {
    const region = regionOf(context);
    const letters = ["a", "b", "c"];
    return {
      ...context.inputs,
      id: region,
      region,
      names: letters.map((letter) => `${region}${letter}`),
      zoneIds: letters.map((_, index) => standInZoneId(region, index)),
      groupNames: [region],
    };
  },
  // Stand-in for aws.getCallerIdentity (GetCallerIdentityResult): an IAM user in AWS's documented example
  // account; the user id has the `AIDA` prefix AWS gives IAM users.
  "aws:index/getCallerIdentity:getCallerIdentity": () => ({
    id: STAND_IN_ACCOUNT_ID,
    accountId: STAND_IN_ACCOUNT_ID,
    arn: `arn:aws:iam::${STAND_IN_ACCOUNT_ID}:user/drkit-check`,
    userId: "AIDAEXAMPLEDRKITCHECK",
  }),
  // Stand-in for aws.getRegion (GetRegionResult): the provider's region, with its standard EC2 endpoint.
  "aws:index/getRegion:getRegion": (context) => {
    const region = regionOf(context);
    return {
      id: region,
      name: region,
      region,
      endpoint: `ec2.${region}.amazonaws.com`,
      description: region,
    };
  },
  // Stand-in for aws.getPartition (GetPartitionResult): the commercial partition's documented values.
  "aws:index/getPartition:getPartition": () => ({
    id: "aws",
    partition: "aws",
    dnsSuffix: "amazonaws.com",
    reverseDnsPrefix: "com.amazonaws",
  }),
};

/** One answer of a `--mock` file, given only when the invoke's inputs include every one of `inputs`. */
export interface DataSourceMatcher {
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<Record<string, unknown>>;
}

/**
 * Answers a user supplies (`drkit check --mock FILE`), by invoke token: the outputs for every call, or
 * matchers tried in order. Plain data, so it crosses to the program's process.
 */
export type DataSourceMocks = Readonly<
  Record<string, Readonly<Record<string, unknown>> | readonly DataSourceMatcher[]>
>;

function includes(actual: unknown, expected: unknown): boolean {
  if (typeof expected !== "object" || expected === null) return Object.is(actual, expected);
  if (typeof actual !== "object" || actual === null) return false;
  if (Array.isArray(expected) !== Array.isArray(actual)) return false;
  if (Array.isArray(expected)) {
    const list = actual as unknown[];
    return list.length === expected.length && expected.every((item, index) => includes(list[index], item));
  }
  return Object.entries(expected).every(([key, value]) =>
    includes((actual as Record<string, unknown>)[key], value),
  );
}

/** The supplied answer for one invoke, or undefined when the mocks have none for it. */
export function mockedAnswer(
  mocks: DataSourceMocks | undefined,
  token: string,
  inputs: Readonly<Record<string, unknown>>,
): Record<string, unknown> | undefined {
  const entry = mocks?.[token];
  if (entry === undefined) return undefined;
  if (!Array.isArray(entry)) return { ...(entry as Record<string, unknown>) };
  const match = (entry as readonly DataSourceMatcher[]).find((m) => includes(inputs, m.inputs ?? {}));
  return match ? { ...match.outputs } : undefined;
}

/** A data source neither drkit's table nor the `--mock` file answers. */
export class UnansweredDataSourceError extends Error {
  constructor(readonly token: string) {
    super(unansweredDataSourceMessage(token));
    this.name = "UnansweredDataSourceError";
  }
}

export function unansweredDataSourceMessage(token: string): string {
  return `the program called data source ${token}, which drkit check cannot answer offline: give its answer with --mock FILE (see README), or read the value from stack config instead of looking it up`;
}
