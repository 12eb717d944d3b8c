import * as pulumi from "@pulumi/pulumi";
import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { CronJob } from "@pulumi/kubernetes/batch/v1";
import { Namespace, Secret } from "@pulumi/kubernetes/core/v1";
import type * as k8sInputs from "@pulumi/kubernetes/types/input";
import type { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import {
  BACKUP_OF_ANNOTATION,
  BACKUP_REGION_ANNOTATION,
  CronError,
  DRILL_RESULTS_PREFIX,
  parseCron,
} from "@drkit/posture";
import { ServiceIdentity, serviceLabels, serviceTags, validateServiceIdentity } from "../common/service";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  ownEntry,
  shown,
  validatedInput,
} from "../common/validation";
import { backupBucket } from "../kubernetes/backupBucket";
import { irsaRole, irsaServiceAccount } from "../kubernetes/irsa";
import { oidcProviderArnProblem } from "../kubernetes/validation";
import { NEON_PG_VERSIONS, NEON_REGIONS } from "./neonGeoReplica";
import {
  POSTGRES_DRILL_FETCH_SCRIPT,
  POSTGRES_DRILL_REPORT_SCRIPT,
  POSTGRES_DRILL_RESTORE_SCRIPT,
  POSTGRES_DUMP_SCRIPT,
  POSTGRES_UPLOAD_SCRIPT,
} from "./backupScripts";

/** How long the backups are kept by default, days: long enough to restore from before a slow-burning mistake. */
export const NEON_BACKUP_TIER_RETENTION_DAYS = {
  critical: 35,
  important: 14,
  standard: 7,
} as const satisfies Readonly<Record<string, number>>;

/** How often a restore drill proves the newest backup by default, per tier. */
export const NEON_DRILL_TIER_SCHEDULES = {
  critical: "30 4 * * *", // daily
  important: "30 4 * * 1", // weekly, Mondays
  standard: "30 4 1 * *", // monthly, the 1st
} as const satisfies Readonly<Record<string, string>>;

export const NEON_BACKUP_DEFAULTS = {
  schedule: "0 * * * *", // hourly
  pgVersion: 16,
  awsCliImage: "amazon/aws-cli:2.17.0",
} as const;

export interface NeonBackupArgs extends ServiceIdentity {
  /**
   * The database to back up, as a connection URI with its password (`postgresql://user:password@host/db`):
   * NeonGeoReplica's `primaryConnectionUri`. Kept in a Kubernetes Secret and handed to libpq through the
   * environment, never a command line. Host, user and password are read from it; the database is `database`.
   * A credential: pass it as a secret (NeonGeoReplica's output already is one); the component keeps it secret.
   */
  readonly connectionUri: pulumi.Input<string>;
  /** The database name: a lowercase PostgreSQL identifier (NeonGeoReplica's `database`). @default "app" */
  readonly database?: string;
  /** Neon region id of the database backed up (NeonGeoReplica's `primaryRegionId`), e.g. `aws-eu-central-1`. */
  readonly sourceRegionId: string;
  /**
   * AWS region of the cluster that runs the jobs and of the bucket the backups go to: another region than
   * the database's, so that a region loss takes the database or its backups, never both.
   */
  readonly region: string;
  /** IAM OIDC provider ARN of that cluster: the jobs' service accounts get IRSA roles through it. */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Namespace created for the jobs, a DNS label. @default - the component's name */
  readonly namespace?: string;
  /** When the backup runs: a 5-field cron expression (UTC). @default "0 * * * *" (hourly) */
  readonly schedule?: string;
  /**
   * When the restore drill runs: a 5-field cron expression (UTC).
   * @default - by tier: critical daily, important weekly, standard monthly (04:30 UTC)
   */
  readonly drillSchedule?: string;
  /**
   * Days every backup is kept, locked (Object Lock COMPLIANCE) and then expired: 1–3650.
   * @default - by tier: critical 35, important 14, standard 7
   */
  readonly retentionDays?: number;
  /**
   * Pushgateway base URL the jobs push their metrics to (`http(s)://host:port`). Without it nothing is pushed,
   * and each drill record says so.
   */
  readonly pushgatewayUrl?: pulumi.Input<string>;
  /** PostgreSQL major version of the database (14–18): the tools' image matches it. @default 16 */
  readonly pgVersion?: number;
  /** Image with pg_dump, pg_restore and psql. @default - `postgres:<pgVersion>` */
  readonly postgresImage?: string;
  /** Image with the AWS CLI and curl. @default "amazon/aws-cli:2.17.0" */
  readonly awsCliImage?: string;
}

