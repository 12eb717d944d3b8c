import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { validatedInput } from "../common/validation";
import { oidcProviderArnProblem } from "./validation";

/** The annotation EKS's pod identity webhook reads: the role a service account's pods assume. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

/** The issuer an IAM OIDC provider ARN names (`oidc.eks.<region>.amazonaws.com/id/<id>`): its condition keys' prefix. */
export function oidcIssuerOf(oidcProviderArn: string): string {
  return oidcProviderArn.slice(oidcProviderArn.indexOf(":oidc-provider/") + ":oidc-provider/".length);
}

/**
 * An IAM role for one Kubernetes service account (EKS IRSA). Its trust policy lets only that service
 * account, in that namespace, of the cluster whose OIDC provider is `oidcProviderArn`, assume it: the web
 * identity token's `sub` must be `system:serviceaccount:<namespace>:<name>` and its `aud` `sts.amazonaws.com`.
 * An ARN computed from another resource is checked when it resolves (`field` names it in the message).
 * @see https://docs.aws.amazon.com/eks/latest/userguide/associate-service-account-role.html
 */
export function irsaRole(
  name: string,
  opts: {
    readonly component: string;
    readonly componentName: string;
    readonly field: string;
    readonly oidcProviderArn: pulumi.Input<string>;
    readonly namespace: string;
    readonly serviceAccountName: string;
    readonly parent: pulumi.Resource;
    readonly provider: AwsProvider;
    readonly tags: Record<string, string>;
  },
): iam.Role {
  const provider = validatedInput(opts.component, opts.componentName, opts.oidcProviderArn, (arn) =>
    oidcProviderArnProblem(opts.field, arn),
  );
  const trust = provider.apply((arn) => {
    const issuer = oidcIssuerOf(arn);
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer}:sub`]: `system:serviceaccount:${opts.namespace}:${opts.serviceAccountName}`,
              [`${issuer}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
  });
  return new iam.Role(
    name,
    { assumeRolePolicy: trust, tags: opts.tags },
    { parent: opts.parent, provider: opts.provider },
  );
}

/** The service account whose pods assume `role` (the annotation the EKS pod identity webhook reads). */
export function irsaServiceAccount(
  name: string,
  opts: {
    readonly serviceAccountName: string;
    readonly namespace: string;
    readonly labels: Record<string, string>;
    readonly role: iam.Role;
    readonly parent: pulumi.Resource;
    readonly provider: KubernetesProvider;
    readonly dependsOn: pulumi.Resource[];
  },
): ServiceAccount {
  return new ServiceAccount(
    name,
    {
      metadata: {
        name: opts.serviceAccountName,
        namespace: opts.namespace,
        labels: opts.labels,
        annotations: { [IRSA_ROLE_ANNOTATION]: opts.role.arn },
      },
    },
    { parent: opts.parent, provider: opts.provider, dependsOn: opts.dependsOn },
  );
}
