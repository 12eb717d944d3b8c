import { Policy, RolePolicy } from "@pulumi/aws/iam";
import { ResourceValidationArgs, ReportViolation, validateResourceOfType } from "@pulumi/policy";
import { isUnknown, rawProperties, reportUnknown, valueAt } from "../../support/properties";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../../support/metadata";

const NAME = "drkit-aws-iam-policy-disallow-wildcard-actions";

interface Statement {
  Effect?: string;
  Action?: string | string[];
}

function check(args: ResourceValidationArgs, reportViolation: ReportViolation): void {
  const document = valueAt(rawProperties(args.props), "policy");
  if (isUnknown(document)) {
    return reportUnknown(reportViolation, `IAM policy ${args.name}`, ["policy"]);
  }
  if (typeof document !== "string") return args.notApplicable("the policy document is not a JSON string");
  let parsed: { Statement?: Statement | Statement[] };
  try {
    parsed = JSON.parse(document) as typeof parsed;
  } catch {
    return reportViolation(`IAM policy ${args.name} is not valid JSON.`);
  }
  const statements = Array.isArray(parsed.Statement)
    ? parsed.Statement
    : parsed.Statement
      ? [parsed.Statement]
      : [];
  const wildcards = statements
    .filter((s) => s.Effect === "Allow")
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : s.Action ? [s.Action] : []))
    .filter((action) => action.includes("*"));
  if (wildcards.length > 0) {
    reportViolation(
      `IAM policy ${args.name} allows wildcard actions ${wildcards.map((a) => JSON.stringify(a)).join(", ")}: list the exact actions (replication needs s3:GetReplicationConfiguration, s3:ListBucket, s3:GetObjectVersionForReplication, s3:GetObjectVersionAcl, s3:GetObjectVersionTagging, s3:GetObjectRetention, s3:GetObjectLegalHold, s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags).`,
    );
  }
}

/**
 * A role that can replicate data into the recovery region is a high-value target; it gets exact actions only.
 * No remediation: which actions a role needs is the owner's knowledge; guessing would break replication
 * or keep a permission the owner meant to drop.
 */
export const policyDisallowWildcardActions: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "IAM policies: exact actions, no wildcards",
  description: "IAM policies (replication roles above all) must list exact actions, not wildcards.",
  enforcementLevel: "advisory",
  severity: "high",
  url: policyDocsUrl(NAME),
  remediationSteps:
    'In the `policy` document of the aws.iam.Policy or aws.iam.RolePolicy, replace every `Action` with a `*` by the exact actions the role needs, e.g. for S3 replication `["s3:GetReplicationConfiguration", "s3:ListBucket", "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"]`. ' +
    "drkit offers no automatic remediation for this policy.",
  framework: iso27001(
    "8.2",
    "Privileged access rights are allocated only as needed: a role that can write into the recovery region gets the exact actions its job requires.",
  ),
  tags: policyTags({
    topics: ["access"],
    disruptions: ["software", "region"],
    iso27001: ["5.15"],
    soc2: ["CC6.3"],
    nist80053: ["AC-6"],
  }),
  validateResource: [
    validateResourceOfType(RolePolicy, (_p, args, reportViolation) => check(args, reportViolation)),
    validateResourceOfType(Policy, (_p, args, reportViolation) => check(args, reportViolation)),
  ],
};
