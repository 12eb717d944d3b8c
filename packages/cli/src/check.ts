// `drkit check`: run a Pulumi program offline and put it through the real policy pack, as
// `pulumi preview --policy-pack` would. The verdict is the pack's alone.
import * as fs from "fs";
import * as path from "path";
import type { ProgramRun } from "./harness/program";
import {
  loadPolicyPack,
  reconcilePolicyConfig,
  runPolicyPack,
  remediatedRun,
  LoadedPolicyPack,
  PolicyConfigError,
  PolicyDescription,
  PolicyPackConfigFile,
  PolicyReport,
  ReconciledConfig,
} from "./harness/analyzer";
import {
  readProject,
  readStackConfig,
  readTextFile,
  PulumiProject,
  StackConfig,
  UsageError,
  parseJsonFile,
} from "./project";
import { toResourceGraph } from "./harness/graph";
import { remoteComponentsOf, RemoteComponent } from "./harness/remote";
import { shown } from "./harness/messages";
import { runProgramInChild } from "./programProcess";
import { readMockFile } from "./mockFile";
import { assessWithConfig, InvalidPolicyError, PostureConfig, PostureReport } from "@drkit/posture";

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
  /**
   * a `--mock` JSON file: data source answers by invoke token (see `readMockFile`)
   * @default - only the data sources in `DATA_SOURCE_ANSWERS` are answered
   */
  readonly mockFile?: string;
}

