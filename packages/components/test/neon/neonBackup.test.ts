// NeonBackup under the mock runtime: what it deploys (bucket, roles, Secret, the two CronJobs running the
// scripts backup.realpg.test.ts runs for real) and how it refuses bad arguments.
import { Provider as AwsProvider } from "@pulumi/aws/provider";
import { Provider as KubernetesProvider } from "@pulumi/kubernetes/provider";
import { runProgram, plainProperties, isSecret, CapturedResource } from "@drkit/cli/harness";
import {
  NeonBackup,
  NeonBackupArgs,
  validateNeonBackupArgs,
  POSTGRES_DUMP_SCRIPT,
  POSTGRES_DRILL_RESTORE_SCRIPT,
} from "@drkit/components";

const OIDC =
  "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const PASSWORD = "s3cr3t-password-never-in-a-spec";
const base = { project: "platform", stack: "prod" };
/** The CronJobs, backup then drill (the mock runtime registers them in no fixed order). */
const cronJobs = (run: { ofType(type: string): CapturedResource[] }) =>
  run
    .ofType("kubernetes:batch/v1:CronJob")
    .map(props)
    .sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
const props = (r: CapturedResource) => plainProperties(r.inputs) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const args = (changes: Partial<NeonBackupArgs> = {}): NeonBackupArgs => ({
  service: "orders",
  tier: "critical",
  connectionUri: `postgresql://owner:${PASSWORD}@ep-cool-1.eu-central-1.aws.neon.tech/orders?sslmode=require`,
  database: "orders",
  sourceRegionId: "aws-eu-central-1",
  region: "eu-west-1",
  oidcProviderArn: OIDC,
  ...changes,
});

function program(changes: Partial<NeonBackupArgs> = {}, withCluster = true) {
  return () => {
    const providers = [
      new AwsProvider("west", { region: "eu-west-1" }),
      ...(withCluster ? [new KubernetesProvider("west-cluster", { kubeconfig: "stand-in" })] : []),
    ];
    new NeonBackup("orders-pg-backup", args(changes), { providers });
  };
}

