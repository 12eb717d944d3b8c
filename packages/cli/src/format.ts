// Terminal output shaped like `pulumi preview`'s policy section, so the same eyes read both.
import type { CheckResult } from "./check";
import type { PropertyChange, Remediation, Violation } from "./harness/analyzer";
import { keyPath, shown } from "./harness/messages";
import type { RemoteComponent } from "./harness/remote";
import {
  dataHoldingKind,
  renderPostureTable,
  DEFAULT_TIERS,
  REGION_LABEL,
  SERVICE_LABEL,
  SERVICE_TAG,
  TIER_LABEL,
  TIER_TAG,
  DR_SERVICE_TYPE,
} from "@drkit/posture";

function resourceLabel(result: CheckResult, item: Violation | Remediation): string {
  const resource = result.run.byUrn(item.urn);
  return resource ? `${resource.type}: ${resource.name}` : item.urn;
}

/** `3600 → 60`; a value that was not set, or was removed, says so. */
export function changedValues(change: PropertyChange): string {
  const value = (v: PropertyChange["before"], absent: string) => (v === undefined ? absent : shown(v));
  return `${value(change.before, "(not set)")} → ${value(change.after, "(removed)")}`;
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
  // What policies set to `remediate` changed before the check: the inputs `pulumi up` would deploy.
  for (const r of report.remediations) {
    lines.push(`        - [remediate]  ${r.policyName}  (${resourceLabel(result, r)})`);
    lines.push(`          ${r.description}`);
    for (const c of r.changes) lines.push(`          ${keyPath(c.path)}: ${changedValues(c)}`);
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
  lines.push(
    ...remoteComponentNote(result).map((line, i) => (i === 0 ? `    note: ${line}` : `          ${line}`)),
  );
  return lines.join("\n");
}

/** The remote components by type token, types in order of first appearance. */
function remoteComponentsByType(result: CheckResult): [string, RemoteComponent[]][] {
  const byType = new Map<string, RemoteComponent[]>();
  for (const component of result.remoteComponents) {
    byType.set(component.type, [...(byType.get(component.type) ?? []), component]);
  }
  return [...byType];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** What no policy saw: the remote components, counted by type, each by URN. Empty when there is none. */
export function remoteComponentNote(result: CheckResult): string[] {
  const count = result.remoteComponents.length;
  if (count === 0) return [];
  return [
    `${plural(count, "remote component")}: no policy saw the resources ${count === 1 ? "its provider plugin creates for it" : "their provider plugins create for them"} when Pulumi runs, as drkit check runs no plugin (\`pulumi preview --policy-pack\` does). A service that holds one is NotAssessed.`,
    ...remoteComponentsByType(result).flatMap(([type, components]) => [
      `${type} (${components.length}):`,
      ...components.map((c) => `  ${c.urn}`),
    ]),
  ];
}

/** Names past this many, the coverage line counts. */
const NAMED_REMOTE_COMPONENTS = 5;

/**
 * The posture's coverage line for what the offline run could not see: "Not seen: the resources of 2 remote
 * components (awsx:ec2:Vpc 'vpc', …)". Undefined when there is no remote component.
 */
export function notSeenLine(result: CheckResult): string | undefined {
  const components = result.remoteComponents;
  if (components.length === 0) return undefined;
  const named = components.slice(0, NAMED_REMOTE_COMPONENTS).map((c) => `${c.type} '${c.name}'`);
  const more = components.length - named.length;
  return `Not seen: the resources of ${plural(components.length, "remote component")} (${named.join(", ")}${more > 0 ? `, and ${more} more` : ""}), which ${components.length === 1 ? "its provider plugin creates" : "their provider plugins create"} when Pulumi runs.`;
}

export function renderSummary(result: CheckResult): string {
  const mandatory = result.report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = result.report.violations.length - mandatory;
  const verdict = result.report.failed
    ? `FAILED: ${mandatory} mandatory violation${mandatory === 1 ? "" : "s"} would stop \`pulumi ${result.run.preview ? "preview" : "up"}\`.`
    : "PASSED: no mandatory violation.";
  const remediated = result.report.remediations.length;
  const remediations = remediated === 0 ? "" : `, ${remediated} remediation${remediated === 1 ? "" : "s"}`;
  return `${verdict} (${advisory} advisory${remediations})`;
}

/** The posture table (`Posture:` section), or "" when the pack's posture policy did not run. */
export function renderPostureSection(result: CheckResult): string {
  if (!result.posture) return "";
  const table = renderPostureTable(result.posture)
    .split("\n")
    .map((line) => `    ${line}`);
  const notSeen = notSeenLine(result);
  const hint = result.posture.services.length === 0 ? noServiceHint(result).map((line) => `    ${line}`) : [];
  return [
    "Posture (achievable RPO/RTO per service and disruption):",
    ...table,
    ...(notSeen === undefined ? [] : [`    ${notSeen}`]),
    ...hint,
  ].join("\n");
}

/** How to say which service a resource belongs to, per provider package. */
function membershipHints(): Readonly<Record<string, string>> {
  const tier = `<${DEFAULT_TIERS.join("|")}>`;
  return {
    aws: `AWS: tag each resource "${SERVICE_TAG}": "<service>", "${TIER_TAG}": "${tier}", or tag them all at once in the aws.Provider's defaultTags: { tags: { … } }`,
    kubernetes: `Kubernetes: label each object (metadata.labels) "${SERVICE_LABEL}": "<service>", "${TIER_LABEL}": "${tier}", "${REGION_LABEL}": "<the cluster's AWS region>"`,
    neon: `Neon: create the project with a DrService (${DR_SERVICE_TYPE}) as its parent: { parent: service }`,
  };
}

/**
 * When no resource belongs to a service, the posture table is empty: say what was seen, how much of it
 * drkit can assess, and the exact tag or label that puts a resource in a service, per provider used.
 */
export function noServiceHint(result: CheckResult): string[] {
  const resources = result.run.resources.filter(
    (r) => r.custom && r.origin !== "default-provider" && !r.type.startsWith("pulumi:providers:"),
  );
  const dataHolding = resources.filter((r) => dataHoldingKind(r.type) !== undefined);
  const modelled = dataHolding.filter((r) => dataHoldingKind(r.type)?.modelled);
  const kinds = [...new Set(modelled.map((r) => r.type))].sort().join(", ");
  const hints = membershipHints();
  const used = Object.keys(hints).filter((pkg) => resources.some((r) => r.type.startsWith(`${pkg}:`)));
  return [
    `No resource belongs to a service: ${plural(resources.length, "resource")} seen, ${dataHolding.length} holding data, ${modelled.length} of kinds drkit assesses${kinds ? ` (${kinds})` : ""}.`,
    "To put a resource in a service:",
    ...(used.length > 0 ? used : Object.keys(hints)).map((pkg) => `  ${hints[pkg] ?? ""}`),
  ];
}
