// The packages as a user gets them: every public workspace package packed as `pnpm publish` packs it, and
// the tarballs installed with npm into a fresh Pulumi project outside the workspace. Also the Pulumi CLI's
// way of starting a Node.js policy pack, for a pack that lives in such a project's node_modules.
import { ChildProcess, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export const workspaceRoot = path.resolve(__dirname, "../..");

export interface PackageManifest {
  readonly name: string;
  readonly version: string;
  readonly private?: boolean;
  readonly main?: string;
  readonly types?: string;
  readonly bin?: Record<string, string>;
  readonly exports?: unknown;
  readonly dependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { readonly optional?: boolean }>;
  readonly optionalDependencies?: Record<string, string>;
}

export const readManifest = (dir: string): PackageManifest =>
  JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")) as PackageManifest;

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs a command to its end. Resolves whatever its exit status: the caller asserts it. */
export function runCommand(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Runs a step that must succeed; when it does not, the error carries everything it printed. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: CommandOptions,
): Promise<CommandResult> {
  const result = await runCommand(command, args, options);
  if (result.code !== 0) {
    throw new Error(
      `\`${[command, ...args].join(" ")}\` in ${options.cwd} ended with ${result.code ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** Every package of the workspace that is published (not `private`), by name. */
export function publicPackages(): { readonly dir: string; readonly manifest: PackageManifest }[] {
  const workspace = parseYaml(fs.readFileSync(path.join(workspaceRoot, "pnpm-workspace.yaml"), "utf8")) as {
    packages: string[];
  };
  const dirs = workspace.packages.flatMap((pattern) => {
    // The workspace lists folders of packages as `folder/*`; anything else would be read wrongly here.
    const folder = /^([\w.-]+)\/\*$/.exec(pattern)?.[1];
    if (folder === undefined) {
      throw new Error(`pnpm-workspace.yaml lists "${pattern}": this test reads only "folder/*" patterns`);
    }
    const parent = path.join(workspaceRoot, folder);
    return fs
      .readdirSync(parent)
      .map((entry) => path.join(parent, entry))
      .filter((dir) => fs.existsSync(path.join(dir, "package.json")));
  });
  return dirs
    .map((dir) => ({ dir, manifest: readManifest(dir) }))
    .filter(({ manifest }) => manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name));
}

/**
 * Copies the workspace's root manifests and the files of `dirs` (what git tracks or would, so no dist/ and
 * no node_modules) to `stage`, linking each node_modules folder to the workspace's. There the packages can
 * be built and packed without touching the working tree: its dist/ folders are read by others (drkit's
 * evidence hashes the pack folder's files). Returns the staged folder of each of `dirs`.
 */
export async function stageWorkspace(dirs: readonly string[], stage: string): Promise<string[]> {
  const link = (from: string, to: string) => {
    if (fs.existsSync(from)) fs.symlinkSync(from, to, "dir");
  };
  fs.mkdirSync(stage, { recursive: true });
  for (const file of ["package.json", "pnpm-workspace.yaml", "tsconfig.base.json"]) {
    fs.copyFileSync(path.join(workspaceRoot, file), path.join(stage, file));
  }
  link(path.join(workspaceRoot, "node_modules"), path.join(stage, "node_modules"));
  const staged: string[] = [];
  for (const dir of dirs) {
    const relative = path.relative(workspaceRoot, dir);
    const listed = await mustRun(
      "git",
      ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", relative],
      { cwd: workspaceRoot },
    );
    for (const file of listed.stdout.split("\0").filter((f) => f !== "")) {
      const from = path.join(workspaceRoot, file);
      // A file deleted in the work tree but not yet in the index is not part of the package.
      if (!fs.existsSync(from) || !fs.statSync(from).isFile()) continue;
      fs.mkdirSync(path.dirname(path.join(stage, file)), { recursive: true });
      fs.copyFileSync(from, path.join(stage, file));
    }
    link(path.join(dir, "node_modules"), path.join(stage, relative, "node_modules"));
    staged.push(path.join(stage, relative));
  }
  return staged;
}

/**
 * The environment for the user's side (npm, tsc, drkit, the policy host): this Node first on PATH, no
 * directory of the workspace, none of the npm_* / pnpm settings that `pnpm test` passes to its scripts, and
 * no NODE_PATH (pnpm's bin shims set it to the workspace's modules, which would resolve anything npm missed).
 * The provider SDKs' install scripts run `pulumi plugin install` (a download) when a Pulumi CLI is on PATH;
 * nothing here needs a plugin, so PATH keeps no directory holding `pulumi`.
 */
export function userEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm|pnpm)_/i.test(key) || key === "PATH" || key === "NODE_PATH") continue;
    env[key] = value;
  }
  const inside = (dir: string) => !path.relative(workspaceRoot, dir).startsWith("..");
  const dirs = (process.env.PATH ?? "")
    .split(path.delimiter)
    .filter((dir) => dir !== "" && path.isAbsolute(dir) && !inside(dir))
    .filter((dir) => !fs.existsSync(path.join(dir, "pulumi")));
  env.PATH = [path.dirname(process.execPath), ...dirs].join(path.delimiter);
  return env;
}

