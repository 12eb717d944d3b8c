// A component argument that arrives as an Output is validated when it resolves, with the same message as
// a plain value, and the child that consumes it is never registered. Through `drkit check`, which runs the
// program in its own process (as the Pulumi language host does), so the failure surfaces as it would there.
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const scenarios = path.join(__dirname, "fixtures/scenarios-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("an input validated when it resolves", () => {
  it("fails the update with the component's message (exit 2)", async () => {
    const { code, err } = await drkit(
      "check",
      scenarios,
      "--stack",
      "bad-input-at-resolution",
      "--policy-pack",
      packDir,
      "--update",
    );
    expect(code).toBe(2);
    expect(err.split("\n").slice(0, 2)).toEqual([
      'drkit check: the program failed: error serializing property "rules": ObjectLockBucket "orders-data" has invalid arguments:',
      "  - `retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365",
    ]);
  });

  it("in preview, where the value is unknown, cannot judge it and does not fail", async () => {
    const { code } = await drkit(
      "check",
      scenarios,
      "--stack",
      "bad-input-at-resolution",
      "--policy-pack",
      packDir,
    );
    expect(code).toBe(0);
  });
});
