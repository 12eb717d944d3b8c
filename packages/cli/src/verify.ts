// `drkit verify REPORT_DIR`: is this report what `drkit check --report` wrote, for the checkout at hand?
// Exit codes: 0 everything matches; 1 something differs (each difference listed) or the signature is bad;
// 2 the verification could not be made (usage, no or malformed manifest, unusable key, no checkout).
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import type { KeyObject } from "crypto";
import type { Io } from "./main";
import { UsageError } from "./project";
import { EVIDENCE_FILES } from "./evidence";
import {
  compareEvidence,
  compareInputs,
  Difference,
  GitState,
  INPUT_GROUP_LABELS,
  INPUT_GROUPS,
  keyFingerprint,
  Manifest,
  MANIFEST_FILE,
  manifestSignatureIsValid,
  parseManifest,
  readVerifyingKey,
  SIGNATURE_FILE,
} from "./manifest";

export const VERIFY_USAGE = `Usage: drkit verify REPORT_DIR [--public-key PUB.pem] [--root DIR] [--evidence-only]

Checks a report written by \`drkit check --report REPORT_DIR\` against its manifest.json: every evidence file
is there with the sha256 recorded, and none was added; then hashes again, in the checkout, the inputs that
decided the verdict (the program's files, the lockfile, the policy pack, the stack and policy config) and
names each one that changed. A signed report (manifest.sig) is checked against the public key.

  --public-key PUB.pem  the Ed25519 public key (PEM) of the key the report was signed with; required when
                        the report is signed, and a report without manifest.sig then fails
  --root DIR            the checkout to hash the inputs in (default: the folder recorded in manifest.json)
  --evidence-only       check the evidence files (and the signature) alone, not the inputs: for a report
                        read away from its checkout

Exit status: 0 everything matches; 1 something differs (each difference is listed) or the signature is bad;
2 usage error (no manifest.json, unreadable folder or key, malformed manifest, no --public-key for a
signed report, no checkout).`;

export interface VerifyOptions {
  readonly reportDir: string;
  /** an Ed25519 public key in PEM; required when the report is signed */
  readonly publicKeyFile?: string;
  /**
   * the checkout to hash the inputs in
   * @default - the root recorded in manifest.json
   */
  readonly root?: string;
  /**
   * skip the inputs
   * @default false - the inputs are checked: a report is only evidence for the code it was written for
   */
  readonly evidenceOnly?: boolean;
}

export type SignatureCheck =
  | { readonly status: "unsigned" }
  | { readonly status: "valid"; readonly fingerprint: string }
  | { readonly status: "invalid"; readonly reason: string };

export interface VerifyResult {
  readonly reportDir: string;
  readonly manifest: Manifest;
  readonly evidence: Difference[];
  /** null when the inputs were not checked (`--evidence-only`) */
  readonly inputs: { readonly root: string; readonly differences: Difference[] } | null;
  readonly signature: SignatureCheck;
}

/** Everything that differs; 0 means the report verifies. */
export function differenceCount(result: VerifyResult): number {
  return (
    result.evidence.length +
    (result.inputs?.differences.length ?? 0) +
    (result.signature.status === "invalid" ? 1 : 0)
  );
}

function readReportDir(dir: string): void {
  const unreadable = () =>
    new UsageError(`cannot read the report folder ${dir}: pass the folder \`drkit check --report\` wrote`);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw unreadable();
  }
  if (!stat.isDirectory()) {
    throw new UsageError(`${dir} is not a folder: pass the folder \`drkit check --report\` wrote`);
  }
  try {
    fs.readdirSync(dir);
  } catch {
    throw unreadable();
  }
}

function checkSignature(
  manifestBytes: Buffer,
  manifest: Manifest,
  dir: string,
  key: KeyObject,
  keyFile: string,
): SignatureCheck {
  const signatureFile = path.join(dir, SIGNATURE_FILE);
  let signature: string;
  try {
    signature = fs.readFileSync(signatureFile, "utf8");
  } catch {
    return {
      status: "invalid",
      reason: `--public-key was given, and ${SIGNATURE_FILE} is missing: the report was not signed, or its signature was removed`,
    };
  }
  const fingerprint = keyFingerprint(key);
  if (manifestSignatureIsValid(manifestBytes, signature, key)) return { status: "valid", fingerprint };
  const named = manifest.signature?.publicKey;
  return {
    status: "invalid",
    reason:
      named !== undefined && named !== fingerprint
        ? `${SIGNATURE_FILE} does not verify with ${keyFile} (key ${fingerprint}); ${MANIFEST_FILE} names key ${named}: pass that key's public half, or the report was changed`
        : `${SIGNATURE_FILE} does not verify with ${keyFile}: ${MANIFEST_FILE} or ${SIGNATURE_FILE} was changed after signing`,
  };
}

/**
 * Verifies the report in `options.reportDir`. Throws a `UsageError` when it cannot be verified at all;
 * returns every difference otherwise. Every check that can fail with exit 2 (key, checkout) runs before any
 * file is hashed, so a usage error never comes with a partial answer.
 */
