// The plugin as the Pulumi engine runs it: its entry started by Pulumi's own `run-plugin`, then
// GetPluginInfo, GetSchema (what `pulumi package add` generates SDKs from) and Construct of components the
// way a Python, Go, .NET or YAML program declares them, over real gRPC. The engine's resource monitor is a
// stand-in that answers like Pulumi's mock runtime (test/engine.ts); no cloud, no Pulumi CLI.

import * as fs from "fs";
import * as path from "path";
import {
  OUTPUT_VALUE_SIG,
  RESOURCE_REFERENCE_SIG,
  SPECIAL_SIG_KEY,
  isSecret,
  marshalForAnalyzer,
  plainProperties,
  type PropertyMap,
  type PropertyValue,
} from "@drkit/cli/harness";
import { PLUGIN_COMPONENTS } from "../src/components";
import { FakeEngine } from "./engine";
import { SECRET_FIELDS } from "./secrets";

const PLUGIN_DIR = path.resolve(__dirname, "..");
const STACK = "urn:pulumi:dev::consumer::pulumi:pulumi:Stack::consumer-dev";
const KUBECONFIG = "apiVersion: v1\nkind: Config # the primary cluster";

/** A value the consumer's program computed or made secret, as the engine forwards it to Construct. */
const outputValue = (value: PropertyValue, secret: boolean): PropertyValue => ({
  [SPECIAL_SIG_KEY]: OUTPUT_VALUE_SIG,
  value,
  secret,
  dependencies: [],
});

let engine: FakeEngine;

beforeAll(async () => {
  engine = await FakeEngine.start(PLUGIN_DIR, {
    project: "consumer",
    stack: "dev",
    computed: {
      "aws:s3/bucket:Bucket": { arn: "arn:aws:s3:::bucket", bucket: "bucket-1234567" },
      "aws:kms/key:Key": { arn: "arn:aws:kms:eu-west-1:111122223333:key/1234" },
      "aws:iam/role:Role": { arn: "arn:aws:iam::111122223333:role/replication" },
      "aws:iam/policy:Policy": { arn: "arn:aws:iam::111122223333:policy/backup" },
      "random:index/randomPassword:RandomPassword": { result: "generated-password" },
      "neon:index/project:Project": {
        connectionUri: "postgresql://owner:password@host/app",
        databaseHost: "host",
        databaseUser: "owner",
        databasePassword: "password",
        defaultBranchId: "br-1",
      },
      "neon:index/role:Role": { password: "replication-password" },
    },
    invokes: {
      "aws:index/getCallerIdentity:getCallerIdentity": {
        accountId: "111122223333",
        arn: "arn:aws:iam::111122223333:user/ci",
        userId: "AIDAEXAMPLE",
        id: "111122223333",
      },
    },
  });
});

afterAll(async () => {
  await engine?.close();
});

/** A failed call's message, with what the plugin printed: a plugin that cannot start says why there. */
async function withPluginErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (err) {
    throw new Error(`${String(err)}\nplugin stderr:\n${engine.pluginErrors}`, { cause: err });
  }
}

