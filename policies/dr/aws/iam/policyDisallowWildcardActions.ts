import { Policy, RolePolicy } from "@pulumi/aws/iam";
import {
  ResourceValidationArgs,
  ResourceValidationPolicy,
  ReportViolation,
  validateResourceOfType,
} from "@pulumi/policy";
import { isUnknown, rawProperties, reportUnknown, valueAt } from "../../support/properties";

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

/** A role that can replicate data into the recovery region is a high-value target; it gets exact actions only. */
export const policyDisallowWildcardActions: ResourceValidationPolicy = {
  name: "drkit-aws-iam-policy-disallow-wildcard-actions",
  description: "IAM policies (replication roles above all) must list exact actions, not wildcards.",
  enforcementLevel: "advisory",
  validateResource: [
    validateResourceOfType(RolePolicy, (_p, args, reportViolation) => check(args, reportViolation)),
    validateResourceOfType(Policy, (_p, args, reportViolation) => check(args, reportViolation)),
  ],
};
