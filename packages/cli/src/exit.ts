// Ending a drkit process without losing what it printed.

/**
 * Exits with `code` once stdout and stderr have flushed. When they are pipes, Node writes them
 * asynchronously, and `process.exit` drops whatever is still queued: past 64 KiB, a `--json` result piped
 * to another program arrived cut.
 */
export function exitWhenFlushed(code: number): void {
  // The status too should the process end on its own before the streams report back.
  process.exitCode = code;
  // A write's callback runs once every earlier write on that stream has been handed to the system.
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
