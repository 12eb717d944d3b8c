import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
// The release module alone: the helm/v3 index also loads Chart and its YAML machinery (about 40 ms).
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import type { RegionPairSides } from "../common/regions";
import { ServiceIdentity, serviceLabels, serviceTags, validateServiceIdentity } from "../common/service";
import { ArgsProblems, InvalidArgsError, shown } from "../common/validation";
import { checkCron, checkNamespaces, isDnsLabel, isGoDuration } from "./validation";
import { s3ReplicationRole } from "../aws/replicationRole";

/** The vmware-tanzu chart and AWS plugin drkit was written against. */
export const VELERO_CHART = {
  repo: "https://vmware-tanzu.github.io/helm-charts",
  chart: "velero",
  version: "12.1.0",
};
export const VELERO_AWS_PLUGIN_IMAGE = "velero/velero-plugin-for-aws:v1.13.1";

/**
 * How volume data is backed up. `fs` (file-system backup with kopia) and `snapshot-move-data` (CSI snapshot
 * data movement) put the data in the backup bucket, so it can be restored in the other region; `snapshots`
 * keeps region-bound EBS snapshots, which cannot.
 */
export type VolumeBackupMode = "fs" | "snapshot-move-data" | "snapshots";

export interface VeleroScheduleSpec {
  /** DNS label; the Schedule is named `<component>-<name>`. */
  readonly name: string;
  /** 5-field cron, e.g. `0 * * * *`. */
  readonly cron: string;
  /** @default - every namespace */
  readonly includedNamespaces?: string[];
  /** @default [] */
  readonly excludedNamespaces?: string[];
  /** How long backups are kept, as a Go duration. @default "720h" (30 days) */
  readonly ttl?: string;
  /** @default "fs" */
  readonly volumeBackup?: VolumeBackupMode;
  /** @default false */
  readonly paused?: boolean;
  /**
   * Owner references from backups to the schedule: deleting the schedule would then delete its backups.
   * @default false
   */
  readonly useOwnerReferencesInBackup?: boolean;
}

/** A bucket Velero already uses. */
export interface ExistingVeleroBucket {
  readonly name: pulumi.Input<string>;
  /** Its region (must be given: the location needs it). */
  readonly region: string;
  /** Set true if the bucket has Object Lock: drkit then refuses it (Velero cannot write there). */
  readonly objectLockEnabled?: boolean;
}

export interface VeleroScheduleArgs extends ServiceIdentity {
  /** Both sides need a `kubernetesProvider` (a `DrRegionPair` given kubeconfigs). */
  readonly regions: RegionPairSides;
  /** @default "velero" */
  readonly namespace?: string;
  /** Install Velero with its Helm chart in both clusters. @default true */
  readonly install?: boolean;
  /**
   * IAM role Velero's service account assumes (IRSA), needing read/write on the backup bucket.
   * @default - no annotation: give Velero credentials another way
   */
  readonly serviceAccountRoleArn?: pulumi.Input<string>;
  /**
   * Use an existing bucket instead of creating one.
   * @default - a versioned, encrypted bucket in the primary region, replicated (RTC) to the secondary
   */
  readonly existingBucket?: ExistingVeleroBucket;
  readonly schedules: readonly VeleroScheduleSpec[];
  /**
   * A read-only BackupStorageLocation in the secondary cluster on the replica bucket, ready to restore.
   * @default true
   */
  readonly restoreLocationInSecondary?: boolean;
  /** Keep the buckets in AWS when removed from the stack. @default true */
  readonly retainOnDelete?: boolean;
}

export function validateVeleroScheduleArgs(args: VeleroScheduleArgs): string[] {
  const problems = new ArgsProblems();
  validateServiceIdentity(args, problems);
  problems.check(
    args.namespace === undefined || isDnsLabel(args.namespace),
    `\`namespace\` must be a DNS label (got ${shown(args.namespace)})`,
  );
  problems.check(
    args.regions.primary.kubernetesProvider !== undefined,
    "`regions.primary` has no Kubernetes provider: give DrRegionPair a `primaryKubeconfig`",
  );
  problems.check(
    args.restoreLocationInSecondary === false || args.regions.secondary.kubernetesProvider !== undefined,
    "`regions.secondary` has no Kubernetes provider: give DrRegionPair a `secondaryKubeconfig`, or set `restoreLocationInSecondary: false`",
  );
  problems.check(
    args.regions.primary.region !== args.regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(args.regions.primary.region)})`,
  );
  problems.check(
    args.existingBucket?.objectLockEnabled !== true,
    "`existingBucket` has Object Lock: Velero rewrites backup metadata as it finalizes backups and cannot write to a locked bucket (Velero ≥ 1.11); give Velero its own versioned bucket without Object Lock",
  );
  problems.check(args.schedules.length > 0, "`schedules` must list at least one schedule ({ name, cron })");
  const names = new Set<string>();
  for (const [i, s] of args.schedules.entries()) {
    const at = `schedules[${i}]`;
    problems.check(isDnsLabel(s.name), `\`${at}.name\` must be a DNS label (got ${shown(s.name)})`);
    problems.check(!names.has(s.name), `\`${at}.name\` "${s.name}" is used twice`);
    names.add(s.name);
    checkCron(`${at}.cron`, s.cron, problems);
    problems.check(
      s.ttl === undefined || isGoDuration(s.ttl),
      `\`${at}.ttl\` must be a Go duration such as "720h" or "168h30m" (got ${shown(s.ttl)})`,
    );
    checkNamespaces(`${at}.includedNamespaces`, s.includedNamespaces, problems);
    checkNamespaces(`${at}.excludedNamespaces`, s.excludedNamespaces, problems);
    problems.check(
      s.volumeBackup === undefined || ["fs", "snapshot-move-data", "snapshots"].includes(s.volumeBackup),
      `\`${at}.volumeBackup\` must be "fs", "snapshot-move-data" or "snapshots" (got ${shown(s.volumeBackup)})`,
    );
  }
  return [...problems.list];
}

