// The AWS components' inputs that arrive as Outputs are validated when they resolve, with the message a
// plain value gets, and the child that consumes a bad one is never registered. Through `drkit check`, which
// runs the program in its own process as the Pulumi language host does (see inputAtResolution.test.ts).
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const scenarios = path.join(__dirname, "fixtures/scenarios-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

const update = (stack: string) =>
  drkit("check", scenarios, "--stack", stack, "--policy-pack", packDir, "--update");

describe("AWS component inputs validated when they resolve", () => {
  it.each([
    [
      "an ObjectLockBucket's retentionDays resolves to 0",
      "object-lock-retention-at-resolution",
      'ObjectLockBucket "orders-data" has invalid arguments:',
      "  - `retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365",
    ],
    [
      "a Route53Failover's weights resolve to 0 and 0",
      "failover-weights-at-resolution",
      'Route53Failover "api" has invalid arguments:',
      "  - `routing`: both weights are 0, so Route 53 would split traffic equally; give the active region a weight, or set `allowAllZeroWeights: true` if that is really meant",
    ],
    [
      "a DrRegionPair's kubeconfig resolves to an empty string",
      "empty-kubeconfig-at-resolution",
      'DrRegionPair "dr" has invalid arguments:',
      '  - `primaryKubeconfig` must be a kubeconfig (its contents or its path) (got ""): an empty one makes the provider use your current kubectl context; omit it for no Kubernetes provider',
    ],
  ])("fails the update when %s (exit 2)", async (_case, stack, heading, problem) => {
    const { code, err } = await update(stack);
    expect(code).toBe(2);
    const [first, second] = err.split("\n");
    // The first line names the child property that awaited the value: whichever child got there first.
    expect(first).toMatch(/^drkit check: the program failed: error serializing property "[A-Za-z.]+": /);
    expect(first!.endsWith(heading)).toBe(true);
    expect(second).toBe(problem);
  });
});
