import type * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { checkAwsRegion, isAwsRegion } from "../aws/regions";
import { ArgsProblems, checkKnownFields, isComputed, isPlainObject, shown } from "./validation";

/**
 * The two regions of a DR setup: the arguments of a `DrRegionPair`, and what multi-region components take
 * as `regions`. In TypeScript pass a `DrRegionPair` (it is one), so every component shares its explicit
 * providers. From Python, Go, .NET or YAML pass the regions themselves: the component then creates its
 * own `DrRegionPair`, `<name>-regions`, with explicit providers in these regions.
 */
export interface RegionPair {
  /** AWS region that serves traffic in normal operation, e.g. `eu-west-1`. */
  readonly primaryRegion: string;
  /** AWS region to recover into, e.g. `eu-central-1`; must differ from `primaryRegion`. */
  readonly secondaryRegion: string;
  /**
   * Kubeconfig of the primary region's cluster (its contents or its path); kept secret. Never empty: an
   * empty kubeconfig would make the provider use your current kubectl context. Pass it as a secret: the
   * component's inputs are kept in the stack's state.
   * @default - no Kubernetes provider for the primary side
   * @secret
   */
  readonly primaryKubeconfig?: pulumi.Input<string>;
  /**
   * Kubeconfig of the secondary region's cluster (its contents or its path); kept secret. Pass it as a
   * secret.
   * @default - no Kubernetes provider for the secondary side
   * @secret
   */
  readonly secondaryKubeconfig?: pulumi.Input<string>;
  /**
   * Neon region id paired with the primary side: `aws-` and an AWS region code, e.g. `aws-eu-central-1`.
   * @default - none
   */
  readonly primaryNeonRegionId?: string;
  /**
   * Neon region id paired with the secondary side.
   * @default - none
   */
  readonly secondaryNeonRegionId?: string;
  /**
   * Tags every AWS resource created through the pair's providers gets: at most 47 (AWS allows 50 per
   * resource and drkit adds up to 3), names 1–128 characters not starting with `aws:`, values strings of
   * at most 256 characters.
   * @default {}
   */
  readonly defaultTags?: Record<string, string>;
}

/** One side of a DR region pair: where it is and the explicit providers that deploy there. */
export interface RegionSide {
  /** AWS region code, e.g. `eu-west-1`. */
  readonly region: string;
  /** AWS provider pinned to `region`: every AWS child on this side is created with it. */
  readonly awsProvider: AwsProvider;
  /** Kubernetes provider for this side's cluster, when a kubeconfig was given. */
  readonly kubernetesProvider?: KubernetesProvider;
  /** Neon region id for this side, e.g. `aws-eu-central-1`, when given. */
  readonly neonRegionId?: string;
}

/** A region pair with the providers that deploy into it: what a `DrRegionPair` is. */
export interface RegionPairSides extends RegionPair {
  readonly primary: RegionSide;
  readonly secondary: RegionSide;
}

/** The fields of a `RegionPair`, as `checkKnownFields` takes them. */
export const REGION_PAIR_FIELDS: readonly (keyof RegionPair)[] = [
  "primaryRegion",
  "secondaryRegion",
  "primaryKubeconfig",
  "secondaryKubeconfig",
  "primaryNeonRegionId",
  "secondaryNeonRegionId",
  "defaultTags",
];
/** The tag drkit sets on each side's provider. */
export const REGION_ROLE_TAG = "drkit:region-role";
/** AWS allows 50 tags per resource; drkit adds `drkit:region-role`, `drkit:service` and `drkit:tier`. */
const MAX_DEFAULT_TAGS = 47;

/** A kubeconfig, plain now or when it resolves. Never echoes one: it holds credentials. */
export function checkKubeconfig(field: string, value: unknown, problems: ArgsProblems): void {
  problems.check(
    typeof value === "string" && value.trim() !== "",
    `\`${field}\` must be a kubeconfig (its contents or its path) (got ${typeof value === "string" || value === null ? shown(value) : `a ${typeof value}`}): an empty one makes the provider use your current kubectl context; omit it for no Kubernetes provider`,
  );
}

