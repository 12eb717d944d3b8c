// The argv sampler that proves no secret reaches a command line must itself see a secret that does.
import { spawn } from "child_process";
import { randomBytes } from "crypto";
import { sampleArgv } from "./support/argv";

const marker = () => randomBytes(24).toString("hex");

/** Runs `sleep 1` with `argv0` as its visible argv[0] and `env` added, and resolves when it ends. */
function sleepWith(argv0: string, env: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sleep", ["1"], { argv0, env: { ...process.env, ...env }, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

describe("sampleArgv", () => {
  it("catches a secret in a process's argv, as `psql postgresql://user:secret@…` would show it", async () => {
    const secret = marker();
    const sampler = sampleArgv([secret], { maxSeconds: 30 });
    await sleepWith(`psql postgresql://app:${secret}@127.0.0.1/app`);
    const report = await sampler.stop();
    expect(report.leaks.map((l) => l.argv)).toEqual(["psql postgresql://app:<secret #0>@127.0.0.1/app 1"]);
    expect(report.timedOut).toBe(false);
    expect(report.samples).toBeGreaterThan(10);
  });

  it("does not flag a secret that is only in a process's environment (not world-readable)", async () => {
    const secret = marker();
    const sampler = sampleArgv([secret], { maxSeconds: 30 });
    await sleepWith("sleep", { PGPASSWORD: secret });
    const report = await sampler.stop();
    expect(report.leaks).toEqual([]);
    expect(report.programs.sleep).toBeGreaterThanOrEqual(1);
  });

  it("stops by itself at its time limit", async () => {
    const sampler = sampleArgv([marker()], { maxSeconds: 0.2 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const report = await sampler.stop();
    expect(report.timedOut).toBe(true);
    // Its last pass began before the limit: it stopped within one pass of it, long before it was asked to.
    expect(report.milliseconds).toBeGreaterThanOrEqual(150);
    expect(report.milliseconds).toBeLessThan(600);
  });

  it("refuses a short secret, which could collide with an innocent argv", () => {
    expect(() => sampleArgv(["hunter2"], { maxSeconds: 1 })).toThrow(
      "watch at least one secret, each at least 16 characters long, so it cannot collide",
    );
  });
});
