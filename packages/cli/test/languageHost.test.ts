// How `drkit check` decides to run a program, as the Pulumi Node.js language host decides: from the
// project's files and drkit's environment, before anything runs. (childProgram.test.ts runs programs.)
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { readProject, UsageError } from "@drkit/cli";
import { programExport, programLaunch, splitNodeArgs } from "../src/languageHost";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "drkit-language-host-")));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let projects = 0;
/** A fresh folder holding `files` (paths relative to it), with a Pulumi.yaml unless `files` gives one. */
function projectWith(files: Record<string, string>): string {
  const dir = path.join(tmp, `project-${++projects}`);
  for (const [file, content] of Object.entries({ "Pulumi.yaml": "name: p\nruntime: nodejs\n", ...files })) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), content);
  }
  return dir;
}
const launchOf = (dir: string, env: NodeJS.ProcessEnv = {}) => programLaunch(readProject(dir), env);
const packageJson = (manifest: object) => JSON.stringify(manifest);

describe("the entry point", () => {
  it("is the project folder, for Node to pick index.ts, when neither Pulumi.yaml nor package.json names one", () => {
    const dir = projectWith({ "package.json": packageJson({ name: "p" }), "index.ts": "" });
    expect(launchOf(dir)).toEqual({
      pwd: dir,
      entry: dir,
      moduleSystem: "commonjs",
      typescript: {
        tsconfig: path.join(dir, "tsconfig.json"),
        tsconfigExists: false,
        transpileOnly: true,
        esmHooks: false,
      },
      nodeArgs: [],
      warnings: [],
    });
  });

  it("is the file Pulumi.yaml `main` names, run in that file's folder", () => {
    const dir = projectWith({
      "Pulumi.yaml": "name: p\nruntime: nodejs\nmain: infra/app.ts\n",
      "package.json": packageJson({ name: "p", main: "lib/index.js" }),
      "infra/app.ts": "",
    });
    expect(launchOf(dir)).toMatchObject({
      pwd: path.join(dir, "infra"),
      entry: path.join(dir, "infra/app.ts"),
    });
  });

  it("is what package.json names, `exports` before `main`, when Pulumi.yaml names none", () => {
    const cases: [object, string][] = [
      [{ main: "src/main.ts" }, "src/main.ts"],
      [{ exports: "./src/exported.ts", main: "src/main.ts" }, "src/exported.ts"],
      [{ exports: { ".": "./src/dot.ts" } }, "src/dot.ts"],
      [{ exports: { ".": { import: "./src/esm.ts", require: "./src/cjs.ts" } } }, "src/cjs.ts"],
    ];
    for (const [manifest, entry] of cases) {
      const dir = projectWith({ "package.json": packageJson({ name: "p", ...manifest }), [entry]: "" });
      expect(launchOf(dir).entry).toBe(path.join(dir, entry));
    }
  });

  it("stays the folder, with the host's warning, when the file package.json names does not exist", () => {
    const dir = projectWith({ "package.json": packageJson({ name: "p", main: "bin/index.js" }) });
    expect(launchOf(dir)).toMatchObject({
      entry: dir,
      warnings: [
        `${dir}/package.json names the entry point "bin/index.js" (\`main\`), which does not exist: running ${dir} instead, as the Pulumi CLI does`,
      ],
    });
  });

  it("fails when the only package.json is outside the project and names its entry point", () => {
    const outer = projectWith({
      "Pulumi.yaml": "name: outer\nruntime: nodejs\n",
      "package.json": packageJson({ name: "library", main: "lib/index.js" }),
      "lib/index.js": "",
      "infra/Pulumi.yaml": "name: infra\nruntime: nodejs\n",
      "infra/index.ts": "",
    });
    expect(() => launchOf(path.join(outer, "infra"))).toThrow(
      new UsageError(
        `Pulumi.yaml names no \`main\`, so the program's entry point is the one ${outer}/package.json names (\`main\`: "lib/index.js"), which is outside the project folder ${outer}/infra: give the project a package.json of its own, or set \`main\` in Pulumi.yaml`,
      ),
    );
  });

  it("fails when a package.json cannot be read: Node would refuse it too", () => {
    const dir = projectWith({ "package.json": '{ "name": "p", }' });
    expect(() => launchOf(dir)).toThrow(UsageError);
    expect(() => launchOf(dir)).toThrow(`${dir}/package.json:1:`);
  });
});

