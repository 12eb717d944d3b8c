import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import {
  runProgram,
  UNKNOWN,
  duplicateUrnMessage,
  plainProperties,
  isSecret,
  toResourceGraph,
} from "@drkit/cli/harness";

const BUCKET = "aws:s3/bucket:Bucket";
const LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration";

class Outer extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Outer", name, {}, opts);
    const inner = new Inner(`${name}-inner`, { parent: this });
    this.bucket = inner.bucket;
    this.registerOutputs({ bucketName: this.bucket.bucket, label: "outer" });
  }
}
class Inner extends pulumi.ComponentResource {
  readonly bucket: s3.Bucket;
  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("test:index:Inner", name, {}, opts);
    this.bucket = new s3.Bucket(`${name}-bucket`, { bucket: `${name}-bucket` }, { parent: this });
    this.registerOutputs({});
  }
}

const base = { project: "app", stack: "dev", config: { "aws:region": "eu-central-1" } };

describe("runProgram", () => {
  it("gives nested components the engine's URNs, not the mock monitor's", async () => {
    const run = await runProgram(() => {
      new Outer("outer");
    }, base);
    expect(run.resources.map((r) => r.urn)).toEqual([
      "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev",
      "urn:pulumi:dev::app::test:index:Outer::outer",
      "urn:pulumi:dev::app::test:index:Outer$test:index:Inner::outer-inner",
      "urn:pulumi:dev::app::pulumi:providers:aws::default_7_48_0",
      "urn:pulumi:dev::app::test:index:Outer$test:index:Inner$aws:s3/bucket:Bucket::outer-inner-bucket",
    ]);
    const bucket = run.ofType(BUCKET)[0]!;
    expect(bucket.parent).toBe("urn:pulumi:dev::app::test:index:Outer$test:index:Inner::outer-inner");
    expect(run.childrenOf("urn:pulumi:dev::app::test:index:Outer::outer").map((r) => r.name)).toEqual([
      "outer-inner",
    ]);
  });

  it("records component outputs from registerOutputs and returns the stack outputs", async () => {
    const run = await runProgram(() => {
      const outer = new Outer("outer");
      return { name: outer.bucket.bucket, fixed: 42 };
    }, base);
    expect(run.byUrn("urn:pulumi:dev::app::test:index:Outer::outer")!.outputs).toEqual({
      bucketName: "outer-inner-bucket",
      label: "outer",
    });
    expect(run.stackOutputs).toEqual({ name: "outer-inner-bucket", fixed: 42 });
    expect(run.byUrn(run.stackUrn)!.outputs).toEqual({ name: "outer-inner-bucket", fixed: 42 });
  });

  it("synthesises the engine's default provider from the stack's provider config", async () => {
    const run = await runProgram(() => {
      new s3.Bucket("b");
    }, base);
    const provider = run.byUrn("urn:pulumi:dev::app::pulumi:providers:aws::default_7_48_0")!;
    expect(provider.inputs).toEqual({ region: "eu-central-1", version: "7.48.0" });
    expect(provider.origin).toBe("default-provider");
    expect(run.providerOf(run.ofType(BUCKET)[0]!)).toBe(provider);
  });

  it("refuses a default provider the stack disabled, with the engine's message", async () => {
    const config = { ...base.config, "pulumi:disable-default-providers": '["*"]' };
    await expect(runProgram(() => new s3.Bucket("b"), { ...base, config })).rejects.toThrow(
      "Default provider for 'aws' disabled. 'aws:s3/bucket:Bucket' must use an explicit provider.",
    );
    const west = await runProgram(
      () => new s3.Bucket("b", {}, { provider: new AwsProvider("west", { region: "us-west-2" }) }),
      { ...base, config },
    );
    expect(west.resources.map((r) => r.name)).toEqual(["app-dev", "west", "b"]);
  });

  it("records an explicit provider instead of a default one", async () => {
    const run = await runProgram(() => {
      const west = new AwsProvider("west", { region: "us-west-2" });
      new s3.Bucket("b", {}, { provider: west });
    }, base);
    expect(run.resources.filter((r) => r.type === "pulumi:providers:aws").map((r) => r.name)).toEqual([
      "west",
    ]);
    const provider = run.providerOf(run.ofType(BUCKET)[0]!)!;
    expect(provider.urn).toBe("urn:pulumi:dev::app::pulumi:providers:aws::west");
    expect(provider.inputs.region).toBe("us-west-2");
  });

  it("records options: parent, dependsOn, protect, retainOnDelete, aliases, ignoreChanges, timeouts", async () => {
    const run = await runProgram(() => {
      const first = new s3.Bucket("first");
      new s3.Bucket(
        "second",
        {},
        {
          dependsOn: [first],
          protect: true,
          retainOnDelete: true,
          aliases: [{ name: "old-second" }],
          ignoreChanges: ["tags"],
          customTimeouts: { create: "1h30m", delete: "5m" },
          deleteBeforeReplace: true,
          additionalSecretOutputs: ["arn"],
        },
      );
    }, base);
    const second = run.resources.find((r) => r.name === "second")!;
    expect(second).toMatchObject({
      parent: run.stackUrn,
      dependencies: ["urn:pulumi:dev::app::aws:s3/bucket:Bucket::first"],
      protect: true,
      retainOnDelete: true,
      ignoreChanges: ["tags"],
      customTimeouts: { create: 5400, update: 0, delete: 300 },
      deleteBeforeReplace: true,
      additionalSecretOutputs: ["arn"],
    });
    // The SDK adds the type aliases of the former BucketV2 itself; ours resolves like the engine's.
    expect(second.aliases).toContain("urn:pulumi:dev::app::aws:s3/bucket:Bucket::old-second");
    expect(second.aliases).toContain("urn:pulumi:dev::app::aws:s3/bucketV2:BucketV2::second");
  });

  it("records property dependencies between resources", async () => {
    const run = await runProgram(() => {
      const bucket = new s3.Bucket("data", { objectLockEnabled: true });
      new s3.BucketObjectLockConfiguration("lock", {
        bucket: bucket.id,
        rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
      });
    }, base);
    const lock = run.ofType(LOCK)[0]!;
    expect(lock.propertyDependencies.bucket).toEqual(["urn:pulumi:dev::app::aws:s3/bucket:Bucket::data"]);
    expect(lock.dependencies).toEqual(["urn:pulumi:dev::app::aws:s3/bucket:Bucket::data"]);
    expect(plainProperties(lock.inputs)).toEqual({
      bucket: "data-id",
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 30 } },
    });
  });

  it("in preview, reports ids and provider-computed outputs as unknown", async () => {
    const run = await runProgram(
      () => {
        const bucket = new s3.Bucket("data", { objectLockEnabled: true });
        new s3.BucketObjectLockConfiguration("lock", {
          bucket: bucket.id,
          rule: { defaultRetention: { mode: "COMPLIANCE", days: bucket.arn.apply(() => 30) } },
        });
      },
      { ...base, preview: true, computedOutputs: { [BUCKET]: ["arn"] } },
    );
    const bucket = run.ofType(BUCKET)[0]!;
    expect(bucket.id).toBeUndefined();
    expect(bucket.outputs.arn).toBe(UNKNOWN);
    expect(bucket.outputs.objectLockEnabled).toBe(true);
    const lock = run.ofType(LOCK)[0]!;
    expect(lock.inputs.bucket).toBe(UNKNOWN);
    expect(plainProperties(lock.inputs)).toEqual({
      bucket: UNKNOWN,
      rule: { defaultRetention: { mode: "COMPLIANCE", days: UNKNOWN } },
    });
    expect(run.byUrn("urn:pulumi:dev::app::pulumi:providers:aws::default_7_48_0")!.id).toBeUndefined();
  });

  it("in an update, fills provider-computed outputs with a recognisable placeholder", async () => {
    const run = await runProgram(() => new s3.Bucket("data").arn.apply((arn) => ({ arn })), {
      ...base,
      computedOutputs: { [BUCKET]: ["arn"] },
    });
    expect(run.ofType(BUCKET)[0]!.outputs.arn).toBe("arn-of-data");
    expect(run.ofType(BUCKET)[0]!.id).toBe("data-id");
  });

  it("captures resources created inside apply callbacks (update only, as in the engine)", async () => {
    const program = () => {
      const bucket = new s3.Bucket("data");
      bucket.id.apply(
        (id) =>
          new s3.BucketVersioning("versioning", {
            bucket: id,
            versioningConfiguration: { status: "Enabled" },
          }),
      );
    };
    const update = await runProgram(program, base);
    expect(update.resources.map((r) => r.name)).toContain("versioning");
    const preview = await runProgram(program, { ...base, preview: true });
    expect(preview.resources.map((r) => r.name)).not.toContain("versioning");
  });

  it("captures resources read with .get(), which the engine includes in the stack", async () => {
    const run = await runProgram(() => {
      s3.Bucket.get("existing", "existing-bucket-id");
    }, base);
    const read = run.resources.find((r) => r.name === "existing")!;
    expect(read).toMatchObject({
      urn: "urn:pulumi:dev::app::aws:s3/bucket:Bucket::existing",
      origin: "read",
      id: "existing-bucket-id",
      custom: true,
    });
  });

  it("fails a duplicate URN with the engine's message", async () => {
    await expect(
      runProgram(() => {
        new s3.Bucket("twin");
        new s3.Bucket("twin");
      }, base),
    ).rejects.toThrow(duplicateUrnMessage("urn:pulumi:dev::app::aws:s3/bucket:Bucket::twin"));
  });

  it("rejects with the program's own message and leaves the runtime usable", async () => {
    await expect(
      runProgram(() => {
        new s3.Bucket("before-error");
        throw new Error("`retentionDays` must be 1–36500 (got 0)");
      }, base),
    ).rejects.toThrow("`retentionDays` must be 1–36500 (got 0)");
    const next = await runProgram(() => {
      new s3.Bucket("after");
    }, base);
    expect(next.resources.map((r) => r.name)).toEqual(["app-dev", "default_7_48_0", "after"]);
  });

  it("passes stack config to the program, secrets included", async () => {
    const run = await runProgram(
      () => {
        const config = new pulumi.Config("app");
        return { tier: config.require("tier"), token: config.requireSecret("token") };
      },
      {
        ...base,
        config: { ...base.config, "app:tier": "critical", "app:token": "s3cr3t" },
        secretConfigKeys: ["app:token"],
      },
    );
    const stack = run.byUrn(run.stackUrn)!;
    expect(stack.outputs.tier).toBe("critical");
    expect(isSecret(stack.outputs.token)).toBe(true);
    expect(plainProperties(stack.outputs)).toEqual({ tier: "critical", token: "s3cr3t" });
  });

  it("records secret inputs wrapped, as the engine receives them", async () => {
    const run = await runProgram(() => {
      new s3.Bucket("data", { tags: { token: pulumi.secret("s3cr3t") } });
    }, base);
    const bucket = run.ofType(BUCKET)[0]!;
    expect(isSecret((bucket.inputs.tags as Record<string, never>).token)).toBe(true);
    expect(plainProperties(bucket.inputs).tags).toEqual({ token: "s3cr3t" });
  });
});

