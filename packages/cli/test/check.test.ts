import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const program = path.join(__dirname, "fixtures/velero-program");
const orders = path.join(__dirname, "fixtures/orders-program");
const NO_SERVICE_POSTURE = [
  "Posture (achievable RPO/RTO per service and disruption):",
  "    SERVICE  TIER  DISRUPTION  RPO (target / achievable)  RTO (target / achievable)  STATUS",
  "    (no service found: tag resources with drkit:service and drkit:tier, or use drkit components)",
  "    No resource belongs to a service: 2 resources seen, 1 holding data, 1 of kinds drkit assesses (aws:s3/bucket:Bucket).",
  "    To put a resource in a service:",
  `      AWS: tag each resource "drkit:service": "<service>", "drkit:tier": "<critical|important|standard>", or tag them all at once in the aws.Provider's defaultTags: { tags: { … } }`,
  `      Kubernetes: label each object (metadata.labels) "drkit.dev/service": "<service>", "drkit.dev/tier": "<critical|important|standard>", "drkit.dev/region": "<the cluster's AWS region>"`,
];
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("drkit check", () => {
  it("exits 0 and prints the pack's section for a compliant stack", async () => {
    const { code, out } = await drkit("check", program, "--stack", "compliant", "--policy-pack", packDir);
    expect(code).toBe(0);
    expect(out).toBe(
      [
        "Policies:",
        `    ✅ drkit-dr@v0.1.0 (local: ${packDir})`,
        "",
        ...NO_SERVICE_POSTURE,
        "",
        "PASSED: no mandatory violation. (0 advisory)",
      ].join("\n"),
    );
  });

  it("exits 1 with the mandatory violation, and notes the encrypted config it could not read", async () => {
    const { code, out } = await drkit("check", program, "--stack", "breached", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toBe(
      [
        "Policies:",
        `    ❌ drkit-dr@v0.1.0 (local: ${packDir})`,
        "        - [mandatory]  drkit-kubernetes-velero-location-disallow-object-lock  (kubernetes:velero.io/v1:BackupStorageLocation: primary-location)",
        "          A Velero BackupStorageLocation must not point at an S3 bucket with Object Lock: Velero cannot write there.",
        "          BackupStorageLocation primary-location stores backups in bucket velero-backups, which has Object Lock: Velero cannot finalize backups there. Give Velero its own versioned, replicated bucket without Object Lock.",
        "    note: config velero-fixture:apiToken is encrypted; offline it is a placeholder, so checks that read it are approximate",
        "",
        ...NO_SERVICE_POSTURE,
        "",
        "FAILED: 1 mandatory violation would stop `pulumi preview`. (0 advisory)",
      ].join("\n"),
    );
  });

  it("takes the --policy-pack-config format: a level downgrade turns the failure advisory", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-"));
    const file = path.join(dir, "policy.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ "drkit-kubernetes-velero-location-disallow-object-lock": "advisory" }),
    );
    const { code, out } = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--policy-config",
      file,
    );
    expect(code).toBe(0);
    expect(out).toContain("- [advisory]  drkit-kubernetes-velero-location-disallow-object-lock");
    expect(out).toContain("PASSED: no mandatory violation. (1 advisory)");
  });

  it("exits 2 with a clear message when the policy config breaks a policy's schema", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-"));
    const file = path.join(dir, "policy.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ "drkit-aws-route53-record-configure-ttl": { maximumTtlSeconds: "sixty" } }),
    );
    const { code, err } = await drkit(
      "check",
      program,
      "--stack",
      "compliant",
      "--policy-pack",
      packDir,
      "--policy-config",
      file,
    );
    expect(code).toBe(2);
    expect(err).toBe(
      `drkit check: ${file}: policy pack configuration is invalid:\n  - drkit-aws-route53-record-configure-ttl: \`maximumTtlSeconds\` must be a whole number ≥ 0 (got "sixty"): omit it to use 60`,
    );
  });

  it("exits 2 naming the stacks when several exist and none is chosen", async () => {
    const { code, err } = await drkit("check", program, "--policy-pack", packDir);
    expect(code).toBe(2);
    expect(err).toBe(
      `drkit check: ${program} has several stacks (breached, compliant): choose one with --stack`,
    );
  });

  it("exits 2 for a folder without Pulumi.yaml, and for unknown flags", async () => {
    expect(await drkit("check", __dirname, "--policy-pack", packDir)).toMatchObject({
      code: 2,
      err: `drkit check: no Pulumi.yaml in ${__dirname}: pass the folder of a Pulumi project (the one with Pulumi.yaml)`,
    });
    const unknown = await drkit("check", "--colour");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("drkit check: Unknown option '--colour'");
  });

  it("prints JSON with --json and writes evidence with --report", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-report-"));
    const { code, out } = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--json",
      "--report",
      dir,
    );
    expect(code).toBe(1);
    const json = JSON.parse(out);
    expect(json).toMatchObject({
      project: "velero-fixture",
      stack: "breached",
      mode: "preview",
      policyPack: { name: "drkit-dr", version: "0.1.0" },
      failed: true,
      encryptedConfigKeys: ["velero-fixture:apiToken"],
    });
    expect(json.violations.map((v: { policyName: string }) => v.policyName)).toEqual([
      "drkit-kubernetes-velero-location-disallow-object-lock",
    ]);
    expect(fs.readdirSync(dir).sort()).toEqual([
      "check.json",
      "inventory.json",
      "manifest.json",
      "metadata.json",
      "policy-report.json",
      "posture.json",
      "summary.md",
    ]);
    const metadata = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8"));
    expect(metadata.configHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(metadata.stack).toBe("breached");
    const inventory = JSON.parse(fs.readFileSync(path.join(dir, "inventory.json"), "utf8"));
    expect(inventory.services).toEqual([]);
    expect(inventory.resources.find((r: { name: string }) => r.name === "velero-backups")).toMatchObject({
      type: "aws:s3/bucket:Bucket",
      region: "eu-west-1",
    });
    expect(fs.readFileSync(path.join(dir, "summary.md"), "utf8")).toContain("- Verdict: **FAILED**");
  });

  it("runs as the `drkit` binary: real process, real exit status", () => {
    const bin = path.resolve(__dirname, "../bin/drkit.js");
    const child = spawnSync(
      process.execPath,
      [bin, "check", program, "--stack", "breached", "--policy-pack", packDir],
      {
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(child.stderr).toBe("");
    expect(child.status).toBe(1);
    expect(child.stdout).toContain(
      "- [mandatory]  drkit-kubernetes-velero-location-disallow-object-lock  (kubernetes:velero.io/v1:BackupStorageLocation: primary-location)",
    );
    expect(child.stdout.trim().split("\n").pop()).toBe(
      "FAILED: 1 mandatory violation would stop `pulumi preview`. (0 advisory)",
    );
  });
});

