// The live posture: what the health monitor's recording rules and alerts say now, per service and disruption,
// against the target the rules were derived from and the value the posture model found achievable. Pure: the
// command fetches, this judges. Unknown is never "met": a control whose recovery-point age cannot be read
// makes its disruption Unknown, which fails the status like a breach.
import {
  PROMETHEUS_CONTROL_LABEL,
  PROMETHEUS_DISRUPTION_LABEL,
  PROMETHEUS_SERVICE_LABEL,
  PROMETHEUS_TIER_LABEL,
} from "@drkit/posture";
import type { ActiveAlert, Sample } from "./prometheus";

/** An alert of the monitor that fires now. */
export interface FiringAlert {
  readonly alert: string;
  readonly severity: string;
  readonly summary: string;
  /** the alert expression's value (an age in seconds, bytes, or a 0/1 status, per alert) */
  readonly value: number | null;
}

export interface LiveControl {
  readonly control: string;
  readonly kind: string;
  /** age of the control's newest recovery point, or its lag, seconds; null when it cannot be read */
  readonly ageSeconds: number | null;
  /** the age at which its alert fires */
  readonly thresholdSeconds: number | null;
  /** bytes of WAL the standby has not confirmed (replication controls) */
  readonly lagBytes: number | null;
  readonly firing: readonly FiringAlert[];
}

export type LiveStatus = "Met" | "AtRisk" | "Breached" | "Unknown";

/** One service and disruption: the worst control's age against the target. */
export interface LiveRow {
  readonly service: string;
  readonly tier: string;
  readonly disruption: string;
  readonly targetRpoSeconds: number;
  /** the worst recovery-point age of the controls serving this disruption; null when unknown (when
   * Breached with another control unknown, the worst known age: at least that) */
  readonly currentRpoSeconds: number | null;
  /** what `drkit check` found achievable (`--posture`): null when it found no bound, undefined when not given */
  readonly modelledRpoSeconds?: number | null;
  readonly status: LiveStatus;
  readonly controls: readonly LiveControl[];
}

/** A control with no recovery-point age (a Redis primary's own persistence): healthy unless an alert fires. */
export interface LiveHealthCheck {
  readonly service: string;
  readonly tier: string;
  readonly control: string;
  readonly kind: string;
  readonly status: "Healthy" | "Failing";
  readonly firing: readonly FiringAlert[];
}

export interface LivePosture {
  readonly rows: readonly LiveRow[];
  readonly healthChecks: readonly LiveHealthCheck[];
  /** true when any target is breached now, cannot be measured, or a health check fails: exit 1 */
  readonly failed: boolean;
}

/** The series and alerts the judgement reads; `modelled` is `drkit check`'s posture, when given. */
export interface LiveInputs {
  readonly controls: readonly Sample[];
  readonly targets: readonly Sample[];
  readonly ages: readonly Sample[];
  readonly thresholds: readonly Sample[];
  readonly lagBytes: readonly Sample[];
  readonly alerts: readonly ActiveAlert[];
  readonly modelled?: ModelledPosture;
  /** only this service, when given */
  readonly service?: string;
}

/** The part of `posture.json` (`drkit check --report`) status reads. */
export interface ModelledPosture {
  readonly assessments: readonly {
    readonly service: string;
    readonly disruption: string;
    readonly achievableRpoSeconds: number | null;
  }[];
}

const key = (service: string, control: string) => `${service}\u0000${control}`;
const labelOf = (sample: { labels: Readonly<Record<string, string>> }, name: string) =>
  sample.labels[name] ?? "";
const finite = (value: number | undefined) => (value !== undefined && Number.isFinite(value) ? value : null);

function byControl(samples: readonly Sample[]): Map<string, number> {
  const values = new Map<string, number>();
  for (const s of samples) {
    const k = key(labelOf(s, PROMETHEUS_SERVICE_LABEL), labelOf(s, PROMETHEUS_CONTROL_LABEL));
    // Two series for one control (two Prometheus replicas' rules, say): the worse one counts.
    const previous = values.get(k);
    values.set(k, previous === undefined || Number.isNaN(s.value) ? s.value : Math.max(previous, s.value));
  }
  return values;
}

