// Audit evidence for one check: what was checked, against which config, with which verdict, and when.
import { createHash, KeyObject } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { CheckResult } from "./check";
import { plainProperties } from "./harness/wire";
import { renderPostureTable } from "@drkit/posture";
import { changedValues } from "./format";
import { keyPath } from "./harness/messages";
import {
  buildManifest,
  checkReportDir,
  gitState,
  GitState,
  hashInputs,
  inputLocations,
  MANIFEST_FILE,
  renderManifest,
  SIGNATURE_FILE,
  signManifest,
} from "./manifest";

/** The evidence files every report has, besides manifest.json (and manifest.sig when signed). */
export const EVIDENCE_FILES = [
  "metadata.json",
  "check.json",
  "policy-report.json",
  "inventory.json",
  "posture.json",
  "summary.md",
] as const;

/** The machine-readable result (`--json`, and `check.json` in the evidence). */
export function checkJson(result: CheckResult) {
  return {
    project: result.project.name,
    stack: result.stackConfig.stack,
    mode: result.run.preview ? "preview" : "update",
    policyPack: { name: result.pack.name, version: result.pack.version },
    failed: result.report.failed,
    violations: result.report.violations,
    remediations: result.report.remediations,
    ignoredPolicyNames: result.report.ignoredPolicyNames,
    encryptedConfigKeys: result.stackConfig.encryptedKeys,
    posture: result.posture ?? null,
    remoteComponents: result.remoteComponents,
  };
}

/** sha256 over the stack config and the policy config as used, keys sorted: the same inputs give the same hash. */
export function configHash(result: CheckResult): string {
  const sorted = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  const material = JSON.stringify({
    stack: sorted(result.stackConfig.config),
    policy: sorted(result.policyConfig),
  });
  return `sha256:${createHash("sha256").update(material).digest("hex")}`;
}

/** How many changed paths summary.md names before it points at manifest.json for the rest. */
const SUMMARY_CHANGED_PATHS = 10;

/** The commit, and what the work tree held besides it: a reader of summary.md must see an uncommitted edit. */
export function describeGit(git: GitState | null): string {
  if (git === null) return "(not a git checkout)";
  if (!git.dirty) return `${git.commit} (clean)`;
  const shown = git.changedPaths.slice(0, SUMMARY_CHANGED_PATHS).map((p) => `\`${p}\``);
  const more = git.changedPaths.length - shown.length;
  const n = git.changedPaths.length;
  return `${git.commit} **with uncommitted changes** in ${n} path${n === 1 ? "" : "s"}: ${shown.join(", ")}${more > 0 ? `, and ${more} more (manifest.json lists them all)` : ""}`;
}

function markdownSummary(
  result: CheckResult,
  metadata: { checkedAt: string; configHash: string },
  git: GitState | null,
) {
  const lines = [
    `# DR check: ${result.project.name} / ${result.stackConfig.stack}`,
    "",
    `- Verdict: **${result.report.failed ? "FAILED" : "PASSED"}**`,
    `- Mode: ${result.run.preview ? "preview" : "update"} (offline, \`drkit check\`)`,
    `- Policy pack: ${result.pack.name}@v${result.pack.version}`,
    `- Checked at: ${metadata.checkedAt}`,
    `- Git commit: ${describeGit(git)}`,
    `- Config hash: \`${metadata.configHash}\``,
    `- Resources: ${result.run.resources.length}`,
    "",
    "## Posture",
    "",
    result.posture
      ? "```\n" + renderPostureTable(result.posture) + "\n```"
      : "The drkit-rpo-rto policy did not run.",
    "",
    "## Policy violations",
    "",
  ];
  if (result.report.violations.length === 0) lines.push("None.");
  else {
    lines.push("| level | policy | resource | message |", "|---|---|---|---|");
    for (const v of result.report.violations) {
      const message = v.message.replace(/\|/g, "\\|").replace(/\n/g, "<br>");
      lines.push(`| ${v.enforcementLevel} | ${v.policyName} | \`${v.urn}\` | ${message} |`);
    }
  }
  if (result.report.remediations.length > 0) {
    lines.push("", "## Remediations", "", "| policy | resource | change |", "|---|---|---|");
    for (const r of result.report.remediations) {
      const changes = r.changes.map(
        (c) => `\`${keyPath(c.path)}\`: ${changedValues(c).replace(/\|/g, "\\|")}`,
      );
      lines.push(`| ${r.policyName} | \`${r.urn}\` | ${changes.join("<br>")} |`);
    }
  }
  return lines.join("\n") + "\n";
}

