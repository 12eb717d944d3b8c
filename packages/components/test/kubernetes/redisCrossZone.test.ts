import * as pulumi from "@pulumi/pulumi";
import {
  runProgram,
  plainProperties,
  toResourceGraph,
  isSecret,
  CapturedResource,
  ProgramRun,
} from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  existsSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DrRegionPair,
  RedisCrossZone,
  RedisCrossZoneArgs,
  InvalidArgsError,
  REDIS_RESTORE_SCRIPT,
  REDIS_SNAPSHOT_SCRIPT,
  REDIS_UPLOAD_SCRIPT,
  REDIS_DRILL_CHECK_SCRIPT,
  REDIS_DRILL_FETCH_SCRIPT,
  REDIS_DRILL_REPORT_SCRIPT,
  validateRedisCrossZoneArgs,
} from "@drkit/components";
import { crdProblems } from "../../../../test/support/crds";
import {
  ALL_PUBLIC_ACCESS_BLOCKED,
  SSE_S3,
  VERSIONING_ENABLED,
  controlsOf,
  denyInsecureTransport,
} from "./bucketControls";

const base = {
  project: "platform",
  stack: "prod",
  computedOutputs: {
    "aws:s3/bucket:Bucket": ["arn", "bucket"],
    "aws:iam/policy:Policy": ["arn"],
    "aws:iam/role:Role": ["arn"],
    "random:index/randomPassword:RandomPassword": ["result"],
  },
};
// What AwsProvider.isInstance reads: a DrRegionPair side's provider, without a program to create one in.
const AWS_PROVIDER = { __pulumiType: "pulumi:providers:aws" };
const props = (r: CapturedResource) => plainProperties(r.inputs) as Record<string, never>;
const providerName = (run: ProgramRun, r: CapturedResource) => run.providerOf(r)?.name;

