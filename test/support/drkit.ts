// Runs the drkit command line in-process, capturing what it prints.
import { main, Io } from "@drkit/cli";

export async function drkit(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (text) => out.push(text), err: (text) => err.push(text) };
  const code = await main(args, io);
  return { code, out: out.join("\n"), err: err.join("\n") };
}
