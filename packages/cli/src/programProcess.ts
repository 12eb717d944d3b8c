// `drkit check` runs the user's program in a child process of its own, under the offline harness
// (`runProgram`), and gets the captured graph back over the IPC channel. In drkit's own process, a program
// that called process.exit ended the check with the program's exit status, and one that hung stalled it; a
// gate must not pass or stall because of what a program does to its process. So every way the program can
// stop before it has registered everything is an error here (exit 2) that says what happened.
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { runProgram, withLookups, ProgramOptions, ProgramRun, ProgramRunData } from "./harness/program";
import { plainProperties } from "./harness/wire";
import { DataSourceMocks, UnansweredDataSourceError } from "./harness/dataSources";
import { PulumiProject, StackConfig, UsageError } from "./project";
import { exitWhenFlushed } from "./exit";
import { ProgramLaunch, programLaunch, startProgram, TypeInformationError } from "./languageHost";

/** The harness options that cross to the child: plain data only (no mock callbacks). */
export type ProjectProgramOptions = Required<
  Pick<ProgramOptions, "project" | "stack" | "config" | "secretConfigKeys" | "preview">
> &
  Pick<ProgramOptions, "dataSourceMocks">;

interface ProgramRequest {
  /** how the Pulumi language host would run the program */
  readonly launch: ProgramLaunch;
  readonly options: ProjectProgramOptions;
}

/** The child's answer over IPC: the captured run, or the error the program failed with. */
type ProgramReply =
  | { readonly kind: "finished"; readonly run: ProgramRunData }
  | { readonly kind: "failed"; readonly message: string }
  /**
   * the program needs something drkit check cannot give offline (a data source's answer, type
   * information): exit 2, and not blamed on the program
   */
  | { readonly kind: "unanswerable"; readonly message: string };

/**
 * How the child ended without answering, written from its "exit" event, after which nothing asynchronous
 * (IPC included) runs: the exit code the program asked for (the SDK's leak check may then change the
 * process's own), and whether the event loop had emptied first.
 */
interface ExitReport {
  readonly code: number;
  readonly stalled: boolean;
}

// The child's stdio: the program's stdout and stderr both go to drkit's stderr, so that drkit's stdout
// carries only its result (`--json` stays JSON); then the IPC channel (fd 3); then the exit report.
const EXIT_REPORT_FD = 4;
const RUNNER = path.join(__dirname, "..", "bin", "run-program.js");

export interface ChildRunOptions {
  readonly preview: boolean;
  /** how long the program may take, from the child's start, before it is killed */
  readonly timeoutSeconds: number;
  /** data source answers from `--mock FILE` */
  readonly dataSourceMocks?: DataSourceMocks;
}

/** The harness options for a project's program with one stack's config, as the Pulumi CLI passes them. */
export function projectProgramOptions(
  project: PulumiProject,
  stackConfig: StackConfig,
  preview: boolean,
): ProjectProgramOptions {
  return {
    project: project.name,
    stack: stackConfig.stack,
    config: stackConfig.config,
    secretConfigKeys: stackConfig.secretKeys,
    preview,
  };
}

/**
 * The CommonJS program at `main`, to run in this process: an exported function is the program. (`drkit
 * check` runs programs in a process of their own, as the language host would: see `startProgram`.)
 */
export function projectProgram(main: string): () => unknown {
  return () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the language host requires the program
    const exported: unknown = require(main);
    return typeof exported === "function" ? (exported as () => unknown)() : exported;
  };
}

/**
 * Runs the project's program in a child process and returns what it registered. Rejects with the
 * program's own error when it throws, and with a `UsageError` naming what happened when it exits, is
 * killed, empties its event loop or runs out of time before it has finished registering.
 */
export function runProgramInChild(
  project: PulumiProject,
  stackConfig: StackConfig,
  options: ChildRunOptions,
): Promise<ProgramRun> {
  const launch = programLaunch(project);
  const request: ProgramRequest = {
    launch,
    options: {
      ...projectProgramOptions(project, stackConfig, options.preview),
      dataSourceMocks: options.dataSourceMocks,
    },
  };
  return new Promise((resolve, reject) => {
    const child = fork(RUNNER, [], {
      // The language host runs a program in its folder (Pulumi.yaml `main`'s)…
      cwd: launch.pwd,
      // A process group of its own, so that a timeout also ends what the program started.
      detached: true,
      // …with the Node.js arguments its Pulumi.yaml gives, not drkit's own (an --inspect port, say).
      execArgv: [...launch.nodeArgs],
      // Structured clone keeps what JSON would drop (undefined fields) and needs no schema.
      serialization: "advanced",
      stdio: ["ignore", 2, 2, "ipc", "pipe"],
    });
    let reply: ProgramReply | undefined;
    let exitReport = "";
    let timedOut = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone already, or the platform has no process groups (Windows): the child alone.
        child.kill("SIGKILL");
      }
    };
    const stopKillingWithParent = killWithParent(killGroup);
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutSeconds * 1000);
    const settle = () => {
      clearTimeout(timer);
      stopKillingWithParent();
    };

    // Only the runner sends on this channel.
    child.on("message", (message) => (reply ??= message as ProgramReply));
    child.stdio[EXIT_REPORT_FD]?.on("data", (chunk: Buffer) => (exitReport += chunk.toString("utf8")));
    // Whatever the program started ends with it.
    child.on("exit", killGroup);
    child.on("error", (err) => {
      if (child.pid !== undefined) return; // a running child's errors end in "close"
      settle();
      reject(err);
    });
    // "close" comes after the exit, the last IPC message and the exit report.
    child.on("close", (code, signal) => {
      settle();
      // An answer stands even when the time ran out between it and the exit.
      if (reply?.kind === "finished") resolve(withLookups(reply.run));
      else if (reply?.kind === "failed") reject(new Error(reply.message));
      else if (reply?.kind === "unanswerable") reject(new UsageError(reply.message));
      else if (timedOut) reject(new UsageError(timedOutMessage(options.timeoutSeconds)));
      else reject(new UsageError(unfinishedMessage(parseExitReport(exitReport), code, signal)));
    });
    // A child that dies before reading this is reported by "close".
    child.send(request, () => undefined);
  });
}