function program(changes: Partial<Omit<RedisCrossZoneArgs, "regions">> = {}, name = "sessions") {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new RedisCrossZone(name, { service: "sessions", tier: "critical", regions, ...changes });
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

  it("names the Secret that holds the password, to export instead of the password", async () => {
    const run = await runProgram(() => {
      const regions = new DrRegionPair("dr", {
        primaryRegion: "eu-west-1",
        secondaryRegion: "eu-central-1",
        primaryKubeconfig: "kubeconfig-west",
      });
      return new RedisCrossZone("sessions", { service: "sessions", tier: "critical", regions })
        .passwordSecretName;
    }, base);
    const secret = run.ofType("kubernetes:core/v1:Secret")[0]!;
    expect(run.stackOutputs).toBe("sessions-auth");
    expect((props(secret).metadata as unknown as { name: string }).name).toBe(run.stackOutputs);
  });

  it("backs up hourly to a bucket in the other region, kept 7 days", async () => {
    const run = await runProgram(program(), base);
    const bucket = run.ofType("aws:s3/bucket:Bucket")[0]!;
    expect(plainProperties(run.providerOf(bucket)!.inputs).region).toBe("eu-central-1");
    expect(
      props(run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")[0]!).rules,
    ).toEqual([
      {
        id: "expire-snapshots",
        status: "Enabled",
        filter: {},
        expiration: { days: 7 },
        noncurrentVersionExpiration: { noncurrentDays: 7 },
        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
      },
    ]);
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
    expect(pod.initContainers[0]!.command).toEqual(["sh", "-c", REDIS_SNAPSHOT_SCRIPT]);
    expect(pod.initContainers[0]!.env).toEqual([
      { name: "REDIS_HOST", value: "sessions-master" },
      { name: "REDIS_PORT", value: "6379" },
      { name: "SNAPSHOT", value: "/snapshot/dump.rdb" },
      { name: "REDISCLI_AUTH", valueFrom: { secretKeyRef: { name: "sessions-auth", key: "password" } } },
    ]);
    expect(pod.containers[0]!.command).toEqual(["sh", "-c", REDIS_UPLOAD_SCRIPT]);
    expect(pod.containers[0]!.env).toEqual([
      { name: "SNAPSHOT", value: "/snapshot/dump.rdb" },
      { name: "BUCKET", value: "bucket-of-sessions-backups" },
      { name: "BUCKET_REGION", value: "eu-central-1" },
      { name: "NAME", value: "sessions" },
      { name: "SERVICE", value: "sessions" },
    ]);
  });

  it("keeps snapshots in a bucket that is versioned, encrypted, closed to the public and refuses requests without TLS", async () => {
    const run = await runProgram(program(), base);
    const [bucket, ...others] = run.ofType("aws:s3/bucket:Bucket");
    expect([bucket!.name, others]).toEqual(["sessions-backups", []]);
    const controls = controlsOf(run, bucket!);
    expect([controls.versioning, controls.encryption, controls.publicAccessBlock]).toEqual([
      [VERSIONING_ENABLED],
      [SSE_S3],
      [ALL_PUBLIC_ACCESS_BLOCKED],
    ]);
    expect(controls.policy).toEqual([
      { policy: { Version: "2012-10-17", Statement: [denyInsecureTransport("arn-of-sessions-backups")] } },
    ]);
    // An overwritten or deleted snapshot stays, as a noncurrent version, for as long as snapshots are kept.
    expect(controls.lifecycle).toEqual([
      {
        rules: [
          {
            id: "expire-snapshots",
            status: "Enabled",
            filter: {},
            expiration: { days: 7 },
            noncurrentVersionExpiration: { noncurrentDays: 7 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
    ]);
  });

  const policyDocument = (run: ProgramRun, name: string) =>
    JSON.parse(
      props(run.ofType("aws:iam/policy:Policy").find((p) => p.name === name)!).policy as unknown as string,
    ) as unknown;

  it("gives the backup Job put-only access to its own prefix, and the restore side read-only access", async () => {
    const run = await runProgram(program(), base);
    expect(run.ofType("aws:iam/policy:Policy").map((p) => [p.name, providerName(run, p)])).toEqual([
      ["sessions-backup-writer", "dr-primary"],
      ["sessions-backup-reader", "dr-primary"],
    ]);
    // No s3:DeleteObject*, no s3:PutObjectAcl, nothing on other prefixes: the Job adds snapshots, nothing else.
    expect(policyDocument(run, "sessions-backup-writer")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "PutSnapshots",
          Effect: "Allow",
          Action: ["s3:PutObject"],
          Resource: ["arn-of-sessions-backups/sessions/*"],
        },
      ],
    });
    expect(policyDocument(run, "sessions-backup-reader")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ListSnapshots",
          Effect: "Allow",
          Action: ["s3:ListBucket"],
          Resource: ["arn-of-sessions-backups"],
          Condition: { StringLike: { "s3:prefix": ["sessions/*"] } },
        },
        {
          Sid: "GetSnapshots",
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Resource: ["arn-of-sessions-backups/sessions/*"],
        },
      ],
    });
    const component = run.ofType("drkit:index:RedisCrossZone")[0]!;
    expect(plainProperties(component.outputs)).toMatchObject({
      backupWriterPolicyArn: "arn-of-sessions-backup-writer",
      backupReaderPolicyArn: "arn-of-sessions-backup-reader",
      backupRoleArn: null,
      restoreRoleArn: null,
    });
    // Without OIDC providers, drkit creates no role and no service account: the user's roles get the policies.
    expect([run.ofType("aws:iam/role:Role"), run.ofType("kubernetes:core/v1:ServiceAccount")]).toEqual([
      [],
      [],
    ]);
  });

  const oidc = (region: string) =>
    `arn:aws:iam::123456789012:oidc-provider/oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
  const issuer = (region: string) => `oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
  const withIrsa = {
    standby: true,
    irsa: { primaryOidcProviderArn: oidc("eu-west-1"), secondaryOidcProviderArn: oidc("eu-central-1") },
  };

  it("with the clusters' OIDC providers, creates IRSA roles only each service account can assume", async () => {
    const run = await runProgram(program(withIrsa), base);
    const role = (name: string) => run.ofType("aws:iam/role:Role").find((r) => r.name === name)!;
    const trust = (name: string) =>
      JSON.parse(props(role(name)).assumeRolePolicy as unknown as string) as unknown;
    expect(run.ofType("aws:iam/role:Role").map((r) => r.name)).toEqual([
      "sessions-backup",
      "sessions-restore",
    ]);
    expect(trust("sessions-backup")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: oidc("eu-west-1") },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer("eu-west-1")}:sub`]: "system:serviceaccount:redis:sessions-backup",
              [`${issuer("eu-west-1")}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    expect(trust("sessions-restore")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: oidc("eu-central-1") },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              [`${issuer("eu-central-1")}:sub`]: "system:serviceaccount:redis:sessions-restore",
              [`${issuer("eu-central-1")}:aud`]: "sts.amazonaws.com",
            },
          },
        },
      ],
    });
    // Each role gets its one policy: the writer for the Job, the reader for the standby.
    expect(
      run
        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .map((a) => [props(a).role, props(a).policyArn]),
    ).toEqual([
      ["sessions-backup-id", "arn-of-sessions-backup-writer"],
      ["sessions-restore-id", "arn-of-sessions-backup-reader"],
    ]);
    // The service accounts carry the roles, each in its own cluster, and the pods run as them.
    expect(
      run
        .ofType("kubernetes:core/v1:ServiceAccount")
        .map((sa) => [
          providerName(run, sa),
          (props(sa).metadata as unknown as { name: string; annotations: unknown }).name,
          (props(sa).metadata as unknown as { annotations: unknown }).annotations,
        ]),
    ).toEqual([
      ["dr-primary", "sessions-backup", { "eks.amazonaws.com/role-arn": "arn-of-sessions-backup" }],
      ["dr-secondary", "sessions-restore", { "eks.amazonaws.com/role-arn": "arn-of-sessions-restore" }],
    ]);
    const job = props(run.ofType("kubernetes:batch/v1:CronJob")[0]!) as unknown as {
      spec: { jobTemplate: { spec: { template: { spec: { serviceAccountName: string } } } } };
    };
    expect(job.spec.jobTemplate.spec.template.spec.serviceAccountName).toBe("sessions-backup");
    const standby = props(redisOfKind(run, "RedisReplication")[1]!).spec as unknown as Record<
      string,
      unknown
    >;
    expect(standby.serviceAccountName).toBe("sessions-restore");
    for (const cr of redisOfKind(run, "RedisReplication"))
      expect(crdProblems(props(cr) as never)).toEqual([]);
  });

  it("with the backup Job's role, its bucket denies that role every way to destroy a snapshot", async () => {
    const run = await runProgram(program(withIrsa), base);
    const controls = controlsOf(run, run.ofType("aws:s3/bucket:Bucket")[0]!);
    expect(controls.policy).toEqual([
      {
        policy: {
          Version: "2012-10-17",
          Statement: [
            denyInsecureTransport("arn-of-sessions-backups"),
            {
              Sid: "BackupJobCannotDestroySnapshots",
              Effect: "Deny",
              Principal: { AWS: "arn-of-sessions-backup" },
              Action: [
                "s3:DeleteObject",
                "s3:DeleteObjectVersion",
                "s3:PutObjectAcl",
                "s3:PutObjectVersionAcl",
                "s3:PutLifecycleConfiguration",
                "s3:PutBucketVersioning",
                "s3:PutBucketPolicy",
                "s3:DeleteBucketPolicy",
              ],
              Resource: ["arn-of-sessions-backups", "arn-of-sessions-backups/*"],
            },
          ],
        },
      },
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

  it("loads the newest backup into each standby pod before Redis starts; the primary has no restore step", async () => {
    const run = await runProgram(
      program({ standby: true, standbyServiceAccountName: "redis-restore" }),
      base,
    );
    const [primaryRedis, standbyRedis] = redisOfKind(run, "RedisReplication").map(
      (r) => props(r).spec as unknown as Record<string, unknown>,
    );
    for (const cr of redisOfKind(run, "RedisSentinel").concat(redisOfKind(run, "RedisReplication")))
      expect(crdProblems(props(cr) as never)).toEqual([]);
    expect(primaryRedis!.initContainer).toBeUndefined();
    expect(primaryRedis!.serviceAccountName).toBeUndefined();
    expect(standbyRedis!.initContainer).toEqual({
      enabled: true,
      image: "amazon/aws-cli:2.17.0",
      imagePullPolicy: "IfNotPresent",
      command: ["sh", "-c", REDIS_RESTORE_SCRIPT],
      env: [
        { name: "DATA_DIR", value: "/data" },
        { name: "BUCKET", value: "bucket-of-sessions-backups" },
        { name: "BUCKET_REGION", value: "eu-central-1" },
        { name: "NAME", value: "sessions" },
      ],
    });
    expect(standbyRedis!.serviceAccountName).toBe("redis-restore");
    // The operator mounts the data volume into the init container only when persistence is on.
    expect(standbyRedis!.storage).toEqual(primaryRedis!.storage);
  });

  it("lets the posture model see it: zone loss costs a replica, promoted by hand over 2 zones; region loss, the hourly backup", async () => {
    const run = await runProgram(program({ standby: true }), base);
    const report = assessGraph(toResourceGraph(run), {}, { now: new Date("2026-11-23T00:00:00Z") });
    const of = (d: string) => report.assessments.find((a) => a.service === "sessions" && a.disruption === d)!;
    // 3 sentinels over 2 zones: one zone can hold 2 of them, so Sentinel cannot promote (an operator does).
    expect([of("zone").achievableRpoSeconds, of("zone").achievableRtoSeconds, of("zone").status]).toEqual([
      1,
      1500,
      "PolicyMet",
    ]);
    expect([
      of("region").achievableRpoSeconds,
      of("region").achievableRtoSeconds,
      of("region").status,
    ]).toEqual([3600, 1800, "PolicyBreached"]);
  });

  it("spreads the sentinels' own pods (app: <name>-sentinel-sentinel): over 3 zones Sentinel promotes by itself", async () => {
    const run = await runProgram(program({ zones: 3 }), base);
    const [sentinel] = redisOfKind(run, "RedisSentinel");
    expect((props(sentinel!).spec as unknown as Record<string, unknown>).topologySpreadConstraints).toEqual([
      {
        maxSkew: 1,
        minDomains: 3,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "DoNotSchedule",
        labelSelector: { matchLabels: { app: "sessions-sentinel-sentinel" } },
      },
    ]);
    const report = assessGraph(toResourceGraph(run), {}, { now: new Date("2026-11-23T00:00:00Z") });
    const zone = report.assessments.find((a) => a.service === "sessions" && a.disruption === "zone")!;
    expect([zone.achievableRpoSeconds, zone.achievableRtoSeconds, zone.status]).toEqual([1, 60, "PolicyMet"]);
  });

  it("installs the operator only with a pinned chart version", async () => {
    const run = await runProgram(program({ installOperator: true, operatorChartVersion: "0.22.1" }), base);
    expect(
      run
        .ofType("kubernetes:helm.sh/v3:Release")
        .map((r) => [props(r).chart, props(r).version, providerName(run, r)]),
    ).toEqual([["redis-operator", "0.22.1", "dr-primary"]]);
  });

  // One row per bad input: what a user (or YAML config) can pass, and the exact problem it gets.
  const replicasRange =
    "`replicas` must be a whole number of Redis pods (a primary and at least two replicas) from 3 to 9";
  const zonesRange =
    "`zones` must be a whole number from 2 to 3: fewer than 2 cannot survive a zone loss, and the pods cannot spread over more zones than there are pods (`replicas`) or than an AWS region has (6)";
  it.each([
    ["there are 2 replicas", { replicas: 2 }, `${replicasRange} (got 2); omit it to use 3`],
    ["there are 10 replicas", { replicas: 10 }, `${replicasRange} (got 10); omit it to use 3`],
    [
      "replicas is a YAML string",
      { replicas: "3" },
      `${replicasRange} (got "3"): write it without quotes; omit it to use 3`,
    ],
    ["replicas is not whole", { replicas: 3.5 }, `${replicasRange} (got 3.5); omit it to use 3`],
    ["zones is 1", { zones: 1 }, `${zonesRange} (got 1); omit it to use 2`],
    ["zones exceed replicas", { zones: 4 }, `${zonesRange} (got 4); omit it to use 2`],
    [
      "zones exceed what a region has",
      { replicas: 9, zones: 7 },
      "`zones` must be a whole number from 2 to 6: fewer than 2 cannot survive a zone loss, and the pods cannot spread over more zones than there are pods (`replicas`) or than an AWS region has (6) (got 7); omit it to use 2",
    ],
    [
      "zones is a YAML string",
      { zones: "2" },
      `${zonesRange} (got "2"): write it without quotes; omit it to use 2`,
    ],
    [
      "the backup cron is malformed",
      { backup: { cron: "every hour" } },
      '`backup.cron` invalid cron expression "every hour": it has 2 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "the backup cron is a number",
      { backup: { cron: 60 } },
      '`backup.cron` must be a cron expression such as "0 * * * *" (got 60)',
    ],
    [
      "retention is 0 days",
      { backup: { retentionDays: 0 } },
      "`backup.retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 7",
    ],
    [
      "retention is over 100 years",
      { backup: { retentionDays: 36501 } },
      "`backup.retentionDays` must be a whole number of days from 1 to 36500 (got 36501); omit it to use 7",
    ],
    [
      "retention is a YAML string",
      { backup: { retentionDays: "7" } },
      '`backup.retentionDays` must be a whole number of days from 1 to 36500 (got "7"): write it without quotes; omit it to use 7',
    ],
    [
      "backup is null",
      { backup: null },
      '`backup` must be an object such as { cron: "0 * * * *", retentionDays: 7 } (got null)',
    ],
    [
      "backup is a YAML list",
      { backup: ["0 * * * *"] },
      '`backup` must be an object such as { cron: "0 * * * *", retentionDays: 7 } (got ["0 * * * *"])',
    ],
    [
      "a backup field is misspelt",
      { backup: { retentionDay: 7 } },
      "`backup.retentionDay` is not an argument drkit knows here: did you mean `backup.retentionDays`?",
    ],
    [
      "the operator has no pinned version",
      { installOperator: true },
      "`operatorChartVersion` is required with `installOperator`: pin the redis-operator chart version you tested",
    ],
    [
      "the operator version is not a version",
      { installOperator: true, operatorChartVersion: "latest" },
      '`operatorChartVersion` must be an exact chart version such as "0.22.1" (got "latest"): pin the redis-operator chart version you tested',
    ],
    [
      "an operator version is given without installing the operator",
      { operatorChartVersion: "0.22.1" },
      "`operatorChartVersion` only applies with `installOperator: true`: set `installOperator`, or drop the version",
    ],
    [
      'installOperator is the YAML string "true"',
      { installOperator: "true", operatorChartVersion: "0.22.1" },
      '`installOperator` must be true or false (got "true"): in YAML write it without quotes',
    ],
    [
      "installOperator is an Output",
      { installOperator: pulumi.output(true), operatorChartVersion: "0.22.1" },
      "`installOperator` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      'standby is the YAML string "false"',
      { standby: "false" },
      '`standby` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "standby is an Output",
      { standby: pulumi.output(true) },
      "`standby` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "storage is 0 GiB",
      { storageGi: 0 },
      "`storageGi` must be a whole number of GiB from 1 to 16384 (got 0); omit it to use 10",
    ],
    [
      "storage is over the largest EBS volume",
      { storageGi: 16385 },
      "`storageGi` must be a whole number of GiB from 1 to 16384 (got 16385); omit it to use 10",
    ],
    [
      "storage is a Kubernetes quantity",
      { storageGi: "10Gi" },
      '`storageGi` must be a whole number of GiB from 1 to 16384 (got "10Gi"): write the number alone, 10; omit it to use 10',
    ],
    [
      "the storage class is not a Kubernetes name",
      { storageClassName: "GP3" },
      "`storageClassName` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got \"GP3\")",
    ],
    [
      "the image is not pinned",
      { image: "redis" },
      '`image` must be a container image pinned to a tag or digest, such as "quay.io/opstree/redis:v7.0.15" (got "redis"): an untagged or :latest image changes under you',
    ],
    [
      "the uploader image is :latest",
      { uploaderImage: "amazon/aws-cli:latest" },
      '`uploaderImage` must be a container image pinned to a tag or digest, such as "amazon/aws-cli:2.17.0" (got "amazon/aws-cli:latest"): an untagged or :latest image changes under you',
    ],
    [
      "the sentinel image is not an image reference",
      { sentinelImage: "quay.io/opstree/redis sentinel:v7" },
      '`sentinelImage` must be a container image pinned to a tag or digest, such as "quay.io/opstree/redis-sentinel:v7.0.15" (got "quay.io/opstree/redis sentinel:v7"): an untagged or :latest image changes under you',
    ],
    [
      "the standby's service account is not a Kubernetes name",
      { standby: true, standbyServiceAccountName: "Redis_Restore" },
      "`standbyServiceAccountName` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got \"Redis_Restore\")",
    ],
    [
      "the backup's service account is not a Kubernetes name",
      { backup: { serviceAccountName: "-backup" } },
      "`backup.serviceAccountName` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got \"-backup\")",
    ],
    [
      "a standby service account is given without a standby",
      { standbyServiceAccountName: "redis-restore" },
      "`standbyServiceAccountName` only applies with `standby: true`: set `standby` or drop the service account",
    ],
    [
      "the namespace is not a DNS label",
      { namespace: "Redis" },
      "`namespace` must be a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters) (got \"Redis\")",
    ],
    [
      "irsa is a string",
      { irsa: "arn:aws:iam::123456789012:oidc-provider/x" },
      '`irsa` must be an object such as { primaryOidcProviderArn, secondaryOidcProviderArn } (got "arn:aws:iam::123456789012:oidc-provider/x")',
    ],
    [
      "the primary OIDC provider is not an OIDC provider ARN",
      { irsa: { primaryOidcProviderArn: "arn:aws:iam::123456789012:role/eks" } },
      '`irsa.primaryOidcProviderArn` must be an IAM OIDC provider ARN such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" (got "arn:aws:iam::123456789012:role/eks")',
    ],
    [
      "a secondary OIDC provider is given without a standby",
      { irsa: { secondaryOidcProviderArn: oidc("eu-central-1") } },
      "`irsa.secondaryOidcProviderArn` only applies with `standby: true` (it is the standby's cluster): set `standby` or drop it",
    ],
    [
      "an irsa field is misspelt",
      { irsa: { primaryOidcProvider: oidc("eu-west-1") } },
      "`irsa.primaryOidcProvider` is not an argument drkit knows here: did you mean `irsa.primaryOidcProviderArn`?",
    ],
    [
      "an argument is misspelt",
      { standbyServiceAccount: "redis-restore" },
      "`standbyServiceAccount` is not an argument drkit knows: did you mean `standbyServiceAccountName`?",
    ],
  ])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes as never), base)).rejects.toThrow(
      new InvalidArgsError("RedisCrossZone", "sessions", [message]),
    );
  });

  it.each([
    [
      "args is missing",
      undefined,
      "`args` must be an object (got undefined): pass { service, tier, regions }",
    ],
    ["args is null", null, "`args` must be an object (got null): pass { service, tier, regions }"],
    [
      "regions is missing",
      { service: "sessions", tier: "critical" },
      "`regions` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion } (got undefined)",
    ],
    [
      "the secondary side is null",
      {
        service: "sessions",
        tier: "critical",
        regions: { primary: { region: "eu-west-1", awsProvider: AWS_PROVIDER }, secondary: null },
      },
      "`regions.secondary` must be { region, awsProvider }, as a DrRegionPair side is (got null)",
    ],
  ])("fails when %s", async (_t, args, message) => {
    await expect(runProgram(() => new RedisCrossZone("sessions", args as never), base)).rejects.toThrow(
      new InvalidArgsError("RedisCrossZone", "sessions", [message]),
    );
  });

  it.each([
    [
      "the name is not a DNS label",
      "Sessions",
      {},
      "`name` \"Sessions\" must be a DNS label that starts with a letter: lowercase letters, digits and '-' (the operator names Services after it, and a Service name must start with a letter)",
    ],
    [
      "the name starts with a digit",
      "1sessions",
      {},
      "`name` \"1sessions\" must be a DNS label that starts with a letter: lowercase letters, digits and '-' (the operator names Services after it, and a Service name must start with a letter)",
    ],
    [
      "the sentinels' names derived from the name would be too long",
      "s".repeat(35),
      {},
      `\`name\` "${"s".repeat(35)}" (35 characters) is too long for the names derived from it: "<name>-sentinel-sentinel" (the sentinels' StatefulSet, at most 52 so that its pods' controller-revision-hash label fits) would be 53 characters; "<name>-sentinel-sentinel-additional" (a Service the operator creates for the sentinels, at most 63) would be 64 characters; use a name of at most 34 characters`,
    ],
    [
      "the operator's Helm release in the secondary cluster would be named too long",
      "s".repeat(26),
      { installOperator: true, operatorChartVersion: "0.22.1", standby: true },
      `\`name\` "${"s".repeat(26)}" (26 characters) is too long for the names derived from it: "<name>-operator-secondary-" + 8 random characters (the redis-operator Helm release in the secondary cluster, at most 53) would be 54 characters; use a name of at most 25 characters`,
    ],
  ])("fails when %s", async (_t, name, changes, message) => {
    await expect(runProgram(program(changes as never, name), base)).rejects.toThrow(
      new InvalidArgsError("RedisCrossZone", name, [message]),
    );
  });

  it("fails with every problem at once, before creating any child", async () => {
    let error: unknown;
    const run = await runProgram(() => {
      try {
        program({
          replicas: 2,
          storageGi: "10Gi" as never,
          backup: { cron: "0 24 * * *", retentionDays: 0 },
        })();
      } catch (err) {
        error = err;
      }
    }, base);
    expect((error as InvalidArgsError).problems).toEqual([
      `${replicasRange} (got 2); omit it to use 3`,
      '`storageGi` must be a whole number of GiB from 1 to 16384 (got "10Gi"): write the number alone, 10; omit it to use 10',
      '`backup.cron` invalid cron expression "0 24 * * *": hour value 24 is out of range 0–23; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
      "`backup.retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 7",
    ]);
    const component = run.ofType("drkit:index:RedisCrossZone")[0]!;
    expect(run.childrenOf(component.urn)).toEqual([]);
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
    const side = { region: "eu-west-1", awsProvider: AWS_PROVIDER, kubernetesProvider: {} } as never;
    expect(
      validateRedisCrossZoneArgs({
        service: "sessions",
        tier: "critical",
        regions: { primary: side, secondary: side },
        zones: 4,
      }),
    ).toEqual([
      "`zones` must be a whole number from 2 to 3: fewer than 2 cannot survive a zone loss, and the pods cannot spread over more zones than there are pods (`replicas`) or than an AWS region has (6) (got 4); omit it to use 2",
      '`regions` must name two different regions (both "eu-west-1"): backups must leave the region',
    ]);
  });
});

