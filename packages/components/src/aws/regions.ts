import { ArgsProblems, shown } from "../common/validation";

/** AWS commercial regions (2026). A region missing here is refused with the list, so a typo never deploys. */
export const AWS_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-south-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-central-1",
  "ca-west-1",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "eu-south-2",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
] as const;

export function isAwsRegion(value: unknown): boolean {
  return typeof value === "string" && (AWS_REGIONS as readonly string[]).includes(value);
}

/**
 * Checks a region code the user typed: unknown codes are refused with an example, and a code that differs
 * from a real one only by case or spaces (`"EU-WEST-1"`) names it.
 */
export function checkAwsRegion(field: string, value: unknown, problems: ArgsProblems): value is string {
  if (isAwsRegion(value)) return true;
  const near = typeof value === "string" ? value.trim().toLowerCase() : undefined;
  problems.add(
    `\`${field}\` must be an AWS region code such as eu-west-1 (got ${shown(value)})${isAwsRegion(near) ? `: did you mean ${shown(near)}?` : ""}`,
  );
  return false;
}
