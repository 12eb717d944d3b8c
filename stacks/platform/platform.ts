// The reference dual-region platform, driven entirely by stack config (see Pulumi.prod.yaml at the
// repository root). Every component goes through one DrRegionPair, so every child names its region.
import * as pulumi from "@pulumi/pulumi";
import {
  DrRegionPair,
  FailoverRecordSpec,
  NeonGeoReplica,
  NeonPlan,
  ObjectLockBucket,
  RedisCrossZone,
  Route53Failover,
  RetentionMode,
  VeleroSchedule,
  VeleroScheduleSpec,
} from "@drkit/components";

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
  velero?: { schedules: VeleroScheduleSpec[] };
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
  };
  /** Neon Postgres with a standby project in another Neon region */
  neon?: { primaryRegionId: string; standbyRegionId: string; plan?: NeonPlan; database?: string };
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
}

/** Every problem with the platform config, each naming the key and the fix. */
export function validatePlatformConfig(config: Partial<PlatformConfig>): string[] {
  const problems: string[] = [];
  const key = (k: string) => `\`drkit-platform:${k}\``;
  if (
    !config.regions ||
    typeof config.regions.primary !== "string" ||
    typeof config.regions.secondary !== "string"
  ) {
    problems.push(`${key("regions")} must be { primary: <aws region>, secondary: <aws region> }`);
  }
  if (!Array.isArray(config.services) || config.services.length === 0) {
    problems.push(`${key("services")} must list at least one service ({ name, tier, bucket?, dns? })`);
    return problems;
  }
  const names = new Set<string>();
  config.services.forEach((s, i) => {
    if (names.has(s.name)) problems.push(`${key(`services[${i}].name`)}: "${s.name}" is listed twice`);
    names.add(s.name);
    if (!s.bucket && !s.dns && !s.velero && !s.redis && !s.neon) {
      problems.push(
        `${key(`services[${i}]`)} ("${s.name}") has none of \`bucket\`, \`dns\`, \`velero\`, \`redis\`, \`neon\`: nothing to deploy`,
      );
    }
    if ((s.velero || s.redis) && !config.kubeconfigs) {
      problems.push(
        `${key(`services[${i}]`)} ("${s.name}") runs on Kubernetes: set ${key("primaryKubeconfig")} and ${key("secondaryKubeconfig")} with \`pulumi config set --secret\``,
      );
    }
  });
  const failover = config.failoverService;
  if (failover !== undefined) {
    const service = config.services.find((s) => s.name === failover);
    if (!service?.dns)
      problems.push(`${key("failoverService")} is "${failover}", which is not a service with \`dns\``);
    else if (service.dns.routing !== "failover-stack") {
      problems.push(
        `${key("failoverService")} is "${failover}", whose \`dns.routing\` must be "failover-stack" for the failover stack to own its records`,
      );
    }
  }
  return problems;
}

export function readPlatformConfig(): PlatformConfig {
  const config = new pulumi.Config("drkit-platform");
  const raw: Partial<PlatformConfig> = {
    regions: config.getObject("regions"),
    services: config.getObject("services"),
    failoverService: config.get("failoverService"),
    alarmTopicArn: config.get("alarmTopicArn"),
    defaultTags: config.getObject("defaultTags"),
  };
  const primaryKubeconfig = config.getSecret("primaryKubeconfig");
  const secondaryKubeconfig = config.getSecret("secondaryKubeconfig");
  if (primaryKubeconfig && secondaryKubeconfig)
    raw.kubeconfigs = { primary: primaryKubeconfig, secondary: secondaryKubeconfig };
  const problems = validatePlatformConfig(raw);
  if (problems.length > 0)
    throw new Error(`the platform config is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return raw as PlatformConfig;
}

/** The program: builds the platform and returns what operators and the failover stack need. */
export function platform() {
  const config = readPlatformConfig();
  const regions = new DrRegionPair("dr", {
    primaryRegion: config.regions.primary,
    secondaryRegion: config.regions.secondary,
    defaultTags: { "managed-by": "drkit", ...config.defaultTags },
    primaryKubeconfig: config.kubeconfigs?.primary,
    secondaryKubeconfig: config.kubeconfigs?.secondary,
  });
  const services: Record<string, Record<string, pulumi.Output<unknown>>> = {};
  let failover: pulumi.Output<FailoverRecordSpec> | undefined;
  for (const service of config.services) {
    const outputs: Record<string, pulumi.Output<unknown>> = {};
    if (service.bucket) {
      const bucket = new ObjectLockBucket(`${service.name}-data`, {
        service: service.name,
        tier: service.tier,
        regions,
        retentionDays: service.bucket.retentionDays,
        retentionMode: service.bucket.retentionMode,
        replicateDeleteMarkers: service.bucket.replicateDeleteMarkers,
        alarmTopicArn: config.alarmTopicArn,
      });
      outputs.bucket = bucket.bucket.bucket;
      outputs.replicaBucket = bucket.replica.bucket;
    }
    if (service.dns) {
      const dns = new Route53Failover(`${service.name}-dns`, {
        service: service.name,
        tier: service.tier,
        regions,
        zoneId: service.dns.zoneId,
        recordName: service.dns.recordName,
        primary: service.dns.primary,
        secondary: service.dns.secondary,
        ttlSeconds: service.dns.ttlSeconds,
        arc: service.dns.arc,
        routing:
          service.dns.routing === "failover-stack"
            ? { mode: "weighted", primaryWeight: 100, secondaryWeight: 0, manageRecords: false }
            : { mode: "failover" },
      });
      outputs.fqdn = pulumi.output(dns.fqdn);
      outputs.healthCheckIds = pulumi.output(dns.healthCheckIds);
      if (service.name === config.failoverService) failover = dns.failoverOutputs;
    }
    if (service.velero) {
      const velero = new VeleroSchedule(`${service.name}-velero`, {
        service: service.name,
        tier: service.tier,
        regions,
        schedules: service.velero.schedules,
      });
      outputs.veleroBucket = velero.bucketName;
    }
    if (service.redis) {
      const redis = new RedisCrossZone(`${service.name}-redis`, {
        service: service.name,
        tier: service.tier,
        regions,
        replicas: service.redis.replicas,
        backup: {
          cron: service.redis.backupCron,
          serviceAccountName: service.redis.backupServiceAccountName,
        },
        standby: service.redis.standby,
        standbyServiceAccountName: service.redis.standbyServiceAccountName,
      });
      outputs.redisBackupBucket = redis.backupBucketName;
    }
    if (service.neon) {
      const database = new NeonGeoReplica(`${service.name}-db`, {
        service: service.name,
        tier: service.tier,
        primaryRegionId: service.neon.primaryRegionId,
        standbyRegionId: service.neon.standbyRegionId,
        plan: service.neon.plan,
        database: service.neon.database,
      });
      outputs.databaseUri = database.primaryConnectionUri;
      outputs.standbyDatabaseUri = database.standbyConnectionUri;
      outputs.databasePromotionScript = pulumi.output(database.promotionScript);
    }
    services[service.name] = outputs;
  }
  return {
    primaryRegion: config.regions.primary,
    secondaryRegion: config.regions.secondary,
    services,
    // Read by stacks/failover through a StackReference.
    failover: failover ?? null,
  };
}
