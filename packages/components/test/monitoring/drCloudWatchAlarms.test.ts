// CloudWatch cannot run offline: these tests assert each alarm's metric, dimensions, statistic, threshold
// and the region of its provider, which is what decides whether the alarm ever sees a datapoint.
import { runProgram, plainProperties, ProgramRun, CapturedResource } from "@drkit/cli/harness";
import {
  DrCloudWatchAlarms,
  DrCloudWatchAlarmsArgs,
  DrRegionPair,
  InvalidArgsError,
  validateDrCloudWatchAlarmsArgs,
} from "@drkit/components";

const base = { project: "platform", stack: "prod" };
const regions = { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" };
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:dr-alarms";
const US_TOPIC = "arn:aws:sns:us-east-1:111122223333:dr-alarms";
const args: Omit<DrCloudWatchAlarmsArgs, "regions"> = {
  service: "orders",
  tier: "critical",
  s3Replications: [
    {
      sourceBucket: "orders-data-1a2b3c",
      destinationBucket: "orders-data-replica-4d5e6f",
      ruleId: "replicate-all",
    },
  ],
  alarmTopicArn: TOPIC,
  route53HealthChecks: [{ healthCheckId: "abcdef01-2345-6789-abcd-ef0123456789", name: "orders-primary" }],
  route53AlarmTopicArn: US_TOPIC,
};
const region = (run: ProgramRun, r: CapturedResource) =>
  plainProperties(run.providerOf(r)?.inputs ?? {}).region;

it("alarms on replication latency against the target and on failed operations, with S3's own dimensions, in the source region", async () => {
  const run = await runProgram(() => {
    new DrCloudWatchAlarms("orders-alarms", { ...args, regions: new DrRegionPair("dr", regions) });
  }, base);
  const alarms = run.ofType("aws:cloudwatch/metricAlarm:MetricAlarm");
  const s3 = alarms.filter((a) => plainProperties(a.inputs).namespace === "AWS/S3");
  expect(
    s3.map((a) => {
      const p = plainProperties(a.inputs);
      return [
        a.name,
        region(run, a),
        p.metricName,
        p.statistic,
        p.comparisonOperator,
        p.threshold,
        p.period,
        p.dimensions,
        p.alarmActions,
      ];
    }),
  ).toEqual([
    [
      "orders-alarms-s3-0-latency",
      "eu-west-1",
      "ReplicationLatency",
      "Maximum",
      "GreaterThanThreshold",
      // 300 s target − 60 s lead − one 60 s period
      180,
      60,
      {
        SourceBucket: "orders-data-1a2b3c",
        DestinationBucket: "orders-data-replica-4d5e6f",
        RuleId: "replicate-all",
      },
      [TOPIC],
    ],
    [
      "orders-alarms-s3-0-failed",
      "eu-west-1",
      "OperationsFailedReplication",
      "Sum",
      "GreaterThanThreshold",
      0,
      60,
      {
        SourceBucket: "orders-data-1a2b3c",
        DestinationBucket: "orders-data-replica-4d5e6f",
        RuleId: "replicate-all",
      },
      [TOPIC],
    ],
  ]);
  expect(plainProperties(s3[0]!.inputs).tags).toEqual({
    "drkit:service": "orders",
    "drkit:tier": "critical",
  });
});

it("alarms on each Route 53 health check in us-east-1, where its metric lives, and treats silence as unhealthy", async () => {
  const run = await runProgram(() => {
    new DrCloudWatchAlarms("orders-alarms", { ...args, regions: new DrRegionPair("dr", regions) });
  }, base);
  const [health] = run
    .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
    .filter((a) => plainProperties(a.inputs).namespace === "AWS/Route53");
  expect(region(run, health!)).toBe("us-east-1");
  expect(run.providerOf(health!)?.name).toBe("orders-alarms-us-east-1");
  expect(plainProperties(health!.inputs)).toMatchObject({
    metricName: "HealthCheckStatus",
    dimensions: { HealthCheckId: "abcdef01-2345-6789-abcd-ef0123456789" },
    statistic: "Minimum",
    comparisonOperator: "LessThanThreshold",
    threshold: 1,
    treatMissingData: "breaching",
    alarmActions: [US_TOPIC],
  });
});

it("fails before creating anything when an alarm would notify no one, or a topic is in the wrong region", async () => {
  expect(
    validateDrCloudWatchAlarmsArgs({
      ...args,
      regions,
      alarmTopicArn: undefined,
      route53AlarmTopicArn: TOPIC,
      s3Replications: [{ sourceBucket: "orders-data", destinationBucket: "orders-data-replica", rule: "x" }],
    }),
  ).toEqual([
    "`s3Replications[0].rule` is not an argument drkit knows here: did you mean `s3Replications[0].ruleId`?",
    "`s3Replications[0].ruleId` must be the replication rule's ID, 1–255 characters (got undefined): the metrics exist only per SourceBucket, DestinationBucket and RuleId",
    "`alarmTopicArn` is required with `s3Replications`: an alarm that notifies no one bounds nothing",
    '`route53AlarmTopicArn` must be the ARN of an SNS topic in us-east-1, where the alarms are, such as arn:aws:sns:us-east-1:111122223333:dr-alarms (got "arn:aws:sns:eu-west-1:111122223333:dr-alarms")',
  ]);
  expect(
    validateDrCloudWatchAlarmsArgs({ ...args, regions, rpoTargetSeconds: 100, leadTimeSeconds: 60 }),
  ).toEqual([
    "an S3 latency alarm that fires 60 s before the RPO target of 100 s, after one 60 s period, needs a threshold of -20 s: lower `leadTimeSeconds` or give the service a looser target",
  ]);
  await expect(
    runProgram(() => void new DrCloudWatchAlarms("a", { ...args, regions, tier: "gold" }), base),
  ).rejects.toThrow(InvalidArgsError);
});
