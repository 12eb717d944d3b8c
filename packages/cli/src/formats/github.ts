// `drkit check --format github`: GitHub Actions workflow commands. Each violation becomes an annotation
// (`::error` for mandatory, `::warning` for advisory) on the stack's config file, titled with the policy and
// the resource; the notes (remediations, ignored names, encrypted config, remote components) `::notice`. The verdict line follows, as plain log text. When the job
// has a summary file ($GITHUB_STEP_SUMMARY), main.ts appends the Markdown summary to it.
import type { CheckResult } from "../check";
import { renderSummary } from "../format";
import { resourceTitle, resultFile, violationDetail } from "./location";
import { checkNotes } from "./notes";

/** A command's message, escaped as the Actions runner reads it back (`%`, `\r`, `\n`). */
export function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

/** A command's property value (`file=`, `title=`): the message escapes, and `:` and `,` that end it. */
export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

function command(
  name: "error" | "warning" | "notice",
  properties: Record<string, string>,
  message: string,
): string {
  const props = Object.entries(properties)
    .map(([key, value]) => `${key}=${escapeProperty(value)}`)
    .join(",");
  return `::${name}${props ? ` ${props}` : ""}::${escapeData(message)}`;
}

export function renderGithub(result: CheckResult): string {
  const file = resultFile(result);
  const { report } = result;
  // Mandatory first: the runner shows only the first few annotations of each kind per step.
  const violations = [
    ...report.violations.filter((v) => v.enforcementLevel === "mandatory"),
    ...report.violations.filter((v) => v.enforcementLevel !== "mandatory"),
  ];
  const lines = violations.map((v) =>
    command(
      v.enforcementLevel === "mandatory" ? "error" : "warning",
      { file: file.uri, line: "1", title: `${v.policyName} (${resourceTitle(result, v.urn)})` },
      violationDetail(v),
    ),
  );
  for (const note of checkNotes(result)) {
    lines.push(command("notice", { file: file.uri, title: note.title }, note.text));
  }
  lines.push(renderSummary(result));
  return lines.join("\n");
}
