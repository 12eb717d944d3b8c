// `pnpm bench`: what drkit costs on top of Pulumi, each figure a ratio against a baseline measured in the
// same run (so the numbers hold on a noisy machine). Prints a table; writes bench/results/<time>.json.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { assessGraph, GraphResource, ResourceGraph } from "../packages/posture/src";

const root = path.resolve(__dirname, "..");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

interface Sample {
  ms: number;
  maxRssMb: number;
}
interface Stat {
  median: number;
  min: number;
  max: number;
}

function stat(values: number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** One warm-up, then RUNS measurements, each in a fresh process. */
function measure(kind: string, arg = ""): { ms: Stat; rss: Stat } {
  const samples: Sample[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const child = spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", path.join(__dirname, "worker.ts"), kind, arg],
      {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs" }) },
      },
    );
    if (child.status !== 0) throw new Error(`${kind} ${arg} failed:\n${child.stderr}`);
    const line = child.stdout.trim().split("\n").pop()!;
    if (i > 0) samples.push(JSON.parse(line) as Sample); // the first run only warms the disk cache
  }
  return { ms: stat(samples.map((s) => s.ms)), rss: stat(samples.map((s) => s.maxRssMb)) };
}

/** A synthetic graph of `n` resources: services of a bucket, its versioning and replication, a replica. */
function syntheticGraph(n: number): ResourceGraph {
  const resources: GraphResource[] = [];
  const provider = (region: string) => ({
    urn: `urn:p::${region}`,
    type: "pulumi:providers:aws",
    name: region,
    properties: { region },
  });
  for (let i = 0; resources.length < n; i++) {
    const tags = { "drkit:service": `svc-${i}`, "drkit:tier": "critical" };
    const bucket: GraphResource = {
      urn: `urn:b:${i}`,
      type: "aws:s3/bucket:Bucket",
      name: `b${i}`,
      properties: { tags },
      dependencies: [],
      propertyDependencies: {},
      provider: provider("eu-west-1"),
    };
    const replica: GraphResource = {
      ...bucket,
      urn: `urn:r:${i}`,
      name: `r${i}`,
      provider: provider("eu-central-1"),
    };
    resources.push(
      bucket,
      replica,
      {
        urn: `urn:v:${i}`,
        type: "aws:s3/bucketVersioning:BucketVersioning",
        name: `v${i}`,
        properties: { versioningConfiguration: { status: "Enabled" } },
        dependencies: [bucket.urn],
        propertyDependencies: { bucket: [bucket.urn] },
        provider: provider("eu-west-1"),
      },
      {
        urn: `urn:c:${i}`,
        type: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        name: `c${i}`,
        properties: {
          rules: [{ status: "Enabled", destination: { replicationTime: { status: "Enabled" } } }],
        },
        dependencies: [bucket.urn, replica.urn],
        propertyDependencies: { bucket: [bucket.urn], rules: [replica.urn] },
        provider: provider("eu-west-1"),
      },
    );
  }
  return { resources: resources.slice(0, n) };
}

function postureScaling() {
  const now = new Date("2026-11-23T00:00:00Z");
  assessGraph(syntheticGraph(1_000), {}, { now }); // warm-up (JIT)
  const out: Record<number, { ms: Stat; usPerResource: number }> = {};
  for (const n of [1_000, 10_000, 100_000]) {
    const graph = syntheticGraph(n);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const start = performance.now();
      assessGraph(graph, {}, { now });
      times.push(performance.now() - start);
    }
    const ms = stat(times);
    out[n] = { ms, usPerResource: (ms.median * 1000) / n };
  }
  return out;
}

const fmt = (s: Stat, unit: string) =>
  `${s.median.toFixed(0)} ${unit} (${s.min.toFixed(0)}–${s.max.toFixed(0)})`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function main() {
  const started = Date.now();
  execFileSync("pnpm", ["--silent", "build"], { cwd: root, stdio: "inherit" });
  const rows: string[][] = [];
  const results: Record<string, unknown> = { cores: os.cpus().length, node: process.version, runs: RUNS };

  const overhead: Record<number, unknown> = {};
  for (const n of [1, 10, 50]) {
    const drkit = measure("components", String(n));
    const baseline = measure("baseline", String(n));
    overhead[n] = {
      drkit,
      baseline,
      timeRatio: drkit.ms.median / baseline.ms.median,
      memoryRatio: drkit.rss.median / baseline.rss.median,
    };
    rows.push([
      `component overhead, ${n} service${n === 1 ? "" : "s"}`,
      fmt(drkit.ms, "ms"),
      fmt(baseline.ms, "ms"),
      ratio(drkit.ms.median, baseline.ms.median),
      "≤ 1.20×",
    ]);
    rows.push([
      `  peak memory, ${n} service${n === 1 ? "" : "s"}`,
      fmt(drkit.rss, "MB"),
      fmt(baseline.rss, "MB"),
      ratio(drkit.rss.median, baseline.rss.median),
      "≤ 1.20×",
    ]);
  }
  results.componentOverhead = overhead;

  const check = measure("check", "50");
  const program = measure("program", "50");
  const policyShare = check.ms.median / program.ms.median - 1;
  results.gateOverhead = { check, program, policyStepShare: policyShare };
  rows.push([
    "gate: drkit check vs program, 50 services",
    fmt(check.ms, "ms"),
    fmt(program.ms, "ms"),
    `+${(policyShare * 100).toFixed(0)} %`,
    "≤ +50 %",
  ]);

  const scaling = postureScaling();
  results.postureScaling = scaling;
  for (const n of [1_000, 10_000, 100_000] as const) {
    rows.push([
      `posture model, ${n.toLocaleString("en")} resources`,
      fmt(scaling[n]!.ms, "ms"),
      "",
      `${scaling[n]!.usPerResource.toFixed(2)} µs/resource`,
      "≤ 10 µs",
    ]);
  }
  rows.push([
    "  100k / 10k time",
    "",
    "",
    ratio(scaling[100_000]!.ms.median, scaling[10_000]!.ms.median),
    "≈ 10× (linear)",
  ]);

  const components = measure("import-components");
  const submodules = measure("import-submodules");
  results.importCost = { components, submodules };
  rows.push([
    "import @drkit/components vs its @pulumi submodules",
    fmt(components.ms, "ms"),
    fmt(submodules.ms, "ms"),
    ratio(components.ms.median, submodules.ms.median),
    "—",
  ]);

  const header = ["measurement", "drkit (median, min–max)", "baseline", "ratio", "goal"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  console.log(
    `drkit bench — ${os.cpus().length} cores, Node ${process.version}, ${RUNS} runs after a warm-up, each in a fresh process\n`,
  );
  console.log([line(header), ...rows.map(line)].join("\n"));
  const file = path.join(root, "bench/results", `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwritten to ${path.relative(root, file)} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
