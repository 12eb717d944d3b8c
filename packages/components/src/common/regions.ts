import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";

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
