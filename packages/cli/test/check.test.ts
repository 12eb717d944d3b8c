import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { main, Io, closePolicyPacks } from "@drkit/cli";

const program = path.join(__dirname, "fixtures/velero-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

async function drkit(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (t) => out.push(t), err: (t) => err.push(t) };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}

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
      "drkit check: policy pack configuration is invalid:\n  - drkit-aws-route53-record-configure-ttl: maximumTtlSeconds must be integer",
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
      "metadata.json",
      "policy-report.json",
      "summary.md",
    ]);
    const metadata = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8"));
    expect(metadata.configHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(metadata.stack).toBe("breached");
    const inventory = JSON.parse(fs.readFileSync(path.join(dir, "inventory.json"), "utf8"));
    expect(inventory.find((r: { name: string }) => r.name === "velero-backups")).toMatchObject({
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
