import { ResourceValidationPolicy } from "@pulumi/policy";
import { NEON_PLAN_HISTORY_LIMIT_SECONDS } from "@drkit/posture";
import { rawProperties, reportUnknown, unknownPaths, valueAt } from "../support/properties";

export const NEON_PROJECT_TYPE = "neon:index/project:Project";

// The provider's default when `historyRetentionSeconds` is omitted: one day (dr-facts [N1]).
const NEON_DEFAULT_HISTORY_SECONDS = 86_400;

export interface NeonHistoryConfig {
  plan: "free" | "launch" | "scale";
  minimumHistorySeconds: number;
}

/** Point-in-time restore covers software disruptions only inside the history window. */
export const projectConfigureHistoryRetention: ResourceValidationPolicy = {
  name: "drkit-neon-project-configure-history-retention",
  description:
    "A Neon project's history window (point-in-time restore) must cover the minimum and fit the plan's limit.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      plan: { type: "string", enum: ["free", "launch", "scale"], default: "launch" },
      minimumHistorySeconds: { type: "integer", minimum: 0, default: 86_400 },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== NEON_PROJECT_TYPE) return;
    const { plan, minimumHistorySeconds } = args.getConfig<NeonHistoryConfig>();
    const props = rawProperties(args.props);
    const unknown = unknownPaths(props, ["historyRetentionSeconds"]);
    if (unknown.length > 0) return reportUnknown(reportViolation, `Neon project ${args.name}`, unknown);
    const given = valueAt(props, "historyRetentionSeconds");
    const history = typeof given === "number" ? given : NEON_DEFAULT_HISTORY_SECONDS;
    const limit = NEON_PLAN_HISTORY_LIMIT_SECONDS[plan];
    if (history > limit) {
      reportViolation(
        `Neon project ${args.name} asks for ${history} s of history; the ${plan} plan allows at most ${limit} s. Lower \`historyRetentionSeconds\` or change plan.`,
      );
    }
    if (history < minimumHistorySeconds) {
      reportViolation(
        `Neon project ${args.name} keeps ${history} s of history; point-in-time restore needs at least ${minimumHistorySeconds} s. Raise \`historyRetentionSeconds\`.`,
      );
    }
  },
};
