// `drkit drills report`: the validation report of the restore drills, from their records in the Object Lock
// records bucket. Exit codes: 0 every record valid and every last drill passed; 1 not proven (no record, an
// invalid record, a last drill that failed) — the report is written either way; 2 a usage error, or S3
// could not be reached or refused.
import * as fs from "fs";
import * as path from "path";
import { parseArgs, ParseArgsConfig } from "util";
import { S3Client } from "@aws-sdk/client-s3";
import { InvalidPolicyError, TierTargets, resolveResiliencyPolicy } from "@drkit/posture";
import type { Io } from "../main";
import { argumentProblem, misspeltOption } from "../checkArgs";
import {
  MANIFEST_FILE,
  SIGNATURE_FILE,
  drkitVersion,
  keyFingerprint,
  parseManifest,
  readSigningKey,
  renderManifest,
  sha256Digest,
  comparePaths,
  signManifest,
} from "../manifest";
import { UsageError } from "../project";
import { readDrillRecords } from "./store";
import { buildDrillsReport, measuredRestoresSnippet, renderDrillsMarkdown, reportProblems } from "./report";

export const DRILLS_USAGE = `Usage: drkit drills report --bucket NAME --region REGION --out DIR [--service NAME] [--since DATE]
                          [--policy-config FILE] [--policy-config-snippet FILE] [--sign-key KEY.pem]
                          [--endpoint-url URL] [--json]

The validation report of the restore drills: reads every drill record under s3://NAME/drills/ (every
version: a record overwritten or deleted is reported), checks each against the drill-result contract, and
writes DIR/drills.json (every record, and per service and kind the last run, last success, pass rate,
median and longest restore time) and DIR/drills.md (a summary for an auditor). A malformed record, one of
another schema version or an inconsistent one (ok with a failed check) is listed and never counted.

  --bucket NAME                 the Object Lock records bucket the drills write to
  --region REGION               its AWS region
  --out DIR                     where to write drills.json and drills.md. When DIR is a \`drkit check
                                --report\` folder, both join its manifest.json (\`drkit verify DIR\` checks them)
  --service NAME                only this service's drills
  --since DATE                  only drills started at or after DATE (YYYY-MM-DD or an ISO 8601 UTC time)
  --policy-config FILE          the RTO targets per tier, from drkit-rpo-rto's \`tiers\` in this
                                --policy-pack-config file (default: drkit's default tiers)
  --policy-config-snippet FILE  write every passing drill's restore time as drkit-rpo-rto's
                                \`measuredRestores\`, to merge into the policy config \`drkit check\` reads
  --sign-key KEY.pem            the Ed25519 key the evidence folder's manifest is signed with: required when
                                it is signed, to sign it again
  --endpoint-url URL            an S3-compatible endpoint instead of AWS's (path-style requests)
  --json                        print drills.json on stdout instead of the summary

Credentials come from the AWS SDK's default chain; the reader needs s3:ListBucketVersions and
s3:GetObjectVersion on drills/*.

Exit status: 0 every record valid and every service's last drill passed; 1 not proven (no record, an
invalid record, or a last drill that failed: the report says which, and is written); 2 usage error, or S3
refused or could not be reached.`;

const OPTIONS = {
  bucket: { type: "string" },
  region: { type: "string" },
  out: { type: "string" },
  service: { type: "string" },
  since: { type: "string" },
  "policy-config": { type: "string" },
  "policy-config-snippet": { type: "string" },
  "sign-key": { type: "string" },
  "endpoint-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

class DrillsUsageError extends Error {}

const AWS_REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z)?$/;
/** drills.json and drills.md: the files the report writes. */
export const DRILLS_EVIDENCE_FILES = ["drills.json", "drills.md"] as const;

function since(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const at = SINCE.test(text) ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text) : NaN;
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== text.slice(0, 10))
    throw new DrillsUsageError(
      `--since must be a date YYYY-MM-DD or an ISO 8601 UTC time such as 2026-11-01T00:00:00Z (got ${JSON.stringify(text)})`,
    );
  return new Date(at);
}

/** The tiers' targets: drkit-rpo-rto's `tiers` from a policy config file over the defaults. */
function tiersFrom(file: string | undefined): Readonly<Record<string, TierTargets>> {
  let settings: unknown = {};
  if (file !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (err) {
      throw new DrillsUsageError(`--policy-config ${file} cannot be read as JSON: ${(err as Error).message}`);
    }
    settings = (json as Record<string, unknown> | null)?.["drkit-rpo-rto"] ?? {};
  }
  const tiers = (settings as { tiers?: unknown }).tiers;
  try {
    return resolveResiliencyPolicy({ tiers: tiers as Record<string, TierTargets> | undefined }).tiers;
  } catch (err) {
    if (err instanceof InvalidPolicyError)
      throw new DrillsUsageError(`--policy-config ${file}: ${err.problems.join("; ")}`);
    throw err;
  }
}

/**
 * When `dir` is an evidence folder (it has manifest.json), the drills files join its manifest, signed again
 * with the same key when it was signed. Returns the paths written.
 */
