import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair, ObjectLockBucket } from "@drkit/components";

export = () => {
  const config = new pulumi.Config();
  const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
  const archive = new ObjectLockBucket("audit-archive", {
    service: "audit",
    tier: "important",
    regions,
    retentionDays: 365,
    alarmTopicArn: config.get("alarmTopicArn"),
  });
  return { bucket: archive.bucket.bucket, replica: archive.replica.bucket };
};
