// Evidence that can be verified: manifest.json, `drkit verify`, and Ed25519 signatures. Each case runs on
// a copy of a fixture program in a temporary folder, so that editing it (or `git init`-ing it) touches
// nothing in the repository.
import { execFileSync, spawnSync } from "child_process";
import { createHash, generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";
import {
  compareDigests,
  nearestLockfiles,
  parsePorcelainPaths,
  policyPackFiles,
  programFiles,
} from "../src/manifest";

const fixtures = path.join(__dirname, "fixtures");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const workspaceModules = path.resolve(__dirname, "../../../node_modules");
const bin = path.resolve(__dirname, "../bin/drkit.js");
const EVIDENCE = [
  "check.json",
  "inventory.json",
  "metadata.json",
  "policy-report.json",
  "posture.json",
  "summary.md",
];
const VELERO_FILES = ["Pulumi.breached.yaml", "Pulumi.compliant.yaml", "Pulumi.yaml", "index.ts"];

interface FileDigest {
  path: string;
  digest: string;
}
interface ManifestJson {
  manifestVersion: number;
  createdAt: string;
  drkit: string;
  node: string;
  git: { commit: string; dirty: boolean; changedPaths: string[] } | null;
  evidence: FileDigest[];
  inputs: {
    root: string;
    programDir: string;
    policyPackDir: string;
    stackConfigFile: string | null;
    policyConfigFile: string | null;
    excluded: string[];
    programSelection: string;
    files: Record<"program" | "lockfile" | "policyPack" | "stackConfig" | "policyConfig", FileDigest[]>;
  };
  signature: { algorithm: string; file: string; publicKey: string } | null;
}

const temporary: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  temporary.push(dir);
  return dir;
}

/** A copy of a fixture program at `<tmp>/program`; `<tmp>/node_modules` leads to the workspace's packages. */
function copyProgram(fixture: string): { tmp: string; program: string } {
  const tmp = tempDir("drkit-manifest-");
  const program = path.join(tmp, "program");
  fs.cpSync(path.join(fixtures, fixture), program, { recursive: true });
  fs.symlinkSync(workspaceModules, path.join(tmp, "node_modules"), "dir");
  return { tmp, program };
}

function copyReport(report: string): string {
  const copy = path.join(tempDir("drkit-report-copy-"), "report");
  fs.cpSync(report, copy, { recursive: true });
  return copy;
}

const sha256 = (file: string) => `sha256:${createHash("sha256").update(fs.readFileSync(file)).digest("hex")}`;
const readManifest = (report: string) =>
  JSON.parse(fs.readFileSync(path.join(report, "manifest.json"), "utf8")) as ManifestJson;
const inputCount = (m: ManifestJson) =>
  Object.values(m.inputs.files).reduce((n, files) => n + files.length, 0);
const editFile = (file: string, from: string, to: string) =>
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace(from, to));

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    "git",
    [
      "-c",
      "user.name=drkit test",
      "-c",
      "user.email=test@drkit.invalid",
      "-c",
      "init.defaultBranch=main",
      ...args,
    ],
    { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
  ).trim();
}

afterAll(async () => {
  await closePolicyPacks();
  for (const dir of temporary) fs.rmSync(dir, { recursive: true, force: true });
});

