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
  InvalidPolicyError,
  Waiver,
  WaiverEvaluation,
  calendarDay,
  isWaiverExpired,
  resolveResiliencyPolicy,
  validateResiliencyPolicy,
  waiverProblems,
} from "./policy";
import {
  MeasuredRestore,
  RestoreTerm,
  applyMeasuredRestore,
  measuredRestoreConfigProblems,
  measuredRestoreMaxAgeDays,
  unmatchedMeasurementProblems,
} from "./measuredRestore";
import type { GraphResource } from "./graph";
import { dataHoldingKind } from "./dataHolding";
import { closestName } from "./names";
import { COMPONENT_TYPE_PREFIX, OPAQUE_COMPONENT_PROPERTY } from "./labels";
import type { Rule } from "./rules/context";
import { s3Rule } from "./rules/s3";
import { route53Rule } from "./rules/route53";
import { veleroRule } from "./rules/velero";
import { redisRule } from "./rules/redis";
import { neonRule } from "./rules/neon";

export type AssessmentStatus =
  | "PolicyMet"
  | "PolicyBreached"
  | "Waived"
  | "NotApplicable"
  | "MissingPolicy"
  | "NotAssessed"
  | "UnknownUntilDeploy";

/** A resource of a service that holds data drkit cannot judge. */
export interface NotAssessedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** why, and how to proceed */
  readonly reason: string;
}

export interface Assessment {
  readonly service: string;
  /** the tier whose targets apply: the declared one, or the strictest when several are declared */
  readonly tier: string;
  /** every tier the service's resources declare */
  readonly declaredTiers: readonly string[];
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
  /** data-holding resources of the service that no rule could judge */
  readonly notAssessed: readonly NotAssessedResource[];
  /** the waivers that accepted a shortfall of this assessment */
  readonly waivers: readonly Waiver[];
}

/** What was judged of a service: its resources, split into assessed, not assessed and stateless. */
export interface ServiceCoverage {
  readonly name: string;
  readonly tier: string;
  readonly declaredTiers: readonly string[];
  /** URNs of every resource of the service */
  readonly resources: readonly string[];
  /** URNs a rule relied on */
  readonly assessed: readonly string[];
  /** resources that hold data no rule judged */
  readonly notAssessed: readonly NotAssessedResource[];
  /** URNs of resources that hold no data (roles, records, deployments, …) and were not assessed */
  readonly stateless: readonly string[];
}

/** Something about a service that keeps it from being judged against its tier (missing, unknown or conflicting tiers). */
export interface ServiceProblem {
  /** the service; "" when the problem is which service resources belong to */
  readonly service: string;
  /** the disruptions that could not be judged because of it */
  readonly disruptions: readonly Disruption[];
  readonly message: string;
}

export interface PostureReport {
  readonly assessments: readonly Assessment[];
  readonly waivers: readonly WaiverEvaluation[];
  readonly services: readonly ServiceCoverage[];
  readonly problems: readonly ServiceProblem[];
  /** true when any assessment is PolicyBreached (a waived breach does not count) */
  readonly breached: boolean;
}

export const RULES: readonly Rule[] = [s3Rule, route53Rule, veleroRule, redisRule, neonRule];

export interface AssessOptions {
  /** the moment of judgement (the caller's clock; the model never reads the clock itself) */
  readonly now: Date;
  /**
   * the day the evidence is dated (reproducible reports). Waivers are judged at both instants: a waiver
   * expired at either is not applied, so a past date cannot revive one.
   */
  readonly assessmentDate?: Date;
}

interface WaiverSlot {
  readonly waiver: unknown;
  readonly problems: string[];
  readonly expired: boolean;
  used: boolean;
}

