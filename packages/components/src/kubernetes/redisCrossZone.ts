import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { Provider as RandomProvider, RandomPassword } from "@pulumi/random";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Secret } from "@pulumi/kubernetes/core/v1";
import { CronJob } from "@pulumi/kubernetes/batch/v1";
// The release module alone: the helm/v3 index also loads Chart and its YAML machinery (about 40 ms).
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { type RegionPair, type RegionSide, checkRegionPair, kubeconfigFix } from "../common/regions";
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
  shown,
} from "../common/validation";
import {
  DerivedName,
  checkCron,
  checkDerivedNames,
  checkNamespace,
  checkObject,
  hasDnsLabelCharacters,
  isDnsSubdomain,
  oidcProviderArnProblem,
  pinnedImageProblem,
} from "./validation";
import { irsaRole, irsaServiceAccount } from "./irsa";
import { backupBucket } from "./backupBucket";
import { REDIS_RESTORE_SCRIPT } from "./scripts/redisRestore";
import { REDIS_SNAPSHOT_SCRIPT, REDIS_UPLOAD_SCRIPT } from "./scripts/redisBackup";
import {
  REDIS_DRILL_CHECK_SCRIPT,
  REDIS_DRILL_FETCH_SCRIPT,
  REDIS_DRILL_REPORT_SCRIPT,
} from "./scripts/redisDrill";
import { checkDrill, checkPushgatewayUrl, drillSchedule } from "./drills";
import { DRILL_RESULTS_PREFIX } from "@drkit/posture";

export { REDIS_RESTORE_SCRIPT } from "./scripts/redisRestore";
export { REDIS_SNAPSHOT_SCRIPT, REDIS_UPLOAD_SCRIPT } from "./scripts/redisBackup";
export {
  REDIS_DRILL_CHECK_SCRIPT,
  REDIS_DRILL_FETCH_SCRIPT,
  REDIS_DRILL_REPORT_SCRIPT,
} from "./scripts/redisDrill";

export const REDIS_API_VERSION = "redis.redis.opstreelabs.in/v1beta2";
/** Marks recovery copies (a warm standby) for the posture model. */
export const ROLE_LABEL = "drkit.dev/role";
const ZONE_KEY = "topology.kubernetes.io/zone";

/** The defaults, resolved once; validation messages quote them. */
export const REDIS_DEFAULTS = {
  namespace: "redis",
  replicas: 3,
  zones: 2,
  storageGi: 10,
  image: "quay.io/opstree/redis:v7.0.15",
  sentinelImage: "quay.io/opstree/redis-sentinel:v7.0.15",
  uploaderImage: "amazon/aws-cli:2.17.0",
  cron: "0 * * * *",
  retentionDays: 7,
  drillLoadTimeoutSeconds: 600,
} as const;

/** The ranges drkit accepts. */
const LIMITS = {
  // Each replica is a full copy fed by the primary: more than 9 adds load on it, not zone resilience.
  replicas: { min: 3, max: 9 },
  // No AWS region has more than 6 Availability Zones.
  zones: { min: 2, max: 6 },
  // The largest EBS volume (gp3, io2): 16 TiB.
  storageGi: { min: 1, max: 16_384 },
  retentionDays: { min: 1, max: 36_500 },
  // A snapshot that takes more than a day to load is not a restore anyone can wait for.
  drillLoadTimeoutSeconds: { min: 10, max: 86_400 },
} as const;

/** The hourly (by default) RDB snapshot to the other region. */
export interface RedisBackup {
  /** 5-field cron. @default "0 * * * *" (hourly) */
  readonly cron?: string;
  /** Days an RDB snapshot is kept in the bucket, 1–36500. @default 7 */
  readonly retentionDays?: number;
  /**
   * Service account the backup Job runs as (IRSA: write access to the backup bucket).
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;
  /**
   * Pushgateway base URL (`http://pushgateway.monitoring:9091`): after each checked upload the Job pushes
   * `drkit_backup_last_verified_timestamp_seconds` (job `drkit-backup`); a failed push fails the Job.
   * @default - nothing pushed
   */
  readonly pushgatewayUrl?: string;
}

/**
 * A scheduled restore drill: the newest snapshot, SHA-256 checked, loaded into a scratch `redis-server`
 * inside the drill's pod (loopback, no persistence) and compared with what the backup recorded (key
 * count, a sample of keys and their types). It runs in the secondary cluster with `standby` (the region a
 * recovery restores in), else in the primary cluster, and writes its record (`DrillResult`) to the backup
 * bucket under `drills/<service>/redis/`.
 */
export interface RedisDrill {
  /** 5-field cron. @default - by tier: critical daily, important weekly, standard monthly (03:30 UTC) */
  readonly schedule?: string;
  /** Pushgateway base URL the drill pushes its metrics to (job `drkit-drill`). @default - nothing pushed */
  readonly pushgatewayUrl?: string;
  /**
   * Service account the drill runs as: it needs the `drillPolicyArn` output (read the snapshots, write
   * drill records).
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;
  /** Longest wait for the scratch server to load the snapshot, 10–86400 seconds. @default 600 */
  readonly loadTimeoutSeconds?: number;
}

/** The clusters' IAM OIDC providers, for IAM roles for service accounts (EKS IRSA). */
export interface RedisIrsa {
  /**
   * The primary cluster's: drkit creates the backup Job's service account (`backup.serviceAccountName`,
   * default `<name>-backup`) and an IAM role only it can assume, allowed `s3:PutObject` under `<name>/`.
   * @default - no role: attach the `backupWriterPolicyArn` output to the role of `backup.serviceAccountName`
   */
  readonly primaryOidcProviderArn?: pulumi.Input<string>;
  /**
   * The secondary cluster's (only with `standby`): drkit creates the standby pods' service account
   * (`standbyServiceAccountName`, default `<name>-restore`) and a role only it can assume, allowed to list
   * and read the snapshots.
   * @default - no role: attach the `backupReaderPolicyArn` output to the role of `standbyServiceAccountName`
   */
  readonly secondaryOidcProviderArn?: pulumi.Input<string>;
}

