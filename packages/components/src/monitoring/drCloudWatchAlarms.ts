import * as pulumi from "@pulumi/pulumi";
import * as cloudwatch from "@pulumi/aws/cloudwatch";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { DEFAULT_TIER_TARGETS, DISRUPTIONS } from "@drkit/posture";
import { type RegionPair, checkRegionPair } from "../common/regions";
import { ServiceIdentity, serviceTags, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  checkedInput,
  isComputed,
  isPlainObject,
  ownEntry,
  shown,
} from "../common/validation";
import { regionSidesOf } from "../drRegionPair";
import { alarmTopicProblem } from "../aws/awsNames";

/** S3 replication of one rule, as its CloudWatch metrics name it (dimensions SourceBucket, DestinationBucket, RuleId). */
export interface S3ReplicationAlarm {
  /** The source bucket's name. */
  readonly sourceBucket: pulumi.Input<string>;
  /** The destination bucket's name. */
  readonly destinationBucket: pulumi.Input<string>;
  /** The replication rule's ID (its `id` in the replication configuration). */
  readonly ruleId: string;
}

/** A Route 53 health check to alarm on. */
export interface Route53HealthCheckAlarm {
  /** The health check's ID. */
  readonly healthCheckId: pulumi.Input<string>;
  /** What it watches, for the alarm's name and description: a DNS label such as `orders-primary`. */
  readonly name: string;
}

export interface DrCloudWatchAlarmsArgs extends ServiceIdentity {
  /** The regions: S3 replication alarms go to the primary region, where the source buckets are. */
  readonly regions: RegionPair;
  /**
   * The RPO target the replication-latency threshold is derived from, seconds (1–31536000).
   * @default - the tier's default target; required for a tier drkit has no defaults for
   */
  readonly rpoTargetSeconds?: number;
  /** How long before the target is breached the on-call must be paged, seconds (0–86400). @default 60 */
  readonly leadTimeSeconds?: number;
  /** Replication rules to alarm on: latency against the target, and failed operations. @default [] */
  readonly s3Replications?: S3ReplicationAlarm[];
  /** The SNS topic the S3 alarms notify, in the primary region; required with `s3Replications`. */
  readonly alarmTopicArn?: pulumi.Input<string>;
  /** Health checks to alarm on, in us-east-1 where Route 53 publishes their metrics. @default [] */
  readonly route53HealthChecks?: Route53HealthCheckAlarm[];
  /** The SNS topic the Route 53 alarms notify, in us-east-1; required with `route53HealthChecks`. */
  readonly route53AlarmTopicArn?: pulumi.Input<string>;
}

/** S3 publishes replication metrics per minute; one period, one datapoint: the alarm's detection delay. */
const PERIOD_SECONDS = 60;
const FIELDS = [
  "service",
  "tier",
  "regions",
  "rpoTargetSeconds",
  "leadTimeSeconds",
  "s3Replications",
  "alarmTopicArn",
  "route53HealthChecks",
  "route53AlarmTopicArn",
];
const RULE_ID = /^.{1,255}$/s;
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The latency threshold, seconds, and how it was derived. */
export function replicationLatencyThreshold(rpoTargetSeconds: number, leadTimeSeconds: number) {
  const threshold = rpoTargetSeconds - leadTimeSeconds - PERIOD_SECONDS;
  return {
    thresholdSeconds: threshold,
    lines: [
      `RPO target ${rpoTargetSeconds} s; the on-call needs ${leadTimeSeconds} s of lead time; CloudWatch judges one ${PERIOD_SECONDS} s period of the Maximum latency.`,
      `Threshold = ${rpoTargetSeconds} − ${leadTimeSeconds} − ${PERIOD_SECONDS} = ${threshold} s.`,
    ],
  };
}

