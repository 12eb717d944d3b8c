// `drkit check --format markdown`: the check as a pull-request comment (and a GitHub Actions job summary):
// the verdict first, then the violations, the posture table, the recovery topology as a Mermaid diagram,
// the waivers and what was not judged. The audit record is the evidence's summary.md (`--report`): it
// carries the git state and config hash a reviewer of a pull request does not need, and this document
// carries tables and a diagram an auditor's monospace copy does not.
import type { CheckResult } from "../check";
import { POSTURE_POLICY } from "../check";
import type { Violation } from "../harness/analyzer";
import { noServiceHint, renderSummary } from "../format";
import { Assessment, AssessmentStatus, coverageLines, formatDuration } from "@drkit/posture";
import { resourceTitle, violationDetail } from "./location";
import { checkNotes } from "./notes";
import { MERMAID_MAX_EDGES, MERMAID_MAX_TEXT, renderMermaid, topologyOf } from "./topology";

/** GitHub's limit on a comment (and an issue or pull-request body), in characters. */
export const GITHUB_COMMENT_CHARACTERS = 65_536;

/** A part of the document: a head, blocks that may be left out from the end, and a tail that closes it. */
interface Section {
  readonly head: string;
  readonly blocks: readonly string[];
  readonly tail?: string;
}

/** Text in a table cell or a line of prose: Markdown and HTML that would change it shown as written. */
export function markdownText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/([*_[\]|])/g, "\\$1")
    .replace(/\r?\n/g, "<br>");
}

/** A fenced block of plain text, its fence longer than any run of backticks inside. */
function fenced(text: string, language = "text"): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

const STATUS_MARK: Readonly<Record<AssessmentStatus, string>> = {
  PolicyMet: "✅",
  Waived: "⚠️",
  PolicyBreached: "❌",
  NotApplicable: "➖",
  MissingPolicy: "❓",
  NotAssessed: "❓",
  UnknownUntilDeploy: "❓",
};

/** Whether an assessment's achievable values mean anything (as the text table: `?` when not). */
const KNOWN_VALUES: readonly AssessmentStatus[] = ["PolicyMet", "PolicyBreached", "Waived", "MissingPolicy"];

function targetAndAchievable(target: number | undefined, achievable: number | null, known: boolean): string {
  return `${target === undefined ? "-" : formatDuration(target)} / ${known ? formatDuration(achievable) : "?"}`;
}

