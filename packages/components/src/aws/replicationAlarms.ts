// The two CloudWatch alarms on an S3 replication rule that the region RPO relies on, written once for every
// component that replicates a bucket. S3 publishes the metrics in the source bucket's region, per rule.
import * as pulumi from "@pulumi/pulumi";
import type { Provider as AwsProvider } from "@pulumi/aws/provider";
import * as cloudwatch from "@pulumi/aws/cloudwatch";

export interface ReplicationAlarmsArgs {
  /** the replication rule: source and destination bucket names and the rule's ID */
  readonly dimensions: {
    readonly SourceBucket: pulumi.Input<string>;
    readonly DestinationBucket: pulumi.Input<string>;
    readonly RuleId: pulumi.Input<string>;
  };
  readonly latencyThresholdSeconds: number;
  /** the alarms' descriptions: what a breach means, in words */
  readonly latencyDescription: string;
  readonly failedDescription: string;
  /** an SNS topic in the source region; none: alarms without actions */
  readonly alarmTopicArn: pulumi.Input<string> | undefined;
  readonly tags: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** the source region's provider, where the metrics are */
  readonly provider: AwsProvider;
  readonly parent: pulumi.Resource;
}

/**
 * `<name>-replication-latency` (ReplicationLatency, Maximum, above the threshold) and
 * `<name>-replication-failed` (OperationsFailedReplication, Sum, above 0), five-minute periods; missing data
 * is not a breach (no object written, nothing to replicate).
 */
export function replicationAlarms(
  name: string,
  args: ReplicationAlarmsArgs,
): { latency: cloudwatch.MetricAlarm; failed: cloudwatch.MetricAlarm } {
  const actions = args.alarmTopicArn === undefined ? [] : [args.alarmTopicArn];
  const alarm = (suffix: string, metricName: string, statistic: string, threshold: number, what: string) =>
    new cloudwatch.MetricAlarm(
      `${name}-${suffix}`,
      {
        alarmDescription: what,
        namespace: "AWS/S3",
        metricName,
        dimensions: args.dimensions,
        statistic,
        period: 300,
        evaluationPeriods: 1,
        threshold,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
        tags: args.tags,
      },
      { parent: args.parent, provider: args.provider },
    );
  return {
    latency: alarm(
      "replication-latency",
      "ReplicationLatency",
      "Maximum",
      args.latencyThresholdSeconds,
      args.latencyDescription,
    ),
    failed: alarm("replication-failed", "OperationsFailedReplication", "Sum", 0, args.failedDescription),
  };
}
