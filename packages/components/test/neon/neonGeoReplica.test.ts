import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { runProgram, plainProperties, toResourceGraph, isSecret, CapturedResource } from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../../test/support/drkit";
import { Provider as NeonProvider } from "@sst-provider/neon";
import {
  NeonGeoReplica,
  NeonGeoReplicaArgs,
  InvalidArgsError,
  validateNeonGeoReplicaArgs,
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

  it("gives a tier the policy config defines (even one named like an Object method) the standard window", async () => {
    const run = await runProgram(program({ tier: "constructor" }), base);
    expect(run.ofType("neon:index/project:Project").map((p) => props(p).historyRetentionSeconds)).toEqual([
      86_400, 86_400,
    ]);
  });

  it("creates its projects through the Neon provider given as a resource option, and no provider of its own", async () => {
    const run = await runProgram(() => {
      const neon = new NeonProvider("team-neon", {});
      new NeonGeoReplica(
        "orders-db",
        {
          service: "orders",
          tier: "critical",
          primaryRegionId: "aws-eu-central-1",
          standbyRegionId: "aws-us-east-2",
        },
        { providers: [neon] },
      );
    }, base);
    expect(run.ofType("pulumi:providers:neon").map((p) => p.name)).toEqual(["team-neon"]);
    expect(
      [...run.ofType("neon:index/project:Project"), ...run.ofType("neon:index/role:Role")].map(
        (r) => r.providerRef?.split("::")[3],
      ),
    ).toEqual(["team-neon", "team-neon", "team-neon"]);
  });

  it("creates a Neon provider of its own (NEON_API_KEY) when none is given: never the default provider", async () => {
    const run = await runProgram(program(), base);
    expect(run.ofType("pulumi:providers:neon").map((p) => [p.name, p.parent])).toEqual([
      ["orders-db-neon", "urn:pulumi:prod::platform::drkit:index:NeonGeoReplica::orders-db"],
    ]);
  });

  it("reads the Neon regions from regions given as arguments, without creating a region pair", async () => {
    const run = await runProgram(
      program({
        primaryRegionId: undefined,
        standbyRegionId: undefined,
        regions: {
          primaryRegion: "eu-central-1",
          secondaryRegion: "us-east-2",
          primaryNeonRegionId: "aws-eu-central-1",
          secondaryNeonRegionId: "aws-us-east-2",
        },
      }),
      base,
    );
    expect(run.ofType("neon:index/project:Project").map((p) => props(p).regionId)).toEqual([
      "aws-eu-central-1",
      "aws-us-east-2",
    ]);
    expect(run.ofType("drkit:index:DrRegionPair")).toEqual([]);
    expect(run.ofType("pulumi:providers:aws")).toEqual([]);
  });

  it("takes the PostgreSQL version as an Output, checked when it resolves", async () => {
    const run = await runProgram(program({ pgVersion: pulumi.output(17) }), base);
    expect(run.ofType("neon:index/project:Project").map((p) => props(p).pgVersion)).toEqual([17, 17]);
  });
});

const ALL_REGIONS =
  "aws-us-east-1, aws-us-east-2, aws-us-west-2, aws-eu-central-1, aws-eu-west-2, aws-ap-southeast-1, aws-ap-southeast-2, aws-sa-east-1";
const anOutput = "an Output (a value computed from another resource)";
const plainOnly = (field: string) =>
  `\`${field}\` must be a plain value, known when the program runs (got ${anOutput}): it decides which resources are created`;
const DATABASE_RULE =
  "must be a lowercase PostgreSQL identifier (a-z, 0-9, _; not starting with a digit) of at most 53 characters";
const DATABASE_WHY =
  ": its publication and subscription names add 10 characters to it, within PostgreSQL's 63";
const HINT = "pass { service, tier, primaryRegionId, standbyRegionId }, or `regions` from a DrRegionPair";
const DNS_LABEL = "must be a DNS label: lowercase letters, digits and '-', at most 63 characters";