describe("the plugin, run the way the Pulumi engine runs it", () => {
  it("reports its version and serves the committed schema.json", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, "package.json"), "utf8")) as {
      version: string;
    };
    expect(await withPluginErrors(engine.pluginVersion())).toBe(version);
    expect(await withPluginErrors(engine.schema())).toEqual(
      JSON.parse(fs.readFileSync(path.join(PLUGIN_DIR, "schema.json"), "utf8")),
    );
  });

  it("constructs a DrService: the component registers the token the engine asked for, and returns its outputs", async () => {
    const result = await withPluginErrors(
      engine.construct("drkit:index:DrService", "orders", { tier: "critical" }),
    );
    expect(result).toEqual({
      urn: "urn:pulumi:dev::consumer::drkit:index:DrService::orders",
      state: { service: "orders", tier: "critical" },
    });
    expect(engine.registrations.find((r) => r.urn === result.urn)).toMatchObject({
      type: "drkit:index:DrService",
      parent: STACK,
      custom: false,
    });
  });

  it("constructs an ObjectLockBucket from the regions' names: its own region pair, an explicit provider for every AWS child, a secret kubeconfig kept secret", async () => {
    const result = await withPluginErrors(
      engine.construct("drkit:index:ObjectLockBucket", "orders-data", {
        service: "orders",
        tier: "critical",
        regions: {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
          primaryKubeconfig: outputValue(KUBECONFIG, true),
        },
        retentionMode: "GOVERNANCE",
      }),
    );
    const component = "urn:pulumi:dev::consumer::drkit:index:ObjectLockBucket::orders-data";
    expect(result.urn).toBe(component);
    const pair = engine.registrations.find((r) => r.type === "drkit:index:DrRegionPair")!;
    expect([pair.name, pair.parent]).toEqual(["orders-data-regions", component]);
    const providers = engine.registrations
      .filter((r) => r.type.startsWith("pulumi:providers:") && r.parent === pair.urn)
      .sort((a, b) => (`${a.type} ${a.name}` < `${b.type} ${b.name}` ? -1 : 1));
    expect(providers.map((p) => [p.type, p.name, p.parent, plainProperties(p.inputs).region])).toEqual([
      ["pulumi:providers:aws", "orders-data-regions-primary", pair.urn, "eu-west-1"],
      ["pulumi:providers:aws", "orders-data-regions-secondary", pair.urn, "eu-central-1"],
      ["pulumi:providers:kubernetes", "orders-data-regions-primary", pair.urn, undefined],
    ]);
    const kubernetes = providers[2]!;
    expect([isSecret(kubernetes.inputs.kubeconfig), plainProperties(kubernetes.inputs).kubeconfig]).toEqual([
      true,
      KUBECONFIG,
    ]);
    // Every AWS resource names one of the pair's providers: none falls back to a default provider.
    const aws = engine.registrations.filter((r) => r.custom && r.type.startsWith("aws:"));
    const regionOf = (ref: string) =>
      plainProperties(providers.find((p) => ref.startsWith(`${p.urn}::`))?.inputs ?? {}).region;
    expect(aws).toHaveLength(23);
    const expected = (name: string) =>
      /^orders-data-replica(-|$)/.test(name) ? "eu-central-1" : "eu-west-1";
    expect(aws.filter((r) => regionOf(r.provider) !== expected(r.name)).map((r) => r.provider)).toEqual([]);
    expect(
      plainProperties(engine.registrations.find((r) => r.name === "orders-data-object-lock")!.inputs).rule,
    ).toEqual({ defaultRetention: { mode: "GOVERNANCE", days: 365 } });
    // Resources come back as references the consumer's SDK rehydrates (aws.s3.Bucket in Python…).
    const bucket = engine.registrations.find(
      (r) => r.type === "aws:s3/bucket:Bucket" && r.name === "orders-data",
    )!;
    expect(result.state.bucket).toMatchObject({ [SPECIAL_SIG_KEY]: RESOURCE_REFERENCE_SIG, urn: bucket.urn });
  });

  it("returns every output the sources mark secret as a secret", async () => {
    const constructed = {
      RedisCrossZone: await withPluginErrors(
        engine.construct("drkit:index:RedisCrossZone", "sessions", {
          service: "sessions",
          tier: "important",
          regions: {
            primaryRegion: "eu-west-1",
            secondaryRegion: "eu-central-1",
            primaryKubeconfig: outputValue(KUBECONFIG, true),
          },
        }),
      ),
      NeonGeoReplica: await withPluginErrors(
        engine.construct("drkit:index:NeonGeoReplica", "orders-db", {
          service: "orders",
          tier: "critical",
          primaryRegionId: "aws-eu-central-1",
          standbyRegionId: "aws-us-east-2",
        }),
      ),
    };
    // Every secret output of the served components (schema.test.ts checks the list against the sources).
    const secretOutputs = (component: string) =>
      SECRET_FIELDS.filter((f) => f.startsWith(`${component}.`)).map((f) => f.slice(component.length + 1));
    const secretsIn = (state: PropertyMap) =>
      Object.keys(state).filter((key) => isSecret(marshalForAnalyzer(state[key]!)));
    for (const [component, { state }] of Object.entries(constructed))
      expect([component, secretsIn(state)]).toEqual([component, secretOutputs(component)]);
    // Every served component with a secret output was constructed above.
    const served = new Set(PLUGIN_COMPONENTS.map((c) => c.name));
    const withSecrets = new Set(SECRET_FIELDS.map((f) => f.split(".")[0]!).filter((c) => served.has(c)));
    expect(Object.keys(constructed).sort()).toEqual([...withSecrets].sort());
  });

  it("fails a Construct whose arguments are wrong with the component's own message, before creating any child", async () => {
    const before = engine.registrations.length;
    await expect(
      engine.construct("drkit:index:ObjectLockBucket", "bad", {
        service: "orders",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-west-1" },
        retentionMode: "STRICT",
      }),
    ).rejects.toThrow(
      [
        'ObjectLockBucket "bad" has invalid arguments:',
        '  - `regions.secondaryRegion` must differ from `regions.primaryRegion` (both "eu-west-1"): a region loss would take both sides',
        '  - `retentionMode` must be "COMPLIANCE" or "GOVERNANCE" (got "STRICT")',
      ].join("\n"),
    );
    expect(engine.registrations.slice(before).map((r) => r.type)).toEqual(["drkit:index:ObjectLockBucket"]);
  });
});
