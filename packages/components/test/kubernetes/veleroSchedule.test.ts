import * as pulumi from "@pulumi/pulumi";
import {
  isSecret,
  runProgram,
  plainProperties,
  toResourceGraph,
  CapturedResource,
  ProgramRun,
} from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import {
  DrRegionPair,
  VeleroSchedule,
  VeleroScheduleArgs,
  InvalidArgsError,
  VELERO_CHART,
  validateVeleroScheduleArgs,
} from "@drkit/components";
import { crdProblems } from "../../../../test/support/crds";
import {
  ALL_PUBLIC_ACCESS_BLOCKED,
  SSE_S3,
  VERSIONING_ENABLED,
  controlsOf,
  denyInsecureTransport,
} from "./bucketControls";

const computedOutputs = { "aws:s3/bucket:Bucket": ["arn", "bucket"], "aws:iam/role:Role": ["arn"] };
// What the AWS provider answers for the account the primary provider deploys into.
const call = (args: pulumi.runtime.MockCallArgs) =>
  args.token === "aws:index/getCallerIdentity:getCallerIdentity"
    ? { accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/ci", userId: "AIDAEXAMPLE" }
    : args.inputs;
const base = { project: "platform", stack: "prod", computedOutputs, call };
const props = (r: CapturedResource) => plainProperties(r.inputs);
const providerName = (run: ProgramRun, r: CapturedResource) => run.providerOf(r)?.name;

function program(changes: Partial<Omit<VeleroScheduleArgs, "regions">> = {}, name = "cluster") {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new VeleroSchedule(name, {
      service: "cluster",
      tier: "critical",
      regions,
      schedules: [{ name: "hourly", cron: "0 * * * *", excludedNamespaces: ["kube-system"] }],
      ...changes,
    });
  };
}
const ofKind = (run: ProgramRun, kind: string) =>
  run
    .ofType(`kubernetes:velero.io/v1:${kind}`)
    .map((r) => ({ r, p: props(r) as { metadata: { name: string }; spec: Record<string, unknown> } }));

