// The reference dual-region platform, driven entirely by stack config (see Pulumi.prod.yaml at the
// repository root). Every component goes through one DrRegionPair, so every child names its region.
import * as pulumi from "@pulumi/pulumi";
import {
  ArgsProblems,
  DrRegionPair,
  DrRegionPairArgs,
  FAILOVER_MANIFEST_OUTPUT,
  FailoverManifest,
  FailoverRecordSpec,
  NeonBackup,
  NeonBackupArgs,
  NeonGeoReplica,
  NeonGeoReplicaArgs,
  NeonPlan,
  ObjectLockBucket,
  ObjectLockBucketArgs,
  PulumiStateBackend,
  PulumiStateBackendArgs,
  STATE_BACKEND_OUTPUTS,
  RedisCrossZone,
  RedisCrossZoneArgs,
  RegionPairSides,
  Route53Failover,
  Route53FailoverArgs,
  RetentionMode,
  ServiceIdentity,
  VeleroSchedule,
  VeleroScheduleArgs,
  DrDashboard,
  DrHealthMonitor,
  DrHealthMonitorArgs,
  MonitorCluster,
  REDIS_DEFAULTS,
  validateDrHealthMonitorArgs,
  VeleroScheduleSpec,
  VeleroDrill,
  RedisDrill,
  checkBoolean,
  isPlainObject,
  shown,
  checkKnownKeys,
  validateDrRegionPairArgs,
  validateNeonBackupArgs,
  validateNeonGeoReplicaArgs,
  validateObjectLockBucketArgs,
  validatePulumiStateBackendArgs,
  validateRedisCrossZoneArgs,
  validateRoute53FailoverArgs,
  validateServiceIdentity,
  validateVeleroScheduleArgs,
} from "@drkit/components";
// The components' own did-you-mean for unknown keys (not yet part of their public API).

interface AliasTarget {
  name: string;
  zoneId: string;
}

export interface ServiceConfig {
  /** service name (a DNS label); becomes the drkit:service tag */
  name: string;
  /** critical | important | standard, or a tier of your policy config */
  tier: string;
  /** an Object Lock bucket replicated to the secondary region */
  bucket?: { retentionDays?: number; retentionMode?: RetentionMode; replicateDeleteMarkers?: boolean };
  /** DNS between the regions */
  dns?: {
    zoneId: string;
    recordName: string;
    primary: { alias?: AliasTarget; value?: string };
    secondary: { alias?: AliasTarget; value?: string };
    /** `failover`: health-check-driven records here; `failover-stack`: weighted records owned by stacks/failover */
    routing?: "failover" | "failover-stack";
    arc?: boolean;
    ttlSeconds?: number;
  };
  /** Velero backups of the primary cluster, restorable in the secondary one (needs kubeconfigs) */
  velero?: {
    schedules: VeleroScheduleSpec[];
    /** a restore drill in the secondary cluster (VeleroSchedule's `drill`, checked by the component) */
    drill?: VeleroDrill;
  };
  /** Redis spread over zones with backups to the secondary region (needs kubeconfigs) */
  redis?: {
    replicas?: number;
    backupCron?: string;
    /** a warm standby in the secondary cluster, loaded from the newest backup */
    standby?: boolean;
    /** service account of the backup Job (IRSA: write access to the backup bucket) */
    backupServiceAccountName?: string;
    /** service account of the standby pods (IRSA: read access to the backup bucket) */
    standbyServiceAccountName?: string;
    /** restore drills of the snapshots (RedisCrossZone's `drill`, checked by the component) */
    drill?: RedisDrill;
  };
  /** Neon Postgres with a standby project in another Neon region */
  neon?: {
    primaryRegionId: string;
    standbyRegionId: string;
    plan?: NeonPlan;
    database?: string;
    /** off-platform backups and restore drills (NeonBackup), in the cluster outside the database's region */
    backup?: NeonBackupConfig;
  };
  /**
   * A DR health monitor per Velero, Redis and Neon part (PrometheusRules with thresholds derived from the
   * tier's target), when the kubeconfigs are set. `false` leaves the service unwatched. Default true.
   */
  monitor?: boolean;
}

/** A NeonBackup's settings (needs the kubeconfigs): the rest comes from the service and its database. */
export interface NeonBackupConfig {
  /** IAM OIDC provider ARN of the cluster that runs the jobs (its IRSA roles) */
  oidcProviderArn: string;
  schedule?: string;
  drillSchedule?: string;
  retentionDays?: number;
  pushgatewayUrl?: string;
}

