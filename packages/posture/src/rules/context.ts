import type { GraphResource } from "../graph";
import type { GraphIndex, ServiceGroup } from "../graphIndex";
import type { ActionEstimates, ResiliencyPolicy } from "../policy";
import { NO_TIME, RtoTerms, Term, term } from "../estimate";
import type { Estimate } from "../estimate";

export interface RuleContext {
  readonly index: GraphIndex;
  readonly policy: ResiliencyPolicy;
  readonly service: ServiceGroup;
  /**
   * Says that a resource of the service holds data the rule cannot judge (a deprecated inline setting, a
   * shape it does not model): the service is then `NotAssessed`, never silently met.
   */
  readonly notAssessed: (resource: GraphResource, why: string) => void;
}

export type Rule = (context: RuleContext) => Estimate[];

/** A recovery someone must notice, decide on and carry out. */
export function manualRecovery(
  estimates: ActionEstimates,
  action: Term,
  propagation: Term = NO_TIME("none"),
): RtoTerms {
  return {
    detection: term(
      estimates.incidentDetectionSeconds,
      "alarm pages the on-call, estimate `incidentDetectionSeconds`",
    ),
    decision: term(
      estimates.operatorDecisionSeconds,
      "operator decides to recover, estimate `operatorDecisionSeconds`",
    ),
    action,
    propagation,
  };
}

/** A disruption the managed service absorbs: nothing to do. */
export function absorbed(why: string): RtoTerms {
  return {
    detection: NO_TIME(why),
    decision: NO_TIME("automatic"),
    action: NO_TIME("none"),
    propagation: NO_TIME("none"),
  };
}
