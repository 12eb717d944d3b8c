// `drkit check` runs the program in a child process and fails closed: every way the program can stop
// before it has registered everything is exit 2 with a message that says what happened. Most tests run the
// real `bin/drkit.js`, because exits, signals and pipes only show in a real process; they run concurrently
// (each spends most of its time starting Node, ts-node and the SDK, twice).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawn } from "child_process";
import { readProject, readStackConfig, ENCRYPTED_PLACEHOLDER, UsageError } from "@drkit/cli";
import { plainProperties, runProgram, SECRET_SIG, SPECIAL_SIG_KEY, UNKNOWN } from "@drkit/cli/harness";
import { projectProgram, projectProgramOptions, runProgramInChild } from "../src/programProcess";
import { drkit } from "../../../test/support/drkit";

const bin = path.resolve(__dirname, "../bin/drkit.js");
const misbehaving = path.join(__dirname, "fixtures/misbehaving-program");
const chatty = path.join(__dirname, "fixtures/chatty-program");
const orders = path.join(__dirname, "fixtures/orders-program");
// The fixture pack loads fast and flags every Object Lock bucket without a lock configuration (advisory).
const packDir = path.join(__dirname, "fixtures/pack");

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `drkit check DIR --policy-pack <fixture pack> ...args` as a real process, stdout and stderr pipes,
 * with `env` added to the environment. With `slowReader`, stdout is not read for 300 ms after its first
 * chunk, as a busy `| consumer` would: drkit must still deliver all of it.
 */
function drkitCheck(
  dir: string,
  args: string[],
  { slowReader = false, env = {} }: { slowReader?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "check", dir, "--policy-pack", packDir, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    if (slowReader) {
      child.stdout.once("data", () => {
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 300);
      });
    }
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString("utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
      }),
    );
  });
}

const failed = (message: string): Exit => ({
  code: 2,
  signal: null,
  stdout: "",
  stderr: `drkit check: ${message}\n`,
});

describe("drkit check: a program that does not finish fails the check (exit 2)", () => {
  it.concurrent(
    "fails when the program calls process.exit(0) before it has registered everything",
    async () => {
      expect(await drkitCheck(misbehaving, ["--stack", "exit-early"])).toEqual(
        failed(
          "the program exited (code 0) before it finished registering its resources: it called process.exit. Remove the process.exit call (a Pulumi program ends when its code returns), then run drkit check again.",
        ),
      );
    },
  );

  it.concurrent("fails when the program exits with a non-zero code", async () => {
    expect(await drkitCheck(misbehaving, ["--stack", "exit-code"])).toEqual(
      failed(
        "the program exited with code 3 before it finished registering its resources: it called process.exit, or failed as printed above. Remove the process.exit call or fix the failure, then run drkit check again.",
      ),
    );
  });

  it.concurrent("fails when the program's process is killed by a signal", async () => {
    expect(await drkitCheck(misbehaving, ["--stack", "killed"])).toEqual(
      failed(
        "the program was killed by SIGKILL before it finished registering its resources: it crashed (process.abort(), a native module, out of memory) or something outside ended it. Fix the cause (the program's output above may name it), then run drkit check again.",
      ),
    );
  });

  const timedOut = failed(
    "the program did not finish registering its resources within 2 seconds, so drkit check stopped it: it waits for something that never happens, or loops. Fix the program, or allow it more time with --timeout SECONDS.",
  );

  it.concurrent("fails when the program hangs past --timeout", async () => {
    expect(await drkitCheck(misbehaving, ["--stack", "hang", "--timeout", "2"])).toEqual(timedOut);
  });

  it.concurrent("fails when the program loops without yielding past --timeout", async () => {
    expect(await drkitCheck(misbehaving, ["--stack", "busy-loop", "--timeout", "2"])).toEqual(timedOut);
  });

  it.concurrent("fails when the program's event loop empties while it awaits a promise", async () => {
    expect(await drkitCheck(misbehaving, ["--stack", "stalled"])).toEqual(
      failed(
        "the program's event loop emptied before it finished registering its resources: it awaits a promise that nothing left running can settle. Make every promise the program awaits resolve or reject, then run drkit check again.",
      ),
    );
  });

  it("fails when --timeout is not a whole number of seconds from 1 to a day", async () => {
    for (const value of ["0", "1.5", "soon", "86401"]) {
      const { code, err } = await drkit("check", misbehaving, "--stack", "hang", "--timeout", value);
      expect(code).toBe(2);
      expect(err.split("\n")[0]).toBe(
        `drkit check: --timeout takes a whole number of seconds from 1 to 86400 (got "${value}")`,
      );
    }
  });
});

