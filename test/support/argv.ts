// Watches the command lines of every process on the machine (/proc/<pid>/cmdline, which any local user
// can read, unlike /proc/<pid>/environ) for strings that must never appear there: a test runs a script
// while sampling, then asserts that no secret was ever visible in `ps`.
import * as fs from "fs";
import * as path from "path";

export interface ArgvReport {
  /** full passes over /proc */
  readonly samples: number;
  /** distinct processes seen, by pid */
  readonly processes: number;
  /**
   * distinct processes seen per program (basename of argv[0]); a process that exec'd another program
   * (Debian's `psql` is a Perl wrapper that execs the real one) counts under each
   */
  readonly programs: Readonly<Record<string, number>>;
  /** every process whose argv held a watched string: the secret is replaced by `<secret #i>` */
  readonly leaks: readonly { readonly pid: number; readonly argv: string }[];
  /** true when the sampler stopped at its time limit rather than when asked */
  readonly timedOut: boolean;
  /** from the start to the end of the last pass */
  readonly milliseconds: number;
}

export interface ArgvSampler {
  /** stops sampling (after the pass under way) and reports */
  stop(): Promise<ArgvReport>;
}

function cmdlineOf(pid: string): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "latin1");
  } catch {
    return undefined; // the process ended between readdir and read
  }
}

/**
 * Samples every process's argv until `stop()` or `maxSeconds`, whichever comes first, yielding to the
 * event loop between passes (so the caller's child processes run and their output is read meanwhile).
 */
export function sampleArgv(secrets: readonly string[], options: { maxSeconds: number }): ArgvSampler {
  if (secrets.length === 0 || secrets.some((s) => s.length < 16))
    throw new Error("watch at least one secret, each at least 16 characters long, so it cannot collide");
  const started = Date.now();
  const deadline = started + options.maxSeconds * 1000;
  const seen = new Map<number, Set<string>>();
  const leaks = new Map<number, string>();
  let samples = 0;
  let stopped = false;
  let timedOut = false;
  let ended = started;

  const pass = () => {
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      const cmdline = cmdlineOf(entry);
      if (cmdline === undefined || cmdline === "") continue; // kernel threads have no argv
      const pid = Number(entry);
      const program = path.basename(cmdline.split("\0")[0] ?? "");
      const programs = seen.get(pid) ?? new Set<string>();
      seen.set(pid, programs.add(program));
      if (secrets.some((s) => cmdline.includes(s))) {
        const shown = secrets.reduce((text, s, i) => text.split(s).join(`<secret #${i}>`), cmdline);
        leaks.set(pid, shown.split("\0").join(" ").trim());
      }
    }
    samples++;
  };

  const loop = (async () => {
    while (!stopped) {
      if (Date.now() >= deadline) {
        timedOut = true;
        break;
      }
      pass();
      ended = Date.now();
      await new Promise((resolve) => setImmediate(resolve));
    }
  })();

  return {
    async stop() {
      stopped = true;
      await loop;
      const programs: Record<string, number> = {};
      for (const names of seen.values())
        for (const program of names) programs[program] = (programs[program] ?? 0) + 1;
      return {
        samples,
        processes: seen.size,
        programs,
        leaks: [...leaks].map(([pid, argv]) => ({ pid, argv })),
        timedOut,
        milliseconds: ended - started,
      };
    },
  };
}
