// The published packages work outside the workspace (issue #21): every public package is built and packed
// as `pnpm publish` packs it (in a copy of the workspace, leaving this one's dist/ folders alone), each
// tarball passes the package linters, and npm installs the tarballs with the Pulumi SDKs into a fresh
// Pulumi project in a temporary folder. There the program type-checks with the project's own tsc, the
// installed `drkit check` judges its service with the installed pack, and the installed pack serves that
// verdict when started the way `pulumi preview --policy-pack node_modules/@drkit/policy-pack` starts it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DrRegionPair, ObjectLockBucket } from "@drkit/components";
import { connectAnalyzer, runPolicyPack, runProgram, LoadedPolicyPack } from "@drkit/cli/harness";
import {
  installedCopies,
  mustRun,
  npmCommand,
  PackageManifest,
  publicPackages,
  readManifest,
  runCommand,
  stageWorkspace,
  startPolicyHost,
  userEnvironment,
  workspaceRoot,
  PolicyHost,
} from "./support/packInstall";

const PROJECT = "drkit-install-check";
const STACK = "dev";
// What a user writes: a tagged service (an Object Lock bucket replicated to a second region) and nothing
// else. Critical targets are RPO 5 min / RTO 60 min; S3 replication is bound to 15 min (RTC's SLA), so
// the region disruption is breached: a mandatory violation, exit 1.
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
import { DrRegionPair, ObjectLockBucket } from "@drkit/components";