describe("VeleroSchedule", () => {
  it("puts the location and schedules in the primary cluster and a read-only location in the secondary one", async () => {
    const run = await runProgram(program(), base);
    expect(
      ofKind(run, "BackupStorageLocation").map(({ r, p }) => [
        p.metadata.name,
        providerName(run, r),
        p.spec.accessMode,
      ]),
    ).toEqual([
      ["cluster-primary", "dr-primary", "ReadWrite"],
      ["cluster-restore", "dr-secondary", "ReadOnly"],
    ]);
    expect(ofKind(run, "Schedule").map(({ r, p }) => [p.metadata.name, providerName(run, r)])).toEqual([
      ["cluster-hourly", "dr-primary"],
    ]);
    expect(run.ofType("kubernetes:helm.sh/v3:Release").map((r) => [r.name, providerName(run, r)])).toEqual([
      ["cluster-velero-primary", "dr-primary"],
      ["cluster-velero-secondary", "dr-secondary"],
    ]);
  });

  it("produces custom resources valid against the upstream Velero CRDs", async () => {
    const run = await runProgram(program(), base);
    for (const { p } of [...ofKind(run, "Schedule"), ...ofKind(run, "BackupStorageLocation")]) {
      expect(crdProblems(p as never)).toEqual([]);
    }
  });

  it("schedules hourly, 30-day TTL, file-system backup of volumes, backups outliving the schedule", async () => {
    const run = await runProgram(program(), base);
    expect(ofKind(run, "Schedule")[0]!.p.spec).toEqual({
      schedule: "0 * * * *",
      paused: false,
      useOwnerReferencesInBackup: false,
      template: {
        excludedNamespaces: ["kube-system"],
        ttl: "720h",
        storageLocation: "cluster-primary",
        defaultVolumesToFsBackup: true,
        snapshotMoveData: false,
        snapshotVolumes: false,
      },
    });
    expect(ofKind(run, "Schedule")[0]!.p.metadata).toMatchObject({
      labels: {
        "drkit.dev/service": "cluster",
        "drkit.dev/tier": "critical",
        "drkit.dev/region": "eu-west-1",
      },
    });
  });

  it("stores backups in a versioned bucket without Object Lock, replicated with RTC to the secondary region", async () => {
    const run = await runProgram(program(), base);
    expect(
      run
        .ofType("aws:s3/bucket:Bucket")
        .map((b) => [
          b.name,
          props(b).objectLockEnabled ?? false,
          plainProperties(run.providerOf(b)!.inputs).region,
        ]),
    ).toEqual([
      ["cluster-backups", false, "eu-west-1"],
      ["cluster-backups-replica", false, "eu-central-1"],
    ]);
    const rule = (
      props(run.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")[0]!).rules as {
        destination: unknown;
      }[]
    )[0]!;
    expect(rule.destination).toEqual({
      bucket: "arn-of-cluster-backups-replica",
      replicationTime: { status: "Enabled", time: { minutes: 15 } },
      metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
    });
    expect(ofKind(run, "BackupStorageLocation").map(({ p }) => p.spec.objectStorage)).toEqual([
      { bucket: "bucket-of-cluster-backups" },
      { bucket: "bucket-of-cluster-backups-replica" },
    ]);
  });

  it("keeps backups in buckets that are versioned, encrypted, closed to the public and refuse requests without TLS", async () => {
    const run = await runProgram(program(), base);
    const buckets = run.ofType("aws:s3/bucket:Bucket");
    expect(buckets.map((b) => b.name)).toEqual(["cluster-backups", "cluster-backups-replica"]);
    for (const bucket of buckets) {
      const controls = controlsOf(run, bucket);
      expect([bucket.name, controls.versioning, controls.encryption, controls.publicAccessBlock]).toEqual([
        bucket.name,
        [VERSIONING_ENABLED],
        [SSE_S3],
        [ALL_PUBLIC_ACCESS_BLOCKED],
      ]);
      expect(controls.policy).toEqual([
        { policy: { Version: "2012-10-17", Statement: [denyInsecureTransport(`arn-of-${bucket.name}`)] } },
      ]);
    }
  });

  it("lets only S3, replicating this account's Velero bucket, assume the replication role", async () => {
    const run = await runProgram(program(), base);
    const [role, ...others] = run.ofType("aws:iam/role:Role");
    expect([role!.name, others]).toEqual(["cluster-replication", []]);
    expect(JSON.parse(props(role!).assumeRolePolicy as string)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "s3.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: {
            StringEquals: { "aws:SourceAccount": "111122223333", "aws:SourceArn": "arn-of-cluster-backups" },
          },
        },
      ],
    });
  });

  it("installs the pinned chart with the AWS plugin and the node agent file-system backup needs", async () => {
    const run = await runProgram(
      program({ serviceAccountRoleArn: "arn:aws:iam::123456789012:role/velero" }),
      base,
    );
    const release = props(run.ofType("kubernetes:helm.sh/v3:Release")[0]!) as {
      chart: string;
      version: string;
      repositoryOpts: unknown;
      values: Record<string, unknown>;
    };
    expect([release.chart, release.version, release.repositoryOpts]).toEqual([
      VELERO_CHART.chart,
      "12.1.0",
      { repo: "https://vmware-tanzu.github.io/helm-charts" },
    ]);
    expect(release.values).toMatchObject({
      initContainers: [{ image: "velero/velero-plugin-for-aws:v1.13.1" }],
      deployNodeAgent: true,
      credentials: { useSecret: false },
      serviceAccount: {
        server: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/velero" } },
      },
    });
  });

  it("lets the posture model see a region-proof backup: hourly gap + 900 s RTC", async () => {
    const run = await runProgram(program(), base);
    const region = assessGraph(
      toResourceGraph(run),
      {},
      { now: new Date("2026-11-23T00:00:00Z") },
    ).assessments.find((a) => a.service === "cluster" && a.disruption === "region")!;
    expect([region.achievableRpoSeconds, region.achievableRtoSeconds, region.status]).toEqual([
      4500,
      3000,
      "PolicyBreached",
    ]);
  });

  it("fails when the existing bucket has Object Lock", async () => {
    await expect(
      runProgram(
        program({ existingBucket: { name: "locked", region: "eu-west-1", objectLockEnabled: true } }),
        base,
      ),
    ).rejects.toThrow(
      new InvalidArgsError("VeleroSchedule", "cluster", [
        "`existingBucket` has Object Lock: Velero rewrites backup metadata as it finalizes backups and cannot write to a locked bucket (Velero ≥ 1.11); give Velero its own versioned bucket without Object Lock",
      ]),
    );
  });

  // One row per bad input: what a user (or YAML config) can pass, and the exact problem it gets.
  const hourly = { name: "hourly", cron: "0 * * * *" };
  it.each([
    [
      "the cron has 4 fields",
      { schedules: [{ ...hourly, cron: "0 * * *" }] },
      '`schedules[0].cron` invalid cron expression "0 * * *": it has 4 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "the cron's hour is 24",
      { schedules: [{ ...hourly, cron: "0 24 * * *" }] },
      '`schedules[0].cron` invalid cron expression "0 24 * * *": hour value 24 is out of range 0–23; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "the cron is @every",
      { schedules: [{ ...hourly, cron: "@every 1h" }] },
      '`schedules[0].cron`: use a 5-field cron, not @every (got "@every 1h")',
    ],
    [
      "the cron is missing",
      { schedules: [{ name: "hourly" }] },
      '`schedules[0].cron` must be a cron expression such as "0 * * * *" (got undefined)',
    ],
    [
      "the TTL is in days",
      { schedules: [{ ...hourly, ttl: "30d" }] },
      '`schedules[0].ttl` must be a Go duration such as "720h" (got "30d"): Go durations have no days; write 30 days as "720h"',
    ],
    [
      "the TTL is not a duration",
      { schedules: [{ ...hourly, ttl: "a month" }] },
      '`schedules[0].ttl` must be a Go duration such as "720h" or "168h30m": numbers with the units h, m, s (got "a month")',
    ],
    [
      "the TTL is a YAML number",
      { schedules: [{ ...hourly, ttl: 720 }] },
      '`schedules[0].ttl` must be a Go duration such as "720h" or "168h30m": numbers with the units h, m, s (got 720): quote it with its unit, e.g. "720h"',
    ],
    [
      "the TTL is shorter than an hour",
      { schedules: [{ ...hourly, ttl: "30m" }] },
      '`schedules[0].ttl` must be from 1h to 87600h (10 years) (got "30m", 1800 s): a backup deleted this soon is gone before anyone notices the loss; omit it to keep backups 720h (30 days)',
    ],
    [
      "the TTL is longer than 10 years",
      { schedules: [{ ...hourly, ttl: "100000h" }] },
      '`schedules[0].ttl` must be from 1h to 87600h (10 years) (got "100000h", 360000000 s); omit it to keep backups 720h (30 days)',
    ],
    [
      "a namespace is not a DNS label",
      { schedules: [{ ...hourly, includedNamespaces: ["Payments"] }] },
      "`schedules[0].includedNamespaces[0]` must be a namespace name (a DNS label: lowercase letters, digits, '-') (got \"Payments\")",
    ],
    [
      "the namespaces are a YAML string, not a list",
      { schedules: [{ ...hourly, excludedNamespaces: "kube-system" }] },
      '`schedules[0].excludedNamespaces` must be a list of namespace names such as ["kube-system"] (got "kube-system")',
    ],
    [
      "a namespace is both included and excluded",
      { schedules: [{ ...hourly, includedNamespaces: ["payments"], excludedNamespaces: ["payments"] }] },
      '`schedules[0].excludedNamespaces[0]` "payments" is also in `includedNamespaces`: Velero fails a backup whose lists overlap; drop it from one of them',
    ],
    [
      "the volume mode is unknown",
      { schedules: [{ ...hourly, volumeBackup: "restic" }] },
      '`schedules[0].volumeBackup` must be "fs", "snapshot-move-data" or "snapshots" (got "restic")',
    ],
    [
      "the volume mode names an Object.prototype property",
      { schedules: [{ ...hourly, volumeBackup: "constructor" }] },
      '`schedules[0].volumeBackup` must be "fs", "snapshot-move-data" or "snapshots" (got "constructor")',
    ],
    [
      'paused is the YAML string "false"',
      { schedules: [{ ...hourly, paused: "false" }] },
      '`schedules[0].paused` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "useOwnerReferencesInBackup is a string",
      { schedules: [{ ...hourly, useOwnerReferencesInBackup: "yes" }] },
      '`schedules[0].useOwnerReferencesInBackup` must be true or false (got "yes"): in YAML write it without quotes',
    ],
    [
      "a schedule field is misspelt",
      { schedules: [{ ...hourly, ttls: "720h" }] },
      "`schedules[0].ttls` is not an argument drkit knows here: did you mean `schedules[0].ttl`?",
    ],
    [
      "a schedule is null",
      { schedules: [null] },
      '`schedules[0]` must be an object such as { name: "hourly", cron: "0 * * * *" } (got null)',
    ],
    [
      "schedules is a YAML map, not a list",
      { schedules: { hourly: { cron: "0 * * * *" } } },
      '`schedules` must be a list such as [{ name: "hourly", cron: "0 * * * *" }] (got {"hourly":{"cron":"0 * * * *"}})',
    ],
    [
      "there is no schedule",
      { schedules: [] },
      "`schedules` must list at least one schedule ({ name, cron })",
    ],
    [
      "schedules is missing",
      { schedules: undefined },
      '`schedules` must be a list such as [{ name: "hourly", cron: "0 * * * *" }] (got undefined)',
    ],
    [
      "a schedule name is not a DNS label",
      { schedules: [{ ...hourly, name: "Hourly" }] },
      '`schedules[0].name` must be a DNS label: lowercase letters, digits and \'-\', e.g. "hourly" (got "Hourly")',
    ],
    [
      "a schedule name is a YAML number",
      { schedules: [{ ...hourly, name: 2024 }] },
      "`schedules[0].name` must be a DNS label: lowercase letters, digits and '-', e.g. \"hourly\" (got 2024)",
    ],
    [
      "a Schedule's name would be longer than a label value",
      { schedules: [{ ...hourly, name: "h".repeat(60) }] },
      `\`schedules[0].name\` "${"h".repeat(60)}" makes the Schedule's name "cluster-${"h".repeat(60)}" 68 characters long, over the 63 Velero allows (it copies the name into the label velero.io/schedule-name of every backup): use a schedule name of at most 55 characters`,
    ],
    [
      "the namespace is not a DNS label",
      { namespace: "Velero" },
      "`namespace` must be a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters) (got \"Velero\")",
    ],
    [
      "the namespace is longer than 63 characters",
      { namespace: "v".repeat(64) },
      `\`namespace\` must be a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters) (got "${"v".repeat(64)}")`,
    ],
    [
      'install is the YAML string "false"',
      { install: "false" },
      '`install` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "restoreLocationInSecondary is a string",
      { restoreLocationInSecondary: "no" },
      '`restoreLocationInSecondary` must be true or false (got "no"): in YAML write it without quotes',
    ],
    [
      "retainOnDelete is a string",
      { retainOnDelete: "true" },
      '`retainOnDelete` must be true or false (got "true"): in YAML write it without quotes',
    ],
    [
      "install is an Output",
      { install: pulumi.output(true) },
      "`install` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "the schedules are an Output",
      { schedules: pulumi.output([hourly]) },
      "`schedules` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "the service account role is not an IAM role ARN",
      { serviceAccountRoleArn: "velero" },
      '`serviceAccountRoleArn` must be an IAM role ARN such as "arn:aws:iam::123456789012:role/velero" (got "velero")',
    ],
    [
      "the existing bucket is null",
      { existingBucket: null },
      '`existingBucket` must be an object such as { name: "team-velero", region: "eu-west-1" } (got null)',
    ],
    [
      "the existing bucket's name is not an S3 bucket name",
      { existingBucket: { name: "Team_Velero", region: "eu-west-1" } },
      "`existingBucket.name` must be an S3 bucket name: 3–63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (got \"Team_Velero\")",
    ],
    [
      "the existing bucket's region is not an AWS region",
      { existingBucket: { name: "team-velero", region: "eu-west" } },
      '`existingBucket.region` must be an AWS region code such as "eu-west-1" (got "eu-west")',
    ],
    [
      "the existing bucket's objectLockEnabled is a string",
      { existingBucket: { name: "team-velero", region: "eu-west-1", objectLockEnabled: "false" } },
      '`existingBucket.objectLockEnabled` must be true or false (got "false"): in YAML write it without quotes',
    ],
    [
      "the existing bucket is an Output",
      { existingBucket: pulumi.output({ name: "team-velero", region: "eu-west-1" }) },
      "`existingBucket` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ],
    [
      "an argument is misspelt",
      { restoreLocationInSecondery: false },
      "`restoreLocationInSecondery` is not an argument drkit knows: did you mean `restoreLocationInSecondary`?",
    ],
  ])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes as never), base)).rejects.toThrow(
      new InvalidArgsError("VeleroSchedule", "cluster", [message]),
    );
  });

  it.each([
    [
      "args is missing",
      undefined,
      "`args` must be an object (got undefined): pass { service, tier, regions, schedules }",
    ],
    ["args is null", null, "`args` must be an object (got null): pass { service, tier, regions, schedules }"],
    [
      "regions is missing",
      { service: "cluster", tier: "critical", schedules: [hourly] },
      "`regions` must be a DrRegionPair, or the regions as { primaryRegion, secondaryRegion } (got undefined)",
    ],
    [
      "a region side is null",
      {
        service: "cluster",
        tier: "critical",
        schedules: [hourly],
        regions: { primary: null, secondary: null },
      },
      "`regions.primary` must be { region, awsProvider }, as a DrRegionPair side is (got null)\n  - `regions.secondary` must be { region, awsProvider }, as a DrRegionPair side is (got null)",
    ],
  ])("fails when %s", async (_t, args, message) => {
    await expect(runProgram(() => new VeleroSchedule("cluster", args as never), base)).rejects.toThrow(
      message,
    );
  });

  it.each([
    [
      "the name is not a DNS label",
      "Cluster",
      "`name` \"Cluster\" must be a DNS label: lowercase letters, digits and '-' (it names the Velero objects, buckets and Helm releases)",
    ],
    [
      "a Helm release named from the name would be longer than Helm allows",
      "platform-cluster-backups-eu1",
      '`name` "platform-cluster-backups-eu1" (28 characters) is too long for the names derived from it: "<name>-velero-secondary-" + 8 random characters (the Helm release in the secondary cluster, at most 53) would be 54 characters; use a name of at most 27 characters',
    ],
  ])("fails when %s", async (_t, name, message) => {
    await expect(runProgram(program({}, name), base)).rejects.toThrow(
      new InvalidArgsError("VeleroSchedule", name, [message]),
    );
  });

  it("fails with every problem at once, before creating any child", async () => {
    let error: unknown;
    const run = await runProgram(() => {
      try {
        program({
          namespace: "Velero",
          install: "false" as never,
          schedules: [{ name: "hourly", cron: "0 24 * * *", ttl: "30d" }, null as never],
        })();
      } catch (err) {
        error = err;
      }
    }, base);
    expect((error as InvalidArgsError).problems).toEqual([
      "`namespace` must be a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters) (got \"Velero\")",
      '`install` must be true or false (got "false"): in YAML write it without quotes',
      '`schedules[0].cron` invalid cron expression "0 24 * * *": hour value 24 is out of range 0–23; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
      '`schedules[0].ttl` must be a Go duration such as "720h" (got "30d"): Go durations have no days; write 30 days as "720h"',
      '`schedules[1]` must be an object such as { name: "hourly", cron: "0 * * * *" } (got null)',
    ]);
    const component = run.ofType("drkit:index:VeleroSchedule")[0]!;
    expect(run.childrenOf(component.urn)).toEqual([]);
  });

  it("uses an existing Velero install and bucket: no chart, no bucket, the location on that bucket", async () => {
    const run = await runProgram(
      program({
        install: false,
        restoreLocationInSecondary: false,
        existingBucket: { name: "team-velero", region: "eu-west-1" },
      }),
      base,
    );
    expect(run.ofType("kubernetes:helm.sh/v3:Release")).toEqual([]);
    expect(run.ofType("aws:s3/bucket:Bucket")).toEqual([]);
    expect(
      ofKind(run, "BackupStorageLocation").map(({ p }) => [
        p.metadata.name,
        p.spec.objectStorage,
        p.spec.config,
      ]),
    ).toEqual([["cluster-primary", { bucket: "team-velero" }, { region: "eu-west-1" }]]);
  });
});

