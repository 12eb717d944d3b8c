import { crdProblems } from "./support/crds";

// Proves the validator is live: a wrong type and a missing required field are caught.
it("rejects a Schedule the API server would reject", () => {
  expect(
    crdProblems({
      apiVersion: "velero.io/v1",
      kind: "Schedule",
      spec: { schedule: 5, template: {} },
    } as never),
  ).toEqual(["/spec/schedule must be string"]);
  expect(
    crdProblems({
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      spec: { provider: "aws" },
    } as never),
  ).toEqual(["/spec must have required property 'objectStorage'"]);
});

it("accepts a minimal valid RedisReplication", () => {
  expect(
    crdProblems({
      apiVersion: "redis.redis.opstreelabs.in/v1beta2",
      kind: "RedisReplication",
      spec: { clusterSize: 3, kubernetesConfig: { image: "quay.io/opstree/redis:v7.0.15" } },
    } as never),
  ).toEqual([]);
});
