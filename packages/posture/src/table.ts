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
    const known =
      a.status !== "UnknownUntilDeploy" && a.status !== "NotApplicable" && a.status !== "NotAssessed";
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
  out.push(...coverageLines(report));
  for (const p of report.problems) out.push(`not judged: ${p.message}`);
  for (const w of report.waivers.filter((x) => x.state !== "applied")) {
    const waiver = w.waiver as { service?: unknown; disruption?: unknown; owner?: unknown };
    out.push(
      `waiver ${String(waiver.service ?? "?")}${waiver.disruption ? `/${String(waiver.disruption)}` : ""} (${String(waiver.owner ?? "no owner")}) ${w.state}: ${w.problems.join("; ")}`,
    );
  }
  return out.join("\n");
}

/** "Coverage: 12 of 20 resources assessed; …", then a line per resource drkit cannot judge. */
export function coverageLines(report: PostureReport): string[] {
  if (report.services.length === 0) return [];
  const total = report.services.reduce(
    (n, s) => n + s.assessed.length + s.notAssessed.length + s.stateless.length,
    0,
  );
  const assessed = report.services.reduce((n, s) => n + s.assessed.length, 0);
  const notAssessed = report.services.flatMap((s) => s.notAssessed.map((n) => ({ service: s.name, ...n })));
  const stateless = report.services.reduce((n, s) => n + s.stateless.length, 0);
  return [
    `Coverage: ${assessed} of ${total} resources assessed; ${notAssessed.length} hold${notAssessed.length === 1 ? "s" : ""} data drkit cannot judge (NotAssessed); ${stateless} stateless, not assessed.`,
    ...notAssessed.map((n) => `not assessed: ${n.service}: ${n.type} ${n.name}: ${n.reason}`),
  ];
}
