// The `drkit` command line. Exit codes: 0 no mandatory violation, 1 a mandatory violation, 2 a usage,
// config or program error — each with a message that says what to do.
import * as fs from "fs";
import { parseArgs, ParseArgsConfig } from "util";
import { runCheck, DEFAULT_TIMEOUT_SECONDS } from "./check";
import { UsageError } from "./project";
import { PolicyConfigError } from "./harness/analyzer";
import { writeEvidence } from "./evidence";
import { checkReportDir, readSigningKey } from "./manifest";
import { closestName } from "@drkit/posture";
import { verifyCommand, VERIFY_USAGE } from "./verify";
import { statusCommand, STATUS_USAGE } from "./status/command";
import { failoverCommand, FAILOVER_USAGE } from "./failover/command";
import { auditCommand, AUDIT_USAGE } from "./audit/command";
import { drillsCommand, DRILLS_USAGE } from "./drills/command";
import { argumentProblem, checkReportWritable, chosenFormat, misspeltOption } from "./checkArgs";
import { MACHINE_FORMATS, renderMarkdown, renderResult } from "./formats";

/** `--timeout` above this overflows Node's timers (about 24.8 days), and no program needs a day. */
const MAX_TIMEOUT_SECONDS = 86_400;

/** `drkit check`'s flags: for the parser, and for "did you mean" on one it does not know. */
const CHECK_OPTIONS = {
  stack: { type: "string", short: "s" },
  "policy-config": { type: "string" },
  // Pulumi's own spelling (`pulumi preview --policy-pack-config`), so a pipeline can use either.
  "policy-pack-config": { type: "string" },
  "policy-pack": { type: "string" },
  preview: { type: "boolean" },
  update: { type: "boolean" },
  format: { type: "string" },
  json: { type: "boolean" },
  report: { type: "string" },
  "sign-key": { type: "string" },
  timeout: { type: "string" },
  mock: { type: "string" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

/** This package's version (package.json sits one folder above both src/ and dist/). */
export function drkitVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON read at run time, same path from src and dist
  return (require("../package.json") as { version: string }).version;
}

export const USAGE = `Usage: drkit check [PROGRAM_DIR] [-s | --stack NAME] [--policy-config FILE] [--preview | --update]
                   [--policy-pack DIR] [--format FORMAT | --json] [--report DIR [--sign-key KEY.pem]]
                   [--timeout SECONDS] [--mock FILE]

Runs the Pulumi program in PROGRAM_DIR (default: .) offline, under Pulumi's mock runtime with the stack's
config (Pulumi.<stack>.yaml), and puts it through the drkit policy pack over the Analyzer protocol, as
\`pulumi preview --policy-pack\` does. No cloud account, Pulumi CLI or provider plugin is needed.

  -s, --stack NAME       the stack config to use (default: the only Pulumi.<stack>.yaml)
  --policy-config FILE   policy settings, in the --policy-pack-config JSON format
                         (also spelt --policy-pack-config, as the Pulumi CLI does)
  --preview / --update   run as a preview (default: unknown values stay unknown) or as an update
  --policy-pack DIR      another policy pack (default: the drkit pack)
  --format FORMAT        what to print on stdout (default: text):
                           text      the policy section, the posture table and the verdict
                           json      the result as JSON (the evidence's check.json)
                           sarif     SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other viewers
                           junit     JUnit XML: a suite per policy and per service, a test per violation
                                     and per disruption, for CI test reports
                           markdown  a pull-request comment: verdict, violations, posture table, recovery
                                     topology (Mermaid), waivers, coverage; within GitHub's 65,536 characters
                           github    GitHub Actions annotations (::error for mandatory, ::warning for
                                     advisory); with $GITHUB_STEP_SUMMARY set, the markdown summary is
                                     appended to the job summary too
  --json                 the same as --format json
  --report DIR           write audit evidence (JSON, Markdown, inventory) into DIR, with manifest.json: the
                         sha256 of each evidence file and input, the git state (\`drkit verify DIR\` checks it)
  --sign-key KEY.pem     sign manifest.json with this Ed25519 private key (PKCS#8 PEM), into manifest.sig
  --timeout SECONDS      stop the program and fail if it has not finished by then (default: ${DEFAULT_TIMEOUT_SECONDS};
                         offline a program registers in seconds, so this only ends one that hangs or loops)
  --mock FILE            answers for data sources drkit cannot give offline: a JSON object, invoke token to
                         outputs, e.g. { "aws:ec2/getAmi:getAmi": { "id": "ami-0123456789abcdef0" } }

The program runs in a process of its own; what it prints goes to stderr, so stdout carries only the
result. A program that does not finish (it calls process.exit, crashes, hangs past --timeout, or awaits a
promise that never settles) fails the check with exit 2, never a pass.

Exit status: 0 no mandatory violation; 1 a mandatory violation; 2 usage, config or program error.
drkit --version prints the version.`;

/** Every drkit command, with what it is for: `drkit --help` lists them all, so none is hidden. */
const COMMANDS = {
  check: "run a Pulumi program offline through the DR policy pack (the gate)",
  verify: "check an evidence folder written by `drkit check --report` (hashes, signature)",
  status: "the live posture from Prometheus: each service's recovery point against its target",
  failover: "break-glass AWS CLI commands for a switch, and checking a switch request as typed",
  audit: "append to, or verify, the failover audit log in the Object Lock bucket",
  drills: "the restore drills' validation report, from their records in the Object Lock bucket",
} as const satisfies Record<string, string>;

/** The command list alone: for a mistyped command, where the full usage would bury the hint. */
function commandOverview(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, what]) => `  ${name.padEnd(width)}  ${what}`);
  return `Usage: drkit <command> [options]   (drkit <command> --help for one command)\n\n${lines.join("\n")}\n\ndrkit --version prints the version.`;
}

