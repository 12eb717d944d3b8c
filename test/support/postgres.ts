// Starts throwaway PostgreSQL servers on loopback ports for tests, as the `postgres` user (PostgreSQL
// refuses to run as root), and removes them afterwards.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface TestServer {
  readonly host: string;
  readonly port: number;
  /** a superuser connection to the `postgres` database, over the server's Unix socket (no password) */
  readonly uri: string;
  /** a TCP connection as `role`: with `password` set, the server checks it (SCRAM) */
  uriAs(role: string, password: string): string;
  stop(): void;
}

function binDir(): string {
  execFileSync("bash", [path.join(__dirname, "postgres.sh")], { stdio: "inherit" });
  const versions = fs.readdirSync("/usr/lib/postgresql").sort((a, b) => Number(b) - Number(a));
  return path.join("/usr/lib/postgresql", versions[0]!, "bin");
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const asPostgres = (command: string, args: string[]) =>
  execFileSync("runuser", ["-u", "postgres", "--", command, ...args], { stdio: "pipe" });

/**
 * Starts a server on 127.0.0.1. With `password`, TCP connections must authenticate with SCRAM (the
 * superuser `postgres` with that password), so a test proves credentials reach the server; the Unix socket
 * (what `uri` uses) stays trusted for the test's own queries.
 */
export async function startServer(
  settings: Record<string, string> = {},
  options: { readonly password?: string } = {},
): Promise<TestServer> {
  const bin = binDir();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-pg-"));
  execFileSync("chown", ["postgres:postgres", dir]);
  const auth = ["-A", "trust"];
  if (options.password !== undefined) {
    // A file, never an argument: initdb's command line is visible to every process.
    const pwfile = path.join(dir, "pwfile");
    fs.writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
    execFileSync("chown", ["postgres:postgres", pwfile]);
    auth.splice(0, 2, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`);
  }
  const data = path.join(dir, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  execFileSync("chown", ["postgres:postgres", data]);
  asPostgres(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", ...auth, "--no-sync"]);
  fs.rmSync(path.join(dir, "pwfile"), { force: true });
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(" ");
  asPostgres(path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-o",
    serverOptions,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "start",
  ]);
  return {
    host: "127.0.0.1",
    port,
    uri: `postgresql:///postgres?host=${dir}&port=${port}&user=postgres`,
    uriAs: (role, password) => `postgresql://${role}:${password}@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Runs one SQL command and returns its single value (psql -tA). */
export function query(uri: string, sql: string): string {
  return execFileSync("psql", [uri, "-X", "-q", "-tAc", sql], { encoding: "utf8" }).trim();
}
