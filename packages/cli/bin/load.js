// Loads drkit's own modules for bin/drkit.js and for the process that runs a user's program. Programs and
// policy packs are TypeScript, so this registers the loader the Pulumi language host uses (ts-node);
// type-checking is left to `tsc`, as with PULUMI_NODEJS_TRANSPILE_ONLY.
"use strict";
const path = require("path");
const fs = require("fs");

require("ts-node").register({
  transpileOnly: true,
  // Not the tsconfig.json of the folder drkit runs in: that is the user's program's, which the program's
  // process compiles with (src/languageHost.ts), and a broken one must fail the program, not drkit.
  skipProject: true,
  compilerOptions: { module: "commonjs", moduleResolution: "node", target: "ES2022", esModuleInterop: true },
});

/** drkit's module `name` ("main", "check", …): its TypeScript source in a checkout, its build when installed. */
exports.loadDrkitModule = (name) => {
  const source = path.join(__dirname, "..", "src", `${name}.ts`);
  return require(fs.existsSync(source) ? source : path.join(__dirname, "..", "dist", `${name}.js`));
};