export interface EvidenceOptions {
  /**
   * the `--policy-config` file the check read, as given; hashed into manifest.json. Required (pass
   * `undefined` when there was none), so that no caller forgets it and leaves that input unrecorded.
   */
  readonly policyConfigFile: string | undefined;
  /**
   * when the check happened
   * @default now
   */
  readonly now?: Date;
  /**
   * an Ed25519 private key (`readSigningKey`) to sign manifest.json with, into manifest.sig
   * @default - the report is not signed
   */
  readonly signingKey?: KeyObject;
}

/**
 * Writes the evidence files into `dir` (created if needed), then manifest.json with their sha256 and the
 * inputs', then manifest.sig when there is a signing key, and returns the paths written.
 */
export function writeEvidence(dir: string, result: CheckResult, options: EvidenceOptions): string[] {
  const now = options.now ?? new Date();
  checkReportDir(result.project.dir, dir);
  fs.mkdirSync(dir, { recursive: true });
  // Before anything is written: the report's own files are not changes to the program.
  const reportDir = fs.realpathSync(dir);
  const git = gitState(result.project.dir, [reportDir]);
  const metadata = {
    checkedAt: now.toISOString(),
    gitCommit: git?.commit ?? null,
    gitDirty: git?.dirty ?? null,
    configHash: configHash(result),
    project: result.project.name,
    stack: result.stackConfig.stack,
    stackConfigFile: result.stackConfig.file ?? null,
    policyPack: { name: result.pack.name, version: result.pack.version },
  };
  const resources = result.run.resources.map((r) => {
    const provider = result.run.providerOf(r);
    return {
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent ?? null,
      provider: provider?.urn ?? null,
      region: (provider && plainProperties(provider.inputs).region) ?? null,
    };
  });
  const files: Record<(typeof EVIDENCE_FILES)[number], string> = {
    "metadata.json": JSON.stringify(metadata, null, 2),
    "check.json": JSON.stringify(checkJson(result), null, 2),
    "policy-report.json": JSON.stringify(result.report, null, 2),
    "inventory.json": JSON.stringify({ services: result.posture?.services ?? [], resources }, null, 2),
    "posture.json": JSON.stringify(result.posture ?? null, null, 2),
    "summary.md": markdownSummary(result, metadata, git),
  };
  const written: Record<string, string> = {};
  const paths = EVIDENCE_FILES.map((name) => {
    const file = path.join(dir, name);
    const content = files[name].endsWith("\n") ? files[name] : `${files[name]}\n`;
    fs.writeFileSync(file, content);
    written[name] = content;
    return file;
  });

  const inputs = hashInputs(
    inputLocations({
      programDir: result.project.dir,
      policyPackDir: result.pack.dir,
      stackConfigFile: result.stackConfig.file,
      policyConfigFile: options.policyConfigFile,
      reportDir,
    }),
  );
  const manifest = renderManifest(
    buildManifest({ createdAt: now, git, evidence: written, inputs, signingKey: options.signingKey }),
  );
  const manifestFile = path.join(dir, MANIFEST_FILE);
  fs.writeFileSync(manifestFile, manifest);
  paths.push(manifestFile);
  const signatureFile = path.join(dir, SIGNATURE_FILE);
  if (options.signingKey) {
    fs.writeFileSync(signatureFile, signManifest(manifest, options.signingKey));
    paths.push(signatureFile);
  } else {
    // A signature left from an earlier signed report in this folder would fail against the new manifest.
    fs.rmSync(signatureFile, { force: true });
  }
  return paths;
}
