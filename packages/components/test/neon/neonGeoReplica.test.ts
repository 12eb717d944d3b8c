import { runProgram, plainProperties, toResourceGraph, isSecret, CapturedResource } from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import {
  NeonGeoReplica,
  NeonGeoReplicaArgs,
  InvalidArgsError,
  CREATE_SCRIPT,
  DELETE_SCRIPT,
  promotionScript,
} from "@drkit/components";

// What Neon computes: connection details and the role's password.
const computedOutputs = {
  "neon:index/project:Project": [
    "connectionUri",
    "databaseHost",
    "databaseUser",
    "databasePassword",
    "defaultBranchId",
  ],
  "neon:index/role:Role": ["password"],
};
const base = { project: "platform", stack: "prod", computedOutputs };
const props = (r: CapturedResource) => plainProperties(r.inputs) as Record<string, unknown>;

function program(changes: Partial<NeonGeoReplicaArgs> = {}) {
  return () => {
    new NeonGeoReplica("orders-db", {
      service: "orders",
      tier: "critical",
      primaryRegionId: "aws-eu-central-1",
      standbyRegionId: "aws-us-east-2",
      ...changes,
    });
  };
}

describe("NeonGeoReplica", () => {
  it("creates a primary with logical replication and a 7-day window (critical), and a standby elsewhere", async () => {
    const run = await runProgram(program(), base);
    expect(run.ofType("neon:index/project:Project").map((p) => [p.name, props(p)])).toEqual([
      [
        "orders-db-primary",
        {
          name: "orders-db-primary",
          regionId: "aws-eu-central-1",
          pgVersion: 16,
          historyRetentionSeconds: 604_800,
          enableLogicalReplication: "yes",
          branch: { databaseName: "app" },
        },
      ],
      [
        "orders-db-standby",
        {
          name: "orders-db-standby",
          regionId: "aws-us-east-2",
          pgVersion: 16,
          historyRetentionSeconds: 604_800,
          enableLogicalReplication: "no",
          branch: { databaseName: "app" },
        },
      ],
    ]);
    expect(run.ofType("neon:index/project:Project").map((p) => p.retainOnDelete)).toEqual([true, true]);
    expect(props(run.ofType("neon:index/role:Role")[0]!)).toEqual({
      projectId: "orders-db-primary-id",
      branchId: "defaultBranchId-of-orders-db-primary",
      name: "drkit_replication",
    });
  });

  it("caps the tier's window at the plan's limit", async () => {
    const run = await runProgram(program({ plan: "free" }), base);
    expect(run.ofType("neon:index/project:Project").map((p) => props(p).historyRetentionSeconds)).toEqual([
      21_600, 21_600,
    ]);
  });

  it("runs the replication scripts with every credential secret and only in the environment", async () => {
    const run = await runProgram(program(), base);
    const command = run.ofType("command:local:Command")[0]!;
    const inputs = props(command) as { create: string; delete: string; environment: Record<string, string> };
    expect([inputs.create, inputs.delete]).toEqual([CREATE_SCRIPT, DELETE_SCRIPT]);
    const environment = command.inputs.environment as Record<string, unknown>;
    for (const key of ["PRIMARY_PASSWORD", "STANDBY_PASSWORD", "REPLICATION_URI", "REPLICATION_PASSWORD"]) {
      expect([key, isSecret(environment[key] as never)]).toEqual([key, true]);
    }
    expect(inputs.environment).toEqual({
      PRIMARY_HOST: "databaseHost-of-orders-db-primary",
      PRIMARY_USER: "databaseUser-of-orders-db-primary",
      PRIMARY_PASSWORD: "databasePassword-of-orders-db-primary",
      PRIMARY_DATABASE: "app",
      STANDBY_HOST: "databaseHost-of-orders-db-standby",
      STANDBY_USER: "databaseUser-of-orders-db-standby",
      STANDBY_PASSWORD: "databasePassword-of-orders-db-standby",
      STANDBY_DATABASE: "app",
      SSLMODE: "require",
      REPLICATION_URI:
        "postgresql://drkit_replication:password-of-orders-db-replication@databaseHost-of-orders-db-primary/app?sslmode=require",
      REPLICATION_ROLE: "drkit_replication",
      REPLICATION_PASSWORD: "password-of-orders-db-replication",
      PUBLICATION: "app_drkit_pub",
      SUBSCRIPTION: "app_drkit_sub",
    });
    expect(CREATE_SCRIPT).not.toContain("password-of");
    // The scripts hand connections to psql and pg_dump in libpq's environment, never as arguments (proven
    // by sampling every process's argv in replication.realpg.test.ts).
    expect(CREATE_SCRIPT).not.toMatch(/(psql|pg_dump) "\$/);
  });

  it("exports secret connection URIs, the promotion script and the caveats", async () => {
    const run = await runProgram(program(), base);
    const outputs = run.byUrn("urn:pulumi:prod::platform::drkit:index:NeonGeoReplica::orders-db")!.outputs;
    expect(isSecret(outputs.primaryConnectionUri)).toBe(true);
    expect(isSecret(outputs.standbyConnectionUri)).toBe(true);
    expect(outputs.promotionScript).toBe(promotionScript(1000));
    expect(outputs).toMatchObject({
      service: "orders",
      tier: "critical",
      plan: "launch",
      primaryRegionId: "aws-eu-central-1",
      standbyRegionId: "aws-us-east-2",
      replicationLagAlarmSeconds: 60,
    });
    expect((outputs.caveats as string[]).length).toBe(4);
  });

  it("lets the posture model see the standby: RTO the promotion, RPO unbounded until a lag alarm is deployed", async () => {
    const run = await runProgram(program(), base);
    const region = assessGraph(
      toResourceGraph(run),
      {},
      { now: new Date("2026-11-23T00:00:00Z") },
    ).assessments.find((a) => a.service === "orders" && a.disruption === "region")!;
    // `replicationLagAlarmSeconds` is an intention: no resource in the graph implements the alarm yet.
    expect([region.achievableRpoSeconds, region.achievableRtoSeconds, region.status]).toEqual([
      null,
      1800,
      "PolicyBreached",
    ]);
    expect(region.derivation).toContain(
      "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication, but no deployed alarm watches its lag (the component asks for one at 60 s, but no resource in the graph is annotated `drkit.dev/alarm-for: orders-db-primary`): replication can stall or lose its slot unnoticed, so nothing bounds the loss.",
    );
  });

  it.each([
    [
      "both regions are the same",
      { standbyRegionId: "aws-eu-central-1" },
      '`standbyRegionId` must differ from `primaryRegionId` (both "aws-eu-central-1"): Neon has no cross-region replica, the standby must be elsewhere',
    ],
    [
      "the region id is unknown",
      { standbyRegionId: "aws-eu-west-9" },
      '`standbyRegionId` must be a Neon region id (aws-us-east-1, aws-us-east-2, aws-us-west-2, aws-eu-central-1, aws-eu-west-2, aws-ap-southeast-1, aws-ap-southeast-2, aws-sa-east-1) (got "aws-eu-west-9"); give it, or DrRegionPair\'s neonRegionId',
    ],
    [
      "the region is a deprecated Azure one",
      { standbyRegionId: "azure-eastus2" },
      '`standbyRegionId` "azure-eastus2" is an Azure region, deprecated by Neon (support ended 2026-08-27): use an AWS region such as aws-eu-central-1',
    ],
    [
      "the window exceeds the plan's limit",
      { plan: "launch" as const, historyRetentionSeconds: 2_592_000 },
      "`historyRetentionSeconds` must be 0–604800 on the launch plan (got 2592000); raise the plan or lower the window",
    ],
    [
      "the database name is not an identifier",
      { database: "App-DB" },
      '`database` must be a lowercase identifier (got "App-DB")',
    ],
    [
      "the lag alarm is 0",
      { replicationLagAlarmSeconds: 0 },
      "`replicationLagAlarmSeconds` must be at least 1 (got 0); omit it to use 60",
    ],
  ])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes as Partial<NeonGeoReplicaArgs>), base)).rejects.toThrow(
      new InvalidArgsError("NeonGeoReplica", "orders-db", [message]),
    );
  });
});
