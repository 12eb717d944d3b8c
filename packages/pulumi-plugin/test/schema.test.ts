// The plugin's schema, inferred offline by Pulumi's own analyzer (`ComponentProvider.getSchema()`, what
// `pulumi package add` generates every language's SDK from), compared with the committed schema.json and
// with the TypeScript sources it comes from.
//
// The analyzer needs the real TypeScript compiler, which the jest config stubs out for speed.
jest.mock("typescript", () => jest.requireActual("typescript/lib/typescript.js"));

import * as fs from "fs";
import * as path from "path";
import * as components from "@drkit/components";
import { PLUGIN_COMPONENTS, PLUGIN_NAME, TYPESCRIPT_ONLY } from "../src/components";
import { PackageSchema, SourceShapes, schemaProblems, secretFields, sourceShapes } from "./schemaCheck";
import { SECRET_FIELDS } from "./secrets";

const PLUGIN_DIR = path.resolve(__dirname, "..");
const SNAPSHOT = path.join(PLUGIN_DIR, "schema.json");
const REGRESSED = path.join(__dirname, "fixtures", "regressed");

async function inferredSchema(dirname: string, name: string, classes: typeof PLUGIN_COMPONENTS) {
  const { ComponentProvider } = await import("@pulumi/pulumi/provider/experimental");
  const provider = new ComponentProvider({ name, components: classes, dirname });
  return JSON.parse(await provider.getSchema()) as PackageSchema;
}

let schema: PackageSchema;
let shapes: SourceShapes;

beforeAll(async () => {
  schema = await inferredSchema(PLUGIN_DIR, PLUGIN_NAME, PLUGIN_COMPONENTS);
  shapes = sourceShapes(
    path.join(PLUGIN_DIR, "tsconfig.json"),
    PLUGIN_COMPONENTS.map((c) => c.name),
  );
});

describe("the plugin's inferred schema", () => {
  // To accept a change: UPDATE_SCHEMA=1 pnpm exec jest packages/pulumi-plugin/test/schema.test.ts, then
  // pnpm exec prettier --write packages/pulumi-plugin/schema.json, and review the diff.
  it("is the committed schema.json", () => {
    if (process.env.UPDATE_SCHEMA === "1") fs.writeFileSync(SNAPSHOT, `${JSON.stringify(schema, null, 2)}\n`);
    expect(schema).toEqual(JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")));
  });

  it("serves each component under the type token it registers, in the drkit package", () => {
    expect(PLUGIN_NAME).toBe("drkit");
    expect(Object.keys(schema.resources)).toEqual([
      "drkit:index:DrService",
      "drkit:index:ObjectLockBucket",
      "drkit:index:Route53Failover",
      "drkit:index:VeleroSchedule",
      "drkit:index:RedisCrossZone",
      "drkit:index:NeonGeoReplica",
      "drkit:index:NeonBackup",
      "drkit:index:DrDashboard",
      "drkit:index:DrCloudWatchAlarms",
    ]);
    for (const component of PLUGIN_COMPONENTS)
      expect([component.name, (component as { __pulumiType?: string }).__pulumiType]).toEqual([
        component.name,
        `drkit:index:${component.name}`,
      ]);
  });

  it("serves every component @drkit/components exports, or says why it is TypeScript-only", async () => {
    const { getPulumiComponents } = await import("@pulumi/pulumi/provider/experimental");
    const served = new Set(PLUGIN_COMPONENTS.map((c) => c.name));
    const unaccounted = getPulumiComponents(components)
      .map((c) => c.name)
      .filter((name) => !served.has(name) && !(name in TYPESCRIPT_ONLY));
    // A new component: add it to PLUGIN_COMPONENTS (src/components.ts) and rewrite schema.json, or add it
    // to TYPESCRIPT_ONLY with the reason.
    expect(unaccounted).toEqual([]);
    for (const name of Object.keys(TYPESCRIPT_ONLY)) expect(served.has(name)).toBe(false);
  });

  it("has every argument, output and nested field of the sources, required exactly where they are, and resolvable references", () => {
    expect(
      schemaProblems(
        schema,
        shapes,
        PLUGIN_COMPONENTS as unknown as { name: string; __pulumiType?: string }[],
      ),
    ).toEqual([]);
  });

  it("keeps every field that holds a secret an Input, so another language can pass it as a secret", () => {
    // Pulumi's analyzer has no way to mark a property secret (3.270 emits no `secret`), so the generated
    // SDKs do not wrap these themselves: consumers pass kubeconfigs as secrets (docs/multi-language.md),
    // and the components return secret outputs as secrets (serve.test.ts checks both over the protocol).
    expect(secretFields(shapes, schema)).toEqual(SECRET_FIELDS);
    const regionPair = schema.types["drkit:index:RegionPair"]!.properties!;
    expect([regionPair.primaryKubeconfig, regionPair.secondaryKubeconfig]).toEqual([
      expect.not.objectContaining({ plain: true }),
      expect.not.objectContaining({ plain: true }),
    ]);
    expect(JSON.stringify(schema)).not.toContain('"secret"');
  });
});

describe("the schema checks", () => {
  it("catch what the analyzer drops or cannot follow: an accessor argument, a provider object", async () => {
    const fixture = await inferredSchema(REGRESSED, "regressed", [
      (await import("./fixtures/regressed/index")).Regressed,
    ]);
    const problems = schemaProblems(
      fixture,
      sourceShapes(path.join(REGRESSED, "tsconfig.json"), ["Regressed"]),
      [{ name: "Regressed", __pulumiType: "regressed:index:Regressed" }],
    );
    expect(problems).toEqual([
      "regressed:index:Regressed input: `region` is in the TypeScript sources but not in the schema (dropped)",
      "resources.regressed:index:Regressed.inputProperties.provider refers to /aws/v7.48.0/schema.json#/resources/aws: `aws` is no resource type (a provider object?), so no SDK can be generated",
    ]);
  });
});