export interface CheckResult {
  readonly project: PulumiProject;
  readonly stackConfig: StackConfig;
  readonly run: ProgramRun;
  readonly pack: {
    readonly name: string;
    readonly version: string;
    readonly dir: string;
    /** the pack's policies and their metadata, as GetAnalyzerInfo gave them (SARIF's rules) */
    readonly policies: readonly PolicyDescription[];
  };
  readonly policyConfig: PolicyPackConfigFile;
  readonly report: PolicyReport;
  /**
   * The posture table's data: the model the pack's drkit-rpo-rto policy runs, on the same graph with the
   * same reconciled config. For display and evidence only; the verdict is the pack's. Absent when the
   * pack has no drkit-rpo-rto policy (or it is disabled), or the model refused its input (the pack then
   * reported that as a violation).
   */
  readonly posture?: PostureReport;
  /**
   * The run's remote (multi-language) components, in registration order: their provider plugins create
   * their resources when Pulumi runs, so offline no policy saw those. (The pack reports a service that holds
   * one NotAssessed; the others are named here only.)
   */
  readonly remoteComponents: readonly RemoteComponent[];
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

/** The drkit pack installed beside the CLI (a peer dependency: the one `pulumi preview --policy-pack` uses). */
export function defaultPackDir(): string {
  try {
    return path.dirname(require.resolve("@drkit/policy-pack/package.json"));
  } catch {
    throw new UsageError(
      "the drkit policy pack (@drkit/policy-pack) is not installed: install it beside @drkit/cli (npm install --save-dev @drkit/policy-pack), or pass --policy-pack DIR",
    );
  }
}

const TYPESCRIPT_FILE = /\.[cm]?ts$/;

/** The module Node loads for the pack in `dir` (its package.json `main`), with symlinks resolved. */
function packEntry(dir: string): string {
  try {
    return require.resolve(dir);
  } catch {
    throw new UsageError(
      `the policy pack in ${dir} has no entry module: its package.json "main" (default index.js) must name a file that exists`,
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
    const entry = packEntry(resolved);
    if (TYPESCRIPT_FILE.test(entry) && entry.split(path.sep).includes("node_modules")) {
      // ts-node skips node_modules and Node refuses to strip types there: this would fail inside require().
      throw new UsageError(
        `the policy pack in ${resolved} is TypeScript (${entry}) inside node_modules, which neither drkit nor Node.js compiles: install a build of the pack whose package.json "main" is JavaScript (@drkit/policy-pack ships one), or pass --policy-pack the pack's source folder`,
      );
    }
    pack = loadPolicyPack(() => {
      try {
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the pack is what the CLI does
        return require(resolved);
      } catch (err) {
        // Its own failure, not the program's: say whose it is.
        throw new UsageError(
          `the policy pack in ${resolved} failed to load: ${err instanceof Error ? err.message : String(err)}`,
        );
      }
    }, resolved);
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

/**
 * Reads a `--policy-pack-config` file. Refuses, naming the file (and line): an empty file, a byte order
 * mark, JSON with an error or a key given twice, and a top level that is not an object.
 */
export function readPolicyConfigFile(file: string | undefined): PolicyPackConfigFile {
  if (file === undefined) return {};
  const text = readTextFile(file, "the policy config file ");
  if (text.trim() === "") {
    // The Pulumi CLI reads an empty file as no config; an empty file given on purpose is rarer than a
    // generated one that came out empty.
    throw new UsageError(`${file} is empty: write {} for no settings, or leave out --policy-config`);
  }
  if (text.startsWith("\uFEFF")) {
    // Refused rather than stripped: Go's encoding/json refuses it, so the same file would pass here and
    // fail `pulumi preview --policy-pack-config`.
    throw new UsageError(
      `${file} starts with a byte order mark (BOM), which the Pulumi CLI refuses: save it as UTF-8 without a BOM`,
    );
  }
  const value = parseJsonFile(file, text);
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(
      `${file} must hold one JSON object, policy name to level or settings (got ${shown(value)}): e.g. { "drkit-rpo-rto": "mandatory" }`,
    );
  }
  return value as PolicyPackConfigFile;
}

/**
 * Problems in the drkit-rpo-rto settings that its schema cannot express (a day that does not exist, a tier
 * without targets, a waiver past `maximumWaiverDays`), found by the model the policy itself runs, on an
 * empty graph. The pack reports each as a mandatory violation once the program has run.
 */
function postureConfigProblems(config: ReconciledConfig, now: Date): string[] {
  const settings = config[POSTURE_POLICY]?.properties;
  if (settings === undefined) return [];
  try {
    const { waivers } = assessWithConfig({ resources: [] }, settings as PostureConfig, now);
    return waivers.flatMap((w, i) =>
      w.state === "malformed" ? w.problems.map((p) => `${POSTURE_POLICY}: \`waivers[${i}]\`: ${p}`) : [],
    );
  } catch (err) {
    if (err instanceof InvalidPolicyError) return err.problems.map((p) => `${POSTURE_POLICY}: ${p}`);
    throw err;
  }
}

/**
 * The policy config as `drkit check` takes it, checked before the program runs, so that a config error is
 * exit 2 and registers nothing: what the engine refuses, what drkit refuses besides (unknown policy names
 * and settings: `reconcilePolicyConfig` strict), and what the posture model refuses.
 */
export function checkPolicyConfig(
  pack: LoadedPolicyPack,
  file: PolicyPackConfigFile,
  source?: string,
  now = new Date(),
): void {
  let config: ReconciledConfig;
  try {
    config = reconcilePolicyConfig(pack, file, { strict: true }).config;
  } catch (err) {
    if (err instanceof PolicyConfigError) throw new PolicyConfigError(err.problems, source);
    throw err;
  }
  const problems = postureConfigProblems(config, now);
  if (problems.length > 0) throw new PolicyConfigError(problems, source);
}

/**
 * Runs the program of `options.programDir` under the offline harness, in a process of its own (see
 * programProcess.ts), then the pack against it, in this one.
 */
export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const project = readProject(options.programDir);
  const stackConfig = readStackConfig(project, options.stack);
  const policyConfig = readPolicyConfigFile(options.policyConfigFile);
  const dataSourceMocks = readMockFile(options.mockFile);
  const packDir = options.packDir ?? defaultPackDir();
  const pack = await policyPackAt(packDir);
  checkPolicyConfig(pack, policyConfig, options.policyConfigFile);

  const run = await runProgramInChild(project, stackConfig, {
    preview: options.preview ?? true,
    timeoutSeconds: options.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    dataSourceMocks,
  });
  const report = await runPolicyPack(pack, run, { config: policyConfig });
  return {
    project,
    stackConfig,
    run,
    pack: { name: pack.name, version: pack.version, dir: path.resolve(packDir), policies: pack.policies },
    policyConfig,
    report,
    // The model sees what the pack's stack policy saw: the stack with the pack's remediations applied.
    posture: postureFor(remediatedRun(run, report), report),
    remoteComponents: remoteComponentsOf(run),
  };
}
