// What every drkit policy declares about itself besides its check: a display name, a severity, a link to
// its section of docs/policies.md, the steps that fix a violation, the compliance control it serves and
// tags. `@pulumi/policy` sends these in GetAnalyzerInfo; Pulumi Cloud, `drkit check` and SARIF output
// show them. The controls named here are the ones docs/policies.md justifies, policy by policy.
import type {
  PolicyComplianceFramework,
  ResourceValidationPolicy,
  Severity,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Disruption } from "@drkit/posture";

/**
 * Where drkit's sources are published. The repository has no public address yet: this is the one place
 * to change it (and package.json `repository` should say the same).
 */
export const DRKIT_REPOSITORY_URL = "https://github.com/drkit-dev/drkit";

/** docs/policies.md as published: one section per policy, its heading the policy's name. */
export const POLICY_DOCS_URL = `${DRKIT_REPOSITORY_URL}/blob/main/docs/policies.md`;

/** The link to a policy's section of docs/policies.md (GitHub's anchor for a heading is its text). */
export function policyDocsUrl(policyName: string): string {
  return `${POLICY_DOCS_URL}#${policyName}`;
}

/** The metadata fields `@pulumi/policy` makes optional and drkit requires of every policy. */
type Documented = "displayName" | "severity" | "url" | "remediationSteps" | "framework" | "tags";
export type DocumentedResourcePolicy = ResourceValidationPolicy &
  Required<Pick<ResourceValidationPolicy, Documented>>;
export type DocumentedStackPolicy = StackValidationPolicy & Required<Pick<StackValidationPolicy, Documented>>;
export type DocumentedPolicy = DocumentedResourcePolicy | DocumentedStackPolicy;
export type { Severity };

/**
 * ISO/IEC 27001:2022 Annex A, the framework every drkit policy names (one per policy, as the protocol
 * carries one). `specification` says, in drkit's words, what the control asks that the policy checks.
 */
export function iso27001(reference: IsoControl, specification: string): Required<PolicyComplianceFramework> {
  return { name: "ISO/IEC 27001", version: "2022", reference: `Annex A ${reference}`, specification };
}

/** The Annex A controls drkit's policies serve (titles as in ISO/IEC 27001:2022). */
export type IsoControl =
  | "5.15" // Access control
  | "5.17" // Authentication information
  | "5.30" // ICT readiness for business continuity
  | "8.2" // Privileged access rights
  | "8.13" // Information backup
  | "8.14"; // Redundancy of information processing facilities

/** SOC 2 Trust Services Criteria (2017, points of focus revised 2022) a policy supports. */
export type Soc2Criterion =
  | "A1.2" // environmental protections, data back-up processes and recovery infrastructure
  | "CC6.1" // logical access security over protected information assets
  | "CC6.3"; // access based on roles, with least privilege

/** NIST SP 800-53 Rev. 5 controls a policy supports. */
export type Nist80053Control =
  | "AC-6" // Least Privilege
  | "CP-2" // Contingency Plan
  | "CP-6" // Alternate Storage Site
  | "CP-7" // Alternate Processing Site
  | "CP-9" // System Backup
  | "IA-5(7)" // No Embedded Unencrypted Static Authenticators
  | "SC-36"; // Distributed Processing and Storage

/** What a policy is about, in drkit's own words, for grouping and filtering. */
export type Topic =
  "backup" | "replication" | "failover" | "detection" | "redundancy" | "access" | "secrets" | "rpo-rto";

/**
 * A policy's tags: `drkit`, its topics, the disruptions (`disruption:<type>`, as in the posture model)
 * it guards against, and cross-references to controls of other frameworks
 * (`iso-27001:2022/A.8.13`, `soc-2/A1.2`, `nist-sp-800-53r5/CP-9`).
 */
export function policyTags(tags: {
  topics: readonly Topic[];
  disruptions: readonly Disruption[];
  iso27001?: readonly IsoControl[];
  soc2?: readonly Soc2Criterion[];
  nist80053?: readonly Nist80053Control[];
  /** free-form cross-references not covered above, e.g. `nist-sp-800-34r1/3.2` */
  other?: readonly string[];
}): string[] {
  return [
    "drkit",
    ...tags.topics,
    ...tags.disruptions.map((d) => `disruption:${d}`),
    ...(tags.iso27001 ?? []).map((c) => `iso-27001:2022/A.${c}`),
    ...(tags.soc2 ?? []).map((c) => `soc-2/${c}`),
    ...(tags.nist80053 ?? []).map((c) => `nist-sp-800-53r5/${c}`),
    ...(tags.other ?? []),
  ];
}
