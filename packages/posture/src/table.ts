// A fixed-width table for terminals: one row per service and disruption.
import type { PostureReport } from "./assess";
import { formatDuration } from "./estimate";

const HEADERS = [
  "SERVICE",
  "TIER",
  "DISRUPTION",
  "RPO (target / achievable)",
  "RTO (target / achievable)",
  "STATUS",
];

function pair(target: number | undefined, achievable: number | null, known: boolean): string {
  const t = target === undefined ? "-" : formatDuration(target);
  return `${t} / ${known ? formatDuration(achievable) : "?"}`;
}

/** The posture as a plain-text table, followed by waivers that were not applied. Deterministic. */
export function renderPostureTable(report: PostureReport): string {
  const rows = report.assessments.map((a) => {
    const known = a.status !== "UnknownUntilDeploy" && a.status !== "NotApplicable";
    return [
      a.service,
      a.tier || "-",
      a.disruption,
      pair(a.target?.rpoSeconds, a.achievableRpoSeconds, known),
      pair(a.target?.rtoSeconds, a.achievableRtoSeconds, known),
      a.status,
    ];
  });
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  const out = [line(HEADERS), ...rows.map(line)];
  if (rows.length === 0)
    out.push("(no service found: tag resources with drkit:service and drkit:tier, or use drkit components)");
  for (const w of report.waivers.filter((x) => x.state === "expired" || x.state === "malformed")) {
    const waiver = w.waiver as { service?: unknown; disruption?: unknown; owner?: unknown };
    out.push(
      `waiver ${String(waiver.service ?? "?")}${waiver.disruption ? `/${String(waiver.disruption)}` : ""} (${String(waiver.owner ?? "no owner")}) ${w.state}: ${w.problems.join("; ")}`,
    );
  }
  return out.join("\n");
}
