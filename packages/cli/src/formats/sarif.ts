// `drkit check --format sarif`: the pack's verdict as a SARIF 2.1.0 log (OASIS), shaped for GitHub code
// scanning (`github/codeql-action/upload-sarif`). One run per check; one rule per policy that ran, with
// the metadata the pack declares (and nothing it does not); one result per violation.
import { createHash } from "crypto";
import type { CheckResult } from "../check";
import type { EnforcementLevel, PolicyDescription, Severity, Violation } from "../harness/analyzer";
import { drkitVersion } from "../manifest";
import { resourceTitle, resultFile, violationDetail } from "./location";
import { checkNotes } from "./notes";

/** The schema the log declares (the OASIS errata 01 schema GitHub's documentation links). */
export const SARIF_SCHEMA =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** GitHub code scanning's limit on a rule's `name` and on its descriptions (characters). */
export const GITHUB_NAME_CHARACTERS = 255;
export const GITHUB_DESCRIPTION_CHARACTERS = 1024;

/**
 * `security-severity` per declared severity. GitHub reads the score in bands (0.1–3.9 low, 4.0–6.9 medium,
 * 7.0–8.9 high, over 9.0 critical); each value sits inside its band, away from the edges.
 */
export const SECURITY_SEVERITY: Readonly<Record<Severity, string>> = {
  low: "2.0",
  medium: "5.5",
  high: "8.0",
  critical: "9.5",
};

export type SarifLevel = "error" | "warning" | "note";

/** A mandatory violation stops `pulumi preview`: an error. An advisory one is a warning. */
export function sarifLevel(level: EnforcementLevel): SarifLevel {
  return level === "mandatory" || level === "remediate" ? "error" : "warning";
}

interface Message {
  readonly text: string;
}

export interface SarifRule {
  readonly id: string;
  readonly name?: string;
  readonly shortDescription: Message;
  readonly fullDescription: Message;
  readonly help?: Message;
  readonly helpUri?: string;
  readonly defaultConfiguration: { readonly level: SarifLevel };
  readonly properties?: {
    readonly tags?: readonly string[];
    readonly "security-severity"?: string;
    readonly severity?: Severity;
    readonly framework?: PolicyDescription["framework"];
  };
}

export interface SarifResult {
  readonly ruleId: string;
  readonly ruleIndex: number;
  readonly level: SarifLevel;
  readonly message: Message;
  readonly locations: readonly {
    readonly physicalLocation: {
      readonly artifactLocation: { readonly uri: string; readonly uriBaseId: string };
      readonly region: {
        readonly startLine: number;
        readonly startColumn: number;
        readonly endLine: number;
        readonly endColumn: number;
      };
    };
    readonly logicalLocations: readonly {
      readonly name: string;
      readonly fullyQualifiedName: string;
      readonly kind: "resource";
    }[];
  }[];
  readonly partialFingerprints: { readonly primaryLocationLineHash: string };
  readonly properties: { readonly enforcementLevel: EnforcementLevel; readonly phase: Violation["phase"] };
}

/** The check's own run: it finished (a verdict was reached), and what made it approximate. */
export interface SarifInvocation {
  readonly executionSuccessful: boolean;
  readonly toolExecutionNotifications?: readonly { readonly level: "note"; readonly message: Message }[];
}

export interface SarifLog {
  readonly $schema: string;
  readonly version: "2.1.0";
  readonly runs: readonly {
    readonly tool: {
      readonly driver: {
        readonly name: string;
        readonly semanticVersion: string;
        readonly rules: readonly SarifRule[];
      };
      readonly extensions: readonly { readonly name: string; readonly version: string }[];
    };
    readonly automationDetails: { readonly id: string };
    readonly originalUriBaseIds: Record<string, { readonly description: Message }>;
    readonly invocations: readonly SarifInvocation[];
    readonly results: readonly SarifResult[];
    readonly properties: {
      readonly project: string;
      readonly stack: string;
      readonly mode: "preview" | "update";
      readonly failed: boolean;
    };
  }[];
}

/** The base every result's `uri` is relative to; consumers (GitHub) resolve it to the checkout. */
const SOURCE_ROOT = "%SRCROOT%";

/** `text` within `limit` characters (code points), cut with an ellipsis when longer. */
export function withinCharacters(text: string, limit: number): string {
  const characters = Array.from(text);
  return characters.length <= limit ? text : `${characters.slice(0, limit - 1).join("")}…`;
}

