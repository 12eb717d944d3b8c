import {
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

const computedOutputs = { "aws:s3/bucket:Bucket": ["arn", "bucket"], "aws:iam/role:Role": ["arn"] };
const base = { project: "platform", stack: "prod", computedOutputs };
const props = (r: CapturedResource) => plainProperties(r.inputs);
const providerName = (run: ProgramRun, r: CapturedResource) => run.providerOf(r)?.name;

function program(changes: Partial<Omit<VeleroScheduleArgs, "regions">> = {}) {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    new VeleroSchedule("cluster", {
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

  it("installs the pinned chart with the AWS plugin and the node agent file-system backup needs", async () => {
    const run = await runProgram(program({ serviceAccountRoleArn: "arn:aws:iam::1:role/velero" }), base);
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
        server: { annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/velero" } },
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

  it.each([
    [
      "the cron has 4 fields",
      { cron: "0 * * *" },
      '`schedules[0].cron` invalid cron expression "0 * * *": it has 4 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "the cron's hour is 24",
      { cron: "0 24 * * *" },
      '`schedules[0].cron` invalid cron expression "0 24 * * *": hour value 24 is out of range 0–23; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    ],
    [
      "the TTL is not a Go duration",
      { ttl: "30d" },
      '`schedules[0].ttl` must be a Go duration such as "720h" or "168h30m" (got "30d")',
    ],
    [
      "a namespace is not a DNS label",
      { includedNamespaces: ["Payments"] },
      "`schedules[0].includedNamespaces[0]` must be a namespace name (a DNS label: lowercase letters, digits, '-') (got \"Payments\")",
    ],
    [
      "the volume mode is unknown",
      { volumeBackup: "restic" as never },
      '`schedules[0].volumeBackup` must be "fs", "snapshot-move-data" or "snapshots" (got "restic")',
    ],
  ])("fails when %s", async (_t, change, message) => {
    await expect(
      runProgram(program({ schedules: [{ name: "hourly", cron: "0 * * * *", ...change }] }), base),
    ).rejects.toThrow(new InvalidArgsError("VeleroSchedule", "cluster", [message]));
  });

  it("fails when the secondary cluster is missing and a restore location is wanted", async () => {
    await expect(
      runProgram(() => {
        const regions = new DrRegionPair("dr", {
          primaryRegion: "eu-west-1",
          secondaryRegion: "eu-central-1",
          primaryKubeconfig: "k",
        });
        new VeleroSchedule("cluster", {
          service: "cluster",
          tier: "critical",
          regions,
          schedules: [{ name: "hourly", cron: "0 * * * *" }],
        });
      }, base),
    ).rejects.toThrow(
      "`regions.secondary` has no Kubernetes provider: give DrRegionPair a `secondaryKubeconfig`, or set `restoreLocationInSecondary: false`",
    );
  });

  it("fails when schedule names repeat", async () => {
    await expect(
      runProgram(
        program({
          schedules: [
            { name: "hourly", cron: "0 * * * *" },
            { name: "hourly", cron: "30 * * * *" },
          ],
        }),
        base,
      ),
    ).rejects.toThrow('`schedules[1].name` "hourly" is used twice');
  });

  it.each([
    [
      "the namespace is not a DNS label",
      { namespace: "Velero" },
      '`namespace` must be a DNS label (got "Velero")',
    ],
    [
      "there is no schedule",
      { schedules: [] },
      "`schedules` must list at least one schedule ({ name, cron })",
    ],
    [
      "a schedule name is not a DNS label",
      { schedules: [{ name: "Hourly", cron: "0 * * * *" }] },
      '`schedules[0].name` must be a DNS label (got "Hourly")',
    ],
  ])("fails when %s", async (_t, changes, message) => {
    await expect(runProgram(program(changes as Partial<VeleroScheduleArgs>), base)).rejects.toThrow(
      new InvalidArgsError("VeleroSchedule", "cluster", [message]),
    );
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
    const side = { region: "eu-west-1" } as never;
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
});
