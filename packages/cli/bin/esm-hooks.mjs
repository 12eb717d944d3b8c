// Not a command: the Node.js module hooks through which `drkit check` compiles an ES-module program's
// TypeScript, registered by the program's process (src/languageHost.ts) with the program's ts-node
// options, as the Pulumi language host registers ts-node's. Hooks run in a thread of their own, where
// drkit's TypeScript loader is not: hence JavaScript.
import { createRequire } from "node:module";
import process from "node:process";

const tsNode = createRequire(import.meta.url)("ts-node");
// This thread runs only ts-node, whose use of deprecated Node.js APIs is nothing the program can act on.
process.noDeprecation = true;
let hooks;

/** Called once, by `module.register`, with the program's ts-node options. */
export function initialize(options) {
  hooks = tsNode.createEsmHooks(tsNode.create(options));
}

export async function resolve(specifier, context, nextResolve) {
  try {
    return await hooks.resolve(specifier, context, nextResolve);
  } catch (err) {
    throw portable(err);
  }
}

export async function load(url, context, nextLoad) {
  try {
    return await hooks.load(url, context, nextLoad);
  } catch (err) {
    throw portable(err);
  }
}

/**
 * `err` as an error that crosses to the program's thread whole. Node copies only its own error classes
 * across: ts-node's TSError (a type error, with the file and line) would arrive as an empty object.
 */
function portable(err) {
  if (!(err instanceof Error) || Object.getPrototypeOf(err) === Error.prototype) return err;
  const copy = new Error(err.message);
  copy.name = err.name;
  if (err.code !== undefined) copy.code = err.code;
  return copy;
}
