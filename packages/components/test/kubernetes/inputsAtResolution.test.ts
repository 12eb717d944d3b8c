// Arguments given as Outputs are checked when they resolve, with the same message as a plain value, and
// the child that consumes one is never registered. Through `drkit check`, which runs the program in its
// own process (as the Pulumi language host does): an error inside an apply callback is claimed by jest
// before the in-process harness sees it.
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../../test/support/drkit";

const program = path.join(__dirname, "fixtures/inputs-at-resolution");
const packDir = path.resolve(__dirname, "../../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("an argument that resolves to a bad value", () => {
  it.each([
    [
      "velero-role-arn",
      "VeleroSchedule",
      "cluster",
      '`serviceAccountRoleArn` must be an IAM role ARN such as "arn:aws:iam::123456789012:role/velero" (got "velero")',
    ],
    [
      "velero-bucket-name",
      "VeleroSchedule",
      "cluster",
      "`existingBucket.name` must be an S3 bucket name: 3–63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (got \"Team_Velero\")",
    ],
    [
      "redis-oidc-provider",
      "RedisCrossZone",
      "sessions",
      '`irsa.primaryOidcProviderArn` must be an IAM OIDC provider ARN such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" (got "arn:aws:iam::123456789012:role/eks")',
    ],
  ])(
    "fails the update when %s does (exit 2, the component's message)",
    async (stack, component, name, problem) => {
      const { code, err } = await drkit(
        "check",
        program,
        "--stack",
        stack,
        "--policy-pack",
        packDir,
        "--update",
      );
      expect(code).toBe(2);
      const lines = err.split("\n");
      const at = lines.findIndex((l) => l.endsWith(`${component} "${name}" has invalid arguments:`));
      expect(lines.slice(at + 1, at + 2)).toEqual([`  - ${problem}`]);
    },
  );
});
