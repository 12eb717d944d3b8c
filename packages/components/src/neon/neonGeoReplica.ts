import * as pulumi from "@pulumi/pulumi";
import type { Project } from "@sst-provider/neon";
import { NEON_PLAN_HISTORY_LIMIT_SECONDS } from "@drkit/posture";
import { type RegionPair, checkRegionPairArgs, hasSides } from "../common/regions";
import { ServiceIdentity, validateServiceIdentity } from "../common/service";
import { commandSdk, neonSdk } from "./sdks";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  isPlainObject,
  ownEntry,
  shown,
  validatedInput,
} from "../common/validation";
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

/** Neon's plans, which cap the point-in-time-restore window. */
export const NeonPlan = {
  /** History window up to 6 hours. */
  Free: "free",
  /** History window up to 7 days. */
  Launch: "launch",
  /** History window up to 30 days. */
  Scale: "scale",
} as const;
export type NeonPlan = (typeof NeonPlan)[keyof typeof NeonPlan];

/** The history window each plan allows, seconds: the posture model's figures (dr-facts [N1]). */
const NEON_HISTORY_LIMIT_SECONDS: Readonly<Record<NeonPlan, number>> = NEON_PLAN_HISTORY_LIMIT_SECONDS;

/** The history window a tier gets by default (then capped at the plan's limit). */
export const TIER_HISTORY_SECONDS = {
  critical: 604_800, // 7 days: a bad write noticed within a week can be undone
  important: 259_200, // 3 days
  standard: 86_400, // 1 day, Neon's own default
} as const satisfies Readonly<Record<string, number>>;

/** What a logically replicated standby does not cover: surfaced as an output and in the docs. */
export const NEON_REPLICATION_CAVEATS = [
  "Schema changes (DDL) do not replicate: apply every migration to the standby too, before the primary.",
  "Sequences do not replicate: the promotion script moves them past the highest replicated value.",
  "Replication slots can be lost: Neon drops inactive slots after about 40 hours, and a branch restore deletes them; the subscription must then be recreated.",
  "Replication is asynchronous: a region loss loses what had not reached the standby (watch the lag).",
];

export interface NeonGeoReplicaArgs extends ServiceIdentity {
  /**
   * Where the projects live: a `DrRegionPair`'s `primaryNeonRegionId` / `secondaryNeonRegionId` (or the
   * same fields of the regions given as arguments). Explicit region ids below win.
   * @default - `primaryRegionId` / `standbyRegionId` must be given
   */
  readonly regions?: RegionPair;
  /** @default - the Neon region id of `regions`' primary side */
  readonly primaryRegionId?: string;
  /** @default - the Neon region id of `regions`' secondary side */
  readonly standbyRegionId?: string;
  /** The Neon plan, which caps the history window. @default "launch" */
  readonly plan?: NeonPlan;
  /**
   * Point-in-time-restore window of the primary, seconds: 0 to the plan's limit (free 21600, launch 604800,
   * scale 2592000).
   * @default - by tier (critical 7 d, important 3 d, standard 1 d), capped at the plan's limit
   */
  readonly historyRetentionSeconds?: number;
  /**
   * The database created on both sides and replicated: a lowercase PostgreSQL identifier of at most
   * 53 characters (its publication and subscription names add 10 and must fit PostgreSQL's 63).
   * @default "app"
   */
  readonly database?: string;
  /** PostgreSQL major version of both projects: 14–18. Creation-only. @default 16 */
  readonly pgVersion?: pulumi.Input<number>;
  /**
   * Replication lag at which monitoring must alert, seconds (1–86400); it bounds the region RPO the posture
   * model reports. Alert with `lagQuery` on the standby.
   * @default 60
   */
  readonly replicationLagAlarmSeconds?: number;
  /** Values the promotion adds to each sequence past the highest replicated one (0–1000000). @default 1000 */
  readonly promotionSequenceGap?: number;
}

/** The fields of `NeonGeoReplicaArgs`. */
const FIELDS: readonly (keyof NeonGeoReplicaArgs)[] = [
  "service",
  "tier",
  "regions",
  "primaryRegionId",
  "standbyRegionId",
  "plan",
  "historyRetentionSeconds",
  "database",
  "pgVersion",
  "replicationLagAlarmSeconds",
  "promotionSequenceGap",
];

/** PostgreSQL major versions Neon runs (Neon docs, Postgres compatibility: 14–17, and 18 in preview). */
export const NEON_PG_VERSIONS = [14, 15, 16, 17, 18] as const;

// PostgreSQL truncates identifiers past 63 bytes; the publication and subscription add `_drkit_pub`/`_sub`.
const DATABASE_NAME = /^[a-z_][a-z0-9_]*$/;
const DATABASE_NAME_MAX = 63 - "_drkit_pub".length;
/** Databases every PostgreSQL server (and so every Neon branch) already has. */
const SYSTEM_DATABASES = ["postgres", "template0", "template1"];
/** Neon drops a replication slot inactive for about 40 hours: an alarm must fire well before. */
const LAG_ALARM_MAX_SECONDS = 86_400;
/** A larger gap burns ids that an `integer` (serial) column, which ends at 2147483647, runs out of. */
const SEQUENCE_GAP_MAX = 1_000_000;

