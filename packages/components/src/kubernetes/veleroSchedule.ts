import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { CronJob } from "@pulumi/kubernetes/batch/v1";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1";
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from "@pulumi/kubernetes/rbac/v1";
// The release module alone: the helm/v3 index also loads Chart and its YAML machinery (about 40 ms).
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { type RegionPair, checkRegionPair, kubeconfigFix } from "../common/regions";
import { regionSidesOf } from "../drRegionPair";
import { ServiceIdentity, serviceLabels, serviceTags, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkBoolean,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  isComputed,
  isPlainObject,
  ownEntry,
  shown,
  validatedInput,
} from "../common/validation";
import { isAwsRegion } from "../aws/regions";
import {
  checkCron,
  checkDerivedNames,
  checkGoDuration,
  checkNamespace,
  checkNamespaces,
  checkObject,
  hasDnsLabelCharacters,
  iamRoleArnProblem,
  isDnsLabel,
  pinnedImageProblem,
  s3BucketNameProblem,
} from "./validation";
import { checkDrill, checkPushgatewayUrl, drillSchedule } from "./drills";
import { VELERO_DRILL_SCRIPT } from "./scripts/veleroDrill";
import { VELERO_CHECK_SCRIPT } from "./scripts/veleroCheck";

export { VELERO_DRILL_SCRIPT } from "./scripts/veleroDrill";
export { VELERO_CHECK_SCRIPT } from "./scripts/veleroCheck";
import { s3ReplicationRole } from "../aws/replicationRole";
import { backupBucket } from "./backupBucket";
import { IRSA_ROLE_ANNOTATION } from "./irsa";

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
export const VolumeBackupMode = {
  /** File-system backup with kopia, into the backup bucket: restorable in the other region. */
  FileSystem: "fs",
  /** CSI snapshots whose data Velero moves into the backup bucket: restorable in the other region. */
  SnapshotMoveData: "snapshot-move-data",
  /** EBS snapshots, which stay in their region: no use after a region loss. */
  Snapshots: "snapshots",
} as const;
export type VolumeBackupMode = (typeof VolumeBackupMode)[keyof typeof VolumeBackupMode];

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

/**
 * A scheduled restore drill, in the secondary cluster: a Velero `Restore` of the newest `Completed` backup of
 * one schedule, one namespace of it mapped into a scratch namespace (`drkit-drill-<name>`), no
 * cluster-scoped resources; waited for, checked (phase, errors, every item restored), measured, and
 * cleaned up. The newest backup of the schedule must itself be `Completed` with no errors, or the drill
 * fails (a `PartiallyFailed` backup is not a backup you can restore whole). The record (`DrillResult`) goes
 * to `recordsBucket` under `drills/<service>/velero/`, never to Velero's bucket (Velero marks a location
 * holding unknown top-level folders unavailable).
 */
export interface VeleroDrill {
  /** 5-field cron. @default - by tier: critical daily, important weekly, standard monthly (03:30 UTC) */
  readonly schedule?: string;
  /** Which of `schedules` (its `name`) to restore from. @default - the first */
  readonly backupSchedule?: string;
  /** The namespace in the backups to restore (into the scratch namespace); one the schedule backs up. */
  readonly namespace: string;
  /** Bucket the drill records go to, e.g. the Object Lock records bucket; not Velero's. */
  readonly recordsBucket: pulumi.Input<string>;
  /** Region of `recordsBucket`. */
  readonly recordsBucketRegion: string;
  /** Pushgateway base URL the drill pushes its metrics to (job `drkit-drill`). @default - nothing pushed */
  readonly pushgatewayUrl?: string;
  /**
   * IAM role the drill's service account assumes (IRSA), allowed `s3:PutObject` on the records.
   * @default - no annotation: give the pod credentials another way
   */
  readonly serviceAccountRoleArn?: pulumi.Input<string>;
  /** Longest wait for the Restore to finish, 60–86400 seconds. @default 3600 */
  readonly timeoutSeconds?: number;
  /** Image with kubectl, jq, curl and the AWS CLI, pinned. @default "alpine/k8s:1.33.4" */
  readonly image?: string;
}