describe("RedisCrossZone's restore drill", () => {
  const drillJob = (run: ProgramRun) =>
    run.ofType("kubernetes:batch/v1:CronJob").find((r) => r.name === "sessions-drill");

  it("is off unless `drill` is given: it needs read access to the bucket and memory for a copy of the data", async () => {
    const run = await runProgram(program(), base);
    expect(drillJob(run)).toBeUndefined();
    expect(run.ofType("aws:iam/policy:Policy").map((p) => p.name)).not.toContain("sessions-drill");
  });

  it.each([
    ["critical", "30 3 * * *"],
    ["important", "30 3 * * 0"],
    ["standard", "30 3 1 * *"],
  ])("runs a %s service's drill on its tier's schedule (%s), one attempt a run", async (tier, schedule) => {
    const run = await runProgram(program({ tier, drill: {} }), base);
    const job = props(drillJob(run)!) as unknown as {
      spec: {
        schedule: string;
        concurrencyPolicy: string;
        jobTemplate: {
          spec: { backoffLimit: number; activeDeadlineSeconds: number; template: { spec: never } };
        };
      };
    };
    expect([job.spec.schedule, job.spec.concurrencyPolicy, job.spec.jobTemplate.spec.backoffLimit]).toEqual([
      schedule,
      "Forbid",
      0,
    ]);
    expect(job.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(600 + 3600);
  });

  it("fetches with the AWS CLI image, checks with the Redis image, reports with the AWS CLI image, in the primary cluster without a standby", async () => {
    const run = await runProgram(
      program({
        drill: {
          schedule: "0 4 * * *",
          pushgatewayUrl: "http://pushgateway.monitoring:9091",
          serviceAccountName: "drill",
        },
      }),
      base,
    );
    const job = drillJob(run)!;
    expect(providerName(run, job)).toBe("dr-primary");
    const pod = (
      props(job) as unknown as {
        spec: {
          jobTemplate: {
            spec: {
              template: {
                spec: {
                  serviceAccountName: string;
                  restartPolicy: string;
                  initContainers: {
                    name: string;
                    image: string;
                    command: string[];
                    env: { name: string; value: string }[];
                  }[];
                  containers: {
                    name: string;
                    image: string;
                    command: string[];
                    env: { name: string; value: string }[];
                  }[];
                };
              };
            };
          };
        };
      }
    ).spec.jobTemplate.spec.template.spec;
    expect([pod.serviceAccountName, pod.restartPolicy]).toEqual(["drill", "Never"]);
    expect([...pod.initContainers, ...pod.containers].map((c) => [c.name, c.image, c.command])).toEqual([
      ["fetch", "amazon/aws-cli:2.17.0", ["sh", "-c", REDIS_DRILL_FETCH_SCRIPT]],
      ["check", "quay.io/opstree/redis:v7.0.15", ["sh", "-c", REDIS_DRILL_CHECK_SCRIPT]],
      ["report", "amazon/aws-cli:2.17.0", ["sh", "-c", REDIS_DRILL_REPORT_SCRIPT]],
    ]);
    expect(Object.fromEntries(pod.containers[0]!.env.map((e) => [e.name, e.value]))).toEqual({
      WORK: "/drill",
      BUCKET: "bucket-of-sessions-backups",
      BUCKET_REGION: "eu-central-1",
      RECORDS_BUCKET: "bucket-of-sessions-backups",
      NAME: "sessions",
      SERVICE: "sessions",
      TIER: "critical",
      PORT: "6390",
      LOAD_TIMEOUT_SECONDS: "600",
      PUSHGATEWAY_URL: "http://pushgateway.monitoring:9091",
    });
    const policy = props(
      run.ofType("aws:iam/policy:Policy").find((p) => p.name === "sessions-drill")!,
    ) as unknown as {
      policy: string;
    };
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: "ListSnapshots",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: ["arn-of-sessions-backups"],
        Condition: { StringLike: { "s3:prefix": ["sessions/*"] } },
      },
      {
        Sid: "GetSnapshots",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: ["arn-of-sessions-backups/sessions/*"],
      },
      {
        Sid: "PutDrillRecords",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: ["arn-of-sessions-backups/drills/sessions/redis/*"],
      },
    ]);
  });

  it("runs in the secondary cluster with a standby: the region a recovery restores in", async () => {
    const run = await runProgram(program({ standby: true, drill: {} }), base);
    expect(providerName(run, drillJob(run)!)).toBe("dr-secondary");
  });

  it("refuses drill arguments it cannot use, naming the field", () => {
    const side = (region: string) => ({ region, awsProvider: AWS_PROVIDER, kubernetesProvider: {} }) as never;
    const regions = { primary: side("eu-west-1"), secondary: side("eu-central-1") };
    expect(
      validateRedisCrossZoneArgs({
        service: "sessions",
        tier: "gold",
        regions,
        backup: { pushgatewayUrl: "pushgateway:9091" },
        drill: {
          pushgatewayUrl: "http://pg:9091/?x=1",
          loadTimeoutSeconds: 5,
          schedul: "x",
          serviceAccountName: "Drill",
        },
      }),
    ).toEqual([
      '`backup.pushgatewayUrl` must be a Pushgateway\'s base URL such as "http://pushgateway.monitoring:9091", http or https, without a trailing \'/\', query or credentials (got "pushgateway:9091")',
      "`drill.schedul` is not an argument drkit knows here: did you mean `drill.schedule`?",
      '`drill.schedule` is required for tier "gold": drkit has default drill schedules for critical, important, standard only; give a 5-field cron such as "30 3 * * 0"',
      '`drill.pushgatewayUrl` must be a Pushgateway\'s base URL such as "http://pushgateway.monitoring:9091", http or https, without a trailing \'/\', query or credentials (got "http://pg:9091/?x=1")',
      "`drill.serviceAccountName` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got \"Drill\")",
      "`drill.loadTimeoutSeconds` must be a whole number of seconds from 10 to 86400 (got 5); omit it to use 600",
    ]);
    expect(
      validateRedisCrossZoneArgs({
        service: "sessions",
        tier: "critical",
        regions,
        drill: { schedule: "every day" },
      }),
    ).toEqual([expect.stringMatching(/^`drill\.schedule` /)]);
  });
});

