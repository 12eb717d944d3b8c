// `drkit check`: run a Pulumi program offline and put it through the real policy pack, as
// `pulumi preview --policy-pack` would. The verdict is the pack's alone.
import * as fs from "fs";
import * as path from "path";
import type { ProgramRun } from "./harness/program";
import {
  loadPolicyPack,
  runPolicyPack,
  LoadedPolicyPack,
  PolicyPackConfigFile,
  PolicyReport,
} from "./harness/analyzer";
import { readProject, readStackConfig, PulumiProject, StackConfig, UsageError } from "./project";
import { toResourceGraph } from "./harness/graph";
import { runProgramInChild } from "./programProcess";
import { assessWithConfig, PostureConfig, PostureReport } from "@drkit/posture";

/** The stack policy whose config drives the posture model. */
export const POSTURE_POLICY = "drkit-rpo-rto";

/**
 * How long a program may take to register its resources before the check stops it and fails. Offline,
 * a program registers in seconds (the benchmark's 50-service platform in under 2), so this only ends one
 * that hangs or loops, long before a CI job's own time limit would.
 */
export const DEFAULT_TIMEOUT_SECONDS = 300;

export interface CheckOptions {
  /** folder with Pulumi.yaml. */
  readonly programDir: string;
  /** stack whose `Pulumi.<stack>.yaml` config to use; default: the only one there is */
  readonly stack?: string;
  /** a `--policy-pack-config` JSON file */
  readonly policyConfigFile?: string;
  /** run as `pulumi preview` (default) or as an update */
  readonly preview?: boolean;
  /** the policy pack's folder; default: the drkit pack (`@drkit/policy-pack`) */
  readonly packDir?: string;
  /**
   * seconds the program may take before it is stopped and the check fails
   * @default 300 (`DEFAULT_TIMEOUT_SECONDS`)
   */
  readonly timeoutSeconds?: number;
}

export interface CheckResult {
  readonly project: PulumiProject;
  readonly stackConfig: StackConfig;
  readonly run: ProgramRun;
  readonly pack: { readonly name: string; readonly version: string; readonly dir: string };
  readonly policyConfig: PolicyPackConfigFile;
  readonly report: PolicyReport;
  /**
   * The posture table's data: the model the pack's drkit-rpo-rto policy runs, on the same graph with the
   * same reconciled config. For display and evidence only; the verdict is the pack's. Absent when the
   * pack has no drkit-rpo-rto policy (or it is disabled), or the model refused its input (the pack then
   * reported that as a violation).
   */
  readonly posture?: PostureReport;
}

function postureFor(run: ProgramRun, report: PolicyReport): PostureReport | undefined {
  const config = report.config[POSTURE_POLICY];
  if (!config || config.enforcementLevel === "disabled") return undefined;
  try {
    return assessWithConfig(toResourceGraph(run), (config.properties ?? {}) as PostureConfig, new Date());
  } catch {
    return undefined;
  }
}

/** The drkit pack shipped with the CLI. */
export function defaultPackDir(): string {
  try {
    return path.dirname(require.resolve("@drkit/policy-pack/package.json"));
  } catch {
    throw new UsageError(
      "the drkit policy pack (@drkit/policy-pack) is not installed: pass --policy-pack DIR",
    );
  }
}

// The SDK allows one PolicyPack per process (a second makes it exit), so a pack is loaded once.
const loadedPacks = new Map<string, Promise<LoadedPolicyPack>>();
export function policyPackAt(dir: string): Promise<LoadedPolicyPack> {
  const resolved = path.resolve(dir);
  let pack = loadedPacks.get(resolved);
  if (!pack) {
    if (!fs.existsSync(path.join(resolved, "PulumiPolicy.yaml"))) {
      throw new UsageError(
        `no PulumiPolicy.yaml in ${resolved}: --policy-pack takes the folder of a policy pack`,
      );
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the pack is what the CLI does
    pack = loadPolicyPack(() => require(resolved), resolved);
    loadedPacks.set(resolved, pack);
  }
  return pack;
}

/** Shuts down every pack this process loaded (their gRPC servers keep the event loop alive). */
export async function closePolicyPacks(): Promise<void> {
  const packs = [...loadedPacks.values()];
  loadedPacks.clear();
  await Promise.all(packs.map(async (pack) => (await pack).close()));
}

export function readPolicyConfigFile(file: string | undefined): PolicyPackConfigFile {
  if (file === undefined) return {};
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read the policy config file ${file}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(
      `${file} is not valid JSON (${(err as Error).message}); it uses the --policy-pack-config format`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${file} must hold a JSON object of policy names to levels or settings`);
  }
  return parsed as PolicyPackConfigFile;
}

/**
 * Runs the program of `options.programDir` under the offline harness, in a process of its own (see
 * programProcess.ts), then the pack against it, in this one.
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const project = readProject(options.programDir);
  const stackConfig = readStackConfig(project, options.stack);
  const policyConfig = readPolicyConfigFile(options.policyConfigFile);
  const packDir = options.packDir ?? defaultPackDir();
  const pack = await policyPackAt(packDir);

  const run = await runProgramInChild(project, stackConfig, {
    preview: options.preview ?? true,
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
  });
  const report = await runPolicyPack(pack, run, { config: policyConfig });
  return {
    project,
    stackConfig,
    run,
    pack: { name: pack.name, version: pack.version, dir: path.resolve(packDir) },
    policyConfig,
    report,
    posture: postureFor(run, report),
  };
}