describe("NeonBackup", () => {
  it("runs the backup hourly and the drill daily (critical) in the other region's cluster, into an Object Lock bucket kept 35 days", async () => {
    const run = await runProgram(program(), base);
    const jobs = cronJobs(run);
    expect(jobs.map((j) => [j.metadata.name, j.spec.schedule, j.spec.concurrencyPolicy])).toEqual([
      ["orders-pg-backup-backup", "0 * * * *", "Forbid"],
      ["orders-pg-backup-drill", "30 4 * * *", "Forbid"],
    ]);
    const [backup, drill] = [jobs[0]!, jobs[1]!];
    expect(backup.metadata.annotations).toEqual({
      "drkit.dev/backup-of": "orders",
      "drkit.dev/backup-destination-region": "eu-west-1",
    });
    const backupPod = backup.spec.jobTemplate.spec.template.spec;
    expect(backupPod.serviceAccountName).toBe("orders-pg-backup-backup");
    expect(backupPod.initContainers[0]).toMatchObject({
      image: "postgres:16",
      command: ["bash", "-c", POSTGRES_DUMP_SCRIPT],
    });
    // The password only by reference to the Secret: never in the spec.
    expect(JSON.stringify(jobs)).not.toContain(PASSWORD);
    expect(backupPod.initContainers[0].env).toContainEqual({
      name: "SOURCE_PASSWORD",
      valueFrom: { secretKeyRef: { name: "orders-pg-backup-source", key: "password" } },
    });
    const drillPod = drill.spec.jobTemplate.spec.template.spec;
    expect(drillPod.initContainers.map((c: { name: string }) => c.name)).toEqual([
      "fetch",
      "scratch-postgres",
      "restore",
    ]);
    expect(drillPod.initContainers[1]).toMatchObject({
      restartPolicy: "Always",
      args: ["-c", "listen_addresses=127.0.0.1"],
    });
    expect(drillPod.initContainers[2].command).toEqual(["bash", "-c", POSTGRES_DRILL_RESTORE_SCRIPT]);
    expect(drillPod.containers[0].env).not.toContainEqual(
      expect.objectContaining({ name: "PUSHGATEWAY_URL" }),
    );

    const [bucket] = run.ofType("aws:s3/bucket:Bucket").map(props);
    expect(bucket).toMatchObject({ objectLockEnabled: true });
    expect(
      run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").map(props)[0],
    ).toMatchObject({
      rule: { defaultRetention: { mode: "COMPLIANCE", days: 35 } },
    });
    expect(
      run.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").map(props)[0],
    ).toMatchObject({
      rules: [{ status: "Enabled", filter: { prefix: "orders/postgres/" }, expiration: { days: 35 } }],
    });
    const policies = run.ofType("aws:iam/policy:Policy").map((p) => JSON.parse(props(p).policy as string));
    expect(policies.map((p) => p.Statement.map((s: { Action: string[] }) => s.Action))).toEqual([
      [["s3:PutObject"]],
      [["s3:ListBucket"], ["s3:GetObject"], ["s3:PutObject"]],
    ]);
    const secret = run.ofType("kubernetes:core/v1:Secret")[0]!;
    // The Secret holds it, as a Pulumi secret (encrypted in the state).
    expect(isSecret(secret.inputs.stringData)).toBe(true);
  });

  it("sizes the drill and the retention by tier, and pushes metrics only when a Pushgateway is given", async () => {
    const run = await runProgram(
      program({ tier: "standard", pushgatewayUrl: "http://pushgateway.monitoring:9091" }),
      base,
    );
    const jobs = cronJobs(run);
    expect(jobs.map((j) => j.spec.schedule)).toEqual(["0 * * * *", "30 4 1 * *"]);
    expect(jobs[1]!.spec.jobTemplate.spec.template.spec.containers[0].env).toContainEqual({
      name: "PUSHGATEWAY_URL",
      value: "http://pushgateway.monitoring:9091",
    });
    expect(
      run.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").map(props)[0],
    ).toMatchObject({
      rule: { defaultRetention: { days: 7 } },
    });
  });

  it("refuses a component name that cannot be the jobs' namespace, before registering anything", () => {
    expect(() => new NeonBackup("Orders_Backup", args())).toThrow(
      /the component's name "Orders_Backup" is the jobs' namespace when `namespace` is not given/,
    );
  });

  it("refuses to run without the cluster's Kubernetes provider", async () => {
    await expect(runProgram(program({}, false), base)).rejects.toThrow(/no Kubernetes provider/);
  });

  it.each([
    [{ schedule: "every hour" }, /`schedule` is/],
    [{ drillSchedule: "0 25 * * *" }, /`drillSchedule` is/],
    [{ region: "eu-central-1" }, /is the database's own region \(aws-eu-central-1\)/],
    [{ retentionDays: 0 }, /`retentionDays` must be a whole number of days from 1 to 3650 \(got 0\)/],
    [{ retentionDays: "35" as unknown as number }, /write it without quotes/],
    [{ sourceRegionId: "eu-central-1" }, /`sourceRegionId` must be the database's Neon region id/],
    [{ oidcProviderArn: undefined as unknown as string }, /`oidcProviderArn` is required/],
    [{ database: "Orders" }, /`database` must be a lowercase PostgreSQL identifier/],
    [{ pgVersion: 13 }, /`pgVersion` must be one of 14, 15, 16, 17, 18/],
    [{ schedul: "0 * * * *" } as Partial<NeonBackupArgs>, /schedul/],
  ])("refuses %j", (changes, message) => {
    expect(validateNeonBackupArgs(args(changes))).toEqual([expect.stringMatching(message)]);
  });

  it("refuses a connection URI without a password, without quoting what it was given", () => {
    const problems = validateNeonBackupArgs(args({ connectionUri: "postgresql://owner@host/orders" }));
    expect(problems).toEqual([expect.stringMatching(/`connectionUri` must be a PostgreSQL connection URI/)]);
    expect(problems[0]).not.toContain("owner@host");
  });
});
