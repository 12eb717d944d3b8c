// Starts throwaway PostgreSQL servers on loopback ports for tests, as the `postgres` user (PostgreSQL
// refuses to run as root), and removes them afterwards.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

export interface TestServer {
  readonly port: number;
  /** a superuser connection to the `postgres` database */
  readonly uri: string;
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

export async function startServer(settings: Record<string, string> = {}): Promise<TestServer> {
  const bin = binDir();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-pg-"));
  execFileSync("chown", ["postgres:postgres", dir]);
  asPostgres(path.join(bin, "initdb"), ["-D", dir, "-U", "postgres", "-A", "trust", "--no-sync"]);
  const options = [
    `-p ${port}`,
    "-c listen_addresses=127.0.0.1",
    `-c unix_socket_directories=${dir}`,
    "-c fsync=off",
    ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`),
  ].join(" ");
  asPostgres(path.join(bin, "pg_ctl"), [
    "-D",
    dir,
    "-o",
    options,
    "-l",
    path.join(dir, "server.log"),
    "-w",
    "start",
  ]);
  return {
    port,
    uri: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    uriAs: (role, password) => `postgresql://${role}:${password}@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        asPostgres(path.join(bin, "pg_ctl"), ["-D", dir, "-m", "immediate", "-w", "stop"]);
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
