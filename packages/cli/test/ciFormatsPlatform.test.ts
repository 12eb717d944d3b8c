// The README's main job in its CI formats: `drkit check . --stack prod --policy-config drkit-policy.prod.json
// --format sarif|junit|markdown|github` on the reference platform, from the repository root.
import * as path from "path";
import { gzipSync } from "zlib";
import { CheckResult, closePolicyPacks, runCheck } from "@drkit/cli";
import { renderResult } from "../src/formats";
import { GITHUB_COMMENT_CHARACTERS } from "../src/formats/markdown";
import { drkit } from "../../../test/support/drkit";
import {
  githubSarifProblems,
  junitSchemaErrors,
  mermaidBlocks,
  parseMermaid,
  sarifSchemaErrors,
} from "./support/ciFormats";

const root = path.resolve(__dirname, "../../..");
const policyConfig = path.join(root, "drkit-policy.prod.json");
const urn = (type: string, name: string) => `urn:pulumi:prod::drkit-platform::${type}::${name}`;

let result: CheckResult;
beforeAll(async () => {
  result = await runCheck({ programDir: root, stack: "prod", policyConfigFile: policyConfig });
});
afterAll(() => closePolicyPacks());

it("drkit check --format sarif prints the same log, and exits with the verdict", async () => {
  const { code, out, err } = await drkit(
    "check",
    root,
    "--stack",
    "prod",
    "--policy-config",
    policyConfig,
    "--format",
    "sarif",
  );
  expect([code, err]).toEqual([0, ""]);
  expect(out).toBe(renderResult(result, "sarif"));
});

describe("SARIF", () => {
  it("is valid SARIF 2.1.0 that GitHub code scanning accepts, with a rule (and its help) for every policy", () => {
    const text = renderResult(result, "sarif");
    const log = JSON.parse(text);
    expect(sarifSchemaErrors(log)).toEqual([]);
    expect(githubSarifProblems(log, root, gzipSync(text).length)).toEqual([]);
    expect(log.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toEqual(
      result.pack.policies.map((p) => p.name),
    );
  });

  it("has a result per violation on Pulumi.prod.yaml, each with the resource's URN and an identity of its own", () => {
    const run = JSON.parse(renderResult(result, "sarif")).runs[0];
    type Result = {
      ruleId: string;
      level: string;
      locations: {
        physicalLocation: { artifactLocation: { uri: string } };
        logicalLocations: { fullyQualifiedName: string }[];
      }[];
      partialFingerprints: { primaryLocationLineHash: string };
    };
    expect(
      run.results.map((r: Result) => [
        r.ruleId,
        r.level,
        r.locations[0]!.physicalLocation.artifactLocation.uri,
        r.locations[0]!.logicalLocations[0]!.fullyQualifiedName,
      ]),
    ).toEqual([
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:RedisCrossZone$aws:iam/policy:Policy", "sessions-redis-backup-writer"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:RedisCrossZone$aws:iam/policy:Policy", "sessions-redis-backup-reader"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:VeleroSchedule$aws:iam/rolePolicy:RolePolicy", "cluster-velero-replication"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:PulumiStateBackend$aws:iam/rolePolicy:RolePolicy", "iac-state-replication"),
      ],
      // The orders database's NeonBackup: its job policies name the bucket's ARN, unknown in preview.
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:NeonBackup$aws:iam/policy:Policy", "orders-db-backup-backup"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:NeonBackup$aws:iam/policy:Policy", "orders-db-backup-drill"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:ObjectLockBucket$aws:iam/rolePolicy:RolePolicy", "orders-data-replication"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn("drkit:index:ObjectLockBucket$aws:iam/rolePolicy:RolePolicy", "documents-data-replication"),
      ],
      [
        "drkit-aws-iam-policy-disallow-wildcard-actions",
        "warning",
        "Pulumi.prod.yaml",
        urn(
          "drkit:index:PulumiStateBackend$drkit:index:ObjectLockBucket$aws:iam/rolePolicy:RolePolicy",
          "iac-state-records-replication",
        ),
      ],
      ["drkit-rpo-rto", "warning", "Pulumi.prod.yaml", urn("drkit:index:ObjectLockBucket", "orders-data")],
      [
        "drkit-stack-outputs-disallow-secrets",
        "warning",
        "Pulumi.prod.yaml",
        urn("pulumi:pulumi:Stack", "drkit-platform-prod"),
      ],
    ]);
    const hashes = run.results.map((r: Result) => r.partialFingerprints.primaryLocationLineHash);
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(run.automationDetails).toEqual({ id: "drkit/drkit-platform/prod/" });
  });
});

