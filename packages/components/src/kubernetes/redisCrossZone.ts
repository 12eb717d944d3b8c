import * as pulumi from "@pulumi/pulumi";
import * as s3 from "@pulumi/aws/s3";
import { Provider as RandomProvider, RandomPassword } from "@pulumi/random";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import { Secret } from "@pulumi/kubernetes/core/v1";
import { CronJob } from "@pulumi/kubernetes/batch/v1";
// The release module alone: the helm/v3 index also loads Chart and its YAML machinery (about 40 ms).
import { Release } from "@pulumi/kubernetes/helm/v3/release";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import type { RegionPairSides } from "../common/regions";
import { ServiceIdentity, serviceLabels, serviceTags, validateServiceIdentity } from "../common/service";
import { ArgsProblems, InvalidArgsError, shown } from "../common/validation";
import { checkCron, isDnsLabel, isDnsSubdomain } from "./validation";

export const REDIS_API_VERSION = "redis.redis.opstreelabs.in/v1beta2";
/** Marks recovery copies (a warm standby) for the posture model. */
export const ROLE_LABEL = "drkit.dev/role";
const ZONE_KEY = "topology.kubernetes.io/zone";

/**
 * Runs before Redis starts in each standby pod, with the pod's data volume at `$DATA_DIR`: loads the
 * newest snapshot under `s3://$BUCKET/$NAME/` into an empty volume, so the standby comes up holding the
 * latest backup. It never touches a volume that already holds data: a standby that has taken over after
 * a failover keeps its writes across restarts.
 *
 * The opstree Redis image runs with `appendonly yes`, `appendfilename "appendonly.aof"` and `dir /data`
 * when persistence is on, so Redis ignores a `dump.rdb` there and reads `appendonly.aof` instead. Redis 7
 * takes a lone `appendonly.aof` as an old-style AOF (moving it into `appendonlydir`), and an AOF that
 * begins with "REDIS" is read as an RDB preamble: the snapshot is restored by naming it `appendonly.aof`.
 * It is downloaded under a temporary name first, so a half-finished download never looks like data.
 *
 * Snapshot keys are `<UTC timestamp YYYYMMDDTHHMMSSZ>.rdb` (what the backup Job writes), so the
 * lexicographically last key is the newest. A failed listing (no read access, wrong bucket) fails the
 * init container, and so the pod, visibly, rather than starting an empty standby.
 */
export const REDIS_RESTORE_SCRIPT = String.raw`set -eu
for existing in appendonly.aof appendonlydir dump.rdb; do
  if [ -e "$DATA_DIR/$existing" ]; then
    echo "drkit: $DATA_DIR/$existing exists: keeping the data this volume holds"
    exit 0
  fi
done
keys=$(aws s3api list-objects-v2 --bucket "$BUCKET" --prefix "$NAME/" --region "$BUCKET_REGION" --query 'Contents[].Key' --output text)
latest=$(printf '%s\n' "$keys" | tr '\t' '\n' | grep '\.rdb$' | sort | tail -n 1 || true)
if [ -z "$latest" ]; then
  echo "drkit: no snapshot under s3://$BUCKET/$NAME/ yet: starting empty"
  exit 0
fi
aws s3 cp "s3://$BUCKET/$latest" "$DATA_DIR/.drkit-restore.partial" --region "$BUCKET_REGION"
mv "$DATA_DIR/.drkit-restore.partial" "$DATA_DIR/appendonly.aof"
echo "drkit: restored s3://$BUCKET/$latest into $DATA_DIR/appendonly.aof"
`;

export interface RedisBackupArgs {
  /** 5-field cron. @default "0 * * * *" (hourly) */
  readonly cron?: string;
  /** Days an RDB snapshot is kept in the bucket. @default 7 */
  readonly retentionDays?: number;
  /**
   * Service account the backup Job runs as (IRSA: write access to the backup bucket).
   * @default - the namespace's default service account
   */
  readonly serviceAccountName?: string;
}

