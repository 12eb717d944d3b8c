// Every example runs under the offline harness and creates what its README says, in the regions it says.
import * as path from "path";
import { runProgram, plainProperties, CapturedResource, ProgramRun } from "@drkit/cli/harness";
import { readProject } from "@drkit/cli";

const examples = path.resolve(__dirname, "../examples");
const regionOf = (run: ProgramRun, r: CapturedResource) =>
  plainProperties(run.providerOf(r)?.inputs ?? {}).region;

async function runExample(name: string, config: Record<string, string> = {}) {
  const project = readProject(path.join(examples, name));
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the language host requires the program
  const program = require(project.main) as () => unknown;
  const namespaced = Object.fromEntries(Object.entries(config).map(([k, v]) => [`${project.name}:${k}`, v]));
  return runProgram(program, { project: project.name, stack: "dev", preview: true, config: namespaced });
}
const kubeconfigs = { primaryKubeconfig: "kubeconfig-west", secondaryKubeconfig: "kubeconfig-central" };
const count = (run: ProgramRun) => {
  const counts: Record<string, number> = {};
  for (const r of run.resources.filter((x) => x.custom && !x.type.startsWith("pulumi:")))
    counts[r.type] = (counts[r.type] ?? 0) + 1;
  return counts;
};

it("dr-region-pair-basic: two providers, no cloud resources", async () => {
  const run = await runExample("dr-region-pair-basic");
  expect(
    run.resources
      .filter((r) => r.type === "pulumi:providers:aws")
      .map((p) => plainProperties(p.inputs).region),
  ).toEqual(["eu-west-1", "eu-central-1"]);
  expect(count(run)).toEqual({});
});

it("object-lock-bucket-audit-archive: what its README lists, bucket in eu-west-1 and replica in eu-central-1", async () => {
  const run = await runExample("object-lock-bucket-audit-archive");
  expect(count(run)).toEqual({
    "aws:s3/bucket:Bucket": 2,
    "aws:s3/bucketVersioning:BucketVersioning": 2,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": 2,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
    "aws:s3/bucketPolicy:BucketPolicy": 2,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": 2,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 2,
    "aws:kms/key:Key": 2,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 1,
    "aws:cloudwatch/metricAlarm:MetricAlarm": 2,
  });
  expect(
    run
      .ofType("aws:s3/bucket:Bucket")
      .map((b) => [b.name, regionOf(run, b)])
      .sort(),
  ).toEqual([
    ["audit-archive", "eu-west-1"],
    ["audit-archive-replica", "eu-central-1"],
  ]);
});

it("route53-failover-alb: two health checks and two failover records, through us-east-1", async () => {
  const run = await runExample("route53-failover-alb");
  expect(count(run)).toEqual({ "aws:route53/healthCheck:HealthCheck": 2, "aws:route53/record:Record": 2 });
  expect(new Set(run.ofType("aws:route53/record:Record").map((r) => regionOf(run, r)))).toEqual(
    new Set(["us-east-1"]),
  );
});

it("velero-schedule-cross-region: what its README lists, schedules in the primary cluster", async () => {
  const run = await runExample("velero-schedule-cross-region", kubeconfigs);
  expect(count(run)).toEqual({
    "kubernetes:helm.sh/v3:Release": 2,
    "aws:s3/bucket:Bucket": 2,
    "aws:s3/bucketVersioning:BucketVersioning": 2,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 2,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 2,
    "aws:s3/bucketPolicy:BucketPolicy": 2,
    "aws:iam/role:Role": 1,
    "aws:iam/rolePolicy:RolePolicy": 1,
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig": 1,
    "kubernetes:velero.io/v1:BackupStorageLocation": 2,
    "kubernetes:velero.io/v1:Schedule": 2,
  });
  expect(run.ofType("kubernetes:velero.io/v1:Schedule").map((r) => run.providerOf(r)!.name)).toEqual([
    "dr-primary",
    "dr-primary",
  ]);
});

it("redis-cross-zone-sessions: what its README lists, backups in the other region", async () => {
  const run = await runExample("redis-cross-zone-sessions", kubeconfigs);
  expect(count(run)).toEqual({
    "random:index/randomPassword:RandomPassword": 1,
    "kubernetes:core/v1:Secret": 1,
    "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisReplication": 1,
    "kubernetes:redis.redis.opstreelabs.in/v1beta2:RedisSentinel": 1,
    "aws:s3/bucket:Bucket": 1,
    "aws:s3/bucketVersioning:BucketVersioning": 1,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": 1,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": 1,
    "aws:s3/bucketPolicy:BucketPolicy": 1,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": 1,
    "aws:iam/policy:Policy": 2,
    "kubernetes:batch/v1:CronJob": 1,
  });
  expect(regionOf(run, run.ofType("aws:s3/bucket:Bucket")[0]!)).toBe("eu-central-1");
});

it("neon-geo-replica-orders: two projects in two regions, the role and the wiring", async () => {
  const run = await runExample("neon-geo-replica-orders");
  expect(count(run)).toEqual({
    "neon:index/project:Project": 2,
    "neon:index/role:Role": 1,
    "command:local:Command": 1,
  });
  expect(run.ofType("neon:index/project:Project").map((p) => plainProperties(p.inputs).regionId)).toEqual([
    "aws-eu-central-1",
    "aws-us-east-2",
  ]);
});
