// The validation report: every drill record, and per service and kind what the drills prove (last run, last
// success, pass rate, measured restore times against the tier's RTO target), as JSON for machines and as
// Markdown for an auditor. Only valid records count; an invalid one is listed with its problems.
import {
  DISRUPTIONS,
  DrillKind,
  DrillResult,
  MeasuredRestore,
  TierTargets,
  formatDuration,
} from "@drkit/posture";
import type { StoredRecord } from "./store";

/** Version of drills.json. */
export const DRILLS_REPORT_SCHEMA = "drkit.dev/drills-report/v1";

export interface DrillSummary {
  readonly service: string;
  readonly kind: DrillKind;
  /** the tier the newest record names */
  readonly tier: string;
  readonly runs: number;
  readonly passed: number;
  /** passed / runs */
  readonly passRate: number;
  readonly lastRun: { readonly startedAt: string; readonly ok: boolean; readonly key: string };
  readonly lastSuccess: {
    readonly startedAt: string;
    readonly restoreSeconds: number;
    readonly key: string;
  } | null;
  /** over the drills that passed; null when none did */
  readonly medianRestoreSeconds: number | null;
  readonly maxRestoreSeconds: number | null;
  /** the tier's strictest RTO target; null when the tier has none */
  readonly rtoTargetSeconds: number | null;
}

