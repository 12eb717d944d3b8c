// drkit check's CI formats on a small fixture (one replicated bucket whose critical tier it cannot meet) with
// the drkit pack: exact outputs, validated by the real validators (the OASIS SARIF schema, the Jenkins xUnit
// JUnit schema with libxml2, mermaid's parser). SARIF rules and GitHub's requirements on them, with a pack
// whose metadata the test controls: ciFormatsSarif.test.ts.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CheckResult, closePolicyPacks, main, runCheck, USAGE } from "@drkit/cli";
import type { PolicyDescription, Violation } from "../src/harness/analyzer";
import { renderResult } from "../src/formats";
import { sarifLog, sarifRule } from "../src/formats/sarif";
import { renderJunit } from "../src/formats/junit";
import { fitWithin, renderMarkdown } from "../src/formats/markdown";
import { escapeData, escapeProperty } from "../src/formats/github";
import { drkit } from "../../../test/support/drkit";
import { junitSchemaErrors, mermaidBlocks, parseMermaid, sarifSchemaErrors } from "./support/ciFormats";

const root = path.resolve(__dirname, "../../..");
const orders = path.join(__dirname, "fixtures/orders-program");
const packDir = path.join(root, "policies/dr");
const STACK_FILE = "packages/cli/test/fixtures/orders-program/Pulumi.critical.yaml";
const BUCKET_URN = "urn:pulumi:critical::orders-fixture::aws:s3/bucket:Bucket::orders-data";

let result: CheckResult;
let violation: Violation;
/** The pack's message without its first line (the policy's description): what the formats show as detail. */
let detail: string;

beforeAll(async () => {
  result = await runCheck({ programDir: orders, stack: "critical", packDir });
  expect(result.report.violations).toHaveLength(1);
  violation = result.report.violations[0]!;
  detail = violation.message.slice(violation.description.length + 1);
});
afterAll(() => closePolicyPacks());

const xml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

describe("--format sarif", () => {
  it("is one run with one error result on the stack's config file, the URN as its logical location", () => {
    const log = sarifLog(result);
    const [run] = log.runs;
    expect({
      ...log,
      runs: [{ ...run, tool: { ...run!.tool, driver: { ...run!.tool.driver, rules: [] } } }],
    }).toEqual({
      $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
      version: "2.1.0",
      runs: [
        {
          tool: {
            driver: { name: "drkit", semanticVersion: "0.1.0", rules: [] },
            extensions: [{ name: "drkit-dr", version: "0.1.0" }],
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
              ruleId: "drkit-rpo-rto",
              ruleIndex: 0,
              level: "error",
              message: { text: `aws:s3/bucket:Bucket orders-data: ${detail}` },
              locations: [
                {
                  physicalLocation: {
                    artifactLocation: { uri: STACK_FILE, uriBaseId: "%SRCROOT%" },
                    // "config:" is the file's first line: 7 characters, the region ends before column 8.
                    region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 8 },
                  },
                  logicalLocations: [
                    { name: "orders-data", fullyQualifiedName: BUCKET_URN, kind: "resource" },
                  ],
                },
              ],
              partialFingerprints: { primaryLocationLineHash: "3356f116ec155191:1" },
              properties: { enforcementLevel: "mandatory", phase: "stack" },
            },
          ],
          properties: { project: "orders-fixture", stack: "critical", mode: "preview", failed: true },
        },
      ],
    });
    expect(detail.split("\n")[0]).toBe(
      "orders (critical), region disruption (loss of a whole region): RPO 15m > target 5m; RTO 25m ≤ target 1h.",
    );
  });

  it("has one rule per policy that ran, in the pack's order, each from what the pack declares", () => {
    const rules = sarifLog(result).runs[0]!.tool.driver.rules;
    expect(rules.map((r) => r.id)).toEqual(result.pack.policies.map((p) => p.name));
    result.pack.policies.forEach((policy, i) =>
      expect(rules[i]).toEqual(sarifRule(policy, policy.enforcementLevel)),
    );
  });

  it("is valid SARIF 2.1.0 (OASIS schema)", () => {
    expect(sarifSchemaErrors(JSON.parse(renderResult(result, "sarif")))).toEqual([]);
  });
});

