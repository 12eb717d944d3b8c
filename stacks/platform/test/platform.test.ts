import * as fs from "fs";
import * as path from "path";
import {
  runProgram,
  runPolicyPack,
  toResourceGraph,
  plainProperties,
  CapturedResource,
  PolicyPackConfigFile,
  ProgramRun,
} from "@drkit/cli/harness";
import {
  readProject,
  readStackConfig,
  closePolicyPacks,
  policyPackAt,
  readPolicyConfigFile,
  ENCRYPTED_PLACEHOLDER,
} from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";
import type { FailoverRecordSpec } from "@drkit/components";
import { assessGraph } from "@drkit/posture";
import type { PlatformFailoverOutputs } from "../../failover/failover";
import { OFFLINE_ENCRYPTED_PLACEHOLDER, platform, validatePlatformConfig } from "../platform";

// The failover stack reads exactly what the platform exports: checked at compile time by `pnpm typecheck`.
const asFailoverStackInput = (spec: FailoverRecordSpec): PlatformFailoverOutputs => spec;

const root = path.resolve(__dirname, "../../..");
const packDir = path.join(root, "policies/dr");
const project = readProject(root);
const prod = readStackConfig(project, "prod");
const regionOf = (run: ProgramRun, r: CapturedResource) =>
  plainProperties(run.providerOf(r)?.inputs ?? {}).region;

afterAll(() => closePolicyPacks());

describe("the reference platform (Pulumi.prod.yaml)", () => {
  let run: ProgramRun<ReturnType<typeof platform>>;
  beforeAll(async () => {
    run = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: prod.config,
      preview: true,
    });
  });

  it("builds each service from its components", () => {
    expect(
      run.resources
        .filter((r) => r.type.startsWith("drkit:index:"))
        .map((r) => `${r.type.split(":").pop()} ${r.name}`),
    ).toEqual([
      "DrRegionPair dr",
      "ObjectLockBucket orders-data",
      "Route53Failover orders-dns",
      "NeonGeoReplica orders-db",
      "DrHealthMonitor orders-db-monitor",
      "ObjectLockBucket documents-data",
      "Route53Failover status-page-dns",
      "VeleroSchedule cluster-velero",
      "DrHealthMonitor cluster-velero-monitor",
      "RedisCrossZone sessions-redis",
      "DrDashboard dr-dashboard",
      "FailoverManifest failover-manifest",
      "PulumiStateBackend iac-state",
      "ObjectLockBucket iac-state-records",
      // Built after the database whose connection URI it reads.
      "NeonBackup orders-db-backup",
    ]);
  });

  // Pulumi.prod.yaml disables default providers, so the run itself would fail on any resource without one.
  it("puts every bucket and its replica in the configured regions, DNS in us-east-1, all through explicit providers", () => {
    expect(
      run.resources
        .filter((r) => r.type === "pulumi:providers:aws")
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((p) => [p.name, plainProperties(p.inputs).region]),
    ).toEqual([
      ["dr-primary", "eu-west-1"],
      ["dr-secondary", "eu-central-1"],
      ["orders-dns-route53", "us-east-1"],
      ["status-page-dns-route53", "us-east-1"],
    ]);
    const byName = (a: CapturedResource, b: CapturedResource) => (a.name < b.name ? -1 : 1);
    expect(
      run
        .ofType("aws:s3/bucket:Bucket")
        .sort(byName)
        .map((b) => [b.name, regionOf(run, b)]),
    ).toEqual([
      ["cluster-velero-backups", "eu-west-1"],
      ["cluster-velero-backups-replica", "eu-central-1"],
      ["documents-data", "eu-west-1"],
      ["documents-data-replica", "eu-central-1"],
      // Pulumi state and its records (snapshots, the failover audit log).
      ["iac-state", "eu-west-1"],
      ["iac-state-records", "eu-west-1"],
      ["iac-state-records-replica", "eu-central-1"],
      ["iac-state-replica", "eu-central-1"],
      ["orders-data", "eu-west-1"],
      ["orders-data-replica", "eu-central-1"],
      // The orders database's off-platform backups: outside its region (aws-eu-central-1).
      ["orders-db-backup-backups", "eu-west-1"],
      // Redis backups go straight to the secondary region.
      ["sessions-redis-backups", "eu-central-1"],
    ]);
    // Kubernetes objects land in the cluster of their side: the schedule and Redis in the primary one.
    const clusterOf = (r: CapturedResource) => run.providerOf(r)?.name;
    expect(run.ofType("kubernetes:velero.io/v1:Schedule").map(clusterOf)).toEqual(["dr-primary"]);
    expect(run.ofType("kubernetes:velero.io/v1:BackupStorageLocation").map(clusterOf)).toEqual([
      "dr-primary",
      "dr-secondary",
    ]);
    expect(
      run.ofType("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication").map(clusterOf),
    ).toEqual(["dr-primary"]);
    expect(new Set(run.ofType("aws:route53/healthCheck:HealthCheck").map((h) => regionOf(run, h)))).toEqual(
      new Set(["us-east-1"]),
    );
  });

  it("leaves the orders records to the failover stack and exports what it needs (ids known after deploy)", async () => {
    const update = await runProgram(platform, { project: project.name, stack: "prod", config: prod.config });
    expect(update.ofType("aws:route53/record:Record").map((r) => plainProperties(r.inputs).name)).toEqual([
      "status.example.com",
      "status.example.com",
    ]);
    const exported = plainProperties(update.byUrn(update.stackUrn)!.outputs)
      .failover as unknown as FailoverRecordSpec;
    expect(asFailoverStackInput(exported)).toMatchObject({
      zoneId: "Z0123456789EXAMPLE",
      recordName: "orders.example.com",
      recordType: "A",
      ttl: 60,
      primary: {
        region: "eu-west-1",
        setIdentifier: "primary",
        alias: { name: "orders-primary-1234567890.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2" },
      },
      secondary: { region: "eu-central-1", setIdentifier: "secondary" },
    });
  });
  it("puts each health monitor in the cluster whose Prometheus scrapes its exporters", () => {
    const rules = run.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule");
    expect(rules.map((r) => [r.name, run.providerOf(r)?.name]).sort()).toEqual([
      ["cluster-velero-monitor-velero-schedule-cluster-velero-half-hourly", "dr-primary"],
      ["orders-db-monitor-postgres-subscription-orders-drkit-sub", "dr-secondary"],
    ]);
    // The DR dashboard, for each cluster's Grafana.
    const dashboards = run
      .ofType("kubernetes:core/v1:ConfigMap")
      .filter(
        (m) =>
          (plainProperties(m.inputs).metadata as { labels?: Record<string, string> }).labels
            ?.grafana_dashboard === "1",
      );
    expect(dashboards.map((m) => run.providerOf(m)?.name)).toEqual(["dr-primary", "dr-secondary"]);
  });
});

