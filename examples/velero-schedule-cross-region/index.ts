import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair, VeleroSchedule } from "@drkit/components";

export = () => {
  const config = new pulumi.Config();
  const regions = new DrRegionPair("dr", {
    primaryRegion: "eu-west-1",
    secondaryRegion: "eu-central-1",
    primaryKubeconfig: config.requireSecret("primaryKubeconfig"),
    secondaryKubeconfig: config.requireSecret("secondaryKubeconfig"),
  });
  const velero = new VeleroSchedule("cluster", {
    service: "cluster",
    tier: "important",
    regions,
    serviceAccountRoleArn: config.get("veleroRoleArn"),
    schedules: [
      { name: "half-hourly", cron: "*/30 * * * *", excludedNamespaces: ["kube-system"], ttl: "168h" },
      { name: "nightly", cron: "0 2 * * *", ttl: "720h" },
    ],
  });
  return {
    bucket: velero.bucketName,
    replica: velero.replicaBucketName,
    location: velero.storageLocationName,
  };
};