/** Assesses every service of `graph`. Throws `InvalidPolicyError` or `PostureInputError` on bad input. */
export function assessGraph(
  graph: ResourceGraph,
  policyInput: ResiliencyPolicyInput,
  options: AssessOptions,
): PostureReport {
  const instants = [options.now, ...(options.assessmentDate ? [options.assessmentDate] : [])];
  const judgedOn = new Date(Math.max(...instants.map((d) => d.getTime())));
  const configProblems = [
    ...validateResiliencyPolicy(policyInput),
    ...measuredRestoreConfigProblems(
      policyInput.measuredRestores,
      policyInput.measuredRestoreMaxAgeDays,
      judgedOn,
    ),
  ];
  if (configProblems.length > 0) throw new InvalidPolicyError(configProblems);
  const policy = resolveResiliencyPolicy(policyInput);
  const measured = (policyInput.measuredRestores ?? []) as readonly MeasuredRestore[];
  const index = new GraphIndex(graph);
  const services = index.services();
  const slots: WaiverSlot[] = policy.waivers.map((waiver) => {
    const problems = waiverProblems(waiver, policy.maximumWaiverDays, judgedOn);
    return {
      waiver,
      problems,
      expired: problems.length === 0 && instants.some((at) => isWaiverExpired(waiver as Waiver, at)),
      used: false,
    };
  });
  const usable = slots.filter((s) => s.problems.length === 0 && !s.expired);

  const perService = services.map((service) => {
    const reported: NotAssessedResource[] = [];
    const estimates = RULES.flatMap((rule) =>
      rule({
        index,
        policy,
        service,
        notAssessed: (resource, reason) => reported.push(notAssessedEntry(resource, reason)),
      }),
    );
    return { service, estimates, reported };
  });
  const restoresByService = new Map(
    perService.map(({ service, estimates }) => [
      service.name,
      new Set(
        estimates.flatMap((e) => {
          const kind =
            typeof e.rto === "number" ? undefined : (e.rto.action as Partial<RestoreTerm>).restoreOf;
          return kind === undefined ? [] : [`${kind}/${e.disruption}`];
        }),
      ),
    ]),
  );
  // A graph without services is the config checked on its own (`drkit check` does, before the program
  // runs): there is nothing yet for a measurement to name, so which service it names is judged with the stack.
  const unmatched = services.length === 0 ? [] : unmatchedMeasurementProblems(measured, restoresByService);
  if (unmatched.length > 0) throw new InvalidPolicyError(unmatched);
  const basis = new Set(perService.flatMap(({ estimates }) => estimates.flatMap((e) => e.basis)));

  const assessments: Assessment[] = [];
  const coverage: ServiceCoverage[] = [];
  const problems: ServiceProblem[] = [];
  for (const { service, estimates, reported } of perService) {
    const tiers = resolveTiers(service, policy);
    const notAssessed = [...reported];
    const stateless: string[] = [];
    for (const r of service.resources) {
      if (basis.has(r.urn) || notAssessed.some((n) => n.urn === r.urn) || isGrouping(r)) continue;
      // What such a component creates may hold data: unseen is never stateless.
      const opaque = r.properties[OPAQUE_COMPONENT_PROPERTY];
      const kind = dataHoldingKind(r.type);
      if (typeof opaque === "string") notAssessed.push(notAssessedEntry(r, opaque));
      else if (kind === undefined) stateless.push(r.urn);
      else
        notAssessed.push(
          notAssessedEntry(
            r,
            kind.modelled
              ? `it holds ${kind.holds}, but no drkit rule could assess it in this shape (e.g. a recovery copy whose source is not in the stack)`
              : `it holds ${kind.holds}, and drkit has no model of how ${r.type} recovers`,
          ),
        );
    }
    coverage.push({
      name: service.name,
      tier: tiers.tier,
      declaredTiers: service.declaredTiers,
      resources: service.resources.map((r) => r.urn),
      assessed: service.resources.filter((r) => basis.has(r.urn)).map((r) => r.urn),
      notAssessed,
      stateless,
    });
    const missing: Disruption[] = [];
    for (const disruption of DISRUPTIONS) {
      const target = tiers.target(disruption);
      if (target === null) missing.push(disruption);
      assessments.push(
        assessOne({
          service: service.name,
          tiers,
          disruption,
          target,
          estimates: estimates
            .filter((e) => e.disruption === disruption)
            .map((e) =>
              withMeasuredRestore(e, {
                service: service.name,
                tier: tiers.tier,
                measured,
                maxAgeDays: measuredRestoreMaxAgeDays(policyInput.measuredRestoreMaxAgeDays, tiers.tier),
                instants,
              }),
            ),
          notAssessed,
          waivers: usable,
          index,
        }),
      );
    }
    if (tiers.conflict)
      problems.push({ service: service.name, disruptions: [...DISRUPTIONS], message: tiers.conflict });
    if (missing.length > 0)
      problems.push({ service: service.name, disruptions: missing, message: tiers.missingReason(missing) });
  }

  const unknownMembership = index.unknownMembership();
  if (unknownMembership.length > 0) {
    problems.push({
      service: "",
      disruptions: [...DISRUPTIONS],
      message: `${unknownMembership.length} resource${unknownMembership.length === 1 ? "'s" : "s'"} service or tier is computed from another resource and unknown until deploy (${unknownMembership.map((r) => r.urn).join(", ")}): drkit cannot tell which service and tier ${unknownMembership.length === 1 ? "it belongs" : "they belong"} to in preview. Use plain strings for the \`drkit:service\` and \`drkit:tier\` tags and labels.`,
    });
  }
  const serviceNames = new Set(services.map((s) => s.name));
  const waivers: WaiverEvaluation[] = slots.map((slot): WaiverEvaluation => {
    if (slot.problems.length > 0) return { waiver: slot.waiver, state: "malformed", problems: slot.problems };
    const w = slot.waiver as Waiver;
    if (slot.expired) {
      return {
        waiver: slot.waiver,
        state: "expired",
        problems: [`expired on ${w.expires}: not applied; renew it or fix the breach`],
      };
    }
    if (slot.used) return { waiver: slot.waiver, state: "applied", problems: [] };
    return {
      waiver: slot.waiver,
      state: "unused",
      problems: [
        serviceNames.has(w.service)
          ? `it matches no breach or unassessed resource of ${w.service}${w.disruption ? ` (${w.disruption})` : ""}${w.resource ? ` for resource ${w.resource}` : ""}: remove it, or correct it`
          : `it names service ${w.service}, which is not in the stack${closestName(w.service, [...serviceNames]) ? ` (did you mean \`${closestName(w.service, [...serviceNames])}\`?)` : ""}: remove it, or correct it`,
      ],
    };
  });
  return {
    assessments,
    waivers,
    services: coverage,
    problems,
    breached: assessments.some((a) => a.status === "PolicyBreached"),
  };
}

/** The estimate with a drill's measured restore time in its restore step, saying so, when one applies. */
function withMeasuredRestore(
  e: Estimate,
  context: {
    service: string;
    tier: string;
    measured: readonly MeasuredRestore[];
    maxAgeDays: number;
    instants: readonly Date[];
  },
): Estimate {
  if (typeof e.rto === "number" || context.measured.length === 0) return e;
  const { rto, line } = applyMeasuredRestore(
    e.rto,
    { service: context.service, tier: context.tier, disruption: e.disruption },
    context.measured,
    context.maxAgeDays,
    context.instants,
  );
  return line === undefined ? e : { ...e, rto, lines: [...e.lines, line] };
}

/** Components (drkit's own) and providers group or configure resources; they hold nothing. */
function isGrouping(resource: GraphResource): boolean {
  return resource.type.startsWith(COMPONENT_TYPE_PREFIX) || resource.type.startsWith("pulumi:");
}

function notAssessedEntry(resource: GraphResource, reason: string): NotAssessedResource {
  return { urn: resource.urn, type: resource.type, name: resource.name, reason };
}

interface ResolvedTiers {
  /** the tier reported: the single declared tier, or the strictest known one */
  readonly tier: string;
  readonly declared: readonly string[];
  /** the targets that apply: per disruption, the strictest of the declared tiers that define it */
  target(disruption: Disruption): Target | null;
  /** why some disruptions have no target */
  missingReason(disruptions: Disruption[]): string;
  /** set when the service declares several tiers */
  readonly conflict?: string;
}

function resolveTiers(service: ServiceGroup, policy: ResiliencyPolicy): ResolvedTiers {
  const defined = Object.keys(policy.tiers);
  const known = service.declaredTiers.filter((t) => Object.prototype.hasOwnProperty.call(policy.tiers, t));
  const unknown = service.declaredTiers.filter((t) => !known.includes(t));
  const targetsOf = (tier: string) => policy.tiers[tier] ?? {};
  const strictness = (tier: string) =>
    Object.values(targetsOf(tier)).reduce((sum, t) => sum + (t ? t.rpoSeconds + t.rtoSeconds : 0), 0);
  const strictest = [...known].sort((a, b) => strictness(a) - strictness(b) || a.localeCompare(b))[0];
  const tier = strictest ?? service.declaredTiers[0] ?? "";
  const declared = (tiers: string[]) => tiers.map((t) => `"${t}"`).join(" and ");
  const unknownText = unknown
    .map((t) => {
      const suggestion = closestName(t, defined);
      return `"${t}"${suggestion ? ` (did you mean \`${suggestion}\`?)` : ""}`;
    })
    .join(", ");
  return {
    tier,
    declared: service.declaredTiers,
    target: (disruption) => {
      const targets = known.flatMap((t) => {
        const target = targetsOf(t)[disruption];
        return target ? [target] : [];
      });
      if (targets.length === 0) return null;
      return {
        rpoSeconds: Math.min(...targets.map((t) => t.rpoSeconds)),
        rtoSeconds: Math.min(...targets.map((t) => t.rtoSeconds)),
      };
    },
    missingReason: (disruptions) => {
      const which = `${disruptions.join(", ")} ${disruptions.length === 1 ? "disruption is" : "disruptions are"} not judged`;
      if (service.declaredTiers.length === 0)
        return `${service.name} declares no tier, so its ${which}: give its resources the \`drkit:tier\` tag (Kubernetes: \`drkit.dev/tier\` label) or its component a \`tier\`, one of ${defined.join(", ")}.`;
      if (known.length === 0)
        return `${service.name} declares tier ${unknownText}, which the policy does not define (tiers: ${defined.join(", ")}), so its ${which}: correct the tier, or define it under \`tiers\` in the policy config.`;
      return `${service.name} declares tier ${declared(known)}, which has no target for ${disruptions.length === 1 ? "it" : "them"} in the policy (a tier in the config's \`tiers\` replaces the default tier whole), so its ${which}: give the tier a target for every disruption.`;
    },
    conflict:
      service.declaredTiers.length > 1
        ? `${service.name} declares ${service.declaredTiers.length} tiers, ${declared(service.declaredTiers)}${unknown.length > 0 ? ` (not defined: ${unknownText})` : ""}: a service has one tier. Until its resources agree, the strictest targets apply${strictest ? ` (${strictest})` : ""}.`
        : undefined,
  };
}

const breaches = (seconds: number, limit: number) => !Number.isFinite(seconds) || seconds > limit;

function assessOne(input: {
  service: string;
  tiers: ResolvedTiers;
  disruption: Disruption;
  target: Target | null;
  estimates: Estimate[];
  notAssessed: readonly NotAssessedResource[];
  waivers: WaiverSlot[];
  index: GraphIndex;
}): Assessment {
  const { service, tiers, disruption, target, estimates, notAssessed } = input;
  const derivation: string[] = [];
  const base = {
    service,
    tier: tiers.tier,
    declaredTiers: tiers.declared,
    disruption,
    target,
    notAssessed,
  };
  if (tiers.conflict) derivation.push(tiers.conflict);
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
  for (const n of notAssessed) {
    derivation.push(
      `drkit cannot judge ${n.type} ${n.name}: ${n.reason}. Protect its data with a kind drkit models, or waive it by name (\`resource: "${n.name}"\`) with an owner, a reason and an expiry.`,
    );
  }
  if (estimates.length === 0 && notAssessed.length === 0) {
    return {
      ...base,
      achievableRpoSeconds: null,
      achievableRtoSeconds: null,
      status: target === null ? "MissingPolicy" : "NotApplicable",
      rtoTerms: null,
      derivation: [
        ...derivation,
        `No resource of ${service} is of a kind drkit models for a ${disruption} disruption (${DISRUPTION_MEANING[disruption]}).`,
      ],
      sources: [],
      unknownProperties: [],
      waivers: [],
    };
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
  const applied: Waiver[] = [];
  const waiverFor = (subject: string, rpoSeconds: number | null, rtoSecondsValue: number | null) => {
    const resource = input.index.byUrn.get(subject);
    const slot = input.waivers.find((s) => {
      const w = s.waiver as Waiver;
      return (
        w.service === service &&
        (w.disruption === undefined || w.disruption === disruption) &&
        (rpoSeconds === null && rtoSecondsValue === null
          ? w.resource !== undefined && (w.resource === subject || w.resource === resource?.name)
          : w.resource === undefined || w.resource === subject || w.resource === resource?.name) &&
        (w.acceptedRpoSeconds === undefined || (rpoSeconds !== null && rpoSeconds <= w.acceptedRpoSeconds)) &&
        (w.acceptedRtoSeconds === undefined ||
          (rtoSecondsValue !== null && rtoSecondsValue <= w.acceptedRtoSeconds))
      );
    });
    if (!slot) return undefined;
    slot.used = true;
    const w = slot.waiver as Waiver;
    if (!applied.includes(w)) applied.push(w);
    return w;
  };
  const waivedLine = (what: string, w: Waiver) =>
    `${what}: waived until ${w.expires} by ${w.owner}: ${w.reason}`;

  let status: AssessmentStatus;
  let uncoveredBreaches = 0;
  let uncoveredUnassessed = 0;
  if (target === null) {
    status = "MissingPolicy";
    derivation.push(tiers.missingReason([disruption]));
  } else {
    if (known.length > 0 && breaches(rpo, target.rpoSeconds))
      derivation.push(
        `RPO ${formatDuration(rpo)} exceeds the ${tiers.tier} target of ${formatDuration(target.rpoSeconds)}.`,
      );
    if (known.length > 0 && breaches(rto, target.rtoSeconds))
      derivation.push(
        `RTO ${formatDuration(rto)} exceeds the ${tiers.tier} target of ${formatDuration(target.rtoSeconds)}.`,
      );
    // Each shortfall needs a waiver of its own: one for S3's 15-minute RTC must not also cover a
    // database whose loss has no bound.
    for (const e of known) {
      const componentRto = rtoSeconds(e.rto);
      const rpoBreach = e.rpoSeconds !== null && breaches(e.rpoSeconds, target.rpoSeconds);
      const rtoBreach = breaches(componentRto, target.rtoSeconds);
      if (!rpoBreach && !rtoBreach) continue;
      const w = waiverFor(e.subject, e.rpoSeconds ?? 0, componentRto);
      if (w) derivation.push(waivedLine(`The shortfall of ${e.component}`, w));
      else uncoveredBreaches++;
    }
    for (const n of notAssessed) {
      const w = waiverFor(n.urn, null, null);
      if (w) derivation.push(waivedLine(`Not assessing ${n.type} ${n.name}`, w));
      else uncoveredUnassessed++;
    }
    status =
      uncoveredBreaches > 0
        ? "PolicyBreached"
        : uncoveredUnassessed > 0
          ? "NotAssessed"
          : unknownProperties.length > 0
            ? "UnknownUntilDeploy"
            : applied.length > 0
              ? "Waived"
              : "PolicyMet";
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
    waivers: applied,
  };
}

/** The gate's settings as a pipeline writes them: the policy, plus the day evidence is dated. */
export interface PostureConfig extends ResiliencyPolicyInput {
  /** the day waivers are also judged at, `YYYY-MM-DD`, for reproducible evidence; never revives a waiver */
  readonly assessmentDate?: string;
}

/**
 * Assesses `graph` with the gate's settings at the caller's `now`. Throws `InvalidPolicyError` for a bad
 * policy or an `assessmentDate` that is not a real calendar day.
 */
export function assessWithConfig(graph: ResourceGraph, config: PostureConfig, now: Date): PostureReport {
  const { assessmentDate, ...policy } = config;
  let day: number | undefined;
  if (assessmentDate !== undefined) {
    day = typeof assessmentDate === "string" ? calendarDay(assessmentDate) : undefined;
    if (day === undefined)
      throw new InvalidPolicyError([
        `\`assessmentDate\` must be a real calendar date YYYY-MM-DD (got ${JSON.stringify(assessmentDate)}); omit it to judge today`,
      ]);
  }
  return assessGraph(graph, policy, {
    now,
    assessmentDate: day === undefined ? undefined : new Date(day),
  });
}
