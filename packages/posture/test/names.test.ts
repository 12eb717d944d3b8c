import { closestName } from "../src";

describe("closestName", () => {
  it.each([
    ["critcal", ["critical", "important", "standard"], "critical"],
    ["CRITICAL", ["critical"], "critical"],
    ["ttl", ["ttlSeconds", "retentionDays"], "ttlSeconds"],
    ["maximumTtl", ["maximumTtlSeconds", "minimumRetentionDays"], "maximumTtlSeconds"],
    ["gold", ["critical", "important", "standard"], undefined],
    ["re", ["retentionDays", "replicas"], undefined],
    ["x".repeat(5_000_000), ["critical"], undefined],
  ])("%s → %s", (typed, candidates, expected) => {
    expect(closestName(typed, candidates)).toBe(expected);
  });
});
