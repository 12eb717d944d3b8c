// Every Pulumi project and policy pack drkit ships must be one the Pulumi CLI accepts.
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";

const root = path.resolve(__dirname, "..");

function findProjectFiles(dir: string, found: string[] = []): string[] {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) findProjectFiles(full, found);
    else if (entry.name === "Pulumi.yaml") found.push(path.relative(root, full));
  }
  return found.sort();
}

// pulumi/pulumi's sdk/go/common/workspace/project.json, vendored (see test/vendor/schemas/README.md).
const schema = JSON.parse(
  fs.readFileSync(path.join(root, "test/vendor/schemas/pulumi-project.schema.json"), "utf8"),
);
const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);
const projects = findProjectFiles(root);

it("finds the projects drkit ships", () => {
  expect(projects).toEqual(expect.arrayContaining(["stacks/failover/Pulumi.yaml"]));
});

it.each(projects)("%s is valid against Pulumi's project schema", (file) => {
  const doc = parseYaml(fs.readFileSync(path.join(root, file), "utf8"));
  const ok = validate(doc);
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
});

// The schema accepts a name-only project (since pulumi/pulumi #22847); `pulumi preview` and `up` still need
// the runtime, so every project drkit ships names one.
it.each(projects)("%s names its runtime", (file) => {
  const doc = parseYaml(fs.readFileSync(path.join(root, file), "utf8")) as { runtime?: unknown };
  expect(doc.runtime).toEqual(expect.anything());
});

it("rejects a project whose runtime is not a name or an object (the validator is live)", () => {
  expect(validate({ name: "x", runtime: 3 })).toBe(false);
  expect(validate({ name: "", runtime: "nodejs" })).toBe(false);
});