/** Where Pulumi state lives (`drkit-platform:stateBackend`): a PulumiStateBackend, judged as a service. */
export interface StateBackendConfig {
  /** its service name (a DNS label), also the component's name */
  name: string;
  /** its tier: the RPO/RTO targets the state must meet */
  tier: string;
  noncurrentVersionRetentionDays?: number;
  recordsRetentionDays?: number;
  breakGlassRoleArn?: string;
}

export interface PlatformConfig {
  regions: { primary: string; secondary: string };
  services: ServiceConfig[];
  /** the service whose record set stacks/failover flips */
  failoverService?: string;
  alarmTopicArn?: string;
  defaultTags?: Record<string, string>;
  /** kubeconfigs of the two clusters (secret config), needed by velero and redis services */
  kubeconfigs?: { primary: pulumi.Output<string>; secondary: pulumi.Output<string> };
  stateBackend?: StateBackendConfig;
}

const NAMESPACE = "drkit-platform";
const key = (k: string) => `\`${NAMESPACE}:${k}\``;

/** The platform's settings (`drkit-platform:<key>`). */
const CONFIG_KEYS = [
  "regions",
  "services",
  "failoverService",
  "alarmTopicArn",
  "defaultTags",
  "stateBackend",
  "primaryKubeconfig",
  "secondaryKubeconfig",
];
const SERVICE_KEYS = ["name", "tier", "bucket", "dns", "velero", "redis", "neon", "monitor"];
/** What each part of a service accepts: the fields the build below passes on. */
const PART_KEYS = {
  bucket: ["retentionDays", "retentionMode", "replicateDeleteMarkers"],
  dns: ["zoneId", "recordName", "primary", "secondary", "routing", "arc", "ttlSeconds"],
  velero: ["schedules", "drill"],
  redis: [
    "replicas",
    "backupCron",
    "standby",
    "backupServiceAccountName",
    "standbyServiceAccountName",
    "drill",
  ],
  neon: ["primaryRegionId", "standbyRegionId", "plan", "database", "backup"],
} as const satisfies Readonly<Record<string, readonly string[]>>;
const NEON_BACKUP_KEYS = ["oidcProviderArn", "schedule", "drillSchedule", "retentionDays", "pushgatewayUrl"];
const PARTS = Object.keys(PART_KEYS);
const KUBERNETES_PARTS = ["velero", "redis"];
const ROUTINGS = ["failover", "failover-stack"];

/**
 * What an encrypted (`secure:`) config value reads as when drkit checks the program offline, with no key
 * to decrypt it: `ENCRYPTED_PLACEHOLDER` of @drkit/cli, which the deployed program does not depend on (its
 * test pins the two together). `pulumi up` decrypts every value before the program runs, so the program
 * only ever sees it under `drkit check`.
 */
export const OFFLINE_ENCRYPTED_PLACEHOLDER = "[encrypted: not decrypted offline]";

/** The problems of one service, or of the platform, as they are found: each names its config key. */
class ConfigProblems extends ArgsProblems {
  /** A string (required unless `optional`). */
  text(path: string, value: unknown, optional = true): value is string | undefined {
    if ((optional && value === undefined) || typeof value === "string") return true;
    this.add(`${key(path)} must be a string (got ${shown(value)})`);
    return false;
  }

  /** A number: ranges are the component's to judge. */
  number(path: string, value: unknown): value is number | undefined {
    if (value === undefined || typeof value === "number") return true;
    this.add(
      `${key(path)} must be a number (got ${shown(value)})${typeof value === "string" ? ": write it without quotes" : ""}`,
    );
    return false;
  }

  boolean(path: string, value: unknown): value is boolean | undefined {
    return checkBoolean(`${NAMESPACE}:${path}`, value, this);
  }

  /** An object (a YAML mapping) whose keys are all `known`; false when it is not an object. */
  object(
    path: string,
    value: unknown,
    known: readonly string[],
    example: string,
  ): value is Record<string, unknown> {
    if (!isPlainObject(value)) {
      this.add(`${key(path)} must be a mapping such as ${example} (got ${shown(value)})`);
      return false;
    }
    const part = path.replace(/^services\[\d+\]\.?/, "");
    const what = part === "" ? "a setting of a service" : `a setting of a service's \`${part}\``;
    checkKnownKeys(`${NAMESPACE}:${path}`, value, known, what, this);
    return true;
  }
}

/** A DNS label, as the components require of a service name and a tier (both become tags and labels). */
function checkIdentity(at: string, name: unknown, tier: unknown, problems: ConfigProblems): void {
  const identity = new ArgsProblems();
  validateServiceIdentity({ service: name, tier } as ServiceIdentity, identity);
  // Named as the config names them: the component's `service` is the service's `name`.
  for (const problem of identity.list)
    problems.add(problem.replace(/^`service`/, key(`${at}.name`)).replace(/^`tier`/, key(`${at}.tier`)));
}