describe('an ES-module program ("type": "module")', () => {
  it("is imported from its folder's index file, index.js first, with ts-node's module hooks", () => {
    const dir = projectWith({
      "package.json": packageJson({ name: "p", type: "module" }),
      "index.mts": "",
      "index.ts": "",
    });
    expect(launchOf(dir)).toMatchObject({
      entry: path.join(dir, "index.ts"),
      moduleSystem: "esm",
      typescript: { esmHooks: true },
    });
    fs.writeFileSync(path.join(dir, "index.js"), "");
    expect(launchOf(dir).entry).toBe(path.join(dir, "index.js"));
  });

  it("leaves loading to the loader its `nodeargs` install (--import, --loader, --require)", () => {
    const dir = projectWith({
      "Pulumi.yaml":
        "name: p\nruntime:\n  name: nodejs\n  options:\n    nodeargs: --import ./register.mjs --max-old-space-size=4096\n",
      "package.json": packageJson({ name: "p", type: "module" }),
      "index.ts": "",
    });
    expect(launchOf(dir)).toMatchObject({
      nodeArgs: ["--import", "./register.mjs", "--max-old-space-size=4096"],
      typescript: { esmHooks: false },
    });
  });

  it("fails when its folder has no index file", () => {
    const dir = projectWith({ "package.json": packageJson({ name: "p", type: "module" }), "main.ts": "" });
    expect(() => launchOf(dir)).toThrow(
      new UsageError(
        `no entry point in ${dir}: an ES-module program (its package.json says "type": "module") is imported from index.js, index.mjs, index.ts, index.mts of its folder, or from the file Pulumi.yaml \`main\` or package.json \`main\` names`,
      ),
    );
  });
});

