import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkedInput,
  isComputed,
  isPlainObject,
  shown,
} from "./common/validation";
import type { RegionPairSides, RegionSide } from "./common/regions";
import { checkAwsRegion, isAwsRegion } from "./aws/regions";

export interface DrRegionPairArgs {
  /** AWS region that serves traffic in normal operation, e.g. `eu-west-1`. */
  readonly primaryRegion: string;
  /** AWS region to recover into; must differ from `primaryRegion`. */
  readonly secondaryRegion: string;
  /**
   * Kubeconfig of the primary region's cluster (its contents or its path); kept secret. Never empty: an
   * empty kubeconfig would make the provider use your current kubectl context.
   * @default - no Kubernetes provider for the primary side
   */
  readonly primaryKubeconfig?: pulumi.Input<string>;
  /**
   * Kubeconfig of the secondary region's cluster (its contents or its path); kept secret.
   * @default - no Kubernetes provider for the secondary side
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
  readonly defaultTags?: Readonly<Record<string, string>>;
}

const FIELDS = [
  "primaryRegion",
  "secondaryRegion",
  "primaryKubeconfig",
  "secondaryKubeconfig",
  "primaryNeonRegionId",
  "secondaryNeonRegionId",
  "defaultTags",
];
/** The tag drkit sets on each side's provider. */
const REGION_ROLE_TAG = "drkit:region-role";
/** AWS allows 50 tags per resource; drkit adds `drkit:region-role`, `drkit:service` and `drkit:tier`. */
const MAX_DEFAULT_TAGS = 47;

/** A kubeconfig, plain now or when it resolves. Never echoes one: it holds credentials. */
function checkKubeconfig(field: string, value: unknown, problems: ArgsProblems): void {
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

function checkDefaultTags(value: unknown, problems: ArgsProblems): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) {
    problems.add(`\`defaultTags\` must be a map of tag names to string values (got ${shown(value)})`);
    return;
  }
  const names = Object.keys(value);
  problems.check(
    names.length <= MAX_DEFAULT_TAGS,
    `\`defaultTags\` must have at most ${MAX_DEFAULT_TAGS} tags (got ${names.length}): AWS allows 50 per resource, and drkit adds up to 3 of its own`,
  );
  for (const name of names) {
    if (name === REGION_ROLE_TAG) {
      problems.add(`\`defaultTags\` must not set ${shown(REGION_ROLE_TAG)}: drkit sets it on each side`);
      continue;
    }
    problems.check(
      name.length >= 1 && name.length <= 128 && !name.toLowerCase().startsWith("aws:"),
      `\`defaultTags\` name ${shown(name)} is not allowed: tag names must be 1–128 characters and not start with "aws:"`,
    );
    const tag = value[name];
    problems.check(
      typeof tag === "string" && tag.length <= 256,
      `\`defaultTags[${JSON.stringify(name)}]\` must be a string of at most 256 characters (got ${shown(tag)})${typeof tag === "number" || typeof tag === "boolean" ? ": quote it in YAML" : ""}`,
    );
  }
}

/** Checks the arguments before anything reads them; returns every problem (field, value, fix). */
export function validateDrRegionPairArgs(args: DrRegionPairArgs): string[] {
  const problems = new ArgsProblems();
  const raw: unknown = args;
  if (!checkArgsObject(raw, "pass { primaryRegion, secondaryRegion }", problems)) return [...problems.list];
  checkAwsRegion("primaryRegion", raw.primaryRegion, problems);
  checkAwsRegion("secondaryRegion", raw.secondaryRegion, problems);
  problems.check(
    raw.primaryRegion === undefined || raw.primaryRegion !== raw.secondaryRegion,
    `\`secondaryRegion\` must differ from \`primaryRegion\` (both ${shown(raw.primaryRegion)}): a region loss would take both sides`,
  );
  for (const field of ["primaryKubeconfig", "secondaryKubeconfig"] as const) {
    if (raw[field] !== undefined && !isComputed(raw[field])) checkKubeconfig(field, raw[field], problems);
  }
  checkNeonRegionId("primaryNeonRegionId", raw.primaryNeonRegionId, problems);
  checkNeonRegionId("secondaryNeonRegionId", raw.secondaryNeonRegionId, problems);
  problems.check(
    raw.primaryNeonRegionId === undefined ||
      raw.secondaryNeonRegionId === undefined ||
      raw.primaryNeonRegionId !== raw.secondaryNeonRegionId,
    `\`secondaryNeonRegionId\` must differ from \`primaryNeonRegionId\` (both ${shown(raw.primaryNeonRegionId)})`,
  );
  checkDefaultTags(raw.defaultTags, problems);
  checkKnownFields("", raw, FIELDS, problems);
  return [...problems.list];
}

/**
 * The two regions of a DR setup and the explicit providers that deploy into them. Other drkit components
 * take it as `regions`, so every child states which region it lands in; nothing relies on `aws:region`.
 */
export class DrRegionPair extends pulumi.ComponentResource implements RegionPairSides {
  static readonly __pulumiType = "drkit:index:DrRegionPair";
  readonly primary: RegionSide;
  readonly secondary: RegionSide;

  constructor(name: string, args: DrRegionPairArgs, opts?: pulumi.ComponentResourceOptions) {
    super(DrRegionPair.__pulumiType, name, {}, opts);
    const problems = validateDrRegionPairArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("DrRegionPair", name, problems);
    const side = (
      role: "primary" | "secondary",
      region: string,
      kubeconfig?: pulumi.Input<string>,
      neonRegionId?: string,
    ): RegionSide => ({
      region,
      awsProvider: new AwsProvider(
        `${name}-${role}`,
        { region, defaultTags: { tags: { ...args.defaultTags, [REGION_ROLE_TAG]: role } } },
        { parent: this },
      ),
      kubernetesProvider:
        kubeconfig === undefined
          ? undefined
          : new KubernetesProvider(
              `${name}-${role}`,
              {
                kubeconfig: pulumi.secret(
                  checkedInput("DrRegionPair", name, kubeconfig, (value, p) =>
                    checkKubeconfig(`${role}Kubeconfig`, value, p),
                  ),
                ),
              },
              { parent: this },
            ),
      neonRegionId,
    });
    this.primary = side("primary", args.primaryRegion, args.primaryKubeconfig, args.primaryNeonRegionId);
    this.secondary = side(
      "secondary",
      args.secondaryRegion,
      args.secondaryKubeconfig,
      args.secondaryNeonRegionId,
    );
    this.registerOutputs({
      primaryRegion: args.primaryRegion,
      secondaryRegion: args.secondaryRegion,
      primaryNeonRegionId: args.primaryNeonRegionId ?? null,
      secondaryNeonRegionId: args.secondaryNeonRegionId ?? null,
    });
  }
}