describe("JUnit", () => {
  it("is valid against the JUnit schema: a suite per policy and per service, nothing failed", async () => {
    const junit = renderResult(result, "junit");
    expect(await junitSchemaErrors(junit)).toEqual([]);
    const suites = [
      ...junit.matchAll(
        /<testsuite name="([^"]+)" tests="(\d+)" failures="(\d+)" errors="(\d+)" skipped="(\d+)">/g,
      ),
    ].map((m) => `${m[1]}: ${m[2]} tests, ${m[3]} failures, ${m[4]} errors, ${m[5]} skipped`);
    expect(suites).toEqual([
      ...result.pack.policies.map((p) =>
        p.name === "drkit-aws-iam-policy-disallow-wildcard-actions"
          ? `policy ${p.name}: 9 tests, 0 failures, 0 errors, 0 skipped`
          : `policy ${p.name}: 1 tests, 0 failures, 0 errors, 0 skipped`,
      ),
      "posture orders (critical): 4 tests, 0 failures, 0 errors, 0 skipped",
      "posture documents (important): 4 tests, 0 failures, 0 errors, 0 skipped",
      "posture status-page (standard): 4 tests, 0 failures, 0 errors, 3 skipped",
      "posture cluster (important): 4 tests, 0 failures, 0 errors, 0 skipped",
      "posture sessions (important): 4 tests, 0 failures, 0 errors, 0 skipped",
      "posture iac-state (important): 4 tests, 0 failures, 0 errors, 0 skipped",
    ]);
  });
});

describe("Markdown", () => {
  it("fits a pull-request comment, with the posture table and the waivers as the config gives them", () => {
    const markdown = renderResult(result, "markdown");
    expect(markdown.length).toBeLessThan(GITHUB_COMMENT_CHARACTERS);
    expect(markdown).not.toContain("Truncated");
    const lines = markdown.split("\n");
    expect(lines.slice(0, 5)).toEqual([
      "## ⚠️ DR check passed: drkit-platform / prod",
      "",
      "PASSED: no mandatory violation. (11 advisory)",
      "",
      `Policy pack \`drkit-dr@v0.1.0\` · preview, offline (\`drkit check\`) · ${result.run.resources.length} resources`,
    ]);
    const rows = (first: string, count: number) =>
      lines.slice(lines.indexOf(first), lines.indexOf(first) + count);
    expect(rows("| orders | critical | software | 5m / 5m | 1h / 50m | ✅ PolicyMet |", 24)).toEqual([
      "| orders | critical | software | 5m / 5m | 1h / 50m | ✅ PolicyMet |",
      "| orders | critical | hardware | 5m / 0s | 1h / 2m | ✅ PolicyMet |",
      "| orders | critical | zone | 5m / 0s | 1h / 10m | ✅ PolicyMet |",
      "| orders | critical | region | 5m / 15m | 1h / 30m | ⚠️ Waived |",
      "| documents | important | software | 1h / 0s | 4h / 50m | ✅ PolicyMet |",
      "| documents | important | hardware | 1h / 0s | 4h / 0s | ✅ PolicyMet |",
      "| documents | important | zone | 1h / 0s | 4h / 0s | ✅ PolicyMet |",
      "| documents | important | region | 1h / 15m | 4h / 25m | ✅ PolicyMet |",
      "| status-page | standard | software | 1d / ? | 1d / ? | ➖ NotApplicable |",
      "| status-page | standard | hardware | 1d / ? | 1d / ? | ➖ NotApplicable |",
      "| status-page | standard | zone | 1d / ? | 1d / ? | ➖ NotApplicable |",
      "| status-page | standard | region | 1d / 0s | 1d / 1m 30s | ✅ PolicyMet |",
      "| cluster | important | software | 1h / 30m | 4h / 50m | ✅ PolicyMet |",
      "| cluster | important | hardware | 1h / 0s | 4h / 25m | ✅ PolicyMet |",
      "| cluster | important | zone | 1h / 30m | 4h / 50m | ✅ PolicyMet |",
      "| cluster | important | region | 1h / 45m | 4h / 50m | ✅ PolicyMet |",
      "| sessions | important | software | 1h / 1h | 4h / 30m | ✅ PolicyMet |",
      "| sessions | important | hardware | 1h / 1s | 4h / 25m | ✅ PolicyMet |",
      "| sessions | important | zone | 1h / 1s | 4h / 25m | ✅ PolicyMet |",
      "| sessions | important | region | 1h / 1h | 4h / 30m | ✅ PolicyMet |",
      "| iac-state | important | software | 1h / 0s | 4h / 50m | ✅ PolicyMet |",
      "| iac-state | important | hardware | 1h / 0s | 4h / 0s | ✅ PolicyMet |",
      "| iac-state | important | zone | 1h / 0s | 4h / 0s | ✅ PolicyMet |",
      "| iac-state | important | region | 1h / 15m | 4h / 25m | ✅ PolicyMet |",
    ]);
    expect(rows("### Waivers", 5).slice(2)).toEqual([
      "| Service | Disruption | Resource | Owner | Expires | State | Reason or problem |",
      "|---|---|---|---|---|---|---|",
      "| orders | region | orders-data | platform-team@example.com | 2027-05-31 | applied | S3 cross-region replication is bounded at 15 minutes by the RTC SLA; a 5-minute region RPO for objects is not contractually achievable. Revisit with a multi-region write path. |",
    ]);
  });

  it("draws the platform's recovery topology from the posture model, and mermaid parses it", () => {
    const [diagram] = mermaidBlocks(renderResult(result, "markdown"));
    expect(diagram!.split("\n")).toEqual([
      "flowchart LR",
      '  subgraph r0["eu-west-1"]',
      '    n0["orders: bucket orders-data (eu-west-1)"]',
      '    n5["documents: bucket documents-data (eu-west-1)"]',
      '    n8["cluster: Velero schedule cluster-velero-half-hourly (eu-west-1)"]',
      '    n10["sessions: Redis sessions-redis (eu-west-1)"]',
      '    n12["iac-state: bucket iac-state (eu-west-1)"]',
      '    n14["iac-state: bucket iac-state-records (eu-west-1)"]',
      "  end",
      '  subgraph r1["eu-central-1"]',
      '    n1["orders: Bucket orders-data-replica"]',
      '    n6["documents: Bucket documents-data-replica"]',
      '    n9["cluster: Bucket cluster-velero-backups-replica"]',
      '    n11["sessions: Bucket sessions-redis-backups"]',
      '    n13["iac-state: Bucket iac-state-replica"]',
      '    n15["iac-state: Bucket iac-state-records-replica"]',
      "  end",
      '  subgraph r2["aws-eu-central-1"]',
      '    n3["orders: Neon orders-db-primary (aws-eu-central-1)"]',
      "  end",
      '  subgraph r3["aws-us-east-2"]',
      '    n4["orders: Project orders-db-standby"]',
      "  end",
      '  subgraph r4["us-east-1"]',
      '    n7["status-page: DNS status.example.com (failover)"]',
      "  end",
      '  subgraph r5["no region (global, or not set)"]',
      '    n2["orders: DNS orders.example.com (weighted, records owned by the failover stack)"]',
      "  end",
      '  n0 -->|"RPO ≤ 15m"| n1',
      '  n3 -->|"RPO ≤ 4m"| n4',
      '  n5 -->|"RPO ≤ 15m"| n6',
      '  n8 -->|"RPO ≤ 45m"| n9',
      '  n10 -->|"RPO ≤ 1h"| n11',
      '  n12 -->|"RPO ≤ 15m"| n13',
      '  n14 -->|"RPO ≤ 15m"| n15',
    ]);
    const parsed = parseMermaid(diagram!);
    expect(parsed.error).toBeUndefined();
    expect(parsed.subgraphs!.map((s) => `${s.title}: ${s.nodes.join(" ")}`)).toEqual([
      "eu-west-1: n0 n5 n8 n10 n12 n14",
      "eu-central-1: n1 n6 n9 n11 n13 n15",
      "aws-eu-central-1: n3",
      "aws-us-east-2: n4",
      "us-east-1: n7",
      "no region (global, or not set): n2",
    ]);
    expect(parsed.edges!.map((e) => `${e.start} -> ${e.end}: ${e.text}`)).toEqual([
      "n0 -> n1: RPO ≤ 15m",
      "n3 -> n4: RPO ≤ 4m",
      "n5 -> n6: RPO ≤ 15m",
      "n8 -> n9: RPO ≤ 45m",
      "n10 -> n11: RPO ≤ 1h",
      "n12 -> n13: RPO ≤ 15m",
      "n14 -> n15: RPO ≤ 15m",
    ]);
  });
});

