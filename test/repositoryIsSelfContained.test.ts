// A fresh clone must build and pass its tests with nothing beside it: no tracked file may read or point to a
// folder outside the repository (schemas the tests need are vendored under test/vendor).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const root = path.resolve(__dirname, "..");

// A sibling `shared` folder, or the research folders it held. Built from parts so that this file does not
// match itself.
const outside = [
  new RegExp(["\\.\\.", "shared\\b"].join("[\\\\/]")),
  new RegExp(["\\bshared", "(reference|schemas)\\/"].join("\\/")),
];
const referencesOutside = (line: string) => outside.some((pattern) => pattern.test(line));

function trackedFiles(): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    .split("\0")
    .filter((file) => file !== "");
}

it("lists the tracked files (the check below is live)", () => {
  expect(trackedFiles()).toEqual(expect.arrayContaining(["package.json", "test/vendor/schemas/README.md"]));
  expect(referencesOutside(`fs.readFileSync("${["..", "shared", "x.json"].join("/")}")`)).toBe(true);
  expect(referencesOutside(`see ${["shared", "reference", "notes.md"].join("/")}`)).toBe(true);
  expect(referencesOutside("test/vendor/schemas/crds and a shared helper")).toBe(false);
});

it("no tracked file references a sibling folder outside the repository", () => {
  const offenders: string[] = [];
  for (const file of trackedFiles()) {
    const full = path.join(root, file);
    // A file deleted in the work tree but not yet in the index has nothing to check.
    if (!fs.existsSync(full) || !fs.statSync(full).isFile()) continue;
    fs.readFileSync(full, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (referencesOutside(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});
