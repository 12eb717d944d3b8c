// The pack as `pulumi preview --policy-pack policies/dr` hosts it: a separate Node process started with
// Pulumi's own `run-policy-pack` entry, which loads TypeScript packs through ts-node WITH type-checking.
// A pack that only passes transpile-only tests would fail to load here.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as s3 from "@pulumi/aws/s3";
import { connectAnalyzer, runPolicyPack, runProgram, LoadedPolicyPack } from "@drkit/cli/harness";
import { packDir, base } from "./packHarness";

let host: ChildProcess | undefined;
let pack: LoadedPolicyPack | undefined;

beforeAll(async () => {
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [packDir] }));
  // `run-policy-pack <engine-address> <pack-dir>`, run from the pack's folder, as the CLI starts it.
  host = spawn(process.execPath, [path.join(pulumiDir, "cmd/run-policy-pack"), "127.0.0.1:0", "."], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const port = await new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    host!.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\s*$/m.exec(stdout);
      if (line) resolve(line[1]!);
    });
    host!.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    host!.on("exit", (code) =>
      reject(new Error(`the policy host exited (${code}) before serving:\n${stderr}`)),
    );
  });
  pack = await connectAnalyzer(`127.0.0.1:${port}`);
}, 90_000);

afterAll(async () => {
  await pack?.close();
  host?.kill();
});

it("loads under Pulumi's type-checking policy host and serves every policy", () => {
  expect(pack!.name).toBe("drkit-dr");
  expect(pack!.version).toBe("0.1.0");
  expect(pack!.policies.map((p) => `${p.name} ${p.type} ${p.enforcementLevel}`)).toEqual([
    "drkit-rpo-rto stack mandatory",
    "drkit-aws-s3-object-lock-configure-retention resource advisory",
    "drkit-aws-s3-replication-enable-rtc resource advisory",
    "drkit-aws-route53-health-check-configure-detection resource advisory",
    "drkit-aws-route53-record-configure-ttl resource advisory",
    "drkit-aws-iam-policy-disallow-wildcard-actions resource advisory",
    "drkit-kubernetes-redis-replication-spread-across-zones resource advisory",
    "drkit-kubernetes-velero-location-disallow-object-lock stack mandatory",
    "drkit-neon-project-configure-history-retention resource advisory",
    "drkit-stack-outputs-disallow-secrets stack advisory",
  ]);
});

it("gives the same verdict out of process as in process", async () => {
  const run = await runProgram(() => {
    new s3.BucketObjectLockConfiguration("data-lock", {
      bucket: "data",
      rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } },
    });
  }, base);
  const report = await runPolicyPack(pack!, run);
  expect(report.violations.map((v) => [v.policyName, v.enforcementLevel, v.message])).toEqual([
    [
      "drkit-aws-s3-object-lock-configure-retention",
      "advisory",
      'S3 Object Lock needs a default retention with an allowed mode and at least the minimum period, or new objects are not protected.\ndata-lock uses retention mode "GOVERNANCE"; allowed: COMPLIANCE.',
    ],
  ]);
});
