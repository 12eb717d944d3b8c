// `drkit failover break-glass`: prints the switch as AWS CLI commands (see breakGlass.ts).
import * as fs from "fs";
import { parseArgs } from "util";
import { parse as parseYaml } from "yaml";
import {
  FailoverManifestError,
  FailoverSide,
  checkFailoverWeights,
  defaultFailoverWeights,
  failoverManifestParameterName,
  parseFailoverManifest,
  switchReasonProblem,
} from "@drkit/posture";
import { CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS, breakGlassScript, shellQuote } from "./breakGlass";

export const FAILOVER_USAGE = `Usage: drkit failover break-glass --to primary|secondary (--manifest FILE | --stack-config FILE)
                                [--primary-weight N --secondary-weight N]
       drkit failover check --to primary|secondary --reason TEXT

\`check\` judges a switch request as the operator typed it (the failover workflow runs it before it
changes anything): the side, and a reason of 10–500 printable characters on one line.

\`break-glass\`
prints a bash script that moves traffic without Pulumi: the ARC routing-control states (each cluster
endpoint tried in turn, with bounded timeouts) and the Route 53 weights, from the failover manifest the
platform published in each region. Read it, then run it.

  --to SIDE               the side to activate
  --manifest FILE         the manifest (JSON), as published in the SSM parameter
  --stack-config FILE     without --manifest: the failover stack's Pulumi.<stack>.yaml; prints the command
                          that fetches the manifest from the region being activated
  --primary-weight N, --secondary-weight N
                          a gradual shift (0-255 each); default 100 on the side activated, 0 on the other

Exit status: 0 printed; 2 usage or input error.`;

const OPTIONS = {
  to: { type: "string" },
  manifest: { type: "string" },
  "stack-config": { type: "string" },
  "primary-weight": { type: "string" },
  "secondary-weight": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const CHECK_OPTIONS = {
  to: { type: "string" },
  reason: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** `drkit failover check`: the request as typed, judged before anything changes. */
function checkRequest(argv: string[], io: Io): number {
  const { values } = parseArgs({ args: argv, options: CHECK_OPTIONS, allowPositionals: false });
  const problems = [
    ...(values.to === "primary" || values.to === "secondary"
      ? []
      : [
          `--to must be primary or secondary (got ${values.to === undefined ? "nothing" : `"${values.to}"`})`,
        ]),
    ...[switchReasonProblem(values.reason)].filter((p) => p !== undefined).map((p) => `--reason ${p}`),
  ];
  if (problems.length > 0) throw new InputError(problems.join("\n"));
  io.out(`ok: switch to ${values.to}`);
  return 0;
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

class InputError extends Error {}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new InputError(
      `cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** The command that fetches the manifest copy of the region being activated, from the stack's config. */
function fetchScript(stackConfigFile: string, to: FailoverSide): string {
  const config = (
    parseYaml(readText(stackConfigFile, "the stack config")) as { config?: Record<string, unknown> }
  )?.config;
  const platformStack = config?.["drkit-failover:platformStack"];
  const regions = config?.["drkit-failover:regions"] as Record<string, unknown> | undefined;
  const [, project, stack] = typeof platformStack === "string" ? platformStack.split("/") : [];
  const region = regions?.[to];
  if (!project || !stack || typeof region !== "string")
    throw new InputError(
      `${stackConfigFile} must set drkit-failover:platformStack (<org>/<project>/<stack>) and drkit-failover:regions.${to}`,
    );
  const parameter = failoverManifestParameterName(project, stack);
  return [
    "#!/usr/bin/env bash",
    `# Fetch the failover manifest from ${region}, the region being activated, then print the switch.`,
    "set -euo pipefail",
    `aws ssm get-parameter --region ${shellQuote(region)} --name ${shellQuote(parameter)} \\`,
    `  --cli-connect-timeout ${CONNECT_TIMEOUT_SECONDS} --cli-read-timeout ${READ_TIMEOUT_SECONDS} \\`,
    "  --query Parameter.Value --output text > failover-manifest.json",
    `drkit failover break-glass --to ${to} --manifest failover-manifest.json`,
    "",
  ].join("\n");
}

function weight(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,3}$/.test(text))
    throw new InputError(`--${name} takes a whole number from 0 to 255 (got "${text}")`);
  return Number(text);
}

export function failoverCommand(argv: string[], io: Io): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    io.out(FAILOVER_USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "break-glass" && sub !== "check") {
    io.err(`drkit failover: unknown command "${sub}"\n\n${FAILOVER_USAGE}`);
    return 2;
  }
  try {
    if (sub === "check") return checkRequest(rest, io);
    const { values } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false });
    if (values.help) {
      io.out(FAILOVER_USAGE);
      return 0;
    }
    const to = values.to;
    if (to !== "primary" && to !== "secondary")
      throw new InputError(
        `--to must be primary or secondary (got ${to === undefined ? "nothing" : `"${to}"`})`,
      );
    if ((values.manifest === undefined) === (values["stack-config"] === undefined))
      throw new InputError("give one of --manifest FILE or --stack-config FILE");
    if (values["stack-config"] !== undefined) {
      io.out(fetchScript(values["stack-config"], to));
      return 0;
    }
    const defaults = defaultFailoverWeights(to);
    const given = [
      weight("primary-weight", values["primary-weight"]),
      weight("secondary-weight", values["secondary-weight"]),
    ];
    if ((given[0] === undefined) !== (given[1] === undefined))
      throw new InputError("give both --primary-weight and --secondary-weight, or neither");
    const weights = { primary: given[0] ?? defaults.primary, secondary: given[1] ?? defaults.secondary };
    const problems = checkFailoverWeights(to, weights);
    if (problems.length > 0) throw new InputError(problems.join("; "));
    const file = values.manifest as string;
    const manifest = parseFailoverManifest(readText(file, "the manifest"), file);
    io.out(breakGlassScript(manifest, to, weights).trimEnd());
    return 0;
  } catch (err) {
    if (
      err instanceof InputError ||
      err instanceof FailoverManifestError ||
      (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      io.err(`drkit failover ${sub}: ${(err as Error).message}\n\n${FAILOVER_USAGE}`);
      return 2;
    }
    throw err;
  }
}