/** Every problem with the arguments, each naming the field and the fix. Takes anything. */
export function validateDrCloudWatchAlarmsArgs(args: unknown): string[] {
  const problems = new ArgsProblems();
  if (
    !checkArgsObject(
      args,
      "pass { service, tier, regions, s3Replications or route53HealthChecks, and their topics }",
      problems,
    )
  )
    return [...problems.list];
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);
  checkKnownFields("", args, FIELDS, problems);
  const regions = checkRegionPair(args.regions, problems);
  const list = (field: "s3Replications" | "route53HealthChecks", fields: string[]) => {
    const value = args[field];
    if (value === undefined || !checkPlain(field, value, problems)) return [];
    if (!Array.isArray(value)) {
      problems.add(`\`${field}\` must be a list (got ${shown(value)})`);
      return [];
    }
    return value.flatMap((item: unknown, i) => {
      if (!isPlainObject(item)) {
        problems.add(`\`${field}[${i}]\` must be an object (got ${shown(item)})`);
        return [];
      }
      checkKnownFields(`${field}[${i}]`, item, fields, problems);
      return [item];
    });
  };
  const s3 = list("s3Replications", ["sourceBucket", "destinationBucket", "ruleId"]);
  const checks = list("route53HealthChecks", ["healthCheckId", "name"]);
  if (problems.list.length === 0 && s3.length + checks.length === 0)
    problems.add("nothing to alarm on: give `s3Replications`, `route53HealthChecks` or both");
  s3.forEach((r, i) => {
    for (const field of ["sourceBucket", "destinationBucket"])
      problems.check(
        isComputed(r[field]) || (typeof r[field] === "string" && (r[field] as string).length >= 3),
        `\`s3Replications[${i}].${field}\` must be a bucket name (got ${shown(r[field])})`,
      );
    problems.check(
      typeof r.ruleId === "string" && RULE_ID.test(r.ruleId),
      `\`s3Replications[${i}].ruleId\` must be the replication rule's ID, 1–255 characters (got ${shown(r.ruleId)}): the metrics exist only per SourceBucket, DestinationBucket and RuleId`,
    );
  });
  checks.forEach((c, i) => {
    problems.check(
      isComputed(c.healthCheckId) || (typeof c.healthCheckId === "string" && c.healthCheckId !== ""),
      `\`route53HealthChecks[${i}].healthCheckId\` must be a health check's ID (got ${shown(c.healthCheckId)})`,
    );
    problems.check(
      typeof c.name === "string" && c.name.length <= 63 && NAME.test(c.name),
      `\`route53HealthChecks[${i}].name\` must be a DNS label naming what the check watches, e.g. "orders-primary" (got ${shown(c.name)})`,
    );
  });
  for (const [field, needed, region] of [
    ["alarmTopicArn", s3.length > 0, regions?.primary.region],
    ["route53AlarmTopicArn", checks.length > 0, "us-east-1"],
  ] as const) {
    const value = args[field];
    if (value === undefined) {
      if (needed)
        problems.add(
          `\`${field}\` is required with ${field === "alarmTopicArn" ? "`s3Replications`" : "`route53HealthChecks`"}: an alarm that notifies no one bounds nothing`,
        );
    } else if (!isComputed(value) && region !== undefined) {
      const problem = alarmTopicProblem(field, region, value);
      if (problem !== undefined) problems.add(problem);
    }
  }
  const lead = args.leadTimeSeconds;
  if (checkPlain("leadTimeSeconds", lead, problems))
    checkWholeNumber(
      "leadTimeSeconds",
      lead,
      { min: 0, max: 86_400, unit: "seconds", omitted: "60" },
      problems,
    );
  const target = args.rpoTargetSeconds;
  if (checkPlain("rpoTargetSeconds", target, problems)) {
    if (target === undefined) {
      if (s3.length > 0 && ownEntry(DEFAULT_TIER_TARGETS, args.tier) === undefined)
        problems.add(
          `\`rpoTargetSeconds\` is required for tier ${shown(args.tier)}: drkit has default targets only for ${Object.keys(DEFAULT_TIER_TARGETS).join(", ")}`,
        );
    } else
      checkWholeNumber("rpoTargetSeconds", target, { min: 1, max: 31_536_000, unit: "seconds" }, problems);
  }
  if (problems.list.length === 0 && s3.length > 0) {
    const r = (target as number | undefined) ?? tierRpo(args.tier as string);
    const t = replicationLatencyThreshold(r, (lead as number | undefined) ?? 60).thresholdSeconds;
    problems.check(
      t >= 1,
      `an S3 latency alarm that fires ${(lead as number | undefined) ?? 60} s before the RPO target of ${r} s, after one ${PERIOD_SECONDS} s period, needs a threshold of ${t} s: lower \`leadTimeSeconds\` or give the service a looser target`,
    );
  }
  return [...problems.list];
}