describe("validateVeleroScheduleArgs", () => {
  it("fails when both regions are the same, and when the primary has no cluster", () => {
    // What a DrRegionPair side carries, without a cluster (AwsProvider.isInstance reads the type token).
    const side = { region: "eu-west-1", awsProvider: { __pulumiType: "pulumi:providers:aws" } } as never;
    expect(
      validateVeleroScheduleArgs({
        service: "cluster",
        tier: "critical",
        regions: { primary: side, secondary: side },
        schedules: [{ name: "hourly", cron: "0 * * * *" }],
        restoreLocationInSecondary: false,
      }),
    ).toEqual([
      "`regions.primary` has no Kubernetes provider: give DrRegionPair a `primaryKubeconfig`",
      '`regions` must name two different regions (both "eu-west-1")',
    ]);
  });

  it("fails when the regions given as arguments have no kubeconfigs", () => {
    expect(
      validateVeleroScheduleArgs({
        service: "cluster",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" },
        schedules: [{ name: "hourly", cron: "0 * * * *" }],
      }),
    ).toEqual([
      "`regions.primary` has no Kubernetes provider: give `regions.primaryKubeconfig`",
      "`regions.secondary` has no Kubernetes provider: give `regions.secondaryKubeconfig`, or set `restoreLocationInSecondary: false`",
    ]);
  });
});