/**
 * The region pair the components' own validators see before the real one exists: each side's region and
 * stand-ins for its providers, which answer `isInstance` as the pair's will and are never registered.
 * So every component's checks run on exactly the arguments the build passes, before any resource exists.
 */
function standInRegions(regions: { primary: string; secondary: string }): RegionPairSides {
  const provider = (type: string) => ({ __pulumiType: `pulumi:providers:${type}` }) as never;
  const side = (region: string) => ({
    region,
    awsProvider: provider("aws"),
    // Missing kubeconfigs are the platform's to report, in its own terms.
    kubernetesProvider: provider("kubernetes"),
  });
  return {
    primaryRegion: regions.primary,
    secondaryRegion: regions.secondary,
    primary: side(regions.primary),
    secondary: side(regions.secondary),
  };
}

/** The structure of one service: types, keys, required fields. True when its parts can be built. */
function checkServiceShape(i: number, service: unknown, problems: ConfigProblems): boolean {
  const at = `services[${i}]`;
  if (
    !problems.object(
      at,
      service,
      SERVICE_KEYS,
      "{ name: orders, tier: critical, bucket: { retentionDays: 30 } }",
    )
  )
    return false;
  const before = problems.list.length;
  checkIdentity(at, service.name, service.tier, problems);
  const { bucket, dns, velero, redis, neon } = service;
  if (
    bucket !== undefined &&
    problems.object(`${at}.bucket`, bucket, PART_KEYS.bucket, "{ retentionDays: 30 }")
  ) {
    problems.number(`${at}.bucket.retentionDays`, bucket.retentionDays);
    problems.text(`${at}.bucket.retentionMode`, bucket.retentionMode);
    problems.boolean(`${at}.bucket.replicateDeleteMarkers`, bucket.replicateDeleteMarkers);
  }
  if (
    dns !== undefined &&
    problems.object(`${at}.dns`, dns, PART_KEYS.dns, "{ zoneId, recordName, primary, secondary }")
  ) {
    problems.text(`${at}.dns.zoneId`, dns.zoneId, false);
    problems.text(`${at}.dns.recordName`, dns.recordName, false);
    for (const side of ["primary", "secondary"]) {
      const endpoint = dns[side];
      if (
        !problems.object(
          `${at}.dns.${side}`,
          endpoint,
          ["alias", "value"],
          "{ alias: { name, zoneId } } or { value }",
        )
      )
        continue;
      problems.text(`${at}.dns.${side}.value`, endpoint.value);
      const alias = endpoint.alias;
      if (
        alias !== undefined &&
        problems.object(`${at}.dns.${side}.alias`, alias, ["name", "zoneId"], "{ name, zoneId }")
      ) {
        problems.text(`${at}.dns.${side}.alias.name`, alias.name, false);
        problems.text(`${at}.dns.${side}.alias.zoneId`, alias.zoneId, false);
      }
    }
    problems.check(
      dns.routing === undefined || ROUTINGS.includes(dns.routing as string),
      `${key(`${at}.dns.routing`)} must be "failover" (health-check-driven records here) or "failover-stack" (records owned by stacks/failover) (got ${shown(dns.routing)})`,
    );
    problems.boolean(`${at}.dns.arc`, dns.arc);
    problems.number(`${at}.dns.ttlSeconds`, dns.ttlSeconds);
  }
  if (
    velero !== undefined &&
    problems.object(`${at}.velero`, velero, PART_KEYS.velero, "{ schedules: [{ name, cron }] }")
  ) {
    problems.check(
      Array.isArray(velero.schedules) && velero.schedules.length > 0,
      `${key(`${at}.velero.schedules`)} must be a list of schedules, each { name, cron, … } (got ${shown(velero.schedules)})`,
    );
  }
  if (redis !== undefined && problems.object(`${at}.redis`, redis, PART_KEYS.redis, "{ replicas: 3 }")) {
    problems.number(`${at}.redis.replicas`, redis.replicas);
    problems.text(`${at}.redis.backupCron`, redis.backupCron);
    problems.boolean(`${at}.redis.standby`, redis.standby);
    problems.text(`${at}.redis.backupServiceAccountName`, redis.backupServiceAccountName);
    problems.text(`${at}.redis.standbyServiceAccountName`, redis.standbyServiceAccountName);
  }
  if (
    neon !== undefined &&
    problems.object(`${at}.neon`, neon, PART_KEYS.neon, "{ primaryRegionId, standbyRegionId }")
  ) {
    problems.text(`${at}.neon.primaryRegionId`, neon.primaryRegionId, false);
    problems.text(`${at}.neon.standbyRegionId`, neon.standbyRegionId, false);
    problems.text(`${at}.neon.plan`, neon.plan);
    problems.text(`${at}.neon.database`, neon.database);
    const backup = neon.backup;
    if (
      backup !== undefined &&
      problems.object(`${at}.neon.backup`, backup, NEON_BACKUP_KEYS, "{ oidcProviderArn }")
    ) {
      problems.text(`${at}.neon.backup.oidcProviderArn`, backup.oidcProviderArn, false);
      problems.text(`${at}.neon.backup.schedule`, backup.schedule);
      problems.text(`${at}.neon.backup.drillSchedule`, backup.drillSchedule);
      problems.number(`${at}.neon.backup.retentionDays`, backup.retentionDays);
      problems.text(`${at}.neon.backup.pushgatewayUrl`, backup.pushgatewayUrl);
    }
  }
  problems.boolean(`${at}.monitor`, service.monitor);
  return problems.list.length === before;
}