/** The drill's defaults. */
export const VELERO_DRILL_DEFAULTS = { timeoutSeconds: 3600, image: "alpine/k8s:1.33.4" } as const;
const DRILL_FIELDS: readonly (keyof VeleroDrill)[] = [
  "schedule",
  "backupSchedule",
  "namespace",
  "recordsBucket",
  "recordsBucketRegion",
  "pushgatewayUrl",
  "serviceAccountRoleArn",
  "timeoutSeconds",
  "image",
];

/** The scratch namespace a VeleroSchedule's drill restores into. */
export function veleroDrillNamespace(name: string): string {
  return `drkit-drill-${name}`;
}

/**
 * The `Restore` the drill creates (its script sets `metadata.name` and `spec.backupName` at run time): the one
 * namespace, mapped to the scratch namespace, no cluster-scoped resources, and nothing existing overwritten.
 */
export function veleroDrillRestore(
  name: string,
  veleroNamespace: string,
  drillNamespace: string,
  labels: Record<string, string>,
) {
  return {
    apiVersion: "velero.io/v1",
    kind: "Restore",
    metadata: { name: `${name}-drill`, namespace: veleroNamespace, labels },
    spec: {
      backupName: "",
      includedNamespaces: [drillNamespace],
      namespaceMapping: { [drillNamespace]: veleroDrillNamespace(name) },
      // Cluster-scoped objects of the backup (CRDs, ClusterRoles, PVs of other namespaces) would change the
      // secondary cluster itself: a drill restores namespaced objects only.
      includeClusterResources: false,
      restorePVs: true,
      existingResourcePolicy: "none",
    },
  };
}

/**
 * A check of every backup, soon after it finishes: one CronJob per schedule in the primary cluster's Velero
 * namespace, every `intervalMinutes`, judging each backup of its schedule that finished in the last two
 * intervals (a late or missed run leaves no backup unchecked): `Completed` with `status.errors` 0 passes;
 * `PartiallyFailed`, `Failed`, `FailedValidation` fail the Job, as does a backup still in flight
 * `inProgressLimitMinutes` after its creation. A passing run that checked a backup pushes
 * `drkit_backup_last_verified_timestamp_seconds` (job `drkit-backup`) when `pushgatewayUrl` is given.
 */
export interface VeleroBackupCheck {
  /** How often the check runs: 5, 10, 15, 20, 30 or 60 minutes (it divides the hour). @default 15 */
  readonly intervalMinutes?: number;
  /** How long a backup may stay in flight before the check fails it, 10–1440 minutes. @default 240 */
  readonly inProgressLimitMinutes?: number;
  /** Pushgateway base URL the verified gauge is pushed to (job `drkit-backup`). @default - nothing pushed */
  readonly pushgatewayUrl?: string;
  /** Image with kubectl, jq and curl, pinned. @default "alpine/k8s:1.33.4" (the drill's) */
  readonly image?: string;
}

/** The backup check's defaults. */
export const VELERO_BACKUP_CHECK_DEFAULTS = { intervalMinutes: 15, inProgressLimitMinutes: 240 } as const;
const BACKUP_CHECK_FIELDS: readonly (keyof VeleroBackupCheck)[] = [
  "intervalMinutes",
  "inProgressLimitMinutes",
  "pushgatewayUrl",
  "image",
];
/** Intervals that divide the hour, so `*\/N` runs evenly (cron restarts `*\/N` at each hour). */
const BACKUP_CHECK_INTERVALS = [5, 10, 15, 20, 30, 60] as const;
/** Kubernetes CronJob names are at most 52 characters (it appends 11 to name its Jobs). */
const CRONJOB_NAME_MAX = 52;

/** The cron a backup check runs on. */
export function veleroBackupCheckCron(intervalMinutes: number): string {
  return intervalMinutes === 60 ? "0 * * * *" : `*/${intervalMinutes} * * * *`;
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
  /**
   * Where Velero runs and the backups go: a `DrRegionPair` given kubeconfigs in TypeScript, or the regions
   * with their kubeconfigs `{ primaryRegion, secondaryRegion, primaryKubeconfig, secondaryKubeconfig }`,
   * from which the component creates its own pair.
   */
  readonly regions: RegionPair;
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
  /** The backup schedules, at least one. */
  readonly schedules: VeleroScheduleSpec[];
  /**
   * A read-only BackupStorageLocation in the secondary cluster on the replica bucket, ready to restore.
   * @default true
   */
  readonly restoreLocationInSecondary?: boolean;
  /** Keep the buckets in AWS when removed from the stack. @default true */
  readonly retainOnDelete?: boolean;
  /**
   * Restore drills in the secondary cluster (see `VeleroDrill`). Off unless given: it needs a records bucket
   * and restores real data (volumes included) into the secondary cluster.
   * @default - no drill
   */
  readonly drill?: VeleroDrill;
  /**
   * A check of each backup soon after it finishes, in the primary cluster (see `VeleroBackupCheck`).
   * @default - backups are judged only by the drill, the newest at each drill run
   */
  readonly backupCheck?: VeleroBackupCheck;
}

