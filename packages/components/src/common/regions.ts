import { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { checkAwsRegion } from "../aws/regions";
import { ArgsProblems, isPlainObject, shown } from "./validation";

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

/** What multi-region components need to know about primary and secondary; `DrRegionPair` provides it. */
export interface RegionPairSides {
  readonly primary: RegionSide;
  readonly secondary: RegionSide;
}

/**
 * Checks a component's `regions` before anything reads it: an object with two sides, each with an AWS
 * region code and an AWS provider (what a `DrRegionPair` is). True when both sides can be read.
 */
export function checkRegionPair(value: unknown, problems: ArgsProblems): value is RegionPairSides {
  if (!isPlainObject(value)) {
    problems.add(
      `\`regions\` must be a DrRegionPair, or { primary, secondary } with each side's region and awsProvider (got ${shown(value)})`,
    );
    return false;
  }
  let readable = true;
  for (const role of ["primary", "secondary"] as const) {
    const side = value[role];
    if (!isPlainObject(side)) {
      problems.add(
        `\`regions.${role}\` must be { region, awsProvider }, as a DrRegionPair side is (got ${shown(side)})`,
      );
      readable = false;
      continue;
    }
    if (!checkAwsRegion(`regions.${role}.region`, side.region, problems)) readable = false;
    if (!AwsProvider.isInstance(side.awsProvider)) {
      problems.add(
        `\`regions.${role}.awsProvider\` must be an AWS provider (got ${shown(side.awsProvider)}): pass a DrRegionPair, whose sides carry one`,
      );
      readable = false;
    }
  }
  return readable;
}