function tierRpo(tier: string): number {
  const targets = ownEntry(DEFAULT_TIER_TARGETS, tier) ?? {};
  return Math.min(...DISRUPTIONS.map((d) => targets[d]?.rpoSeconds ?? Infinity));
}

/**
 * CloudWatch alarms on the DR controls AWS measures itself: S3 replication latency (threshold derived from
 * the service's RPO target) and failed replication operations, with the dimensions the metrics really have
 * (SourceBucket, DestinationBucket, RuleId), in the source bucket's region; and Route 53 health checks, in
 * us-east-1, where Route 53 publishes their metrics, through a provider of its own.
 */
export class DrCloudWatchAlarms extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:DrCloudWatchAlarms";

  constructor(name: string, args: DrCloudWatchAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateDrCloudWatchAlarmsArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("DrCloudWatchAlarms", name, problems);
    super(DrCloudWatchAlarms.__pulumiType, name, {}, opts);
    const sides = regionSidesOf(name, args.regions, this);
    const tags = serviceTags(args);
    const lead = args.leadTimeSeconds ?? 60;
    const rpo = args.rpoTargetSeconds ?? tierRpo(args.tier);
    const topic = (field: "alarmTopicArn" | "route53AlarmTopicArn", region: string) => {
      const value = args[field];
      return value === undefined
        ? []
        : [
            checkedInput("DrCloudWatchAlarms", name, value, (v, p) => {
              const problem = alarmTopicProblem(field, region, v);
              if (problem !== undefined) p.add(problem);
            }),
          ];
    };

    const latency = replicationLatencyThreshold(rpo, lead);
    const s3Actions = topic("alarmTopicArn", sides.primary.region);
    (args.s3Replications ?? []).forEach((r, i) => {
      const dimensions = {
        SourceBucket: r.sourceBucket,
        DestinationBucket: r.destinationBucket,
        RuleId: r.ruleId,
      };
      const alarm = (suffix: string, spec: Partial<cloudwatch.MetricAlarmArgs>) =>
        new cloudwatch.MetricAlarm(
          `${name}-s3-${i}-${suffix}`,
          {
            namespace: "AWS/S3",
            dimensions,
            period: PERIOD_SECONDS,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "GreaterThanThreshold",
            // S3 publishes replication metrics only while objects replicate: silence is an idle bucket.
            treatMissingData: "notBreaching",
            alarmActions: s3Actions,
            okActions: s3Actions,
            tags,
            ...spec,
          } as cloudwatch.MetricAlarmArgs,
          { parent: this, provider: sides.primary.awsProvider },
        );
      alarm("latency", {
        metricName: "ReplicationLatency",
        statistic: "Maximum",
        threshold: latency.thresholdSeconds,
        alarmDescription: `drkit ${args.service}: replication rule ${r.ruleId} lags more than ${latency.thresholdSeconds} s. ${latency.lines.join(" ")}`,
      });
      alarm("failed", {
        metricName: "OperationsFailedReplication",
        statistic: "Sum",
        threshold: 0,
        alarmDescription: `drkit ${args.service}: objects of replication rule ${r.ruleId} failed to replicate.`,
      });
    });

    const checks = args.route53HealthChecks ?? [];
    if (checks.length > 0) {
      // Route 53 publishes health-check metrics in us-east-1 only: alarms anywhere else see no data.
      const usEast1 = new AwsProvider(`${name}-us-east-1`, { region: "us-east-1" }, { parent: this });
      const actions = topic("route53AlarmTopicArn", "us-east-1");
      for (const check of checks)
        new cloudwatch.MetricAlarm(
          `${name}-${check.name}-health`,
          {
            namespace: "AWS/Route53",
            metricName: "HealthCheckStatus",
            dimensions: { HealthCheckId: check.healthCheckId },
            statistic: "Minimum",
            period: PERIOD_SECONDS,
            evaluationPeriods: 1,
            datapointsToAlarm: 1,
            comparisonOperator: "LessThanThreshold",
            threshold: 1,
            // A health check always reports: no data means it is gone or unreadable, never healthy.
            treatMissingData: "breaching",
            alarmDescription: `drkit ${args.service}: the Route 53 health check of ${check.name} reports unhealthy.`,
            alarmActions: actions,
            okActions: actions,
            tags,
          },
          { parent: this, provider: usEast1 },
        );
    }
    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      replicationLatencyThresholdSeconds: latency.thresholdSeconds,
    });
  }
}
