// `drkit check` (`--format text`, the default): the terminal output, shaped like `pulumi preview`'s.
import type { CheckResult } from "../check";
import { renderPolicySection, renderPostureSection, renderSummary } from "../format";

export function renderText(result: CheckResult): string {
  return [renderPolicySection(result), renderPostureSection(result), renderSummary(result)]
    .filter((section) => section !== "")
    .join("\n\n");
}