describe("the reference platform under the DR gate", () => {
  it("passes with its waiver, naming the resource and the shortfall it accepts (the quickstart's check)", async () => {
    const { code, out } = await drkit(
      "check",
      root,
      "--stack",
      "prod",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(root, "drkit-policy.prod.json"),
    );
    expect(code).toBe(0);
    expect(out).toContain(
      "    orders       critical   region      5m / 15m                   1h / 30m                   Waived",
    );
    expect(
      out
        .split("\n")
        .filter((l) =>
          / (PolicyBreached|UnknownUntilDeploy|MissingPolicy|NotAssessed)$|NOT (JUDGED|ASSESSED)/.test(l),
        ),
    ).toEqual([]);
    expect(out).toContain(
      "    Coverage: 50 of 157 resources assessed; 0 hold data drkit cannot judge (NotAssessed); 107 stateless, not assessed.",
    );
  });

  it("counts an operator's promotion for the sessions Redis: 3 sentinels over 2 zones keep no quorum (--json)", async () => {
    const { code, out } = await drkit(
      "check",
      root,
      "--stack",
      "prod",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(root, "drkit-policy.prod.json"),
      "--json",
    );
    expect(code).toBe(0);
    const zone = (
      JSON.parse(out) as {
        posture: {
          assessments: {
            service: string;
            disruption: string;
            achievableRtoSeconds: number;
            derivation: string[];
          }[];
        };
      }
    ).posture.assessments.find((a) => a.service === "sessions" && a.disruption === "zone")!;
    expect(zone.achievableRtoSeconds).toBe(1500);
    expect(zone.derivation[1]).toBe(
      "Redis sessions-redis (eu-west-1): Sentinel sessions-redis-sentinel: 3 voters, at most 2 in one zone (topology.kubernetes.io/zone spread, DoNotSchedule, maxSkew 1, over at least 2 zones: minDomains 2): a zone loss can leave 1, fewer than the 2 a promotion needs (a majority of 3; quorum 2): Sentinel cannot promote.",
    );
  });

  it("credits the Neon standby's region RPO to the health monitor's PrometheusRule, and fails without the monitor", async () => {
    const waivers = (
      JSON.parse(fs.readFileSync(path.join(root, "drkit-policy.prod.json"), "utf8")) as {
        "drkit-rpo-rto": { waivers: unknown[] };
      }
    )["drkit-rpo-rto"].waivers;
    const neonRegion = async (monitor: boolean) => {
      const services = (JSON.parse(prod.config["drkit-platform:services"]!) as { name: string }[]).map((s) =>
        s.name === "orders" ? { ...s, monitor } : s,
      );
      const graph = toResourceGraph(
        await runProgram(platform, {
          project: project.name,
          stack: "prod",
          config: { ...prod.config, "drkit-platform:services": JSON.stringify(services) },
          preview: true,
        }),
      );
      const region = assessGraph(
        graph,
        { waivers },
        { now: new Date("2026-11-23T00:00:00Z") },
      ).assessments.find((a) => a.service === "orders" && a.disruption === "region")!;
      return {
        status: region.status,
        neon: region.derivation.filter((l) => l.startsWith("Neon ")).slice(0, 1),
      };
    };
    // The standby's lag alarm: 300 s target − 60 s lead time, deployed in the secondary cluster.
    expect(await neonRegion(true)).toEqual({
      status: "Waived",
      neon: [
        "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication; the deployed alarm orders-db-monitor-postgres-subscription-orders-drkit-sub (kubernetes:monitoring.coreos.com/v1:PrometheusRule) has fired by the time the lag reaches 240 s, which bounds the loss.",
      ],
    });
    // Without it, the S3 waiver does not cover the standby's unwatched lag.
    expect(await neonRegion(false)).toEqual({
      status: "PolicyBreached",
      neon: [
        "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication, but no deployed alarm watches its lag (the component asks for one at 60 s, but no resource in the graph is annotated `drkit.dev/alarm-for: orders-db-primary`): replication can stall or lose its slot unnoticed, so nothing bounds the loss.",
      ],
    });
  });

  it("exports the database URIs as secrets on purpose, and its policy config says so by name", async () => {
    const deployed = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: prod.config,
      // What Neon returns once the projects exist: a connection URI (NeonBackup reads its parts).
      newResource: (args) => ({
        id: `${args.name}-id`,
        state:
          args.type === "neon:index/project:Project"
            ? {
                ...args.inputs,
                connectionUri: `postgresql://owner:stand-in@${args.name}.neon.example/orders`,
              }
            : { ...args.inputs },
      }),
    });
    const pack = await policyPackAt(packDir);
    const secretsPolicy = "drkit-stack-outputs-disallow-secrets";
    const verdict = async (config: PolicyPackConfigFile) =>
      (await runPolicyPack(pack, deployed, { config })).violations
        .filter((v) => v.policyName === secretsPolicy)
        .map((v) => v.message.slice(v.description.length + 1).split(": anyone")[0]);
    expect(await verdict({})).toEqual([
      "Stack output `services.orders.databaseUri` carries the secret `connectionUri` of neon:index/project:Project orders-db-primary",
      "Stack output `services.orders.standbyDatabaseUri` carries the secret `connectionUri` of neon:index/project:Project orders-db-standby",
    ]);
    expect(await verdict(readPolicyConfigFile(path.join(root, "drkit-policy.prod.json")))).toEqual([]);
  });

  it("fails without the waiver: the breach is real", async () => {
    const { code, out } = await drkit("check", root, "--stack", "prod", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain("- [mandatory]  drkit-rpo-rto  (drkit:index:ObjectLockBucket: orders-data)");
  });
});