const FIELDS: readonly (keyof NeonBackupArgs)[] = [
  "service",
  "tier",
  "connectionUri",
  "database",
  "sourceRegionId",
  "region",
  "oidcProviderArn",
  "namespace",
  "schedule",
  "drillSchedule",
  "retentionDays",
  "pushgatewayUrl",
  "pgVersion",
  "postgresImage",
  "awsCliImage",
];

const FIELD_HINT = "pass { service, tier, connectionUri, sourceRegionId, region, oidcProviderArn }";
const DATABASE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Object names are `<namespace>-backup`/`-drill`, and a CronJob's name is at most 52 characters. */
const NAMESPACE_MAX = 52 - "-backup".length;
const RETENTION_MAX_DAYS = 3_650;

function cronProblem(field: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string")
    return `\`${field}\` must be a 5-field cron expression such as "0 * * * *" (got ${shown(value)})`;
  try {
    parseCron(value);
    return undefined;
  } catch (err) {
    if (err instanceof CronError) return `\`${field}\` is ${err.message}`;
    throw err;
  }
}

/** The problem with a connection URI, plain now or when it resolves; never quoting it (it holds a password). */
function connectionUriProblem(value: unknown): string | undefined {
  const problem =
    "`connectionUri` must be a PostgreSQL connection URI with user, password and host (postgresql://user:password@host/db): pass NeonGeoReplica's `primaryConnectionUri`";
  if (typeof value !== "string") return problem;
  try {
    const url = new URL(value);
    return ["postgres:", "postgresql:"].includes(url.protocol) && url.hostname && url.username && url.password
      ? undefined
      : problem;
  } catch {
    return problem;
  }
}

/**
 * Every problem with the arguments, each naming the field, the value and the fix. Takes anything: YAML
 * config and JavaScript callers are not type-checked.
 */
export function validateNeonBackupArgs(args: unknown): string[] {
  const problems = new ArgsProblems();
  if (!checkArgsObject(args, FIELD_HINT, problems)) return [...problems.list];
  validateServiceIdentity(args as unknown as ServiceIdentity, problems);
  const uri = args.connectionUri;
  if (uri === undefined) problems.add(connectionUriProblem(uri) as string);
  else if (!pulumi.Output.isInstance(uri) && !(uri instanceof Promise)) {
    const problem = connectionUriProblem(uri);
    if (problem !== undefined) problems.add(problem);
  }
  if (checkPlain("database", args.database, problems) && args.database !== undefined)
    problems.check(
      typeof args.database === "string" && DATABASE_NAME.test(args.database),
      `\`database\` must be a lowercase PostgreSQL identifier (a-z, 0-9, _; not starting with a digit; at most 63) (got ${shown(args.database)})`,
    );
  const source = args.sourceRegionId;
  if (checkPlain("sourceRegionId", source, problems))
    problems.check(
      (NEON_REGIONS as readonly unknown[]).includes(source),
      `\`sourceRegionId\` must be the database's Neon region id (${NEON_REGIONS.join(", ")}) (got ${shown(source)}): pass NeonGeoReplica's \`primaryRegionId\``,
    );
  const region = args.region;
  if (checkPlain("region", region, problems)) {
    if (typeof region !== "string" || !AWS_REGION.test(region))
      problems.add(
        `\`region\` must be an AWS region such as eu-west-1, where the jobs' cluster and the bucket are (got ${shown(region)})`,
      );
    else if (source === `aws-${region}`)
      problems.add(
        `\`region\` ${shown(region)} is the database's own region (${String(source)}): the backups must be off-platform in another region, so that one region's loss cannot take both`,
      );
  }
  if (args.oidcProviderArn === undefined)
    problems.add(
      "`oidcProviderArn` is required: the IAM OIDC provider ARN of the cluster that runs the jobs (its IRSA roles may only put backups and drill records)",
    );
  else if (!pulumi.Output.isInstance(args.oidcProviderArn) && !(args.oidcProviderArn instanceof Promise)) {
    const problem = oidcProviderArnProblem("oidcProviderArn", args.oidcProviderArn);
    if (problem !== undefined) problems.add(problem);
  }
  if (checkPlain("namespace", args.namespace, problems) && args.namespace !== undefined)
    problems.check(
      typeof args.namespace === "string" &&
        DNS_LABEL.test(args.namespace) &&
        args.namespace.length <= NAMESPACE_MAX,
      `\`namespace\` must be a DNS label of at most ${NAMESPACE_MAX} characters (got ${shown(args.namespace)})`,
    );
  for (const field of ["schedule", "drillSchedule"] as const)
    if (checkPlain(field, args[field], problems)) {
      const problem = cronProblem(field, args[field]);
      if (problem !== undefined) problems.add(problem);
    }
  if (checkPlain("retentionDays", args.retentionDays, problems))
    checkWholeNumber(
      "retentionDays",
      args.retentionDays,
      {
        min: 1,
        max: RETENTION_MAX_DAYS,
        unit: "days",
        omitted: "the tier's (critical 35, important 14, standard 7)",
      },
      problems,
    );
  if (checkPlain("pgVersion", args.pgVersion, problems) && args.pgVersion !== undefined)
    problems.check(
      (NEON_PG_VERSIONS as readonly unknown[]).includes(args.pgVersion),
      `\`pgVersion\` must be one of ${NEON_PG_VERSIONS.join(", ")} (got ${shown(args.pgVersion)})`,
    );
  for (const field of ["postgresImage", "awsCliImage"] as const)
    if (checkPlain(field, args[field], problems) && args[field] !== undefined)
      problems.check(
        typeof args[field] === "string" && /^[^\s]+$/.test(args[field]),
        `\`${field}\` must be a container image reference without spaces (got ${shown(args[field])})`,
      );
  checkKnownFields("", args, FIELDS, problems);
  return [...problems.list];
}

