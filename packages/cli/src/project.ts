import { closestName } from "@drkit/posture";
// Reads a Pulumi project (Pulumi.yaml) and one stack's config file (Pulumi.<stack>.yaml) the way the
// Pulumi CLI hands them to a Node.js program: every key namespaced (`aws:region`, `<project>:services`),
// scalar values as strings, structured values as JSON.
import * as fs from "fs";
import * as path from "path";
import { Document, isMap, isScalar, isSeq, LineCounter, parseDocument, visit } from "yaml";
import { JsonSyntaxError, parseJsonText } from "./jsonText";
import { duplicateKeyMessage, keyPath, shown } from "./harness/messages";

/**
 * A problem the user fixes (bad arguments, missing files, a program that does not finish): the CLI prints it
 * and exits 2.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export interface PulumiProject {
  readonly dir: string;
  readonly name: string;
  readonly runtime: string;
  /** absolute path of the program's entry (Pulumi.yaml `main`, else the project folder) */
  readonly main: string;
  /** Pulumi.yaml `runtime.options`: how the Node.js language host runs the program */
  readonly runtimeOptions: NodejsRuntimeOptions;
}

/** The `runtime.options` of a Node.js project that change how its program runs (the others are ignored). */
export interface NodejsRuntimeOptions {
  /**
   * run TypeScript through ts-node
   * @default true
   */
  readonly typescript: boolean;
  /**
   * the tsconfig file, relative to the program's folder
   * @default - tsconfig.json there, if it exists
   */
  readonly tsconfig?: string;
  /**
   * arguments for the program's Node.js process, split as a shell would (`--require ./trace.js`)
   * @default - none
   */
  readonly nodeargs?: string;
}

export interface StackConfig {
  readonly stack: string;
  readonly file?: string;
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
  /** keys whose values are encrypted (`secure:`) and were replaced by a placeholder offline */
  readonly encryptedKeys: string[];
}

/** The placeholder an encrypted config value gets offline: drkit has no key to decrypt it with. */
export const ENCRYPTED_PLACEHOLDER = "[encrypted: not decrypted offline]";

/** Why a file could not be read, in words. */
function readFailure(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case "ENOENT":
      return "it does not exist";
    case "EISDIR":
      return "it is a folder";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

/** `file`'s text; one that cannot be read is a `UsageError` naming it (`what`: "the policy config file "). */
export function readTextFile(file: string, what = ""): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${what}${file}: ${readFailure(err)}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every key given twice in one mapping, with the line it was first given on. */
function duplicateKeys(node: unknown, path: (string | number)[], lines: LineCounter): [number, string][] {
  if (isSeq(node)) return node.items.flatMap((item, i) => duplicateKeys(item, [...path, i], lines));
  if (!isMap(node)) return [];
  const found: [number, string][] = [];
  const seen = new Map<string, number>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const at = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, at);
    else found.push([at, duplicateKeyMessage([...path, key], lines.linePos(first).line)]);
    found.push(...duplicateKeys(pair.value, [...path, key], lines));
  }
  return found;
}

/**
 * A YAML file read for drkit: a syntax error, a key given twice or an alias to no anchor is a `UsageError`
 * naming the file, line and column, never the program's failure.
 */
class YamlFile {
  private readonly lines = new LineCounter();
  private readonly doc: Document.Parsed;
  /** the document as plain data */
  readonly data: unknown;

