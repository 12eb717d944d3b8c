import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair, Route53Failover } from "@drkit/components";

export = () => {
  const config = new pulumi.Config();
  const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
  const dns = new Route53Failover("api", {
    service: "api",
    tier: "critical",
    regions,
    zoneId: config.get("zoneId") ?? "Z0123456789EXAMPLE",
    recordName: config.get("recordName") ?? "api.example.com",
    primary: {
      alias: {
        name: config.get("primaryAlb") ?? "api-primary.eu-west-1.elb.amazonaws.com",
        zoneId: "Z32O12XQLNTSW2",
      },
    },
    secondary: {
      alias: {
        name: config.get("secondaryAlb") ?? "api-secondary.eu-central-1.elb.amazonaws.com",
        zoneId: "Z215JYRZR1TBD5",
      },
    },
    healthCheck: { path: "/healthz", requestIntervalSeconds: 10, failureThreshold: 3 },
  });
  return { fqdn: dns.fqdn, healthCheckIds: dns.healthCheckIds };
};
