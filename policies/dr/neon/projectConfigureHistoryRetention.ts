import { NEON_PLAN_HISTORY_LIMIT_SECONDS } from "@drkit/posture";
import { unknownMessage, unknownPaths, valueAt } from "../support/properties";
import { fromJudgement, Judge, unfixable } from "../support/remediation";
import { DocumentedResourcePolicy, iso27001, policyDocsUrl, policyTags } from "../support/metadata";

const NAME = "drkit-neon-project-configure-history-retention";

export const NEON_PROJECT_TYPE = "neon:index/project:Project";

// The provider's default when `historyRetentionSeconds` is omitted: one day (dr-facts [N1]).
const NEON_DEFAULT_HISTORY_SECONDS = 86_400;

export interface NeonHistoryConfig {
  plan: "free" | "launch" | "scale";
  minimumHistorySeconds: number;
}

/**
 * The fix raises `historyRetentionSeconds` to `minimumHistorySeconds` when the plan allows that much:
 * the provider updates it in place (`history_retention_seconds` is not ForceNew; terraform-provider-neon
 * 0.13.0 sends it in UpdateProject). A window above the plan's limit is never shortened for the owner:
 * shortening deletes history.
 */
const judge: Judge = (props, args) => {
  const { plan, minimumHistorySeconds } = args.getConfig<NeonHistoryConfig>();
  const unknown = unknownPaths(props, ["historyRetentionSeconds"]);
  if (unknown.length > 0)
    return { findings: [unfixable(unknownMessage(`Neon project ${args.name}`, unknown))] };
  const given = valueAt(props, "historyRetentionSeconds");
  const history = typeof given === "number" ? given : NEON_DEFAULT_HISTORY_SECONDS;
  const limit = NEON_PLAN_HISTORY_LIMIT_SECONDS[plan];
  if (history > limit) {
    return {
      findings: [
        unfixable(
          `Neon project ${args.name} asks for ${history} s of history; the ${plan} plan allows at most ${limit} s. Lower \`historyRetentionSeconds\` or change plan.`,
        ),
      ],
    };
  }
  if (history >= minimumHistorySeconds) return { findings: [] };
  return {
    findings: [
      {
        message: `Neon project ${args.name} keeps ${history} s of history; point-in-time restore needs at least ${minimumHistorySeconds} s. Raise \`historyRetentionSeconds\`.`,
        fixes:
          minimumHistorySeconds <= limit
            ? [{ path: ["historyRetentionSeconds"], value: minimumHistorySeconds }]
            : [],
      },
    ],
  };
};

const { validate, remediate } = fromJudgement(judge);

/** Point-in-time restore covers software disruptions only inside the history window. */
export const projectConfigureHistoryRetention: DocumentedResourcePolicy = {
  name: NAME,
  displayName: "Neon projects: history window long enough for point-in-time restore",
  description:
    "A Neon project's history window (point-in-time restore) must cover the minimum and fit the plan's limit.",
  enforcementLevel: "advisory",
  severity: "high",
  url: policyDocsUrl(NAME),
  remediationSteps:
    "Set `historyRetentionSeconds` on the neon.Project to at least `minimumHistorySeconds` (default 86400) and at most the plan's limit (free 21600, launch 604800, scale 2592000), e.g. `new neon.Project(\"orders-db\", { ..., historyRetentionSeconds: 604800 })`; set `plan` in this policy's config to your Neon plan. " +
    "Neon bills history storage on paid plans. " +
    'Or opt in to the remediation: { "drkit-neon-project-configure-history-retention": "remediate" } raises a window below the minimum to the minimum when the plan allows it (an in-place update); it never shortens one.',
  framework: iso27001(
    "8.13",
    "Backups must be kept long enough to restore from: a point-in-time restore can reach back only as far as the history window.",
  ),
  tags: policyTags({
    topics: ["backup"],
    disruptions: ["software"],
    soc2: ["A1.2"],
    nist80053: ["CP-9"],
  }),
  configSchema: {
    properties: {
      plan: { type: "string", enum: ["free", "launch", "scale"], default: "launch" },
      minimumHistorySeconds: { type: "integer", minimum: 0, default: 86_400 },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type === NEON_PROJECT_TYPE) validate(args, reportViolation);
  },
  remediateResource: (args) => (args.type === NEON_PROJECT_TYPE ? remediate(args) : undefined),
};
