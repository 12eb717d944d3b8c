import * as pulumi from "@pulumi/pulumi";
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
    ).rejects.toThrow(
      new InvalidArgsError("DrService", "orders", [
        "`args` must be an object (got undefined): pass { tier }",
      ]),
    );
  });
});

const DNS_LABEL = "must be a DNS label: lowercase letters, digits and '-', at most 63 characters";

describe("DrService with bad input", () => {
  const rows: [string, string, unknown, string[]][] = [
    ["args are missing", "orders", undefined, ["`args` must be an object (got undefined): pass { tier }"]],
    [
      "args are null (an empty YAML value)",
      "orders",
      null,
      ["`args` must be an object (got null): pass { tier }"],
    ],
    [
      "args are the tier itself",
      "orders",
      "critical",
      ['`args` must be an object (got "critical"): pass { tier }'],
    ],
    ["the tier is missing", "orders", {}, [`\`tier\` ${DNS_LABEL} (got undefined)`]],
    ["the tier is a YAML number", "orders", { tier: 1 }, [`\`tier\` ${DNS_LABEL} (got 1)`]],
    ["the tier is capitalised", "orders", { tier: "Critical" }, [`\`tier\` ${DNS_LABEL} (got "Critical")`]],
    [
      "the tier is an Output",
      "orders",
      { tier: pulumi.output("critical") },
      [
        "`tier` must be a plain string, known when the program runs (got an Output (a value computed from another resource)): the service's children take it as theirs",
      ],
    ],
    [
      "the name has a space",
      "orders db",
      { tier: "critical" },
      [`\`service\` ${DNS_LABEL} (got "orders db")`],
    ],
    [
      "the name is longer than a DNS label",
      "o".repeat(64),
      { tier: "critical" },
      [`\`service\` ${DNS_LABEL} (got "${"o".repeat(64)}")`],
    ],
    [
      "the service is given as an argument",
      "orders",
      { service: "orders", tier: "critical" },
      [
        '`service` is not an argument of DrService: the resource name is the service name (`new DrService("orders", { tier })`)',
      ],
    ],
    [
      "an argument is misspelt",
      "orders",
      { tier: "critical", teir: "standard" },
      ["`teir` is not an argument of DrService, which takes only `tier`: remove it"],
    ],
  ];

  it.each(rows)("fails when %s", async (_case, name, args, problems) => {
    expect(validateDrServiceArgs(name, args)).toEqual(problems);
    let registered = 0;
    await expect(
      runProgram(() => new DrService(name, args as { tier: string }), {
        ...base,
        newResource: (a) => {
          if (a.type !== "pulumi:pulumi:Stack") registered++;
          return { id: `${a.name}-id`, state: a.inputs };
        },
      }),
    ).rejects.toThrow(new InvalidArgsError("DrService", name, problems));
    expect(registered).toBe(0);
  });

  // Tiers are defined by the policy config, which the program never sees: the DR gate judges an unknown
  // one (MissingPolicy), so the component accepts any DNS label, even one named like an Object method.
  it("accepts a tier it does not know", async () => {
    const run = await runProgram(() => new DrService("orders", { tier: "constructor" }), base);
    expect(
      plainProperties(run.byUrn("urn:pulumi:prod::platform::drkit:index:DrService::orders")!.outputs),
    ).toEqual({ service: "orders", tier: "constructor" });
  });
});
