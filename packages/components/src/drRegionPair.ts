import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { ArgsProblems, InvalidArgsError, shown } from "./common/validation";
import type { RegionPairSides, RegionSide } from "./common/regions";
import { isAwsRegion } from "./aws/regions";

export interface DrRegionPairArgs {
  /** AWS region that serves traffic in normal operation, e.g. `eu-west-1`. */
  readonly primaryRegion: string;
  /** AWS region to recover into; must differ from `primaryRegion`. */
  readonly secondaryRegion: string;
  /**
   * Kubeconfig of the primary region's cluster; kept secret.
   * @default - no Kubernetes provider for the primary side
   */
  readonly primaryKubeconfig?: pulumi.Input<string>;
  /**
   * Kubeconfig of the secondary region's cluster; kept secret.
   * @default - no Kubernetes provider for the secondary side
   */
  readonly secondaryKubeconfig?: pulumi.Input<string>;
  /**
   * Neon region id paired with the primary side, e.g. `aws-eu-central-1`.
   * @default - none
   */
  readonly primaryNeonRegionId?: string;
  /**
   * Neon region id paired with the secondary side.
   * @default - none
   */
  readonly secondaryNeonRegionId?: string;
  /**
   * Tags every AWS resource created through the pair's providers gets.
   * @default {}
   */
  readonly defaultTags?: Readonly<Record<string, string>>;
}

/** Checks plain arguments; returns every problem (field, value, fix). */
export function validateDrRegionPairArgs(args: DrRegionPairArgs): string[] {
  const problems = new ArgsProblems();
  for (const field of ["primaryRegion", "secondaryRegion"] as const) {
    problems.check(
      isAwsRegion(args[field]),
      `\`${field}\` must be an AWS region code such as eu-west-1 (got ${shown(args[field])})`,
    );
  }
  problems.check(
    args.primaryRegion !== args.secondaryRegion,
    `\`secondaryRegion\` must differ from \`primaryRegion\` (both ${shown(args.primaryRegion)}): a region loss would take both sides`,
  );
  problems.check(
    args.primaryNeonRegionId === undefined ||
      args.secondaryNeonRegionId === undefined ||
      args.primaryNeonRegionId !== args.secondaryNeonRegionId,
    `\`secondaryNeonRegionId\` must differ from \`primaryNeonRegionId\` (both ${shown(args.primaryNeonRegionId)})`,
  );
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
        { region, defaultTags: { tags: { ...args.defaultTags, "drkit:region-role": role } } },
        { parent: this },
      ),
      kubernetesProvider:
        kubeconfig === undefined
          ? undefined
          : new KubernetesProvider(
              `${name}-${role}`,
              { kubeconfig: pulumi.secret(kubeconfig) },
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
