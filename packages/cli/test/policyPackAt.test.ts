// A pack drkit cannot load is refused with the pack named, why, and the fix: before this, an installed
// TypeScript pack surfaced as "the program failed: Stripping types is currently unsupported…".
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { policyPackAt, UsageError } from "@drkit/cli";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "drkit-pack-at-")));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function packFolder(at: string, files: Record<string, string>): string {
  const dir = path.join(tmp, at);
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries({ "PulumiPolicy.yaml": "runtime: nodejs\n", ...files })) {
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

it("fails when the pack is TypeScript inside node_modules, which nothing would compile", () => {
  const dir = packFolder("project/node_modules/ts-pack", {
    "package.json": JSON.stringify({ name: "ts-pack", main: "index.ts" }),
    "index.ts": "export const pack: string = 'never loaded';\n",
  });
  expect(() => policyPackAt(dir)).toThrow(
    new UsageError(
      `the policy pack in ${dir} is TypeScript (${path.join(dir, "index.ts")}) inside node_modules, which neither drkit nor Node.js compiles: install a build of the pack whose package.json "main" is JavaScript (@drkit/policy-pack ships one), or pass --policy-pack the pack's source folder`,
    ),
  );
});

it("fails when the pack's main names no file", () => {
  const dir = packFolder("no-main", {
    "package.json": JSON.stringify({ name: "no-main", main: "dist/index.js" }),
  });
  expect(() => policyPackAt(dir)).toThrow(
    new UsageError(
      `the policy pack in ${dir} has no entry module: its package.json "main" (default index.js) must name a file that exists`,
    ),
  );
});

it("fails when the pack throws while loading, as the pack's failure and not the program's", async () => {
  const dir = packFolder("throwing", {
    "package.json": JSON.stringify({ name: "throwing", main: "index.js" }),
    "index.js": "throw new Error('no such policy: drkit-typo');\n",
  });
  await expect(policyPackAt(dir)).rejects.toThrow(
    new UsageError(`the policy pack in ${dir} failed to load: no such policy: drkit-typo`),
  );
});
