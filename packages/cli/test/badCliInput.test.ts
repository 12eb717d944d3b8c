// Every bad argument and project file, one row each, with the exact message `drkit check` prints: exit 2,
// nothing on stdout, before the program runs, and never blamed on the program.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { closePolicyPacks, USAGE, UsageError } from "@drkit/cli";
import { checkReportWritable } from "../src/checkArgs";
import { drkit } from "../../../test/support/drkit";

const fixture = path.join(__dirname, "fixtures/velero-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const bin = path.resolve(__dirname, "../bin/drkit.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-bad-cli-input-"));

afterAll(async () => {
  fs.chmodSync(tmp, 0o755);
  fs.rmSync(tmp, { recursive: true, force: true });
  await closePolicyPacks();
});

/** A copy of the velero fixture in the temporary folder, with `files` written over it. */
function project(name: string, files: Record<string, string> = {}): string {
  const dir = path.join(tmp, name);
  fs.cpSync(fixture, dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), content);
  return dir;
}
const COMPLIANT = "config:\n  aws:region: eu-west-1\n  lockVeleroBucket: false\n  retentionDays: 30\n";

const aFile = path.join(tmp, "a-file");
fs.writeFileSync(aFile, "not a folder\n");
const reportWithFolder = path.join(tmp, "report-with-folder");
fs.mkdirSync(path.join(reportWithFolder, "check.json"), { recursive: true });
const projectIsFolder = project("project-is-folder");
fs.rmSync(path.join(projectIsFolder, "Pulumi.yaml"));
fs.mkdirSync(path.join(projectIsFolder, "Pulumi.yaml"));

const p = {
  badYaml: project("bad-yaml", { "Pulumi.yaml": "name: velero-fixture\nruntime: [nodejs\n" }),
  duplicateName: project("duplicate-name", {
    "Pulumi.yaml": "name: velero-fixture\nruntime: nodejs\nname: other\n",
  }),
  numberName: project("number-name", { "Pulumi.yaml": "name: 42\nruntime: nodejs\n" }),
  listProject: project("list-project", { "Pulumi.yaml": "- name: velero-fixture\n  runtime: nodejs\n" }),
  listRuntime: project("list-runtime", { "Pulumi.yaml": "name: velero-fixture\nruntime: [nodejs]\n" }),
  stackSyntax: project("stack-syntax", { "Pulumi.compliant.yaml": 'config:\n  aws:region: "eu-west-1\n' }),
  configList: project("config-list", { "Pulumi.compliant.yaml": "config:\n  - aws:region: eu-west-1\n" }),
  configString: project("config-string", { "Pulumi.compliant.yaml": "config: eu-west-1\n" }),
  duplicateConfig: project("duplicate-config", {
    "Pulumi.compliant.yaml": "config:\n  aws:region: eu-west-1\n  aws:region: us-east-1\n",
  }),
  sameKeyTwice: project("same-key-twice", {
    "Pulumi.compliant.yaml": `${COMPLIANT}  velero-fixture:retentionDays: 7\n`,
  }),
  stackList: project("stack-list", { "Pulumi.compliant.yaml": "- config\n" }),
  unresolvedAlias: project("unresolved-alias", {
    "Pulumi.compliant.yaml": "config:\n  aws:region: *region\n",
  }),
};
const projectFile = (dir: string) => path.join(dir, "Pulumi.yaml");
const stackFile = (dir: string) => path.join(dir, "Pulumi.compliant.yaml");

/** `drkit check` with the fixture's compliant stack and the drkit pack, then `args`. */
const check = (...args: string[]) => [
  "check",
  fixture,
  "--stack",
  "compliant",
  "--policy-pack",
  packDir,
  ...args,
];
/** `drkit check DIR --stack compliant` with the drkit pack. */
const checkProject = (dir: string) => ["check", dir, "--stack", "compliant", "--policy-pack", packDir];

/** [description, arguments, exact stderr] */
type Row = [description: string, args: string[], stderr: string];