function timedOutMessage(seconds: number): string {
  return `the program did not finish registering its resources within ${seconds} second${seconds === 1 ? "" : "s"}, so drkit check stopped it: it waits for something that never happens, or loops. Fix the program, or allow it more time with --timeout SECONDS.`;
}

function unfinishedMessage(
  report: ExitReport | undefined,
  code: number | null,
  signal: NodeJS.Signals | null,
): string {
  if (report?.stalled) {
    return "the program's event loop emptied before it finished registering its resources: it awaits a promise that nothing left running can settle. Make every promise the program awaits resolve or reject, then run drkit check again.";
  }
  const exitCode = report?.code ?? code;
  if (exitCode === 0) {
    return "the program exited (code 0) before it finished registering its resources: it called process.exit. Remove the process.exit call (a Pulumi program ends when its code returns), then run drkit check again.";
  }
  if (exitCode !== null) {
    return `the program exited with code ${exitCode} before it finished registering its resources: it called process.exit, or failed as printed above. Remove the process.exit call or fix the failure, then run drkit check again.`;
  }
  return `the program was killed by ${signal} before it finished registering its resources: it crashed (process.abort(), a native module, out of memory) or something outside ended it. Fix the cause (the program's output above may name it), then run drkit check again.`;
}

function parseExitReport(text: string): ExitReport | undefined {
  try {
    return text === "" ? undefined : (JSON.parse(text) as ExitReport);
  } catch {
    return undefined;
  }
}

/**
 * Kills the child's group when drkit ends: in a session of its own, the child is out of reach of the
 * terminal's Ctrl-C. A signal is passed on to drkit once the child is dead. Returns the undo.
 */
function killWithParent(kill: () => void): () => void {
  const signals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  const stop = () => {
    process.off("exit", kill);
    for (const signal of signals) process.off(signal, onSignal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    kill();
    stop();
    process.kill(process.pid, signal);
  };
  process.on("exit", kill);
  for (const signal of signals) process.on(signal, onSignal);
  return stop;
}

/** The child's side (bin/run-program.js): runs the one program it is sent, answers, and exits. */
export function serveProgramRequest(): void {
  let state: "running" | "stalled" | "answered" = "running";
  const answer = (message: ProgramReply) => {
    state = "answered";
    // Exit at once: the answer is sent, and a server or timer the program left open must not hold the check.
    process.send?.(message, () => exitWhenFlushed(message.kind === "finished" ? 0 : 1));
  };
  process.on("exit", (code) => {
    if (state === "answered") return;
    const report: ExitReport = { code, stalled: state === "stalled" };
    try {
      fs.writeSync(EXIT_REPORT_FD, JSON.stringify(report));
    } catch {
      // drkit is gone: no one to tell
    }
    // The SDK's leak report, which runs after this on exit code 0 only, would blame unresolved promises
    // for what process.exit did. For an emptied event loop it is apt (it names the waiting resources).
    if (!report.stalled) process.exitCode = 1;
  });
  // Emitted only when nothing is left to run (never for process.exit): the program awaits a promise that
  // nothing can settle.
  process.on("beforeExit", () => {
    if (state === "running") state = "stalled";
  });
  // Thrown from a timer or an event handler, outside any promise the harness awaits: the language host
  // fails the run for it too.
  process.on("uncaughtException", (err) => {
    if (state !== "answered") answer({ kind: "failed", message: `uncaught exception: ${messageOf(err)}` });
  });
  process.once("message", (message) => {
    const request = message as ProgramRequest;
    // A loader that cannot start (a tsconfig that does not parse, say) fails the run like the program.
    Promise.resolve()
      .then(() => runProgram(startProgram(request.launch), request.options))
      .then(
        (run) => answer({ kind: "finished", run: transferable(run) }),
        (err: unknown) =>
          answer({
            kind:
              err instanceof UnansweredDataSourceError || err instanceof TypeInformationError
                ? "unanswerable"
                : "failed",
            message: messageOf(err),
          }),
      );
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The run's data, cloneable for IPC. */
function transferable(run: ProgramRun): ProgramRunData {
  return {
    preview: run.preview,
    project: run.project,
    stack: run.stack,
    organization: run.organization,
    stackUrn: run.stackUrn,
    resources: run.resources,
    stackOutputs: cloneableStackOutputs(run),
  };
}

/**
 * The program's returned values when they are plain data; when they hold something that cannot be cloned
 * (an exported resource object, say), the stack's recorded outputs in plain form, as a policy sees them.
 */
function cloneableStackOutputs(run: ProgramRun): unknown {
  try {
    return structuredClone(run.stackOutputs);
  } catch {
    return plainProperties(run.byUrn(run.stackUrn)?.outputs ?? {});
  }
}