describe("validatePlatformConfig", () => {
  it("lists every problem", () => {
    expect(
      validatePlatformConfig({
        services: [
          { name: "orders", tier: "critical" },
          { name: "orders", tier: "critical", bucket: {} },
        ],
        failoverService: "orders",
      }),
    ).toEqual([
      "`drkit-platform:regions` must be { primary: <aws region>, secondary: <aws region> }",
      '`drkit-platform:services[0]` ("orders") has none of `bucket`, `dns`, `velero`, `redis`, `neon`: nothing to deploy',
      '`drkit-platform:services[1].name`: "orders" is listed twice',
      '`drkit-platform:failoverService` is "orders", which is not a service with `dns`',
    ]);
  });

  it("runs a Redis standby in the secondary cluster when a service asks, with the service accounts given", async () => {
    const services = (
      JSON.parse(prod.config["drkit-platform:services"]!) as { name: string; redis?: object }[]
    ).map((s) =>
      s.redis
        ? {
            ...s,
            redis: {
              ...s.redis,
              standby: true,
              backupServiceAccountName: "redis-backup",
              standbyServiceAccountName: "redis-restore",
            },
          }
        : s,
    );
    const withStandby = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: { ...prod.config, "drkit-platform:services": JSON.stringify(services) },
      preview: true,
    });
    const replications = withStandby.ofType("kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication");
    expect(replications.map((r) => [r.name, withStandby.providerOf(r)?.name])).toEqual([
      ["sessions-redis", "dr-primary"],
      ["sessions-redis-standby", "dr-secondary"],
    ]);
    const spec = (r: CapturedResource) => plainProperties(r.inputs).spec as Record<string, unknown>;
    expect(spec(replications[1]!).serviceAccountName).toBe("redis-restore");
    const backupJob = plainProperties(withStandby.ofType("kubernetes:batch/v1:CronJob")[0]!.inputs) as {
      spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName?: string } } } } };
    };
    expect(backupJob.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe("redis-backup");
  });

  it("passes a service's `drill` to RedisCrossZone and VeleroSchedule, which check it", async () => {
    const withDrills = (redisDrill: object) =>
      (JSON.parse(prod.config["drkit-platform:services"]!) as { redis?: object; velero?: object }[]).map(
        (s) => ({
          ...s,
          ...(s.redis ? { redis: { ...s.redis, drill: redisDrill } } : {}),
          ...(s.velero
            ? {
                velero: {
                  ...s.velero,
                  drill: {
                    namespace: "shop",
                    recordsBucket: "platform-dr-records",
                    recordsBucketRegion: "eu-central-1",
                  },
                },
              }
            : {}),
        }),
      );
    const config = (services: object[]) => ({
      ...prod.config,
      "drkit-platform:services": JSON.stringify(services),
    });
    const drilled = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: config(withDrills({ pushgatewayUrl: "http://pushgateway.monitoring:9091" })),
      preview: true,
    });
    const undrilled = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: prod.config,
      preview: true,
    });
    const before = new Set(undrilled.ofType("kubernetes:batch/v1:CronJob").map((r) => r.name));
    expect(
      drilled
        .ofType("kubernetes:batch/v1:CronJob")
        .filter((r) => !before.has(r.name))
        .map((r) => [r.name, drilled.providerOf(r)?.name]),
    ).toEqual([
      ["cluster-velero-drill", "dr-secondary"],
      ["sessions-redis-drill", "dr-primary"],
    ]);
    const refused = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: config(withDrills({ loadTimeoutSeconds: 1 })),
      preview: true,
    }).catch((err: unknown) => String(err));
    expect(refused).toContain(
      "`drill.loadTimeoutSeconds` must be a whole number of seconds from 10 to 86400 (got 1); omit it to use 600",
    );
  });

  it("fails when a Kubernetes service has no kubeconfigs", () => {
    expect(
      validatePlatformConfig({
        regions: { primary: "eu-west-1", secondary: "eu-central-1" },
        services: [{ name: "sessions", tier: "important", redis: {} }],
      }),
    ).toEqual([
      '`drkit-platform:services[0]` ("sessions") runs on Kubernetes: set `drkit-platform:primaryKubeconfig` and `drkit-platform:secondaryKubeconfig` with `pulumi config set --secret`',
    ]);
  });
});

