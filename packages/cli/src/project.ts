// Reads a Pulumi project (Pulumi.yaml) and one stack's config file (Pulumi.<stack>.yaml) the way the
// Pulumi CLI hands them to a Node.js program: every key namespaced (`aws:region`, `<project>:services`),
// scalar values as strings, structured values as JSON.
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

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

export function readProject(dir: string): PulumiProject {
  const file = path.join(dir, "Pulumi.yaml");
  if (!fs.existsSync(file)) {
    throw new UsageError(
      `no Pulumi.yaml in ${dir}: pass the folder of a Pulumi project (the one with Pulumi.yaml)`,
    );
  }
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as Record<string, unknown> | null;
  const name = doc?.name;
  if (typeof name !== "string" || name === "") throw new UsageError(`${file}: \`name\` is missing`);
  const runtime = doc?.runtime;
  const runtimeName =
    typeof runtime === "string" ? runtime : (runtime as { name?: unknown } | undefined)?.name;
  if (runtimeName !== "nodejs") {
    throw new UsageError(
      `${file}: runtime is ${JSON.stringify(runtimeName)}; drkit check runs Node.js programs only`,
    );
  }
  const main = typeof doc?.main === "string" ? path.resolve(dir, doc.main) : path.resolve(dir);
  return { dir: path.resolve(dir), name, runtime: runtimeName, main };
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
  const file = ["yaml", "yml"]
    .map((ext) => path.join(project.dir, `Pulumi.${stack}.${ext}`))
    .find(fs.existsSync);
  if (!file) {
    throw new UsageError(
      `no Pulumi.${stack}.yaml in ${project.dir}${available.length ? ` (stacks: ${available.join(", ")})` : ""}`,
    );
  }
  const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  const encryptedKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(doc?.config ?? {})) {
    const key = rawKey.includes(":") ? rawKey : `${project.name}:${rawKey}`;
    if (typeof value === "object" && value !== null && !Array.isArray(value) && "secure" in value) {
      config[key] = ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
      encryptedKeys.push(key);
    } else {
      config[key] = configString(value);
    }
  }
  return { stack, file, config, secretKeys, encryptedKeys };
}
