import { NeonGeoReplica } from "@drkit/components";

export = () => {
  const db = new NeonGeoReplica("orders-db", {
    service: "orders",
    tier: "critical",
    primaryRegionId: "aws-eu-central-1",
    standbyRegionId: "aws-us-east-2",
    plan: "launch",
    database: "orders",
    replicationLagAlarmSeconds: 60,
  });
  return {
    primaryUri: db.primaryConnectionUri,
    standbyUri: db.standbyConnectionUri,
    promotionScript: db.promotionScript,
  };
};
