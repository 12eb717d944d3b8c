// `drkit audit append|verify`: the failover audit log, an append-only hash chain of records in the Object
// Lock records bucket. Exit codes: 0 done (append) or intact (verify); 1 the log is not an intact chain
// (nothing was appended); 2 a usage error, or S3 could not be reached or refused.
import { parseArgs, ParseArgsConfig } from "util";
import { S3Client } from "@aws-sdk/client-s3";
import type { Io } from "../main";
import { argumentProblem, misspeltOption } from "../checkArgs";
import { AppendResult, AuditLog, AuditLogError, VerifyReport, appendRecord, verifyLog } from "./log";
import {
  ArcResult,
  Outcome,
  Side,
  SwitchFacts,
  arcDetailProblem,
  enumValue,
  operatorProblem,
  parseWeights,
  reasonProblem,
  streamProblem,
} from "./record";

export const AUDIT_USAGE = `Usage: drkit audit append --bucket NAME --region REGION --operator WHO --reason TEXT
                          --from SIDE --to SIDE --weights primary=N,secondary=N
                          --arc-result RESULT [--arc-detail TEXT] --outcome OUTCOME
                          [--stream NAME] [--retention-days N] [--endpoint-url URL] [--json]
       drkit audit verify --bucket NAME --region REGION [--stream NAME] [--endpoint-url URL] [--json]

The failover audit log: one JSON record per switch, each a new object in the Object Lock records bucket
(s3://NAME/audit/STREAM/<sequence>.json), written with If-None-Match: * and locked in COMPLIANCE mode,
naming the sha256 of the record before it. \`append\` checks the stream's chain first and never extends a
broken one; \`verify\` checks every version of every record: gaps, edits, overwrites, deletions (delete
markers), reordering, and records not under retention.

  --bucket NAME          the records bucket in REGION (the PulumiStateBackend's recordsBucketNames)
  --region REGION        its AWS region: during a failover, the region being activated
  --operator WHO         who made the switch (1–100 printable characters), e.g. "$GITHUB_ACTOR"
  --reason TEXT          why, as the operator gave it, before anything is added to it: 10–500 printable
                         characters on one line
  --from SIDE, --to SIDE primary or secondary: the side that served before, and the side activated
  --weights W            the Route 53 weights set: primary=N,secondary=N, each 0–255
  --arc-result RESULT    switched, not-enabled, failed or skipped: what the ARC routing controls did
  --arc-detail TEXT      what the ARC step printed (one line, at most 1000 characters)
  --outcome OUTCOME      succeeded or failed: how the switch ended (a failed one is recorded too)
  --stream NAME          the chain to use (default: REGION). Each region's bucket keeps its own stream,
                         because replication copies the primary's records one way only
  --retention-days N     days the record is locked in COMPLIANCE mode, 1–36500 (default: 365)
  --endpoint-url URL     an S3-compatible endpoint instead of AWS's (path-style requests)
  --json                 print the result as JSON

Credentials come from the AWS SDK's default chain (environment, OIDC web identity, profile). The writer
needs s3:PutObject and s3:PutObjectRetention on audit/*, and s3:ListBucketVersions, s3:GetObjectVersion and
s3:GetObjectRetention to check the chain; the verifier needs the last three.

Exit status: 0 appended, or the log is intact; 1 the log is not an intact chain (each problem is listed,
and nothing was appended); 2 usage error, or S3 refused or could not be reached.`;

const COMMON = {
  bucket: { type: "string" },
  region: { type: "string" },
  stream: { type: "string" },
  "endpoint-url": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

const APPEND_OPTIONS = {
  ...COMMON,
  operator: { type: "string" },
  reason: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  weights: { type: "string" },
  "arc-result": { type: "string" },
  "arc-detail": { type: "string" },
  outcome: { type: "string" },
  "retention-days": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

class AuditUsageError extends Error {}

/** The shape of an AWS region code (`eu-west-1`, `us-gov-west-1`); S3 itself says whether the bucket is there. */
const AWS_REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

type Values = Record<string, string | boolean | undefined>;

function parse(subcommand: string, args: string[], options: ParseArgsConfig["options"] & object): Values {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: false, tokens: true });
  } catch (err) {
    throw new AuditUsageError(misspeltOption(args, options) ?? (err as Error).message);
  }
  const problem = argumentProblem(parsed, options);
  if (problem !== undefined) throw new AuditUsageError(problem);
  const values = parsed.values as Values;
  if (values.help) return values;
  const missing = ["bucket", "region", ...(subcommand === "append" ? REQUIRED_FOR_APPEND : [])].filter(
    (name) => values[name] === undefined,
  );
  if (missing.length > 0) throw new AuditUsageError(`give ${missing.map((m) => `--${m}`).join(", ")}`);
  return values;
}

const REQUIRED_FOR_APPEND = ["operator", "reason", "from", "to", "weights", "arc-result", "outcome"];

const oneOf = (values: Readonly<Record<string, string>>) =>
  Object.values(values)
    .map((v) => JSON.stringify(v))
    .join(", ");