it("GitHub annotations: a warning per advisory violation on Pulumi.prod.yaml, notes for the encrypted config", () => {
  const lines = renderResult(result, "github").split("\n");
  expect(lines.map((line) => line.replace(/::(?!.*::).*$/, "::…"))).toEqual([
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/policy%3APolicy sessions-redis-backup-writer)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/policy%3APolicy sessions-redis-backup-reader)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/rolePolicy%3ARolePolicy cluster-velero-replication)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/rolePolicy%3ARolePolicy iac-state-replication)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/policy%3APolicy orders-db-backup-backup)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/policy%3APolicy orders-db-backup-drill)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/rolePolicy%3ARolePolicy orders-data-replication)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/rolePolicy%3ARolePolicy documents-data-replication)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-aws-iam-policy-disallow-wildcard-actions (aws%3Aiam/rolePolicy%3ARolePolicy iac-state-records-replication)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-rpo-rto (drkit%3Aindex%3AObjectLockBucket orders-data)::…",
    "::warning file=Pulumi.prod.yaml,line=1,title=drkit-stack-outputs-disallow-secrets (pulumi%3Apulumi%3AStack drkit-platform-prod)::…",
    "::notice file=Pulumi.prod.yaml,title=drkit%3A encrypted config::…",
    "::notice file=Pulumi.prod.yaml,title=drkit%3A encrypted config::…",
    "PASSED: no mandatory violation. (11 advisory)",
  ]);
});
