// Audit evidence for one check: what was checked, against which config, with which verdict, and when.
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { CheckResult } from "./check";
import { plainProperties } from "./harness/wire";
import { renderPostureTable } from "@drkit/posture";

/** The machine-readable result (`--json`, and `check.json` in the evidence). */
export function checkJson(result: CheckResult) {
  return {
    project: result.project.name,
    stack: result.stackConfig.stack,
    mode: result.run.preview ? "preview" : "update",
    policyPack: { name: result.pack.name, version: result.pack.version },
    failed: result.report.failed,
    violations: result.report.violations,
    ignoredPolicyNames: result.report.ignoredPolicyNames,
    encryptedConfigKeys: result.stackConfig.encryptedKeys,
    posture: result.posture ?? null,
  };
}

function gitCommit(dir: string): string | null {
  try {
    return execFileSync("git", ["rev-parse", "HEAD"], { cwd: dir, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
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

function markdownSummary(
  result: CheckResult,
  metadata: { checkedAt: string; gitCommit: string | null; configHash: string },
) {
  const lines = [
    `# DR check: ${result.project.name} / ${result.stackConfig.stack}`,
    "",
    `- Verdict: **${result.report.failed ? "FAILED" : "PASSED"}**`,
    `- Mode: ${result.run.preview ? "preview" : "update"} (offline, \`drkit check\`)`,
    `- Policy pack: ${result.pack.name}@v${result.pack.version}`,
    `- Checked at: ${metadata.checkedAt}`,
    `- Git commit: ${metadata.gitCommit ?? "(not a git checkout)"}`,
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
  return lines.join("\n") + "\n";
}

/** Writes the evidence files into `dir` (created if needed) and returns their paths. */
export function writeEvidence(dir: string, result: CheckResult, now: Date = new Date()): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const metadata = {
    checkedAt: now.toISOString(),
    gitCommit: gitCommit(result.project.dir),
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
  const files: Record<string, string> = {
    "metadata.json": JSON.stringify(metadata, null, 2),
    "check.json": JSON.stringify(checkJson(result), null, 2),
    "policy-report.json": JSON.stringify(result.report, null, 2),
    "inventory.json": JSON.stringify({ services: result.posture?.services ?? [], resources }, null, 2),
    "posture.json": JSON.stringify(result.posture ?? null, null, 2),
    "summary.md": markdownSummary(result, metadata),
  };
  return Object.entries(files).map(([name, content]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content.endsWith("\n") ? content : `${content}\n`);
    return file;
  });
}