const FIELD_HINT =
  "pass { service, tier, primaryRegionId, standbyRegionId }, or `regions` from a DrRegionPair";

function checkRegionId(field: string, value: unknown, problems: ArgsProblems): void {
  if (!checkPlain(field, value, problems)) return;
  if (typeof value === "string" && value.startsWith("azure-")) {
    problems.add(
      `\`${field}\` ${shown(value)} is an Azure region, deprecated by Neon (support ended 2026-08-27): use an AWS region such as aws-eu-central-1`,
    );
    return;
  }
  if ((NEON_REGIONS as readonly unknown[]).includes(value)) return;
  const near = typeof value === "string" ? `aws-${value.trim().toLowerCase()}` : undefined;
  problems.add(
    `\`${field}\` must be a Neon region id (${NEON_REGIONS.join(", ")}) (got ${shown(value)})${
      near !== undefined && (NEON_REGIONS as readonly string[]).includes(near)
        ? `: did you mean ${shown(near)}?`
        : `; give it, or \`regions\` with a \`${field === "primaryRegionId" ? "primaryNeonRegionId" : "secondaryNeonRegionId"}\``
    }`,
  );
}

/** The problem with a `pgVersion`, plain now or when it resolves. */
function pgVersionProblem(value: unknown): string | undefined {
  if (value === undefined || (NEON_PG_VERSIONS as readonly unknown[]).includes(value)) return undefined;
  return `\`pgVersion\` must be one of ${NEON_PG_VERSIONS.join(", ")}, the PostgreSQL versions Neon runs (got ${shown(value)})${typeof value === "string" ? ": write it without quotes" : ""}`;
}

/** The Neon region id of one side of `regions`, as far as they can be read. */
function neonRegionIdOf(regions: unknown, role: "primary" | "secondary"): unknown {
  if (!isPlainObject(regions)) return undefined;
  if (!hasSides(regions))
    return regions[role === "primary" ? "primaryNeonRegionId" : "secondaryNeonRegionId"];
  const side: unknown = regions[role];
  return isPlainObject(side) ? side.neonRegionId : undefined;
}

/**
 * Every problem with the arguments, each naming the field, the value and the fix. Takes anything: YAML
 * config and JavaScript callers are not type-checked.
 */
export function validateNeonGeoReplicaArgs(args: unknown): string[] {
  const problems = new ArgsProblems();
  if (!checkArgsObject(args, FIELD_HINT, problems)) return [...problems.list];
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);

  const regions = args.regions;
  if (checkPlain("regions", regions, problems) && regions !== undefined) {
    if (!isPlainObject(regions))
      problems.add(
        `\`regions\` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion, primaryNeonRegionId, secondaryNeonRegionId } (got ${shown(regions)})`,
      );
    else if (!hasSides(regions)) checkRegionPairArgs("regions.", regions, problems);
    else
      for (const role of ["primary", "secondary"] as const)
        problems.check(
          isPlainObject(regions[role]),
          `\`regions.${role}\` must be a side of a DrRegionPair (got ${shown(regions[role])})`,
        );
  }
  const primaryRegion = args.primaryRegionId ?? neonRegionIdOf(regions, "primary");
  const standbyRegion = args.standbyRegionId ?? neonRegionIdOf(regions, "secondary");
  checkRegionId("primaryRegionId", primaryRegion, problems);
  checkRegionId("standbyRegionId", standbyRegion, problems);
  problems.check(
    primaryRegion === undefined || primaryRegion !== standbyRegion,
    `\`standbyRegionId\` must differ from \`primaryRegionId\` (both ${shown(primaryRegion)}): Neon has no cross-region replica, the standby must be elsewhere`,
  );

  // The plan and the window decide the projects' settings: both must be known now.
  let limit: number | undefined;
  if (checkPlain("plan", args.plan, problems)) {
    limit = ownEntry(NEON_HISTORY_LIMIT_SECONDS, args.plan ?? "launch");
    problems.check(
      limit !== undefined,
      `\`plan\` must be "free", "launch" or "scale" (got ${shown(args.plan)})`,
    );
  }
  const history = args.historyRetentionSeconds;
  if (checkPlain("historyRetentionSeconds", history, problems) && history !== undefined) {
    const max = limit ?? NEON_HISTORY_LIMIT_SECONDS.scale;
    const on = limit !== undefined ? ` on the ${String(args.plan ?? "launch")} plan` : "";
    if (typeof history !== "number" || !Number.isInteger(history) || history < 0 || history > max) {
      const fix =
        typeof history === "string"
          ? ": write it without quotes"
          : typeof history === "number" && history > max
            ? "; raise the plan or lower the window"
            : "";
      problems.add(
        `\`historyRetentionSeconds\` must be a whole number of seconds from 0 to ${max}${on} (got ${shown(history)})${fix}`,
      );
    }
  }

  const database = args.database;
  if (checkPlain("database", database, problems) && database !== undefined) {
    if (
      typeof database !== "string" ||
      !DATABASE_NAME.test(database) ||
      database.length > DATABASE_NAME_MAX
    ) {
      problems.add(
        `\`database\` must be a lowercase PostgreSQL identifier (a-z, 0-9, _; not starting with a digit) of at most ${DATABASE_NAME_MAX} characters (got ${shown(database)}): its publication and subscription names add 10 characters to it, within PostgreSQL's 63`,
      );
    } else if (SYSTEM_DATABASES.includes(database)) {
      problems.add(
        `\`database\` must not be ${shown(database)}, a database every PostgreSQL server already has: name your application's database`,
      );
    }
  }

  if (!pulumi.Output.isInstance(args.pgVersion) && !(args.pgVersion instanceof Promise)) {
    const problem = pgVersionProblem(args.pgVersion);
    if (problem !== undefined) problems.add(problem);
  }
  if (checkPlain("replicationLagAlarmSeconds", args.replicationLagAlarmSeconds, problems))
    checkWholeNumber(
      "replicationLagAlarmSeconds",
      args.replicationLagAlarmSeconds,
      { min: 1, max: LAG_ALARM_MAX_SECONDS, unit: "seconds", omitted: "60" },
      problems,
    );
  if (checkPlain("promotionSequenceGap", args.promotionSequenceGap, problems))
    checkWholeNumber(
      "promotionSequenceGap",
      args.promotionSequenceGap,
      { min: 0, max: SEQUENCE_GAP_MAX, omitted: "1000" },
      problems,
    );
  // A provider is a resource option, which every Pulumi language can pass; an argument only TypeScript could.
  if (args.neonProvider !== undefined)
    problems.add(
      "`neonProvider` is not an argument: pass the Neon provider as a resource option, `{ providers: [provider] }`, or omit it to use one reading NEON_API_KEY",
    );
  checkKnownFields(
    "",
    Object.fromEntries(Object.entries(args).filter(([key]) => key !== "neonProvider")),
    FIELDS,
    problems,
  );
  return [...problems.list];
}