export interface RedisCrossZoneArgs extends ServiceIdentity {
  /**
   * Redis runs in the primary cluster; backups go to the secondary region (and the standby to its
   * cluster): a `DrRegionPair` given kubeconfigs in TypeScript, or the regions with their kubeconfigs,
   * from which the component creates its own pair.
   */
  readonly regions: RegionPair;
  /** @default "redis" */
  readonly namespace?: string;
  /** Redis pods, 3–9: a primary and at least two replicas. @default 3 */
  readonly replicas?: number;
  /**
   * Zones the pods must spread over (`minDomains` of a hard `topology.kubernetes.io/zone` spread), from 2 to
   * `replicas` and at most 6.
   * @default 2
   */
  readonly zones?: number;
  /** Persistent volume per pod, GiB, 1–16384. @default 10 */
  readonly storageGi?: number;
  /** @default - the cluster's default storage class */
  readonly storageClassName?: string;
  /** Pinned to a tag or digest. @default "quay.io/opstree/redis:v7.0.15" */
  readonly image?: string;
  /** Pinned to a tag or digest. @default "quay.io/opstree/redis-sentinel:v7.0.15" */
  readonly sentinelImage?: string;
  /** Image with the AWS CLI, uploading the snapshot; pinned to a tag or digest. @default "amazon/aws-cli:2.17.0" */
  readonly uploaderImage?: string;
  /** @default - hourly, kept 7 days */
  readonly backup?: RedisBackup;
  /**
   * Install the OT-Container-Kit redis-operator with its Helm chart; requires `operatorChartVersion`.
   * @default false (the operator is already installed)
   */
  readonly installOperator?: boolean;
  /** The exact redis-operator chart version to install (only with `installOperator`): pin the one you tested. */
  readonly operatorChartVersion?: string;
  /**
   * The same Redis, warm, in the secondary cluster. Each standby pod loads the newest backup snapshot into
   * its empty data volume before Redis starts (see {@link REDIS_RESTORE_SCRIPT}); a volume that already
   * holds data is left alone. @default false
   */
  readonly standby?: boolean;
  /**
   * Service account the standby's pods run as (IRSA: read access to the backup bucket, which the restore
   * needs). Only with `standby`.
   * @default - the namespace's default service account
   */
  readonly standbyServiceAccountName?: string;
  /**
   * The clusters' IAM OIDC providers: drkit then creates the backup Job's and the standby's IAM roles and
   * service accounts, each role assumable by its service account alone.
   * @default - no roles or service accounts: the `backupWriterPolicyArn` and `backupReaderPolicyArn`
   *   outputs are the policies to attach to yours
   */
  readonly irsa?: RedisIrsa;
  /**
   * Restore drills of the backups (see `RedisDrill`). Off unless given (`drill: {}` runs them on the
   * tier's schedule): the drill's pod needs read access to the bucket (`drillPolicyArn`) and memory for
   * a full copy of the data set.
   * @default - no drill
   */
  readonly drill?: RedisDrill;
}

const ARGS_FIELDS: readonly (keyof RedisCrossZoneArgs)[] = [
  "service",
  "tier",
  "regions",
  "namespace",
  "replicas",
  "zones",
  "storageGi",
  "storageClassName",
  "image",
  "sentinelImage",
  "uploaderImage",
  "backup",
  "installOperator",
  "operatorChartVersion",
  "standby",
  "standbyServiceAccountName",
  "irsa",
  "drill",
];
const DRILL_FIELDS: readonly (keyof RedisDrill)[] = [
  "schedule",
  "pushgatewayUrl",
  "serviceAccountName",
  "loadTimeoutSeconds",
];
const IRSA_FIELDS: readonly (keyof RedisIrsa)[] = ["primaryOidcProviderArn", "secondaryOidcProviderArn"];
const BACKUP_FIELDS: readonly (keyof RedisBackup)[] = [
  "cron",
  "retentionDays",
  "serviceAccountName",
  "pushgatewayUrl",
];
// An exact SemVer 2 version, as Helm requires of a chart's.
const CHART_VERSION = /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/**
 * Every problem with the arguments, each naming the field, the value and the fix. Takes anything: YAML
 * config and JavaScript callers are not type-checked. With `name`, the names derived from it are checked too.
 */
