import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  runProgram,
  runPolicyPack,
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
} from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";
import type { FailoverRecordSpec } from "@drkit/components";
import type { PlatformFailoverOutputs } from "../../failover/failover";
import { platform, validatePlatformConfig } from "../platform";

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
      "ObjectLockBucket documents-data",
      "Route53Failover status-page-dns",
      "VeleroSchedule cluster-velero",
      "RedisCrossZone sessions-redis",
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
      ["orders-data", "eu-west-1"],
      ["orders-data-replica", "eu-central-1"],
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
});

describe("the reference platform under the DR gate", () => {
  it("passes with its two waivers, each naming the resource and the shortfall it accepts (the quickstart's check)", async () => {
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
      "    orders       critical   region      5m / no bound              1h / 30m                   Waived",
    );
    expect(
      out
        .split("\n")
        .filter((l) =>
          / (PolicyBreached|UnknownUntilDeploy|MissingPolicy|NotAssessed)$|NOT (JUDGED|ASSESSED)/.test(l),
        ),
    ).toEqual([]);
    expect(out).toContain(
      "    Coverage: 33 of 83 resources assessed; 0 hold data drkit cannot judge (NotAssessed); 50 stateless, not assessed.",
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

  it("fails when only the S3 waiver is given: it does not cover the Neon standby's unwatched lag", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-policy-"));
    const config = JSON.parse(fs.readFileSync(path.join(root, "drkit-policy.prod.json"), "utf8")) as {
      "drkit-rpo-rto": { waivers: { resource: string }[] };
    };
    config["drkit-rpo-rto"].waivers = config["drkit-rpo-rto"].waivers.filter(
      (w) => w.resource === "orders-data",
    );
    fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(config));
    const { code, out } = await drkit(
      "check",
      root,
      "--stack",
      "prod",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(dir, "policy.json"),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(1);
    expect(out).toContain(
      "          orders (critical), region disruption (loss of a whole region): RPO no bound > target 5m; RTO 30m ≤ target 1h.",
    );
    expect(out).toContain(
      "    orders       critical   region      5m / no bound              1h / 30m                   PolicyBreached",
    );
  });

  it("exports the database URIs as secrets on purpose, and its policy config says so by name", async () => {
    const deployed = await runProgram(platform, {
      project: project.name,
      stack: "prod",
      config: prod.config,
      // What Neon returns once the projects exist.
      computedOutputs: { "neon:index/project:Project": ["connectionUri"] },
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