describe("drkit check: output", () => {
  it.concurrent("keeps --json stdout pure JSON: what the program prints goes to stderr", async () => {
    const { code, stdout, stderr } = await drkitCheck(chatty, ["--stack", "chatty", "--json"]);
    expect(code).toBe(0);
    expect(stderr).toBe("chatty-fixture: registering 1 bucket(s)\nchatty-fixture: a note on stderr\n");
    expect(JSON.parse(stdout)).toMatchObject({
      project: "chatty-fixture",
      stack: "chatty",
      failed: false,
      violations: [{ policyName: "fixture-locked-bucket-has-configuration", enforcementLevel: "advisory" }],
    });
  });

  it.concurrent(
    "writes all of a --json result far larger than a pipe's buffer to a slow reader",
    async () => {
      const { code, stdout, stderr } = await drkitCheck(chatty, ["--stack", "large", "--json"], {
        slowReader: true,
      });
      expect(stderr).toBe("");
      expect(code).toBe(0);
      expect(stdout.length).toBeGreaterThan(256 * 1024);
      const json = JSON.parse(stdout);
      expect(json.violations).toHaveLength(300);
      expect(json.violations[299].message).toBe(
        `A bucket with Object Lock enabled needs a BucketObjectLockConfiguration.\nbucket chatty-bucket-299-${"with-a-long-name-".repeat(20)} has no lock configuration`,
      );
    },
  );
});

describe("runProgramInChild", () => {
  function inChild(dir: string, stack: string) {
    const project = readProject(dir);
    return runProgramInChild(project, readStackConfig(project, stack), { preview: true, timeoutSeconds: 60 });
  }
  async function bothWays(dir: string, stack: string) {
    const project = readProject(dir);
    const stackConfig = readStackConfig(project, stack);
    const run = await inChild(dir, stack);
    const inProcess = await runProgram(
      projectProgram(project.main),
      projectProgramOptions(project, stackConfig, true),
    );
    return { run, inProcess };
  }

  it("captures what the in-process run captures, unknowns included", async () => {
    const { run, inProcess } = await bothWays(orders, "unknown");
    expect(run.resources).toStrictEqual(inProcess.resources);
    expect(run.stackOutputs).toStrictEqual(inProcess.stackOutputs);
    const versioning = run.resources.find((r) => r.name === "orders-data-versioning")!;
    expect(versioning.inputs).toMatchObject({ versioningConfiguration: { status: UNKNOWN } });
    expect(run.byUrn(versioning.urn)).toBe(versioning);
    expect(run.providerOf(versioning)?.urn).toBe(
      "urn:pulumi:unknown::orders-fixture::pulumi:providers:aws::west",
    );
    expect(run.ofType("aws:s3/bucket:Bucket").map((r) => r.name)).toEqual([
      "orders-data",
      "orders-data-replica",
    ]);
    expect(run.childrenOf(run.stackUrn)).toHaveLength(inProcess.childrenOf(inProcess.stackUrn).length);
  });

  it("keeps secrets wrapped across the process boundary", async () => {
    const { run, inProcess } = await bothWays(chatty, "secret");
    expect(run.resources).toStrictEqual(inProcess.resources);
    expect(run.ofType("aws:s3/bucket:Bucket")[0]!.inputs.tags).toEqual({
      owner: { [SPECIAL_SIG_KEY]: SECRET_SIG, value: ENCRYPTED_PLACEHOLDER },
    });
  });

  it("fails with the program's error when it throws from a timer", async () => {
    await expect(inChild(misbehaving, "timer-throw")).rejects.toThrow(
      new Error("uncaught exception: boom from a timer"),
    );
  });

  it("does not wait for a timer the program leaves running once it has finished", async () => {
    const run = await inChild(misbehaving, "lingering");
    expect(run.resources.map((r) => r.name)).toEqual([
      "misbehaving-fixture-lingering",
      "registered-first",
      "registered-last",
    ]);
  });
});