/** The kubeconfigs: both or neither, never empty, never the same cluster twice. */
function checkKubeconfigs(primary: unknown, secondary: unknown, problems: ConfigProblems): void {
  const how = "set it with `pulumi config set --secret`";
  if ((primary === undefined) !== (secondary === undefined)) {
    const [set, unset] = primary === undefined ? ["secondary", "primary"] : ["primary", "secondary"];
    problems.add(
      `${key(`${unset}Kubeconfig`)} is not set, but ${key(`${set}Kubeconfig`)} is: give both clusters (one per region) or neither; ${how}`,
    );
  }
  // Never echoed: a kubeconfig holds credentials.
  for (const [role, value] of [
    ["primary", primary],
    ["secondary", secondary],
  ] as const) {
    if (value === undefined) continue;
    problems.check(
      typeof value === "string" && value.trim() !== "",
      `${key(`${role}Kubeconfig`)} is empty: the Kubernetes provider would fall back to the ambient cluster (your current kubectl context, or the one it runs in); ${how}`,
    );
  }
  if (
    typeof primary === "string" &&
    primary.trim() !== "" &&
    primary.trim() === (typeof secondary === "string" ? secondary.trim() : undefined) &&
    primary !== OFFLINE_ENCRYPTED_PLACEHOLDER
  ) {
    problems.add(
      `${key("primaryKubeconfig")} and ${key("secondaryKubeconfig")} are the same kubeconfig: both regions would deploy to one cluster, which one region loss takes whole; give each region its own cluster's`,
    );
  }
}

/**
 * Every problem with the platform config, each naming the key and the fix, found before any resource is
 * registered: the shape of every service (types from YAML, unknown keys, duplicates), the kubeconfigs, and
 * each component's own checks on exactly the arguments the build will pass. A bad fifth service therefore
 * stops `pulumi up` before the first four are half-created. `config` holds the `drkit-platform:` keys.
 *
 * Tiers are not checked against a list: they are defined by the policy config, which the program never
 * sees; the DR gate judges a tier without targets (MissingPolicy).
 */
