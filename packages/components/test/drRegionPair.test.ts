import { runProgram, plainProperties, isSecret } from "@drkit/cli/harness";
import * as pulumi from "@pulumi/pulumi";
import {
  DrRegionPair,
  DrRegionPairArgs,
  validateDrRegionPairArgs,
  InvalidArgsError,
} from "@drkit/components";

const base = { project: "platform", stack: "prod" };

describe("DrRegionPair", () => {
  it("creates one explicit AWS provider per region, tagged, as its children", async () => {
    const run = await runProgram(() => {
      const pair = new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        defaultTags: { team: "platform" },
      });
      return { primary: pair.primary.region, secondary: pair.secondary.region };
    }, base);
    const providers = run.resources.filter((r) => r.type === "pulumi:providers:aws");
    expect(
      providers.map((p) => [
        p.name,
        p.parent,
        plainProperties(p.inputs).region,
        // Provider inputs other than strings reach the engine JSON-encoded.
        JSON.parse(plainProperties(p.inputs).defaultTags as string),
      ]),
    ).toEqual([
      [
        "dr-primary",
        "urn:pulumi:prod::platform::drkit:index:DrRegionPair::dr",
        "eu-west-1",
        { tags: { team: "platform", "drkit:region-role": "primary" } },
      ],
      [
        "dr-secondary",
        "urn:pulumi:prod::platform::drkit:index:DrRegionPair::dr",
        "eu-central-1",
        { tags: { team: "platform", "drkit:region-role": "secondary" } },
      ],
    ]);
    expect(run.byUrn("urn:pulumi:prod::platform::drkit:index:DrRegionPair::dr")!.outputs).toEqual({
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryNeonRegionId: null,
      secondaryNeonRegionId: null,
    });
    expect(run.stackOutputs).toEqual({ primary: "eu-west-1", secondary: "eu-central-1" });
  });

  it("creates Kubernetes providers from kubeconfigs, keeping them secret", async () => {
    const run = await runProgram(() => {
      new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: "apiVersion: v1 # west",
        secondaryKubeconfig: "apiVersion: v1 # central",
      });
    }, base);
    const k8s = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(k8s.map((p) => p.name)).toEqual(["dr-primary", "dr-secondary"]);
    expect(k8s.map((p) => isSecret(p.inputs.kubeconfig))).toEqual([true, true]);
    expect(plainProperties(k8s[1]!.inputs).kubeconfig).toBe("apiVersion: v1 # central");
  });

  it("fails when a region is unknown or both are the same, listing every problem", async () => {
    expect(validateDrRegionPairArgs({ primaryRegion: "eu-west-9", secondaryRegion: "eu-west-9" })).toEqual([
      '`primaryRegion` must be an AWS region code such as eu-west-1 (got "eu-west-9")',
      '`secondaryRegion` must be an AWS region code such as eu-west-1 (got "eu-west-9")',
      '`secondaryRegion` must differ from `primaryRegion` (both "eu-west-9"): a region loss would take both sides',
    ]);
    await expect(
      runProgram(
        () => new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-west-1" }),
        base,
      ),
    ).rejects.toThrow(
      new InvalidArgsError("DrRegionPair", "dr", [
        '`secondaryRegion` must differ from `primaryRegion` (both "eu-west-1"): a region loss would take both sides',
      ]),
    );
  });

  it("fails when both Neon region ids are the same", () => {
    expect(
      validateDrRegionPairArgs({
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryNeonRegionId: "aws-eu-central-1",
        secondaryNeonRegionId: "aws-eu-central-1",
      }),
    ).toEqual(['`secondaryNeonRegionId` must differ from `primaryNeonRegionId` (both "aws-eu-central-1")']);
  });
});

