// Tests transpile with swc (no type-check: `pnpm typecheck` does that once for the whole tree).
// @pulumi/pulumi eagerly loads `typescript` and `@npmcli/arborist` for closure serialization, which
// drkit never uses in tests; stubbing them saves ~0.5 s per test file.
const swc = [
  "@swc/jest",
  { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } },
];
const stub = "<rootDir>/test/support/emptyModule.js";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": swc },
  testMatch: ["<rootDir>/{packages,policies,stacks,examples,test}/**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/dist/"],
  moduleNameMapper: {
    "^typescript$": stub,
    "^@npmcli/arborist$": stub,
    "^@drkit/(posture|components|cli)$": "<rootDir>/packages/$1/src/index.ts",
    "^@drkit/cli/harness$": "<rootDir>/packages/cli/src/harness/index.ts",
  },
  testTimeout: 60_000,
  // Two cores: one worker per core keeps the Pulumi-heavy files from thrashing.
  maxWorkers: 2,
};