export interface RedisCrossZoneArgs extends ServiceIdentity {
  /** Redis runs in the primary cluster; backups go to the secondary region. */
  readonly regions: RegionPairSides;
  /** @default "redis" */
  readonly namespace?: string;
  /** Redis pods (≥ 3: a primary and two replicas). @default 3 */
  readonly replicas?: number;
  /**
   * Zones the pods must spread over (`minDomains` of a hard `topology.kubernetes.io/zone` spread, ≥ 2).
   * @default 2
   */
  readonly zones?: number;
  /** Persistent volume per pod, GiB. @default 10 */
  readonly storageGi?: number;
  /** @default - the cluster's default storage class */
  readonly storageClassName?: string;
  /** @default "quay.io/opstree/redis:v7.0.15" */
  readonly image?: string;
  /** @default "quay.io/opstree/redis-sentinel:v7.0.15" */
  readonly sentinelImage?: string;
  /** Image with the AWS CLI, uploading the snapshot. @default "amazon/aws-cli:2.17.0" */
  readonly uploaderImage?: string;
  /** @default - hourly, kept 7 days */
  readonly backup?: RedisBackupArgs;
  /**
   * Install the OT-Container-Kit redis-operator with its Helm chart; requires `operatorChartVersion`.
   * @default false (the operator is already installed)
   */
  readonly installOperator?: boolean;
  /** The redis-operator chart version to install: pin the one you tested. */
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
}

export function validateRedisCrossZoneArgs(args: RedisCrossZoneArgs): string[] {
  const problems = new ArgsProblems();
  validateServiceIdentity(args, problems);
  const replicas = args.replicas ?? 3;
  const zones = args.zones ?? 2;
  problems.check(
    Number.isInteger(replicas) && replicas >= 3,
    `\`replicas\` must be a whole number ≥ 3, a primary and two replicas (got ${shown(args.replicas)})`,
  );
  problems.check(
    Number.isInteger(zones) && zones >= 2 && zones <= replicas,
    `\`zones\` must be a whole number from 2 to \`replicas\` (got ${shown(args.zones)}): fewer than 2 zones cannot survive a zone loss`,
  );
  problems.check(
    args.storageGi === undefined || (Number.isInteger(args.storageGi) && args.storageGi >= 1),
    `\`storageGi\` must be a whole number ≥ 1 (got ${shown(args.storageGi)})`,
  );
  problems.check(
    args.namespace === undefined || isDnsLabel(args.namespace),
    `\`namespace\` must be a DNS label (got ${shown(args.namespace)})`,
  );
  if (args.backup?.cron !== undefined) checkCron("backup.cron", args.backup.cron, problems);
  const retention = args.backup?.retentionDays;
  problems.check(
    retention === undefined || (Number.isInteger(retention) && retention >= 1),
    `\`backup.retentionDays\` must be a whole number ≥ 1 (got ${shown(retention)}); omit it to keep 7 days`,
  );
  problems.check(
    args.installOperator !== true ||
      (typeof args.operatorChartVersion === "string" && args.operatorChartVersion !== ""),
    "`operatorChartVersion` is required with `installOperator`: pin the redis-operator chart version you tested",
  );
  problems.check(
    args.regions.primary.kubernetesProvider !== undefined,
    "`regions.primary` has no Kubernetes provider: give DrRegionPair a `primaryKubeconfig`",
  );
  problems.check(
    args.standby !== true || args.regions.secondary.kubernetesProvider !== undefined,
    "`regions.secondary` has no Kubernetes provider, which `standby` needs: give DrRegionPair a `secondaryKubeconfig`",
  );
  for (const [field, value] of [
    ["backup.serviceAccountName", args.backup?.serviceAccountName],
    ["standbyServiceAccountName", args.standbyServiceAccountName],
  ] as const)
    problems.check(
      value === undefined || isDnsSubdomain(value),
      `\`${field}\` must be a Kubernetes object name: lowercase letters, digits, '-' and '.' (got ${shown(value)})`,
    );
  problems.check(
    args.standbyServiceAccountName === undefined || args.standby === true,
    "`standbyServiceAccountName` only applies with `standby: true`: set `standby` or drop the service account",
  );
  problems.check(
    args.regions.primary.region !== args.regions.secondary.region,
    `\`regions\` must name two different regions (both ${shown(args.regions.primary.region)}): backups must leave the region`,
  );
  return [...problems.list];
}

/**
 * Redis on the OT-Container-Kit operator: a replicated Redis with Sentinel, spread over zones with a
 * hard topology constraint, its password generated and kept secret, and an hourly RDB snapshot uploaded
 * to a bucket in the other region, optionally with a warm standby there.
 */