/** The actions S3 replication of an unlocked, SSE-S3 bucket needs. */
const REPLICATION_ACTIONS = {
  sourceBucket: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
  sourceObjects: [
    "s3:GetObjectVersionForReplication",
    "s3:GetObjectVersionAcl",
    "s3:GetObjectVersionTagging",
  ],
  destinationObjects: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
};

/**
 * Velero backups that survive a region loss: Velero in both clusters, a backup bucket replicated to the
 * secondary region (never Object Lock), a BackupStorageLocation and Schedules in the primary cluster with
 * volume data in the backups, and a read-only location in the secondary cluster to restore from.
 */
export class VeleroSchedule extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:VeleroSchedule";
  readonly bucketName: pulumi.Output<string>;
  readonly replicaBucketName?: pulumi.Output<string>;
  readonly storageLocationName: string;

  constructor(name: string, args: VeleroScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
    super(VeleroSchedule.__pulumiType, name, {}, opts);
    const problems = validateVeleroScheduleArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("VeleroSchedule", name, problems);

    const namespace = args.namespace ?? "velero";
    const install = args.install ?? true;
    const restoreInSecondary = args.restoreLocationInSecondary ?? true;
    const retainOnDelete = args.retainOnDelete ?? true;
    const { primary, secondary } = args.regions;
    const primaryCluster = primary.kubernetesProvider as KubernetesProvider;
    const tags = serviceTags(args);
    const needsNodeAgent = args.schedules.some((s) => (s.volumeBackup ?? "fs") === "fs");

    // Buckets: Velero's own, never locked; replicated so the backups outlive the primary region.
    let bucketName: pulumi.Output<string>;
    let bucketRegion: string;
    let bucket: s3.Bucket | undefined;
    let replica: s3.Bucket | undefined;
    if (args.existingBucket) {
      bucketName = pulumi.output(args.existingBucket.name);
      bucketRegion = args.existingBucket.region;
    } else {
      const secured = (suffix: string, provider: typeof primary.awsProvider) => {
        const b = new s3.Bucket(`${name}${suffix}`, { tags }, { parent: this, provider, retainOnDelete });
        const versioning = new s3.BucketVersioning(
          `${name}${suffix}-versioning`,
          { bucket: b.id, versioningConfiguration: { status: "Enabled" } },
          { parent: this, provider },
        );
        new s3.BucketServerSideEncryptionConfiguration(
          `${name}${suffix}-encryption`,
          { bucket: b.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
          { parent: this, provider },
        );
        new s3.BucketPublicAccessBlock(
          `${name}${suffix}-public-access`,
          {
            bucket: b.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
          },
          { parent: this, provider },
        );
        return { bucket: b, versioning };
      };
      const source = secured("-backups", primary.awsProvider);
      const destination = secured("-backups-replica", secondary.awsProvider);
      bucket = source.bucket;
      replica = destination.bucket;
      bucketName = bucket.bucket;
      bucketRegion = primary.region;
      const role = s3ReplicationRole(
        `${name}-replication`,
        [
          { actions: REPLICATION_ACTIONS.sourceBucket, resources: [bucket.arn] },
          { actions: REPLICATION_ACTIONS.sourceObjects, resources: [pulumi.interpolate`${bucket.arn}/*`] },
          {
            actions: REPLICATION_ACTIONS.destinationObjects,
            resources: [pulumi.interpolate`${replica.arn}/*`],
          },
        ],
        { parent: this, provider: primary.awsProvider, tags },
      );
      new s3.BucketReplicationConfig(
        `${name}-backups-replication`,
        {
          bucket: bucket.id,
          role: role.arn,
          rules: [
            {
              id: "to-secondary",
              status: "Enabled",
              filter: {},
              // Velero deletes expired backups; mirroring the deletes keeps the replica's view consistent.
              deleteMarkerReplication: { status: "Enabled" },
              destination: {
                bucket: replica.arn,
                replicationTime: { status: "Enabled", time: { minutes: 15 } },
                metrics: { status: "Enabled", eventThreshold: { minutes: 15 } },
              },
            },
          ],
        },
        {
          parent: this,
          provider: primary.awsProvider,
          dependsOn: [source.versioning, destination.versioning],
        },
      );
    }
    this.bucketName = bucketName;
    this.replicaBucketName = replica?.bucket;

    const installVelero = (role: "primary" | "secondary", provider: KubernetesProvider, region: string) =>
      new Release(
        `${name}-velero-${role}`,
        {
          chart: VELERO_CHART.chart,
          version: VELERO_CHART.version,
          repositoryOpts: { repo: VELERO_CHART.repo },
          namespace,
          createNamespace: true,
          values: {
            initContainers: [
              {
                name: "velero-plugin-for-aws",
                image: VELERO_AWS_PLUGIN_IMAGE,
                volumeMounts: [{ mountPath: "/target", name: "plugins" }],
              },
            ],
            // Locations and schedules are drkit's custom resources, so the chart creates none.
            configuration: { backupStorageLocation: [], volumeSnapshotLocation: [], uploaderType: "kopia" },
            snapshotsEnabled: false,
            deployNodeAgent: needsNodeAgent,
            credentials: { useSecret: false },
            serviceAccount: {
              server: {
                annotations: args.serviceAccountRoleArn
                  ? { "eks.amazonaws.com/role-arn": args.serviceAccountRoleArn }
                  : {},
              },
            },
            labels: serviceLabels(args, region),
          },
        },
        { parent: this, provider },
      );
    const primaryVelero = install ? installVelero("primary", primaryCluster, primary.region) : undefined;

    const location = `${name}-primary`;
    this.storageLocationName = location;
    const primaryLocation = new CustomResource(
      `${name}-location`,
      {
        apiVersion: "velero.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: location, namespace, labels: serviceLabels(args, primary.region) },
        spec: {
          provider: "aws",
          default: true,
          accessMode: "ReadWrite",
          objectStorage: { bucket: bucket ? bucket.bucket : bucketName },
          config: { region: bucketRegion },
        },
      },
      { parent: this, provider: primaryCluster, dependsOn: primaryVelero ? [primaryVelero] : [] },
    );

    for (const schedule of args.schedules) {
      const volumeBackup = schedule.volumeBackup ?? "fs";
      new CustomResource(
        `${name}-${schedule.name}`,
        {
          apiVersion: "velero.io/v1",
          kind: "Schedule",
          metadata: {
            name: `${name}-${schedule.name}`,
            namespace,
            labels: serviceLabels(args, primary.region),
          },
          spec: {
            schedule: schedule.cron,
            paused: schedule.paused ?? false,
            useOwnerReferencesInBackup: schedule.useOwnerReferencesInBackup ?? false,
            template: {
              ...(schedule.includedNamespaces ? { includedNamespaces: schedule.includedNamespaces } : {}),
              excludedNamespaces: schedule.excludedNamespaces ?? [],
              ttl: schedule.ttl ?? "720h",
              storageLocation: location,
              defaultVolumesToFsBackup: volumeBackup === "fs",
              snapshotMoveData: volumeBackup === "snapshot-move-data",
              snapshotVolumes: volumeBackup !== "fs",
            },
          },
        },
        { parent: this, provider: primaryCluster, dependsOn: [primaryLocation] },
      );
    }

    if (restoreInSecondary) {
      const secondaryCluster = secondary.kubernetesProvider as KubernetesProvider;
      const secondaryVelero = install
        ? installVelero("secondary", secondaryCluster, secondary.region)
        : undefined;
      new CustomResource(
        `${name}-restore-location`,
        {
          apiVersion: "velero.io/v1",
          kind: "BackupStorageLocation",
          metadata: { name: `${name}-restore`, namespace, labels: serviceLabels(args, secondary.region) },
          spec: {
            provider: "aws",
            // Read-only: restoring must never write to, or prune, the replicated backups.
            accessMode: "ReadOnly",
            objectStorage: { bucket: replica ? replica.bucket : bucketName },
            config: { region: replica ? secondary.region : bucketRegion },
          },
        },
        { parent: this, provider: secondaryCluster, dependsOn: secondaryVelero ? [secondaryVelero] : [] },
      );
    }

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      bucketName,
      replicaBucketName: replica?.bucket ?? null,
      storageLocation: location,
      schedules: args.schedules.map((s) => `${name}-${s.name}`),
      primaryRegion: primary.region,
      secondaryRegion: secondary.region,
    });
  }
}