describe("drkit check: the RPO/RTO gate, end to end", () => {
  const postureRows = (out: string) => out.split("\n").filter((l) => l.startsWith("    orders "));

  it("compliant: an important service meets its targets (exit 0) and the table shows why", async () => {
    const { code, out } = await drkit("check", orders, "--stack", "important", "--policy-pack", packDir);
    expect(code).toBe(0);
    expect(postureRows(out)).toEqual([
      "    orders   important  software    1h / 0s                    4h / 50m                   PolicyMet",
      "    orders   important  hardware    1h / 0s                    4h / 0s                    PolicyMet",
      "    orders   important  zone        1h / 0s                    4h / 0s                    PolicyMet",
      "    orders   important  region      1h / 15m                   4h / 25m                   PolicyMet",
    ]);
  });

  it("breached: a critical service cannot reach a 5-minute region RPO on S3 (exit 1)", async () => {
    const { code, out } = await drkit("check", orders, "--stack", "critical", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "        - [mandatory]  drkit-rpo-rto  (aws:s3/bucket:Bucket: orders-data)\n          Every service must be able to meet its tier's RPO and RTO targets for each disruption (software, hardware, zone, region).\n          orders (critical), region disruption (loss of a whole region): RPO 15m > target 5m; RTO 25m ≤ target 1h.",
    );
    expect(postureRows(out)[3]).toBe(
      "    orders   critical  region      5m / 15m                   1h / 25m                   PolicyBreached",
    );
  });

  it("waived: the same breach with a valid waiver passes (exit 0), showing the waiver", async () => {
    // The pack judges waivers at today's date too, so the fixture's expiry is moved to 120 days from now.
    const config = JSON.parse(fs.readFileSync(path.join(orders, "waiver.json"), "utf8")) as {
      "drkit-rpo-rto": { waivers: { expires: string }[] };
    };
    const expires = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);
    config["drkit-rpo-rto"].waivers[0]!.expires = expires;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-waiver-"));
    fs.writeFileSync(path.join(dir, "waiver.json"), JSON.stringify(config));
    const { code, out } = await drkit(
      "check",
      orders,
      "--stack",
      "critical",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(dir, "waiver.json"),
    );
    fs.rmSync(dir, { recursive: true, force: true });
    expect(code).toBe(0);
    expect(out).toContain("        - [advisory]  drkit-rpo-rto  (aws:s3/bucket:Bucket: orders-data)");
    expect(out).toContain(
      `The shortfall of bucket orders-data (eu-west-1): waived until ${expires} by platform-team: S3 replication is bounded at 15 minutes by the RTC SLA`,
    );
    expect(postureRows(out)[3]).toBe(
      "    orders   critical  region      5m / 15m                   1h / 25m                   Waived",
    );
  });

  it("expired waiver: not applied (exit 1), and said so", async () => {
    const { code, out } = await drkit(
      "check",
      orders,
      "--stack",
      "critical",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(orders, "expired-waiver.json"),
    );
    expect(code).toBe(1);
    expect(out).toContain(
      "A waiver was not applied (expired): the waiver for orders (region) owned by platform-team, expiring 2026-10-31",
    );
    expect(out.split("\n")).toContain(
      "    waiver orders/region (platform-team) expired: expired on 2026-10-31: not applied; renew it or fix the breach",
    );
  });

  it("preview with unknowns: fails closed and names the property (exit 1)", async () => {
    const { code, out } = await drkit("check", orders, "--stack", "unknown", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "orders (critical), software disruption (bad deploy, data corruption or accidental deletion): cannot be assessed until deploy, because urn:pulumi:unknown::orders-fixture::aws:s3/bucketVersioning:BucketVersioning::orders-data-versioning versioningConfiguration.status is unknown during preview.",
    );
    expect(postureRows(out)[0]).toBe(
      "    orders   critical  software    5m / ?                     1h / ?                     UnknownUntilDeploy",
    );
  });

  it("the same program as an update: the value is known, and only the region breach remains", async () => {
    const { code, out } = await drkit(
      "check",
      orders,
      "--stack",
      "unknown",
      "--update",
      "--policy-pack",
      packDir,
    );
    expect(code).toBe(1);
    expect(postureRows(out).map((row) => row.split(/\s{2,}/).pop())).toEqual([
      "PolicyMet",
      "PolicyMet",
      "PolicyMet",
      "PolicyBreached",
    ]);
  });
});