describe("SARIF rules follow what the pack declares, and nothing else", () => {
  const bare: PolicyDescription = {
    name: "example-bare",
    description: "A policy that declares no metadata.",
    enforcementLevel: "advisory",
    type: "resource",
  };

  it("maps every declared field", () => {
    expect(
      sarifRule(
        {
          ...bare,
          name: "example-full",
          displayName: "Example: everything declared",
          severity: "high",
          url: "https://example.com/policies#example-full",
          remediationSteps: "Turn it on.",
          tags: ["drkit", "backup"],
          framework: { name: "ISO/IEC 27001", version: "2022", reference: "Annex A 8.13" },
        },
        "mandatory",
      ),
    ).toEqual({
      id: "example-full",
      name: "Example: everything declared",
      shortDescription: { text: "A policy that declares no metadata." },
      fullDescription: { text: "A policy that declares no metadata." },
      help: { text: "Turn it on." },
      helpUri: "https://example.com/policies#example-full",
      defaultConfiguration: { level: "error" },
      properties: {
        tags: ["drkit", "backup"],
        "security-severity": "8.0",
        severity: "high",
        framework: { name: "ISO/IEC 27001", version: "2022", reference: "Annex A 8.13" },
      },
    });
  });

  it("leaves out what is not declared (no invented help, severity or tags)", () => {
    expect(sarifRule(bare, "advisory")).toEqual({
      id: "example-bare",
      shortDescription: { text: "A policy that declares no metadata." },
      fullDescription: { text: "A policy that declares no metadata." },
      defaultConfiguration: { level: "warning" },
    });
  });

  it("maps each severity inside GitHub's band for it, and cuts descriptions to GitHub's 1024 characters", () => {
    const scores = (["low", "medium", "high", "critical"] as const).map(
      (severity) => sarifRule({ ...bare, severity }, "advisory").properties?.["security-severity"],
    );
    expect(scores).toEqual(["2.0", "5.5", "8.0", "9.5"]);
    const long = sarifRule({ ...bare, description: "x".repeat(2000) }, "advisory");
    expect(long.shortDescription.text).toBe(`${"x".repeat(1023)}…`);
  });
});