describe("drkit check runs the program as the Pulumi language host runs it", () => {
  const fixture = (name: string) => path.join(__dirname, "fixtures", name);
  async function inChild(dir: string, stack?: string) {
    const project = readProject(path.isAbsolute(dir) ? dir : fixture(dir));
    return runProgramInChild(project, readStackConfig(project, stack), { preview: true, timeoutSeconds: 60 });
  }
  const buckets = (run: Awaited<ReturnType<typeof inChild>>) =>
    run.ofType("aws:s3/bucket:Bucket").map((b) => [b.name, plainProperties(b.inputs).tags]);

  it.concurrent(
    "imports an ES-module TypeScript program (.mts, top-level await, an enum): its named exports are the outputs",
    async () => {
      const run = await inChild("esm-ts-program");
      const tags = { "drkit:service": "orders", "drkit:tier": "critical" };
      expect(buckets(run)).toEqual([
        ["orders-data", tags],
        ["orders-logs", tags],
      ]);
      expect(run.stackOutputs).toEqual({ bucketCount: 2 });
    },
  );

  it.concurrent(
    "runs an ES-module JavaScript program with its nodeargs, awaiting the function it exports by default",
    async () => {
      const run = await inChild("esm-js-program");
      expect(buckets(run)).toEqual([
        ["esm-js-archive", { "drkit:service": "archive", "drkit:tier": "standard" }],
      ]);
      expect(run.stackOutputs).toEqual({ project: "esm-js-fixture", stack: "dev" });
    },
  );

  it.concurrent(
    "compiles the program with its own tsconfig.json: legacy decorators, ES2020 class fields",
    async () => {
      const run = await inChild("own-tsconfig-program");
      expect(buckets(run)).toEqual([
        ["orders-data", { "drkit:service": "orders", "drkit:tier": "critical" }],
      ]);
    },
  );

  it.concurrent(
    "fails with TypeScript's message when the program's tsconfig.json does not parse",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-broken-tsconfig-"));
      const files = {
        "Pulumi.yaml": "name: broken-tsconfig\nruntime: nodejs\n",
        "package.json": '{ "name": "broken-tsconfig", "private": true }\n',
        "index.ts": "export = () => undefined;\n",
        "tsconfig.json": '{ "compilerOptions": { "target": "es2020"\n',
      };
      for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
      try {
        await expect(inChild(dir)).rejects.toThrow(
          new Error("⨯ Unable to compile TypeScript:\ntsconfig.json(2,1): error TS1005: '}' expected.\n"),
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.concurrent("transpiles without type-checking, as with PULUMI_NODEJS_TRANSPILE_ONLY=true", async () => {
    const run = await inChild("type-error-program");
    expect(run.stackOutputs).toEqual({ declared: "two" });
  });

  it.concurrent(
    "fails, not blaming the program, when an ES module re-exports a type by name and nothing type-checks",
    async () => {
      await expect(inChild("type-reexport-program")).rejects.toThrow(
        new UsageError(
          "the program imports or re-exports 'Tier' from './tier.mjs', which has no such export when it runs. If 'Tier' is a type, drkit check cannot tell: it compiles each TypeScript file on its own, without type information (as with PULUMI_NODEJS_TRANSPILE_ONLY=true). Re-export types with `export type { … }`, or set PULUMI_NODEJS_TRANSPILE_ONLY=false to type-check, as the Pulumi CLI does by default; otherwise, correct the name",
        ),
      );
    },
  );

  it.concurrent(
    "fails on a type error when PULUMI_NODEJS_TRANSPILE_ONLY=false, as the Pulumi CLI does",
    async () => {
      expect(
        await drkitCheck(fixture("type-error-program"), [], {
          env: { PULUMI_NODEJS_TRANSPILE_ONLY: "false" },
        }),
      ).toEqual(
        failed(
          "the program failed: ⨯ Unable to compile TypeScript:\nindex.mts(2,7): error TS2322: Type 'string' is not assignable to type 'number'.\n\nFix the program (it fails the same way under `pulumi preview`, or for a value known only after deploy, under `pulumi up`), then run drkit check again.",
        ),
      );
    },
  );
});
