import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair } from "@drkit/components";

export = () => {
  const config = new pulumi.Config();
  const pair = new DrRegionPair("dr", {
    primaryRegion: config.get("primaryRegion") ?? "eu-west-1",
    secondaryRegion: config.get("secondaryRegion") ?? "eu-central-1",
    defaultTags: { example: "dr-region-pair-basic" },
  });
  return { primaryRegion: pair.primary.region, secondaryRegion: pair.secondary.region };
};
