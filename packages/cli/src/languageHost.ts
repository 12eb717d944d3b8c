// How the Pulumi Node.js language host runs a program (pulumi-language-nodejs, then @pulumi/pulumi's
// cmd/run), mirrored so that a program that runs under `pulumi preview` runs the same way under `drkit
// check`: in its own folder, from the entry point the host would pick, as CommonJS or as an ES module, with
// its own tsconfig and Node.js arguments.
//
// `programLaunch` decides all of it in drkit's process, from files alone; a problem is a `UsageError`
// before anything runs. The program's process then applies it (`startProgram`).
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import { parse as parseYaml } from "yaml";
import { PulumiProject, UsageError, parseJsonFile, readTextFile } from "./project";
import { shown } from "./harness/messages";

/** How the program's TypeScript is compiled: the options the language host gives ts-node. */
export interface TypeScriptLaunch {
  /** the tsconfig file, absolute */
  readonly tsconfig: string;
  /** false when there is no such file: ts-node then reads none (`skipProject`) and uses the defaults */
  readonly tsconfigExists: boolean;
  /** compile without type-checking (`PULUMI_NODEJS_TRANSPILE_ONLY`; drkit's default: true) */
  readonly transpileOnly: boolean;
  /** compile ES modules through ts-node's module hooks (the host's "automatic ESM mode") */
  readonly esmHooks: boolean;
}

/** How to run a project's program: plain data, sent to the program's process. */
export interface ProgramLaunch {
  /** the folder the program runs in: Pulumi.yaml `main`'s folder, or `main` itself when it is a folder */
  readonly pwd: string;
  /**
   * the module to load, absolute: a file, or for a CommonJS program that names none, its folder (Node
   * then picks index.js or index.ts)
   */
  readonly entry: string;
  /** `esm`: loaded with `import()`, because the program's package.json says `"type": "module"` */
  readonly moduleSystem: "commonjs" | "esm";
  /** undefined: Pulumi.yaml says `typescript: false` */
  readonly typescript?: TypeScriptLaunch;
  /** Node.js arguments of the program's process (Pulumi.yaml `runtime.options.nodeargs`) */
  readonly nodeArgs: readonly string[];
  /** what the language host warns about, printed by the program's process before it runs */
  readonly warnings: readonly string[];
}

/** The files Node.js and pnpm read a package's manifest from, in the order the language host tries them. */
const PACKAGE_MANIFESTS = ["package.json", "package.yaml"] as const;

/** The index files the language host looks for in an ES-module program's folder, in its order. */
const ESM_INDEX_FILES = ["index.js", "index.mjs", "index.ts", "index.mts"] as const;

/** Node.js arguments after which the host leaves ES-module loading to the loader they install. */
const LOADER_ARGUMENTS = new Set(["--loader", "--import", "--require"]);

interface PackageManifest {
  readonly file: string;
  readonly data: Record<string, unknown>;
}

/**
 * How the language host would run `project`'s program, with `env` as drkit's environment. Throws a
 * `UsageError` for what the host refuses, and for an entry point that a package.json outside the
 * project names (the host would run it: a library's main, say, never the program meant).
 */
export function programLaunch(project: PulumiProject, env: NodeJS.ProcessEnv = process.env): ProgramLaunch {
  const mainIsFolder = fs.statSync(project.main).isDirectory();
  const pwd = mainIsFolder ? project.main : path.dirname(project.main);
  const warnings: string[] = [];
  const manifest = nearestPackageManifest(pwd);
  if (manifest === undefined) {
    warnings.push(
      `no package.json above ${pwd}: the program's folder is taken as its package root, as the Pulumi CLI does`,
    );
  }
  let entry = project.main;
  if (mainIsFolder && manifest !== undefined) {
    const named = manifestEntry(manifest);
    if (named !== undefined) {
      const file = path.resolve(path.dirname(manifest.file), named.path);
      if (path.relative(project.dir, file).startsWith("..")) {
        throw new UsageError(
          `Pulumi.yaml names no \`main\`, so the program's entry point is the one ${manifest.file} names (\`${named.field}\`: ${shown(named.path)}), which is outside the project folder ${project.dir}: give the project a package.json of its own, or set \`main\` in Pulumi.yaml`,
        );
      }
      if (fs.existsSync(file)) entry = file;
      else
        warnings.push(
          `${manifest.file} names the entry point ${shown(named.path)} (\`${named.field}\`), which does not exist: running ${pwd} instead, as the Pulumi CLI does`,
        );
    }
  }
  const moduleSystem = manifest?.data.type === "module" ? "esm" : "commonjs";
  if (moduleSystem === "esm") entry = esModuleEntry(entry);
  const nodeArgs = splitNodeArgs(project.runtimeOptions.nodeargs ?? "");
  return {
    pwd,
    entry,
    moduleSystem,
    typescript: project.runtimeOptions.typescript
      ? typeScriptLaunch(
          project,
          pwd,
          env,
          moduleSystem === "esm" && !nodeArgs.some((a) => LOADER_ARGUMENTS.has(a)),
        )
      : undefined,
    nodeArgs,
    warnings,
  };
}