function postureRow(a: Assessment): string {
  const known = KNOWN_VALUES.includes(a.status);
  const cells = [
    a.service,
    a.tier || "-",
    a.disruption,
    targetAndAchievable(a.target?.rpoSeconds, a.achievableRpoSeconds, known),
    targetAndAchievable(a.target?.rtoSeconds, a.achievableRtoSeconds, known),
    `${STATUS_MARK[a.status]} ${a.status}`,
  ];
  return `| ${cells.map(markdownText).join(" | ")} |\n`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function titleSection(result: CheckResult): Section {
  const { report } = result;
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = report.violations.length - mandatory;
  const mark = report.failed ? "❌" : advisory > 0 ? "⚠️" : "✅";
  const verdict = report.failed ? "failed" : "passed";
  return {
    head: [
      `## ${mark} DR check ${verdict}: ${markdownText(result.project.name)} / ${markdownText(result.stackConfig.stack)}\n`,
      `${markdownText(renderSummary(result))}\n`,
      `Policy pack \`${result.pack.name}@v${result.pack.version}\` · ${result.run.preview ? "preview" : "update"}, offline (\`drkit check\`) · ${plural(result.run.resources.length, "resource")}\n`,
    ].join("\n"),
    blocks: [],
  };
}

function violationRow(result: CheckResult, v: Violation): string {
  const level = v.enforcementLevel === "mandatory" ? "❌ mandatory" : "⚠️ advisory";
  const finding = violationDetail(v).split("\n", 1)[0] ?? "";
  return `| ${level} | \`${v.policyName}\` | ${markdownText(resourceTitle(result, v.urn))} | ${markdownText(finding)} |\n`;
}

/** Mandatory first, then advisory, each in the pack's order. */
function ordered(violations: readonly Violation[]): Violation[] {
  return [
    ...violations.filter((v) => v.enforcementLevel === "mandatory"),
    ...violations.filter((v) => v.enforcementLevel !== "mandatory"),
  ];
}

function violationSections(result: CheckResult): Section[] {
  const violations = ordered(result.report.violations);
  const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const heading = `### Policy violations (${mandatory} mandatory, ${violations.length - mandatory} advisory)\n\n`;
  if (violations.length === 0) return [{ head: `${heading}None.\n`, blocks: [] }];
  return [
    {
      head: `${heading}| Level | Policy | Resource | Finding |\n|---|---|---|---|\n`,
      blocks: violations.map((v) => violationRow(result, v)),
    },
    {
      head: `<details><summary>Full messages (${violations.length})</summary>\n\n`,
      blocks: violations.map(
        (v) =>
          `**\`${v.policyName}\`** on ${markdownText(resourceTitle(result, v.urn))}:\n\n${fenced(v.message)}\n\n`,
      ),
      tail: "</details>\n",
    },
  ];
}

function postureSection(result: CheckResult): Section {
  const heading = "### Posture: achievable RPO and RTO per service and disruption\n\n";
  const posture = result.posture;
  if (!posture)
    return {
      head: `${heading}The ${POSTURE_POLICY} policy did not run: there is no posture table.\n`,
      blocks: [],
    };
  if (posture.services.length === 0) {
    return { head: `${heading}${noServiceHint(result).map(markdownText).join("<br>\n")}\n`, blocks: [] };
  }
  return {
    head: `${heading}| Service | Tier | Disruption | RPO target / achievable | RTO target / achievable | Status |\n|---|---|---|---|---|---|\n`,
    blocks: posture.assessments.map(postureRow),
  };
}

function topologySection(result: CheckResult): Section | undefined {
  const topology = topologyOf(result);
  if (!topology || topology.regions.length === 0) return undefined;
  const heading =
    "### Recovery topology\n\nRegions are boxes; an arrow is a copy in another region that a region disruption recovers from, labelled with its RPO bound (from the posture model's estimates).\n\n";
  const diagram = renderMermaid(topology);
  if (diagram.length > MERMAID_MAX_TEXT || topology.edges.length > MERMAID_MAX_EDGES) {
    return {
      head: `${heading}> [!WARNING]\n> The diagram is left out: it has ${topology.edges.length} arrows and ${diagram.length} characters, more than GitHub's Mermaid renders (${MERMAID_MAX_EDGES} arrows, ${MERMAID_MAX_TEXT} characters).\n`,
      blocks: [],
    };
  }
  return { head: heading, blocks: [`${fenced(diagram, "mermaid")}\n`] };
}

function waiverRow(evaluation: {
  readonly waiver: unknown;
  readonly state: string;
  readonly problems: readonly string[];
}): string {
  const w = (
    typeof evaluation.waiver === "object" && evaluation.waiver !== null ? evaluation.waiver : {}
  ) as Record<string, unknown>;
  const field = (key: string, absent: string) => (typeof w[key] === "string" ? (w[key] as string) : absent);
  const cells = [
    field("service", "?"),
    field("disruption", "every"),
    field("resource", "every breaching one"),
    field("owner", "?"),
    field("expires", "?"),
    evaluation.state,
    evaluation.state === "applied" ? field("reason", "") : evaluation.problems.join("; "),
  ];
  return `| ${cells.map(markdownText).join(" | ")} |\n`;
}

function waiverSection(result: CheckResult): Section | undefined {
  const waivers = result.posture?.waivers ?? [];
  if (waivers.length === 0) return undefined;
  return {
    head: "### Waivers\n\n| Service | Disruption | Resource | Owner | Expires | State | Reason or problem |\n|---|---|---|---|---|---|---|\n",
    blocks: waivers.map(waiverRow),
  };
}

function coverageSection(result: CheckResult): Section | undefined {
  const posture = result.posture;
  const notes = [
    ...(posture ? coverageLines(posture) : []),
    ...(posture?.problems ?? []).map((p) => `Not judged: ${p.message}`),
    ...checkNotes(result).map((note) => `Note: ${note.text}`),
  ];
  if (notes.length === 0) return undefined;
  return {
    head: "### Coverage and what was not judged\n\n",
    blocks: notes.map((n) => `- ${markdownText(n)}\n`),
  };
}

function renderSection(section: Section): string {
  return `${section.head}${section.blocks.join("")}${section.tail ?? ""}`;
}

/**
 * The sections within `limit` characters: whole sections while they fit, then as many blocks of the next
 * as fit, then nothing more; what was left out is said at the top, never silently dropped. Trailing
 * blank lines are trimmed.
 */
export function fitWithin(sections: readonly Section[], limit: number): string {
  const full = sections.map(renderSection).join("\n").trimEnd();
  if (full.length <= limit) return full;
  const notice = (left: number) =>
    `> [!WARNING]\n> **Truncated**: this summary has ${full.length} characters, more than GitHub's limit of ${limit} for a comment, so ${plural(left, "part")} at the end ${left === 1 ? "is" : "are"} left out. \`drkit check --format markdown\` prints it whole, and the evidence (\`--report\`) has every violation.\n`;
  const budget = limit - notice(Number.MAX_SAFE_INTEGER).length - 1;
  const kept: string[] = [];
  let used = 0;
  let left = 0;
  let stopped = false;
  for (const section of sections) {
    if (stopped) {
      left += Math.max(1, section.blocks.length);
      continue;
    }
    const whole = renderSection(section);
    if (used + whole.length + 1 <= budget) {
      kept.push(whole);
      used += whole.length + 1;
      continue;
    }
    stopped = true;
    let part = section.head;
    let blocks = 0;
    for (const block of section.blocks) {
      if (used + part.length + block.length + (section.tail?.length ?? 0) + 1 > budget) break;
      part += block;
      blocks++;
    }
    if (blocks > 0) kept.push(`${part}${section.tail ?? ""}`);
    left += Math.max(1, section.blocks.length) - blocks;
  }
  const [title, ...rest] = kept;
  return [title ?? "", notice(left), ...rest].join("\n").trimEnd();
}

export function renderMarkdown(result: CheckResult, limit = GITHUB_COMMENT_CHARACTERS): string {
  const sections = [
    titleSection(result),
    ...violationSections(result),
    postureSection(result),
    topologySection(result),
    waiverSection(result),
    coverageSection(result),
  ].filter((s): s is Section => s !== undefined);
  return fitWithin(sections, limit);
}
