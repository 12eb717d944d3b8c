// The assessment: for every service and disruption, what the configuration can achieve against its
// tier's target, and why.
import type { ResourceGraph } from "./graph";
import { GraphIndex, ServiceGroup } from "./graphIndex";
import { Estimate, RtoTerms, describeRto, formatDuration, rtoSeconds } from "./estimate";
import { FACTS, Fact, FactKey } from "./facts";
import {
  DISRUPTIONS,
  DISRUPTION_MEANING,
  Disruption,
  ResiliencyPolicy,
  ResiliencyPolicyInput,
  Target,
  Waiver,
  WaiverEvaluation,
  isWaiverExpired,
  resolveResiliencyPolicy,
  waiverProblems,
} from "./policy";
import type { Rule } from "./rules/context";
import { s3Rule } from "./rules/s3";
import { route53Rule } from "./rules/route53";
import { veleroRule } from "./rules/velero";
import { redisRule } from "./rules/redis";
import { neonRule } from "./rules/neon";

export type AssessmentStatus =
  "PolicyMet" | "PolicyBreached" | "Waived" | "NotApplicable" | "MissingPolicy" | "UnknownUntilDeploy";

export interface Assessment {
  readonly service: string;
  readonly tier: string;
  readonly disruption: Disruption;
  /** the tier's target, or null when the policy has none (MissingPolicy) */
  readonly target: Target | null;
  /** seconds of data lost at worst; null: nothing bounds it */
  readonly achievableRpoSeconds: number | null;
  /** seconds until recovered at worst; null: nothing bounds it */
  readonly achievableRtoSeconds: number | null;
  readonly status: AssessmentStatus;
  /** the terms of the slowest component's recovery, when bounded */
  readonly rtoTerms: RtoTerms | null;
  /** the reasoning, one checkable sentence per line */
  readonly derivation: readonly string[];
  /** the documented facts the derivation relies on */
  readonly sources: readonly Fact[];
  /** properties unknown until deploy that the assessment needed (`<urn> <path>`) */
  readonly unknownProperties: readonly string[];
  /** the waiver that turned a breach into `Waived` */
  readonly waiver: Waiver | null;
}

export interface PostureReport {
  readonly assessments: readonly Assessment[];
  readonly waivers: readonly WaiverEvaluation[];
  /** services and the URNs of their resources */
  readonly services: readonly { name: string; tier: string; resources: string[] }[];
  /** true when any assessment is PolicyBreached (a waived breach does not count) */
  readonly breached: boolean;
}

export const RULES: readonly Rule[] = [s3Rule, route53Rule, veleroRule, redisRule, neonRule];

export interface AssessOptions {
  /** the moment waivers are judged against; the model never reads the clock itself */
  readonly now: Date;
}

/** Assesses every service of `graph`. Throws `InvalidPolicyError` or `PostureInputError` on bad input. */
export function assessGraph(
  graph: ResourceGraph,
  policyInput: ResiliencyPolicyInput,
  options: AssessOptions,
): PostureReport {
  const policy = resolveResiliencyPolicy(policyInput);
  const index = new GraphIndex(graph);
  const services = index.services();
  const evaluations = policy.waivers.map((waiver) => ({
    waiver,
    problems: waiverProblems(waiver),
    used: false,
  }));
  const assessments: Assessment[] = [];
  for (const service of services) {
    const estimates = RULES.flatMap((rule) => rule({ index, policy, service }));
    for (const disruption of DISRUPTIONS) {
      const assessment = assessOne(
        service,
        disruption,
        estimates.filter((e) => e.disruption === disruption),
        policy,
      );
      if (assessment.status !== "PolicyBreached") {
        assessments.push(assessment);
        continue;
      }
      const waiver = evaluations.find(
        (w) =>
          w.problems.length === 0 &&
          (w.waiver as Waiver).service === service.name &&
          ((w.waiver as Waiver).disruption === undefined || (w.waiver as Waiver).disruption === disruption) &&
          !isWaiverExpired(w.waiver as Waiver, options.now),
      );
      if (waiver) {
        waiver.used = true;
        const w = waiver.waiver as Waiver;
        assessments.push({
          ...assessment,
          status: "Waived",
          waiver: w,
          derivation: [
            ...assessment.derivation,
            `Breach waived until ${w.expires} by ${w.owner}: ${w.reason}`,
          ],
        });
      } else {
        assessments.push(assessment);
      }
    }
  }
  const waivers: WaiverEvaluation[] = evaluations.map(({ waiver, problems, used }) => {
    if (problems.length > 0) return { waiver, state: "malformed", problems };
    const w = waiver as Waiver;
    if (isWaiverExpired(w, options.now)) {
      return {
        waiver,
        state: "expired",
        problems: [`expired on ${w.expires}: not applied; renew it or fix the breach`],
      };
    }
    return { waiver, state: used ? "applied" : "unused", problems: [] };
  });
  return {
    assessments,
    waivers,
    services: services.map((s) => ({ name: s.name, tier: s.tier, resources: s.resources.map((r) => r.urn) })),
    breached: assessments.some((a) => a.status === "PolicyBreached"),
  };
}