export function validatePlatformConfig(config: Readonly<Record<string, unknown>>): string[] {
  const problems = new ConfigProblems();
  checkKnownKeys(
    "",
    Object.fromEntries(Object.keys(config).map((k) => [`${NAMESPACE}:${k}`, config[k]])),
    CONFIG_KEYS.map((k) => `${NAMESPACE}:${k}`),
    `a setting of the platform`,
    problems,
  );
  const regions = config.regions;
  const regionsOk =
    isPlainObject(regions) && typeof regions.primary === "string" && typeof regions.secondary === "string";
  if (!regionsOk)
    problems.add(`${key("regions")} must be { primary: <aws region>, secondary: <aws region> }`);
  if (config.defaultTags !== undefined && !isPlainObject(config.defaultTags))
    problems.add(
      `${key("defaultTags")} must be a mapping of tag names to values (got ${shown(config.defaultTags)})`,
    );
  problems.text("failoverService", config.failoverService);
  problems.text("alarmTopicArn", config.alarmTopicArn);
  checkKubeconfigs(config.primaryKubeconfig, config.secondaryKubeconfig, problems);
  if (config.stateBackend !== undefined) checkStateBackend(config, regionsOk, problems);
  const kubeconfigs = config.primaryKubeconfig !== undefined && config.secondaryKubeconfig !== undefined;

  const services = config.services;
  if (!Array.isArray(services) || services.length === 0) {
    problems.add(
      `${key("services")} must list at least one service ({ name, tier, bucket?, dns? })${
        services === undefined || Array.isArray(services)
          ? ""
          : ` (got ${shown(services)}): in YAML, start each service with "- "`
      }`,
    );
    return [...problems.list];
  }
  if (regionsOk) {
    const pair = new ArgsProblems();
    for (const problem of validateDrRegionPairArgs(regionPairArgs(config as unknown as PlatformConfig)))
      pair.add(problem);
    for (const problem of pair.list) problems.add(`${key("regions")} (DrRegionPair "dr"): ${problem}`);
  }

  const names = new Set<unknown>();
  services.forEach((service: unknown, i) => {
    const shaped = checkServiceShape(i, service, problems);
    if (!isPlainObject(service)) return;
    if (names.has(service.name))
      problems.add(`${key(`services[${i}].name`)}: ${shown(service.name)} is listed twice`);
    names.add(service.name);
    if (!PARTS.some((part) => service[part] !== undefined)) {
      problems.add(
        `${key(`services[${i}]`)} (${shown(service.name)}) has none of \`bucket\`, \`dns\`, \`velero\`, \`redis\`, \`neon\`: nothing to deploy`,
      );
    }
    const neonBackup = isPlainObject(service.neon) && service.neon.backup !== undefined;
    if ((KUBERNETES_PARTS.some((part) => service[part] !== undefined) || neonBackup) && !kubeconfigs) {
      problems.add(
        `${key(`services[${i}]`)} (${shown(service.name)}) runs on Kubernetes: set ${key("primaryKubeconfig")} and ${key("secondaryKubeconfig")} with \`pulumi config set --secret\``,
      );
    }
    // Each component's own checks, on the arguments the build passes: only once the shape is sound.
    if (shaped && regionsOk) {
      const sides = standInRegions(regions as { primary: string; secondary: string });
      for (const part of componentsOf(
        service as unknown as ServiceConfig,
        sides,
        config.alarmTopicArn as string,
        kubeconfigs,
      ))
        for (const problem of part.validate())
          problems.add(`${key(`services[${i}].${part.key}`)} (${part.component} "${part.name}"): ${problem}`);
    }
  });

  const failover = config.failoverService;
  if (typeof failover === "string") {
    const service = services.find((s: unknown) => isPlainObject(s) && s.name === failover) as
      ServiceConfig | undefined;
    if (!service?.dns)
      problems.add(`${key("failoverService")} is "${failover}", which is not a service with \`dns\``);
    else if (service.dns.routing !== "failover-stack") {
      problems.add(
        `${key("failoverService")} is "${failover}", whose \`dns.routing\` must be "failover-stack" for the failover stack to own its records`,
      );
    }
  }
  return [...problems.list];
}

const STATE_BACKEND_KEYS = [
  "name",
  "tier",
  "noncurrentVersionRetentionDays",
  "recordsRetentionDays",
  "breakGlassRoleArn",
];

/** `drkit-platform:stateBackend`: its shape, then the component's own checks on the arguments the build passes. */
function checkStateBackend(
  config: Readonly<Record<string, unknown>>,
  regionsOk: boolean,
  problems: ConfigProblems,
): void {
  const backend = config.stateBackend;
  if (!isPlainObject(backend)) {
    problems.add(
      `${key("stateBackend")} must be a mapping such as { name: pulumi-state, tier: important } (got ${shown(backend)})`,
    );
    return;
  }
  const before = problems.list.length;
  checkKnownKeys(
    `${NAMESPACE}:stateBackend`,
    backend,
    STATE_BACKEND_KEYS,
    "a setting of the state backend",
    problems,
  );
  checkIdentity("stateBackend", backend.name, backend.tier, problems);
  problems.number("stateBackend.noncurrentVersionRetentionDays", backend.noncurrentVersionRetentionDays);
  problems.number("stateBackend.recordsRetentionDays", backend.recordsRetentionDays);
  problems.text("stateBackend.breakGlassRoleArn", backend.breakGlassRoleArn);
  if (problems.list.length > before || !regionsOk) return;
  const regions = standInRegions(config.regions as { primary: string; secondary: string });
  const args = stateBackendArgs(
    backend as unknown as StateBackendConfig,
    regions,
    config.alarmTopicArn as string,
  );
  for (const problem of validatePulumiStateBackendArgs(args, backend.name as string))
    problems.add(`${key("stateBackend")} (PulumiStateBackend "${backend.name as string}"): ${problem}`);
}

function stateBackendArgs(
  backend: StateBackendConfig,
  regions: RegionPairSides,
  alarmTopicArn: string | undefined,
): PulumiStateBackendArgs {
  return given({
    service: backend.name,
    tier: backend.tier,
    regions,
    noncurrentVersionRetentionDays: backend.noncurrentVersionRetentionDays,
    recordsRetentionDays: backend.recordsRetentionDays,
    breakGlassRoleArn: backend.breakGlassRoleArn,
    alarmTopicArn,
  });
}