export function validateRedisCrossZoneArgs(args: unknown, name?: string): string[] {
  const problems = new ArgsProblems();
  if (!checkArgsObject(args, "pass { service, tier, regions }", problems)) return [...problems.list];
  checkKnownFields("", args, ARGS_FIELDS, problems);
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);

  const { replicas, zones, storageGi } = LIMITS;
  const replicasOk = checkWholeNumber(
    "replicas",
    args.replicas,
    { ...replicas, unit: "Redis pods (a primary and at least two replicas)", omitted: "3" },
    problems,
  );
  const mostZones = Math.min(replicasOk ? ((args.replicas as number | undefined) ?? 3) : 3, zones.max);
  if (!isWholeIn(args.zones, zones.min, mostZones))
    problems.add(
      `\`zones\` must be a whole number from 2 to ${mostZones}: fewer than 2 cannot survive a zone loss, and the pods cannot spread over more zones than there are pods (\`replicas\`) or than an AWS region has (6) (got ${shown(args.zones)})${typeof args.zones === "string" ? ": write it without quotes" : ""}; omit it to use 2`,
    );
  const quantity = typeof args.storageGi === "string" ? /^(\d+)(Gi|G)$/.exec(args.storageGi) : null;
  if (quantity)
    problems.add(
      `\`storageGi\` must be a whole number of GiB from 1 to 16384 (got ${shown(args.storageGi)}): write the number alone, ${quantity[1]}; omit it to use 10`,
    );
  else checkWholeNumber("storageGi", args.storageGi, { ...storageGi, unit: "GiB", omitted: "10" }, problems);
  checkObjectName("storageClassName", args.storageClassName, problems);
  if (checkPlain("namespace", args.namespace, problems))
    checkNamespace("namespace", args.namespace, problems);
  for (const field of ["image", "sentinelImage", "uploaderImage"] as const) {
    const problem =
      args[field] === undefined ? undefined : pinnedImageProblem(field, args[field], REDIS_DEFAULTS[field]);
    if (problem) problems.add(problem);
  }

  const backup = args.backup;
  if (
    checkObject("backup", backup, '{ cron: "0 * * * *", retentionDays: 7 }', problems) &&
    backup !== undefined
  ) {
    checkKnownFields("backup", backup, BACKUP_FIELDS, problems);
    if (backup.cron !== undefined) checkCron("backup.cron", backup.cron, problems);
    checkWholeNumber(
      "backup.retentionDays",
      backup.retentionDays,
      { ...LIMITS.retentionDays, unit: "days", omitted: "7" },
      problems,
    );
    checkObjectName("backup.serviceAccountName", backup.serviceAccountName, problems);
    if (backup.pushgatewayUrl !== undefined)
      checkPushgatewayUrl("backup.pushgatewayUrl", backup.pushgatewayUrl, problems);
  }

  const drill = checkDrill("drill", args.drill, args.tier, DRILL_FIELDS, problems);
  if (drill) {
    checkObjectName("drill.serviceAccountName", drill.serviceAccountName, problems);
    checkWholeNumber(
      "drill.loadTimeoutSeconds",
      drill.loadTimeoutSeconds,
      { ...LIMITS.drillLoadTimeoutSeconds, unit: "seconds", omitted: "600" },
      problems,
    );
  }

  // These decide which children exist: they must be known when the program runs.
  for (const flag of ["installOperator", "standby"] as const)
    if (checkPlain(flag, args[flag], problems)) checkBoolean(flag, args[flag], problems);
  const installOperator = args.installOperator === true;
  const standby = args.standby === true;
  // A flag that is not a boolean has its own problem: what depends on it is not judged on a guess.
  const standbyKnown = typeof args.standby === "boolean" || args.standby === undefined;
  if (typeof args.installOperator === "boolean" || args.installOperator === undefined)
    checkOperatorVersion(installOperator, args.operatorChartVersion, problems);
  checkObjectName("standbyServiceAccountName", args.standbyServiceAccountName, problems);
  problems.check(
    args.standbyServiceAccountName === undefined || standby || !standbyKnown,
    "`standbyServiceAccountName` only applies with `standby: true`: set `standby` or drop the service account",
  );

  const regions = checkRegionPair(args.regions, problems);
  if (regions) {
    problems.check(
      regions.primary.kubernetes,
      `\`regions.primary\` has no Kubernetes provider: ${kubeconfigFix(regions, "primary")}`,
    );
    problems.check(
      !standby || regions.secondary.kubernetes,
      `\`regions.secondary\` has no Kubernetes provider, which \`standby\` needs: ${kubeconfigFix(regions, "secondary")}`,
    );
    problems.check(
      regions.primary.region !== regions.secondary.region,
      `\`regions\` must name two different regions (both ${shown(regions.primary.region)}): backups must leave the region`,
    );
  }

  const irsa = args.irsa;
  if (
    checkPlain("irsa", irsa, problems) &&
    checkObject("irsa", irsa, "{ primaryOidcProviderArn, secondaryOidcProviderArn }", problems) &&
    irsa !== undefined
  ) {
    checkKnownFields("irsa", irsa, IRSA_FIELDS, problems);
    for (const field of IRSA_FIELDS) {
      // An ARN computed from another resource is checked when it resolves, with the same message.
      const problem =
        irsa[field] === undefined || isComputed(irsa[field])
          ? undefined
          : oidcProviderArnProblem(`irsa.${field}`, irsa[field]);
      if (problem) problems.add(problem);
    }
    problems.check(
      irsa.secondaryOidcProviderArn === undefined || standby || !standbyKnown,
      "`irsa.secondaryOidcProviderArn` only applies with `standby: true` (it is the standby's cluster): set `standby` or drop it",
    );
  }

  if (name !== undefined) {
    problems.check(
      hasDnsLabelCharacters(name) && /^[a-z]/.test(name),
      `\`name\` ${shown(name)} must be a DNS label that starts with a letter: lowercase letters, digits and '-' (the operator names Services after it, and a Service name must start with a letter)`,
    );
    const roles = isPlainObject(irsa) ? irsa : {};
    checkDerivedNames(
      name,
      derivedNames(
        installOperator,
        standby,
        args.drill !== undefined,
        roles.primaryOidcProviderArn !== undefined,
        standby && roles.secondaryOidcProviderArn !== undefined,
      ),
      problems,
    );
  }
  return [...problems.list];
}