function assessOne(
  service: ServiceGroup,
  disruption: Disruption,
  estimates: Estimate[],
  policy: ResiliencyPolicy,
): Assessment {
  const target = policy.tiers[service.tier]?.[disruption] ?? null;
  const derivation: string[] = [];
  if (service.conflictingTiers.length > 0) {
    derivation.push(
      `Resources of ${service.name} also claim tier ${service.conflictingTiers.join(", ")}; the model uses ${service.tier}.`,
    );
  }
  const base = { service: service.name, tier: service.tier, disruption, target, waiver: null };
  if (estimates.length === 0) {
    return {
      ...base,
      achievableRpoSeconds: null,
      achievableRtoSeconds: null,
      status: "NotApplicable",
      rtoTerms: null,
      derivation: [
        ...derivation,
        `No resource of ${service.name} is of a kind drkit models for a ${disruption} disruption (${DISRUPTION_MEANING[disruption]}).`,
      ],
      sources: [],
      unknownProperties: [],
    };
  }
  const known = estimates.filter((e) => e.unknown.length === 0);
  const unknownProperties = estimates.flatMap((e) => e.unknown);
  for (const e of estimates) {
    for (const line of e.lines) derivation.push(`${e.component}: ${line}`);
    if (e.unknown.length === 0 && e.rpoSeconds !== null) {
      derivation.push(
        `${e.component}: RPO ${Number.isFinite(e.rpoSeconds) ? `${e.rpoSeconds} s` : "no bound"}.`,
      );
    }
    if (e.unknown.length === 0) derivation.push(`${e.component}: ${describeRto(e.rto)}`);
    else
      derivation.push(
        `${e.component}: cannot be estimated until deploy: ${e.unknown.join(", ")} unknown during preview.`,
      );
  }
  const holding = known.filter((e): e is Estimate & { rpoSeconds: number } => e.rpoSeconds !== null);
  const worstRpo = holding.reduce<(Estimate & { rpoSeconds: number }) | undefined>(
    (w, e) => (w === undefined || e.rpoSeconds > w.rpoSeconds ? e : w),
    undefined,
  );
  const slowest = known.reduce<Estimate | undefined>(
    (w, e) => (w === undefined || rtoSeconds(e.rto) > rtoSeconds(w.rto) ? e : w),
    undefined,
  );
  const rpo = worstRpo?.rpoSeconds ?? 0;
  const rto = slowest ? rtoSeconds(slowest.rto) : 0;
  if (slowest) {
    derivation.push(
      worstRpo
        ? `Service RPO is the worst component's: ${formatDuration(rpo)} (${worstRpo.component}).`
        : "No component holds data for this disruption: nothing to lose, RPO 0 s.",
    );
    derivation.push(
      `Components recover in parallel, so the service RTO is the slowest recovery: ${formatDuration(rto)} (${slowest.component}).`,
    );
  }
  const breaches = (seconds: number, limit: number) => !Number.isFinite(seconds) || seconds > limit;
  let status: AssessmentStatus;
  if (target === null) {
    status = "MissingPolicy";
    derivation.push(
      service.tier === ""
        ? `${service.name} has no tier: tag it (drkit:tier) or give its component a tier.`
        : `Tier "${service.tier}" has no ${disruption} target in the policy.`,
    );
  } else if (known.length > 0 && (breaches(rpo, target.rpoSeconds) || breaches(rto, target.rtoSeconds))) {
    status = "PolicyBreached";
    if (breaches(rpo, target.rpoSeconds))
      derivation.push(
        `RPO ${formatDuration(rpo)} exceeds the ${service.tier} target of ${formatDuration(target.rpoSeconds)}.`,
      );
    if (breaches(rto, target.rtoSeconds))
      derivation.push(
        `RTO ${formatDuration(rto)} exceeds the ${service.tier} target of ${formatDuration(target.rtoSeconds)}.`,
      );
  } else if (unknownProperties.length > 0) {
    status = "UnknownUntilDeploy";
  } else {
    status = "PolicyMet";
  }
  const factKeys = new Set<FactKey>(estimates.flatMap((e) => e.facts));
  return {
    ...base,
    achievableRpoSeconds: known.length > 0 && Number.isFinite(rpo) ? rpo : null,
    achievableRtoSeconds: known.length > 0 && Number.isFinite(rto) ? rto : null,
    status,
    rtoTerms: slowest && typeof slowest.rto !== "number" ? slowest.rto : null,
    derivation,
    sources: [...factKeys].map((k) => FACTS[k]),
    unknownProperties,
  };
}