export function verifyReport(options: VerifyOptions): VerifyResult {
  const dir = options.reportDir;
  readReportDir(dir);
  const manifestFile = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(manifestFile)) {
    throw new UsageError(
      `no ${MANIFEST_FILE} in ${dir}: drkit verify takes a folder written by \`drkit check --report\`; write the report again to get one`,
    );
  }
  let manifestBytes: Buffer;
  try {
    manifestBytes = fs.readFileSync(manifestFile);
  } catch {
    throw new UsageError(`cannot read ${manifestFile}`);
  }
  const manifest = parseManifest(manifestBytes.toString("utf8"), manifestFile);

  const signed = manifest.signature !== null || fs.existsSync(path.join(dir, SIGNATURE_FILE));
  if (signed && options.publicKeyFile === undefined) {
    throw new UsageError(
      `${dir} is signed (${manifest.signature ? `${MANIFEST_FILE} names key ${manifest.signature.publicKey}` : SIGNATURE_FILE}): pass --public-key PUB.pem, the public half of the key it was signed with`,
    );
  }
  const keyFile = options.publicKeyFile;
  const key = keyFile === undefined ? undefined : { file: keyFile, key: readVerifyingKey(keyFile) };

  const root = options.root ?? manifest.inputs.root;
  if (!options.evidenceOnly && !(fs.existsSync(root) && fs.statSync(root).isDirectory())) {
    throw new UsageError(
      options.root === undefined
        ? `the inputs' folder ${root} (recorded in ${MANIFEST_FILE}) is not here: pass --root with the checkout the report was written for, or --evidence-only to check the evidence files alone`
        : `--root ${root} is not a folder: pass the checkout the report was written for`,
    );
  }

  return {
    reportDir: dir,
    manifest,
    signature:
      key === undefined
        ? { status: "unsigned" }
        : checkSignature(manifestBytes, manifest, dir, key.key, key.file),
    evidence: compareEvidence(dir, manifest, EVIDENCE_FILES),
    inputs: options.evidenceOnly
      ? null
      : { root: path.resolve(root), differences: compareInputs(manifest, root, dir) },
  };
}

const GIT_PATHS_SHOWN = 10;

function gitLine(git: GitState | null): string {
  if (git === null) return "Git: not a git checkout";
  if (!git.dirty) return `Git: commit ${git.commit}, clean`;
  const shown = git.changedPaths.slice(0, GIT_PATHS_SHOWN);
  const more = git.changedPaths.length - shown.length;
  return `Git: commit ${git.commit}, with uncommitted changes when the report was written: ${shown.join(", ")}${more > 0 ? `, and ${more} more (${MANIFEST_FILE} lists them all)` : ""}`;
}

function differenceLine(d: Difference): string {
  const note =
    d.group !== undefined
      ? ` (${INPUT_GROUP_LABELS[d.group]})`
      : d.kind === "changed"
        ? ` (its sha256 is not the one in ${MANIFEST_FILE})`
        : d.kind === "added"
          ? ` (not in ${MANIFEST_FILE})`
          : "";
  return `    ${d.kind}: ${d.path}${note}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function sectionHead(files: number, differences: Difference[]): string {
  return `${plural(files, "file")} in ${MANIFEST_FILE}; ${differences.length === 0 ? "all match" : plural(differences.length, "difference")}`;
}

/** The text `drkit verify` prints: a section per check, each difference on a line of its own, a verdict. */
export function renderVerifyResult(result: VerifyResult): string {
  const { manifest } = result;
  const lines = [
    `Report: ${result.reportDir}, written ${manifest.createdAt} by drkit ${manifest.drkit} on Node.js ${manifest.node}`,
    `Evidence: ${sectionHead(manifest.evidence.length, result.evidence)}`,
    ...result.evidence.map(differenceLine),
  ];
  if (result.inputs === null) lines.push("Inputs: not checked (--evidence-only)");
  else {
    const recorded = INPUT_GROUPS.reduce((n, group) => n + manifest.inputs.files[group].length, 0);
    lines.push(
      `Inputs, hashed again in ${result.inputs.root}: ${sectionHead(recorded, result.inputs.differences)}`,
      ...result.inputs.differences.map(differenceLine),
    );
  }
  lines.push(gitLine(manifest.git));
  const signature = result.signature;
  lines.push(
    signature.status === "unsigned"
      ? "Signature: none (the report is not signed)"
      : signature.status === "valid"
        ? `Signature: valid (Ed25519 key ${signature.fingerprint})`
        : `Signature: INVALID: ${signature.reason}`,
  );
  const count = differenceCount(result);
  lines.push(
    count > 0
      ? `FAILED: ${plural(count, "difference")} from what drkit check recorded.`
      : result.inputs === null
        ? `VERIFIED: the evidence files match ${MANIFEST_FILE} (inputs not checked).`
        : `VERIFIED: the evidence files and the inputs match ${MANIFEST_FILE}.`,
  );
  return lines.join("\n");
}

export async function verifyCommand(args: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "public-key": { type: "string" },
        root: { type: "string" },
        "evidence-only": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (err) {
    io.err(`drkit verify: ${(err as Error).message}\n\n${VERIFY_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(VERIFY_USAGE);
    return 0;
  }
  const [reportDir, ...others] = positionals;
  if (reportDir === undefined || others.length > 0) {
    io.err(
      `drkit verify: ${reportDir === undefined ? "give the report folder (the DIR of `drkit check --report DIR`)" : "give one REPORT_DIR"}\n\n${VERIFY_USAGE}`,
    );
    return 2;
  }
  if (values["evidence-only"] && values.root !== undefined) {
    io.err(`drkit verify: --root and --evidence-only exclude each other\n\n${VERIFY_USAGE}`);
    return 2;
  }
  try {
    const result = verifyReport({
      reportDir,
      publicKeyFile: values["public-key"],
      root: values.root,
      evidenceOnly: values["evidence-only"],
    });
    io.out(renderVerifyResult(result));
    return differenceCount(result) === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`drkit verify: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