/** What the operator, Kubernetes, Helm and Pulumi name after the component, with the limits that bind. */
function derivedNames(
  installOperator: boolean,
  standby: boolean,
  drill: boolean,
  backupRole: boolean,
  restoreRole: boolean,
): DerivedName[] {
  return [
    {
      pattern: "<name>",
      what: "the Redis StatefulSet",
      max: 52,
      because: "so that its pods' controller-revision-hash label fits",
    },
    { pattern: "<name>-additional", what: "a Service the operator creates for Redis", max: 63 },
    {
      pattern: "<name>-sentinel-sentinel",
      what: "the sentinels' StatefulSet",
      max: 52,
      because: "so that its pods' controller-revision-hash label fits",
    },
    {
      pattern: "<name>-sentinel-sentinel-additional",
      what: "a Service the operator creates for the sentinels",
      max: 63,
    },
    { pattern: "<name>-backup", what: "the backup CronJob", max: 52 },
    { pattern: "<name>-backups-", random: 7, what: "the backup S3 bucket", max: 63 },
    ...(drill ? [{ pattern: "<name>-drill", what: "the restore drill's CronJob", max: 52 }] : []),
    ...(backupRole
      ? [{ pattern: "<name>-backup-", random: 7, what: "the backup Job's IAM role", max: 64 }]
      : []),
    ...(restoreRole
      ? [{ pattern: "<name>-restore-", random: 7, what: "the standby's IAM role", max: 64 }]
      : []),
    ...(installOperator
      ? [
          {
            pattern: "<name>-operator-primary-",
            random: 8,
            what: "the redis-operator Helm release in the primary cluster",
            max: 53,
          },
        ]
      : []),
    ...(installOperator && standby
      ? [
          {
            pattern: "<name>-operator-secondary-",
            random: 8,
            what: "the redis-operator Helm release in the secondary cluster",
            max: 53,
          },
        ]
      : []),
  ];
}

function checkOperatorVersion(installOperator: boolean, version: unknown, problems: ArgsProblems): void {
  if (installOperator && (version === undefined || version === ""))
    problems.add(
      "`operatorChartVersion` is required with `installOperator`: pin the redis-operator chart version you tested",
    );
  else if (version !== undefined && !installOperator)
    problems.add(
      "`operatorChartVersion` only applies with `installOperator: true`: set `installOperator`, or drop the version",
    );
  else if (version !== undefined && !(typeof version === "string" && CHART_VERSION.test(version)))
    problems.add(
      `\`operatorChartVersion\` must be an exact chart version such as "0.22.1" (got ${shown(version)}): pin the redis-operator chart version you tested`,
    );
}

function isWholeIn(value: unknown, min: number, max: number): boolean {
  return (
    value === undefined ||
    (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max)
  );
}

function checkObjectName(field: string, value: unknown, problems: ArgsProblems): void {
  problems.check(
    value === undefined || isDnsSubdomain(value),
    `\`${field}\` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got ${shown(value)})`,
  );
}

/** What a RedisCrossZone builds, its defaults resolved once. */
interface RedisSettings {
  readonly name: string;
  readonly identity: ServiceIdentity;
  readonly namespace: string;
  readonly replicas: number;
  readonly zones: number;
  readonly storageGi: number;
  readonly storageClassName?: string;
  readonly image: string;
  readonly sentinelImage: string;
  readonly uploaderImage: string;
  readonly cron: string;
  readonly retentionDays: number;
  readonly backupServiceAccountName?: string;
  readonly standby: boolean;
  readonly standbyServiceAccountName?: string;
  /** the pinned chart version when drkit installs the operator */
  readonly operatorChartVersion?: string;
  /** the Kubernetes Secret holding the password, in each cluster */
  readonly secretName: string;
  readonly primary: RegionSide;
  readonly secondary: RegionSide;
  /** the clusters' OIDC providers, when drkit creates the IRSA roles */
  readonly primaryOidcProviderArn?: pulumi.Input<string>;
  readonly secondaryOidcProviderArn?: pulumi.Input<string>;
  readonly backupPushgatewayUrl?: string;
  /** the restore drill, when it runs */
  readonly drill?: {
    readonly schedule: string;
    readonly pushgatewayUrl?: string;
    readonly serviceAccountName?: string;
    readonly loadTimeoutSeconds: number;
  };
}

function resolveSettings(name: string, args: RedisCrossZoneArgs, parent: pulumi.Resource): RedisSettings {
  const sides = regionSidesOf(name, args.regions, parent);
  const standby = args.standby ?? false;
  const primaryOidc = args.irsa?.primaryOidcProviderArn;
  const secondaryOidc = standby ? args.irsa?.secondaryOidcProviderArn : undefined;
  return {
    name,
    identity: { service: args.service, tier: args.tier },
    namespace: args.namespace ?? REDIS_DEFAULTS.namespace,
    replicas: args.replicas ?? REDIS_DEFAULTS.replicas,
    zones: args.zones ?? REDIS_DEFAULTS.zones,
    storageGi: args.storageGi ?? REDIS_DEFAULTS.storageGi,
    storageClassName: args.storageClassName,
    image: args.image ?? REDIS_DEFAULTS.image,
    sentinelImage: args.sentinelImage ?? REDIS_DEFAULTS.sentinelImage,
    uploaderImage: args.uploaderImage ?? REDIS_DEFAULTS.uploaderImage,
    cron: args.backup?.cron ?? REDIS_DEFAULTS.cron,
    retentionDays: args.backup?.retentionDays ?? REDIS_DEFAULTS.retentionDays,
    backupServiceAccountName:
      args.backup?.serviceAccountName ?? (primaryOidc === undefined ? undefined : `${name}-backup`),
    standby,
    standbyServiceAccountName:
      args.standbyServiceAccountName ?? (secondaryOidc === undefined ? undefined : `${name}-restore`),
    operatorChartVersion: args.installOperator ? args.operatorChartVersion : undefined,
    secretName: `${name}-auth`,
    primary: sides.primary,
    secondary: sides.secondary,
    primaryOidcProviderArn: primaryOidc,
    secondaryOidcProviderArn: secondaryOidc,
    backupPushgatewayUrl: args.backup?.pushgatewayUrl,
    drill: args.drill && {
      // validateRedisCrossZoneArgs refused a tier without a default schedule when none was given.
      schedule: drillSchedule(args.drill.schedule, args.tier) as string,
      pushgatewayUrl: args.drill.pushgatewayUrl,
      serviceAccountName: args.drill.serviceAccountName,
      loadTimeoutSeconds: args.drill.loadTimeoutSeconds ?? REDIS_DEFAULTS.drillLoadTimeoutSeconds,
    },
  };
}