/** The package manifest nearest to `dir`, searching up (the host's `searchupPackageManifest`). */
function nearestPackageManifest(dir: string): PackageManifest | undefined {
  for (let at = dir; ; at = path.dirname(at)) {
    for (const name of PACKAGE_MANIFESTS) {
      const file = path.join(at, name);
      if (fs.existsSync(file)) return { file, data: readPackageManifest(file) };
    }
    if (path.dirname(at) === at) return undefined;
  }
}

/**
 * A package manifest's contents. Refused when it cannot be read: Node.js and the package manager would
 * refuse it too, and a `type` or `main` guessed past it would run the program another way.
 */
function readPackageManifest(file: string): Record<string, unknown> {
  const text = readTextFile(file);
  let data: unknown;
  if (file.endsWith(".json")) data = parseJsonFile(file, text);
  else {
    try {
      data = parseYaml(text);
    } catch (err) {
      throw new UsageError(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(`${file} must hold one object, the package's manifest (got ${shown(data)})`);
  }
  return data as Record<string, unknown>;
}

/**
 * The entry point a manifest names, as the language host reads it: `exports` (a string, or `.`: a string
 * or its `default`, `require` or `import` condition), else `main`. A value of another shape names none.
 */
function manifestEntry(manifest: PackageManifest): { field: string; path: string } | undefined {
  const { exports, main } = manifest.data;
  if (typeof exports === "string") return { field: "exports", path: exports };
  if (typeof exports === "object" && exports !== null) {
    const dot = (exports as Record<string, unknown>)["."];
    if (typeof dot === "string") return { field: 'exports["."]', path: dot };
    if (typeof dot === "object" && dot !== null) {
      const conditions = dot as Record<string, unknown>;
      const condition = ["default", "require", "import"].find((c) => conditions[c]);
      const named = condition === undefined ? undefined : conditions[condition];
      return typeof named === "string" ? { field: `exports["."].${condition}`, path: named } : undefined;
    }
    return undefined;
  }
  return typeof main === "string" && main !== "" ? { field: "main", path: main } : undefined;
}

/** The file an ES-module program is imported from: `entry` itself, or its folder's index file. */
function esModuleEntry(entry: string): string {
  const real = fs.realpathSync(entry);
  if (!fs.statSync(real).isDirectory()) return real;
  const index = ESM_INDEX_FILES.find((name) => fs.existsSync(path.join(real, name)));
  if (index === undefined) {
    throw new UsageError(
      `no entry point in ${real}: an ES-module program (its package.json says "type": "module") is imported from ${ESM_INDEX_FILES.join(", ")} of its folder, or from the file Pulumi.yaml \`main\` or package.json \`main\` names`,
    );
  }
  return path.join(real, index);
}

function typeScriptLaunch(
  project: PulumiProject,
  pwd: string,
  env: NodeJS.ProcessEnv,
  esmHooks: boolean,
): TypeScriptLaunch {
  // The host puts Pulumi.yaml's `tsconfig` into PULUMI_NODEJS_TSCONFIG_PATH after drkit's environment: it
  // wins over the variable.
  const option = project.runtimeOptions.tsconfig;
  const variable = env.PULUMI_NODEJS_TSCONFIG_PATH || undefined;
  const setting = option ?? variable ?? "tsconfig.json";
  const tsconfig = path.resolve(pwd, setting);
  const tsconfigExists = fs.existsSync(tsconfig);
  if (!tsconfigExists && (option !== undefined || variable !== undefined)) {
    const source =
      option !== undefined
        ? "Pulumi.yaml `runtime.options.tsconfig`"
        : "the environment variable PULUMI_NODEJS_TSCONFIG_PATH";
    throw new UsageError(
      `${source} names the tsconfig file ${shown(setting)}, which does not exist (looked for ${tsconfig}): correct the path, or remove the setting to use ${pwd}/tsconfig.json`,
    );
  }
  // Type-checking is left to `tsc` unless the pipeline asks for it, as with the Pulumi CLI, by this variable.
  const transpileOnly = env.PULUMI_NODEJS_TRANSPILE_ONLY ? env.PULUMI_NODEJS_TRANSPILE_ONLY === "true" : true;
  return { tsconfig, tsconfigExists, transpileOnly, esmHooks };
}

/**
 * `nodeargs` split into arguments as the host splits them (a POSIX shell's words: quotes, backslashes,
 * `#` comments), or a `UsageError` for an unterminated quote.
 */
export function splitNodeArgs(text: string): string[] {
  const words: string[] = [];
  let word = "";
  // A word can be empty (`''`): whether one is open is kept apart from its text.
  let inWord = false;
  let quote: "'" | '"' | undefined;
  const problem = (what: string) =>
    new UsageError(
      `Pulumi.yaml \`runtime.options.nodeargs\` ${shown(text)} ${what}: write the arguments as a shell would read them`,
    );
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === "\\" && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1)))
        word += text.charAt(++i);
      else word += c;
    } else if (c === "\\") {
      if (i + 1 === text.length) throw problem("ends in a backslash");
      word += text.charAt(++i);
      inWord = true;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (c === "#" && !inWord) {
      // A comment, to the end of the line.
      while (i + 1 < text.length && text.charAt(i + 1) !== "\n") i++;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== undefined)
    throw problem(`has a ${quote === "'" ? "single" : "double"} quote that is not closed`);
  if (inWord) words.push(word);
  return words;
}