describe("VeleroSchedule given the regions as arguments (as other Pulumi languages pass them)", () => {
  it("creates its own region pair, with the kubeconfigs kept secret, and deploys each object through it", async () => {
    const run = await runProgram(() => {
      new VeleroSchedule("cluster", {
        service: "cluster",
        tier: "critical",
        regions: {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
          primaryKubeconfig: pulumi.secret("kubeconfig-west"),
          secondaryKubeconfig: pulumi.secret("kubeconfig-central"),
        },
        schedules: [{ name: "hourly", cron: "0 * * * *" }],
      });
    }, base);
    const clusters = run.ofType("pulumi:providers:kubernetes");
    expect(clusters.map((c) => [c.name, isSecret(c.inputs.kubeconfig as never)])).toEqual([
      ["cluster-regions-primary", true],
      ["cluster-regions-secondary", true],
    ]);
    expect(
      ofKind(run, "BackupStorageLocation").map(({ r, p }) => [p.metadata.name, providerName(run, r)]),
    ).toEqual([
      ["cluster-primary", "cluster-regions-primary"],
      ["cluster-restore", "cluster-regions-secondary"],
    ]);
    expect(
      run
        .ofType("aws:s3/bucket:Bucket")
        .map((b) => [b.name, plainProperties(run.providerOf(b)!.inputs).region]),
    ).toEqual([
      ["cluster-backups", "eu-west-1"],
      ["cluster-backups-replica", "eu-central-1"],
    ]);
  });
});
