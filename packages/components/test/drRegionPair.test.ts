import { runProgram, plainProperties, isSecret } from "@drkit/cli/harness";
import { DrRegionPair, validateDrRegionPairArgs, InvalidArgsError } from "@drkit/components";

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
