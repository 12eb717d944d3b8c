// The live posture as text: a table per service and disruption, then what each control measures and the
// alerts that fire, then the verdict in one line.
import { formatDuration } from "@drkit/posture";
import type { FiringAlert, LiveControl, LivePosture } from "./livePosture";

const age = (seconds: number | null) => (seconds === null ? "unknown" : formatDuration(seconds));
const modelledText = (value: number | null | undefined) =>
  value === undefined ? "-" : formatDuration(value);

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function controlLine(c: LiveControl): string {
  const parts = [
    c.ageSeconds === null
      ? "recovery point age unknown (no data)"
      : `newest recovery point ${age(c.ageSeconds)} old`,
    ...(c.thresholdSeconds !== null ? [`alerts above ${formatDuration(c.thresholdSeconds)}`] : []),
    ...(c.lagBytes !== null ? [`${bytes(c.lagBytes)} of WAL not confirmed by the standby`] : []),
  ];
  return `${c.control}: ${parts.join("; ")}`;
}

/** An alert's value, rounded for reading: seconds or bytes to the unit, small values to a tenth. */
const rounded = (value: number) => (Math.abs(value) >= 100 ? Math.round(value) : Math.round(value * 10) / 10);

const alertLine = (a: FiringAlert) =>
  `firing ${a.alert} (${a.severity})${a.value !== null ? ` value ${rounded(a.value)}` : ""}: ${a.summary}`;

export function renderLivePosture(posture: LivePosture, prometheus: string): string {
  const lines = [`Live posture (from ${prometheus}):`];
  if (posture.rows.length > 0) {
    lines.push(
      ...table([
        ["SERVICE", "TIER", "DISRUPTION", "RPO NOW", "TARGET", "MODELLED", "STATUS"],
        ...posture.rows.map((r) => [
          r.service,
          r.tier,
          r.disruption,
          age(r.currentRpoSeconds),
          formatDuration(r.targetRpoSeconds),
          modelledText(r.modelledRpoSeconds),
          r.status,
        ]),
      ]).map((l) => `    ${l}`),
    );
  }
  if (posture.healthChecks.length > 0) {
    lines.push("Health checks:");
    lines.push(
      ...table([
        ["SERVICE", "TIER", "CONTROL", "STATUS"],
        ...posture.healthChecks.map((h) => [h.service, h.tier, h.control, h.status]),
      ]).map((l) => `    ${l}`),
    );
  }
  const seen = new Set<string>();
  const details: string[] = [];
  for (const row of posture.rows)
    for (const c of row.controls) {
      if (seen.has(`${row.service}/${c.control}`)) continue;
      seen.add(`${row.service}/${c.control}`);
      details.push(`${row.service} ${controlLine(c)}`, ...c.firing.map((a) => `    ${alertLine(a)}`));
    }
  for (const h of posture.healthChecks)
    details.push(...h.firing.map((a) => `${h.service} ${h.control}: ${alertLine(a)}`));
  if (details.length > 0) lines.push("", ...details);
  const failing = [
    ...posture.rows
      .filter((r) => r.status === "Breached")
      .map(
        (r) =>
          `${r.service} ${r.disruption} RPO ${age(r.currentRpoSeconds)} > target ${formatDuration(r.targetRpoSeconds)}`,
      ),
    ...posture.rows
      .filter((r) => r.status === "Unknown")
      .map((r) => `${r.service} ${r.disruption} cannot be measured`),
    ...posture.healthChecks
      .filter((h) => h.status === "Failing")
      .map((h) => `${h.service} ${h.control} failing`),
  ];
  lines.push("", failing.length > 0 ? `NOT MET now: ${failing.join("; ")}.` : "MET: every target holds now.");
  return lines.join("\n");
}