export class RedisCrossZone extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:RedisCrossZone";
  readonly password: pulumi.Output<string>;
  /** The Kubernetes Secret (in `namespace`, in each cluster) holding the password: export this, not it. */
  readonly passwordSecretName: string;
  readonly backupBucketName: pulumi.Output<string>;

  constructor(name: string, args: RedisCrossZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super(RedisCrossZone.__pulumiType, name, {}, opts);
    const problems = validateRedisCrossZoneArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("RedisCrossZone", name, problems);

    const namespace = args.namespace ?? "redis";
    const replicas = args.replicas ?? 3;
    const zones = args.zones ?? 2;
    const image = args.image ?? "quay.io/opstree/redis:v7.0.15";
    const sentinelImage = args.sentinelImage ?? "quay.io/opstree/redis-sentinel:v7.0.15";
    const cron = args.backup?.cron ?? "0 * * * *";
    const retentionDays = args.backup?.retentionDays ?? 7;
    const { primary, secondary } = args.regions;
    const uploaderImage = args.uploaderImage ?? "amazon/aws-cli:2.17.0";

    // Its own provider, so the component works in stacks that disable default providers.
    const random = new RandomProvider(`${name}-random`, {}, { parent: this });
    const password = new RandomPassword(
      `${name}-password`,
      { length: 32, special: false },
      { parent: this, provider: random },
    );
    this.password = pulumi.secret(password.result);
    const secretName = `${name}-auth`;
    this.passwordSecretName = secretName;

    // Backups land in the other region directly: a region loss cannot take them.
    const tags = serviceTags(args);
    const bucket = new s3.Bucket(
      `${name}-backups`,
      { tags },
      { parent: this, provider: secondary.awsProvider, retainOnDelete: true },
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-backups-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      { parent: this, provider: secondary.awsProvider },
    );
    new s3.BucketPublicAccessBlock(
      `${name}-backups-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      { parent: this, provider: secondary.awsProvider },
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-backups-retention`,
      {
        bucket: bucket.id,
        rules: [
          { id: "expire-snapshots", status: "Enabled", filter: {}, expiration: { days: retentionDays } },
        ],
      },
      { parent: this, provider: secondary.awsProvider },
    );
    this.backupBucketName = bucket.bucket;

    // The operator runs `initContainer` in every Redis pod with the data volume mounted at /data.
    const restoreFromLatestBackup = {
      initContainer: {
        enabled: true,
        image: uploaderImage,
        imagePullPolicy: "IfNotPresent",
        command: ["sh", "-c", REDIS_RESTORE_SCRIPT],
        env: [
          { name: "DATA_DIR", value: "/data" },
          { name: "BUCKET", value: bucket.bucket },
          { name: "BUCKET_REGION", value: secondary.region },
          { name: "NAME", value: name },
        ],
      },
      ...(args.standbyServiceAccountName ? { serviceAccountName: args.standbyServiceAccountName } : {}),
    };

    /** The CRs and their secret in one cluster. */
    const deploy = (
      role: "primary" | "standby",
      provider: KubernetesProvider,
      region: string,
      dependsOn: pulumi.Resource[],
    ) => {
      const suffix = role === "primary" ? "" : "-standby";
      // A standby is a recovery copy: the posture model must not count it as a second data source.
      const labels = {
        ...serviceLabels(args, region),
        ...(role === "standby" ? { [ROLE_LABEL]: "standby" } : {}),
      };
      const auth = new Secret(
        `${name}${suffix}-auth`,
        {
          metadata: { name: secretName, namespace, labels },
          stringData: { password: this.password },
        },
        // @pulumi/kubernetes marks a Secret's `data` and `stringData` as secret outputs itself.
        { parent: this, provider, dependsOn },
      );
      // The operator labels pods `app: <StatefulSet name>`: a RedisReplication `x` runs as StatefulSet `x`,
      // a RedisSentinel `x` as `x-sentinel`. The spread counts those pods per zone, and `minDomains` keeps
      // them from piling into one zone while others have room. A selector that matches no pod spreads nothing.
      const spread = (app: string) => [
        {
          maxSkew: 1,
          minDomains: zones,
          topologyKey: ZONE_KEY,
          whenUnsatisfiable: "DoNotSchedule",
          labelSelector: { matchLabels: { app } },
        },
      ];
      const replication = new CustomResource(
        `${name}${suffix}`,
        {
          apiVersion: REDIS_API_VERSION,
          kind: "RedisReplication",
          metadata: { name, namespace, labels },
          spec: {
            clusterSize: replicas,
            kubernetesConfig: {
              image,
              imagePullPolicy: "IfNotPresent",
              redisSecret: { name: secretName, key: "password" },
            },
            storage: {
              volumeClaimTemplate: {
                spec: {
                  accessModes: ["ReadWriteOnce"],
                  ...(args.storageClassName ? { storageClassName: args.storageClassName } : {}),
                  resources: { requests: { storage: `${args.storageGi ?? 10}Gi` } },
                },
              },
            },
            topologySpreadConstraints: spread(name),
            // One pod may be disrupted at a time: the primary and one replica always stay.
            pdb: { enabled: true, minAvailable: replicas - 1 },
            ...(role === "standby" ? restoreFromLatestBackup : {}),
          },
        },
        { parent: this, provider, dependsOn: [auth, ...dependsOn] },
      );
      new CustomResource(
        `${name}${suffix}-sentinel`,
        {
          apiVersion: REDIS_API_VERSION,
          kind: "RedisSentinel",
          metadata: { name: `${name}-sentinel`, namespace, labels },
          spec: {
            clusterSize: 3,
            kubernetesConfig: { image: sentinelImage, imagePullPolicy: "IfNotPresent" },
            redisSentinelConfig: {
              redisReplicationName: name,
              redisReplicationPassword: { secretKeyRef: { name: secretName, key: "password" } },
              quorum: "2",
            },
            topologySpreadConstraints: spread(`${name}-sentinel-sentinel`),
            pdb: { enabled: true, minAvailable: 2 },
          },
        },
        { parent: this, provider, dependsOn: [replication] },
      );
      return replication;
    };

    const primaryCluster = primary.kubernetesProvider as KubernetesProvider;
    const operator = (provider: KubernetesProvider, role: string) =>
      args.installOperator
        ? [
            new Release(
              `${name}-operator-${role}`,
              {
                chart: "redis-operator",
                version: args.operatorChartVersion,
                repositoryOpts: { repo: "https://ot-container-kit.github.io/helm-charts" },
                namespace,
                createNamespace: true,
              },
              { parent: this, provider },
            ),
          ]
        : [];
    deploy("primary", primaryCluster, primary.region, operator(primaryCluster, "primary"));
    if (args.standby) {
      const secondaryCluster = secondary.kubernetesProvider as KubernetesProvider;
      deploy("standby", secondaryCluster, secondary.region, operator(secondaryCluster, "secondary"));
    }

    const backupLabels = serviceLabels(args, primary.region);
    new CronJob(
      `${name}-backup`,
      {
        metadata: {
          name: `${name}-backup`,
          namespace,
          labels: backupLabels,
          // Read by the posture model: what is backed up, and to which region.
          annotations: {
            "drkit.dev/backup-of": name,
            "drkit.dev/backup-destination-region": secondary.region,
          },
        },
        spec: {
          schedule: cron,
          concurrencyPolicy: "Forbid",
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 3,
          jobTemplate: {
            spec: {
              backoffLimit: 2,
              template: {
                metadata: { labels: backupLabels },
                spec: {
                  restartPolicy: "OnFailure",
                  ...(args.backup?.serviceAccountName
                    ? { serviceAccountName: args.backup.serviceAccountName }
                    : {}),
                  volumes: [{ name: "snapshot", emptyDir: {} }],
                  initContainers: [
                    {
                      name: "rdb",
                      image,
                      // Streams a consistent RDB snapshot from the primary (through its -master service).
                      command: [
                        "sh",
                        "-c",
                        'redis-cli -h "$REDIS_HOST" --no-auth-warning -a "$REDIS_PASSWORD" --rdb /snapshot/dump.rdb',
                      ],
                      env: [
                        { name: "REDIS_HOST", value: `${name}-master` },
                        {
                          name: "REDIS_PASSWORD",
                          valueFrom: { secretKeyRef: { name: secretName, key: "password" } },
                        },
                      ],
                      volumeMounts: [{ name: "snapshot", mountPath: "/snapshot" }],
                    },
                  ],
                  containers: [
                    {
                      name: "upload",
                      image: uploaderImage,
                      command: [
                        "sh",
                        "-c",
                        'aws s3 cp /snapshot/dump.rdb "s3://$BUCKET/$NAME/$(date -u +%Y%m%dT%H%M%SZ).rdb" --region "$BUCKET_REGION"',
                      ],
                      env: [
                        { name: "BUCKET", value: bucket.bucket },
                        { name: "BUCKET_REGION", value: secondary.region },
                        { name: "NAME", value: name },
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
      { parent: this, provider: primaryCluster },
    );

    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      zones,
      replicas,
      standbyRegion: args.standby ? secondary.region : null,
      passwordSecretName: secretName,
      backupBucketName: bucket.bucket,
      backupRegion: secondary.region,
    });
  }
}