export function livePosture(inputs: LiveInputs): LivePosture {
  const wanted = (service: string) => inputs.service === undefined || service === inputs.service;
  const ages = byControl(inputs.ages);
  const thresholds = byControl(inputs.thresholds);
  const lagBytes = byControl(inputs.lagBytes);
  const firing = new Map<string, FiringAlert[]>();
  for (const a of inputs.alerts) {
    if (a.state !== "firing" || a.labels[PROMETHEUS_SERVICE_LABEL] === undefined) continue;
    const k = key(a.labels[PROMETHEUS_SERVICE_LABEL] ?? "", a.labels[PROMETHEUS_CONTROL_LABEL] ?? "");
    const value = a.value === undefined ? null : finite(Number(a.value));
    firing.set(k, [
      ...(firing.get(k) ?? []),
      {
        alert: a.labels.alertname ?? "",
        severity: a.labels.severity ?? "",
        summary: a.annotations.summary ?? "",
        value,
      },
    ]);
  }

  const kinds = new Map<string, { service: string; tier: string; control: string; kind: string }>();
  for (const c of inputs.controls) {
    const service = labelOf(c, PROMETHEUS_SERVICE_LABEL);
    if (!wanted(service)) continue;
    const control = labelOf(c, PROMETHEUS_CONTROL_LABEL);
    kinds.set(key(service, control), {
      service,
      tier: labelOf(c, PROMETHEUS_TIER_LABEL),
      control,
      kind: labelOf(c, "drkit_kind"),
    });
  }
  const liveControl = (service: string, control: string): LiveControl => {
    const k = key(service, control);
    return {
      control,
      kind: kinds.get(k)?.kind ?? "",
      ageSeconds: finite(ages.get(k)),
      thresholdSeconds: finite(thresholds.get(k)),
      lagBytes: finite(lagBytes.get(k)),
      firing: firing.get(k) ?? [],
    };
  };

  // Rows: one per service and disruption that has a target, with every control serving it.
  const rows = new Map<
    string,
    { service: string; tier: string; disruption: string; target: number; controls: string[] }
  >();
  for (const t of inputs.targets) {
    const service = labelOf(t, PROMETHEUS_SERVICE_LABEL);
    if (!wanted(service)) continue;
    const disruption = labelOf(t, PROMETHEUS_DISRUPTION_LABEL);
    const k = `${service}\u0000${disruption}`;
    const row = rows.get(k) ?? {
      service,
      tier: labelOf(t, PROMETHEUS_TIER_LABEL),
      disruption,
      target: Infinity,
      controls: [],
    };
    // Controls of one service share its target; should two differ, the strictest is the row's.
    row.target = Math.min(row.target, t.value);
    row.controls.push(labelOf(t, PROMETHEUS_CONTROL_LABEL));
    rows.set(k, row);
  }
  const modelled = (service: string, disruption: string) => {
    if (inputs.modelled === undefined) return {};
    const found = inputs.modelled.assessments.find(
      (a) => a.service === service && a.disruption === disruption,
    );
    return found ? { modelledRpoSeconds: found.achievableRpoSeconds } : {};
  };
  const liveRows: LiveRow[] = [...rows.values()]
    .map((row) => {
      const controls = row.controls.sort().map((c) => liveControl(row.service, c));
      const known = controls.map((c) => c.ageSeconds).filter((a): a is number => a !== null);
      const worst = known.length > 0 ? Math.max(...known) : null;
      const unknown = known.length < controls.length;
      const status: LiveStatus =
        worst !== null && worst > row.target
          ? "Breached"
          : unknown
            ? "Unknown"
            : controls.some((c) => c.firing.length > 0)
              ? "AtRisk"
              : "Met";
      return {
        service: row.service,
        tier: row.tier,
        disruption: row.disruption,
        targetRpoSeconds: row.target,
        // A breach is certain even when another control is unknown: its age is then a lower bound.
        currentRpoSeconds: status === "Breached" || !unknown ? worst : null,
        ...modelled(row.service, row.disruption),
        status,
        controls,
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.disruption.localeCompare(b.disruption));

  const served = new Set([...rows.values()].flatMap((r) => r.controls.map((c) => key(r.service, c))));
  const healthChecks: LiveHealthCheck[] = [...kinds.entries()]
    .filter(([k]) => !served.has(k))
    .map(([k, c]) => {
      const alerts = firing.get(k) ?? [];
      return {
        ...c,
        status: alerts.length > 0 ? ("Failing" as const) : ("Healthy" as const),
        firing: alerts,
      };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || a.control.localeCompare(b.control));

  return {
    rows: liveRows,
    healthChecks,
    failed:
      liveRows.some((r) => r.status === "Breached" || r.status === "Unknown") ||
      healthChecks.some((h) => h.status === "Failing"),
  };
}
