export * from "./common/validation";
export * from "./common/service";
export * from "./common/regions";
export * from "./aws/regions";
export * from "./drRegionPair";
export * from "./aws/objectLockBucket";
export * from "./aws/route53Failover";
export * from "./kubernetes/veleroSchedule";