describe("drkit check --report writes manifest.json, and drkit verify checks it", () => {
  let tmp: string;
  let program: string;
  let report: string;
  let manifest: ManifestJson;
  const reportHead = () =>
    `Report: ${report}, written ${manifest.createdAt} by drkit 0.1.0 on Node.js ${process.version}`;

  beforeAll(async () => {
    ({ tmp, program } = copyProgram("velero-program"));
    // The nearest lockfile up the tree, and a policy config beside the program.
    fs.writeFileSync(path.join(tmp, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    fs.writeFileSync(path.join(tmp, "policy.json"), "{}\n");
    report = path.join(tmp, "report");
    const { code } = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--policy-config",
      path.join(tmp, "policy.json"),
      "--report",
      report,
    );
    expect(code).toBe(1);
    manifest = readManifest(report);
  });

  it("records the sha256 of every evidence file, and of every input that decided the verdict", () => {
    expect(fs.readdirSync(report).sort()).toEqual([...EVIDENCE, "manifest.json"].sort());
    expect(manifest.evidence).toEqual(
      EVIDENCE.map((name) => ({ path: name, digest: sha256(path.join(report, name)) })),
    );
    const metadata = JSON.parse(fs.readFileSync(path.join(report, "metadata.json"), "utf8"));
    expect(manifest).toMatchObject({
      manifestVersion: 1,
      createdAt: metadata.checkedAt,
      drkit: "0.1.0",
      node: process.version,
      git: null,
      signature: null,
    });
    const pack = path.relative(program, packDir);
    const { files, ...locations } = manifest.inputs;
    expect(locations).toEqual({
      root: program,
      programDir: ".",
      policyPackDir: pack,
      stackConfigFile: "Pulumi.breached.yaml",
      policyConfigFile: "../policy.json",
      excluded: [],
      programSelection: "walk",
    });
    expect(files.program).toEqual(
      VELERO_FILES.map((f) => ({ path: f, digest: sha256(path.join(program, f)) })),
    );
    expect(files.lockfile).toEqual([
      { path: "../pnpm-lock.yaml", digest: sha256(path.join(tmp, "pnpm-lock.yaml")) },
    ]);
    expect(files.stackConfig).toEqual([
      { path: "Pulumi.breached.yaml", digest: sha256(path.join(program, "Pulumi.breached.yaml")) },
    ]);
    expect(files.policyConfig).toEqual([
      { path: "../policy.json", digest: sha256(path.join(tmp, "policy.json")) },
    ]);
    // The pack's code and config, not its tests nor its node_modules.
    const packPaths = files.policyPack.map((f) => f.path);
    expect(packPaths).toEqual(
      expect.arrayContaining([
        `${pack}/PulumiPolicy.yaml`,
        `${pack}/package.json`,
        `${pack}/index.ts`,
        `${pack}/stack/rpoRto.ts`,
        `${pack}/support/properties.ts`,
      ]),
    );
    expect(packPaths.filter((p) => !p.startsWith(`${pack}/`) || /\/(test|node_modules)\//.test(p))).toEqual(
      [],
    );
    expect(packPaths).toEqual([...packPaths].sort());
  });

  it("a clean report verifies: exit 0", async () => {
    const { code, out, err } = await drkit("verify", report);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toBe(
      [
        reportHead(),
        "Evidence: 6 files in manifest.json; all match",
        `Inputs, hashed again in ${program}: ${inputCount(manifest)} files in manifest.json; all match`,
        "Git: not a git checkout",
        "Signature: none (the report is not signed)",
        "VERIFIED: the evidence files and the inputs match manifest.json.",
      ].join("\n"),
    );
  });

  it("fails when an evidence file is edited: FAILED turned into PASSED in summary.md", async () => {
    const copy = copyReport(report);
    editFile(path.join(copy, "summary.md"), "- Verdict: **FAILED**", "- Verdict: **PASSED**");
    const { code, out } = await drkit("verify", copy, "--evidence-only");
    expect(code).toBe(1);
    expect(out.split("\n").slice(1)).toEqual([
      "Evidence: 6 files in manifest.json; 1 difference",
      "    changed: summary.md (its sha256 is not the one in manifest.json)",
      "Inputs: not checked (--evidence-only)",
      "Git: not a git checkout",
      "Signature: none (the report is not signed)",
      "FAILED: 1 difference from what drkit check recorded.",
    ]);
  });

  it("fails when an evidence file is deleted, or a file is added", async () => {
    const copy = copyReport(report);
    fs.rmSync(path.join(copy, "posture.json"));
    fs.writeFileSync(path.join(copy, "waiver-approval.md"), "approved\n");
    const { code, out } = await drkit("verify", copy);
    expect(code).toBe(1);
    expect(out.split("\n").slice(1)).toEqual([
      "Evidence: 6 files in manifest.json; 2 differences",
      "    missing: posture.json",
      "    added: waiver-approval.md (not in manifest.json)",
      `Inputs, hashed again in ${program}: ${inputCount(manifest)} files in manifest.json; all match`,
      "Git: not a git checkout",
      "Signature: none (the report is not signed)",
      "FAILED: 2 differences from what drkit check recorded.",
    ]);
  });

  it("fails when manifest.json no longer lists an evidence file that every report has", async () => {
    const copy = copyReport(report);
    const edited = readManifest(copy);
    edited.evidence = edited.evidence.filter((f) => f.path !== "check.json");
    fs.rmSync(path.join(copy, "check.json"));
    fs.writeFileSync(path.join(copy, "manifest.json"), JSON.stringify(edited));
    const { code, out } = await drkit("verify", copy, "--evidence-only");
    expect(code).toBe(1);
    expect(out.split("\n").slice(1, 3)).toEqual([
      "Evidence: 5 files in manifest.json; 1 difference",
      "    missing: check.json",
    ]);
  });

  it("fails when the program changes after the report, naming each changed and added input", async () => {
    const index = path.join(program, "index.ts");
    const original = fs.readFileSync(index, "utf8");
    try {
      fs.writeFileSync(index, original.replace('config.requireBoolean("lockVeleroBucket")', "false"));
      fs.writeFileSync(path.join(program, "helpers.ts"), "export const x = 1;\n");
      fs.rmSync(path.join(tmp, "pnpm-lock.yaml"));
      const { code, out } = await drkit("verify", report);
      expect(code).toBe(1);
      expect(out.split("\n").slice(1)).toEqual([
        "Evidence: 6 files in manifest.json; all match",
        `Inputs, hashed again in ${program}: ${inputCount(manifest)} files in manifest.json; 3 differences`,
        "    added: helpers.ts (program source)",
        "    changed: index.ts (program source)",
        "    missing: ../pnpm-lock.yaml (lockfile)",
        "Git: not a git checkout",
        "Signature: none (the report is not signed)",
        "FAILED: 3 differences from what drkit check recorded.",
      ]);
      // The evidence alone is still as drkit check wrote it.
      const evidenceOnly = await drkit("verify", report, "--evidence-only");
      expect(evidenceOnly.code).toBe(0);
      expect(evidenceOnly.out.split("\n").pop()).toBe(
        "VERIFIED: the evidence files match manifest.json (inputs not checked).",
      );
    } finally {
      fs.writeFileSync(index, original);
      fs.rmSync(path.join(program, "helpers.ts"), { force: true });
      fs.writeFileSync(path.join(tmp, "pnpm-lock.yaml"), "lockfileVersion: '9.0'\n");
    }
  });

  it("hashes the inputs in another checkout with --root, and exits 2 when there is none", async () => {
    // The same tree at another place: a CI artifact checked in a fresh clone.
    const other = tempDir("drkit-clone-");
    fs.cpSync(program, path.join(other, "program"), { recursive: true });
    fs.cpSync(path.join(tmp, "pnpm-lock.yaml"), path.join(other, "pnpm-lock.yaml"));
    fs.cpSync(path.join(tmp, "policy.json"), path.join(other, "policy.json"));
    editFile(
      path.join(other, "program", "Pulumi.breached.yaml"),
      "lockVeleroBucket: true",
      "lockVeleroBucket: false",
    );
    const { code, out } = await drkit("verify", report, "--root", path.join(other, "program"));
    expect(code).toBe(1);
    expect(out.split("\n").slice(2, 5)).toEqual([
      `Inputs, hashed again in ${path.join(other, "program")}: ${inputCount(manifest)} files in manifest.json; 2 differences`,
      "    changed: Pulumi.breached.yaml (program source)",
      "    changed: Pulumi.breached.yaml (stack config)",
    ]);

    const gone = path.join(other, "nowhere");
    expect(await drkit("verify", report, "--root", gone)).toEqual({
      code: 2,
      out: "",
      err: `drkit verify: --root ${gone} is not a folder: pass the checkout the report was written for`,
    });
    const moved = copyReport(report);
    const edited = readManifest(moved);
    edited.inputs.root = gone;
    fs.writeFileSync(path.join(moved, "manifest.json"), JSON.stringify(edited));
    expect(await drkit("verify", moved)).toEqual({
      code: 2,
      out: "",
      err: `drkit verify: the inputs' folder ${gone} (recorded in manifest.json) is not here: pass --root with the checkout the report was written for, or --evidence-only to check the evidence files alone`,
    });
  });

  it("refuses a report folder that is the program's folder or holds it (exit 2), before the program runs", async () => {
    for (const dir of [program, tmp]) {
      expect(
        await drkit("check", program, "--stack", "breached", "--policy-pack", packDir, "--report", dir),
      ).toEqual({
        code: 2,
        out: "",
        err: `drkit check: --report ${dir} is the program's folder or holds it: give the report a folder of its own (e.g. --report dr-evidence), so that its files are told apart from the program's`,
      });
    }
    expect(fs.readdirSync(program).sort()).toEqual(VELERO_FILES);
  });

  it("runs as the `drkit` binary: verify exits 0 for the report, 1 once it is edited", () => {
    const run = (dir: string) =>
      spawnSync(process.execPath, [bin, "verify", dir], { encoding: "utf8", timeout: 60_000 });
    const clean = run(report);
    expect(clean.stderr).toBe("");
    expect(clean.status).toBe(0);
    expect(clean.stdout.trim().split("\n").pop()).toBe(
      "VERIFIED: the evidence files and the inputs match manifest.json.",
    );

    const copy = copyReport(report);
    editFile(path.join(copy, "check.json"), '"failed": true', '"failed": false');
    const edited = run(copy);
    expect(edited.status).toBe(1);
    expect(edited.stdout).toContain(
      "\n    changed: check.json (its sha256 is not the one in manifest.json)\n",
    );
    expect(edited.stdout.trim().split("\n").pop()).toBe(
      "FAILED: 1 difference from what drkit check recorded.",
    );
  });
});

describe("drkit verify: what stops it is a usage error (exit 2), named with its fix", () => {
  const usage = async (...args: string[]) => {
    const { code, out, err } = await drkit("verify", ...args);
    expect({ code, out }).toEqual({ code: 2, out: "" });
    return err.split("\n\nUsage:")[0];
  };

  it("fails when no folder, or two, are given, or a flag is unknown", async () => {
    expect(await usage()).toBe(
      "drkit verify: give the report folder (the DIR of `drkit check --report DIR`)",
    );
    expect(await usage("a", "b")).toBe("drkit verify: give one REPORT_DIR");
    // The rest of the sentence is Node's (util.parseArgs).
    expect(await usage("a", "--colour")).toMatch(/^drkit verify: Unknown option '--colour'\./);
  });

  it("fails when the folder cannot be read, is a file, or has no manifest.json", async () => {
    const dir = tempDir("drkit-verify-");
    expect(await usage(path.join(dir, "missing"))).toBe(
      `drkit verify: cannot read the report folder ${path.join(dir, "missing")}: pass the folder \`drkit check --report\` wrote`,
    );
    fs.writeFileSync(path.join(dir, "summary.md"), "# DR check\n");
    expect(await usage(path.join(dir, "summary.md"))).toBe(
      `drkit verify: ${path.join(dir, "summary.md")} is not a folder: pass the folder \`drkit check --report\` wrote`,
    );
    expect(await usage(dir)).toBe(
      `drkit verify: no manifest.json in ${dir}: drkit verify takes a folder written by \`drkit check --report\`; write the report again to get one`,
    );
  });

  it("fails when manifest.json is not JSON, or not a manifest, naming the file and the field", async () => {
    const dir = tempDir("drkit-verify-");
    const file = path.join(dir, "manifest.json");
    const again = "write the report again with `drkit check --report`";
    fs.writeFileSync(file, "");
    expect(await usage(dir)).toBe(
      `drkit verify: ${file} is not valid JSON (Unexpected end of JSON input); ${again}`,
    );
    fs.writeFileSync(file, JSON.stringify({ manifestVersion: 2 }));
    expect(await usage(dir)).toBe(
      `drkit verify: ${file} has manifestVersion 2, and this drkit (0.1.0) reads version 1: verify it with the drkit that wrote it, or ${again}`,
    );
    const valid = {
      manifestVersion: 1,
      createdAt: "2026-01-01T00:00:00.000Z",
      drkit: "0.1.0",
      node: "v22.0.0",
      git: null,
      evidence: [{ path: "summary.md", digest: "sha256:abc" }],
    };
    fs.writeFileSync(file, JSON.stringify(valid));
    expect(await usage(dir)).toBe(
      `drkit verify: ${file} is malformed: evidence[0].digest must be "sha256:" and 64 hex digits; ${again}`,
    );
    fs.writeFileSync(
      file,
      JSON.stringify({
        ...valid,
        evidence: [{ path: "../../etc/passwd", digest: `sha256:${"0".repeat(64)}` }],
      }),
    );
    expect(await usage(dir)).toBe(
      `drkit verify: ${file} is malformed: evidence[0].path ("../../etc/passwd") is not allowed there; ${again}`,
    );
    fs.writeFileSync(file, JSON.stringify({ ...valid, evidence: [] }));
    expect(await usage(dir)).toBe(`drkit verify: ${file} is malformed: inputs must be an object; ${again}`);
  });
});

describe("the git state: a dirty tree is recorded, with its changed paths", () => {
  it("records a clean commit, then an uncommitted edit that turns FAILED into PASSED", async () => {
    const { program } = copyProgram("velero-program");
    git(program, "init", "-q");
    git(program, "add", ".");
    git(program, "commit", "-qm", "velero fixture");
    const commit = git(program, "rev-parse", "HEAD");

    const cleanReport = path.join(path.dirname(program), "clean-report");
    const clean = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--report",
      cleanReport,
    );
    expect(clean.code).toBe(1);
    const cleanManifest = readManifest(cleanReport);
    expect(cleanManifest.git).toEqual({ commit, dirty: false, changedPaths: [] });
    expect(cleanManifest.inputs.programSelection).toBe("git");
    expect(fs.readFileSync(path.join(cleanReport, "summary.md"), "utf8")).toContain(
      `- Git commit: ${commit} (clean)\n`,
    );

    // The same commit, an edit not committed, and a new file; the report goes inside the checkout.
    editFile(path.join(program, "Pulumi.breached.yaml"), "lockVeleroBucket: true", "lockVeleroBucket: false");
    fs.writeFileSync(path.join(program, "notes.txt"), "why the bucket is no longer locked\n");
    const dirtyReport = path.join(program, "evidence");
    const dirty = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--report",
      dirtyReport,
    );
    expect(dirty.code).toBe(0);
    const dirtyManifest = readManifest(dirtyReport);
    expect(dirtyManifest.git).toEqual({
      commit,
      dirty: true,
      changedPaths: ["Pulumi.breached.yaml", "notes.txt"],
    });
    expect(JSON.parse(fs.readFileSync(path.join(dirtyReport, "metadata.json"), "utf8"))).toMatchObject({
      gitCommit: commit,
      gitDirty: true,
    });
    const summary = fs.readFileSync(path.join(dirtyReport, "summary.md"), "utf8");
    expect(summary).toContain("- Verdict: **PASSED**\n");
    expect(summary).toContain(
      `- Git commit: ${commit} **with uncommitted changes** in 2 paths: \`Pulumi.breached.yaml\`, \`notes.txt\`\n`,
    );
    // The report's own folder is neither a change nor a program file.
    expect(dirtyManifest.inputs.excluded).toEqual(["evidence"]);
    expect(dirtyManifest.inputs.files.program.map((f) => f.path)).toEqual([...VELERO_FILES, "notes.txt"]);

    const verified = await drkit("verify", dirtyReport);
    expect(verified.code).toBe(0);
    expect(verified.out.split("\n")).toContain(
      `Git: commit ${commit}, with uncommitted changes when the report was written: Pulumi.breached.yaml, notes.txt`,
    );
  });
});

