// The posture model's credit for NeonBackup: the loss of the Neon project (and a bad write older than the
// history window) is a software disruption bounded by the backup CronJob's longest gap, only when the
// CronJob is in the graph, its archives go to a bucket its inputs are computed from, and that bucket keeps
// them past the gap plus detection.
import { assessGraph, Assessment, BACKUP_OF_ANNOTATION, GraphResource, ResourceGraph } from "../src";
import { GraphBuilder, labels, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const software = (graph: ResourceGraph, policy = {}): Assessment => {
  const found = assessGraph(graph, policy, { now }).assessments.find(
    (a) => a.service === "orders" && a.disruption === "software",
  );
  if (!found) throw new Error("no software assessment for orders");
  return found;
};
const summary = (a: Assessment) => [a.achievableRpoSeconds, a.achievableRtoSeconds, a.status];

interface Options {
  history?: number;
  /** false: no NeonBackup at all; "declared": the component without its CronJob */
  backup?: false | "declared";
  cron?: string;
  expirationDays?: number;
  /** the CronJob's parent is not a NeonBackup */
  orphanJob?: boolean;
  /** no input of the CronJob is computed from the bucket */
  bucketNotInInputs?: boolean;
  bucketRegion?: string;
}

function platform(options: Options = {}): ResourceGraph {
  const g = new GraphBuilder();
  const replica = g.add("drkit:index:NeonGeoReplica", "orders-db", {
    service: "orders",
    tier: "critical",
    plan: "launch",
    database: "orders",
    primaryRegionId: "aws-eu-central-1",
    standbyRegionId: "aws-us-east-2",
  });
  g.add(
    "neon:index/project:Project",
    "orders-db-primary",
    {
      regionId: "aws-eu-central-1",
      historyRetentionSeconds: options.history ?? 604_800,
      enableLogicalReplication: "yes",
    },
    { parent: replica },
  );
  if (options.backup === false) return g.graph;
  const component = g.add("drkit:index:NeonBackup", "orders-pg-backup", {
    service: "orders",
    tier: "critical",
    database: "orders",
    region: "eu-west-1",
    schedule: options.cron ?? "*/5 * * * *",
  });
  const region = options.bucketRegion ?? "eu-west-1";
  const bucket = g.add(
    "aws:s3/bucket:Bucket",
    "orders-pg-backup-backups",
    { objectLockEnabled: true, tags: tags("orders") },
    { parent: component, region },
  );
  g.add(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "orders-pg-backup-backups-lifecycle",
    {
      rules: [
        {
          id: "expire-backups-after-retention",
          status: "Enabled",
          filter: { prefix: "orders/postgres/" },
          expiration: { days: options.expirationDays ?? 35 },
          noncurrentVersionExpiration: { noncurrentDays: 1 },
        },
      ],
    },
    { parent: component, region, deps: { bucket: [bucket] } },
  );
  if (options.backup === "declared") return g.graph;
  const parent: GraphResource | undefined = options.orphanJob ? undefined : component;
  g.add(
    "kubernetes:batch/v1:CronJob",
    "orders-pg-backup-backup",
    {
      metadata: {
        name: "orders-pg-backup-backup",
        namespace: "orders-pg-backup",
        labels: labels("orders", "eu-west-1"),
        annotations: { [BACKUP_OF_ANNOTATION]: "orders", "drkit.dev/backup-destination-region": "eu-west-1" },
      },
      spec: { schedule: options.cron ?? "*/5 * * * *" },
    },
    { parent, deps: options.bucketNotInInputs ? {} : { spec: [bucket] } },
  );
  return g.graph;
}

describe("Neon software disruptions with an off-platform backup (NeonBackup)", () => {
  it("bounds the project's loss by the backup gap, and restores with the logical-restore estimate", () => {
    const a = software(platform());
    // RTO: detection 300 + decision 900 + neonLogicalRestoreSeconds 1800.
    expect(summary(a)).toEqual([300, 3_000, "PolicyMet"]);
    expect(a.derivation).toEqual([
      "Neon orders-db-primary (aws-eu-central-1): The history window is 604800 s.",
      "Neon orders-db-primary (aws-eu-central-1): A bad write noticed within 604800 s is undone by restoring to just before it: RPO 0 s.",
      "Neon orders-db-primary (aws-eu-central-1): The loss of the Neon project itself (deleted, or the Neon account compromised) is counted as a software disruption: its history window goes with it, and so may the standby project, in the same account.",
      'Neon orders-db-primary (aws-eu-central-1): The backup CronJob orders-pg-backup-backup (NeonBackup) dumps database `orders` with pg_dump from one exported snapshot, checks that the archive reads back and records its sha256 and per-table counts, on "*/5 * * * *": the longest gap is 300 s (5m).',
      "Neon orders-db-primary (aws-eu-central-1): Its archives go to bucket orders-pg-backup-backups in eu-west-1, outside the database's region (aws-eu-central-1) (an input of the CronJob is computed from it).",
      expect.stringMatching(
        /^Neon orders-db-primary \(aws-eu-central-1\): Bucket orders-pg-backup-backups: .*3024000 s.* ≥ gap 300 s \+ detection 300 s \(`incidentDetectionSeconds`\): the backup that predates a disruption still exists when it is noticed\.$/,
      ),
      "Neon orders-db-primary (aws-eu-central-1): Software RPO = 300 s, the worst of: a bad write 0 s (point-in-time restore); the project's loss 300 s (the backup gap).",
      "Neon orders-db-primary (aws-eu-central-1): RPO 300 s.",
      "Neon orders-db-primary (aws-eu-central-1): RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 1800 s (restore the newest pg_dump archive into a new Neon project and switch connection strings, estimate `neonLogicalRestoreSeconds`) + propagation 0 s (none) = 3000 s.",
      "Service RPO is the worst component's: 5m (Neon orders-db-primary (aws-eu-central-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: 50m (Neon orders-db-primary (aws-eu-central-1)).",
    ]);
    expect(a.sources.map((f) => f.id)).toEqual(
      expect.arrayContaining(["neon-pitr", "neon-project-loss", "pg-dump-snapshot"]),
    );
  });

  it("without an off-platform backup, the project's loss is unbounded: no RPO, no RTO", () => {
    const a = software(platform({ backup: false }));
    expect(summary(a)).toEqual([null, null, "PolicyBreached"]);
    expect(a.derivation).toContain(
      "Neon orders-db-primary (aws-eu-central-1): No off-platform backup of database `orders` is deployed (no CronJob of a NeonBackup annotated `drkit.dev/backup-of: orders`): the project's loss loses the database, so nothing bounds it.",
    );
  });

  it("an hourly backup bounds the loss at 3600 s: above the critical tier's 300 s", () => {
    expect(summary(software(platform({ cron: "0 * * * *" })))).toEqual([3_600, 3_000, "PolicyBreached"]);
  });

  it("a bad write older than the history window is bounded by the backup gap too", () => {
    const a = software(platform({ history: 60 }));
    expect(summary(a)).toEqual([300, 3_000, "PolicyMet"]);
    expect(a.derivation).toContain(
      "Neon orders-db-primary (aws-eu-central-1): Software RPO = 300 s, the worst of: a bad write 300 s (the backup gap); the project's loss 300 s (the backup gap).",
    );
  });

  it.each([
    [
      "a NeonBackup whose CronJob is not in the graph",
      { backup: "declared" } as Options,
      "NeonBackup orders-pg-backup is declared for database `orders`, but no backup CronJob of it is in the graph: a backup that is not deployed bounds nothing.",
    ],
    [
      "a CronJob annotated as a backup of the database that no NeonBackup made",
      { orphanJob: true } as Options,
      "NeonBackup orders-pg-backup is declared for database `orders`, but no backup CronJob of it is in the graph: a backup that is not deployed bounds nothing.",
    ],
    [
      "a CronJob whose inputs name no bucket of the stack",
      { bucketNotInInputs: true } as Options,
      "No input of the backup CronJob orders-pg-backup-backup is computed from a bucket in this stack: drkit cannot see where its archives go or how long they are kept, so they are not credited.",
    ],
  ])("credits nothing for %s", (_what, options, line) => {
    const a = software(platform(options));
    expect(summary(a)).toEqual([null, null, "PolicyBreached"]);
    expect(a.derivation).toContain(`Neon orders-db-primary (aws-eu-central-1): ${line}`);
  });

  it("credits nothing when the bucket expires a backup before a disruption is noticed", () => {
    // Monthly backups (longest gap 31 days) kept 7 days: the one before a disruption may be gone.
    const a = software(platform({ cron: "0 3 1 * *", expirationDays: 7 }));
    expect(summary(a)).toEqual([null, null, "PolicyBreached"]);
    expect(a.derivation).toContainEqual(
      expect.stringMatching(
        /< gap 2678400 s \+ detection 300 s \(`incidentDetectionSeconds`\): the backup that predates a disruption is deleted before anyone can restore it: no bound\.$/,
      ),
    );
  });

  it("says when the bucket is in the database's own region: the project's loss is still bounded", () => {
    const a = software(platform({ bucketRegion: "eu-central-1" }));
    expect(summary(a)).toEqual([300, 3_000, "PolicyMet"]);
    expect(a.derivation).toContain(
      "Neon orders-db-primary (aws-eu-central-1): Its archives go to bucket orders-pg-backup-backups in eu-central-1, the database's own region (a region loss could take both; the project's loss cannot) (an input of the CronJob is computed from it).",
    );
  });

  it("takes a Postgres drill's measured restore time in place of `neonLogicalRestoreSeconds`", () => {
    const evidence = "s3://orders-pg-backup-backups/drills/orders/postgres/2026-11-22T04:30:00.000Z.json";
    const a = software(platform(), {
      measuredRestores: [
        {
          service: "orders",
          kind: "postgres",
          restoreSeconds: 420,
          measuredAt: "2026-11-22T04:30:00Z",
          evidence,
        },
      ],
    });
    // detection 300 + decision 900 + the measured 420.
    expect(summary(a)).toEqual([300, 1_620, "PolicyMet"]);
    expect(a.derivation.find((line) => line.includes("RTO = "))).toContain(
      `action 420 s (restore the newest pg_dump archive into a new Neon project and switch connection strings, estimate \`neonLogicalRestoreSeconds\`, measured by the drill of 2026-11-22 (evidence ${evidence}))`,
    );
  });
});