describe("--format junit", () => {
  it("is a suite per policy and per service: the breach fails in both, the rest pass", () => {
    const assessments = result.posture!.assessments;
    const out = (i: number) =>
      xml(
        [`RPO 0s (target 5m); RTO ${i === 0 ? "50m" : "0s"} (target 1h)`, ...assessments[i]!.derivation].join(
          "\n",
        ),
      );
    const passing = result.pack.policies
      .slice(1)
      .flatMap((p) => [
        `  <testsuite name="policy ${p.name}" tests="1" failures="0" errors="0" skipped="0">`,
        `    <testcase classname="orders-fixture.critical.policy.${p.name}" name="${p.name}: no violation"/>`,
        "  </testsuite>",
      ]);
    expect(renderJunit(result).split("\n")).toEqual([
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<testsuites name="drkit check orders-fixture/critical" tests="${result.pack.policies.length + 4}" failures="2" errors="0">`,
      '  <testsuite name="policy drkit-rpo-rto" tests="1" failures="1" errors="0" skipped="0">',
      '    <testcase classname="orders-fixture.critical.policy.drkit-rpo-rto" name="drkit-rpo-rto: aws:s3/bucket:Bucket orders-data">',
      ...`      <failure type="mandatory" message="orders (critical), region disruption (loss of a whole region): RPO 15m &gt; target 5m; RTO 25m ≤ target 1h.">${xml(violation.message)}</failure>`.split(
        "\n",
      ),
      "    </testcase>",
      "  </testsuite>",
      ...passing,
      '  <testsuite name="posture orders (critical)" tests="4" failures="1" errors="0" skipped="0">',
      ...[0, 1, 2].flatMap((i) => [
        `    <testcase classname="orders-fixture.critical.posture.orders" name="orders: ${assessments[i]!.disruption}">`,
        ...`      <system-out>${out(i)}</system-out>`.split("\n"),
        "    </testcase>",
      ]),
      '    <testcase classname="orders-fixture.critical.posture.orders" name="orders: region">',
      ...`      <failure type="PolicyBreached" message="RPO 15m (target 5m); RTO 25m (target 1h)">${xml(assessments[3]!.derivation.join("\n"))}</failure>`.split(
        "\n",
      ),
      "    </testcase>",
      "  </testsuite>",
      "</testsuites>",
    ]);
  });

  it("is valid against the JUnit schema (libxml2), also with characters XML cannot hold", async () => {
    expect(await junitSchemaErrors(renderJunit(result))).toEqual([]);
    const hostile = {
      ...violation,
      message: `${violation.description}\nbell \u0007, "quotes", <tags> & ]]> \uD800 end`,
    };
    const junit = renderJunit({ ...result, report: { ...result.report, violations: [hostile] } });
    expect(await junitSchemaErrors(junit)).toEqual([]);
    expect(junit).toContain(
      'message="bell \uFFFD, &quot;quotes&quot;, &lt;tags&gt; &amp; ]]&gt; \uFFFD end"',
    );
    expect(await junitSchemaErrors('<testsuites><testsuite name="a"/></testsuites>')).toEqual([
      "drkit-junit.xml:1: Schemas validity error : Element 'testsuite': The attribute 'tests' is required but missing.",
      "drkit-junit.xml:1: Schemas validity error : Element 'testsuite': The attribute 'failures' is required but missing.",
      "drkit-junit.xml:1: Schemas validity error : Element 'testsuite': The attribute 'errors' is required but missing.",
    ]);
  });

  it("data drkit cannot judge is an error, never a pass (and the exit code stays the verdict)", async () => {
    const { code, out } = await drkit(
      "check",
      orders,
      "--stack",
      "database",
      "--policy-pack",
      packDir,
      "--format",
      "junit",
    );
    expect(code).toBe(1);
    expect(await junitSchemaErrors(out)).toEqual([]);
    const lines = out.split("\n");
    const software = lines.indexOf(
      '    <testcase classname="orders-fixture.database.posture.orders" name="orders: software">',
    );
    expect(lines[software + 1]).toMatch(
      /^ {6}<error type="NotAssessed" message="holds data drkit cannot judge: aws:rds\/instance:Instance orders-db">/,
    );
    // drkit-rpo-rto reports two violations (the region breach, the data it cannot judge): both fail. Of
    // the posture, software, hardware and zone are not judged (errors); region is breached (a failure).
    expect(lines[1]).toBe(
      `<testsuites name="drkit check orders-fixture/database" tests="${result.pack.policies.length + 1 + 4}" failures="3" errors="3">`,
    );
  });
});

describe("--format markdown", () => {
  it("is the verdict, the violation, the posture table, the topology and the coverage", () => {
    const message = "```text\n" + violation.message + "\n```";
    expect(renderMarkdown(result)).toBe(
      [
        "## ❌ DR check failed: orders-fixture / critical",
        "",
        "FAILED: 1 mandatory violation would stop `pulumi preview`. (0 advisory)",
        "",
        "Policy pack `drkit-dr@v0.1.0` · preview, offline (`drkit check`) · 8 resources",
        "",
        "### Policy violations (1 mandatory, 0 advisory)",
        "",
        "| Level | Policy | Resource | Finding |",
        "|---|---|---|---|",
        "| ❌ mandatory | `drkit-rpo-rto` | aws:s3/bucket:Bucket orders-data | orders (critical), region disruption (loss of a whole region): RPO 15m &gt; target 5m; RTO 25m ≤ target 1h. |",
        "",
        "<details><summary>Full messages (1)</summary>",
        "",
        "**`drkit-rpo-rto`** on aws:s3/bucket:Bucket orders-data:",
        "",
        message,
        "",
        "</details>",
        "",
        "### Posture: achievable RPO and RTO per service and disruption",
        "",
        "| Service | Tier | Disruption | RPO target / achievable | RTO target / achievable | Status |",
        "|---|---|---|---|---|---|",
        "| orders | critical | software | 5m / 0s | 1h / 50m | ✅ PolicyMet |",
        "| orders | critical | hardware | 5m / 0s | 1h / 0s | ✅ PolicyMet |",
        "| orders | critical | zone | 5m / 0s | 1h / 0s | ✅ PolicyMet |",
        "| orders | critical | region | 5m / 15m | 1h / 25m | ❌ PolicyBreached |",
        "",
        "### Recovery topology",
        "",
        "Regions are boxes; an arrow is a copy in another region that a region disruption recovers from, labelled with its RPO bound (from the posture model's estimates).",
        "",
        "```mermaid",
        "flowchart LR",
        '  subgraph r0["eu-west-1"]',
        '    n0["orders: bucket orders-data (eu-west-1)"]',
        "  end",
        '  subgraph r1["eu-central-1"]',
        '    n1["orders: Bucket orders-data-replica"]',
        "  end",
        '  n0 -->|"RPO ≤ 15m"| n1',
        "```",
        "",
        "### Coverage and what was not judged",
        "",
        "- Coverage: 2 of 2 resources assessed; 0 hold data drkit cannot judge (NotAssessed); 0 stateless, not assessed.",
      ].join("\n"),
    );
  });

  it("draws a topology mermaid parses: regions as subgraphs, the replica arrow with its bound", () => {
    const [diagram] = mermaidBlocks(renderMarkdown(result));
    expect(parseMermaid(diagram!)).toEqual({
      type: "flowchart-v2",
      vertices: [
        { id: "n0", text: "orders: bucket orders-data (eu-west-1)" },
        { id: "n1", text: "orders: Bucket orders-data-replica" },
      ],
      edges: [{ start: "n0", end: "n1", text: "RPO ≤ 15m" }],
      subgraphs: [
        { id: "r0", title: "eu-west-1", nodes: ["n0"] },
        { id: "r1", title: "eu-central-1", nodes: ["n1"] },
      ],
    });
    expect(parseMermaid('flowchart LR\n  n0 -->|"broken| n1').error).toMatch(/^Parse error on line \d+:/);
  });

  it("stays within GitHub's comment limit, says so at the top, and leaves no block open", () => {
    const full = renderMarkdown(result);
    const cut = renderMarkdown(result, 1500);
    expect(cut.length).toBeLessThanOrEqual(1500);
    expect(cut.split("\n").slice(0, 4)).toEqual([
      "## ❌ DR check failed: orders-fixture / critical",
      "",
      "FAILED: 1 mandatory violation would stop `pulumi preview`. (0 advisory)",
      "",
    ]);
    expect(cut).toContain(
      `> [!WARNING]\n> **Truncated**: this summary has ${full.length} characters, more than GitHub's limit of 1500 for a comment, so 7 parts at the end are left out.`,
    );
    expect(cut.match(/<details>/g)?.length ?? 0).toBe(cut.match(/<\/details>/g)?.length ?? 0);
    expect((cut.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it("fits sections block by block, and a section that fits whole is never cut", () => {
    const block = (c: string) => `${c.repeat(200)}\n`;
    const sections = [
      { head: "# T\n", blocks: [] },
      { head: "## A\n", blocks: [block("a"), block("b"), block("c")], tail: "end A\n" },
      { head: "## B\n", blocks: [block("d")] },
    ];
    const whole = `# T\n\n## A\n${block("a")}${block("b")}${block("c")}end A\n\n## B\n${block("d")}`;
    expect(fitWithin(sections, 1000)).toBe(whole.trimEnd());
    expect(fitWithin(sections, 700)).toBe(
      [
        "# T\n",
        `> [!WARNING]\n> **Truncated**: this summary has ${whole.trimEnd().length} characters, more than GitHub's limit of 700 for a comment, so 2 parts at the end are left out. \`drkit check --format markdown\` prints it whole, and the evidence (\`--report\`) has every violation.\n`,
        `## A\n${block("a")}${block("b")}end A`,
      ].join("\n"),
    );
  });
});

describe("--format github", () => {
  it("is an annotation per violation on the stack file, then the verdict", () => {
    expect(renderResult(result, "github").split("\n")).toEqual([
      `::error file=${STACK_FILE},line=1,title=drkit-rpo-rto (aws%3As3/bucket%3ABucket orders-data)::${escapeData(detail)}`,
      "FAILED: 1 mandatory violation would stop `pulumi preview`. (0 advisory)",
    ]);
    expect(escapeData(detail)).not.toMatch(/[\r\n]/);
  });

  it("escapes what the runner would read as the end of a message or a property", () => {
    expect(escapeData("100% done\r\nnext::line")).toBe("100%25 done%0D%0Anext::line");
    expect(escapeProperty("a:b,c%\nd")).toBe("a%3Ab%2Cc%25%0Ad");
  });

  it("appends the markdown summary to $GITHUB_STEP_SUMMARY, and refuses one it cannot write before running", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-summary-"));
    const summary = path.join(dir, "step_summary.md");
    fs.writeFileSync(summary, "earlier step\n");
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      out: (t: string) => out.push(t),
      err: (t: string) => err.push(t),
      env: { GITHUB_STEP_SUMMARY: summary },
    };
    const args = ["check", orders, "--stack", "critical", "--policy-pack", packDir, "--format", "github"];
    expect(await main(args, io)).toBe(1);
    expect(fs.readFileSync(summary, "utf8")).toBe(`earlier step\n${renderMarkdown(result)}\n`);
    expect(out.join("\n").split("\n")[0]).toMatch(/^::error file=/);

    const unwritable = { ...io, env: { GITHUB_STEP_SUMMARY: dir } };
    err.length = 0;
    expect(await main(args, unwritable)).toBe(2);
    expect(err.join("\n")).toMatch(
      new RegExp(
        `^drkit check: --format github writes the job summary to \\$GITHUB_STEP_SUMMARY \\(${dir}\\), which cannot be written: EISDIR`,
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("--format and --json", () => {
  const refused = async (...args: string[]) => {
    const { code, out, err } = await drkit(
      "check",
      orders,
      "--stack",
      "critical",
      "--policy-pack",
      packDir,
      ...args,
    );
    expect([code, out]).toEqual([2, ""]);
    return err.split("\n\n")[0];
  };

  it("refuses a format drkit does not have, naming the close one", async () => {
    expect(await refused("--format", "xml")).toBe(
      'drkit check: --format takes one of text, json, sarif, junit, markdown, github (got "xml")',
    );
    expect(await refused("--format", "sarf")).toBe(
      'drkit check: --format takes one of text, json, sarif, junit, markdown, github (got "sarf"): did you mean sarif?',
    );
    expect(await refused("--format", "")).toBe(
      "drkit check: --format is empty: give an output format (text, json, sarif, junit, markdown, github), or leave out --format",
    );
    expect(await refused("--format", "json", "--format", "sarif")).toBe(
      'drkit check: --format is given twice ("json", then "sarif"): give it once',
    );
  });

  it("takes --json as --format json, and refuses it beside another format", async () => {
    expect(await refused("--json", "--format", "sarif")).toBe(
      "drkit check: --json is short for --format json, and --format asks for sarif: give one of them",
    );
    const both = await drkit(
      "check",
      orders,
      "--stack",
      "critical",
      "--policy-pack",
      packDir,
      "--json",
      "--format",
      "json",
    );
    expect(both.code).toBe(1);
    expect(both.out).toBe(renderResult(result, "json"));
  });

  it("lists every format in the usage", () => {
    for (const format of ["text", "json", "sarif", "junit", "markdown", "github"]) {
      expect(USAGE).toMatch(new RegExp(`^ {27}${format} +\\S`, "m"));
    }
  });
});

describe("what the pack remediated, in every CI format", () => {
  const program = path.join(__dirname, "fixtures/remediation-program");
  const STACK = "packages/cli/test/fixtures/remediation-program/Pulumi.dev.yaml";
  const CHECK =
    "drkit-aws-route53-health-check-configure-detection changed aws:route53/healthCheck:HealthCheck primary-check before the check, as `pulumi up` would deploy it: failureThreshold: 10 → 3.";
  const TTL =
    "drkit-aws-route53-record-configure-ttl changed aws:route53/record:Record api-primary before the check, as `pulumi up` would deploy it: ttl: 3600 → 60.";
  let remediated: CheckResult;
  beforeAll(async () => {
    remediated = await runCheck({
      programDir: program,
      stack: "dev",
      packDir,
      policyConfigFile: path.join(program, "remediate.json"),
    });
  });

  it("is a notice, a SARIF notification, a note of the summary and a passing test that says what changed", async () => {
    expect(renderResult(remediated, "github").split("\n")).toEqual([
      `::notice file=${STACK},title=drkit%3A remediated::${CHECK}`,
      `::notice file=${STACK},title=drkit%3A remediated::${TTL}`,
      "PASSED: no mandatory violation. (0 advisory, 2 remediations)",
    ]);
    expect(sarifLog(remediated).runs[0]!.invocations).toEqual([
      {
        executionSuccessful: true,
        toolExecutionNotifications: [
          { level: "note", message: { text: CHECK } },
          { level: "note", message: { text: TTL } },
        ],
      },
    ]);
    expect(renderMarkdown(remediated).split("\n").slice(-2)).toEqual([
      `- Note: ${CHECK.replace(/_/g, "\\_")}`,
      `- Note: ${TTL.replace(/_/g, "\\_")}`,
    ]);
    const junit = renderJunit(remediated);
    expect(await junitSchemaErrors(junit)).toEqual([]);
    expect(junit).toContain(
      [
        '    <testcase classname="remediation-fixture.dev.policy.drkit-aws-route53-record-configure-ttl" name="drkit-aws-route53-record-configure-ttl: aws:route53/record:Record api-primary (remediated)">',
        "      <system-out>REMEDIATED (as `pulumi up` would deploy it): A failover or weighted Route 53 record must have a TTL within the budget (AWS advises 60 s).",
        "ttl: 3600 → 60</system-out>",
        "    </testcase>",
      ].join("\n"),
    );
  });
});