/**
 * Off-platform logical backups of a Neon database, checked as they are written, and restore drills that
 * prove them. Two CronJobs in a cluster of another region than the database's: the backup (hourly by
 * default) dumps one snapshot with `pg_dump -Fc`, checks that the archive reads back, and uploads it with
 * its SHA-256 and a manifest of per-table row counts and checksums to an Object Lock bucket in that region;
 * the drill (per tier) restores the newest backup into a scratch PostgreSQL in its own Pod, compares every
 * table with the manifest, and writes a drill record beside the backups and metrics to a Pushgateway.
 *
 * Kubernetes objects go through the `kubernetes` provider given as a resource option (required: a default
 * provider could be any cluster); AWS resources through the `aws` provider given, else one for `region`.
 */
export class NeonBackup extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:NeonBackup";
  /** The Object Lock bucket the backups (under `<service>/postgres/`) and drill records (under `drills/`) go to. */
  readonly bucketName: pulumi.Output<string>;
  /** The key prefix of the backups in the bucket. */
  readonly backupPrefix: string;

  constructor(name: string, args: NeonBackupArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateNeonBackupArgs(args);
    // The namespace defaults to the component's name, which must then be one too.
    if (args.namespace === undefined && !(DNS_LABEL.test(name) && name.length <= NAMESPACE_MAX))
      problems.push(
        `the component's name ${shown(name)} is the jobs' namespace when \`namespace\` is not given, so it must be a DNS label of at most ${NAMESPACE_MAX} characters: rename it or pass \`namespace\``,
      );
    if (problems.length > 0) throw new InvalidArgsError("NeonBackup", name, problems);
    super(NeonBackup.__pulumiType, name, {}, opts);
    const kubernetes = this.getProvider("kubernetes:core/v1:Namespace") as KubernetesProvider | undefined;
    if (kubernetes === undefined)
      throw new InvalidArgsError("NeonBackup", name, [
        "no Kubernetes provider: pass the cluster of `region` as a resource option, `{ providers: [kubernetesProvider] }` (a default provider could point at any cluster)",
      ]);
    const aws =
      (this.getProvider("aws:s3/bucket:Bucket") as AwsProvider | undefined) ??
      new AwsProvider(`${name}-aws`, { region: args.region as never }, { parent: this });

    const namespace = args.namespace ?? name;
    const database = args.database ?? "app";
    const schedule = args.schedule ?? NEON_BACKUP_DEFAULTS.schedule;
    const drillSchedule =
      args.drillSchedule ??
      ownEntry(NEON_DRILL_TIER_SCHEDULES, args.tier) ??
      NEON_DRILL_TIER_SCHEDULES.standard;
    const retentionDays =
      args.retentionDays ??
      ownEntry(NEON_BACKUP_TIER_RETENTION_DAYS, args.tier) ??
      NEON_BACKUP_TIER_RETENTION_DAYS.standard;
    const pgVersion = args.pgVersion ?? NEON_BACKUP_DEFAULTS.pgVersion;
    const postgresImage = args.postgresImage ?? `postgres:${pgVersion}`;
    const awsCliImage = args.awsCliImage ?? NEON_BACKUP_DEFAULTS.awsCliImage;
    const prefix = `${args.service}/postgres/`;
    const recordsPrefix = `${DRILL_RESULTS_PREFIX}${args.service}/postgres/`;
    const tags = serviceTags(args);
    const labels = serviceLabels(args, args.region);
    const awsOpts = { parent: this, provider: aws };
    const k8sOpts = { parent: this, provider: kubernetes };

    // The bucket: Object Lock COMPLIANCE for the retention (nobody, root included, deletes a backup early),
    // and a lifecycle that expires each backup when its lock ends, so storage stays bounded.
    const { bucket, versioning } = backupBucket(`${name}-backups`, {
      parent: this,
      provider: aws,
      tags,
      retainOnDelete: true,
      objectLock: true,
    });
    new s3.BucketObjectLockConfiguration(
      `${name}-backups-object-lock`,
      { bucket: bucket.id, rule: { defaultRetention: { mode: "COMPLIANCE", days: retentionDays } } },
      { ...awsOpts, dependsOn: [versioning] },
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-backups-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-backups-after-retention",
            status: "Enabled",
            filter: { prefix },
            expiration: { days: retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
          },
        ],
      },
      { ...awsOpts, dependsOn: [versioning] },
    );

    // Least privilege: the backup may only put objects under its prefix; the drill may list and read them
    // and put records under its own prefix. Neither may delete or overwrite anything (Object Lock aside).
    const roleFor = (job: "backup" | "drill", statements: (arn: pulumi.Output<string>) => unknown[]) => {
      const role = irsaRole(`${name}-${job}`, {
        component: "NeonBackup",
        componentName: name,
        field: "oidcProviderArn",
        oidcProviderArn: args.oidcProviderArn,
        namespace,
        serviceAccountName: `${name}-${job}`,
        parent: this,
        provider: aws,
        tags,
      });
      const policy = new iam.Policy(
        `${name}-${job}`,
        {
          description: `The ${name} Neon ${job} job: ${job === "backup" ? `put backups under ${prefix}` : `read backups under ${prefix}, put records under ${recordsPrefix}`}`,
          policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements(bucket.arn) }),
          tags,
        },
        awsOpts,
      );
      new iam.RolePolicyAttachment(`${name}-${job}`, { role: role.id, policyArn: policy.arn }, awsOpts);
      return role;
    };
    const backupRole = roleFor("backup", (arn) => [
      {
        Sid: "PutBackups",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [pulumi.interpolate`${arn}/${prefix}*`],
      },
    ]);
    const drillRole = roleFor("drill", (arn) => [
      {
        Sid: "ListBackups",
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: [arn],
        Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } },
      },
      {
        Sid: "GetBackups",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: [pulumi.interpolate`${arn}/${prefix}*`],
      },
      {
        Sid: "PutDrillRecords",
        Effect: "Allow",
        Action: ["s3:PutObject"],
        Resource: [pulumi.interpolate`${arn}/${recordsPrefix}*`],
      },
    ]);

    const ns = new Namespace(`${name}-namespace`, { metadata: { name: namespace, labels } }, k8sOpts);
    const account = (job: "backup" | "drill", role: iam.Role) =>
      irsaServiceAccount(`${name}-${job}`, {
        serviceAccountName: `${name}-${job}`,
        namespace,
        labels,
        role,
        parent: this,
        provider: kubernetes,
        dependsOn: [ns],
      });
    const backupAccount = account("backup", backupRole);
    const drillAccount = account("drill", drillRole);

    // The source's libpq parts, from the URI, in a Secret: the jobs read them as environment variables.
    // Checked when it resolves. A Neon project always has one once created; only a mock runtime's update,
    // where Neon computes nothing, resolves none: the Secret then has no fields, and the job would fail loudly.
    const uri = validatedInput<string | undefined>("NeonBackup", name, args.connectionUri, (value) =>
      value === undefined ? undefined : connectionUriProblem(value),
    ).apply((value) => (value === undefined ? undefined : new URL(value)));
    const secret = new Secret(
      `${name}-source`,
      {
        metadata: { name: `${name}-source`, namespace, labels },
        stringData: pulumi.secret(
          uri.apply((u): Record<string, string> =>
            u === undefined
              ? {}
              : {
                  host: u.hostname,
                  port: u.port || "5432",
                  user: decodeURIComponent(u.username),
                  password: decodeURIComponent(u.password),
                },
          ),
        ),
      },
      { ...k8sOpts, dependsOn: [ns], additionalSecretOutputs: ["stringData", "data"] },
    );
    const fromSecret = (variable: string, key: string) => ({
      name: variable,
      valueFrom: { secretKeyRef: { name: secret.metadata.name, key } },
    });
    const plain = (variable: string, value: pulumi.Input<string>) => ({ name: variable, value });
    const work = { name: "work", mountPath: "/work" };
    const common = [plain("WORK", "/work"), plain("SERVICE", args.service), plain("TIER", args.tier)];
    const push = args.pushgatewayUrl === undefined ? [] : [plain("PUSHGATEWAY_URL", args.pushgatewayUrl)];
    const bucketEnv = [
      plain("BUCKET", bucket.bucket),
      plain("BUCKET_REGION", args.region),
      plain("PREFIX", prefix),
    ];
    const bash = (script: string) => ["bash", "-c", script];

    const cronJob = (
      job: "backup" | "drill",
      cron: string,
      pod: Pick<k8sInputs.core.v1.PodSpec, "initContainers" | "containers">,
      annotations: Record<string, string>,
      dependsOn: pulumi.Resource[],
    ) =>
      new CronJob(
        `${name}-${job}`,
        {
          metadata: { name: `${namespace}-${job}`, namespace, labels, annotations },
          spec: {
            schedule: cron,
            timeZone: "Etc/UTC",
            concurrencyPolicy: "Forbid",
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: {
              spec: {
                backoffLimit: 1,
                template: {
                  metadata: { labels },
                  spec: {
                    restartPolicy: "Never",
                    serviceAccountName: `${name}-${job}`,
                    volumes: [{ name: "work", emptyDir: {} }],
                    ...pod,
                  },
                },
              },
            },
          },
        },
        { ...k8sOpts, dependsOn },
      );

    // Read by the posture model: which database it backs up, to which region (the bucket in its inputs
    // shows where and how long; the annotation alone is a claim).
    cronJob(
      "backup",
      schedule,
      {
        initContainers: [
          {
            name: "dump",
            image: postgresImage,
            command: bash(POSTGRES_DUMP_SCRIPT),
            env: [
              ...common,
              fromSecret("SOURCE_HOST", "host"),
              fromSecret("SOURCE_PORT", "port"),
              fromSecret("SOURCE_USER", "user"),
              fromSecret("SOURCE_PASSWORD", "password"),
              plain("SOURCE_DATABASE", database),
              plain("SSLMODE", "require"),
            ],
            volumeMounts: [work],
          },
        ],
        containers: [
          {
            name: "upload",
            image: awsCliImage,
            command: bash(POSTGRES_UPLOAD_SCRIPT),
            env: [...common, ...bucketEnv, ...push],
            volumeMounts: [work],
          },
        ],
      },
      { [BACKUP_OF_ANNOTATION]: database, [BACKUP_REGION_ANNOTATION]: args.region },
      [backupAccount, secret],
    );
    // The drill needs no credential of the database: it restores into a PostgreSQL of its own, a native
    // sidecar (Kubernetes ≥ 1.29) listening on the Pod's loopback only, gone with the Pod.
    cronJob(
      "drill",
      drillSchedule,
      {
        initContainers: [
          {
            name: "fetch",
            image: awsCliImage,
            command: bash(POSTGRES_DRILL_FETCH_SCRIPT),
            env: [...common, ...bucketEnv],
            volumeMounts: [work],
          },
          {
            name: "scratch-postgres",
            image: postgresImage,
            restartPolicy: "Always",
            args: ["-c", "listen_addresses=127.0.0.1"],
            env: [plain("POSTGRES_HOST_AUTH_METHOD", "trust")],
            startupProbe: {
              exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] },
              periodSeconds: 2,
              failureThreshold: 60,
            },
          },
          {
            name: "restore",
            image: postgresImage,
            command: bash(POSTGRES_DRILL_RESTORE_SCRIPT),
            env: [
              ...common,
              ...push,
              plain("TARGET_HOST", "127.0.0.1"),
              plain("TARGET_PORT", "5432"),
              plain("TARGET_USER", "postgres"),
            ],
            volumeMounts: [work],
          },
        ],
        containers: [
          {
            name: "report",
            image: awsCliImage,
            command: bash(POSTGRES_DRILL_REPORT_SCRIPT),
            env: [
              ...common,
              ...push,
              plain("RECORDS_BUCKET", bucket.bucket),
              plain("RECORDS_BUCKET_REGION", args.region),
            ],
            volumeMounts: [work],
          },
        ],
      },
      {},
      [drillAccount],
    );

    this.bucketName = bucket.bucket;
    this.backupPrefix = prefix;
    this.registerOutputs({
      service: args.service,
      tier: args.tier,
      database,
      sourceRegionId: args.sourceRegionId,
      region: args.region,
      schedule,
      drillSchedule,
      retentionDays,
      bucketName: this.bucketName,
      backupPrefix: prefix,
      recordsPrefix,
      pushgatewayConfigured: args.pushgatewayUrl !== undefined,
    });
  }
}