/** A structured value from config (Pulumi keeps YAML mappings and lists as JSON); a plain string stays one. */
function parsed(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function readPlatformConfig(): PlatformConfig {
  const config = new pulumi.Config(NAMESPACE);
  // Every `drkit-platform:` key, so that a misspelt one is reported rather than ignored.
  const raw: Record<string, unknown> = {};
  for (const fullKey of Object.keys(pulumi.runtime.allConfig())) {
    if (!fullKey.startsWith(`${NAMESPACE}:`)) continue;
    const name = fullKey.slice(NAMESPACE.length + 1);
    // Kubeconfigs are read as text only to be checked (empty, identical); the program uses them as secrets.
    raw[name] = ["regions", "services", "defaultTags", "stateBackend"].includes(name)
      ? parsed(config.get(name))
      : config.get(name);
  }
  const problems = validatePlatformConfig(raw);
  if (problems.length > 0)
    throw new Error(`the platform config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  const primaryKubeconfig = config.getSecret("primaryKubeconfig");
  const secondaryKubeconfig = config.getSecret("secondaryKubeconfig");
  return {
    regions: raw.regions as PlatformConfig["regions"],
    services: raw.services as ServiceConfig[],
    failoverService: raw.failoverService as string | undefined,
    alarmTopicArn: raw.alarmTopicArn as string | undefined,
    defaultTags: raw.defaultTags as Record<string, string> | undefined,
    stateBackend: raw.stateBackend as StateBackendConfig | undefined,
    kubeconfigs:
      primaryKubeconfig && secondaryKubeconfig
        ? { primary: primaryKubeconfig, secondary: secondaryKubeconfig }
        : undefined,
  };
}

/** `args` without the fields config left out: an unset setting is an omitted argument, not an undefined one. */
function given<T extends object>(args: T): T {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as T;
}

function regionPairArgs(config: PlatformConfig): DrRegionPairArgs {
  return given({
    primaryRegion: config.regions.primary,
    secondaryRegion: config.regions.secondary,
    defaultTags: { "managed-by": "drkit", ...config.defaultTags },
    primaryKubeconfig: config.kubeconfigs?.primary,
    secondaryKubeconfig: config.kubeconfigs?.secondary,
  });
}

/** One component of a service: what it is called, its arguments' checks, and how to build it. */
interface ServicePart {
  readonly key: string;
  readonly component: string;
  readonly name: string;
  validate(): string[];
  build(): { outputs: Record<string, pulumi.Output<unknown>>; failover?: pulumi.Output<FailoverRecordSpec> };
}

/** The components a service asks for, with the arguments the build passes (shared by validation). */
function componentsOf(
  service: ServiceConfig,
  regions: RegionPairSides,
  alarmTopicArn: string | undefined,
  clusters: boolean,
): ServicePart[] {
  const identity = { service: service.name, tier: service.tier, regions };
  const parts: ServicePart[] = [];
  if (service.bucket) {
    const name = `${service.name}-data`;
    const args: ObjectLockBucketArgs = given({
      ...identity,
      retentionDays: service.bucket.retentionDays,
      retentionMode: service.bucket.retentionMode,
      replicateDeleteMarkers: service.bucket.replicateDeleteMarkers,
      alarmTopicArn,
    });
    parts.push({
      key: "bucket",
      component: "ObjectLockBucket",
      name,
      validate: () => validateObjectLockBucketArgs(args),
      build: () => {
        const bucket = new ObjectLockBucket(name, args);
        return { outputs: { bucket: bucket.bucket.bucket, replicaBucket: bucket.replica.bucket } };
      },
    });
  }
  if (service.dns) {
    const dns = service.dns;
    const name = `${service.name}-dns`;
    const args: Route53FailoverArgs = given({
      ...identity,
      zoneId: dns.zoneId,
      recordName: dns.recordName,
      primary: dns.primary,
      secondary: dns.secondary,
      ttlSeconds: dns.ttlSeconds,
      arc: dns.arc,
      routing:
        dns.routing === "failover-stack"
          ? { mode: "weighted", primaryWeight: 100, secondaryWeight: 0, manageRecords: false }
          : { mode: "failover" },
    });
    parts.push({
      key: "dns",
      component: "Route53Failover",
      name,
      validate: () => validateRoute53FailoverArgs(args),
      build: () => {
        const record = new Route53Failover(name, args);
        return {
          outputs: { fqdn: pulumi.output(record.fqdn), healthCheckIds: pulumi.output(record.healthCheckIds) },
          failover: record.failoverOutputs,
        };
      },
    });
  }
  if (service.velero) {
    const name = `${service.name}-velero`;
    const args: VeleroScheduleArgs = given({
      ...identity,
      schedules: service.velero.schedules,
      drill: service.velero.drill,
    });
    parts.push({
      key: "velero",
      component: "VeleroSchedule",
      name,
      validate: () => validateVeleroScheduleArgs(args, name),
      build: () => ({ outputs: { veleroBucket: new VeleroSchedule(name, args).bucketName } }),
    });
  }
  if (service.redis) {
    const redis = service.redis;
    const name = `${service.name}-redis`;
    const args: RedisCrossZoneArgs = given({
      ...identity,
      replicas: redis.replicas,
      backup: given({ cron: redis.backupCron, serviceAccountName: redis.backupServiceAccountName }),
      standby: redis.standby,
      standbyServiceAccountName: redis.standbyServiceAccountName,
      drill: redis.drill,
    });
    parts.push({
      key: "redis",
      component: "RedisCrossZone",
      name,
      validate: () => validateRedisCrossZoneArgs(args),
      build: () => ({ outputs: { redisBackupBucket: new RedisCrossZone(name, args).backupBucketName } }),
    });
  }
  if (service.neon) {
    const name = `${service.name}-db`;
    let primaryConnectionUri: pulumi.Output<string> | undefined;
    const args: NeonGeoReplicaArgs = given({
      service: service.name,
      tier: service.tier,
      primaryRegionId: service.neon.primaryRegionId,
      standbyRegionId: service.neon.standbyRegionId,
      plan: service.neon.plan,
      database: service.neon.database,
    });
    parts.push({
      key: "neon",
      component: "NeonGeoReplica",
      name,
      validate: () => validateNeonGeoReplicaArgs(args),
      build: () => {
        const database = new NeonGeoReplica(name, args);
        primaryConnectionUri = database.primaryConnectionUri;
        return {
          outputs: {
            databaseUri: database.primaryConnectionUri,
            standbyDatabaseUri: database.standbyConnectionUri,
            databasePromotionScript: pulumi.output(database.promotionScript),
          },
        };
      },
    });
    if (service.neon.backup) parts.push(neonBackupPart(service, regions, () => primaryConnectionUri));
  }
  // Rules go to a cluster's Prometheus: without kubeconfigs there is none, and the posture model then
  // credits no Neon lag bound (it reports the standby unwatched).
  if (clusters && service.monitor !== false) parts.push(...monitorsOf(service, regions));
  return parts;
}

/** Where a connection URI goes before the database exists: what the validators see (never deployed). */
const STAND_IN_CONNECTION_URI = "postgresql://stand-in:stand-in@stand-in.invalid/stand-in";

/**
 * NeonBackup of a service's database, in the cluster outside the database's region: the secondary when it
 * is elsewhere (it outlives the primary region), else the primary. Built after the database, whose
 * connection URI it reads.
 */
function neonBackupPart(
  service: ServiceConfig,
  regions: RegionPairSides,
  connectionUri: () => pulumi.Output<string> | undefined,
): ServicePart {
  const neon = service.neon as NonNullable<ServiceConfig["neon"]>;
  const backup = neon.backup as NeonBackupConfig;
  const databaseRegion = neon.primaryRegionId.replace(/^aws-/, "");
  const side = regions.secondary.region !== databaseRegion ? regions.secondary : regions.primary;
  const name = `${service.name}-db-backup`;
  const args: NeonBackupArgs = given({
    service: service.name,
    tier: service.tier,
    connectionUri: STAND_IN_CONNECTION_URI,
    database: neon.database,
    sourceRegionId: neon.primaryRegionId,
    region: side.region,
    oidcProviderArn: backup.oidcProviderArn,
    schedule: backup.schedule,
    drillSchedule: backup.drillSchedule,
    retentionDays: backup.retentionDays,
    pushgatewayUrl: backup.pushgatewayUrl,
  });
  return {
    key: "neon.backup",
    component: "NeonBackup",
    name,
    validate: () => validateNeonBackupArgs(args),
    build: () => {
      const uri = connectionUri();
      const cluster = side.kubernetesProvider;
      // Validation refuses a backup without kubeconfigs, and the database is built first: neither can happen.
      if (uri === undefined || cluster === undefined)
        throw new Error(`NeonBackup "${name}" needs its database and the ${side.region} cluster first`);
      const component = new NeonBackup(
        name,
        { ...args, connectionUri: uri },
        { providers: [side.awsProvider, cluster] },
      );
      return { outputs: { databaseBackupBucket: component.bucketName } };
    },
  };
}

/**
 * A DrHealthMonitor per watched part, in the cluster whose Prometheus scrapes that part's exporter: Velero
 * and the Redis backup CronJob in the primary cluster, the Neon standby's subscription in the secondary one
 * (it outlives the primary region). Names follow the components' own: VeleroSchedule's `<name>-<schedule>`,
 * RedisCrossZone's `<name>-backup`, NeonGeoReplica's `<name>-primary` and `<database>_drkit_sub`.
 */
function monitorsOf(service: ServiceConfig, regions: RegionPairSides): ServicePart[] {
  const monitors: [string, MonitorCluster, Partial<DrHealthMonitorArgs>][] = [];
  if (service.velero) {
    const velero = `${service.name}-velero`;
    monitors.push([
      `${velero}-monitor`,
      MonitorCluster.Primary,
      {
        veleroSchedules: service.velero.schedules.map((s) => ({
          schedule: `${velero}-${s.name}`,
          cron: s.cron,
        })),
      },
    ]);
  }
  if (service.redis) {
    const redis = `${service.name}-redis`;
    monitors.push([
      `${redis}-monitor`,
      MonitorCluster.Primary,
      {
        redis: [
          {
            namespace: REDIS_DEFAULTS.namespace,
            backupCronJob: `${redis}-backup`,
            backupCron: service.redis.backupCron ?? REDIS_DEFAULTS.cron,
          },
        ],
      },
    ]);
  }
  if (service.neon) {
    const database = `${service.name}-db`;
    monitors.push([
      `${database}-monitor`,
      MonitorCluster.Secondary,
      {
        postgresSubscriptions: [
          { subscription: `${service.neon.database ?? "app"}_drkit_sub`, alarmFor: `${database}-primary` },
        ],
      },
    ]);
  }
  return monitors.map(([name, cluster, watched]) => {
    const args: DrHealthMonitorArgs = {
      service: service.name,
      tier: service.tier,
      regions,
      cluster,
      ...watched,
    };
    return {
      key: "monitor",
      component: "DrHealthMonitor",
      name,
      validate: () => validateDrHealthMonitorArgs(args),
      build: () => {
        new DrHealthMonitor(name, args);
        return { outputs: {} };
      },
    };
  });
}

/** The program: builds the platform and returns what operators and the failover stack need. */
export function platform() {
  // Validates every service, and every component's arguments, before the first resource is registered.
  const config = readPlatformConfig();
  const regions = new DrRegionPair("dr", regionPairArgs(config));
  const services: Record<string, Record<string, pulumi.Output<unknown>>> = {};
  let failover: pulumi.Output<FailoverRecordSpec> | undefined;
  for (const service of config.services) {
    const outputs: Record<string, pulumi.Output<unknown>> = {};
    for (const part of componentsOf(
      service,
      regions,
      config.alarmTopicArn,
      config.kubeconfigs !== undefined,
    )) {
      const built = part.build();
      Object.assign(outputs, built.outputs);
      if (built.failover && service.name === config.failoverService) failover = built.failover;
    }
    services[service.name] = outputs;
  }
  // The DR dashboard in both clusters' Grafana, reading the health monitors' recording rules.
  if (config.kubeconfigs) new DrDashboard("dr-dashboard", { regions });
  // A copy in each region of the pair: what stacks/failover and `drkit failover break-glass` read, from
  // the region they activate, without this stack's state.
  const manifest = failover && new FailoverManifest("failover-manifest", { regions, recordSet: failover });
  return {
    primaryRegion: config.regions.primary,
    secondaryRegion: config.regions.secondary,
    services,
    failover: failover ?? null,
    [FAILOVER_MANIFEST_OUTPUT]: manifest?.parameterName ?? null,
    // Where Pulumi state, its snapshots and the failover audit log live, in each region.
    stateBackend: stateBackendOutputs(config, regions),
  };
}

function stateBackendOutputs(config: PlatformConfig, regions: DrRegionPair) {
  if (!config.stateBackend) return null;
  const backend = new PulumiStateBackend(
    config.stateBackend.name,
    stateBackendArgs(config.stateBackend, regions, config.alarmTopicArn),
  );
  return {
    [STATE_BACKEND_OUTPUTS.backendUrls]: backend.backendUrls,
    [STATE_BACKEND_OUTPUTS.stateBucketNames]: backend.stateBucketNames,
    [STATE_BACKEND_OUTPUTS.recordsBucketNames]: backend.recordsBucketNames,
    [STATE_BACKEND_OUTPUTS.secretsProviderUrls]: backend.secretsProviderUrls,
  };
}