function joinManifest(
  dir: string,
  files: Readonly<Record<string, string>>,
  signKey: string | undefined,
): string[] {
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(manifestFile)) {
    if (signKey !== undefined)
      throw new DrillsUsageError(`--sign-key signs an evidence folder's manifest.json, and ${dir} has none`);
    return [];
  }
  const manifest = parseManifest(fs.readFileSync(manifestFile, "utf8"), manifestFile);
  const key = signKey === undefined ? undefined : readSigningKey(signKey);
  if (manifest.signature !== null && key === undefined)
    throw new DrillsUsageError(
      `${manifestFile} is signed: give --sign-key with the key it was signed with, so the drills files join it signed (or write them to another folder)`,
    );
  if (
    manifest.signature !== null &&
    key !== undefined &&
    keyFingerprint(key) !== manifest.signature.publicKey
  )
    throw new DrillsUsageError(
      `${manifestFile} was signed by key ${manifest.signature.publicKey}, and --sign-key is ${keyFingerprint(key)}: give the key it was signed with`,
    );
  const names = Object.keys(files);
  const evidence = [
    ...manifest.evidence.filter((f) => !names.includes(f.path)),
    ...Object.entries(files).map(([name, content]) => ({ path: name, digest: sha256Digest(content) })),
  ].sort((a, b) => comparePaths(a.path, b.path));
  const text = renderManifest({
    ...manifest,
    evidence,
    signature:
      key === undefined
        ? manifest.signature
        : { algorithm: "ed25519", file: SIGNATURE_FILE, publicKey: keyFingerprint(key) },
  });
  fs.writeFileSync(manifestFile, text);
  if (key === undefined) return [manifestFile];
  const signatureFile = path.join(dir, SIGNATURE_FILE);
  fs.writeFileSync(signatureFile, signManifest(text, key));
  return [manifestFile, signatureFile];
}

export async function drillsCommand(argv: string[], io: Io, now = new Date()): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === "--help" || subcommand === "-h" || subcommand === "help") {
    io.out(DRILLS_USAGE);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== "report") {
    io.err(`drkit drills: unknown subcommand "${subcommand}": report\n\n${DRILLS_USAGE}`);
    return 2;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: rest, options: OPTIONS, allowPositionals: false, tokens: true });
    } catch (err) {
      throw new DrillsUsageError(misspeltOption(rest, OPTIONS) ?? (err as Error).message);
    }
    const problem = argumentProblem(parsed, OPTIONS);
    if (problem !== undefined) throw new DrillsUsageError(problem);
    const values = parsed.values;
    if (values.help) {
      io.out(DRILLS_USAGE);
      return 0;
    }
    const missing = (["bucket", "region", "out"] as const).filter((name) => values[name] === undefined);
    if (missing.length > 0) throw new DrillsUsageError(`give ${missing.map((m) => `--${m}`).join(", ")}`);
    const region = values.region as string;
    if (!AWS_REGION_CODE.test(region))
      throw new DrillsUsageError(
        `--region must be an AWS region code such as eu-west-1 (got ${JSON.stringify(region)})`,
      );
    const endpoint = values["endpoint-url"];
    if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint))
      throw new DrillsUsageError(
        `--endpoint-url must be an http(s) URL, such as https://s3.example.com (got ${JSON.stringify(endpoint)})`,
      );
    if (values.service !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values.service))
      throw new DrillsUsageError(
        `--service must be a service name (letters, digits, ".", "_", "-") (got ${JSON.stringify(values.service)})`,
      );
    const from = since(values.since);
    const tiers = tiersFrom(values["policy-config"]);
    const out = values.out as string;
    const bucket = values.bucket as string;

    const client = new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
    const records = await readDrillRecords({ client, bucket }, values.service);
    const report = buildDrillsReport({
      records,
      bucket,
      region,
      service: values.service,
      since: from,
      tiers,
      now,
    });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const files = { "drills.json": json, "drills.md": renderDrillsMarkdown(report, drkitVersion()) };
    fs.mkdirSync(out, { recursive: true });
    const written = Object.entries(files).map(([name, content]) => {
      const file = path.join(out, name);
      fs.writeFileSync(file, content);
      return file;
    });
    written.push(...joinManifest(out, files, values["sign-key"]));
    const snippetFile = values["policy-config-snippet"];
    if (snippetFile !== undefined) {
      fs.writeFileSync(snippetFile, `${JSON.stringify(measuredRestoresSnippet(report), null, 2)}\n`);
      written.push(snippetFile);
    }
    const problems = reportProblems(report);
    if (values.json) io.out(json.trimEnd());
    else
      io.out(
        [
          ...report.summaries.map(
            (s) =>
              `${s.service} ${s.kind}: last drill ${s.lastRun.startedAt} ${s.lastRun.ok ? "passed" : "FAILED"}; last success ${s.lastSuccess?.startedAt ?? "none"}; passed ${s.passed}/${s.runs}${s.maxRestoreSeconds === null ? "" : `; restore median ${s.medianRestoreSeconds} s, longest ${s.maxRestoreSeconds} s`}`,
          ),
          ...report.records.flatMap((r) =>
            r.valid ? [] : [`INVALID s3://${bucket}/${r.key}: ${r.problems.join("; ")}`],
          ),
          problems.length === 0 ? "every last drill passed" : `NOT PROVEN: ${problems.join("; ")}`,
        ].join("\n"),
      );
    io.err(`report written to ${written.join(", ")}`);
    return problems.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof DrillsUsageError) {
      io.err(`drkit drills report: ${err.message}\n\n${DRILLS_USAGE}`);
      return 2;
    }
    if (err instanceof UsageError) {
      io.err(`drkit drills report: ${err.message}`);
      return 2;
    }
    if (typeof (err as NodeJS.ErrnoException).syscall === "string") {
      io.err(`drkit drills report: the report cannot be written: ${(err as Error).message}`);
      return 2;
    }
    io.err(
      `drkit drills report: S3 refused or could not be reached: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    return 2;
  }
}