// The restore script runs for real, under the shells the images carry (dash here; bash in amazon/aws-cli),
// against a fake `aws` that serves a directory as the bucket and logs every call.
const FAKE_AWS = `#!/bin/sh
# A listing that is not in key order, split over pages: the script must find the newest key itself.
echo "$*" >> "$FAKE_S3/calls.log"
if [ "$1 $2" = "s3api list-objects-v2" ]; then
  [ -n "\${FAKE_S3_DENY:-}" ] && { echo "An error occurred (AccessDenied) when calling the ListObjectsV2 operation" >&2; exit 254; }
  # Keys in upload order, one page per line and tab-separated within a page, as the CLI prints them.
  [ -s "$FAKE_S3/keys" ] && paste -s -d '\\n\\t' "$FAKE_S3/keys" || echo None
elif [ "$1 $2" = "s3api get-object" ]; then
  cp "$FAKE_S3/bucket/$6" "$9" && echo '{"ContentLength": 1}'
fi
`;

describe.each(["sh", "bash"])("REDIS_RESTORE_SCRIPT under %s", (shell) => {
  let root: string;
  let dataDir: string;
  const put = (key: string, content: string) => {
    mkdirSync(join(root, "bucket", "sessions"), { recursive: true });
    writeFileSync(join(root, "bucket", "sessions", key), content);
    appendFileSync(join(root, "keys"), `sessions/${key}\n`);
  };
  // What the backup Job writes: the snapshot, its manifest, and its SHA-256 last.
  const snapshot = (key: string, content: string) => {
    put(key, content);
    put(`${key}.manifest`, "keys 0\nexpires 0\n");
    put(`${key}.sha256`, createHash("sha256").update(content).digest("hex"));
  };
  const restore = (extraEnv: Record<string, string> = {}) =>
    spawnSync(shell, ["-c", REDIS_RESTORE_SCRIPT], {
      encoding: "utf8",
      env: {
        PATH: `${join(root, "bin")}:${process.env.PATH ?? ""}`,
        // A home of its own: bash would otherwise read this machine's ~/.bashrc.
        HOME: root,
        FAKE_S3: root,
        DATA_DIR: dataDir,
        BUCKET: "backups",
        BUCKET_REGION: "eu-central-1",
        NAME: "sessions",
        ...extraEnv,
      },
    });
  const calls = () => readFileSync(join(root, "calls.log"), "utf8").trim().split("\n");

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "drkit-restore-"));
    dataDir = join(root, "data");
    mkdirSync(join(root, "bin"));
    mkdirSync(dataDir);
    // A fresh EBS volume carries lost+found: that is not data.
    mkdirSync(join(dataDir, "lost+found"));
    writeFileSync(join(root, "bin", "aws"), FAKE_AWS);
    chmodSync(join(root, "bin", "aws"), 0o755);
    writeFileSync(join(root, "calls.log"), "");
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("restores the newest .rdb snapshot as appendonly.aof, read from the bucket's region", () => {
    snapshot("20261122T230000Z.rdb", "REDIS0011 older");
    snapshot("20261123T000000Z.rdb", "REDIS0011 newest");
    snapshot("20261122T220000Z.rdb", "REDIS0011 oldest");
    // Sorts after every timestamp, but is not a snapshot.
    put("README.txt", "not a snapshot");
    const result = restore();
    expect([result.status, result.stderr]).toEqual([
      0,
      "drkit: refusing sessions/README.txt: not a key the backup Job writes (<name>/YYYYMMDDTHHMMSSZ.rdb)\n",
    ]);
    expect(readFileSync(join(dataDir, "appendonly.aof"), "utf8")).toBe("REDIS0011 newest");
    expect(existsSync(join(dataDir, ".drkit-restore.partial"))).toBe(false);
    expect(result.stdout.trim().split("\n").at(-1)).toBe(
      `drkit: restored s3://backups/sessions/20261123T000000Z.rdb (SHA-256 checked) into ${dataDir}/appendonly.aof`,
    );
    const get = (suffix: string) =>
      `s3api get-object --bucket backups --key sessions/20261123T000000Z.rdb${suffix} --region eu-central-1 ${dataDir}/.drkit-restore.partial${suffix}`;
    expect(calls()).toEqual([
      "s3api list-objects-v2 --bucket backups --prefix sessions/ --region eu-central-1 --query Contents[].Key --output text",
      get(".sha256"),
      get(".manifest"),
      get(""),
    ]);
    expect(readdirSync(dataDir).sort()).toEqual(["appendonly.aof", "lost+found"]);
  });

  it.each(["appendonly.aof", "appendonlydir", "dump.rdb"])(
    "keeps a volume that already holds %s: a standby that took over keeps its writes",
    (existing) => {
      snapshot("20261123T000000Z.rdb", "REDIS0011 newest");
      if (existing === "appendonlydir") mkdirSync(join(dataDir, existing));
      else writeFileSync(join(dataDir, existing), "live data");
      const result = restore();
      expect([result.status, result.stdout.trim()]).toEqual([
        0,
        `drkit: ${dataDir}/${existing} exists: keeping the data this volume holds`,
      ]);
      expect(calls()).toEqual([""]);
      if (existing !== "appendonlydir")
        expect(readFileSync(join(dataDir, existing), "utf8")).toBe("live data");
      if (existing !== "appendonly.aof") expect(existsSync(join(dataDir, "appendonly.aof"))).toBe(false);
    },
  );

  it("starts empty while the bucket holds no snapshot yet", () => {
    const result = restore();
    expect([result.status, result.stdout.trim()]).toEqual([
      0,
      "drkit: no snapshot under s3://backups/sessions/ yet: starting empty",
    ]);
    expect(existsSync(join(dataDir, "appendonly.aof"))).toBe(false);
  });

  it("fails, rather than start empty, when the bucket cannot be listed", () => {
    snapshot("20261123T000000Z.rdb", "REDIS0011 newest");
    const result = restore({ FAKE_S3_DENY: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("AccessDenied");
    expect(existsSync(join(dataDir, "appendonly.aof"))).toBe(false);
  });
});