describe("signing: --sign-key KEY.pem and drkit verify --public-key PUB.pem", () => {
  const keys = generateKeyPairSync("ed25519");
  const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
  const fingerprint = `sha256:${createHash("sha256")
    .update(keys.publicKey.export({ type: "spki", format: "der" }))
    .digest("hex")}`;
  const takesPrivate =
    "--sign-key takes an Ed25519 private key in PKCS#8 PEM (create one with `openssl genpkey -algorithm ed25519 -out KEY.pem`)";
  const takesPublic =
    "--public-key takes an Ed25519 public key in PEM (from the private key: `openssl pkey -in KEY.pem -pubout -out PUB.pem`)";
  let tmp: string;
  let program: string;
  let keyFile: string;
  let pubFile: string;
  let report: string;
  let checkOutput: string;

  beforeAll(async () => {
    ({ tmp, program } = copyProgram("velero-program"));
    keyFile = path.join(tmp, "key.pem");
    pubFile = path.join(tmp, "pub.pem");
    fs.writeFileSync(keyFile, privatePem, { mode: 0o600 });
    fs.writeFileSync(pubFile, publicPem);
    report = path.join(tmp, "report");
    const { code, out, err } = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--report",
      report,
      "--sign-key",
      keyFile,
    );
    expect(code).toBe(1);
    checkOutput = out + err;
  });

  it("writes manifest.sig (base64 Ed25519), names the key in manifest.json, and verifies: exit 0", async () => {
    const signature = Buffer.from(
      fs.readFileSync(path.join(report, "manifest.sig"), "utf8").trim(),
      "base64",
    );
    expect(signature.length).toBe(64);
    expect(readManifest(report).signature).toEqual({
      algorithm: "ed25519",
      file: "manifest.sig",
      publicKey: fingerprint,
    });
    const { code, out } = await drkit("verify", report, "--public-key", pubFile);
    expect(code).toBe(0);
    expect(out.split("\n").slice(-2)).toEqual([
      `Signature: valid (Ed25519 key ${fingerprint})`,
      "VERIFIED: the evidence files and the inputs match manifest.json.",
    ]);
  });

  it("never prints or stores the private key", () => {
    const secret = privatePem.split("\n")[1]!;
    expect(checkOutput).not.toContain(secret);
    for (const name of fs.readdirSync(report)) {
      expect(fs.readFileSync(path.join(report, name), "utf8")).not.toContain(secret);
    }
  });

  it("exits 2 for a signed report without --public-key", async () => {
    expect(await drkit("verify", report)).toEqual({
      code: 2,
      out: "",
      err: `drkit verify: ${report} is signed (manifest.json names key ${fingerprint}): pass --public-key PUB.pem, the public half of the key it was signed with`,
    });
  });

  it("fails the signature when manifest.json is edited to match an edited summary.md", async () => {
    const copy = copyReport(report);
    const summary = path.join(copy, "summary.md");
    editFile(summary, "- Verdict: **FAILED**", "- Verdict: **PASSED**");
    const manifest = readManifest(copy);
    manifest.evidence = manifest.evidence.map((f) =>
      f.path === "summary.md" ? { ...f, digest: sha256(summary) } : f,
    );
    fs.writeFileSync(path.join(copy, "manifest.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const { code, out } = await drkit("verify", copy, "--public-key", pubFile, "--evidence-only");
    expect(code).toBe(1);
    expect(out.split("\n").slice(1)).toEqual([
      "Evidence: 6 files in manifest.json; all match",
      "Inputs: not checked (--evidence-only)",
      "Git: not a git checkout",
      `Signature: INVALID: manifest.sig does not verify with ${pubFile}: manifest.json or manifest.sig was changed after signing`,
      "FAILED: 1 difference from what drkit check recorded.",
    ]);
  });

  it("fails the signature with another Ed25519 key, naming both keys", async () => {
    const other = generateKeyPairSync("ed25519").publicKey;
    const otherFile = path.join(tmp, "other.pem");
    fs.writeFileSync(otherFile, other.export({ type: "spki", format: "pem" }));
    const otherPrint = `sha256:${createHash("sha256")
      .update(other.export({ type: "spki", format: "der" }))
      .digest("hex")}`;
    const { code, out } = await drkit("verify", report, "--public-key", otherFile);
    expect(code).toBe(1);
    expect(out.split("\n").slice(-2)).toEqual([
      `Signature: INVALID: manifest.sig does not verify with ${otherFile} (key ${otherPrint}); manifest.json names key ${fingerprint}: pass that key's public half, or the report was changed`,
      "FAILED: 1 difference from what drkit check recorded.",
    ]);
  });

  it("fails when --public-key is given and manifest.sig was removed", async () => {
    const copy = copyReport(report);
    fs.rmSync(path.join(copy, "manifest.sig"));
    const { code, out } = await drkit("verify", copy, "--public-key", pubFile, "--evidence-only");
    expect(code).toBe(1);
    expect(out.split("\n")).toContain(
      "Signature: INVALID: --public-key was given, and manifest.sig is missing: the report was not signed, or its signature was removed",
    );
  });

  it("refuses an RSA key, a private key as --public-key and an unreadable key (exit 2), before the program runs", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const rsaKey = path.join(tmp, "rsa.pem");
    const rsaPub = path.join(tmp, "rsa.pub.pem");
    fs.writeFileSync(rsaKey, rsa.privateKey.export({ type: "pkcs8", format: "pem" }));
    fs.writeFileSync(rsaPub, rsa.publicKey.export({ type: "spki", format: "pem" }));
    const unsigned = path.join(tmp, "unsigned-report");
    const check = (key: string) =>
      drkit(
        "check",
        program,
        "--stack",
        "breached",
        "--policy-pack",
        packDir,
        "--report",
        unsigned,
        "--sign-key",
        key,
      );

    expect(await check(rsaKey)).toEqual({
      code: 2,
      out: "",
      err: `drkit check: ${rsaKey} holds an RSA key; ${takesPrivate}`,
    });
    expect(await check(pubFile)).toEqual({
      code: 2,
      out: "",
      err: `drkit check: ${pubFile} is a public key; ${takesPrivate}`,
    });
    expect(await check(path.join(tmp, "absent.pem"))).toEqual({
      code: 2,
      out: "",
      err: `drkit check: cannot read the key ${path.join(tmp, "absent.pem")} given to --sign-key`,
    });
    expect(fs.existsSync(unsigned)).toBe(false);

    expect(await drkit("verify", report, "--public-key", rsaPub)).toEqual({
      code: 2,
      out: "",
      err: `drkit verify: ${rsaPub} holds an RSA key; ${takesPublic}`,
    });
    expect(await drkit("verify", report, "--public-key", keyFile)).toEqual({
      code: 2,
      out: "",
      err: `drkit verify: ${keyFile} is a private key; ${takesPublic}. Keep the private key where the reports are signed`,
    });
  });

  it("removes an earlier manifest.sig when the report is written again unsigned", async () => {
    const copy = copyReport(report);
    const { code } = await drkit(
      "check",
      program,
      "--stack",
      "breached",
      "--policy-pack",
      packDir,
      "--report",
      copy,
    );
    expect(code).toBe(1);
    expect(fs.readdirSync(copy).sort()).toEqual([...EVIDENCE, "manifest.json"].sort());
    expect(readManifest(copy).signature).toBeNull();
    expect((await drkit("verify", copy)).code).toBe(0);
  });

  it("exits 2 for --sign-key without --report", async () => {
    const { code, err } = await drkit("check", program, "--stack", "breached", "--sign-key", keyFile);
    expect(code).toBe(2);
    expect(err.split("\n")[0]).toBe(
      "drkit check: --sign-key signs the report's manifest.json: give --report DIR too",
    );
  });
});