/** Every problem with `append`'s values, the reason first: it is checked as given, before any suffix. */
function switchFacts(values: Values): SwitchFacts {
  const problems: string[] = [];
  const add = (problem: string | undefined) => problem !== undefined && problems.push(problem);
  add(reasonProblem(values.reason));
  add(operatorProblem(values.operator));
  const from = enumValue(Side, values.from);
  const to = enumValue(Side, values.to);
  if (!from) add(`--from must be one of ${oneOf(Side)} (got ${JSON.stringify(values.from)})`);
  if (!to) add(`--to must be one of ${oneOf(Side)} (got ${JSON.stringify(values.to)})`);
  const weights = parseWeights(String(values.weights));
  if (typeof weights === "string") add(weights);
  else if (to && weights[to] === 0)
    add(`--weights give ${to}, the side activated (--to), weight 0: raise it`);
  const arcResult = enumValue(ArcResult, values["arc-result"]);
  if (!arcResult)
    add(`--arc-result must be one of ${oneOf(ArcResult)} (got ${JSON.stringify(values["arc-result"])})`);
  const arcDetail = values["arc-detail"] === undefined ? null : String(values["arc-detail"]);
  if (arcDetail !== null) add(arcDetailProblem(arcDetail));
  const outcome = enumValue(Outcome, values.outcome);
  if (!outcome) add(`--outcome must be one of ${oneOf(Outcome)} (got ${JSON.stringify(values.outcome)})`);
  if (problems.length > 0 || !from || !to || typeof weights === "string" || !arcResult || !outcome)
    throw new AuditUsageError(problems.join("\n  "));
  return {
    operator: values.operator as string,
    reason: values.reason as string,
    from,
    to,
    weights,
    arcResult,
    arcDetail,
    outcome,
  };
}

function retentionDays(values: Values): number {
  const text = values["retention-days"];
  if (text === undefined) return 365;
  const days = Number(text);
  if (!/^\d+$/.test(String(text)) || days < 1 || days > 36_500)
    throw new AuditUsageError(
      `--retention-days must be a whole number of days from 1 to 36500 (got ${JSON.stringify(text)})`,
    );
  return days;
}

/** The log the values point at: the real AWS SDK client, for AWS or an S3-compatible endpoint. */
function auditLog(values: Values): { log: AuditLog; stream: string } {
  const region = String(values.region);
  if (!AWS_REGION_CODE.test(region))
    throw new AuditUsageError(
      `--region must be an AWS region code such as eu-west-1 (got ${JSON.stringify(region)})`,
    );
  const stream = values.stream === undefined ? region : String(values.stream);
  const badStream = streamProblem(stream);
  if (badStream) throw new AuditUsageError(badStream);
  const endpoint = values["endpoint-url"] === undefined ? undefined : String(values["endpoint-url"]);
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint))
    throw new AuditUsageError(
      `--endpoint-url must be an http(s) URL, such as https://s3.example.com (got ${JSON.stringify(endpoint)})`,
    );
  const client = new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
  return { log: { client, bucket: String(values.bucket) }, stream };
}

function renderVerify(report: VerifyReport): string {
  const lines: string[] = [];
  for (const s of report.streams) {
    const where = `s3://${report.bucket}/audit/${s.stream}/`;
    if (s.problems.length === 0)
      lines.push(
        s.head === null
          ? `${where}: no records yet`
          : `${where}: ${s.records} record${s.records === 1 ? "" : "s"}, chain intact; head record ${s.head.sequence} (${s.head.time}), sha256 ${s.head.sha256}`,
      );
    else lines.push(`${where}: ${s.records} records, NOT INTACT:`, ...s.problems.map((p) => `  - ${p}`));
  }
  for (const key of report.strayObjects) lines.push(`s3://${report.bucket}/${key}: not a record of the log`);
  if (report.streams.length === 0 && report.strayObjects.length === 0)
    lines.push(`s3://${report.bucket}/audit/: no records yet`);
  return lines.join("\n");
}

export const intact = (report: VerifyReport) =>
  report.strayObjects.length === 0 && report.streams.every((s) => s.problems.length === 0);

function renderAppend(result: AppendResult, bucket: string): string {
  return `appended record ${result.record.sequence} to s3://${bucket}/${result.key}, sha256 ${result.sha256}, locked (COMPLIANCE) until ${result.retainUntil.toISOString()}`;
}

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const [subcommand, ...rest] = argv;
  if (subcommand === undefined || subcommand === "--help" || subcommand === "-h" || subcommand === "help") {
    io.out(AUDIT_USAGE);
    return subcommand === undefined ? 2 : 0;
  }
  if (subcommand !== "append" && subcommand !== "verify") {
    io.err(`drkit audit: unknown subcommand "${subcommand}": append or verify\n\n${AUDIT_USAGE}`);
    return 2;
  }
  try {
    const values = parse(subcommand, rest, subcommand === "append" ? APPEND_OPTIONS : COMMON);
    if (values.help) {
      io.out(AUDIT_USAGE);
      return 0;
    }
    // The switch's facts first: a bad reason is refused before anything else is read or written.
    const facts = subcommand === "append" ? switchFacts(values) : undefined;
    const days = subcommand === "append" ? retentionDays(values) : 0;
    const { log, stream } = auditLog(values);
    if (facts) {
      const result = await appendRecord(log, { stream, facts, retentionDays: days });
      io.out(values.json ? JSON.stringify(result, null, 2) : renderAppend(result, log.bucket));
      return 0;
    }
    const report = await verifyLog(log, values.stream === undefined ? undefined : stream);
    io.out(
      values.json ? JSON.stringify({ intact: intact(report), ...report }, null, 2) : renderVerify(report),
    );
    return intact(report) ? 0 : 1;
  } catch (err) {
    if (err instanceof AuditUsageError) {
      io.err(`drkit audit ${subcommand}: ${err.message}\n\n${AUDIT_USAGE}`);
      return 2;
    }
    if (err instanceof AuditLogError) {
      io.err(`drkit audit ${subcommand}: ${err.message}${err.problems.map((p) => `\n  - ${p}`).join("")}`);
      return 1;
    }
    io.err(
      `drkit audit ${subcommand}: S3 refused or could not be reached: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
    );
    return 2;
  }
}