const ARGS_FIELDS: readonly (keyof VeleroScheduleArgs)[] = [
  "service",
  "tier",
  "regions",
  "namespace",
  "install",
  "serviceAccountRoleArn",
  "existingBucket",
  "schedules",
  "restoreLocationInSecondary",
  "retainOnDelete",
  "drill",
  "backupCheck",
];
const SCHEDULE_FIELDS: readonly (keyof VeleroScheduleSpec)[] = [
  "name",
  "cron",
  "includedNamespaces",
  "excludedNamespaces",
  "ttl",
  "volumeBackup",
  "paused",
  "useOwnerReferencesInBackup",
];
const EXISTING_BUCKET_FIELDS: readonly (keyof ExistingVeleroBucket)[] = [
  "name",
  "region",
  "objectLockEnabled",
];
const VOLUME_BACKUP_MODES: Readonly<Record<VolumeBackupMode, true>> = {
  fs: true,
  "snapshot-move-data": true,
  snapshots: true,
};
/** A schedule's backup TTL: the default, and the range drkit accepts. */
export const VELERO_TTL = { default: "720h", min: "1h", max: "87600h" } as const;
/** Velero copies a Schedule's name into the label `velero.io/schedule-name` of every backup it makes. */
const SCHEDULE_NAME_MAX = 63;

/**
 * Every problem with the arguments, each naming the field, the value and the fix. Takes anything: YAML
 * config and JavaScript callers are not type-checked. With `name`, the names derived from it are checked too.
 */