/** A bad input: the args given in full (`args`) or as changes to a valid set, and every problem expected. */
type BadInput = [string, { changes?: Record<string, unknown>; args?: unknown }, string[]];

afterAll(() => closePolicyPacks());

describe("NeonGeoReplica with bad input", () => {
  const rows: BadInput[] = [
    // The shape of `args`.
    ["args are missing", { args: undefined }, [`\`args\` must be an object (got undefined): ${HINT}`]],
    [
      "args are null (an empty YAML value)",
      { args: null },
      [`\`args\` must be an object (got null): ${HINT}`],
    ],
    ["args are a list", { args: [] }, [`\`args\` must be an object (got []): ${HINT}`]],
    // The service identity, from YAML.
    [
      "the service is missing",
      { changes: { service: undefined } },
      [`\`service\` ${DNS_LABEL} (got undefined)`],
    ],
    ["the tier is a number", { changes: { tier: 1 } }, [`\`tier\` ${DNS_LABEL} (got 1)`]],
    // Regions: an enumeration, plain only.
    [
      "the region id is unknown",
      { changes: { standbyRegionId: "aws-eu-west-9" } },
      [
        `\`standbyRegionId\` must be a Neon region id (${ALL_REGIONS}) (got "aws-eu-west-9"); give it, or \`regions\` with a \`secondaryNeonRegionId\``,
      ],
    ],
    [
      "the region id is an AWS region code",
      { changes: { standbyRegionId: "us-east-2" } },
      [
        `\`standbyRegionId\` must be a Neon region id (${ALL_REGIONS}) (got "us-east-2"): did you mean "aws-us-east-2"?`,
      ],
    ],
    [
      "the region is a deprecated Azure one",
      { changes: { standbyRegionId: "azure-eastus2" } },
      [
        '`standbyRegionId` "azure-eastus2" is an Azure region, deprecated by Neon (support ended 2026-08-27): use an AWS region such as aws-eu-central-1',
      ],
    ],
    [
      "both regions are the same",
      { changes: { standbyRegionId: "aws-eu-central-1" } },
      [
        '`standbyRegionId` must differ from `primaryRegionId` (both "aws-eu-central-1"): Neon has no cross-region replica, the standby must be elsewhere',
      ],
    ],
    [
      "a region id is an Output",
      { changes: { standbyRegionId: pulumi.output("aws-us-east-2") } },
      [plainOnly("standbyRegionId")],
    ],
    [
      "neither region ids nor regions are given",
      { changes: { primaryRegionId: undefined, standbyRegionId: undefined } },
      [
        `\`primaryRegionId\` must be a Neon region id (${ALL_REGIONS}) (got undefined); give it, or \`regions\` with a \`primaryNeonRegionId\``,
        `\`standbyRegionId\` must be a Neon region id (${ALL_REGIONS}) (got undefined); give it, or \`regions\` with a \`secondaryNeonRegionId\``,
      ],
    ],
    [
      "regions is a string, not a DrRegionPair",
      { changes: { primaryRegionId: undefined, standbyRegionId: undefined, regions: "eu-west-1" } },
      [
        '`regions` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion, primaryNeonRegionId, secondaryNeonRegionId } (got "eu-west-1")',
        `\`primaryRegionId\` must be a Neon region id (${ALL_REGIONS}) (got undefined); give it, or \`regions\` with a \`primaryNeonRegionId\``,
        `\`standbyRegionId\` must be a Neon region id (${ALL_REGIONS}) (got undefined); give it, or \`regions\` with a \`secondaryNeonRegionId\``,
      ],
    ],
    // The plan: an enumeration looked up by own key only.
    [
      "the plan is an Object method's name",
      { changes: { plan: "constructor" } },
      ['`plan` must be "free", "launch" or "scale" (got "constructor")'],
    ],
    [
      "the plan is capitalised",
      { changes: { plan: "Launch" } },
      ['`plan` must be "free", "launch" or "scale" (got "Launch")'],
    ],
    ["the plan is an Output", { changes: { plan: pulumi.output("scale") } }, [plainOnly("plan")]],
    // The history window: bounded by the plan.
    [
      "the window exceeds the plan's limit",
      { changes: { plan: "launch", historyRetentionSeconds: 2_592_000 } },
      [
        "`historyRetentionSeconds` must be a whole number of seconds from 0 to 604800 on the launch plan (got 2592000); raise the plan or lower the window",
      ],
    ],
    [
      "the window exceeds the free plan's limit",
      { changes: { plan: "free", historyRetentionSeconds: 86_400 } },
      [
        "`historyRetentionSeconds` must be a whole number of seconds from 0 to 21600 on the free plan (got 86400); raise the plan or lower the window",
      ],
    ],
    [
      "the window is a quoted YAML number",
      { changes: { historyRetentionSeconds: "86400" } },
      [
        '`historyRetentionSeconds` must be a whole number of seconds from 0 to 604800 on the launch plan (got "86400"): write it without quotes',
      ],
    ],
    [
      "the window is negative",
      { changes: { historyRetentionSeconds: -1 } },
      [
        "`historyRetentionSeconds` must be a whole number of seconds from 0 to 604800 on the launch plan (got -1)",
      ],
    ],
    [
      "the window is fractional",
      { changes: { historyRetentionSeconds: 3600.5 } },
      [
        "`historyRetentionSeconds` must be a whole number of seconds from 0 to 604800 on the launch plan (got 3600.5)",
      ],
    ],
    [
      "the window is an Output",
      { changes: { historyRetentionSeconds: pulumi.output(3600) } },
      [plainOnly("historyRetentionSeconds")],
    ],
    // The database name: valid for PostgreSQL and Neon, and short enough for the names built from it.
    [
      "the database name is not an identifier",
      { changes: { database: "App-DB" } },
      [`\`database\` ${DATABASE_RULE} (got "App-DB")${DATABASE_WHY}`],
    ],
    [
      "the database name starts with a digit",
      { changes: { database: "1orders" } },
      [`\`database\` ${DATABASE_RULE} (got "1orders")${DATABASE_WHY}`],
    ],
    [
      "the database name is too long for its publication's name",
      { changes: { database: "o".repeat(54) } },
      [`\`database\` ${DATABASE_RULE} (got "${"o".repeat(54)}")${DATABASE_WHY}`],
    ],
    [
      "the database name is a YAML number",
      { changes: { database: 42 } },
      [`\`database\` ${DATABASE_RULE} (got 42)${DATABASE_WHY}`],
    ],
    [
      "the database is one every server has",
      { changes: { database: "postgres" } },
      [
        '`database` must not be "postgres", a database every PostgreSQL server already has: name your application\'s database',
      ],
    ],
    [
      "the database name is an Output",
      { changes: { database: pulumi.output("orders") } },
      [plainOnly("database")],
    ],
    // The PostgreSQL version: an enumeration; an Output is checked when it resolves.
    [
      "the PostgreSQL version is one Neon does not run",
      { changes: { pgVersion: 13 } },
      ["`pgVersion` must be one of 14, 15, 16, 17, 18, the PostgreSQL versions Neon runs (got 13)"],
    ],
    [
      "the PostgreSQL version is a quoted YAML number",
      { changes: { pgVersion: "16" } },
      [
        '`pgVersion` must be one of 14, 15, 16, 17, 18, the PostgreSQL versions Neon runs (got "16"): write it without quotes',
      ],
    ],
    // The lag alarm and the promotion's gap: bounded on both sides.
    [
      "the lag alarm is 0",
      { changes: { replicationLagAlarmSeconds: 0 } },
      [
        "`replicationLagAlarmSeconds` must be a whole number of seconds from 1 to 86400 (got 0); omit it to use 60",
      ],
    ],
    [
      "the lag alarm is longer than Neon keeps an inactive slot",
      { changes: { replicationLagAlarmSeconds: 172_800 } },
      [
        "`replicationLagAlarmSeconds` must be a whole number of seconds from 1 to 86400 (got 172800); omit it to use 60",
      ],
    ],
    [
      "the lag alarm is a quoted YAML number",
      { changes: { replicationLagAlarmSeconds: "60" } },
      [
        '`replicationLagAlarmSeconds` must be a whole number of seconds from 1 to 86400 (got "60"): write it without quotes; omit it to use 60',
      ],
    ],
    [
      "the lag alarm is an Output",
      { changes: { replicationLagAlarmSeconds: pulumi.output(60) } },
      [plainOnly("replicationLagAlarmSeconds")],
    ],
    [
      "the sequence gap is negative",
      { changes: { promotionSequenceGap: -1 } },
      ["`promotionSequenceGap` must be a whole number from 0 to 1000000 (got -1); omit it to use 1000"],
    ],
    [
      "the sequence gap would overflow an integer column",
      { changes: { promotionSequenceGap: 3_000_000_000 } },
      [
        "`promotionSequenceGap` must be a whole number from 0 to 1000000 (got 3000000000); omit it to use 1000",
      ],
    ],
    [
      "the Neon provider is passed as an argument, not as a resource option",
      { changes: { neonProvider: "neon" } },
      [
        "`neonProvider` is not an argument: pass the Neon provider as a resource option, `{ providers: [provider] }`, or omit it to use one reading NEON_API_KEY",
      ],
    ],
    [
      "a field is misspelt",
      { changes: { historyRetentionSecond: 3600 } },
      ["`historyRetentionSecond` is not an argument drkit knows: did you mean `historyRetentionSeconds`?"],
    ],
    [
      "the regions given as arguments are the same",
      {
        changes: {
          primaryRegionId: undefined,
          standbyRegionId: undefined,
          regions: {
            primaryRegion: "eu-central-1",
            secondaryRegion: "us-east-2",
            primaryNeonRegionId: "aws-eu-central-1",
            secondaryNeonRegionId: "aws-eu-central-1",
          },
        },
      },
      [
        '`regions.secondaryNeonRegionId` must differ from `regions.primaryNeonRegionId` (both "aws-eu-central-1")',
        '`standbyRegionId` must differ from `primaryRegionId` (both "aws-eu-central-1"): Neon has no cross-region replica, the standby must be elsewhere',
      ],
    ],
  ];

  it.each(rows)("fails when %s", async (_case, input, problems) => {
    const args =
      "args" in input
        ? input.args
        : {
            service: "orders",
            tier: "critical",
            primaryRegionId: "aws-eu-central-1",
            standbyRegionId: "aws-us-east-2",
            ...input.changes,
          };
    expect(validateNeonGeoReplicaArgs(args)).toEqual(problems);
    // The constructor throws the same, before registering anything (not even the component).
    let registered = 0;
    await expect(
      runProgram(() => new NeonGeoReplica("orders-db", args as NeonGeoReplicaArgs), {
        ...base,
        newResource: (a) => {
          if (a.type !== "pulumi:pulumi:Stack") registered++;
          return { id: `${a.name}-id`, state: a.inputs };
        },
      }),
    ).rejects.toThrow(new InvalidArgsError("NeonGeoReplica", "orders-db", problems));
    expect(registered).toBe(0);
  });

  // An error inside an apply() is claimed by jest before the harness sees it, so this one runs the program
  // in its own process through `drkit check --update`, as the Pulumi language host would.
  it("fails, for a PostgreSQL version known only when it resolves, with the plain value's message", async () => {
    const { code, err } = await drkit(
      "check",
      path.join(__dirname, "fixtures/pg-version-at-resolution"),
      "--stack",
      "dev",
      "--policy-pack",
      path.resolve(__dirname, "../../../../policies/dr"),
      "--update",
    );
    expect(code).toBe(2);
    expect(err).toContain(
      'NeonGeoReplica "orders-db" has invalid arguments:\n  - `pgVersion` must be one of 14, 15, 16, 17, 18, the PostgreSQL versions Neon runs (got 13)',
    );
  });
});
