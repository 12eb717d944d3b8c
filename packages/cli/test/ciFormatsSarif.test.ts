// `drkit check --format sarif` with a pack whose policies declare metadata (one every field, one none), on
// the orders fixture: the rules carry exactly what GetAnalyzerInfo gave, the log is valid SARIF 2.1.0, and
// GitHub code scanning's own requirements are met where the pack gives what they need, and reported where not.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { gzipSync } from "zlib";
import { CheckResult, closePolicyPacks, runCheck } from "@drkit/cli";
import { renderResult } from "../src/formats";
import { sarifLog } from "../src/formats/sarif";
import { drkit } from "../../../test/support/drkit";
import { githubSarifProblems, sarifSchemaErrors } from "./support/ciFormats";

const root = path.resolve(__dirname, "../../..");
const orders = path.join(__dirname, "fixtures/orders-program");
const packDir = path.join(__dirname, "fixtures/metadata-pack");
const STACK_FILE = "packages/cli/test/fixtures/orders-program/Pulumi.critical.yaml";
const bucketUrn = (name: string) => `urn:pulumi:critical::orders-fixture::aws:s3/bucket:Bucket::${name}`;

let result: CheckResult;
beforeAll(async () => {
  result = await runCheck({ programDir: orders, stack: "critical", packDir });
});
afterAll(() => closePolicyPacks());

const location = (name: string) => ({
  physicalLocation: {
    artifactLocation: { uri: STACK_FILE, uriBaseId: "%SRCROOT%" },
    // "config:" is the file's first line: 7 characters, so the region ends before column 8.
    region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 8 },
  },
  logicalLocations: [{ name, fullyQualifiedName: bucketUrn(name), kind: "resource" }],
});

it("reads each policy's metadata from GetAnalyzerInfo, and only what the pack declares", () => {
  expect(result.pack.policies).toEqual([
    {
      name: "fixture-bucket-name-prefix",
      description: "Bucket names start with the environment.",
      enforcementLevel: "mandatory",
      type: "resource",
      displayName: "Bucket names: environment prefix",
      severity: "high",
      url: "https://example.com/fixture-policies#fixture-bucket-name-prefix",
      remediationSteps: "Rename the bucket to start with `prod-`.",
      tags: ["fixture", "naming"],
      framework: {
        name: "Fixture Framework",
        version: "1.0",
        reference: "FF-1",
        specification: "Names say where a resource runs.",
      },
    },
    {
      name: "fixture-bucket-reviewed",
      description: "Every bucket is reviewed twice.",
      enforcementLevel: "advisory",
      type: "stack",
    },
  ]);
});

it("is the log: a rule per policy as declared, a result per violation, each with an identity of its own", () => {
  expect(sarifLog(result)).toEqual({
    $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "drkit",
            semanticVersion: "0.1.0",
            rules: [
              {
                id: "fixture-bucket-name-prefix",
                name: "Bucket names: environment prefix",
                shortDescription: { text: "Bucket names start with the environment." },
                fullDescription: { text: "Bucket names start with the environment." },
                help: { text: "Rename the bucket to start with `prod-`." },
                helpUri: "https://example.com/fixture-policies#fixture-bucket-name-prefix",
                defaultConfiguration: { level: "error" },
                properties: {
                  tags: ["fixture", "naming"],
                  "security-severity": "8.0",
                  severity: "high",
                  framework: {
                    name: "Fixture Framework",
                    version: "1.0",
                    reference: "FF-1",
                    specification: "Names say where a resource runs.",
                  },
                },
              },
              {
                id: "fixture-bucket-reviewed",
                shortDescription: { text: "Every bucket is reviewed twice." },
                fullDescription: { text: "Every bucket is reviewed twice." },
                defaultConfiguration: { level: "warning" },
              },
            ],
          },
          extensions: [{ name: "metadata-fixture-pack", version: "2.0.1" }],
        },
        automationDetails: { id: "drkit/orders-fixture/critical/" },
        originalUriBaseIds: {
          "%SRCROOT%": {
            description: {
              text: "The root of the repository the program is in (the program's folder outside a git checkout).",
            },
          },
        },
        invocations: [{ executionSuccessful: true }],
        results: [
          {
            ruleId: "fixture-bucket-name-prefix",
            ruleIndex: 0,
            level: "error",
            message: {
              text: "aws:s3/bucket:Bucket orders-data: bucket orders-data does not start with prod-",
            },
            locations: [location("orders-data")],
            partialFingerprints: { primaryLocationLineHash: "7d94bddd32fd155b:1" },
            properties: { enforcementLevel: "mandatory", phase: "resource" },
          },
          {
            ruleId: "fixture-bucket-name-prefix",
            ruleIndex: 0,
            level: "error",
            message: {
              text: "aws:s3/bucket:Bucket orders-data-replica: bucket orders-data-replica does not start with prod-",
            },
            locations: [location("orders-data-replica")],
            partialFingerprints: { primaryLocationLineHash: "0dfe47bca251af3d:1" },
            properties: { enforcementLevel: "mandatory", phase: "resource" },
          },
          {
            ruleId: "fixture-bucket-reviewed",
            ruleIndex: 1,
            level: "warning",
            message: { text: "aws:s3/bucket:Bucket orders-data: first review missing" },
            locations: [location("orders-data")],
            // Two violations of one policy on one resource: the count after the colon tells them apart.
            partialFingerprints: { primaryLocationLineHash: "939db2883198c454:1" },
            properties: { enforcementLevel: "advisory", phase: "stack" },
          },
          {
            ruleId: "fixture-bucket-reviewed",
            ruleIndex: 1,
            level: "warning",
            message: { text: "aws:s3/bucket:Bucket orders-data: second review missing" },
            locations: [location("orders-data")],
            partialFingerprints: { primaryLocationLineHash: "939db2883198c454:2" },
            properties: { enforcementLevel: "advisory", phase: "stack" },
          },
        ],
        properties: { project: "orders-fixture", stack: "critical", mode: "preview", failed: true },
      },
    ],
  });
});

