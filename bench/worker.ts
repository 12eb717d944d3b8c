// One measurement, in a fresh process (so peak memory belongs to this run alone). Prints one JSON line.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { Provider as AwsProvider } from "@pulumi/aws/provider";

/** A resource registered by type token alone: what a program without components would register. */
class RawResource extends pulumi.CustomResource {}

const root = path.resolve(__dirname, "..");
const [kind, arg] = process.argv.slice(2);

/** Stack config of a platform with `n` services, each with an Object Lock bucket and failover DNS. */
function platformConfig(n: number): Record<string, string> {
  const services = Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`,
    tier: "critical",
    bucket: { retentionDays: 30 },
    dns: {
      zoneId: "Z0123456789EXAMPLE",
      recordName: `svc-${i}.example.com`,
      routing: "failover",
      primary: { value: `svc-${i}-primary.example.net` },
      secondary: { value: `svc-${i}-secondary.example.net` },
    },
  }));
  return {
    "drkit-platform:regions": JSON.stringify({ primary: "eu-west-1", secondary: "eu-central-1" }),
    "drkit-platform:services": JSON.stringify(services),
  };
}

async function main(): Promise<Record<string, number>> {
  const { runProgram, plainProperties } = await import("../packages/cli/src/harness");
  const options = { project: "drkit-platform", stack: "bench", preview: true };
  if (kind === "components" || kind === "baseline") {
    const { platform } = await import("../stacks/platform/platform");
    const config = platformConfig(Number(arg));
    if (kind === "components") {
      const start = performance.now();
      const run = await runProgram(platform, { ...options, config });
      return { ms: performance.now() - start, resources: run.resources.length };
    }
    // Baseline: the same custom resources (type, name, inputs, provider) registered directly, no components.
    const reference = await runProgram(platform, { ...options, config, preview: false });
    const customs = reference.resources.filter(
      (r) => r.custom && r.origin === "registered" && !r.type.startsWith("pulumi:"),
    );
    const providers = reference.resources.filter((r) => r.type === "pulumi:providers:aws");
    const replay = () => {
      const made = new Map<string, pulumi.ProviderResource>();
      for (const p of providers) {
        const inputs = plainProperties(p.inputs);
        made.set(p.urn, new AwsProvider(p.name, { region: inputs.region as string }));
      }
      // Inputs computed from other resources stay Outputs of those resources, as in a hand-written
      // program (a versioning's `bucket` comes from the bucket): same values, same dependency graph.
      const replayed = new Map<string, pulumi.CustomResource>();
      for (const r of customs) {
        const providerUrn = r.providerRef?.slice(0, r.providerRef.lastIndexOf("::"));
        const inputs: pulumi.Inputs = { ...plainProperties(r.inputs) };
        for (const [key, urns] of Object.entries(r.propertyDependencies)) {
          const deps = urns
            .map((urn) => replayed.get(urn))
            .filter((d): d is pulumi.CustomResource => d !== undefined);
          if (deps.length > 0 && key in inputs) {
            const value = inputs[key];
            inputs[key] = pulumi.all(deps.map((d) => d.id)).apply(() => value);
          }
        }
        replayed.set(
          r.urn,
          new RawResource(r.type, r.name, inputs, {
            provider: providerUrn ? made.get(providerUrn) : undefined,
          }),
        );
      }
    };
    const start = performance.now();
    const run = await runProgram(replay, { ...options });
    return { ms: performance.now() - start, resources: run.resources.length };
  }
  if (kind === "program" || kind === "check") {
    const { runCheck, closePolicyPacks, readProject, readStackConfig } = await import("../packages/cli/src");
    // A temporary project whose config is the n-service platform: reuse the root project's program.
    const fs = await import("fs");
    const os = await import("os");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-bench-"));
    // Pulumi (and drkit check, as it does) takes `main` relative to the project folder, inside it: an entry
    // point here that imports the platform's program.
    const platformModule = path
      .relative(dir, path.join(root, "stacks/platform/platform"))
      .split(path.sep)
      .join("/");
    fs.writeFileSync(
      path.join(dir, "index.ts"),
      `import { platform } from ${JSON.stringify(platformModule)};\nexport = platform;\n`,
    );
    fs.writeFileSync(
      path.join(dir, "package.json"),
      `${JSON.stringify({ name: "drkit-bench", main: "index.ts" })}\n`,
    );
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: drkit-platform\nruntime: nodejs\n");
    const config = Object.entries(platformConfig(Number(arg)))
      .map(([k, v]) => `  ${k}: '${v}'`)
      .join("\n");
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), `config:\n${config}\n`);
    if (kind === "program") {
      const project = readProject(dir);
      const stack = readStackConfig(project, "bench");
      const { platform } = await import("../stacks/platform/platform");
      const start = performance.now();
      await runProgram(platform, { ...options, config: stack.config });
      return { ms: performance.now() - start };
    }
    // Compile and load the program and the pack before timing, as the program-only side does.
    await import("../stacks/platform/platform");
    const { policyPackAt } = await import("../packages/cli/src");
    await policyPackAt(path.join(root, "policies/dr"));
    const start = performance.now();
    const result = await runCheck({
      programDir: dir,
      stack: "bench",
      packDir: path.join(root, "policies/dr"),
    });
    const ms = performance.now() - start;
    await closePolicyPacks();
    return { ms, violations: result.report.violations.length };
  }
  if (kind === "import-components" || kind === "import-submodules") {
    // Compare compiled JavaScript with compiled JavaScript: the built packages (`pnpm build`), with
    // @drkit/posture resolved to its dist as a published install would.
    const Module = require("module") as { _resolveFilename: (request: string, ...rest: unknown[]) => string };
    const resolve = Module._resolveFilename;
    Module._resolveFilename = (request, ...rest) =>
      request === "@drkit/posture"
        ? path.join(root, "packages/posture/dist/index.js")
        : resolve(request, ...rest);
    require("@pulumi/pulumi");
    const start = performance.now();
    if (kind === "import-components") require("../packages/components/dist/index.js");
    else
      for (const m of ["s3", "kms", "iam", "cloudwatch", "route53", "route53recoverycontrol", "provider"])
        require(`@pulumi/aws/${m}`);
    if (kind === "import-submodules") require("@pulumi/kubernetes/provider");
    return { ms: performance.now() - start };
  }
  throw new Error(`unknown measurement ${kind}`);
}

main().then(
  (result) => {
    process.stdout.write(
      `${JSON.stringify({ ...result, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
    );
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