export function validateVeleroScheduleArgs(args: unknown, name?: string): string[] {
  const problems = new ArgsProblems();
  if (!checkArgsObject(args, "pass { service, tier, regions, schedules }", problems))
    return [...problems.list];
  checkKnownFields("", args, ARGS_FIELDS, problems);
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);
  // These decide which children exist, and what they are named: they must be known when the program runs.
  if (checkPlain("namespace", args.namespace, problems))
    checkNamespace("namespace", args.namespace, problems);
  for (const flag of ["install", "restoreLocationInSecondary", "retainOnDelete"] as const)
    if (checkPlain(flag, args[flag], problems)) checkBoolean(flag, args[flag], problems);
  const install = args.install !== false;
  const restoreInSecondary = args.restoreLocationInSecondary !== false;

  const regions = checkRegionPair(args.regions, problems);
  if (regions) {
    problems.check(
      regions.primary.kubernetes,
      `\`regions.primary\` has no Kubernetes provider: ${kubeconfigFix(regions, "primary")}`,
    );
    problems.check(
      !restoreInSecondary || regions.secondary.kubernetes,
      `\`regions.secondary\` has no Kubernetes provider: ${kubeconfigFix(regions, "secondary")}, or set \`restoreLocationInSecondary: false\``,
    );
    problems.check(
      regions.primary.region !== regions.secondary.region,
      `\`regions\` must name two different regions (both ${shown(regions.primary.region)})`,
    );
  }

  const role = args.serviceAccountRoleArn;
  if (role !== undefined && !isComputed(role)) {
    const problem = iamRoleArnProblem("serviceAccountRoleArn", role);
    if (problem) problems.add(problem);
  }

  const bucket = args.existingBucket;
  if (
    checkPlain("existingBucket", bucket, problems) &&
    checkObject("existingBucket", bucket, '{ name: "team-velero", region: "eu-west-1" }', problems) &&
    bucket !== undefined
  ) {
    checkKnownFields("existingBucket", bucket, EXISTING_BUCKET_FIELDS, problems);
    const nameProblem = isComputed(bucket.name)
      ? undefined
      : s3BucketNameProblem("existingBucket.name", bucket.name);
    if (nameProblem) problems.add(nameProblem);
    problems.check(
      isAwsRegion(bucket.region),
      `\`existingBucket.region\` must be an AWS region code such as "eu-west-1" (got ${shown(bucket.region)})`,
    );
    if (checkBoolean("existingBucket.objectLockEnabled", bucket.objectLockEnabled, problems))
      problems.check(
        bucket.objectLockEnabled !== true,
        "`existingBucket` has Object Lock: Velero rewrites backup metadata as it finalizes backups and cannot write to a locked bucket (Velero ≥ 1.11); give Velero its own versioned bucket without Object Lock",
      );
  }

  if (checkPlain("schedules", args.schedules, problems)) {
    if (!Array.isArray(args.schedules))
      problems.add(
        `\`schedules\` must be a list such as [{ name: "hourly", cron: "0 * * * *" }] (got ${shown(args.schedules)})`,
      );
    else if (args.schedules.length === 0)
      problems.add("`schedules` must list at least one schedule ({ name, cron })");
    else validateSchedules(args.schedules, name, problems);
  }

  validateDrill(args, restoreInSecondary, problems);
  validateBackupCheck(args, name, problems);

  if (name !== undefined) {
    if (!hasDnsLabelCharacters(name))
      problems.add(
        `\`name\` ${shown(name)} must be a DNS label: lowercase letters, digits and '-' (it names the Velero objects, buckets and Helm releases)`,
      );
    const ownBuckets = bucket === undefined;
    checkDerivedNames(
      name,
      [
        { pattern: "<name>-primary", what: "the BackupStorageLocation", max: 253 },
        ...(restoreInSecondary
          ? [{ pattern: "<name>-restore", what: "the read-only BackupStorageLocation", max: 253 }]
          : []),
        ...(install
          ? [
              {
                pattern: "<name>-velero-primary-",
                random: 8,
                what: "the Helm release in the primary cluster",
                max: 53,
              },
            ]
          : []),
        ...(install && restoreInSecondary
          ? [
              {
                pattern: "<name>-velero-secondary-",
                random: 8,
                what: "the Helm release in the secondary cluster",
                max: 53,
              },
            ]
          : []),
        ...(args.drill !== undefined
          ? [
              { pattern: "<name>-drill", what: "the restore drill's CronJob", max: 52 },
              { pattern: "drkit-drill-<name>", what: "the restore drill's scratch namespace", max: 63 },
            ]
          : []),
        ...(ownBuckets
          ? [
              { pattern: "<name>-backups-", random: 7, what: "the S3 bucket", max: 63 },
              { pattern: "<name>-backups-replica-", random: 7, what: "the replica S3 bucket", max: 63 },
              { pattern: "<name>-replication-", random: 7, what: "the replication IAM role", max: 64 },
            ]
          : []),
      ],
      problems,
    );
  }
  return [...problems.list];
}

