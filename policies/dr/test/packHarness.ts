// Shared set-up for the pack's specs: load the real pack (once per jest file, as the SDK allows one pack
// per module registry) and run a program through it the way the engine would.
import * as path from "path";
import {
  loadPolicyPack,
  runPolicyPack,
  runProgram,
  LoadedPolicyPack,
  PolicyPackConfigFile,
  ProgramOptions,
  ProgramRun,
  PolicyReport,
} from "@drkit/cli/harness";

export const packDir = path.resolve(__dirname, "..");

export function usePack(): () => LoadedPolicyPack {
  let pack: LoadedPolicyPack | undefined;
  beforeAll(async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the pack is what the CLI does
    pack = await loadPolicyPack(() => require(".."), packDir);
  });
  afterAll(() => pack?.close());
  return () => {
    if (!pack) throw new Error("the pack is loaded in beforeAll");
    return pack;
  };
}

export const base: ProgramOptions = {
  project: "platform",
  stack: "prod",
  config: { "aws:region": "eu-west-1" },
};

/**
 * Runs `program` and the pack; returns the run, the report and the violations of `policyName` as
 * [level, message].
 */
export async function check(
  pack: LoadedPolicyPack,
  program: () => unknown,
  policyName: string,
  options: { preview?: boolean; config?: PolicyPackConfigFile; program?: Partial<ProgramOptions> } = {},
): Promise<{ run: ProgramRun; report: PolicyReport; violations: [string, string][] }> {
  const run = await runProgram(program, { ...base, ...options.program, preview: options.preview ?? false });
  const report = await runPolicyPack(pack, run, { config: options.config });
  const violations = report.violations
    .filter((v) => v.policyName === policyName)
    .map((v): [string, string] => [v.enforcementLevel, v.message.slice(v.description.length + 1)]);
  return { run, report, violations };
}

/** `YYYY-MM-DD`, `days` from today (UTC): the pack judges waivers at today's date, so tests date them relative to it. */
export function dayFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}