/**
 * Redis on the OT-Container-Kit operator: a replicated Redis with Sentinel, spread over zones with a
 * hard topology constraint, its password generated and kept secret, and an hourly RDB snapshot uploaded
 * to a bucket in the other region, optionally with a warm standby there.
 */
export class RedisCrossZone extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:RedisCrossZone";
  /**
   * The generated Redis password.
   * @secret
   */
  readonly password: pulumi.Output<string>;
  /** The Kubernetes Secret (in `namespace`, in each cluster) holding the password: export this, not it. */
  readonly passwordSecretName: string;
  readonly backupBucketName: pulumi.Output<string>;
  /** The policy the backup Job's role needs: `s3:PutObject` under `<name>/` in the bucket, nothing else. */
  readonly backupWriterPolicyArn: pulumi.Output<string>;
  /** The policy a restore needs (the standby's role): list and read the snapshots under `<name>/`. */
  readonly backupReaderPolicyArn: pulumi.Output<string>;
  /**
   * The policy the restore drill's service account needs: list and read the snapshots, write drill records
   * under `drills/<service>/redis/`. Undefined without `drill`.
   */
  readonly drillPolicyArn?: pulumi.Output<string>;

  constructor(name: string, args: RedisCrossZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RedisCrossZone.__pulumiType, name, {}, opts);
    const problems = validateRedisCrossZoneArgs(args, name);
    if (problems.length > 0) throw new InvalidArgsError("RedisCrossZone", name, problems);
    const s = resolveSettings(name, args, this);

    this.password = generatedPassword(this, s);
    this.passwordSecretName = s.secretName;
    const roles = irsaRoles(this, s);
    const bucket = snapshotBucket(this, s, roles.backup);
    this.backupBucketName = bucket.bucket;
    const access = snapshotAccess(this, s, bucket, roles);
    this.backupWriterPolicyArn = access.writer.arn;
    this.backupReaderPolicyArn = access.reader.arn;

    const primaryCluster = s.primary.kubernetesProvider as KubernetesProvider;
    const primaryOperator = operatorRelease(this, s, primaryCluster, "primary");
    redisInCluster(this, s, "primary", primaryCluster, this.password, primaryOperator, undefined);
    if (s.standby) {
      const secondaryCluster = s.secondary.kubernetesProvider as KubernetesProvider;
      const secondaryOperator = operatorRelease(this, s, secondaryCluster, "secondary");
      const restoreAccount = roleServiceAccount(
        this,
        s,
        "restore",
        secondaryCluster,
        roles,
        secondaryOperator,
      );
      redisInCluster(
        this,
        s,
        "standby",
        secondaryCluster,
        this.password,
        [...secondaryOperator, ...restoreAccount],
        restoreFromLatestBackup(s, bucket),
      );
    }
    const backupAccount = roleServiceAccount(this, s, "backup", primaryCluster, roles, primaryOperator);
    backupCronJob(this, s, bucket, backupAccount);
    if (s.drill) {
      const drillPolicy = drillAccess(this, s, bucket);
      this.drillPolicyArn = drillPolicy.arn;
      drillCronJob(this, s, s.drill, bucket);
    }

    this.registerOutputs({
      service: s.identity.service,
      tier: s.identity.tier,
      zones: s.zones,
      replicas: s.replicas,
      standbyRegion: s.standby ? s.secondary.region : null,
      passwordSecretName: s.secretName,
      backupBucketName: bucket.bucket,
      backupRegion: s.secondary.region,
      backupWriterPolicyArn: access.writer.arn,
      backupReaderPolicyArn: access.reader.arn,
      backupRoleArn: roles.backup?.arn ?? null,
      restoreRoleArn: roles.restore?.arn ?? null,
      drillPolicyArn: this.drillPolicyArn ?? null,
    });
  }
}

/** A generated password, secret. Its own random provider: the component works in stacks that disable default providers. */
function generatedPassword(parent: pulumi.Resource, s: RedisSettings): pulumi.Output<string> {
  const random = new RandomProvider(`${s.name}-random`, {}, { parent });
  const password = new RandomPassword(
    `${s.name}-password`,
    { length: 32, special: false },
    { parent, provider: random },
  );
  return pulumi.secret(password.result);
}

/**
 * The snapshots' bucket, in the other region: a region loss cannot take the backups with it. Versioned,
 * encrypted, closed to the public and TLS-only (see `backupBucket`). Snapshots expire after `retentionDays`;
 * one overwritten or deleted before then stays, as a noncurrent version, for `retentionDays` more.
 */
