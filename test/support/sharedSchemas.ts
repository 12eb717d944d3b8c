// The steering repository's shared/ folder sits beside this repository (locally and in CI).
import * as fs from "fs";
import * as path from "path";

export const sharedDir = path.resolve(__dirname, "../../../shared");

export function sharedFile(relative: string): string {
  const file = path.join(sharedDir, relative);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: tests expect the shared/ folder beside the repository (../shared)`);
  }
  return file;
}
