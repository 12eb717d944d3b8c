#!/usr/bin/env node
// drkit's command line. Programs and policy packs are TypeScript, so register the same loader the
// Pulumi language host uses (ts-node); type-checking is left to `tsc`, as with PULUMI_NODEJS_TRANSPILE_ONLY.
"use strict";
const path = require("path");
const fs = require("fs");

require("ts-node").register({
  transpileOnly: true,
  compilerOptions: { module: "commonjs", moduleResolution: "node", target: "ES2022", esModuleInterop: true },
});
const source = path.join(__dirname, "..", "src", "main.ts");
const { main } = require(fs.existsSync(source) ? source : path.join(__dirname, "..", "dist", "main.js"));

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
}).then(
  (code) => {
    process.exitCode = code;
    // The policy pack's Analyzer server and the SDK keep handles open; the verdict is in.
    setImmediate(() => process.exit(code));
  },
  (err) => {
    process.stderr.write(`drkit: ${err && err.stack ? err.stack : err}\n`);
    process.exit(2);
  },
);