describe("TypeScript", () => {
  const withTsconfig = (pulumiYaml = "name: p\nruntime: nodejs\n") =>
    projectWith({
      "Pulumi.yaml": pulumiYaml,
      "package.json": packageJson({ name: "p" }),
      "index.ts": "",
      "tsconfig.json": "{}",
      "tsconfig.pulumi.json": "{}",
    });

  it("reads the program folder's tsconfig.json", () => {
    const dir = withTsconfig();
    expect(launchOf(dir).typescript).toMatchObject({
      tsconfig: path.join(dir, "tsconfig.json"),
      tsconfigExists: true,
    });
  });

  it("reads the tsconfig Pulumi.yaml names, over PULUMI_NODEJS_TSCONFIG_PATH, as the host passes it", () => {
    const dir = withTsconfig(
      "name: p\nruntime:\n  name: nodejs\n  options:\n    tsconfig: tsconfig.pulumi.json\n",
    );
    const expected = { tsconfig: path.join(dir, "tsconfig.pulumi.json"), tsconfigExists: true };
    expect(launchOf(dir).typescript).toMatchObject(expected);
    expect(launchOf(dir, { PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.json" }).typescript).toMatchObject(
      expected,
    );
    expect(
      launchOf(withTsconfig(), { PULUMI_NODEJS_TSCONFIG_PATH: "tsconfig.pulumi.json" }).typescript,
    ).toMatchObject({ tsconfig: expect.stringMatching(/tsconfig\.pulumi\.json$/) });
  });

  it("fails when the tsconfig Pulumi.yaml or PULUMI_NODEJS_TSCONFIG_PATH names does not exist", () => {
    const dir = withTsconfig(
      "name: p\nruntime:\n  name: nodejs\n  options:\n    tsconfig: tsconfig.build.json\n",
    );
    expect(() => launchOf(dir)).toThrow(
      new UsageError(
        `Pulumi.yaml \`runtime.options.tsconfig\` names the tsconfig file "tsconfig.build.json", which does not exist (looked for ${dir}/tsconfig.build.json): correct the path, or remove the setting to use ${dir}/tsconfig.json`,
      ),
    );
    const plain = withTsconfig();
    expect(() => launchOf(plain, { PULUMI_NODEJS_TSCONFIG_PATH: "missing.json" })).toThrow(
      new UsageError(
        `the environment variable PULUMI_NODEJS_TSCONFIG_PATH names the tsconfig file "missing.json", which does not exist (looked for ${plain}/missing.json): correct the path, or remove the setting to use ${plain}/tsconfig.json`,
      ),
    );
  });

  it("type-checks only when PULUMI_NODEJS_TRANSPILE_ONLY says false", () => {
    const dir = withTsconfig();
    const transpileOnly = (value?: string) =>
      launchOf(dir, value === undefined ? {} : { PULUMI_NODEJS_TRANSPILE_ONLY: value }).typescript
        ?.transpileOnly;
    expect([transpileOnly(), transpileOnly("true"), transpileOnly("false"), transpileOnly("")]).toEqual([
      true,
      true,
      false,
      true,
    ]);
  });

  it("registers none when Pulumi.yaml says `typescript: false`", () => {
    const dir = withTsconfig("name: p\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n");
    expect(launchOf(dir).typescript).toBeUndefined();
  });
});

describe("Pulumi.yaml's runtime options and `main`, as the engine and the host check them", () => {
  it.each([
    [
      "options: [typescript]",
      "4:12",
      '`runtime.options` must be a mapping of option to value (got ["typescript"]): e.g. typescript: false',
    ],
    [
      'options:\n    typescript: "no"',
      "5:17",
      '`runtime.options.typescript` must be true or false (got "no")',
    ],
    ["options:\n    tsconfig: 3", "5:15", "`runtime.options.tsconfig` must be a file path (got 3)"],
    [
      "options:\n    nodeargs: [--inspect]",
      "5:15",
      '`runtime.options.nodeargs` must be a string of arguments (got ["--inspect"])',
    ],
  ])("fails when `%s`", (options, at, message) => {
    const dir = projectWith({ "Pulumi.yaml": `name: p\nruntime:\n  name: nodejs\n  ${options}\n` });
    expect(() => readProject(dir)).toThrow(new UsageError(`${dir}/Pulumi.yaml:${at}: ${message}`));
  });

  it.each([
    ["/srv/index.ts", '`main` must be a path relative to the project folder (got "/srv/index.ts")'],
    [
      "../index.ts",
      '`main` must be in the project folder or below it (got "../index.ts"): move the program there',
    ],
    [
      "src/index.ts",
      '`main` is "src/index.ts", which does not exist: correct the path, or leave it out to run the project folder',
    ],
  ])("fails when `main` is %s", (main, message) => {
    const dir = projectWith({ "Pulumi.yaml": `name: p\nruntime: nodejs\nmain: ${main}\n` });
    expect(() => readProject(dir)).toThrow(new UsageError(`${dir}/Pulumi.yaml:3:7: ${message}`));
  });
});

describe("splitNodeArgs: `nodeargs` split as the host splits them", () => {
  it.each([
    ["", []],
    ["  --inspect   --trace-warnings ", ["--inspect", "--trace-warnings"]],
    ["--require './my preload.js'", ["--require", "./my preload.js"]],
    ['--title "drkit \\"dr\\" check"', ["--title", 'drkit "dr" check']],
    ["--title drkit\\ check ''", ["--title", "drkit check", ""]],
    ["--inspect # attach a debugger\n--trace-warnings", ["--inspect", "--trace-warnings"]],
    ["--title=a#b", ["--title=a#b"]],
  ])("splits %j", (text, words) => {
    expect(splitNodeArgs(text)).toEqual(words);
  });

  it("fails on an unclosed quote and a trailing backslash", () => {
    expect(() => splitNodeArgs("--require './x.js")).toThrow(
      new UsageError(
        'Pulumi.yaml `runtime.options.nodeargs` "--require \'./x.js" has a single quote that is not closed: write the arguments as a shell would read them',
      ),
    );
    expect(() => splitNodeArgs("--inspect \\")).toThrow(
      new UsageError(
        'Pulumi.yaml `runtime.options.nodeargs` "--inspect \\\\" ends in a backslash: write the arguments as a shell would read them',
      ),
    );
  });
});

describe("programExport: what an ES-module entry exports", () => {
  const program = () => undefined;

  it("is its default export, else its named exports (the stack's outputs)", () => {
    expect(programExport({ default: program })).toBe(program);
    const named = { bucketName: "b", count: 2 };
    expect(programExport(named)).toBe(named);
  });

  it("fails when it has both, as the host refuses them", () => {
    expect(() => programExport({ default: program, bucketName: "b" })).toThrow(
      new Error(
        "the program's entry module has a default export and named exports (bucketName): the Pulumi language host runs one or the other. Export the program as the default, or the stack's outputs by name",
      ),
    );
  });
});
