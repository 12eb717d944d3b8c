#!/usr/bin/env node
// drkit's command line.
"use strict";
const { loadDrkitModule } = require("./load");

const { main } = loadDrkitModule("main");
const { closePolicyPacks } = loadDrkitModule("check");
const { exitWhenFlushed } = loadDrkitModule("exit");

main(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
})
  .catch((err) => {
    process.stderr.write(`drkit: ${err && err.stack ? err.stack : err}\n`);
    return 2;
  })
  .then(async (code) => {
    // Set first: should the event loop empty while the packs close, the process ends with the verdict.
    process.exitCode = code;
    // The policy pack's Analyzer server holds the event loop open; the verdict is in.
    await closePolicyPacks().catch(() => undefined);
    // Anything else still open (the SDK's handles) must not keep drkit running, nor cut its output.
    exitWhenFlushed(code);
  });
