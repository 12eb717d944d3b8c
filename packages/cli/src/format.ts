// Terminal output shaped like `pulumi preview`'s policy section, so the same eyes read both.
import type { CheckResult } from "./check";
import type { Violation } from "./harness/analyzer";
import { renderPostureTable } from "@drkit/posture";

function resourceLabel(result: CheckResult, violation: Violation): string {
  const resource = result.run.byUrn(violation.urn);
  return resource ? `${resource.type}: ${resource.name}` : violation.urn;
}

/** The `Policies:` section: one block per pack, one entry per violation, mandatory first. */
export function renderPolicySection(result: CheckResult): string {
  const { report, pack } = result;
  const ordered = [...report.violations].sort(
    (a, b) => Number(b.enforcementLevel === "mandatory") - Number(a.enforcementLevel === "mandatory"),
  );
  const mark = report.failed ? "❌" : ordered.length > 0 ? "⚠️" : "✅";
  const lines = ["Policies:", `    ${mark} ${pack.name}@v${pack.version} (local: ${pack.dir})`];
  for (const v of ordered) {
    lines.push(`        - [${v.enforcementLevel}]  ${v.policyName}  (${resourceLabel(result, v)})`);
    for (const line of v.message.split("\n")) lines.push(`          ${line}`);
  }
  if (report.ignoredPolicyNames.length > 0) {
    lines.push(
      `    note: the policy config names ${report.ignoredPolicyNames.map((n) => `"${n}"`).join(", ")}, which ${pack.name} does not have; they were ignored, as the Pulumi CLI ignores them`,
    );
  }
  for (const key of result.stackConfig.encryptedKeys) {
    lines.push(
      `    note: config ${key} is encrypted; offline it is a placeholder, so checks that read it are approximate`,
    );
  }
  return lines.join("\n");
}

export function renderSummary(result: CheckResult): string {
  const mandatory = result.report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = result.report.violations.length - mandatory;
  const verdict = result.report.failed
    ? `FAILED: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"} would stop \`pulumi ${result.run.preview ? "preview" : "up"}\`.`
    : "PASSED: no mandatory violation.";
  return `${verdict} (${advisory} advisory)`;
}

/** The posture table (`Posture:` section), or "" when the pack's posture policy did not run. */
export function renderPostureSection(result: CheckResult): string {
  if (!result.posture) return "";
  const table = renderPostureTable(result.posture)
    .split("\n")
    .map((line) => `    ${line}`);
  return ["Posture (achievable RPO/RTO per service and disruption):", ...table].join("\n");
}
