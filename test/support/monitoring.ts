// The real monitoring tools the health-monitor tests run: promtool and the Prometheus server, postgres_exporter,
// redis_exporter, the Pushgateway and redis-server, from Debian's packages (installed by monitoring.sh when missing). Servers
// start on loopback ports as an unprivileged user when the tests run as root, and stop when told to, even
// after a failure.
import { ChildProcess, execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

let installed = false;

/** Installs the tools when missing (as root), or fails naming them: a test never skips for want of a tool. */
export function ensureMonitoringTools(): void {
  if (installed) return;
  execFileSync("bash", [path.join(__dirname, "monitoring.sh")], { stdio: "inherit" });
  installed = true;
}

/** Runs promtool; resolves with its exit status and combined output. */
export function promtool(args: readonly string[], cwd: string): { status: number; output: string } {
  ensureMonitoringTools();
  try {
    const output = execFileSync("promtool", args, { cwd, encoding: "utf8", stdio: "pipe" });
    return { status: 0, output };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A scratch folder the unprivileged user can write, removed by `removeScratch`. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  if (process.getuid?.() === 0) execFileSync("chown", ["nobody:nogroup", dir]);
  return dir;
}

export function removeScratch(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** A server process the test started. `stop` ends it (and only it) and waits for it to exit. */
export interface TestProcess {
  readonly pid: number;
  readonly port: number;
  /** what it printed, for a failing test's message */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `command` on `port`, as `nobody` when the tests run as root (none of these servers needs
 * privileges), and waits until the port accepts connections.
 */
export async function startProcess(
  command: string,
  args: readonly string[],
  port: number,
  options: { readonly env?: NodeJS.ProcessEnv; readonly cwd?: string } = {},
): Promise<TestProcess> {
  ensureMonitoringTools();
  const asRoot = process.getuid?.() === 0;
  // setpriv execs the server itself (no parent in between), so the pid and the signals are the server's.
  const [file, argv] = asRoot
    ? ["setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", command, ...args]]
    : [command, [...args]];
  const child: ChildProcess = spawn(file, argv, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let running = true;
  void exited.then(() => (running = false));
  const stop = async () => {
    if (!running) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (!running) throw new Error(`${command} exited at start:\n${output}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not listen on 127.0.0.1:${port} within 15 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid as number, port, log: () => output, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
