// Every Pulumi project and policy pack drkit ships must be one the Pulumi CLI accepts.
import * as fs from "fs";
import * as path from "path";
import Ajv2020 from "ajv/dist/2020";
import { parse as parseYaml } from "yaml";
import { sharedFile } from "./support/sharedSchemas";

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

const schema = JSON.parse(fs.readFileSync(sharedFile("schemas/pulumi-project.schema.json"), "utf8"));
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

it("rejects a project without a runtime (the validator is live)", () => {
  expect(validate({ name: "x" })).toBe(false);
});
