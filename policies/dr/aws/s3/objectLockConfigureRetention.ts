import { BucketObjectLockConfiguration } from "@pulumi/aws/s3";
import { validateResourceOfType } from "@pulumi/policy";
import { rawProperties, reportUnknown, unknownPaths, valueAt } from "../../support/properties";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../../support/metadata";

const NAME = "drkit-aws-s3-object-lock-configure-retention";

export interface ObjectLockRetentionConfig {
  allowedModes: string[];
  minimumRetentionDays: number;
}

/**
 * Object Lock protects backups from deletion only with a default retention of a sufficient mode and length.
 * No remediation: a retention period or a COMPLIANCE mode, once applied to an object, cannot be shortened
 * or lifted by anyone, so drkit never sets one on the owner's behalf (dr-facts [S3-1], [S3-2]).
 */
export const objectLockConfigureRetention: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "S3 Object Lock: default retention",
  description:
    "S3 Object Lock needs a default retention with an allowed mode and at least the minimum period, or new objects are not protected.",
  enforcementLevel: "advisory",
  severity: "high",
  url: policyDocsUrl(NAME),
  remediationSteps:
    'Set `rule.defaultRetention` on the aws.s3.BucketObjectLockConfiguration with an allowed `mode` (default: COMPLIANCE) and `days` of at least `minimumRetentionDays` (default 7), e.g. `rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } }`. ' +
    "Choose the period deliberately: every object written is then undeletable for that long, and in COMPLIANCE mode no one can shorten it. drkit offers no automatic remediation for this policy.",
  framework: iso27001(
    "8.13",
    "Backup copies must be protected from deletion and tampering; without a default retention, new objects in the backup bucket can be deleted.",
  ),
  tags: policyTags({
    topics: ["backup"],
    disruptions: ["software"],
    soc2: ["A1.2"],
    nist80053: ["CP-9"],
  }),
  configSchema: {
    properties: {
      allowedModes: {
        type: "array",
        items: { type: "string", enum: ["COMPLIANCE", "GOVERNANCE"] },
        minItems: 1,
        default: ["COMPLIANCE"],
        description:
          "GOVERNANCE retention can be bypassed with s3:BypassGovernanceRetention; COMPLIANCE cannot.",
      },
      minimumRetentionDays: { type: "integer", minimum: 1, default: 7 },
    },
  },
  validateResource: validateResourceOfType(BucketObjectLockConfiguration, (_lock, args, reportViolation) => {
    const { allowedModes, minimumRetentionDays } = args.getConfig<ObjectLockRetentionConfig>();
    const props = rawProperties(args.props);
    const retention = "rule.defaultRetention";
    const unknown = unknownPaths(props, [`${retention}.mode`, `${retention}.days`, `${retention}.years`]);
    if (unknown.length > 0) return reportUnknown(reportViolation, `Object Lock of ${args.name}`, unknown);
    const mode = valueAt(props, `${retention}.mode`);
    const days = valueAt(props, `${retention}.days`);
    const years = valueAt(props, `${retention}.years`);
    if (mode === undefined) {
      return reportViolation(
        `${args.name} has no default retention: objects are not locked unless every writer sets retention. Set \`rule.defaultRetention\` with a mode and days.`,
      );
    }
    if (typeof mode !== "string" || !allowedModes.includes(mode)) {
      reportViolation(
        `${args.name} uses retention mode ${JSON.stringify(mode)}; allowed: ${allowedModes.join(", ")}.`,
      );
    }
    // S3 counts a retention year as 365 days.
    const retentionDays = typeof days === "number" ? days : typeof years === "number" ? years * 365 : 0;
    if (retentionDays < minimumRetentionDays) {
      reportViolation(
        `${args.name} retains objects for ${retentionDays} days; the minimum is ${minimumRetentionDays}.`,
      );
    }
  }),
};