describe("choosing and comparing the inputs", () => {
  it("takes a pack's code and config, without its tests, docs or node_modules", () => {
    const pack = tempDir("drkit-pack-");
    for (const file of [
      "PulumiPolicy.yaml",
      "package.json",
      "index.ts",
      "policies/rule.ts",
      "dist/index.js",
      "README.md",
      "index.test.ts",
      "test/helper.ts",
      "node_modules/@pulumi/policy/index.js",
    ]) {
      fs.mkdirSync(path.dirname(path.join(pack, file)), { recursive: true });
      fs.writeFileSync(path.join(pack, file), file);
    }
    expect(
      policyPackFiles(pack)
        .map((f) => path.relative(pack, f))
        .sort(),
    ).toEqual(["PulumiPolicy.yaml", "dist/index.js", "index.ts", "package.json", "policies/rule.ts"]);
  });

  it("walks a program that is not in git, without node_modules, .git or the report", () => {
    const dir = tempDir("drkit-walk-");
    for (const file of ["index.ts", "lib/a.ts", "node_modules/x/index.js", "report/summary.md"]) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), file);
    }
    const chosen = programFiles(dir, [path.join(dir, "report")]);
    expect(chosen.selection).toBe("walk");
    expect(chosen.files.map((f) => path.relative(dir, f)).sort()).toEqual(["index.ts", "lib/a.ts"]);
  });

  it("walks a program that itself lives under a node_modules folder", () => {
    const dir = path.join(tempDir("drkit-walk-"), "node_modules", "program");
    fs.mkdirSync(path.join(dir, "node_modules"), { recursive: true });
    fs.writeFileSync(path.join(dir, "index.ts"), "");
    fs.writeFileSync(path.join(dir, "node_modules", "dep.js"), "");
    expect(programFiles(dir, []).files.map((f) => path.relative(dir, f))).toEqual(["index.ts"]);
  });

  it("finds the nearest lockfile up the tree", () => {
    const dir = tempDir("drkit-lock-");
    fs.mkdirSync(path.join(dir, "a/b"), { recursive: true });
    fs.writeFileSync(path.join(dir, "package-lock.json"), "{}");
    fs.writeFileSync(path.join(dir, "a/yarn.lock"), "");
    expect(nearestLockfiles(path.join(dir, "a/b"))).toEqual([path.join(dir, "a/yarn.lock")]);
  });

  it("reads both sides of a rename from git status --porcelain -z", () => {
    expect(parsePorcelainPaths(" M index.ts\0R  new.ts\0old.ts\0?? notes.txt\0")).toEqual([
      "index.ts",
      "new.ts",
      "notes.txt",
      "old.ts",
    ]);
  });

  it("compares digests: changed, missing and added, in path order", () => {
    const d = (p: string, n: string) => ({ path: p, digest: `sha256:${n.repeat(64)}` });
    expect(
      compareDigests(
        [d("a", "1"), d("b", "2"), d("c", "3")],
        [d("b", "9"), d("c", "3"), d("d", "4")],
        "program",
      ),
    ).toEqual([
      { kind: "missing", path: "a", group: "program" },
      { kind: "changed", path: "b", group: "program" },
      { kind: "added", path: "d", group: "program" },
    ]);
  });
});