function snapshotBucket(
  parent: pulumi.Resource,
  s: RedisSettings,
  backupRole: iam.Role | undefined,
): s3.Bucket {
  const provider = s.secondary.awsProvider;
  const { bucket } = backupBucket(`${s.name}-backups`, {
    parent,
    provider,
    tags: serviceTags(s.identity),
    retainOnDelete: true,
    // Its own policy grants the Job nothing more than s3:PutObject; this holds even if someone adds more.
    statements: backupRole
      ? [
          (arn) => ({
            Sid: "BackupJobCannotDestroySnapshots",
            Effect: "Deny",
            Principal: { AWS: backupRole.arn },
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
            Resource: [arn, pulumi.interpolate`${arn}/*`],
          }),
        ]
      : [],
  });
  new s3.BucketLifecycleConfiguration(
    `${s.name}-backups-retention`,
    {
      bucket: bucket.id,
      rules: [
        {
          id: "expire-snapshots",
          status: "Enabled",
          filter: {},
          expiration: { days: s.retentionDays },
          noncurrentVersionExpiration: { noncurrentDays: s.retentionDays },
          // The Job may not abort a failed upload (it may only put objects): S3 clears the parts.
          abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
      ],
    },
    { parent, provider },
  );
  return bucket;
}

interface RedisRoles {
  /** the backup Job's IRSA role, with the primary cluster's OIDC provider */
  readonly backup?: iam.Role;
  /** the standby's IRSA role, with the secondary cluster's OIDC provider */
  readonly restore?: iam.Role;
}

/** The IRSA roles, when the clusters' OIDC providers are given; each trusts its one service account. */
function irsaRoles(parent: pulumi.Resource, s: RedisSettings): RedisRoles {
  const role = (
    which: "backup" | "restore",
    oidcProviderArn: pulumi.Input<string>,
    serviceAccountName: string,
  ) =>
    irsaRole(`${s.name}-${which}`, {
      component: "RedisCrossZone",
      componentName: s.name,
      field: which === "backup" ? "irsa.primaryOidcProviderArn" : "irsa.secondaryOidcProviderArn",
      oidcProviderArn,
      namespace: s.namespace,
      serviceAccountName,
      parent,
      // IAM is global: the roles are created through the primary side's provider.
      provider: s.primary.awsProvider,
      tags: serviceTags(s.identity),
    });
  return {
    backup:
      s.primaryOidcProviderArn === undefined
        ? undefined
        : role("backup", s.primaryOidcProviderArn, s.backupServiceAccountName as string),
    restore:
      s.secondaryOidcProviderArn === undefined
        ? undefined
        : role("restore", s.secondaryOidcProviderArn, s.standbyServiceAccountName as string),
  };
}

/**
 * Least privilege on the snapshots, as managed policies: the writer (the backup Job) may only put objects
 * under `<name>/` — no delete, no ACL, nothing on other prefixes — and the reader (a restore) may only
 * list and read them. Attached to the IRSA roles drkit creates; otherwise outputs to attach to your own.
 */
function snapshotAccess(parent: pulumi.Resource, s: RedisSettings, bucket: s3.Bucket, roles: RedisRoles) {
  const opts = { parent, provider: s.primary.awsProvider };
  const tags = serviceTags(s.identity);
  const snapshots = pulumi.interpolate`${bucket.arn}/${s.name}/*`;
  const writer = new iam.Policy(
    `${s.name}-backup-writer`,
    {
      description: `The ${s.name} Redis backup Job: put snapshots under ${s.name}/, nothing else`,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "PutSnapshots", Effect: "Allow", Action: ["s3:PutObject"], Resource: [snapshots] },
        ],
      }),
      tags,
    },
    opts,
  );
  const reader = new iam.Policy(
    `${s.name}-backup-reader`,
    {
      description: `Restoring the ${s.name} Redis: list and read the snapshots under ${s.name}/`,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ListSnapshots",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [bucket.arn],
            Condition: { StringLike: { "s3:prefix": [`${s.name}/*`] } },
          },
          { Sid: "GetSnapshots", Effect: "Allow", Action: ["s3:GetObject"], Resource: [snapshots] },
        ],
      }),
      tags,
    },
    opts,
  );
  for (const [role, policy] of [
    [roles.backup, writer],
    [roles.restore, reader],
  ] as const)
    if (role)
      new iam.RolePolicyAttachment(
        role === roles.backup ? `${s.name}-backup` : `${s.name}-restore`,
        { role: role.id, policyArn: policy.arn },
        opts,
      );
  return { writer, reader };
}

/** The service account carrying an IRSA role, in the cluster that runs its pods; none without the role. */
function roleServiceAccount(
  parent: pulumi.Resource,
  s: RedisSettings,
  which: "backup" | "restore",
  provider: KubernetesProvider,
  roles: RedisRoles,
  dependsOn: pulumi.Resource[],
): pulumi.Resource[] {
  const role = roles[which];
  if (!role) return [];
  const serviceAccountName = (
    which === "backup" ? s.backupServiceAccountName : s.standbyServiceAccountName
  ) as string;
  const region = which === "backup" ? s.primary.region : s.secondary.region;
  return [
    irsaServiceAccount(`${s.name}-${which}`, {
      serviceAccountName,
      namespace: s.namespace,
      labels: serviceLabels(s.identity, region),
      role,
      parent,
      provider,
      dependsOn,
    }),
  ];
}

/** The standby's restore step: the operator runs `initContainer` in every Redis pod with the data volume at /data. */
function restoreFromLatestBackup(s: RedisSettings, bucket: s3.Bucket) {
  return {
    initContainer: {
      enabled: true,
      image: s.uploaderImage,
      imagePullPolicy: "IfNotPresent",
      command: ["sh", "-c", REDIS_RESTORE_SCRIPT],
      env: [
        { name: "DATA_DIR", value: "/data" },
        { name: "BUCKET", value: bucket.bucket },
        { name: "BUCKET_REGION", value: s.secondary.region },
        { name: "NAME", value: s.name },
      ],
    },
    ...(s.standbyServiceAccountName ? { serviceAccountName: s.standbyServiceAccountName } : {}),
  };
}