function checkNeonRegionId(field: string, value: unknown, problems: ArgsProblems): void {
  if (value === undefined) return;
  if (typeof value === "string" && value.startsWith("aws-") && isAwsRegion(value.slice(4))) return;
  const near =
    typeof value === "string" && isAwsRegion(value.trim().toLowerCase())
      ? `aws-${value.trim().toLowerCase()}`
      : undefined;
  problems.add(
    `\`${field}\` must be a Neon region id: "aws-" and an AWS region code, such as aws-eu-central-1 (got ${shown(value)})${near ? `: did you mean ${shown(near)}?` : ""}`,
  );
}

function checkDefaultTags(field: string, value: unknown, problems: ArgsProblems): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    problems.add(`\`${field}\` must be a map of tag names to string values (got ${shown(value)})`);
    return;
  }
  const names = Object.keys(value);
  problems.check(
    names.length <= MAX_DEFAULT_TAGS,
    `\`${field}\` must have at most ${MAX_DEFAULT_TAGS} tags (got ${names.length}): AWS allows 50 per resource, and drkit adds up to 3 of its own`,
  );
  for (const name of names) {
    if (name === REGION_ROLE_TAG) {
      problems.add(`\`${field}\` must not set ${shown(REGION_ROLE_TAG)}: drkit sets it on each side`);
      continue;
    }
    problems.check(
      name.length >= 1 && name.length <= 128 && !name.toLowerCase().startsWith("aws:"),
      `\`${field}\` name ${shown(name)} is not allowed: tag names must be 1–128 characters and not start with "aws:"`,
    );
    const tag = value[name];
    problems.check(
      typeof tag === "string" && tag.length <= 256,
      `\`${field}[${JSON.stringify(name)}]\` must be a string of at most 256 characters (got ${shown(tag)})${typeof tag === "number" || typeof tag === "boolean" ? ": quote it in YAML" : ""}`,
    );
  }
}

/**
 * Checks a region pair given as arguments (`RegionPair`'s fields), each problem naming the field under
 * `at`: `""` for a `DrRegionPair`'s own arguments, `"regions."` for a component's `regions`.
 */
export function checkRegionPairArgs(at: string, raw: Record<string, unknown>, problems: ArgsProblems): void {
  const field = (name: keyof RegionPair) => `${at}${name}`;
  checkAwsRegion(field("primaryRegion"), raw.primaryRegion, problems);
  checkAwsRegion(field("secondaryRegion"), raw.secondaryRegion, problems);
  problems.check(
    raw.primaryRegion === undefined || raw.primaryRegion !== raw.secondaryRegion,
    `\`${field("secondaryRegion")}\` must differ from \`${field("primaryRegion")}\` (both ${shown(raw.primaryRegion)}): a region loss would take both sides`,
  );
  for (const name of ["primaryKubeconfig", "secondaryKubeconfig"] as const) {
    if (raw[name] !== undefined && !isComputed(raw[name])) checkKubeconfig(field(name), raw[name], problems);
  }
  checkNeonRegionId(field("primaryNeonRegionId"), raw.primaryNeonRegionId, problems);
  checkNeonRegionId(field("secondaryNeonRegionId"), raw.secondaryNeonRegionId, problems);
  problems.check(
    raw.primaryNeonRegionId === undefined ||
      raw.secondaryNeonRegionId === undefined ||
      raw.primaryNeonRegionId !== raw.secondaryNeonRegionId,
    `\`${field("secondaryNeonRegionId")}\` must differ from \`${field("primaryNeonRegionId")}\` (both ${shown(raw.primaryNeonRegionId)})`,
  );
  checkDefaultTags(field("defaultTags"), raw.defaultTags, problems);
  checkKnownFields(at.replace(/\.$/, ""), raw, REGION_PAIR_FIELDS, problems);
}

