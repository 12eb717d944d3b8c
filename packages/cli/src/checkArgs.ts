// `drkit check`'s arguments, checked before anything runs: what parseArgs lets through (a flag given twice,
// where the last wins silently; an empty value), and a --report folder the evidence could not be written to.
import * as fs from "fs";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";
import { EVIDENCE_FILES } from "./evidence";
import { MANIFEST_FILE, SIGNATURE_FILE } from "./manifest";
import { UsageError } from "./project";
import { shown } from "./harness/messages";
import { closestName } from "@drkit/posture";
import { Format, FORMATS, isFormat } from "./formats";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed arguments `argumentProblem` reads (`parseArgs` with `tokens: true`). */
export interface ParsedArguments {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  readonly tokens?: readonly ({ kind: "option"; name: string; value?: string } | { kind: string })[];
}

/** What an empty value of a flag should have been. */
const EXPECTED_VALUE: Readonly<Record<string, string>> = {
  stack: "a stack name",
  "policy-config": "a JSON file",
  "policy-pack-config": "a JSON file",
  "policy-pack": "a policy pack's folder",
  report: "a folder for the evidence",
  "sign-key": "an Ed25519 private key file (PEM)",
  timeout: "a number of seconds",
  mock: "a JSON file of data source answers",
  format: `an output format (${FORMATS.join(", ")})`,
};

function valuesByOption(parsed: ParsedArguments, options: Options): Map<string, string[]> {
  const given = new Map<string, string[]>();
  for (const token of parsed.tokens ?? []) {
    if (!("name" in token) || options[token.name]?.type !== "string") continue;
    given.set(token.name, [...(given.get(token.name) ?? []), token.value ?? ""]);
  }
  return given;
}

/**
 * What is wrong with `drkit check`'s arguments that parseArgs accepts, in one sentence, or undefined: a
 * flag given twice (parseArgs keeps the last silently), an empty value (an empty --report wrote no
 * evidence, an empty PROGRAM_DIR ran the current folder's program), two PROGRAM_DIRs, --preview with
 * --update.
 */
export function argumentProblem(parsed: ParsedArguments, options: Options): string | undefined {
  for (const [name, values] of valuesByOption(parsed, options)) {
    if (values.length > 1) {
      const times = values.length === 2 ? "twice" : `${values.length} times`;
      return `--${name} is given ${times} (${values.map((v) => shown(v)).join(", then ")}): give it once`;
    }
    if (values[0] === "") {
      return `--${name} is empty: give ${EXPECTED_VALUE[name] ?? "a value"}, or leave out --${name}`;
    }
  }
  if (parsed.positionals.length > 1) return "give one PROGRAM_DIR";
  if (parsed.positionals[0] === "") {
    return "PROGRAM_DIR is empty: give the folder of a Pulumi project, or leave it out to use the current folder";
  }
  if (parsed.values.preview && parsed.values.update) return "--preview and --update exclude each other";
  return undefined;
}

/**
 * The output format `--format` and `--json` ask for (`--json` is short for `--format json`), or the problem
 * with them in one sentence: a format drkit does not have, or `--json` beside another format.
 */
export function chosenFormat(values: {
  readonly format?: string;
  readonly json?: boolean;
}): { readonly format: Format } | { readonly problem: string } {
  const { format, json } = values;
  if (format !== undefined && !isFormat(format)) {
    const close = closestName(format, FORMATS);
    return {
      problem: `--format takes one of ${FORMATS.join(", ")} (got ${shown(format)})${close === undefined ? "" : `: did you mean ${close}?`}`,
    };
  }
  if (json && format !== undefined && format !== "json") {
    return {
      problem: `--json is short for --format json, and --format asks for ${format}: give one of them`,
    };
  }
  return { format: format ?? (json ? "json" : "text") };
}

/**
 * "unknown option --polcy-config: did you mean --policy-config?" when `args` hold an unknown option close
 * to a known one; undefined otherwise (parseArgs' own message then says what is wrong).
 */
export function misspeltOption(args: readonly string[], options: Options): string | undefined {
  const { tokens } = parseArgs({
    args: [...args],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const known = Object.keys(options);
  for (const token of tokens) {
    if (token.kind !== "option" || known.includes(token.name)) continue;
    const close = closestName(token.name, known);
    if (close !== undefined) return `unknown option ${token.rawName}: did you mean --${close}?`;
  }
  return undefined;
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}

function writable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function kindOf(stat: fs.Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a named pipe";
  if (stat.isSocket()) return "a socket";
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return "a device";
  return "a file";
}

/**
 * Throws a `UsageError` unless the evidence can be written into `dir`: a folder (or one drkit can create)
 * that is writable, where no evidence file's name is taken by something that is not a plain file (writing
 * into a named pipe waited for a reader forever, after the whole check had run).
 */
export function checkReportWritable(
  dir: string,
  // The operating system's answer to "may I write here?" (access(2)); replaceable because root may
  // write anywhere, so a refusal can only be tested for every user by answering for the OS.
  mayWrite: (file: string) => boolean = writable,
): void {
  const stat = statOf(dir);
  if (stat === undefined) {
    let parent = path.dirname(path.resolve(dir));
    while (statOf(parent) === undefined && path.dirname(parent) !== parent) parent = path.dirname(parent);
    const parentStat = statOf(parent);
    if (parentStat !== undefined && !parentStat.isDirectory()) {
      throw new UsageError(`--report ${dir} cannot be created: ${parent} is ${kindOf(parentStat)}`);
    }
    if (!mayWrite(parent))
      throw new UsageError(`--report ${dir} cannot be created: ${parent} is not writable`);
    return;
  }
  if (!stat.isDirectory()) {
    throw new UsageError(
      `--report takes a folder, and ${dir} is ${kindOf(stat)}: choose a folder (drkit creates it if needed)`,
    );
  }
  if (!mayWrite(dir)) throw new UsageError(`--report ${dir}: the folder is not writable`);
  for (const name of [...EVIDENCE_FILES, MANIFEST_FILE, SIGNATURE_FILE]) {
    const file = path.join(dir, name);
    const entry = statOf(file);
    if (entry === undefined) continue;
    if (!entry.isFile()) {
      const wait = entry.isFIFO() ? " (writing to it would wait forever)" : "";
      throw new UsageError(
        `--report ${dir}: ${file} is ${kindOf(entry)}, not a file${wait}: remove it, or choose another folder`,
      );
    }
    if (!mayWrite(file)) throw new UsageError(`--report ${dir}: ${file} is not writable`);
  }
}
