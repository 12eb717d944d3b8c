import { Bucket } from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { runProgram, plainProperties } from "@drkit/cli/harness";
import { DrService, InvalidArgsError, validateDrServiceArgs } from "@drkit/components";

const base = { project: "platform", stack: "prod" };

describe("DrService", () => {
  it("registers drkit:index:DrService with the service and tier its children inherit", async () => {
    const run = await runProgram(() => {
      const orders = new DrService("orders", { tier: "critical" });
      new Bucket(
        "orders-data",
        {},
        { parent: orders, provider: new AwsProvider("west", { region: "eu-west-1" }) },
      );
    }, base);
    const service = run.byUrn("urn:pulumi:prod::platform::drkit:index:DrService::orders")!;
    expect(plainProperties(service.outputs)).toEqual({ service: "orders", tier: "critical" });
    expect(run.ofType("aws:s3/bucket:Bucket").map((b) => b.parent)).toEqual([service.urn]);
  });

  it("fails when the name is not a DNS label, the tier is empty or args are missing, listing every problem", async () => {
    expect(validateDrServiceArgs("Orders DB", { tier: "" })).toEqual([
      "`service` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"Orders DB\")",
      "`tier` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"\")",
    ]);
    await expect(
      runProgram(() => new DrService("orders", undefined as unknown as { tier: string }), base),
    ).rejects.toThrow(new InvalidArgsError("DrService", "orders", ["`args` is required: pass { tier }"]));
  });
});