describe("the platform config, validated whole before any resource is registered", () => {
  const at = (i: number, rest = "") => `\`drkit-platform:services[${i}]${rest}\``;
  const prodServices = () => JSON.parse(prod.config["drkit-platform:services"]!) as Record<string, unknown>[];
  const search = { name: "search", tier: "standard", bucket: { retentionDays: 30 } };
  const withSixth = (service: unknown) => ({ "drkit-platform:services": [...prodServices(), service] });
  const DNS_LABEL = "must be a DNS label: lowercase letters, digits and '-', at most 63 characters";
  const kubeconfig = (cluster: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: ${cluster}\n  cluster: { server: "https://${cluster}.example.com" }\n`;

  /** The prod stack's config with `changes` (an undefined value removes the key; objects become JSON). */
  function configWith(changes: Record<string, unknown>): Record<string, string> {
    const changed = Object.entries(changes).map(([k, value]) => [
      k,
      typeof value === "string" || value === undefined ? value : JSON.stringify(value),
    ]);
    return Object.fromEntries(
      Object.entries({ ...prod.config, ...Object.fromEntries(changed) }).filter(([, v]) => v !== undefined),
    ) as Record<string, string>;
  }

  /** Runs the platform program; returns what it threw and how many resources it registered first. */
  async function runWith(changes: Record<string, unknown>): Promise<{ error: unknown; registered: number }> {
    let registered = 0;
    let error: unknown;
    await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: configWith(changes),
      preview: true,
      newResource: (args) => {
        if (args.type !== "pulumi:pulumi:Stack") registered++;
        return { id: undefined as unknown as string, state: args.inputs };
      },
    }).catch((err: unknown) => (error = err));
    return { error, registered };
  }

  const rows: [string, Record<string, unknown>, string[]][] = [
    // The list of services, as YAML can get it wrong.
    [
      "a service is null (a stray `-`)",
      withSixth(null),
      [
        `${at(5)} must be a mapping such as { name: orders, tier: critical, bucket: { retentionDays: 30 } } (got null)`,
      ],
    ],
    [
      "services is a mapping, not a list",
      { "drkit-platform:services": { search: { tier: "standard" } } },
      [
        '`drkit-platform:services` must list at least one service ({ name, tier, bucket?, dns? }) (got {"search":{"tier":"standard"}}): in YAML, start each service with "- "',
      ],
    ],
    [
      "services is empty",
      { "drkit-platform:services": [] },
      ["`drkit-platform:services` must list at least one service ({ name, tier, bucket?, dns? })"],
    ],
    // Types from YAML: quoted booleans and numbers.
    [
      "a boolean is a quoted string",
      withSixth({ ...search, bucket: { replicateDeleteMarkers: "false" } }),
      [
        `\`drkit-platform:services[5].bucket.replicateDeleteMarkers\` must be true or false (got "false"): in YAML write it without quotes`,
      ],
    ],
    [
      "a number is a quoted string",
      withSixth({ ...search, bucket: { retentionDays: "30" } }),
      [`${at(5, ".bucket.retentionDays")} must be a number (got "30"): write it without quotes`],
    ],
    [
      "Redis's standby flag is a quoted string",
      withSixth({ name: "cache", tier: "standard", redis: { standby: "true" } }),
      [
        `\`drkit-platform:services[5].redis.standby\` must be true or false (got "true"): in YAML write it without quotes`,
      ],
    ],
    [
      "Velero's schedules are a mapping, not a list",
      withSixth({ name: "apps", tier: "standard", velero: { schedules: { name: "daily" } } }),
      [
        `${at(5, ".velero.schedules")} must be a list of schedules, each { name, cron, … } (got {"name":"daily"})`,
      ],
    ],
    [
      "a DNS part has no zone",
      withSixth({
        name: "www",
        tier: "standard",
        dns: {
          recordName: "www.example.com",
          primary: { value: "a.example.net" },
          secondary: { value: "b.example.net" },
        },
      }),
      [`${at(5, ".dns.zoneId")} must be a string (got undefined)`],
    ],
    // Keys a service does not have: a typo would otherwise be ignored, keeping a default.
    [
      "a service has a misspelt key",
      withSixth({ ...search, dsn: {} }),
      [`${at(5, ".dsn")} is not a setting of a service: did you mean \`dns\`?`],
    ],
    [
      "a bucket has a misspelt key",
      withSixth({ ...search, bucket: { retentionday: 30 } }),
      [
        `${at(5, ".bucket.retentionday")} is not a setting of a service's \`bucket\`: did you mean \`retentionDays\`?`,
      ],
    ],
    [
      "a platform setting is misspelt",
      { "drkit-platform:service": "search" },
      ["`drkit-platform:service` is not a setting of the platform: did you mean `drkit-platform:services`?"],
    ],
    // The state backend: its own shape, then PulumiStateBackend's checks.
    [
      "the state backend's retention is a quoted number",
      { "drkit-platform:stateBackend": { name: "iac-state", tier: "important", recordsRetentionDays: "30" } },
      [
        '`drkit-platform:stateBackend.recordsRetentionDays` must be a number (got "30"): write it without quotes',
      ],
    ],
    [
      "the state backend keeps replaced state less than a week",
      {
        "drkit-platform:stateBackend": {
          name: "iac-state",
          tier: "important",
          noncurrentVersionRetentionDays: 3,
        },
      },
      [
        '`drkit-platform:stateBackend` (PulumiStateBackend "iac-state"): `noncurrentVersionRetentionDays` must be a whole number of days from 7 to 36500 (got 3); omit it to use 90',
      ],
    ],
    [
      "a state backend setting is misspelt",
      { "drkit-platform:stateBackend": { name: "iac-state", tier: "important", breakGlassRole: "x" } },
      [
        "`drkit-platform:stateBackend.breakGlassRole` is not a setting of the state backend: did you mean `breakGlassRoleArn`?",
      ],
    ],
    // Names and enumerations.
    [
      "two services have one name",
      withSixth({ ...search, name: "orders" }),
      [`${at(5, ".name")}: "orders" is listed twice`],
    ],
    [
      "a name is not a DNS label",
      withSixth({ ...search, name: "Search Index" }),
      [`${at(5, ".name")} ${DNS_LABEL} (got "Search Index")`],
    ],
    [
      "a tier is a YAML number",
      withSixth({ ...search, tier: 1 }),
      [`${at(5, ".tier")} ${DNS_LABEL} (got 1)`],
    ],
    [
      "the DNS routing is unknown",
      withSixth({
        name: "www",
        tier: "standard",
        dns: {
          zoneId: "Z1",
          recordName: "www.example.com",
          routing: "failover-stacks",
          primary: { value: "a.example.net" },
          secondary: { value: "b.example.net" },
        },
      }),
      [
        `${at(5, ".dns.routing")} must be "failover" (health-check-driven records here) or "failover-stack" (records owned by stacks/failover) (got "failover-stacks")`,
      ],
    ],
    // A component's own checks, on the arguments the build would pass.
    [
      "a database's plan is an Object method's name",
      withSixth({
        name: "search",
        tier: "standard",
        neon: { primaryRegionId: "aws-eu-central-1", standbyRegionId: "aws-us-east-2", plan: "constructor" },
      }),
      [
        `${at(5, ".neon")} (NeonGeoReplica "search-db"): \`plan\` must be "free", "launch" or "scale" (got "constructor")`,
      ],
    ],
    [
      "a database's standby is in its primary's region",
      withSixth({
        name: "search",
        tier: "standard",
        neon: { primaryRegionId: "aws-eu-central-1", standbyRegionId: "aws-eu-central-1" },
      }),
      [
        `${at(5, ".neon")} (NeonGeoReplica "search-db"): \`standbyRegionId\` must differ from \`primaryRegionId\` (both "aws-eu-central-1"): Neon has no cross-region replica, the standby must be elsewhere`,
      ],
    ],
    [
      "a database's off-platform backup has a schedule that is not a cron",
      withSixth({
        name: "search",
        tier: "standard",
        neon: {
          primaryRegionId: "aws-eu-central-1",
          standbyRegionId: "aws-us-east-2",
          backup: {
            oidcProviderArn:
              "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
            schedule: "hourly",
          },
        },
      }),
      [
        `${at(5, ".neon.backup")} (NeonBackup "search-db-backup"): \`schedule\` is invalid cron expression "hourly": it has 1 field, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>`,
      ],
    ],
    // Kubeconfigs: never empty (the provider would use the ambient cluster), never one cluster twice.
    [
      "a kubeconfig is empty",
      { "drkit-platform:primaryKubeconfig": "" },
      [
        "`drkit-platform:primaryKubeconfig` is empty: the Kubernetes provider would fall back to the ambient cluster (your current kubectl context, or the one it runs in); set it with `pulumi config set --secret`",
      ],
    ],
    [
      "a kubeconfig is only whitespace",
      { "drkit-platform:secondaryKubeconfig": " \n" },
      [
        "`drkit-platform:secondaryKubeconfig` is empty: the Kubernetes provider would fall back to the ambient cluster (your current kubectl context, or the one it runs in); set it with `pulumi config set --secret`",
      ],
    ],
    [
      "both kubeconfigs are the same",
      {
        "drkit-platform:primaryKubeconfig": kubeconfig("west"),
        "drkit-platform:secondaryKubeconfig": `${kubeconfig("west")}\n`,
      },
      [
        "`drkit-platform:primaryKubeconfig` and `drkit-platform:secondaryKubeconfig` are the same kubeconfig: both regions would deploy to one cluster, which one region loss takes whole; give each region its own cluster's",
      ],
    ],
    [
      "only one kubeconfig is set",
      { "drkit-platform:secondaryKubeconfig": undefined },
      [
        "`drkit-platform:secondaryKubeconfig` is not set, but `drkit-platform:primaryKubeconfig` is: give both clusters (one per region) or neither; set it with `pulumi config set --secret`",
        // orders' database backup (NeonBackup) runs in a cluster too.
        `${at(0)} ("orders") runs on Kubernetes: set \`drkit-platform:primaryKubeconfig\` and \`drkit-platform:secondaryKubeconfig\` with \`pulumi config set --secret\``,
        `${at(3)} ("cluster") runs on Kubernetes: set \`drkit-platform:primaryKubeconfig\` and \`drkit-platform:secondaryKubeconfig\` with \`pulumi config set --secret\``,
        `${at(4)} ("sessions") runs on Kubernetes: set \`drkit-platform:primaryKubeconfig\` and \`drkit-platform:secondaryKubeconfig\` with \`pulumi config set --secret\``,
      ],
    ],
  ];

  it.each(rows)("fails when %s, before registering anything", async (_case, changes, problems) => {
    const { error, registered } = await runWith(changes);
    expect(error).toEqual(
      new Error(`the platform config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`),
    );
    expect(registered).toBe(0);
  });

  it("refuses a bad fifth service with nothing registered: not the four valid services before it, not the region pair", async () => {
    const services = prodServices();
    expect(services.map((s) => s.name)).toEqual([
      "orders",
      "documents",
      "status-page",
      "cluster",
      "sessions",
    ]);
    services[4] = { ...services[4], redis: { replicas: 3, standby: "yes" } };
    const { error, registered } = await runWith({ "drkit-platform:services": services });
    expect(String(error)).toBe(
      'Error: the platform config is invalid:\n  - `drkit-platform:services[4].redis.standby` must be true or false (got "yes"): in YAML write it without quotes',
    );
    expect(registered).toBe(0);
    // The same program with the fifth service fixed registers everything (the count above is live).
    services[4] = { ...services[4], redis: { replicas: 3 } };
    expect((await runWith({ "drkit-platform:services": services })).registered).toBeGreaterThan(50);
  });

  it("lists every problem of every service at once", async () => {
    const { error } = await runWith({
      "drkit-platform:services": [
        ...prodServices(),
        { ...search, tier: 1 },
        null,
        { ...search, name: "orders" },
      ],
    });
    expect((error as Error).message.split("\n").slice(1)).toEqual([
      `  - ${at(5, ".tier")} ${DNS_LABEL} (got 1)`,
      `  - ${at(6)} must be a mapping such as { name: orders, tier: critical, bucket: { retentionDays: 30 } } (got null)`,
      `  - ${at(7, ".name")}: "orders" is listed twice`,
    ]);
  });

  // `drkit check` reads every `secure:` value as one placeholder (it has no key): two placeholders are not
  // two identical clusters. `pulumi up` decrypts both before the program runs, and then they are compared.
  it("accepts the offline placeholder for both encrypted kubeconfigs, which is @drkit/cli's", async () => {
    expect(OFFLINE_ENCRYPTED_PLACEHOLDER).toBe(ENCRYPTED_PLACEHOLDER);
    expect([
      prod.config["drkit-platform:primaryKubeconfig"],
      prod.config["drkit-platform:secondaryKubeconfig"],
    ]).toEqual([ENCRYPTED_PLACEHOLDER, ENCRYPTED_PLACEHOLDER]);
    const { error, registered } = await runWith({});
    expect(error).toBeUndefined();
    expect(registered).toBeGreaterThan(50);
  });

  // Tiers are defined in the policy config, which the program never sees; the DR gate judges a tier it
  // has no targets for (MissingPolicy) rather than the program guessing.
  it("leaves an unknown tier to the DR gate", async () => {
    const { error } = await runWith(withSixth({ ...search, tier: "gold" }));
    expect(error).toBeUndefined();
  });
});