function validateDrill(
  args: Record<string, unknown>,
  restoreInSecondary: boolean,
  problems: ArgsProblems,
): void {
  const drill = checkDrill("drill", args.drill, args.tier, DRILL_FIELDS, problems);
  if (!drill) return;
  problems.check(
    restoreInSecondary,
    "`drill` runs in the secondary cluster and restores through its read-only location: it needs `restoreLocationInSecondary` (drop `restoreLocationInSecondary: false`, or the drill)",
  );
  const schedules = Array.isArray(args.schedules) ? args.schedules.filter(isPlainObject) : [];
  let schedule: Record<string, unknown> | undefined = schedules[0];
  if (drill.backupSchedule !== undefined) {
    schedule = schedules.find((s) => s.name === drill.backupSchedule);
    problems.check(
      schedule !== undefined,
      `\`drill.backupSchedule\` must name one of \`schedules\` (${schedules.map((s) => shown(s.name)).join(", ")}) (got ${shown(drill.backupSchedule)})`,
    );
  }
  if (!isDnsLabel(drill.namespace))
    problems.add(
      `\`drill.namespace\` must be the namespace to restore, a DNS label such as "shop" (got ${shown(drill.namespace)})`,
    );
  else if (schedule) {
    const included = Array.isArray(schedule.includedNamespaces) ? schedule.includedNamespaces : undefined;
    const excluded = Array.isArray(schedule.excludedNamespaces) ? schedule.excludedNamespaces : [];
    problems.check(
      (included === undefined || included.includes(drill.namespace)) && !excluded.includes(drill.namespace),
      `\`drill.namespace\` "${drill.namespace}" is not backed up by schedule ${shown(schedule.name)}: pick a namespace it includes`,
    );
  }
  if (drill.recordsBucket === undefined)
    problems.add(
      "`drill.recordsBucket` is required: the bucket the drill records go to (not Velero's own, which Velero would mark unavailable)",
    );
  else if (!isComputed(drill.recordsBucket)) {
    const problem = s3BucketNameProblem("drill.recordsBucket", drill.recordsBucket);
    if (problem) problems.add(problem);
  }
  problems.check(
    isAwsRegion(drill.recordsBucketRegion),
    `\`drill.recordsBucketRegion\` must be the records bucket's AWS region code such as "eu-central-1" (got ${shown(drill.recordsBucketRegion)})`,
  );
  if (drill.serviceAccountRoleArn !== undefined && !isComputed(drill.serviceAccountRoleArn)) {
    const problem = iamRoleArnProblem("drill.serviceAccountRoleArn", drill.serviceAccountRoleArn);
    if (problem) problems.add(problem);
  }
  checkWholeNumber(
    "drill.timeoutSeconds",
    drill.timeoutSeconds,
    { min: 60, max: 86_400, unit: "seconds", omitted: String(VELERO_DRILL_DEFAULTS.timeoutSeconds) },
    problems,
  );
  if (drill.image !== undefined) {
    const problem = pinnedImageProblem("drill.image", drill.image, VELERO_DRILL_DEFAULTS.image);
    if (problem) problems.add(problem);
  }
}

function validateBackupCheck(
  args: Record<string, unknown>,
  name: string | undefined,
  problems: ArgsProblems,
): void {
  const check = args.backupCheck;
  if (
    !checkPlain("backupCheck", check, problems) ||
    !checkObject(
      "backupCheck",
      check,
      '{ intervalMinutes: 15, pushgatewayUrl: "http://…:9091" }',
      problems,
    ) ||
    check === undefined
  )
    return;
  checkKnownFields("backupCheck", check, BACKUP_CHECK_FIELDS, problems);
  problems.check(
    check.intervalMinutes === undefined ||
      (BACKUP_CHECK_INTERVALS as readonly unknown[]).includes(check.intervalMinutes),
    `\`backupCheck.intervalMinutes\` must be one of ${BACKUP_CHECK_INTERVALS.join(", ")} (it must divide the hour for the check to run evenly) (got ${shown(check.intervalMinutes)}); omit it to use ${VELERO_BACKUP_CHECK_DEFAULTS.intervalMinutes}`,
  );
  checkWholeNumber(
    "backupCheck.inProgressLimitMinutes",
    check.inProgressLimitMinutes,
    {
      min: 10,
      max: 1440,
      unit: "minutes",
      omitted: String(VELERO_BACKUP_CHECK_DEFAULTS.inProgressLimitMinutes),
    },
    problems,
  );
  if (check.pushgatewayUrl !== undefined)
    checkPushgatewayUrl("backupCheck.pushgatewayUrl", check.pushgatewayUrl, problems);
  if (check.image !== undefined) {
    const problem = pinnedImageProblem("backupCheck.image", check.image, VELERO_DRILL_DEFAULTS.image);
    if (problem) problems.add(problem);
  }
  if (name === undefined || !Array.isArray(args.schedules)) return;
  for (const [i, s] of args.schedules.entries()) {
    if (!isPlainObject(s) || typeof s.name !== "string") continue;
    const cronJob = `${name}-${s.name}-check`;
    problems.check(
      cronJob.length <= CRONJOB_NAME_MAX,
      `\`schedules[${i}].name\` "${s.name}" makes the backup check's CronJob "${cronJob}" ${cronJob.length} characters long, over the ${CRONJOB_NAME_MAX} Kubernetes allows: shorten the schedule's or the component's name`,
    );
  }
}

