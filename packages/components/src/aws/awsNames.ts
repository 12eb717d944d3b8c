// Checks of AWS names and ARNs that several components take, written once so their messages agree.
import { ArgsProblems, shown } from "../common/validation";

/** An SNS topic's ARN, in any AWS partition; group 1 is its region. */
const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}$/;

/**
 * Why `value` cannot be the alarm topic for alarms in `region` (CloudWatch notifies only a topic in the
 * alarm's own region), or undefined when it can. `omitted` says what leaving it out does, when it may be.
 */
export function alarmTopicProblem(
  field: string,
  region: string,
  value: unknown,
  omitted?: string,
): string | undefined {
  const match = typeof value === "string" ? SNS_TOPIC_ARN.exec(value) : null;
  if (match?.[1] === region) return undefined;
  const omit = omitted === undefined ? "" : `; omit it ${omitted}`;
  return `\`${field}\` must be the ARN of an SNS topic in ${region}, where the alarms are, such as arn:aws:sns:${region}:111122223333:dr-alarms (got ${shown(value)})${omit}`;
}

/** `alarmTopicArn` of a component whose alarms are in `region`; leaving it out gives alarms without actions. */
export function checkAlarmTopicArn(region: string, value: unknown, problems: ArgsProblems): void {
  const problem = alarmTopicProblem("alarmTopicArn", region, value, "for alarms without actions");
  if (problem !== undefined) problems.add(problem);
}

/** What S3 allows in a bucket name: lowercase letters, digits, '-' and '.', a letter or digit at each end. */
const BUCKET_NAME = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

/**
 * Checks that a component `name` can name its buckets. Pulumi names a bucket `<name>-<7 random
 * characters>`, lowercased, within S3's 63 characters; `longestBucket` (e.g. "<name>-replica-<7 random
 * characters>") and `maxLength` say what the longest child leaves for the name.
 */
export function checkBucketNamePrefix(
  name: string,
  maxLength: number,
  longestBucket: string,
  problems: ArgsProblems,
): void {
  problems.check(
    name.length <= maxLength && BUCKET_NAME.test(name.toLowerCase()) && !name.includes(".."),
    `the name ${shown(name)} cannot name S3 buckets: use letters, digits, '-' and '.', starting and ending with a letter or digit, at most ${maxLength} characters (the ${longestBucket}, lowercased, at most 63)`,
  );
}