/**
 * Neon Postgres with point-in-time restore sized to the tier, and a standby project in another region fed
 * by logical replication, wired at deploy time and ready to promote.
 */
export class NeonGeoReplica extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:NeonGeoReplica";
  /**
   * The primary's connection URI, password included.
   * @secret
   */
  readonly primaryConnectionUri: pulumi.Output<string>;
  /**
   * The standby's connection URI, password included.
   * @secret
   */
  readonly standbyConnectionUri: pulumi.Output<string>;
  /**
   * The failover runbook's step: bash, with the standby's STANDBY_HOST, STANDBY_USER, STANDBY_PASSWORD,
   * STANDBY_DATABASE and SUBSCRIPTION in the environment (never on the command line).
   */
  readonly promotionScript: string;

  constructor(name: string, args: NeonGeoReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    // Before super(): a bad argument registers nothing, not even this component.
    const problems = validateNeonGeoReplicaArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("NeonGeoReplica", name, problems);
    // Optional peer dependencies, loaded here and not on import; a missing one registers nothing either.
    const { Project, Role, Provider: NeonProvider } = neonSdk();
    const { local, Provider: CommandProvider } = commandSdk();
    super(NeonGeoReplica.__pulumiType, name, {}, opts);

    const plan = args.plan ?? "launch";
    const limit = NEON_HISTORY_LIMIT_SECONDS[plan];
    const primaryRegionId = (args.primaryRegionId ?? neonRegionIdOf(args.regions, "primary")) as string;
    const standbyRegionId = (args.standbyRegionId ?? neonRegionIdOf(args.regions, "secondary")) as string;
    // A custom tier (one the policy config defines) gets the standard window; never an inherited key.
    const tierHistory = ownEntry(TIER_HISTORY_SECONDS, args.tier) ?? TIER_HISTORY_SECONDS.standard;
    const history = args.historyRetentionSeconds ?? Math.min(tierHistory, limit);
    const database = args.database ?? "app";
    const lagAlarm = args.replicationLagAlarmSeconds ?? 60;
    const pgVersion =
      args.pgVersion === undefined
        ? 16
        : validatedInput("NeonGeoReplica", name, args.pgVersion, (value) => pgVersionProblem(value));
    const roleName = "drkit_replication";
    const publication = `${database}_drkit_pub`;
    const subscription = `${database}_drkit_sub`;

    // Own providers, so the component also works where default providers are disabled.
    // The caller's Neon provider (resource option `providers`, or inherited from the parent), else one of
    // its own reading NEON_API_KEY: never the default provider, which stacks may disable.
    const neon =
      this.getProvider("neon:index/project:Project") ??
      new NeonProvider(`${name}-neon`, {}, { parent: this });
    const commands = new CommandProvider(`${name}-command`, {}, { parent: this });

    const project = (role: "primary" | "standby", regionId: string, logical: boolean) =>
      new Project(
        `${name}-${role}`,
        {
          name: `${name}-${role}`,
          regionId,
          pgVersion,
          historyRetentionSeconds: history,
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