/** `npm`, found on PATH the way a shell finds it: the user's package manager. */
export function npmCommand(): string {
  const found = (process.env.PATH ?? "")
    .split(path.delimiter)
    .map((dir) => path.join(dir, "npm"))
    .find((file) => fs.existsSync(file));
  if (found === undefined) {
    throw new Error("npm is not on PATH: this test installs the packed packages with npm, as a user would");
  }
  return found;
}

/** Every installed copy of `name` under `projectDir`'s node_modules, nested ones included. */
export function installedCopies(projectDir: string, name: string): string[] {
  const copies: string[] = [];
  const visit = (nodeModules: string) => {
    if (!fs.existsSync(nodeModules)) return;
    if (fs.existsSync(path.join(nodeModules, name, "package.json")))
      copies.push(path.join(nodeModules, name));
    for (const entry of fs.readdirSync(nodeModules)) {
      if (entry.startsWith(".")) continue;
      const scoped = entry.startsWith("@")
        ? fs.readdirSync(path.join(nodeModules, entry)).map((inner) => path.join(nodeModules, entry, inner))
        : [path.join(nodeModules, entry)];
      for (const pkg of scoped) visit(path.join(pkg, "node_modules"));
    }
  };
  visit(path.join(projectDir, "node_modules"));
  return copies.map((copy) => path.relative(projectDir, copy));
}

export interface PolicyHost {
  /** the loopback address the pack's Analyzer server listens on */
  readonly address: string;
  stop(): void;
}

/**
 * Starts the Node.js policy pack in `packDir` as `pulumi preview --policy-pack packDir` does: the engine
 * runs its `pulumi-analyzer-policy` plugin in the pack's folder, a shell script that resolves
 * `@pulumi/pulumi/cmd/run-policy-pack` with `node -e` from that folder and runs it with
 * `<engine-address> .` (pulumi/pulumi: sdk/go/common/resource/plugin/analyzer_plugin.go,
 * sdk/nodejs/dist/pulumi-analyzer-policy). The host registers ts-node (type-checking, with the pack's own
 * tsconfig.json if it has one), requires the folder (its package.json `main`), and the pack's PolicyPack
 * prints the port it serves on.
 */
export async function startPolicyHost(packDir: string, env: NodeJS.ProcessEnv): Promise<PolicyHost> {
  const resolved = await mustRun(
    process.execPath,
    ["-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))"],
    { cwd: packDir, env },
  );
  const host: ChildProcess = spawn(process.execPath, [resolved.stdout.trim(), "127.0.0.1:0", "."], {
    cwd: packDir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    host.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) resolve(line[1]!);
    });
    host.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    host.on("exit", (code) =>
      reject(new Error(`the policy host exited (${code}) before serving:\n${stdout}\n${stderr}`)),
    );
  });
  return { address: `127.0.0.1:${port}`, stop: () => host.kill() };
}