/** What a component knows of its `regions` once they are checked, however they were given. */
export interface CheckedRegions {
  /**
   * `pair`: a `DrRegionPair` (or its sides), whose providers the component uses. `regions`: the regions as
   * arguments, from which the component creates a `DrRegionPair` of its own.
   */
  readonly given: "pair" | "regions";
  readonly primary: CheckedSide;
  readonly secondary: CheckedSide;
}
export interface CheckedSide {
  readonly region: string;
  /** whether the side can deploy to a Kubernetes cluster (a provider, or a kubeconfig to make one) */
  readonly kubernetes: boolean;
}

/** True when `value` carries providers (a `DrRegionPair`, or its sides), not just the regions' names. */
export function hasSides(value: unknown): value is RegionPairSides {
  return isPlainObject(value) && (value.primary !== undefined || value.secondary !== undefined);
}

/**
 * Checks a component's `regions` before anything reads it: a `DrRegionPair` (two sides, each with an AWS
 * region code and an AWS provider), or the regions as arguments (checked as `DrRegionPair` checks its own,
 * each field named `regions.…`). Undefined when they cannot be read.
 */
export function checkRegionPair(value: unknown, problems: ArgsProblems): CheckedRegions | undefined {
  if (!isPlainObject(value)) {
    problems.add(
      `\`regions\` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion } (got ${shown(value)})`,
    );
    return undefined;
  }
  const before = problems.list.length;
  if (!hasSides(value)) {
    checkRegionPairArgs("regions.", value, problems);
    if (problems.list.length > before) return undefined;
    const side = (region: unknown, kubeconfig: unknown): CheckedSide => ({
      region: region as string,
      kubernetes: kubeconfig !== undefined,
    });
    return {
      given: "regions",
      primary: side(value.primaryRegion, value.primaryKubeconfig),
      secondary: side(value.secondaryRegion, value.secondaryKubeconfig),
    };
  }
  for (const role of ["primary", "secondary"] as const) {
    const side: unknown = value[role];
    if (!isPlainObject(side)) {
      problems.add(
        `\`regions.${role}\` must be { region, awsProvider }, as a DrRegionPair side is (got ${shown(side)})`,
      );
      continue;
    }
    checkAwsRegion(`regions.${role}.region`, side.region, problems);
    problems.check(
      AwsProvider.isInstance(side.awsProvider),
      `\`regions.${role}.awsProvider\` must be an AWS provider (got ${shown(side.awsProvider)}): pass a DrRegionPair, whose sides carry one`,
    );
    // A hand-built pair whose names disagree with its providers would deploy somewhere it does not say.
    const named = value[`${role}Region`];
    problems.check(
      named === undefined || named === side.region,
      `\`regions.${role}Region\` (${shown(named)}) differs from the region of \`regions.${role}\` (${shown(side.region)}): pass a DrRegionPair`,
    );
  }
  if (problems.list.length > before) return undefined;
  const side = (s: RegionSide): CheckedSide => ({
    region: s.region,
    kubernetes: s.kubernetesProvider !== undefined,
  });
  return { given: "pair", primary: side(value.primary), secondary: side(value.secondary) };
}

/** The AWS region of each side of (checked) `regions`, however they were given. */
export function regionNamesOf(regions: RegionPair): { readonly primary: string; readonly secondary: string } {
  return hasSides(regions)
    ? { primary: regions.primary.region, secondary: regions.secondary.region }
    : { primary: regions.primaryRegion, secondary: regions.secondaryRegion };
}

/** The fix for a side without a Kubernetes cluster, in the terms the regions were given in. */
export function kubeconfigFix(regions: CheckedRegions, role: "primary" | "secondary"): string {
  return regions.given === "pair"
    ? `give DrRegionPair a \`${role}Kubeconfig\``
    : `give \`regions.${role}Kubeconfig\``;
}