export interface DrillsReport {
  readonly schema: typeof DRILLS_REPORT_SCHEMA;
  readonly generatedAt: string;
  readonly bucket: string;
  readonly region: string;
  /** the filters given: null when not */
  readonly service: string | null;
  readonly since: string | null;
  readonly counts: {
    readonly records: number;
    readonly passed: number;
    readonly failed: number;
    readonly invalid: number;
  };
  readonly summaries: readonly DrillSummary[];
  /** every record read, valid or not, in key order */
  readonly records: readonly (
    | { readonly key: string; readonly valid: true; readonly result: DrillResult }
    | { readonly key: string; readonly valid: false; readonly problems: readonly string[] }
  )[];
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The strictest RTO target of `tier` over every disruption, or null when the policy has none. */
function rtoTarget(tiers: Readonly<Record<string, TierTargets>>, tier: string): number | null {
  const targets = Object.prototype.hasOwnProperty.call(tiers, tier) ? tiers[tier] : undefined;
  const seconds = DISRUPTIONS.flatMap((d) => (targets?.[d] ? [targets[d].rtoSeconds] : []));
  return seconds.length === 0 ? null : Math.min(...seconds);
}

export function buildDrillsReport(input: {
  readonly records: readonly StoredRecord[];
  readonly bucket: string;
  readonly region: string;
  readonly service?: string;
  /** first instant counted (records that started earlier are left out; invalid ones are always listed) */
  readonly since?: Date;
  readonly tiers: Readonly<Record<string, TierTargets>>;
  readonly now: Date;
}): DrillsReport {
  const records = input.records
    .map((r) =>
      r.parsed.valid
        ? { key: r.key, valid: true as const, result: r.parsed.result }
        : { key: r.key, valid: false as const, problems: r.parsed.problems },
    )
    .filter(
      (r) => !r.valid || input.since === undefined || Date.parse(r.result.startedAt) >= input.since.getTime(),
    );
  const groups = new Map<string, { key: string; result: DrillResult }[]>();
  for (const r of records) {
    if (!r.valid) continue;
    const group = `${r.result.service}/${r.result.kind}`;
    groups.set(group, [...(groups.get(group) ?? []), { key: r.key, result: r.result }]);
  }
  const summaries = [...groups.keys()].sort().map((group): DrillSummary => {
    const runs = (groups.get(group) ?? []).sort(
      (a, b) => Date.parse(a.result.startedAt) - Date.parse(b.result.startedAt),
    );
    const last = runs[runs.length - 1] as { key: string; result: DrillResult };
    const passed = runs.filter((r) => r.result.ok);
    const lastPassed = passed[passed.length - 1];
    const seconds = passed.map((r) => r.result.restoreSeconds);
    return {
      service: last.result.service,
      kind: last.result.kind,
      tier: last.result.tier,
      runs: runs.length,
      passed: passed.length,
      passRate: passed.length / runs.length,
      lastRun: { startedAt: last.result.startedAt, ok: last.result.ok, key: last.key },
      lastSuccess: lastPassed
        ? {
            startedAt: lastPassed.result.startedAt,
            restoreSeconds: lastPassed.result.restoreSeconds,
            key: lastPassed.key,
          }
        : null,
      medianRestoreSeconds: median(seconds),
      maxRestoreSeconds: seconds.length === 0 ? null : Math.max(...seconds),
      rtoTargetSeconds: rtoTarget(input.tiers, last.result.tier),
    };
  });
  const valid = records.filter((r) => r.valid);
  return {
    schema: DRILLS_REPORT_SCHEMA,
    generatedAt: input.now.toISOString(),
    bucket: input.bucket,
    region: input.region,
    service: input.service ?? null,
    since: input.since?.toISOString() ?? null,
    counts: {
      records: records.length,
      passed: valid.filter((r) => r.result.ok).length,
      failed: valid.filter((r) => !r.result.ok).length,
      invalid: records.length - valid.length,
    },
    summaries,
    records,
  };
}

/** Why the report does not prove the drills healthy: no record, an invalid one, a last drill that failed. */
export function reportProblems(report: DrillsReport): string[] {
  return [
    ...(report.counts.records === 0 ? ["no drill record was found: nothing proves a restore works"] : []),
    ...(report.counts.invalid > 0
      ? [
          `${report.counts.invalid} record${report.counts.invalid === 1 ? " is" : "s are"} invalid and not counted`,
        ]
      : []),
    ...report.summaries
      .filter((s) => !s.lastRun.ok)
      .map((s) => `the last ${s.kind} drill of ${s.service} (${s.lastRun.startedAt}) failed`),
  ];
}

/** What `--policy-config-snippet` writes: every passing drill's restore time, for drkit-rpo-rto. */
export function measuredRestoresSnippet(report: DrillsReport): {
  "drkit-rpo-rto": { measuredRestores: MeasuredRestore[] };
} {
  const measuredRestores = report.records.flatMap((r): MeasuredRestore[] =>
    r.valid && r.result.ok
      ? [
          {
            service: r.result.service,
            kind: r.result.kind,
            restoreSeconds: r.result.restoreSeconds,
            measuredAt: r.result.startedAt,
            evidence: `s3://${report.bucket}/${r.key}`,
          },
        ]
      : [],
  );
  return { "drkit-rpo-rto": { measuredRestores } };
}

// ---------------------------------------------------------------------------------------------------------
// Markdown, for an auditor

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
const seconds = (s: number) => `${s} s (${formatDuration(s)})`;
const percent = (rate: number) => `${Math.round(rate * 100)}%`;

function againstTarget(s: DrillSummary): string {
  if (s.maxRestoreSeconds === null) return "No drill passed, so no restore time is measured.";
  const measured = `Measured restore time of the drills that passed: median ${seconds(s.medianRestoreSeconds as number)}, longest ${seconds(s.maxRestoreSeconds)}`;
  if (s.rtoTargetSeconds === null) return `${measured}; tier ${s.tier} has no RTO target to compare it with.`;
  const within = s.maxRestoreSeconds <= s.rtoTargetSeconds;
  return `${measured}: ${within ? "within" : "**longer than**"} the ${s.tier} RTO target of ${seconds(s.rtoTargetSeconds)}. The restore is one step of a recovery: detection and the decision to recover come on top (\`drkit check\` adds them).`;
}

function checksText(result: DrillResult): string {
  if (result.checks.length === 0) return "none";
  return result.checks
    .map((c) => {
      const values =
        c.expected !== undefined || c.actual !== undefined
          ? ` (expected ${c.expected ?? "—"}, found ${c.actual ?? "—"})`
          : "";
      return `${c.ok ? "✓" : "✗"} ${c.name}${values}`;
    })
    .join("; ");
}

export function renderDrillsMarkdown(report: DrillsReport, drkitVersion: string): string {
  const c = report.counts;
  const lines = [
    `# Restore drills: s3://${report.bucket}/drills/ (${report.region})`,
    "",
    `Generated ${report.generatedAt} by drkit ${drkitVersion}${report.service ? `, service ${report.service}` : ""}${report.since ? `, drills since ${report.since}` : ""}. ${c.records} record${c.records === 1 ? "" : "s"} read: ${c.passed} passed, ${c.failed} failed, ${c.invalid} invalid (not counted).`,
    "",
    "Each drill restored a backup into a scratch target, checked it against what the backup recorded, and removed it. Records are kept in the Object Lock bucket, one object per drill, never overwritten; drills.json has every record in full.",
  ];
  const problems = reportProblems(report);
  lines.push(
    "",
    problems.length === 0
      ? "**Verdict: every last drill passed.**"
      : `**Verdict: not proven.** ${problems.map((p) => `${p[0]?.toUpperCase()}${p.slice(1)}.`).join(" ")}`,
  );
  const invalid = report.records.filter((r) => !r.valid);
  if (invalid.length > 0) {
    lines.push("", "## Invalid records (not counted)", "");
    for (const r of invalid) if (!r.valid) lines.push(`- \`${r.key}\`: ${r.problems.join("; ")}`);
  }
  for (const s of report.summaries) {
    lines.push(
      "",
      `## ${s.service}: ${s.kind} (tier ${s.tier})`,
      "",
      `Last drill ${s.lastRun.startedAt}: ${s.lastRun.ok ? "passed" : "**FAILED**"}. Last success: ${s.lastSuccess ? s.lastSuccess.startedAt : "**none**"}. Passed ${s.passed} of ${s.runs} (${percent(s.passRate)}).`,
      "",
      againstTarget(s),
      "",
      "| Started (UTC) | Backup restored (taken) | Restored into | Restore time | Result | Checks |",
      "| --- | --- | --- | --- | --- | --- |",
    );
    const runs = report.records
      .filter(
        (r): r is Extract<typeof r, { valid: true }> =>
          r.valid && r.result.service === s.service && r.result.kind === s.kind,
      )
      .sort((a, b) => Date.parse(b.result.startedAt) - Date.parse(a.result.startedAt));
    for (const { result } of runs) {
      lines.push(
        `| ${result.startedAt} | ${cell(`${result.backup.key} (${result.backup.takenAt})`)} | ${cell(result.target)} | ${seconds(result.restoreSeconds)} | ${result.ok ? "passed" : `**FAILED**${result.error ? `: ${cell(result.error)}` : ""}`} | ${cell(checksText(result))} |`,
      );
    }
  }
  return `${lines.join("\n")}\n`;
}