const flagRows: Row[] = [
  [
    "a repeated --stack: the last would win silently",
    ["check", fixture, "--stack", "breached", "--stack", "compliant"],
    `drkit check: --stack is given twice ("breached", then "compliant"): give it once\n\n${USAGE}`,
  ],
  [
    "a repeated --policy-config",
    check("--policy-config", "a.json", "--policy-config=b.json"),
    `drkit check: --policy-config is given twice ("a.json", then "b.json"): give it once\n\n${USAGE}`,
  ],
  [
    "an empty --stack",
    ["check", fixture, "--stack", ""],
    `drkit check: --stack is empty: give a stack name, or leave out --stack\n\n${USAGE}`,
  ],
  [
    "an empty --policy-config",
    check("--policy-config", ""),
    `drkit check: --policy-config is empty: give a JSON file, or leave out --policy-config\n\n${USAGE}`,
  ],
  [
    "an empty --policy-pack",
    ["check", fixture, "--stack", "compliant", "--policy-pack="],
    `drkit check: --policy-pack is empty: give a policy pack's folder, or leave out --policy-pack\n\n${USAGE}`,
  ],
  [
    "an empty --report: no evidence would be written, silently",
    check("--report", ""),
    `drkit check: --report is empty: give a folder for the evidence, or leave out --report\n\n${USAGE}`,
  ],
  [
    "an empty PROGRAM_DIR: the current folder's program would run",
    ["check", "", "--stack", "compliant"],
    `drkit check: PROGRAM_DIR is empty: give the folder of a Pulumi project, or leave it out to use the current folder\n\n${USAGE}`,
  ],
  ["two PROGRAM_DIRs", ["check", fixture, fixture], `drkit check: give one PROGRAM_DIR\n\n${USAGE}`],
  [
    "--preview with --update",
    check("--preview", "--update"),
    `drkit check: --preview and --update exclude each other\n\n${USAGE}`,
  ],
  [
    "a misspelt option, with the likely one",
    check("--polcy-config", "policy.json"),
    `drkit check: unknown option --polcy-config: did you mean --policy-config?\n\n${USAGE}`,
  ],
  [
    "a --timeout that is not a number",
    check("--timeout", "soon"),
    `drkit check: --timeout takes a whole number of seconds from 1 to 86400 (got "soon")\n\n${USAGE}`,
  ],
];

const stackRows: Row[] = [
  [
    "a stack with no config file, with the likely one",
    ["check", fixture, "--stack", "compliamt", "--policy-pack", packDir],
    `drkit check: no Pulumi.compliamt.yaml in ${fixture}: did you mean --stack compliant? (stacks: breached, compliant)`,
  ],
  [
    "a stack with no config file, nothing close",
    ["check", fixture, "--stack", "production", "--policy-pack", packDir],
    `drkit check: no Pulumi.production.yaml in ${fixture} (stacks: breached, compliant): choose one of them`,
  ],
  [
    "a stack name that is a path",
    ["check", fixture, "--stack", "../orders-program/Pulumi.critical", "--policy-pack", packDir],
    'drkit check: --stack "../orders-program/Pulumi.critical" is not a stack name: a stack name has letters, digits, "-", "_" and "." only',
  ],
  [
    "a fully qualified stack name",
    ["check", fixture, "--stack", "acme/velero-fixture/compliant", "--policy-pack", packDir],
    'drkit check: --stack "acme/velero-fixture/compliant" is a fully qualified name; drkit check reads Pulumi.<stack>.yaml: give --stack compliant',
  ],
];

