/**
 * The fields the sources tag `@secret` (credentials), as `<Component or type>.<field>`. schema.test.ts
 * derives the list from the sources and requires it to equal this one; serve.test.ts requires every such
 * output to come back from Construct as a secret.
 */
export const SECRET_FIELDS = [
  "NeonGeoReplica.primaryConnectionUri",
  "NeonGeoReplica.standbyConnectionUri",
  "RedisCrossZone.password",
  "RegionPair.primaryKubeconfig",
  "RegionPair.secondaryKubeconfig",
];