/** The rule of a policy, from what the pack declares about it; `level` is its level in this check. */
export function sarifRule(policy: PolicyDescription, level: EnforcementLevel): SarifRule {
  const description = { text: withinCharacters(policy.description, GITHUB_DESCRIPTION_CHARACTERS) };
  const properties = {
    ...(policy.tags && policy.tags.length > 0 ? { tags: [...policy.tags] } : {}),
    ...(policy.severity ? { "security-severity": SECURITY_SEVERITY[policy.severity] } : {}),
    ...(policy.severity ? { severity: policy.severity } : {}),
    ...(policy.framework ? { framework: policy.framework } : {}),
  };
  return {
    id: policy.name,
    ...(policy.displayName ? { name: withinCharacters(policy.displayName, GITHUB_NAME_CHARACTERS) } : {}),
    shortDescription: description,
    fullDescription: description,
    ...(policy.remediationSteps ? { help: { text: policy.remediationSteps } } : {}),
    ...(policy.url ? { helpUri: policy.url } : {}),
    defaultConfiguration: { level: sarifLevel(level) },
    ...(Object.keys(properties).length > 0 ? { properties } : {}),
  };
}

/**
 * A result's identity across runs: its policy and resource. GitHub matches alerts by
 * `primaryLocationLineHash`; every result sits on the same line of the same file, so a hash of that line
 * (what upload-sarif computes when the field is absent) would merge every violation of a policy into one
 * alert. The count after the colon tells apart violations of one policy on one resource, in report order.
 */
function fingerprint(violation: Violation, seen: Map<string, number>): string {
  const hash = createHash("sha256").update(`${violation.policyName}\n${violation.urn}`).digest("hex");
  const key = hash.slice(0, 16);
  const occurrence = (seen.get(key) ?? 0) + 1;
  seen.set(key, occurrence);
  return `${key}:${occurrence}`;
}

function invocation(result: CheckResult): SarifInvocation {
  const notes = checkNotes(result);
  return {
    executionSuccessful: true,
    ...(notes.length > 0
      ? {
          toolExecutionNotifications: notes.map((n) => ({
            level: "note" as const,
            message: { text: n.text },
          })),
        }
      : {}),
  };
}

export function sarifLog(result: CheckResult): SarifLog {
  const { report, pack } = result;
  const levelOf = (policy: PolicyDescription) =>
    report.config[policy.name]?.enforcementLevel ?? policy.enforcementLevel;
  // A disabled policy did not run: it has no rule here, as it has no results.
  const rules = pack.policies
    .filter((policy) => levelOf(policy) !== "disabled")
    .map((policy) => sarifRule(policy, levelOf(policy)));
  for (const v of report.violations) {
    // Every violation comes from a policy of the pack; should one not, it still gets a rule of its own.
    if (!rules.some((r) => r.id === v.policyName)) {
      rules.push(
        sarifRule(
          {
            name: v.policyName,
            description: v.description,
            enforcementLevel: v.enforcementLevel,
            type: v.phase,
          },
          v.enforcementLevel,
        ),
      );
    }
  }
  const file = resultFile(result);
  const seen = new Map<string, number>();
  const results = report.violations.map((v): SarifResult => {
    const resource = result.run.byUrn(v.urn);
    return {
      ruleId: v.policyName,
      ruleIndex: rules.findIndex((r) => r.id === v.policyName),
      level: sarifLevel(v.enforcementLevel),
      message: { text: `${resourceTitle(result, v.urn)}: ${violationDetail(v)}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: file.uri, uriBaseId: SOURCE_ROOT },
            region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: file.firstLineLength + 1 },
          },
          logicalLocations: [{ name: resource?.name ?? v.urn, fullyQualifiedName: v.urn, kind: "resource" }],
        },
      ],
      partialFingerprints: { primaryLocationLineHash: fingerprint(v, seen) },
      properties: { enforcementLevel: v.enforcementLevel, phase: v.phase },
    };
  });
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: { name: "drkit", semanticVersion: drkitVersion(), rules },
          extensions: [{ name: pack.name, version: pack.version }],
        },
        // One category per project and stack (`category/`, no run id), so each stack's alerts stay apart.
        automationDetails: { id: `drkit/${result.project.name}/${result.stackConfig.stack}/` },
        originalUriBaseIds: {
          [SOURCE_ROOT]: {
            description: {
              text: "The root of the repository the program is in (the program's folder outside a git checkout).",
            },
          },
        },
        invocations: [invocation(result)],
        results,
        properties: {
          project: result.project.name,
          stack: result.stackConfig.stack,
          mode: result.run.preview ? "preview" : "update",
          failed: report.failed,
        },
      },
    ],
  };
}

export function renderSarif(result: CheckResult): string {
  return JSON.stringify(sarifLog(result), null, 2);
}