/** `drkit --help`: the command list, then each command's usage. */
function fullHelp(): string {
  return [
    commandOverview(),
    USAGE,
    VERIFY_USAGE,
    STATUS_USAGE,
    FAILOVER_USAGE,
    AUDIT_USAGE,
    DRILLS_USAGE,
  ].join("\n\n");
}

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /**
   * the environment variables drkit reads (`GITHUB_STEP_SUMMARY`)
   * @default process.env
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The GitHub Actions job summary file `--format github` appends to, checked before the program runs (a
 * summary that cannot be written fails the check at once, not after it). Undefined outside Actions.
 */
function stepSummaryFile(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const file = env.GITHUB_STEP_SUMMARY;
  if (file === undefined || file === "") return undefined;
  try {
    fs.appendFileSync(file, "");
  } catch (err) {
    throw new UsageError(
      `--format github writes the job summary to $GITHUB_STEP_SUMMARY (${file}), which cannot be written: ${(err as Error).message}`,
    );
  }
  return file;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "--version" || command === "version") {
    io.out(drkitVersion());
    return 0;
  }
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    io.out(fullHelp());
    return command === undefined ? 2 : 0;
  }
  if (command === "verify") return verifyCommand(rest, io);
  if (command === "status") return statusCommand(rest, io);
  if (command === "failover") return failoverCommand(rest, io);
  if (command === "audit") return auditCommand(rest, io);
  if (command === "drills") return drillsCommand(rest, io);
  if (command !== "check") {
    const close = closestName(command, Object.keys(COMMANDS));
    const hint = close === undefined ? "" : `: did you mean "${close}"?`;
    io.err(`drkit: unknown command "${command}"${hint}\n\n${commandOverview()}`);
    return 2;
  }
  let parsed;
  try {
    // Tokens: a flag given twice is only visible there (the parsed value is the last one).
    parsed = parseArgs({ args: rest, allowPositionals: true, options: CHECK_OPTIONS, tokens: true });
  } catch (err) {
    io.err(`drkit check: ${misspeltOption(rest, CHECK_OPTIONS) ?? (err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.version) {
    io.out(drkitVersion());
    return 0;
  }
  const problem = argumentProblem(parsed, CHECK_OPTIONS);
  if (problem !== undefined) {
    io.err(`drkit check: ${problem}\n\n${USAGE}`);
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(values.timeout);
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > MAX_TIMEOUT_SECONDS) {
    io.err(
      `drkit check: --timeout takes a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS} (got "${values.timeout}")\n\n${USAGE}`,
    );
    return 2;
  }
  if (values["policy-config"] !== undefined && values["policy-pack-config"] !== undefined) {
    io.err(
      `drkit check: --policy-config and --policy-pack-config are one option spelt two ways: give one\n\n${USAGE}`,
    );
    return 2;
  }
  const policyConfigFile = values["policy-config"] ?? values["policy-pack-config"];
  const chosen = chosenFormat(values);
  if ("problem" in chosen) {
    io.err(`drkit check: ${chosen.problem}\n\n${USAGE}`);
    return 2;
  }
  const { format } = chosen;
  if (values["sign-key"] !== undefined && !values.report) {
    io.err(`drkit check: --sign-key signs the report's manifest.json: give --report DIR too\n\n${USAGE}`);
    return 2;
  }
  try {
    // Before the program runs: a bad key or report folder fails at once, not after the check.
    if (values.report) {
      checkReportWritable(values.report);
      checkReportDir(positionals[0] ?? ".", values.report);
    }
    const signingKey = values["sign-key"] === undefined ? undefined : readSigningKey(values["sign-key"]);
    const summaryFile = format === "github" ? stepSummaryFile(io.env ?? process.env) : undefined;
    const result = await runCheck({
      programDir: positionals[0] ?? ".",
      stack: values.stack,
      policyConfigFile,
      packDir: values["policy-pack"],
      preview: !values.update,
      timeoutSeconds,
      mockFile: values.mock,
    });
    if (values.report) {
      const written = writeEvidence(values.report, result, {
        policyConfigFile,
        signingKey,
      });
      if (!MACHINE_FORMATS.includes(format)) io.err(`evidence written to ${written.join(", ")}`);
    }
    io.out(renderResult(result, format));
    if (summaryFile !== undefined) fs.appendFileSync(summaryFile, `${renderMarkdown(result)}\n`);
    return result.report.failed ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof PolicyConfigError) {
      io.err(`drkit check: ${err.message}`);
    } else {
      io.err(
        `drkit check: the program failed: ${err instanceof Error ? err.message : String(err)}\nFix the program (it fails the same way under \`pulumi preview\`, or for a value known only after deploy, under \`pulumi up\`), then run drkit check again.`,
      );
    }
    return 2;
  }
}