/** The redis-operator Helm release in one cluster, when drkit installs it. */
function operatorRelease(
  parent: pulumi.Resource,
  s: RedisSettings,
  provider: KubernetesProvider,
  role: "primary" | "secondary",
): pulumi.Resource[] {
  if (s.operatorChartVersion === undefined) return [];
  return [
    new Release(
      `${s.name}-operator-${role}`,
      {
        chart: "redis-operator",
        version: s.operatorChartVersion,
        repositoryOpts: { repo: "https://ot-container-kit.github.io/helm-charts" },
        namespace: s.namespace,
        createNamespace: true,
      },
      { parent, provider },
    ),
  ];
}

/**
 * The operator labels pods `app: <StatefulSet name>`: a RedisReplication `x` runs as StatefulSet `x`, a
 * RedisSentinel `x` as `x-sentinel`. The spread counts those pods per zone, and `minDomains` keeps them from
 * piling into one zone while others have room. A selector that matches no pod spreads nothing.
 */
function zoneSpread(s: RedisSettings, app: string) {
  return [
    {
      maxSkew: 1,
      minDomains: s.zones,
      topologyKey: ZONE_KEY,
      whenUnsatisfiable: "DoNotSchedule",
      labelSelector: { matchLabels: { app } },
    },
  ];
}

/** The password Secret, the RedisReplication and its RedisSentinel in one cluster (and the operator, if installed). */
function redisInCluster(
  parent: pulumi.Resource,
  s: RedisSettings,
  role: "primary" | "standby",
  provider: KubernetesProvider,
  password: pulumi.Output<string>,
  /** the operator's release and the service account, when drkit creates them */
  dependsOn: pulumi.Resource[],
  restore: ReturnType<typeof restoreFromLatestBackup> | undefined,
): CustomResource {
  const region = role === "primary" ? s.primary.region : s.secondary.region;
  const suffix = role === "primary" ? "" : "-standby";
  // A standby is a recovery copy: the posture model must not count it as a second data source.
  const labels = {
    ...serviceLabels(s.identity, region),
    ...(role === "standby" ? { [ROLE_LABEL]: "standby" } : {}),
  };
  const auth = new Secret(
    `${s.name}${suffix}-auth`,
    {
      metadata: { name: s.secretName, namespace: s.namespace, labels },
      stringData: { password },
    },
    // @pulumi/kubernetes marks a Secret's `data` and `stringData` as secret outputs itself.
    { parent, provider, dependsOn },
  );
  const replication = new CustomResource(
    `${s.name}${suffix}`,
    {
      apiVersion: REDIS_API_VERSION,
      kind: "RedisReplication",
      metadata: { name: s.name, namespace: s.namespace, labels },
      spec: {
        clusterSize: s.replicas,
        kubernetesConfig: {
          image: s.image,
          imagePullPolicy: "IfNotPresent",
          redisSecret: { name: s.secretName, key: "password" },
        },
        storage: {
          volumeClaimTemplate: {
            spec: {
              accessModes: ["ReadWriteOnce"],
              ...(s.storageClassName ? { storageClassName: s.storageClassName } : {}),
              resources: { requests: { storage: `${s.storageGi}Gi` } },
            },
          },
        },
        topologySpreadConstraints: zoneSpread(s, s.name),
        // One pod may be disrupted at a time: the primary and one replica always stay.
        pdb: { enabled: true, minAvailable: s.replicas - 1 },
        ...(restore ?? {}),
      },
    },
    { parent, provider, dependsOn: [auth, ...dependsOn] },
  );
  new CustomResource(
    `${s.name}${suffix}-sentinel`,
    {
      apiVersion: REDIS_API_VERSION,
      kind: "RedisSentinel",
      metadata: { name: `${s.name}-sentinel`, namespace: s.namespace, labels },
      spec: {
        clusterSize: 3,
        kubernetesConfig: { image: s.sentinelImage, imagePullPolicy: "IfNotPresent" },
        redisSentinelConfig: {
          redisReplicationName: s.name,
          redisReplicationPassword: { secretKeyRef: { name: s.secretName, key: "password" } },
          quorum: "2",
        },
        topologySpreadConstraints: zoneSpread(s, `${s.name}-sentinel-sentinel`),
        pdb: { enabled: true, minAvailable: 2 },
      },
    },
    { parent, provider, dependsOn: [replication] },
  );
  return replication;
}

/**
 * The backup CronJob in the primary cluster: an RDB snapshot from the primary, uploaded to the bucket. The
 * posture model credits the backup through the bucket its inputs are computed from: keep `bucket.bucket`
 * in its environment.
 */
/** Where the Job's two containers share the snapshot (an emptyDir). */
const SNAPSHOT_PATH = "/snapshot/dump.rdb";

