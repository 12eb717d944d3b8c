import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair, RedisCrossZone } from "@drkit/components";

export = () => {
  const config = new pulumi.Config();
  const regions = new DrRegionPair("dr", {
    primaryRegion: "eu-west-1",
    secondaryRegion: "eu-central-1",
    primaryKubeconfig: config.requireSecret("primaryKubeconfig"),
    secondaryKubeconfig: config.requireSecret("secondaryKubeconfig"),
  });
  const redis = new RedisCrossZone("sessions", {
    service: "sessions",
    tier: "important",
    regions,
    replicas: 3,
    zones: 3,
    backup: { cron: "0 * * * *", retentionDays: 2, serviceAccountName: config.get("backupServiceAccount") },
  });
  // Where the password is kept, not the password: stack outputs travel further than the cluster's Secret.
  return { passwordSecret: `redis/${redis.passwordSecretName}`, backupBucket: redis.backupBucketName };
};
