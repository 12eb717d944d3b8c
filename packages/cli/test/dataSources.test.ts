// Data sources under `drkit check`: the common AWS lookups get documented stand-in answers, any other fails
// at once naming the data source (never an echo of its inputs, never a wait until --timeout).
import * as path from "path";
import { closePolicyPacks, runCheck } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const program = path.join(__dirname, "fixtures/data-sources-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("drkit check and data sources", () => {
  it("answers getAvailabilityZones, getCallerIdentity, getRegion and getPartition offline, by region", async () => {
    const result = await runCheck({ programDir: program, stack: "known", packDir });
    const bucket = result.run.ofType("aws:s3/bucket:Bucket")[0];
    expect(bucket?.inputs.tags).toEqual({
      "drkit:service": "orders",
      "drkit:tier": "important",
      zones: "eu-west-1a,eu-west-1b,eu-west-1c",
      zoneIds: "euw1-az1,euw1-az2,euw1-az3",
      centralZones: "eu-central-1a,eu-central-1b,eu-central-1c",
      account: "123456789012",
      region: "eu-west-1",
      partition: "aws",
      dnsSuffix: "amazonaws.com",
    });
  });

  it("fails when the program calls a data source drkit cannot answer: exit 2, naming it, at once", async () => {
    const started = Date.now();
    const { code, out, err } = await drkit("check", program, "--stack", "unknown", "--policy-pack", packDir);
    expect({ code, out, err }).toEqual({
      code: 2,
      out: "",
      err: "drkit check: the program called data source aws:ec2/getAmi:getAmi, which drkit check cannot answer offline: give its answer with --mock FILE (see README), or read the value from stack config instead of looking it up",
    });
    // Far below the 300-second default timeout the program used to reach.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
});