function backupCronJob(
  parent: pulumi.Resource,
  s: RedisSettings,
  bucket: s3.Bucket,
  serviceAccount: pulumi.Resource[],
): CronJob {
  const labels = serviceLabels(s.identity, s.primary.region);
  return new CronJob(
    `${s.name}-backup`,
    {
      metadata: {
        name: `${s.name}-backup`,
        namespace: s.namespace,
        labels,
        // Read by the posture model: what is backed up, and to which region.
        annotations: {
          "drkit.dev/backup-of": s.name,
          "drkit.dev/backup-destination-region": s.secondary.region,
        },
      },
      spec: {
        schedule: s.cron,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "OnFailure",
                ...(s.backupServiceAccountName ? { serviceAccountName: s.backupServiceAccountName } : {}),
                volumes: [{ name: "snapshot", emptyDir: {} }],
                initContainers: [
                  {
                    name: "rdb",
                    image: s.image,
                    command: ["sh", "-c", REDIS_SNAPSHOT_SCRIPT],
                    env: [
                      { name: "REDIS_HOST", value: `${s.name}-master` },
                      { name: "REDIS_PORT", value: "6379" },
                      { name: "SNAPSHOT", value: SNAPSHOT_PATH },
                      // redis-cli reads it from the environment: the password never reaches a command line.
                      {
                        name: "REDISCLI_AUTH",
                        valueFrom: { secretKeyRef: { name: s.secretName, key: "password" } },
                      },
                    ],
                    volumeMounts: [{ name: "snapshot", mountPath: "/snapshot" }],
                  },
                ],
                containers: [
                  {
                    name: "upload",
                    image: s.uploaderImage,
                    command: ["sh", "-c", REDIS_UPLOAD_SCRIPT],
                    env: [
                      { name: "SNAPSHOT", value: SNAPSHOT_PATH },
                      { name: "BUCKET", value: bucket.bucket },
                      { name: "BUCKET_REGION", value: s.secondary.region },
                      { name: "NAME", value: s.name },
                      { name: "SERVICE", value: s.identity.service },
                      ...(s.backupPushgatewayUrl
                        ? [{ name: "PUSHGATEWAY_URL", value: s.backupPushgatewayUrl }]
                        : []),
                    ],
                    volumeMounts: [{ name: "snapshot", mountPath: "/snapshot" }],
                  },
                ],
              },
            },
          },
        },
      },
    },
    { parent, provider: s.primary.kubernetesProvider as KubernetesProvider, dependsOn: serviceAccount },
  );
}

/** The drill's service account may list and read the snapshots, and write drill records: nothing else. */
function drillAccess(parent: pulumi.Resource, s: RedisSettings, bucket: s3.Bucket): iam.Policy {
  return new iam.Policy(
    `${s.name}-drill`,
    {
      description: `The ${s.name} Redis restore drill: read the snapshots under ${s.name}/, write drill records`,
      policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "ListSnapshots",
            Effect: "Allow",
            Action: ["s3:ListBucket"],
            Resource: [bucket.arn],
            Condition: { StringLike: { "s3:prefix": [`${s.name}/*`] } },
          },
          {
            Sid: "GetSnapshots",
            Effect: "Allow",
            Action: ["s3:GetObject"],
            Resource: [pulumi.interpolate`${bucket.arn}/${s.name}/*`],
          },
          {
            Sid: "PutDrillRecords",
            Effect: "Allow",
            Action: ["s3:PutObject"],
            Resource: [
              pulumi.interpolate`${bucket.arn}/${DRILL_RESULTS_PREFIX}${s.identity.service}/redis/*`,
            ],
          },
        ],
      }),
      tags: serviceTags(s.identity),
    },
    { parent, provider: s.primary.awsProvider },
  );
}

/** Where the drill's containers share the snapshot, the scratch server's files and the checks. */
const DRILL_WORK = "/drill";
/** The scratch redis-server's loopback port: not Redis's own, so nothing expecting Redis finds it. */
const DRILL_PORT = "6390";

/**
 * The restore drill's CronJob: in the secondary cluster with `standby` (the region a recovery restores
 * in, where the namespace exists), else in the primary. Fetch (AWS CLI image), check (the Redis image:
 * the same `redis-server` and `redis-check-rdb` the data was written by), report (AWS CLI image), as the
 * steps of one pod; see ./scripts/redisDrill. One attempt a run: a failed drill's record is its result,
 * and a retry would only write a second one.
 */
function drillCronJob(
  parent: pulumi.Resource,
  s: RedisSettings,
  drill: NonNullable<RedisSettings["drill"]>,
  bucket: s3.Bucket,
): CronJob {
  const side = s.standby ? s.secondary : s.primary;
  const labels = serviceLabels(s.identity, side.region);
  const env = [
    { name: "WORK", value: DRILL_WORK },
    { name: "BUCKET", value: bucket.bucket },
    { name: "BUCKET_REGION", value: s.secondary.region },
    { name: "RECORDS_BUCKET", value: bucket.bucket },
    { name: "NAME", value: s.name },
    { name: "SERVICE", value: s.identity.service },
    { name: "TIER", value: s.identity.tier },
    { name: "PORT", value: DRILL_PORT },
    { name: "LOAD_TIMEOUT_SECONDS", value: String(drill.loadTimeoutSeconds) },
    ...(drill.pushgatewayUrl ? [{ name: "PUSHGATEWAY_URL", value: drill.pushgatewayUrl }] : []),
  ];
  const step = (name: string, image: string, script: string) => ({
    name,
    image,
    command: ["sh", "-c", script],
    env,
    volumeMounts: [{ name: "work", mountPath: DRILL_WORK }],
  });
  return new CronJob(
    `${s.name}-drill`,
    {
      metadata: { name: `${s.name}-drill`, namespace: s.namespace, labels },
      spec: {
        schedule: drill.schedule,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 0,
            // The load's own bound, plus the downloads and the record.
            activeDeadlineSeconds: drill.loadTimeoutSeconds + 3600,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: "Never",
                ...(drill.serviceAccountName ? { serviceAccountName: drill.serviceAccountName } : {}),
                volumes: [{ name: "work", emptyDir: {} }],
                initContainers: [
                  step("fetch", s.uploaderImage, REDIS_DRILL_FETCH_SCRIPT),
                  step("check", s.image, REDIS_DRILL_CHECK_SCRIPT),
                ],
                containers: [step("report", s.uploaderImage, REDIS_DRILL_REPORT_SCRIPT)],
              },
            },
          },
        },
      },
    },
    { parent, provider: side.kubernetesProvider as KubernetesProvider },
  );
}