const reportRows: Row[] = [
  [
    "--report at an existing file",
    check("--report", aFile),
    `drkit check: --report takes a folder, and ${aFile} is a file: choose a folder (drkit creates it if needed)`,
  ],
  [
    "--report under a file",
    check("--report", path.join(aFile, "evidence")),
    `drkit check: --report ${path.join(aFile, "evidence")} cannot be created: ${aFile} is a file`,
  ],
  [
    "--report at a folder where an evidence file would go is a folder",
    check("--report", reportWithFolder),
    `drkit check: --report ${reportWithFolder}: ${path.join(reportWithFolder, "check.json")} is a folder, not a file: remove it, or choose another folder`,
  ],
];
const projectRows: Row[] = [
  [
    "Pulumi.yaml that is not YAML",
    checkProject(p.badYaml),
    `drkit check: ${projectFile(p.badYaml)}:3:1: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`,
  ],
  [
    "Pulumi.yaml with a key twice",
    checkProject(p.duplicateName),
    `drkit check: ${projectFile(p.duplicateName)}:3:1: \`name\` is given twice (first at line 1): only the last would count; keep one`,
  ],
  [
    "Pulumi.yaml with a number for a name",
    checkProject(p.numberName),
    `drkit check: ${projectFile(p.numberName)}:1:7: \`name\` must be a non-empty string (got 42): write the project's name`,
  ],
  [
    "Pulumi.yaml that is a list",
    checkProject(p.listProject),
    `drkit check: ${projectFile(p.listProject)}:1:1: must be a mapping with \`name\` and \`runtime\` (got [{"name":"velero-fixture","runtime":"nodejs"}]): write \`name:\` and \`runtime:\` at the top level`,
  ],
  [
    "Pulumi.yaml with a list for a runtime",
    checkProject(p.listRuntime),
    `drkit check: ${projectFile(p.listRuntime)}:2:10: \`runtime\` must be a runtime name, or a mapping with \`name\` (got ["nodejs"]): write runtime: nodejs`,
  ],
  [
    "Pulumi.yaml that is a folder",
    checkProject(projectIsFolder),
    `drkit check: cannot read ${projectFile(projectIsFolder)}: it is a folder`,
  ],
  [
    "a stack file that is not YAML",
    checkProject(p.stackSyntax),
    `drkit check: ${stackFile(p.stackSyntax)}:3:1: not valid YAML: Missing closing "quote`,
  ],
  [
    "a stack file whose config is a list",
    checkProject(p.configList),
    `drkit check: ${stackFile(p.configList)}:2:3: \`config\` must be a mapping of key to value (got [{"aws:region":"eu-west-1"}]): write each setting as key: value under config:`,
  ],
  [
    "a stack file whose config is a string",
    checkProject(p.configString),
    `drkit check: ${stackFile(p.configString)}:1:9: \`config\` must be a mapping of key to value (got "eu-west-1"): write each setting as key: value under config:`,
  ],
  [
    "a stack file with a config key twice",
    checkProject(p.duplicateConfig),
    `drkit check: ${stackFile(p.duplicateConfig)}:3:3: \`config.aws:region\` is given twice (first at line 2): only the last would count; keep one`,
  ],
  [
    "a stack file with a key both bare and namespaced",
    checkProject(p.sameKeyTwice),
    `drkit check: ${stackFile(p.sameKeyTwice)}:5:3: \`config.velero-fixture:retentionDays\` is given twice (first at line 4, as \`retentionDays\`): a key without a namespace takes the project's; keep one`,
  ],
  [
    "a stack file that is a list",
    checkProject(p.stackList),
    `drkit check: ${stackFile(p.stackList)}:1:1: must be a mapping with a \`config\` section (got ["config"]): write \`config:\` at the top level`,
  ],
  [
    "a stack file with an alias to no anchor",
    checkProject(p.unresolvedAlias),
    `drkit check: ${stackFile(p.unresolvedAlias)}:2:15: not valid YAML: Unresolved alias (the anchor must be set before the alias): region`,
  ],
];

describe("drkit check: every bad argument or project file is exit 2 with a message that says what to do", () => {
  it.each([...flagRows, ...stackRows, ...reportRows, ...projectRows])(
    "%s",
    async (_description, args, stderr) => {
      expect(await drkit(...args)).toEqual({ code: 2, out: "", err: stderr });
    },
  );
});

describe("drkit check's bad input, as the real binary", () => {
  const spawned: Row[] = [flagRows[0] as Row, reportRows[0] as Row, projectRows[0] as Row];
  const mkfifo = spawnSync("mkfifo", [path.join(tmp, "probe-fifo")]);
  if (mkfifo.status === 0) {
    // Writing the evidence into a named pipe waited for a reader forever: the check hung after the program.
    const reportWithPipe = path.join(tmp, "report-with-pipe");
    fs.mkdirSync(reportWithPipe);
    spawnSync("mkfifo", [path.join(reportWithPipe, "metadata.json")]);
    spawned.push([
      "--report at a folder where an evidence file would go is a named pipe (it hung)",
      check("--report", reportWithPipe),
      `drkit check: --report ${reportWithPipe}: ${path.join(reportWithPipe, "metadata.json")} is a named pipe, not a file (writing to it would wait forever): remove it, or choose another folder`,
    ]);
  }

  it.each(spawned)("%s: exit 2, the message alone, no stack trace", (_description, args, stderr) => {
    const child = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 30_000 });
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect({ status: child.status, stdout: child.stdout, stderr: child.stderr }).toEqual({
      status: 2,
      stdout: "",
      stderr: `${stderr}\n`,
    });
  });
});

describe("--report where the operating system refuses writes", () => {
  // root may write anywhere, and CI runs as root: the operating system's answer is given to the check
  // (it refuses writes in `read-only`), so these rows run for every user.
  const readOnly = path.join(tmp, "read-only");
  beforeAll(() => fs.mkdirSync(readOnly, { recursive: true }));
  const mayWrite = (file: string) => path.resolve(file) !== readOnly;

  it.each([
    ["at a folder drkit cannot write into", readOnly, `--report ${readOnly}: the folder is not writable`],
    [
      "in a folder drkit cannot write into",
      path.join(readOnly, "evidence"),
      `--report ${path.join(readOnly, "evidence")} cannot be created: ${readOnly} is not writable`,
    ],
  ])("fails when --report is %s", (_case, report, message) => {
    expect(() => checkReportWritable(report, mayWrite)).toThrow(new UsageError(message));
    expect(() => checkReportWritable(report)).not.toThrow();
  });
});
