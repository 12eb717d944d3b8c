import { BucketReplicationConfig } from "@pulumi/aws/s3";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { listAt, rawProperties, reportUnknown, unknownPaths, valueAt } from "../../support/properties";

/**
 * Without Replication Time Control, S3 replication has no time bound at all; with it, AWS commits to
 * 99.99 % of objects within 15 minutes (dr-facts [S3-10]). RTC needs replication metrics alongside.
 */
export const replicationEnableRtc: ResourceValidationPolicy = {
  name: "drkit-aws-s3-replication-enable-rtc",
  description:
    "Every enabled S3 replication rule needs Replication Time Control (15 minutes) and metrics, or replication lag has no bound.",
  enforcementLevel: "advisory",
  validateResource: validateResourceOfType(BucketReplicationConfig, (_config, args, reportViolation) => {
    const props = rawProperties(args.props);
    listAt(props, "rules").forEach((rule, index) => {
      const at = `rules[${index}]`;
      const fields = [
        "status",
        "destination.replicationTime.status",
        "destination.replicationTime.time.minutes",
        "destination.metrics.status",
      ];
      const unknown = unknownPaths(rule, fields);
      if (unknown.length > 0) {
        return reportUnknown(
          reportViolation,
          `${args.name} ${at}`,
          unknown.map((f) => `${at}.${f}`),
        );
      }
      if (valueAt(rule, "status") !== "Enabled") return;
      const id = valueAt(rule, "id");
      const label = typeof id === "string" ? `rule "${id}"` : at;
      if (valueAt(rule, "destination.replicationTime.status") !== "Enabled") {
        reportViolation(
          `${args.name} ${label} has no Replication Time Control: replication lag is unbounded. Set \`destination.replicationTime\` to { status: "Enabled", time: { minutes: 15 } }.`,
        );
      } else if (valueAt(rule, "destination.replicationTime.time.minutes") !== 15) {
        reportViolation(`${args.name} ${label}: Replication Time Control accepts only 15 minutes.`);
      }
      if (valueAt(rule, "destination.metrics.status") !== "Enabled") {
        reportViolation(
          `${args.name} ${label} has no replication metrics: RTC requires them, and without them lag cannot be alarmed. Set \`destination.metrics\` to { status: "Enabled", eventThreshold: { minutes: 15 } }.`,
        );
      }
    });
  }),
};