/** The module hooks that compile an ES-module program's TypeScript (bin/esm-hooks.mjs). */
const ESM_HOOKS = path.join(__dirname, "..", "bin", "esm-hooks.mjs");

/** The compiler settings the host gives ts-node when the tsconfig does not override them. */
function defaultCompilerOptions(esmHooks: boolean): Record<string, unknown> {
  return {
    target: esmHooks ? "ES2022" : "ES2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
  };
}

/**
 * The ts-node options for the program, as the host builds them: the defaults, overridden by the
 * `compilerOptions` the tsconfig file itself sets (not those it `extends`: ts-node reads those, and the
 * defaults win over them, as they do under the Pulumi CLI).
 */
function tsNodeOptions(launch: TypeScriptLaunch): import("ts-node").RegisterOptions {
  return {
    transpileOnly: launch.transpileOnly,
    project: launch.tsconfig,
    skipProject: !launch.tsconfigExists,
    compilerOptions: {
      ...defaultCompilerOptions(launch.esmHooks),
      ...(launch.tsconfigExists ? ownCompilerOptions(launch.tsconfig) : {}),
    },
  };
}

/** The `compilerOptions` a tsconfig file sets itself; none when it cannot be parsed (ts-node reports that). */
function ownCompilerOptions(file: string): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in the program's process
  const ts = require("typescript") as typeof import("typescript");
  const parsed = ts.parseConfigFileTextToJson(file, fs.readFileSync(file, "utf8"));
  const options: unknown = (parsed.config as { compilerOptions?: unknown } | undefined)?.compilerOptions;
  return typeof options === "object" && options !== null ? (options as Record<string, unknown>) : {};
}

// `import()` as written would become `require()` when drkit's own TypeScript is compiled to CommonJS.
const importModule = new Function("specifier", "return import(specifier)") as (
  specifier: string,
) => Promise<Record<string, unknown>>;

