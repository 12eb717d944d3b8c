import {
  runProgram,
  plainProperties,
  toResourceGraph,
  isSecret,
  CapturedResource,
  ProgramRun,
} from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import {
  DrRegionPair,
  RedisCrossZone,
  RedisCrossZoneArgs,
  InvalidArgsError,
  validateRedisCrossZoneArgs,
} from "@drkit/components";
import { crdProblems } from "../../../../test/support/crds";

const base = {
  project: "platform",
  stack: "prod",
  computedOutputs: {
    "aws:s3/bucket:Bucket": ["bucket"],
    "random:index/randomPassword:RandomPassword": ["result"],
  },
};
const props = (r: CapturedResource) => plainProperties(r.inputs) as Record<string, never>;
const providerName = (run: ProgramRun, r: CapturedResource) => run.providerOf(r)?.name;

function program(changes: Partial<Omit<RedisCrossZoneArgs, "regions">> = {}) {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new RedisCrossZone("sessions", { service: "sessions", tier: "critical", regions, ...changes });
  };
}
const redisOfKind = (run: ProgramRun, kind: string) =>
  run.ofType(`kubernetes:redis.redis.opstreelabs.in/v1beta2:${kind}`);

describe("RedisCrossZone", () => {
  it("runs 3 Redis pods and 3 sentinels with a hard spread over at least 2 zones, valid against the upstream CRDs", async () => {
    const run = await runProgram(program(), base);
    const [replication] = redisOfKind(run, "RedisReplication");
    const [sentinel] = redisOfKind(run, "RedisSentinel");
    for (const cr of [replication!, sentinel!]) {
      expect(crdProblems(props(cr) as never)).toEqual([]);
      expect(providerName(run, cr)).toBe("dr-primary");
    }
    const spec = props(replication!).spec as unknown as Record<string, unknown>;
    expect(spec).toMatchObject({
      clusterSize: 3,
      kubernetesConfig: {
        image: "quay.io/opstree/redis:v7.0.15",
        redisSecret: { name: "sessions-auth", key: "password" },
      },
      storage: {
        volumeClaimTemplate: {
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
        },
      },
      pdb: { enabled: true, minAvailable: 2 },
    });
    expect(spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        minDomains: 2,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "sessions" } },
      },
    ]);
    expect((props(sentinel!).spec as unknown as Record<string, unknown>).redisSentinelConfig).toEqual({
      redisReplicationName: "sessions",
      redisReplicationPassword: { secretKeyRef: { name: "sessions-auth", key: "password" } },
      quorum: "2",
    });
  });

  it("generates the password and keeps it secret", async () => {
    const run = await runProgram(program(), base);
    const secret = run.ofType("kubernetes:core/v1:Secret")[0]!;
    // The whole stringData travels as a secret, as the engine receives it.
    expect(isSecret(secret.inputs.stringData)).toBe(true);
    expect(props(secret).stringData).toEqual({ password: "result-of-sessions-password" });
    expect([...secret.additionalSecretOutputs].sort()).toEqual(["data", "stringData"]);
    expect(run.ofType("random:index/randomPassword:RandomPassword").map((p) => props(p))).toEqual([
      { length: 32, special: false },
    ]);
  });

  it("backs up hourly to a bucket in the other region, kept 7 days", async () => {
    const run = await runProgram(program(), base);
    const bucket = run.ofType("aws:s3/bucket:Bucket")[0]!;
    expect(plainProperties(run.providerOf(bucket)!.inputs).region).toBe("eu-central-1");
    expect(
      props(run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!).rules,
    ).toEqual([{ id: "expire-snapshots", status: "Enabled", filter: {}, expiration: { days: 7 } }]);
    const job = run.ofType("kubernetes:batch/v1:CronJob")[0]!;
    expect(providerName(run, job)).toBe("dr-primary");
    const spec = props(job) as unknown as {
      metadata: { annotations: unknown };
      spec: {
        schedule: string;
        concurrencyPolicy: string;
        jobTemplate: { spec: { template: { spec: Record<string, never> } } };
      };
    };
    expect(spec.metadata.annotations).toEqual({
      "drkit.dev/backup-of": "sessions",
      "drkit.dev/backup-destination-region": "eu-central-1",
    });
    expect([spec.spec.schedule, spec.spec.concurrencyPolicy]).toEqual(["0 * * * *", "Forbid"]);
    const pod = spec.spec.jobTemplate.spec.template.spec as unknown as {
      initContainers: { command: string[]; env: unknown[] }[];
      containers: { command: string[]; env: unknown[] }[];
    };
    expect(pod.initContainers[0]!.command).toEqual([
      "sh",
      "-c",
      'redis-cli -h "$REDIS_HOST" --no-auth-warning -a "$REDIS_PASSWORD" --rdb /snapshot/dump.rdb',
    ]);
    expect(pod.initContainers[0]!.env).toEqual([
      { name: "REDIS_HOST", value: "sessions-master" },
      { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "sessions-auth", key: "password" } } },
    ]);
    expect(pod.containers[0]!.env).toEqual([
      { name: "BUCKET", value: "bucket-of-sessions-backups" },
      { name: "BUCKET_REGION", value: "eu-central-1" },
      { name: "NAME", value: "sessions" },
    ]);
  });

  it("places a warm standby in the secondary cluster, marked as a recovery copy", async () => {
    const run = await runProgram(program({ standby: true }), base);
    expect(redisOfKind(run, "RedisReplication").map((r) => [r.name, providerName(run, r)])).toEqual([
      ["sessions", "dr-primary"],
      ["sessions-standby", "dr-secondary"],
    ]);
    expect(
      (
        props(redisOfKind(run, "RedisReplication")[1]!).metadata as unknown as {
          labels: Record<string, string>;
        }
      ).labels["drkit.dev/role"],
    ).toBe("standby");
  });

  it("lets the posture model see it: zone loss costs a replica; region loss, the hourly backup", async () => {
    const run = await runProgram(program({ standby: true }), base);
    const report = assessGraph(toResourceGraph(run), {}, { now: new Date("2026-11-23T00:00:00Z") });
    const of = (d: string) => report.assessments.find((a) => a.service === "sessions" && a.disruption === d)!;
    expect([of("zone").achievableRpoSeconds, of("zone").achievableRtoSeconds, of("zone").status]).toEqual([
      1,
      60,
      "PolicyMet",
    ]);
    expect([
      of("region").achievableRpoSeconds,
      of("region").achievableRtoSeconds,
      of("region").status,
    ]).toEqual([3600, 1800, "PolicyBreached"]);
  });

  it("installs the operator only with a pinned chart version", async () => {
    const run = await runProgram(program({ installOperator: true, operatorChartVersion: "0.22.1" }), base);
    expect(
      run
        .ofType("kubernetes:helm.sh/v3:Release")
        .map((r) => [props(r).chart, props(r).version, providerName(run, r)]),
    ).toEqual([["redis-operator", "0.22.1", "dr-primary"]]);
  });

  it.each([
    [
      "there are 2 replicas",
      { replicas: 2 },
      "`replicas` must be a whole number ≥ 3, a primary and two replicas (got 2)",
    ],
    [
      "zones is 1",
      { zones: 1 },
      "`zones` must be a whole number from 2 to `replicas` (got 1): fewer than 2 zones cannot survive a zone loss",
    ],
    [
      "the backup cron is malformed",
      { backup: { cron: "every hour" } },
      '`backup.cron` invalid cron expression "every hour": it has 2 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "retention is 0 days",
      { backup: { retentionDays: 0 } },
      "`backup.retentionDays` must be a whole number ≥ 1 (got 0); omit it to keep 7 days",
    ],
    [
      "the operator has no pinned version",
      { installOperator: true },
      "`operatorChartVersion` is required with `installOperator`: pin the redis-operator chart version you tested",
    ],
    ["storage is 0 GiB", { storageGi: 0 }, "`storageGi` must be a whole number ≥ 1 (got 0)"],
    [
      "the namespace is not a DNS label",
      { namespace: "Redis" },
      '`namespace` must be a DNS label (got "Redis")',
    ],
  ])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes as Partial<RedisCrossZoneArgs>), base)).rejects.toThrow(
      new InvalidArgsError("RedisCrossZone", "sessions", [message]),
    );
  });

  it("fails when a standby is asked for without a secondary cluster", async () => {
    await expect(
      runProgram(() => {
        const regions = new DrRegionPair("dr", {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
          primaryKubeconfig: "k",
        });
        new RedisCrossZone("sessions", { service: "sessions", tier: "critical", regions, standby: true });
      }, base),
    ).rejects.toThrow(
      "`regions.secondary` has no Kubernetes provider, which `standby` needs: give DrRegionPair a `secondaryKubeconfig`",
    );
  });
});

describe("validateRedisCrossZoneArgs", () => {
  it("fails when both regions are the same, and when zones exceed replicas", () => {
    const side = { region: "eu-west-1", kubernetesProvider: {} } as never;
    expect(
      validateRedisCrossZoneArgs({
        service: "sessions",
        tier: "critical",
        regions: { primary: side, secondary: side },
        zones: 4,
      }),
    ).toEqual([
      "`zones` must be a whole number from 2 to `replicas` (got 4): fewer than 2 zones cannot survive a zone loss",
      '`regions` must name two different regions (both "eu-west-1"): backups must leave the region',
    ]);
  });
});