export = () => {
  const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
  const archive = new ObjectLockBucket("orders-archive", { service: "orders", tier: "critical", regions, retentionDays: 30 });
  const bucket: pulumi.Output<string> = archive.bucket.bucket;
  return { bucket };
};
`;
const program = () => {
  const regions = new DrRegionPair("dr", { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
  const archive = new ObjectLockBucket("orders-archive", {
    service: "orders",
    tier: "critical",
    regions,
    retentionDays: 30,
  });
  return { bucket: archive.bucket.bucket };
};
const ARCHIVE_URN = `urn:pulumi:${STACK}::${PROJECT}::drkit:index:ObjectLockBucket::orders-archive`;
// What `pulumi new typescript` writes (pulumi/templates, typescript/tsconfig.json): strict, Node16 module
// resolution (so `exports` and their `types` decide), and no skipLibCheck, so every published .d.ts is checked.
const TSCONFIG = {
  compilerOptions: {
    strict: true,
    outDir: "bin",
    target: "es2020",
    module: "nodenext",
    moduleResolution: "nodenext",
    sourceMap: true,
    experimentalDecorators: true,
    pretty: true,
    noFallthroughCasesInSwitch: true,
    noImplicitReturns: true,
    forceConsistentCasingInFileNames: true,
  },
  files: ["index.ts"],
};

/** The exact version the workspace pins `name` to, so that the user's project installs what the tests ran. */
function workspacePin(name: string): string {
  const manifests = [readManifest(workspaceRoot), ...publicPackages().map((p) => p.manifest)];
  for (const manifest of manifests) {
    for (const deps of [manifest.dependencies, manifest.devDependencies]) {
      const version = deps?.[name];
      if (version !== undefined && /^\d+\.\d+\.\d+$/.test(version)) return version;
    }
  }
  throw new Error(`no workspace package.json pins ${name} to an exact version`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-pack-install-"));
const packs = path.join(tmp, "packs");
const project = path.join(tmp, "project");
const env = userEnvironment();
const packages = publicPackages();
const packed = new Map<string, { readonly tarball: string; readonly manifest: PackageManifest }>();
let install: { code: number | null; stdout: string; stderr: string } | undefined;
/** publint's output for each tarball it had anything to say about */
let publintReports: string[] = [];
/** Are the Types Wrong?'s problems for each tarball that has any */
let attwProblems: Record<string, unknown> = {};

/** publint, strict and down to suggestions, on each tarball: what it printed, for those not "All good!". */
async function publintAll(): Promise<string[]> {
  const publint = path.join(workspaceRoot, "node_modules/.bin/publint");
  const reports: string[] = [];
  for (const [name, { tarball }] of packed) {
    const result = await runCommand(publint, ["run", tarball, "--strict", "--level", "suggestion"], {
      cwd: workspaceRoot,
      // Plain text: publint colours its verdict when CI is set (as in `.ci/run`), and the check reads it.
      env: { ...process.env, NO_COLOR: "1" },
    });
    if (result.code !== 0 || result.stdout.trim().split("\n").at(-1) !== "All good!") {
      reports.push(`${name}:\n${result.stdout}${result.stderr}`);
    }
  }
  return reports;
}

/** Are the Types Wrong? on each tarball (no @types download: every package ships its own types). */
async function attwAll(): Promise<Record<string, unknown>> {
  const attw = path.join(workspaceRoot, "node_modules/.bin/attw");
  const problems: Record<string, unknown> = {};
  for (const [name, { tarball }] of packed) {
    const result = await runCommand(attw, [tarball, "--no-definitely-typed", "--format", "json"], {
      cwd: workspaceRoot,
    });
    let report: { problems?: Record<string, unknown> } | undefined;
    try {
      report = JSON.parse(result.stdout) as { problems?: Record<string, unknown> };
    } catch {
      report = undefined;
    }
    if (report === undefined) problems[name] = `${result.stdout}${result.stderr}`;
    else if (result.code !== 0 || Object.keys(report.problems ?? {}).length > 0)
      problems[name] = report.problems;
  }
  return problems;
}

beforeAll(async () => {
  // Outside the workspace, with no node_modules above it: nothing may resolve except what npm installed.
  for (let dir = tmp; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(path.dirname(dir), "node_modules"))) {
      throw new Error(`${path.dirname(dir)} has a node_modules folder: the project would resolve from it`);
    }
  }
  fs.mkdirSync(packs);
  fs.mkdirSync(project);

  // Built and packed in a copy, so that the working tree's dist/ folders stay as they are.
  const stage = path.join(tmp, "workspace");
  const staged = await stageWorkspace(
    packages.map((p) => p.dir),
    stage,
  );
  const names = packages.map((p) => p.manifest.name);
  await mustRun("pnpm", [...names.flatMap((name) => ["--filter", name]), "run", "build"], { cwd: stage });
  for (const [i, { manifest }] of packages.entries()) {
    // pnpm writes the manifest as published: publishConfig applied, workspace: ranges replaced.
    await mustRun("pnpm", ["pack", "--pack-destination", packs], { cwd: staged[i]! });
    const tarball = path.join(
      packs,
      `${manifest.name.replace(/^@/, "").replace("/", "-")}-${manifest.version}.tgz`,
    );
    const extracted = path.join(tmp, "extracted", manifest.name);
    fs.mkdirSync(extracted, { recursive: true });
    await mustRun("tar", ["-xzf", tarball, "-C", extracted, "--strip-components=1"], { cwd: tmp });
    packed.set(manifest.name, { tarball, manifest: readManifest(extracted) });
  }

  // The user's project: the tarballs, and at the workspace's versions the SDKs the packages ask for as
  // peers plus what every TypeScript Pulumi project has.
  const tools = new Set(["@drkit/cli", "@drkit/policy-pack"]);
  const dependencies: Record<string, string> = { "@pulumi/pulumi": workspacePin("@pulumi/pulumi") };
  const devDependencies: Record<string, string> = {
    typescript: workspacePin("typescript"),
    "@types/node": workspacePin("@types/node"),
  };
  for (const [name, { tarball, manifest }] of packed) {
    (tools.has(name) ? devDependencies : dependencies)[name] = `file:${path.relative(project, tarball)}`;
    for (const [peer] of Object.entries(manifest.peerDependencies ?? {})) {
      const listed = peer in dependencies || peer in devDependencies;
      if (listed || packed.has(peer) || manifest.peerDependenciesMeta?.[peer]?.optional) continue;
      dependencies[peer] = workspacePin(peer);
    }
  }
  const write = (file: string, text: string) => fs.writeFileSync(path.join(project, file), text);
  write(
    "package.json",
    JSON.stringify(
      { name: PROJECT, private: true, main: "index.ts", dependencies, devDependencies },
      null,
      2,
    ),
  );
  write("Pulumi.yaml", `name: ${PROJECT}\nruntime: nodejs\ndescription: drkit installed from its tarballs\n`);
  write(`Pulumi.${STACK}.yaml`, "config:\n  aws:region: eu-west-1\n");
  write("tsconfig.json", JSON.stringify(TSCONFIG, null, 2));
  write("index.ts", PROGRAM);
  // The linters read only the tarballs: they run while npm installs.
  [install, publintReports, attwProblems] = await Promise.all([
    runCommand(npmCommand(), ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
      cwd: project,
      env,
    }),
    publintAll(),
    attwAll(),
  ]);
}, 240_000);

afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe("each packed package", () => {
  it("is every public package of the workspace", () => {
    expect([...packed.keys()]).toEqual(
      expect.arrayContaining(["@drkit/cli", "@drkit/components", "@drkit/policy-pack", "@drkit/posture"]),
    );
  });

  it("declares only caret ranges: no workspace: protocol and no exact pin leaks", () => {
    const leaks: string[] = [];
    for (const [name, { manifest }] of packed) {
      for (const field of ["dependencies", "peerDependencies", "optionalDependencies"] as const) {
        for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
          if (!/^\^\d+\.\d+\.\d+$/.test(range)) leaks.push(`${name} ${field}.${dep}: ${range}`);
        }
      }
    }
    expect(leaks).toEqual([]);
  });

  it("passes publint with no message at all, suggestions included", () => {
    expect(publintReports).toEqual([]);
  });

  it("passes Are the Types Wrong? under every module resolution (node10, node16 CJS and ESM, bundler)", () => {
    expect(attwProblems).toEqual({});
  });
});

describe("installed with npm into a fresh Pulumi project", () => {
  it("installs", () => {
    expect({ code: install?.code, stderr: install?.code === 0 ? "" : install?.stderr }).toEqual({
      code: 0,
      stderr: "",
    });
  });

  it("holds one copy of the Pulumi SDK and of the pack, and no Neon provider the user did not ask for", () => {
    expect(installedCopies(project, "@pulumi/pulumi")).toEqual(["node_modules/@pulumi/pulumi"]);
    expect(installedCopies(project, "@drkit/policy-pack")).toEqual(["node_modules/@drkit/policy-pack"]);
    expect(installedCopies(project, "@sst-provider/neon")).toEqual([]);
  });

  it("tells a program that builds a NeonGeoReplica without the Neon SDK what to install", async () => {
    const script = `const { NeonGeoReplica } = require("@drkit/components");
