// drkit-rpo-rto with restore times that drills measured, over the Analyzer protocol: a recent measurement
// replaces the restore step's estimate and the violation's derivation cites the drill; a measurement the
// model cannot use is refused, naming it.
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { PolicyConfigError, reconcilePolicyConfig } from "@drkit/cli/harness";
import { usePack, check, dayFromToday } from "./packHarness";

const pack = usePack();
const policy = "drkit-rpo-rto";
const labels = {
  "drkit.dev/service": "cluster",
  "drkit.dev/tier": "important",
  "drkit.dev/region": "eu-west-1",
};

/** Service `cluster` (important: RTO 4h): an hourly Velero schedule into a bucket in eu-central-1. */
const cluster = () => {
  const central = new AwsProvider("central", { region: "eu-central-1" });
  const bucket = new s3.Bucket(
    "velero-backups",
    { tags: { "drkit:service": "cluster", "drkit:tier": "important" } },
    { provider: central },
  );
  new CustomResource("velero-location", {
    apiVersion: "velero.io/v1",
    kind: "BackupStorageLocation",
    metadata: { name: "primary", namespace: "velero", labels },
    spec: { provider: "aws", objectStorage: { bucket: bucket.bucket }, config: { region: "eu-central-1" } },
  });
  new CustomResource("hourly", {
    apiVersion: "velero.io/v1",
    kind: "Schedule",
    metadata: { name: "hourly", namespace: "velero", labels },
    spec: {
      schedule: "0 * * * *",
      template: {
        storageLocation: "primary",
        ttl: "720h",
        excludedNamespaces: ["kube-system"],
        defaultVolumesToFsBackup: true,
        snapshotVolumes: false,
      },
    },
  });
};

const drillDay = dayFromToday(-3);
const EVIDENCE = `s3://records/drills/cluster/velero/${drillDay}T03:00:00Z.json`;
const measurement = (restoreSeconds: number) => ({
  service: "cluster",
  kind: "velero",
  disruption: "software",
  restoreSeconds,
  measuredAt: `${drillDay}T03:00:00Z`,
  evidence: EVIDENCE,
});

describe("drkit-rpo-rto with measured restore times", () => {
  it("fails when the restore a drill measured takes the RTO past the target the estimate met, citing the drill", async () => {
    const { violations } = await check(pack(), cluster, policy, {
      config: { [policy]: { measuredRestores: [measurement(14_000)] } },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        [
          "cluster (important), software disruption (bad deploy, data corruption or accidental deletion): RPO 1h ≤ target 1h; RTO 4h 13m 20s > target 4h.",
          "  - Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, volume data by file-system backup.",
          '  - Velero schedule hourly (eu-west-1): Backups run on "0 * * * *": the longest gap between two runs is 3600 s (1h), the data a restore can lose.',
          "  - Velero schedule hourly (eu-west-1): TTL 30d (2592000 s) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
          `  - Velero schedule hourly (eu-west-1): The restore step is measured: 14000 s (3h 53m 20s) by the velero drill of ${drillDay}T03:00:00Z (evidence ${EVIDENCE}), in place of the estimate of 1800 s (a measurement counts for 90 days in tier important).`,
          "  - Velero schedule hourly (eu-west-1): RPO 3600 s.",
          `  - Velero schedule hourly (eu-west-1): RTO = detection 300 s (alarm pages the on-call, estimate \`incidentDetectionSeconds\`) + decision 900 s (operator decides to recover, estimate \`operatorDecisionSeconds\`) + action 14000 s (velero restore, estimate \`veleroRestoreSeconds\`, measured by the drill of ${drillDay} (evidence ${EVIDENCE})) + propagation 0 s (none) = 15200 s.`,
          "  - Service RPO is the worst component's: 1h (Velero schedule hourly (eu-west-1)).",
          "  - Components recover in parallel, so the service RTO is the slowest recovery: 4h 13m 20s (Velero schedule hourly (eu-west-1)).",
          "  - RTO 4h 13m 20s exceeds the important target of 4h.",
          "Sources:",
          "  [velero-schedule] A Velero Schedule takes a backup at each cron time; data written since the last backup is lost on restore. (Velero Schedule API (schedule_types.go) [V1])",
          "  [velero-backup-ttl] Velero deletes a backup, with its volume data, once its TTL (`spec.template.ttl`, a Go duration) has passed; a backup without a TTL (or with 0) gets the server's default, 720h (30 days). (Velero docs, How Velero works: set a backup to expire; Velero backup controller (a TTL of 0 takes `--default-backup-ttl`))",
        ].join("\n"),
      ],
    ]);
  });

  it("passes when the measured restore keeps the RTO within the target", async () => {
    const { violations } = await check(pack(), cluster, policy, {
      config: { [policy]: { measuredRestores: [measurement(900)] } },
    });
    expect(violations).toEqual([]);
  });

  it("fails when a measurement names a service the stack does not have, with did-you-mean", async () => {
    const { violations } = await check(pack(), cluster, policy, {
      config: { [policy]: { measuredRestores: [{ ...measurement(900), service: "clustr" }] } },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        'the resiliency policy is invalid:\n  - `measuredRestores[0].service` "clustr" is not a service of the stack (did you mean `cluster`?): correct it, or remove the measurement',
      ],
    ]);
  });

  it("refuses a measurement of an unknown kind as invalid config", () => {
    expect(() =>
      reconcilePolicyConfig(pack(), {
        [policy]: { measuredRestores: [{ ...measurement(900), kind: "mysql" }] },
      }),
    ).toThrow(
      new PolicyConfigError([
        'drkit-rpo-rto: `measuredRestores[0].kind` must be one of "postgres", "redis", "velero" (got "mysql"): choose one of them',
      ]),
    );
  });

  it("fails when the window is out of bounds, naming the tier", async () => {
    const { violations } = await check(pack(), cluster, policy, {
      config: { [policy]: { measuredRestoreMaxAgeDays: { important: 400 } } },
    });
    expect(violations).toEqual([
      [
        "mandatory",
        "the resiliency policy is invalid:\n  - `measuredRestoreMaxAgeDays.important` must be a whole number of days from 1 to 366 (got 400)",
      ],
    ]);
  });
});
