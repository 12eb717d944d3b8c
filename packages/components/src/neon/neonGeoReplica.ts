import * as pulumi from "@pulumi/pulumi";
import { Project, Role, Provider as NeonProvider } from "@sst-provider/neon";
import { local, Provider as CommandProvider } from "@pulumi/command";
import { NEON_PLAN_HISTORY_LIMIT_SECONDS } from "@drkit/posture";
import type { RegionPairSides } from "../common/regions";
import { ServiceIdentity, validateServiceIdentity } from "../common/service";
import { ArgsProblems, InvalidArgsError, shown } from "../common/validation";
import { CREATE_SCRIPT, DELETE_SCRIPT, LAG_QUERY_SQL, promotionScript } from "./replicationSql";

/** Neon's AWS regions (dr-facts [N4]); Azure regions are deprecated (support ends 2026-08-27). */
export const NEON_REGIONS = [
  "aws-us-east-1",
  "aws-us-east-2",
  "aws-us-west-2",
  "aws-eu-central-1",
  "aws-eu-west-2",
  "aws-ap-southeast-1",
  "aws-ap-southeast-2",
  "aws-sa-east-1",
] as const;

export type NeonPlan = "free" | "launch" | "scale";

/** The history window each plan allows, seconds: the posture model's figures (dr-facts [N1]). */
const NEON_HISTORY_LIMIT_SECONDS: Readonly<Record<NeonPlan, number>> = NEON_PLAN_HISTORY_LIMIT_SECONDS;

/** The history window a tier gets by default (then capped at the plan's limit). */
export const TIER_HISTORY_SECONDS: Readonly<Record<string, number>> = {
  critical: 604_800, // 7 days: a bad write noticed within a week can be undone
  important: 259_200, // 3 days
  standard: 86_400, // 1 day, Neon's own default
};

/** What a logically replicated standby does not cover: surfaced as an output and in the docs. */
export const NEON_REPLICATION_CAVEATS = [
  "Schema changes (DDL) do not replicate: apply every migration to the standby too, before the primary.",
  "Sequences do not replicate: the promotion script moves them past the highest replicated value.",
  "Replication slots can be lost: Neon drops inactive slots after about 40 hours, and a branch restore deletes them; the subscription must then be recreated.",
  "Replication is asynchronous: a region loss loses what had not reached the standby (watch the lag).",
];

export interface NeonGeoReplicaArgs extends ServiceIdentity {
  /**
   * Where the projects live; each side's `neonRegionId`. Explicit region ids below win.
   * @default - `primaryRegionId` / `standbyRegionId` must be given
   */
  readonly regions?: RegionPairSides;
  /** @default - `regions.primary.neonRegionId` */
  readonly primaryRegionId?: string;
  /** @default - `regions.secondary.neonRegionId` */
  readonly standbyRegionId?: string;
  /** The Neon plan, which caps the history window. @default "launch" */
  readonly plan?: NeonPlan;
  /**
   * Point-in-time-restore window of the primary, seconds.
   * @default - by tier (critical 7 d, important 3 d, standard 1 d), capped at the plan's limit
   */
  readonly historyRetentionSeconds?: number;
  /** The database created on both sides and replicated. @default "app" */
  readonly database?: string;
  /** @default 16 */
  readonly pgVersion?: number;
  /**
   * Replication lag at which monitoring must alert, seconds; it bounds the region RPO the posture model
   * reports. Alert with `lagQuery` on the standby.
   * @default 60
   */
  readonly replicationLagAlarmSeconds?: number;
  /** Values the promotion adds to each sequence past the highest replicated one. @default 1000 */
  readonly promotionSequenceGap?: number;
  /** @default - a provider reading NEON_API_KEY */
  readonly neonProvider?: NeonProvider;
}

const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function validateNeonGeoReplicaArgs(args: NeonGeoReplicaArgs): string[] {
  const problems = new ArgsProblems();
  validateServiceIdentity(args, problems);
  const primaryRegion = args.primaryRegionId ?? args.regions?.primary.neonRegionId;
  const standbyRegion = args.standbyRegionId ?? args.regions?.secondary.neonRegionId;
  for (const [field, value] of [
    ["primaryRegionId", primaryRegion],
    ["standbyRegionId", standbyRegion],
  ] as const) {
    if (typeof value === "string" && value.startsWith("azure-")) {
      problems.add(
        `\`${field}\` ${shown(value)} is an Azure region, deprecated by Neon (support ended 2026-08-27): use an AWS region such as aws-eu-central-1`,
      );
    } else {
      problems.check(
        (NEON_REGIONS as readonly unknown[]).includes(value),
        `\`${field}\` must be a Neon region id (${NEON_REGIONS.join(", ")}) (got ${shown(value)}); give it, or DrRegionPair's neonRegionId`,
      );
    }
  }
  problems.check(
    primaryRegion === undefined || primaryRegion !== standbyRegion,
    `\`standbyRegionId\` must differ from \`primaryRegionId\` (both ${shown(primaryRegion)}): Neon has no cross-region replica, the standby must be elsewhere`,
  );
  const plan = args.plan ?? "launch";
  problems.check(
    plan in NEON_HISTORY_LIMIT_SECONDS,
    `\`plan\` must be "free", "launch" or "scale" (got ${shown(args.plan)})`,
  );
  const limit = NEON_HISTORY_LIMIT_SECONDS[plan];
  const history = args.historyRetentionSeconds;
  if (history !== undefined && limit !== undefined) {
    problems.check(
      Number.isInteger(history) && history >= 0 && history <= limit,
      `\`historyRetentionSeconds\` must be 0–${limit} on the ${plan} plan (got ${shown(history)}); raise the plan or lower the window`,
    );
  }
  problems.check(
    args.database === undefined || DATABASE_NAME.test(args.database),
    `\`database\` must be a lowercase identifier (got ${shown(args.database)})`,
  );
  const lag = args.replicationLagAlarmSeconds;
  problems.check(
    lag === undefined || (Number.isFinite(lag) && lag >= 1),
    `\`replicationLagAlarmSeconds\` must be at least 1 (got ${shown(lag)}); omit it to use 60`,
  );
  const gap = args.promotionSequenceGap;
  problems.check(
    gap === undefined || (Number.isInteger(gap) && gap >= 0),
    `\`promotionSequenceGap\` must be a whole number ≥ 0 (got ${shown(gap)})`,
  );
  return [...problems.list];
}