function validateSchedules(schedules: readonly unknown[], name: string | undefined, problems: ArgsProblems) {
  const names = new Set<string>();
  for (const [i, s] of schedules.entries()) {
    const at = `schedules[${i}]`;
    if (!isPlainObject(s)) {
      problems.add(
        `\`${at}\` must be an object such as { name: "hourly", cron: "0 * * * *" } (got ${shown(s)})`,
      );
      continue;
    }
    checkKnownFields(at, s, SCHEDULE_FIELDS, problems);
    if (!isDnsLabel(s.name)) {
      problems.add(
        `\`${at}.name\` must be a DNS label: lowercase letters, digits and '-', e.g. "hourly" (got ${shown(s.name)})`,
      );
    } else {
      problems.check(!names.has(s.name), `\`${at}.name\` "${s.name}" is used twice`);
      names.add(s.name);
      const full = name === undefined ? "" : `${name}-${s.name}`;
      if (full.length > SCHEDULE_NAME_MAX) {
        const room = SCHEDULE_NAME_MAX - (name ?? "").length - 1;
        problems.add(
          `\`${at}.name\` "${s.name}" makes the Schedule's name "${full}" ${full.length} characters long, over the ${SCHEDULE_NAME_MAX} Velero allows (it copies the name into the label velero.io/schedule-name of every backup): ${room > 0 ? `use a schedule name of at most ${room} characters` : "shorten the component's name"}`,
        );
      }
    }
    checkCron(`${at}.cron`, s.cron, problems);
    checkGoDuration(
      `${at}.ttl`,
      s.ttl,
      {
        min: VELERO_TTL.min,
        max: VELERO_TTL.max,
        maxInWords: "10 years",
        tooShort: "a backup deleted this soon is gone before anyone notices the loss",
        omitted: `keep backups ${VELERO_TTL.default} (30 days)`,
      },
      problems,
    );
    const included = checkNamespaces(`${at}.includedNamespaces`, s.includedNamespaces, problems);
    checkNamespaces(`${at}.excludedNamespaces`, s.excludedNamespaces, problems);
    for (const [j, namespace] of (Array.isArray(s.excludedNamespaces) ? s.excludedNamespaces : []).entries())
      problems.check(
        !included.includes(namespace as string),
        `\`${at}.excludedNamespaces[${j}]\` "${String(namespace)}" is also in \`includedNamespaces\`: Velero fails a backup whose lists overlap; drop it from one of them`,
      );
    problems.check(
      s.volumeBackup === undefined || ownEntry(VOLUME_BACKUP_MODES, s.volumeBackup) !== undefined,
      `\`${at}.volumeBackup\` must be "fs", "snapshot-move-data" or "snapshots" (got ${shown(s.volumeBackup)})`,
    );
    checkBoolean(`${at}.paused`, s.paused, problems);
    checkBoolean(`${at}.useOwnerReferencesInBackup`, s.useOwnerReferencesInBackup, problems);
  }
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
    const problems = validateVeleroScheduleArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("VeleroSchedule", name, problems);

    const namespace = args.namespace ?? "velero";
    const install = args.install ?? true;
    const restoreInSecondary = args.restoreLocationInSecondary ?? true;
    const retainOnDelete = args.retainOnDelete ?? true;
    const { primary, secondary } = regionSidesOf(name, args.regions, this);
    const primaryCluster = primary.kubernetesProvider as KubernetesProvider;
    const tags = serviceTags(args);
    // A role ARN computed from another resource is checked when it resolves, with the same message.
    const roleArn =
      args.serviceAccountRoleArn === undefined
        ? undefined
        : validatedInput("VeleroSchedule", name, args.serviceAccountRoleArn, (value) =>
            iamRoleArnProblem("serviceAccountRoleArn", value),
          );
    const needsNodeAgent = args.schedules.some((s) => (s.volumeBackup ?? "fs") === "fs");

    // Buckets: Velero's own, never locked; replicated so the backups outlive the primary region.
    let bucketName: pulumi.Output<string>;
    let bucketRegion: string;
    let bucket: s3.Bucket | undefined;
    let replica: s3.Bucket | undefined;
    if (args.existingBucket) {
      // A name computed from another resource is checked when it resolves, with the same message.
      bucketName = validatedInput("VeleroSchedule", name, args.existingBucket.name, (value) =>
        s3BucketNameProblem("existingBucket.name", value),
      );
      bucketRegion = args.existingBucket.region;
    } else {
      const secured = (suffix: string, provider: typeof primary.awsProvider) =>
        backupBucket(`${name}${suffix}`, { parent: this, provider, tags, retainOnDelete });
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
        // Trusted by S3 only for this account and this source bucket (aws:SourceAccount, aws:SourceArn).
        { parent: this, provider: primary.awsProvider, tags, sourceBucketArn: bucket.arn },
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
                annotations: roleArn ? { [IRSA_ROLE_ANNOTATION]: roleArn } : {},
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
      if (args.drill)
        veleroDrill(this, name, args, args.drill, namespace, {
          region: secondary.region,
          provider: secondaryCluster,
          dependsOn: secondaryVelero ? [secondaryVelero] : [],
        });
    }

    if (args.backupCheck)
      veleroBackupCheck(this, name, args, args.backupCheck, namespace, {
        region: primary.region,
        provider: primaryCluster,
        dependsOn: primaryVelero ? [primaryVelero] : [],
      });

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

/**
 * The drill's CronJob in the secondary cluster and its least privilege: in the Velero namespace it may
 * create, read and delete Restores and read (get, list: it must find the newest) Backups; cluster-wide, it
 * may only read and delete the one scratch namespace. It cannot create namespaces (Velero, restoring,
 * creates the scratch one), read any Secret, or touch other objects, in the scratch namespace or elsewhere.
 */
function veleroDrill(
  parent: pulumi.Resource,
  name: string,
  args: VeleroScheduleArgs,
  drill: VeleroDrill,
  namespace: string,
  cluster: { region: string; provider: KubernetesProvider; dependsOn: pulumi.Resource[] },
): CronJob {
  const labels = serviceLabels(args, cluster.region);
  const opts = { parent, provider: cluster.provider, dependsOn: cluster.dependsOn };
  const account = `${name}-drill`;
  const scratch = veleroDrillNamespace(name);
  const backupSchedule = drill.backupSchedule ?? (args.schedules[0] as VeleroScheduleSpec).name;
  const roleArn =
    drill.serviceAccountRoleArn === undefined
      ? undefined
      : validatedInput("VeleroSchedule", name, drill.serviceAccountRoleArn, (value) =>
          iamRoleArnProblem("drill.serviceAccountRoleArn", value),
        );
  const recordsBucket = validatedInput("VeleroSchedule", name, drill.recordsBucket, (value) =>
    s3BucketNameProblem("drill.recordsBucket", value),
  );
  const serviceAccount = new ServiceAccount(
    `${name}-drill`,
    {
      metadata: {
        name: account,
        namespace,
        labels,
        ...(roleArn ? { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } } : {}),
      },
    },
    opts,
  );
  const subject = [{ kind: "ServiceAccount", name: account, namespace }];
  const role = new Role(
    `${name}-drill`,
    {
      metadata: { name: account, namespace, labels },
      rules: [
        { apiGroups: ["velero.io"], resources: ["restores"], verbs: ["create", "get", "delete"] },
        { apiGroups: ["velero.io"], resources: ["backups"], verbs: ["get", "list"] },
      ],
    },
    opts,
  );
  const binding = new RoleBinding(
    `${name}-drill`,
    {
      metadata: { name: account, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
      subjects: subject,
    },
    { ...opts, dependsOn: [role, serviceAccount] },
  );
  const scratchRole = new ClusterRole(
    `${name}-drill-scratch`,
    {
      metadata: { name: `${account}-scratch`, labels },
      rules: [
        { apiGroups: [""], resources: ["namespaces"], resourceNames: [scratch], verbs: ["get", "delete"] },
      ],
    },
    opts,
  );
  const scratchBinding = new ClusterRoleBinding(
    `${name}-drill-scratch`,
    {
      metadata: { name: `${account}-scratch`, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: `${account}-scratch` },
      subjects: subject,
    },
    { ...opts, dependsOn: [scratchRole, serviceAccount] },
  );
  const timeoutSeconds = drill.timeoutSeconds ?? VELERO_DRILL_DEFAULTS.timeoutSeconds;
  return new CronJob(
    `${name}-drill`,
    {
      metadata: { name: `${name}-drill`, namespace, labels },
      spec: {
        schedule: drillSchedule(drill.schedule, args.tier) as string,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            // One attempt a run: a failed drill's record is its result.
            backoffLimit: 0,
            activeDeadlineSeconds: timeoutSeconds + 900,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                serviceAccountName: account,
                containers: [
                  {
                    name: "drill",
                    image: drill.image ?? VELERO_DRILL_DEFAULTS.image,
                    command: ["sh", "-c", VELERO_DRILL_SCRIPT],
                    env: [
                      { name: "VELERO_NAMESPACE", value: namespace },
                      { name: "SCHEDULE", value: `${name}-${backupSchedule}` },
                      { name: "DRILL_NAMESPACE", value: drill.namespace },
                      { name: "SCRATCH_NAMESPACE", value: scratch },
                      {
                        name: "RESTORE_TEMPLATE",
                        value: JSON.stringify(veleroDrillRestore(name, namespace, drill.namespace, labels)),
                      },
                      { name: "TIMEOUT_SECONDS", value: String(timeoutSeconds) },
                      { name: "RECORDS_BUCKET", value: recordsBucket },
                      { name: "RECORDS_BUCKET_REGION", value: drill.recordsBucketRegion },
                      { name: "SERVICE", value: args.service },
                      { name: "TIER", value: args.tier },
                      ...(drill.pushgatewayUrl
                        ? [{ name: "PUSHGATEWAY_URL", value: drill.pushgatewayUrl }]
                        : []),
                    ],
                  },
                ],
              },
            },
          },
        },
      },
    },
    { ...opts, dependsOn: [...cluster.dependsOn, binding, scratchBinding] },
  );
}