describe("DrRegionPair bad input", () => {
  const good = { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" };
  const failsWith = async (args: unknown, problems: string[]) => {
    await expect(runProgram(() => new DrRegionPair("dr", args as DrRegionPairArgs), base)).rejects.toThrow(
      new InvalidArgsError("DrRegionPair", "dr", problems),
    );
  };

  it.each([
    [
      "args are missing",
      undefined,
      ["`args` must be an object (got undefined): pass { primaryRegion, secondaryRegion }"],
    ],
    ["args are null", null, ["`args` must be an object (got null): pass { primaryRegion, secondaryRegion }"]],
    [
      "a region is in capitals",
      { ...good, primaryRegion: "EU-WEST-1" },
      [
        '`primaryRegion` must be an AWS region code such as eu-west-1 (got "EU-WEST-1"): did you mean "eu-west-1"?',
      ],
    ],
    [
      "a region is a property of Object.prototype",
      { ...good, secondaryRegion: "constructor" },
      ['`secondaryRegion` must be an AWS region code such as eu-west-1 (got "constructor")'],
    ],
    [
      "a Neon region id is an AWS region code",
      { ...good, primaryNeonRegionId: "eu-central-1" },
      [
        '`primaryNeonRegionId` must be a Neon region id: "aws-" and an AWS region code, such as aws-eu-central-1 (got "eu-central-1"): did you mean "aws-eu-central-1"?',
      ],
    ],
    [
      "a Neon region id is a number",
      { ...good, secondaryNeonRegionId: 1 },
      [
        '`secondaryNeonRegionId` must be a Neon region id: "aws-" and an AWS region code, such as aws-eu-central-1 (got 1)',
      ],
    ],
    [
      "a kubeconfig is empty",
      { ...good, primaryKubeconfig: "" },
      [
        '`primaryKubeconfig` must be a kubeconfig (its contents or its path) (got ""): an empty one makes the provider use your current kubectl context; omit it for no Kubernetes provider',
      ],
    ],
    [
      "a kubeconfig is null from YAML",
      { ...good, secondaryKubeconfig: null },
      [
        "`secondaryKubeconfig` must be a kubeconfig (its contents or its path) (got null): an empty one makes the provider use your current kubectl context; omit it for no Kubernetes provider",
      ],
    ],
    [
      "defaultTags is a YAML list",
      { ...good, defaultTags: [{ key: "team", value: "platform" }] },
      ['`defaultTags` must be a map of tag names to string values (got [{"key":"team","value":"platform"}])'],
    ],
    [
      "a tag value is a number",
      { ...good, defaultTags: { "cost-center": 42 } },
      ['`defaultTags["cost-center"]` must be a string of at most 256 characters (got 42): quote it in YAML'],
    ],
    [
      "a tag name uses the aws: prefix",
      { ...good, defaultTags: { "aws:team": "platform" } },
      [
        '`defaultTags` name "aws:team" is not allowed: tag names must be 1–128 characters and not start with "aws:"',
      ],
    ],
    [
      "a tag sets the region role drkit sets",
      { ...good, defaultTags: { "drkit:region-role": "primary" } },
      ['`defaultTags` must not set "drkit:region-role": drkit sets it on each side'],
    ],
    [
      "an argument is misspelt",
      { ...good, primaryregion: "eu-west-1" },
      ["`primaryregion` is not an argument drkit knows: did you mean `primaryRegion`?"],
    ],
  ])("fails when %s", async (_case, args, problems) => {
    await failsWith(args, problems);
  });

  it("fails when there are too many default tags, since AWS allows 50 per resource and drkit adds up to 3", async () => {
    const defaultTags = Object.fromEntries(Array.from({ length: 48 }, (_, i) => [`tag-${i}`, "x"]));
    await failsWith({ ...good, defaultTags }, [
      "`defaultTags` must have at most 47 tags (got 48): AWS allows 50 per resource, and drkit adds up to 3 of its own",
    ]);
  });

  it("fails when every region argument is wrong, listing every problem at once", async () => {
    await failsWith({ primaryRegion: "eu-west-9", secondaryRegion: 7 }, [
      '`primaryRegion` must be an AWS region code such as eu-west-1 (got "eu-west-9")',
      "`secondaryRegion` must be an AWS region code such as eu-west-1 (got 7)",
    ]);
  });
});

describe("DrRegionPair inputs that resolve later", () => {
  it("takes kubeconfigs given as undefined (an unset config key) as omitted", async () => {
    const run = await runProgram(() => {
      new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: undefined,
        secondaryKubeconfig: undefined,
      });
    }, base);
    expect(run.resources.filter((r) => r.type === "pulumi:providers:kubernetes")).toEqual([]);
  });

  it("takes a kubeconfig that is an Output, kept secret, and checks it when it resolves", async () => {
    const run = await runProgram(() => {
      new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: pulumi.output("apiVersion: v1 # west"),
        secondaryKubeconfig: pulumi.output("apiVersion: v1 # central"),
      });
    }, base);
    const k8s = run.resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(k8s.map((p) => [isSecret(p.inputs.kubeconfig), plainProperties(p.inputs).kubeconfig])).toEqual([
      [true, "apiVersion: v1 # west"],
      [true, "apiVersion: v1 # central"],
    ]);
  });
  // An Output that resolves to "" fails the update with the same message: see
  // packages/cli/test/awsInputsAtResolution.test.ts, which runs it through drkit check.
});