  constructor(readonly file: string) {
    // Keys given twice are found below, where both lines are known.
    this.doc = parseDocument(readTextFile(file), {
      lineCounter: this.lines,
      prettyErrors: false,
      uniqueKeys: false,
    });
    const [error] = this.doc.errors;
    if (error) {
      throw this.error(
        error.pos[0],
        error.code === "MULTIPLE_DOCS"
          ? "the file holds several YAML documents (a `---` line): keep one"
          : `not valid YAML: ${error.message}`,
      );
    }
    const duplicates = duplicateKeys(this.doc.contents, [], this.lines);
    if (duplicates.length > 0) {
      throw new UsageError(duplicates.map(([at, message]) => this.located(at, message)).join("\n"));
    }
    visit(this.doc, {
      Alias: (_key, alias) => {
        if (alias.resolve(this.doc) === undefined) {
          throw this.error(
            alias.range?.[0] ?? 0,
            `not valid YAML: Unresolved alias (the anchor must be set before the alias): ${alias.source}`,
          );
        }
      },
    });
    try {
      this.data = this.doc.toJS();
    } catch (err) {
      // Too many aliases (a "billion laughs"), say: no line to point at.
      throw new UsageError(`${file}: not valid YAML: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** The top-level mapping's values; an empty file has none; anything else must be `what`. */
  mapping(what: string, fix: string): Record<string, unknown> {
    if (this.data === null || this.data === undefined) return {};
    if (!isRecord(this.data)) {
      throw this.errorAt(this.doc.contents, `must be ${what} (got ${shown(this.data)}): ${fix}`);
    }
    return this.data;
  }

  /** `message` at the value of the top-level `key`. */
  errorAtKey(key: string, message: string): UsageError {
    return this.errorAt(this.doc.get(key, true), message);
  }

  /** `message` at the value at `keys` (`["runtime", "options"]`). */
  errorAtPath(keys: readonly string[], message: string): UsageError {
    return this.errorAt(this.doc.getIn(keys, true), message);
  }

  /** `message` at `key` of the top-level mapping `section`. */
  errorAtNestedKey(section: string, key: string, message: string): UsageError {
    return this.errorAt(this.nestedKey(section, key), message);
  }

  /** The line of `key` in the top-level mapping `section`. */
  lineOfNestedKey(section: string, key: string): number {
    return this.lines.linePos(this.nestedKey(section, key)?.range?.[0] ?? 0).line;
  }

  private nestedKey(section: string, key: string) {
    const mapping = this.doc.get(section, true);
    const pair = isMap(mapping)
      ? mapping.items.find((p) => isScalar(p.key) && String(p.key.value) === key)
      : undefined;
    return isScalar(pair?.key) ? pair.key : undefined;
  }

  private located(offset: number, message: string): string {
    const { line, col } = this.lines.linePos(offset);
    return `${this.file}:${line}:${col}: ${message}`;
  }

  private error(offset: number, message: string): UsageError {
    return new UsageError(this.located(offset, message));
  }

  private errorAt(node: unknown, message: string): UsageError {
    const range = (node as { range?: readonly number[] } | null | undefined)?.range;
    return this.error(range?.[0] ?? 0, message);
  }
}

export function readProject(dir: string): PulumiProject {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) {
    throw new UsageError(
      `no Pulumi.yaml in ${dir}: pass the folder of a Pulumi project (the one with Pulumi.yaml)`,
    );
  }
  const yaml = new YamlFile(file);
  const doc = yaml.mapping(
    "a mapping with `name` and `runtime`",
    "write `name:` and `runtime:` at the top level",
  );
  const { name, runtime, main } = doc;
  if (name === undefined) throw new UsageError(`${file}: \`name\` is missing: add the project's name`);
  if (typeof name !== "string" || name === "") {
    throw yaml.errorAtKey(
      "name",
      `\`name\` must be a non-empty string (got ${shown(name)}): write the project's name`,
    );
  }
  const runtimeName = isRecord(runtime) ? runtime.name : runtime;
  if (runtimeName === undefined) {
    throw new UsageError(`${file}: \`runtime\` is missing: add runtime: nodejs`);
  }
  if (typeof runtimeName !== "string") {
    throw yaml.errorAtKey(
      "runtime",
      `\`runtime\` must be a runtime name, or a mapping with \`name\` (got ${shown(runtime)}): write runtime: nodejs`,
    );
  }
  if (runtimeName !== "nodejs") {
    throw yaml.errorAtKey(
      "runtime",
      `runtime is ${JSON.stringify(runtimeName)}; drkit check runs Node.js programs only`,
    );
  }
  if (main !== undefined && typeof main !== "string") {
    throw yaml.errorAtKey(
      "main",
      `\`main\` must be the path of the program's entry (got ${shown(main)}): write it as a string, or leave it out`,
    );
  }
  const root = path.resolve(dir);
  const entry = path.resolve(root, main ?? "");
  // The engine's own checks (workspace.getPwdMain), before it starts the language host.
  if (main !== undefined && path.isAbsolute(main)) {
    throw yaml.errorAtKey(
      "main",
      `\`main\` must be a path relative to the project folder (got ${shown(main)})`,
    );
  }
  if (path.relative(root, entry).startsWith("..")) {
    throw yaml.errorAtKey(
      "main",
      `\`main\` must be in the project folder or below it (got ${shown(main)}): move the program there`,
    );
  }
  if (!fs.existsSync(entry)) {
    throw yaml.errorAtKey(
      "main",
      `\`main\` is ${shown(main)}, which does not exist: correct the path, or leave it out to run the project folder`,
    );
  }
  const runtimeOptions = readRuntimeOptions(yaml, isRecord(runtime) ? runtime.options : undefined);
  return { dir: root, name, runtime: runtimeName, main: entry, runtimeOptions };
}

/** `runtime.options`, checked as the Node.js language host checks them (pulumi-language-nodejs parseOptions). */
function readRuntimeOptions(yaml: YamlFile, options: unknown): NodejsRuntimeOptions {
  if (options === undefined || options === null) return { typescript: true };
  if (!isRecord(options)) {
    throw yaml.errorAtPath(
      ["runtime", "options"],
      `\`runtime.options\` must be a mapping of option to value (got ${shown(options)}): e.g. typescript: false`,
    );
  }
  const { typescript, tsconfig, nodeargs } = options;
  const wrong = (key: string, what: string, value: unknown) =>
    yaml.errorAtPath(
      ["runtime", "options", key],
      `\`runtime.options.${key}\` must be ${what} (got ${shown(value)})`,
    );
  if (typescript !== undefined && typeof typescript !== "boolean")
    throw wrong("typescript", "true or false", typescript);
  if (tsconfig !== undefined && typeof tsconfig !== "string")
    throw wrong("tsconfig", "a file path", tsconfig);
  if (nodeargs !== undefined && typeof nodeargs !== "string")
    throw wrong("nodeargs", "a string of arguments", nodeargs);
  return {
    typescript: typescript ?? true,
    ...(tsconfig === undefined || tsconfig === "" ? {} : { tsconfig }),
    ...(nodeargs === undefined || nodeargs === "" ? {} : { nodeargs }),
  };
}

/** The stacks that have a config file next to the project. */
export function stackNames(project: PulumiProject): string[] {
  return fs
    .readdirSync(project.dir)
    .map((f) => /^Pulumi\.(.+)\.ya?ml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function configString(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/**
 * Reads `Pulumi.<stack>.yaml`. Without `stack`, uses the only stack file there is. Bare keys get the
 * project's namespace, as the CLI does; `secure:` values cannot be decrypted offline and become a
 * placeholder that is still marked secret.
 */
/** Pulumi's rule for a stack's own name; `org/project/stack` is the fully qualified form. */
const STACK_NAME = /^[\w.-]+$/;
// Each part starts with a letter, digit, "-" or "_": `../x` is a path, not an organization.
const QUALIFIED_STACK_NAME = /^[\w-][\w.-]*(?:\/[\w-][\w.-]*){1,2}$/;

/** A stack name drkit can find a `Pulumi.<stack>.yaml` for, or a `UsageError` saying what to give. */
function checkStackName(stack: string): void {
  if (STACK_NAME.test(stack)) return;
  if (QUALIFIED_STACK_NAME.test(stack)) {
    throw new UsageError(
      `--stack ${shown(stack)} is a fully qualified name; drkit check reads Pulumi.<stack>.yaml: give --stack ${stack.split("/").pop() ?? ""}`,
    );
  }
  throw new UsageError(
    `--stack ${shown(stack)} is not a stack name: a stack name has letters, digits, "-", "_" and "." only`,
  );
}

/** No config file for `stack`: the stacks there are, and the likely one. */
function noStackFile(project: PulumiProject, stack: string, available: readonly string[]): UsageError {
  const missing = `no Pulumi.${stack}.yaml in ${project.dir}`;
  if (available.length === 0) {
    return new UsageError(`${missing}, which has no stack config file: create it, or leave out --stack`);
  }
  const close = closestName(stack, available);
  return new UsageError(
    close === undefined
      ? `${missing} (stacks: ${available.join(", ")}): choose one of them`
      : `${missing}: did you mean --stack ${close}? (stacks: ${available.join(", ")})`,
  );
}

/**
 * Reads `Pulumi.<stack>.yaml`. Without `stack`, uses the only stack file there is. Bare keys get the
 * project's namespace, as the CLI does; `secure:` values cannot be decrypted offline and become a
 * placeholder that is still marked secret.
 */
export function readStackConfig(project: PulumiProject, stack?: string): StackConfig {
  const available = stackNames(project);
  if (stack === undefined) {
    const [only, ...others] = available;
    if (only === undefined) return { stack: "dev", config: {}, secretKeys: [], encryptedKeys: [] };
    if (others.length > 0) {
      throw new UsageError(
        `${project.dir} has several stacks (${available.join(", ")}): choose one with --stack`,
      );
    }
    stack = only;
  }
  checkStackName(stack);
  const file = ["yaml", "yml"]
    .map((ext) => path.join(project.dir, `Pulumi.${stack}.${ext}`))
    .find(fs.existsSync);
  if (!file) throw noStackFile(project, stack, available);
  const yaml = new YamlFile(file);
  const section = yaml.mapping(
    "a mapping with a `config` section",
    "write `config:` at the top level",
  ).config;
  if (section !== undefined && section !== null && !isRecord(section)) {
    throw yaml.errorAtKey(
      "config",
      `\`config\` must be a mapping of key to value (got ${shown(section)}): write each setting as key: value under config:`,
    );
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const encryptedKeys: string[] = [];
  // The key as written, per namespaced key: `retentionDays` and `<project>:retentionDays` are one key.
  const writtenAs = new Map<string, string>();
  for (const [rawKey, value] of Object.entries(section ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    const earlier = writtenAs.get(key);
    if (earlier !== undefined) {
      throw yaml.errorAtNestedKey(
        "config",
        rawKey,
        `\`${keyPath(["config", rawKey])}\` is given twice (first at line ${yaml.lineOfNestedKey("config", earlier)}, as \`${earlier}\`): a key without a namespace takes the project's; keep one`,
      );
    }
    writtenAs.set(key, rawKey);
    if (isRecord(value) && "secure" in value) {
      config[key] = ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
      encryptedKeys.push(key);
    } else {
      config[key] = configString(value);
    }
  }
  return { stack, file, config, secretKeys, encryptedKeys };
}

/**
 * The JSON value in `text`, read from `file`: a syntax error names file, line and column; a key given
 * twice (JSON.parse would keep the last silently) is refused with every duplicate's place.
 */
export function parseJsonFile(file: string, text: string): unknown {
  let parsed: ReturnType<typeof parseJsonText>;
  try {
    parsed = parseJsonText(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    const { line, column } = err.position;
    throw new UsageError(`${file}:${line}:${column}: not valid JSON: ${err.message}`);
  }
  if (parsed.duplicates.length > 0) {
    throw new UsageError(
      parsed.duplicates
        .map(
          (d) =>
            `${file}:${d.position.line}:${d.position.column}: ${duplicateKeyMessage(d.path, d.firstLine)}`,
        )
        .join("\n"),
    );
  }
  return parsed.value;
}