/**
 * The backup check's CronJobs (one per schedule) in the primary cluster and their least privilege: `get` and
 * `list` Backups in the Velero namespace, nothing else.
 */
function veleroBackupCheck(
  parent: pulumi.Resource,
  name: string,
  args: VeleroScheduleArgs,
  check: VeleroBackupCheck,
  namespace: string,
  cluster: { region: string; provider: KubernetesProvider; dependsOn: pulumi.Resource[] },
): CronJob[] {
  const labels = serviceLabels(args, cluster.region);
  const opts = { parent, provider: cluster.provider, dependsOn: cluster.dependsOn };
  const account = `${name}-backup-check`;
  const serviceAccount = new ServiceAccount(
    account,
    { metadata: { name: account, namespace, labels } },
    opts,
  );
  const role = new Role(
    account,
    {
      metadata: { name: account, namespace, labels },
      rules: [{ apiGroups: ["velero.io"], resources: ["backups"], verbs: ["get", "list"] }],
    },
    opts,
  );
  const binding = new RoleBinding(
    account,
    {
      metadata: { name: account, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: account },
      subjects: [{ kind: "ServiceAccount", name: account, namespace }],
    },
    { ...opts, dependsOn: [role, serviceAccount] },
  );
  const interval = check.intervalMinutes ?? VELERO_BACKUP_CHECK_DEFAULTS.intervalMinutes;
  const inProgressLimit = check.inProgressLimitMinutes ?? VELERO_BACKUP_CHECK_DEFAULTS.inProgressLimitMinutes;
  return args.schedules.map(
    (schedule) =>
      new CronJob(
        `${name}-${schedule.name}-check`,
        {
          metadata: { name: `${name}-${schedule.name}-check`, namespace, labels },
          spec: {
            schedule: veleroBackupCheckCron(interval),
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
              spec: {
                // One attempt a run: a failed check is the alert, not something to retry away.
                backoffLimit: 0,
                activeDeadlineSeconds: 300,
                template: {
                  metadata: { labels },
                  spec: {
                    restartPolicy: "Never",
                    serviceAccountName: account,
                    containers: [
                      {
                        name: "check",
                        image: check.image ?? VELERO_DRILL_DEFAULTS.image,
                        command: ["sh", "-c", VELERO_CHECK_SCRIPT],
                        env: [
                          { name: "VELERO_NAMESPACE", value: namespace },
                          { name: "SCHEDULE", value: `${name}-${schedule.name}` },
                          // Two intervals: a run that starts late or is skipped leaves no backup unchecked.
                          { name: "LOOKBACK_SECONDS", value: String(2 * interval * 60) },
                          { name: "IN_PROGRESS_LIMIT_SECONDS", value: String(inProgressLimit * 60) },
                          { name: "SERVICE", value: args.service },
                          ...(check.pushgatewayUrl
                            ? [{ name: "PUSHGATEWAY_URL", value: check.pushgatewayUrl }]
                            : []),
                        ],
                      },
                    ],
                  },
                },
              },
            },
          },
        },
        { ...opts, dependsOn: [...cluster.dependsOn, binding] },
      ),
  );
}