/**
 * In the program's process: prints the host's warnings, sets up the program's TypeScript loader, and
 * returns the program as the host runs it: the entry module loaded (inside the stack, so that what it
 * registers at the top level is the stack's), then, when it exported a function, that function called.
 */
export function startProgram(launch: ProgramLaunch): () => Promise<unknown> {
  for (const warning of launch.warnings) process.stderr.write(`warning: ${warning}\n`);
  registerTypeScript(launch);
  return async () => {
    const exported =
      launch.moduleSystem === "esm" ? programExport(await importEntry(launch)) : requireEntry(launch.entry);
    return typeof exported === "function" ? (exported as () => unknown)() : exported;
  };
}

function registerTypeScript(launch: ProgramLaunch): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only in the program's process
  const tsNode = require("ts-node") as typeof import("ts-node");
  // drkit's own loader (bin/load.js) compiled drkit; the program is compiled with its own settings only.
  process[tsNode.REGISTER_INSTANCE]?.enabled(false);
  if (launch.typescript === undefined) return;
  const options = tsNodeOptions(launch.typescript);
  if (launch.typescript.esmHooks) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node's API, not a module of ours
    (require("module") as typeof import("module")).register(pathToFileURL(ESM_HOOKS).href, { data: options });
  }
  // Also for an ES-module program: a CommonJS TypeScript file it imports is loaded by require().
  tsNode.register(options);
}

/**
 * The program an ES module exports: its default export, else its named exports (the stack's outputs).
 * Both at once is refused, as the host refuses it.
 */
export function programExport(namespace: Record<string, unknown>): unknown {
  if (Object.getOwnPropertyDescriptor(namespace, "default") === undefined) return namespace;
  if (Object.keys(namespace).length !== 1) {
    throw new Error(
      `the program's entry module has a default export and named exports (${Object.keys(namespace)
        .filter((k) => k !== "default")
        .join(
          ", ",
        )}): the Pulumi language host runs one or the other. Export the program as the default, or the stack's outputs by name`,
    );
  }
  return namespace.default;
}

/**
 * The program needs what drkit check's compilation cannot give (type information): a limit of drkit
 * check, not a fault of the program, which the Pulumi CLI runs. The check fails (exit 2) saying so.
 */
export class TypeInformationError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TypeInformationError";
  }
}

const MISSING_EXPORT = /The requested module '(.+)' does not provide an export named '(.+)'/;

async function importEntry(launch: ProgramLaunch): Promise<Record<string, unknown>> {
  try {
    return await importModule(pathToFileURL(launch.entry).href);
  } catch (err) {
    // Compiled one file at a time, `export { Tier } from "./tier.js"` cannot tell that Tier is a type: the
    // one way an ES module that the Pulumi CLI (type-checking) runs fails here.
    const missing = err instanceof SyntaxError ? MISSING_EXPORT.exec(err.message) : null;
    if (launch.typescript?.transpileOnly && missing) {
      throw new TypeInformationError(
        `the program imports or re-exports '${missing[2]}' from '${missing[1]}', which has no such export when it runs. If '${missing[2]}' is a type, drkit check cannot tell: it compiles each TypeScript file on its own, without type information (as with PULUMI_NODEJS_TRANSPILE_ONLY=true). Re-export types with \`export type { … }\`, or set PULUMI_NODEJS_TRANSPILE_ONLY=false to type-check, as the Pulumi CLI does by default; otherwise, correct the name`,
        { cause: err },
      );
    }
    throw err;
  }
}

function requireEntry(entry: string): unknown {
  // A folder ends in "/" so that Node loads the folder, not a file of the same name beside it.
  const specifier = fs.statSync(entry).isDirectory() ? `${entry}${path.sep}` : entry;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the language host requires the program
    return require(specifier);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND";
    if (missing && (err as Error).message.includes(`'${specifier}'`)) {
      throw new Error(
        `cannot find the program's entry point in ${entry}: add index.ts (or index.js) there, or name the file in Pulumi.yaml \`main\` or package.json \`main\``,
        { cause: err },
      );
    }
    throw err;
  }
}