try {
  new NeonGeoReplica("orders-db", { service: "orders", tier: "critical", primaryRegionId: "aws-eu-central-1", standbyRegionId: "aws-us-east-2" });
} catch (err) {
  console.log(err.message);
}`;
    const node = await runCommand(process.execPath, ["-e", script], { cwd: project, env });
    expect({ code: node.code, stdout: node.stdout, stderr: node.stderr }).toEqual({
      code: 0,
      stdout:
        "NeonGeoReplica needs @sst-provider/neon, an optional peer dependency of @drkit/components that is not installed: add it to the program's dependencies (npm install @sst-provider/neon)\n",
      stderr: "",
    });
  });

  it("type-checks the program with the project's own tsc", async () => {
    const tsc = await runCommand(
      process.execPath,
      ["node_modules/typescript/bin/tsc", "--noEmit", "-p", "."],
      {
        cwd: project,
        env,
      },
    );
    expect({ code: tsc.code, output: tsc.stdout + tsc.stderr }).toEqual({ code: 0, output: "" });
  });

  it("`drkit check` judges the service with the installed pack: region RPO breached, exit 1", async () => {
    const check = await runCommand(
      path.join(project, "node_modules/.bin/drkit"),
      ["check", ".", "--stack", STACK, "--json"],
      { cwd: project, env },
    );
    expect({ code: check.code, stderr: check.code === 1 ? "" : check.stderr }).toEqual({
      code: 1,
      stderr: "",
    });
    const result = JSON.parse(check.stdout) as {
      policyPack: unknown;
      failed: boolean;
      violations: { policyName: string; enforcementLevel: string; urn: string }[];
      posture: { assessments: { service: string; disruption: string; status: string }[] };
    };
    expect(result.policyPack).toEqual({ name: "drkit-dr", version: "0.1.0" });
    expect(result.failed).toBe(true);
    expect(
      result.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => [v.policyName, v.urn]),
    ).toEqual([["drkit-rpo-rto", ARCHIVE_URN]]);
    expect(result.posture.assessments.map((a) => [a.service, a.disruption, a.status])).toEqual([
      ["orders", "software", "PolicyMet"],
      ["orders", "hardware", "PolicyMet"],
      ["orders", "zone", "PolicyMet"],
      ["orders", "region", "PolicyBreached"],
    ]);
  });

  describe("the installed pack, started as `pulumi preview --policy-pack node_modules/@drkit/policy-pack` starts it", () => {
    let host: PolicyHost | undefined;
    let pack: LoadedPolicyPack | undefined;
    beforeAll(async () => {
      host = await startPolicyHost(path.join(project, "node_modules/@drkit/policy-pack"), env);
      pack = await connectAnalyzer(host.address);
    }, 90_000);
    afterAll(async () => {
      await pack?.close();
      host?.stop();
    });

    it("serves the drkit pack and every policy of it", () => {
      expect([pack!.name, pack!.version]).toEqual(["drkit-dr", "0.1.0"]);
      expect(pack!.policies.map((p) => p.name)).toContain("drkit-rpo-rto");
    });

    it("gives the service the verdict drkit check gave", async () => {
      const run = await runProgram(program, {
        project: PROJECT,
        stack: STACK,
        preview: true,
        config: { "aws:region": "eu-west-1" },
      });
      const report = await runPolicyPack(pack!, run);
      expect(report.failed).toBe(true);
      expect(
        report.violations.filter((v) => v.enforcementLevel === "mandatory").map((v) => [v.policyName, v.urn]),
      ).toEqual([["drkit-rpo-rto", ARCHIVE_URN]]);
    });
  });
});
