import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { ArgsProblems, InvalidArgsError, checkArgsObject, checkedInput } from "./common/validation";
import {
  REGION_ROLE_TAG,
  checkKubeconfig,
  checkRegionPairArgs,
  hasSides,
  type RegionPair,
  type RegionPairSides,
  type RegionSide,
} from "./common/regions";

/** Arguments of a `DrRegionPair`: the two regions, and what each side deploys to. */
export type DrRegionPairArgs = RegionPair;

/** Checks the arguments before anything reads them; returns every problem (field, value, fix). */
export function validateDrRegionPairArgs(args: DrRegionPairArgs): string[] {
  const problems = new ArgsProblems();
  const raw: unknown = args;
  if (!checkArgsObject(raw, "pass { primaryRegion, secondaryRegion }", problems)) return [...problems.list];
  checkRegionPairArgs("", raw, problems);
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
  readonly primaryRegion: string;
  readonly secondaryRegion: string;
  readonly primaryNeonRegionId?: string;
  readonly secondaryNeonRegionId?: string;

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
    this.primaryRegion = args.primaryRegion;
    this.secondaryRegion = args.secondaryRegion;
    this.primaryNeonRegionId = args.primaryNeonRegionId;
    this.secondaryNeonRegionId = args.secondaryNeonRegionId;
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

/**
 * The sides a component deploys to, from its (checked) `regions`: a `DrRegionPair`'s own, so components
 * share its providers; or, when the regions were given as arguments (from another Pulumi language, which
 * cannot pass provider objects), those of a `DrRegionPair` the component creates as its child
 * `<name>-regions`. Either way every child gets an explicit provider in a named region.
 */
export function regionSidesOf(name: string, regions: RegionPair, parent: pulumi.Resource): RegionPairSides {
  return hasSides(regions) ? regions : new DrRegionPair(`${name}-regions`, regions, { parent });
}
