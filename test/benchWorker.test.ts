// `pnpm bench` must keep running: a change elsewhere (drkit check refusing a `main` outside the project)
// broke its gate measurement once, unseen until the next bench run. This runs the bench's own worker for the
// smallest platform, for the program alone and through `drkit check`, and asserts it reports a measurement.
// No figure is asserted: speed belongs in `pnpm bench`, not in tests.
import * as path from "path";
import { spawnSync } from "child_process";

const root = path.resolve(__dirname, "..");

function measure(kind: string): { status: number | null; result: Record<string, unknown>; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ["-r", "ts-node/register/transpile-only", path.join(root, "bench/worker.ts"), kind, "1"],
    { cwd: root, encoding: "utf8", timeout: 120_000 },
  );
  const line = run.stdout.trim().split("\n").at(-1) ?? "";
  return {
    status: run.status,
    result: line ? (JSON.parse(line) as Record<string, unknown>) : {},
    stderr: run.stderr,
  };
}

it.each(["program", "check"])("measures the one-service platform: %s", (kind) => {
  const { status, result, stderr } = measure(kind);
  expect({ status, stderr: status === 0 ? "" : stderr }).toEqual({ status: 0, stderr: "" });
  expect(typeof result.ms).toBe("number");
  expect(result.ms).toBeGreaterThan(0);
  expect(typeof result.maxRssMb).toBe("number");
});