describe("toResourceGraph", () => {
  it("maps a run onto the posture graph: outputs, parents, property dependencies, provider region", async () => {
    const run = await runProgram(() => {
      const west = new AwsProvider("west", { region: "us-west-2" });
      const bucket = new s3.Bucket(
        "data",
        { objectLockEnabled: true, tags: { token: pulumi.secret("t") } },
        { provider: west },
      );
      new s3.BucketVersioning(
        "data-versioning",
        { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
        { provider: west },
      );
    }, base);
    const graph = toResourceGraph(run);
    const versioning = graph.resources.find((r) => r.name === "data-versioning")!;
    expect(versioning).toEqual({
      urn: "urn:pulumi:dev::app::aws:s3/bucketVersioning:BucketVersioning::data-versioning",
      type: "aws:s3/bucketVersioning:BucketVersioning",
      name: "data-versioning",
      properties: { bucket: "data-id", versioningConfiguration: { status: "Enabled" } },
      parent: "urn:pulumi:dev::app::pulumi:pulumi:Stack::app-dev",
      dependencies: ["urn:pulumi:dev::app::aws:s3/bucket:Bucket::data"],
      // The SDK sends a (possibly empty) list for every input key; so does the engine.
      propertyDependencies: {
        bucket: ["urn:pulumi:dev::app::aws:s3/bucket:Bucket::data"],
        versioningConfiguration: [],
      },
      provider: {
        urn: "urn:pulumi:dev::app::pulumi:providers:aws::west",
        type: "pulumi:providers:aws",
        name: "west",
        properties: expect.objectContaining({ region: "us-west-2" }),
      },
    });
    expect(graph.resources.find((r) => r.name === "data")!.properties.tags).toEqual({ token: "t" });
    expect(graph.resources).toHaveLength(run.resources.length);
  });
});