/**
 * Neon Postgres with point-in-time restore sized to the tier, and a standby project in another region fed
 * by logical replication, wired at deploy time and ready to promote.
 */
export class NeonGeoReplica extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:NeonGeoReplica";
  readonly primaryConnectionUri: pulumi.Output<string>;
  readonly standbyConnectionUri: pulumi.Output<string>;
  /**
   * The failover runbook's step: bash, with the standby's STANDBY_HOST, STANDBY_USER, STANDBY_PASSWORD,
   * STANDBY_DATABASE and SUBSCRIPTION in the environment (never on the command line).
   */
  readonly promotionScript: string;

  constructor(name: string, args: NeonGeoReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    super(NeonGeoReplica.__pulumiType, name, {}, opts);
    const problems = validateNeonGeoReplicaArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("NeonGeoReplica", name, problems);

    const plan = args.plan ?? "launch";
    const primaryRegionId = (args.primaryRegionId ?? args.regions?.primary.neonRegionId) as string;
    const standbyRegionId = (args.standbyRegionId ?? args.regions?.secondary.neonRegionId) as string;
    const history =
      args.historyRetentionSeconds ??
      Math.min(
        TIER_HISTORY_SECONDS[args.tier] ?? TIER_HISTORY_SECONDS.standard ?? 86_400,
        NEON_HISTORY_LIMIT_SECONDS[plan],
      );
    const database = args.database ?? "app";
    const lagAlarm = args.replicationLagAlarmSeconds ?? 60;
    const roleName = "drkit_replication";
    const publication = `${database}_drkit_pub`;
    const subscription = `${database}_drkit_sub`;

    // Own providers, so the component also works where default providers are disabled.
    const neon = args.neonProvider ?? new NeonProvider(`${name}-neon`, {}, { parent: this });
    const commands = new CommandProvider(`${name}-command`, {}, { parent: this });

    const project = (role: "primary" | "standby", regionId: string, logical: boolean) =>
      new Project(
        `${name}-${role}`,
        {
          name: `${name}-${role}`,
          regionId,
          pgVersion: args.pgVersion ?? 16,
          historyRetentionSeconds:
            role === "primary" ? history : Math.min(history, NEON_HISTORY_LIMIT_SECONDS[plan]),
          // Enabling it restarts computes and cannot be undone (dr-facts [N6]): only where it is needed.
          enableLogicalReplication: logical ? "yes" : "no",
          branch: { databaseName: database },
        },
        // Deleting a database project deletes its data: kept unless removed deliberately.
        { parent: this, provider: neon, retainOnDelete: true },
      );
    const primary = project("primary", primaryRegionId, true);
    const standby = project("standby", standbyRegionId, false);

    // A role created through Neon's API carries the REPLICATION privilege logical replication needs.
    const replicationRole = new Role(
      `${name}-replication`,
      { projectId: primary.id, branchId: primary.defaultBranchId, name: roleName },
      { parent: this, provider: neon, additionalSecretOutputs: ["password"] },
    );

    this.primaryConnectionUri = pulumi.secret(primary.connectionUri);
    this.standbyConnectionUri = pulumi.secret(standby.connectionUri);
    const replicationUri = pulumi.secret(
      pulumi.interpolate`postgresql://${roleName}:${replicationRole.password}@${primary.databaseHost}/${database}?sslmode=require`,
    );

    // Each side as libpq's parts: the scripts hand them to psql in its environment, never as arguments.
    const connection = (side: "PRIMARY" | "STANDBY", project: Project) => ({
      [`${side}_HOST`]: project.databaseHost,
      [`${side}_USER`]: project.databaseUser,
      [`${side}_PASSWORD`]: pulumi.secret(project.databasePassword),
      [`${side}_DATABASE`]: database,
    });

    new local.Command(
      `${name}-replication`,
      {
        interpreter: ["bash", "-c"],
        create: CREATE_SCRIPT,
        delete: DELETE_SCRIPT,
        // Secrets only through the environment: they never appear in the command text, its logs, or the
        // command lines of the psql and pg_dump it runs.
        environment: {
          ...connection("PRIMARY", primary),
          ...connection("STANDBY", standby),
          SSLMODE: "require",
          REPLICATION_URI: replicationUri,
          REPLICATION_ROLE: roleName,
          REPLICATION_PASSWORD: pulumi.secret(replicationRole.password),
          PUBLICATION: publication,
          SUBSCRIPTION: subscription,
        },
      },
      { parent: this, provider: commands, dependsOn: [replicationRole] },
    );

    this.promotionScript = promotionScript(args.promotionSequenceGap ?? 1000);
    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      plan,
      primaryRegionId,
      standbyRegionId,
      historyRetentionSeconds: history,
      replicationLagAlarmSeconds: lagAlarm,
      database,
      subscription,
      primaryConnectionUri: this.primaryConnectionUri,
      standbyConnectionUri: this.standbyConnectionUri,
      promotionScript: this.promotionScript,
      lagQuery: LAG_QUERY_SQL,
      caveats: NEON_REPLICATION_CAVEATS,
    });
  }
}