it("is valid SARIF 2.1.0; GitHub's only complaint is the help the second policy does not declare", () => {
  const text = renderResult(result, "sarif");
  const log = JSON.parse(text);
  expect(sarifSchemaErrors(log)).toEqual([]);
  expect(githubSarifProblems(log, root, gzipSync(text).length)).toEqual([
    "runs[0].tool.driver.rules[1] (fixture-bucket-reviewed).help.text: required",
  ]);
});

it("the validators are live: a broken log is refused by the schema and by GitHub's rules", () => {
  const log = JSON.parse(renderResult(result, "sarif"));
  const run = log.runs[0];
  run.results[0].level = "fatal";
  run.results[1].locations[0].physicalLocation.region.startLine = 0;
  run.results[2].locations[0].physicalLocation.artifactLocation.uri =
    "/home/runner/work/Pulumi.critical.yaml";
  run.results[3].partialFingerprints.primaryLocationLineHash = "7d94bddd32fd155b:1";
  run.results[3].ruleId = "fixture-bucket-name-prefix";
  run.results[3].ruleIndex = 0;
  run.tool.driver.rules[0].properties["security-severity"] = "11";
  run.tool.driver.rules[0].shortDescription.text = "";
  expect(sarifSchemaErrors(log)).toEqual([
    "/runs/0/results/0/level must be equal to one of the allowed values",
    "/runs/0/results/1/locations/0/physicalLocation/region/startLine must be >= 1",
  ]);
  expect(githubSarifProblems(log, root)).toEqual([
    "runs[0].tool.driver.rules[0] (fixture-bucket-name-prefix).shortDescription.text: required",
    'runs[0].tool.driver.rules[0] (fixture-bucket-name-prefix): security-severity "11" is not a score in (0.0, 10.0]',
    "runs[0].tool.driver.rules[1] (fixture-bucket-reviewed).help.text: required",
    'runs[0].results[0].level: "fatal"',
    "runs[0].results[1].locations[0].physicalLocation.region.startLine: required, a positive integer",
    "runs[0].results[2].locations[0].physicalLocation.artifactLocation.uri: /home/runner/work/Pulumi.critical.yaml is not relative to the repository root",
    `runs[0].results[3]: the same alert identity as an earlier result (fixture-bucket-name-prefix ${STACK_FILE} 7d94bddd32fd155b:1)`,
  ]);
});

it("a policy made advisory is a warning, a disabled one has no rule, and the exit code stays the verdict", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-sarif-"));
  const config = path.join(dir, "policy.json");
  fs.writeFileSync(
    config,
    JSON.stringify({ "fixture-bucket-name-prefix": "advisory", "fixture-bucket-reviewed": "disabled" }),
  );
  const { code, out, err } = await drkit(
    "check",
    orders,
    "--stack",
    "critical",
    "--policy-pack",
    packDir,
    "--policy-config",
    config,
    "--format",
    "sarif",
  );
  fs.rmSync(dir, { recursive: true, force: true });
  expect([code, err]).toEqual([0, ""]);
  const run = JSON.parse(out).runs[0];
  expect(
    run.tool.driver.rules.map((r: { id: string; defaultConfiguration: unknown }) => [
      r.id,
      r.defaultConfiguration,
    ]),
  ).toEqual([["fixture-bucket-name-prefix", { level: "warning" }]]);
  expect(run.results.map((r: { ruleId: string; level: string }) => `${r.ruleId} ${r.level}`)).toEqual([
    "fixture-bucket-name-prefix warning",
    "fixture-bucket-name-prefix warning",
  ]);
  expect(run.properties.failed).toBe(false);
});
