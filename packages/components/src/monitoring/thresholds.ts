// Alert thresholds derived from a service's RPO target, never typed in by hand.
//
// An alert on the age of a recovery point (a backup's age, a replica's lag) is only noticed some time after
// the age crosses its threshold T: the exporter is scraped every S seconds, Prometheus evaluates the rule
// every E seconds, and the condition must hold for F seconds (`for:`). So the alert has fired, at the latest,
// when the age reaches T + F + S + E. The operator needs L seconds (the lead time) to act before the RPO
// target R is breached, so that point must come no later than R − L:
//
//   T = R − L − F − S − E        and the alert has fired, at the latest, at age R − L (≤ R).
//
// A healthy control reaches some age on its own: a backup schedule's worst gap between two runs, a logical
// subscriber's keepalive interval. A threshold at or below that age fires on every healthy cycle, so it is
// refused, with the numbers that would make it work.

/** The inputs of one threshold, every one in seconds. */
export interface ThresholdInputs {
  /** R: the RPO target the control must meet. */
  readonly rpoTargetSeconds: number;
  /** L: how long before the target is breached the on-call must hear of it. */
  readonly leadTimeSeconds: number;
  /** F: how long the condition must hold before the alert fires (`for:`). */
  readonly forSeconds: number;
  /** S: how often Prometheus scrapes the exporter. */
  readonly scrapeIntervalSeconds: number;
  /** E: how often Prometheus evaluates the rules. */
  readonly evaluationIntervalSeconds: number;
  /** H: the largest age the control reaches while healthy. */
  readonly healthyMaxSeconds: number;
  /** Why H is what it is, with its source: `the schedule "0 * * * *" leaves at most 3600 s between runs`. */
  readonly healthyMaxReason: string;
}

/** A derived threshold and its derivation, line by line. */
export interface Threshold {
  /** T: the age the alert expression compares against. */
  readonly thresholdSeconds: number;
  /** R − L: the age by which the alert has fired, at the latest; the bound the posture model credits. */
  readonly firedByAgeSeconds: number;
  readonly lines: readonly string[];
}

/**
 * The threshold for `inputs`, or the problem that keeps one from existing. `what` names the control in the
 * problem (`velero schedule "cluster-velero-hourly"`).
 */
export function deriveThreshold(what: string, inputs: ThresholdInputs): Threshold | { problem: string } {
  const {
    rpoTargetSeconds: r,
    leadTimeSeconds: l,
    forSeconds: f,
    scrapeIntervalSeconds: s,
    evaluationIntervalSeconds: e,
    healthyMaxSeconds: h,
  } = inputs;
  const threshold = r - l - f - s - e;
  if (threshold <= h) {
    // The most lead time that still leaves a threshold above the healthy maximum.
    const maxLead = r - f - s - e - h - 1;
    return {
      problem: `${what}: an alert that fires ${l} s before the RPO target of ${r} s needs a threshold of ${r} − ${l} (lead) − ${f} (for) − ${s} (scrape) − ${e} (evaluation) = ${threshold} s, but ${inputs.healthyMaxReason}, so it would fire while healthy: ${
        maxLead >= 0
          ? `lower \`leadTimeSeconds\` to at most ${maxLead} or shorten \`forSeconds\` or the intervals, `
          : "no lead time leaves room for an alert: "
      }make the control's healthy age shorter (back up more often), or give the service a looser target`,
    };
  }
  return {
    thresholdSeconds: threshold,
    firedByAgeSeconds: r - l,
    lines: [
      `RPO target ${r} s; the on-call needs ${l} s of lead time, so the alert must have fired by age ${r - l} s.`,
      `Detection takes up to ${f} s (for) + ${s} s (scrape interval) + ${e} s (evaluation interval) = ${f + s + e} s after the threshold is crossed.`,
      `Threshold = ${r} − ${l} − ${f + s + e} = ${threshold} s, above the ${h} s a healthy control reaches: ${inputs.healthyMaxReason}.`,
    ],
  };
}
