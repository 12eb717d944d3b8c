// `drkit check --format junit`: the check as JUnit XML, for CI systems that show test reports (GitLab,
// Jenkins, Azure Pipelines, CircleCI). Two kinds of suite:
// - one per policy that ran: a test per violation (mandatory: a failure; advisory: a pass that says so) and
//   per remediation it made (a pass that says what changed), or one passing test when it found nothing;
// - one per service of the posture table: a test per disruption. A breach is a failure; a verdict that
//   could not be reached (unknown until deploy, data drkit cannot judge, no target) is an error, never a
//   pass; a disruption nothing of the service is exposed to is skipped.
// The exit code stays the verdict: a report tool that counts failures sees the same breaches the pack does.
import type { CheckResult } from "../check";
import type { Violation } from "../harness/analyzer";
import { Assessment, formatDuration } from "@drkit/posture";
import { changedValues } from "../format";
import { keyPath } from "../harness/messages";
import { resourceTitle, violationDetail } from "./location";

type Outcome =
  | { readonly kind: "passed"; readonly output?: string }
  | {
      readonly kind: "failure" | "error" | "skipped";
      readonly type: string;
      readonly message: string;
      readonly body?: string;
    };

interface TestCase {
  readonly classname: string;
  readonly name: string;
  readonly outcome: Outcome;
}

interface TestSuite {
  readonly name: string;
  readonly cases: readonly TestCase[];
}

/** Characters XML 1.0 cannot carry at all (controls but tab, newline and return; lone surrogates; U+FFFE/F). */
const NOT_XML =
  // eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` as XML character data: markup escaped, characters XML cannot hold replaced by U+FFFD. */
export function xmlText(text: string): string {
  return text.replace(NOT_XML, "\uFFFD").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** `text` as an attribute value (double-quoted); line breaks kept as character references. */
export function xmlAttribute(text: string): string {
  return xmlText(text)
    .replace(/"/g, "&quot;")
    .replace(/\n/g, "&#10;")
    .replace(/\r/g, "&#13;")
    .replace(/\t/g, "&#9;");
}

const firstLine = (text: string) => text.split("\n", 1)[0] ?? "";

function violationCase(result: CheckResult, classname: string, v: Violation): TestCase {
  const detail = violationDetail(v);
  const name = `${v.policyName}: ${resourceTitle(result, v.urn)}`;
  return v.enforcementLevel === "mandatory"
    ? {
        classname,
        name,
        outcome: { kind: "failure", type: "mandatory", message: firstLine(detail), body: v.message },
      }
    : {
        classname,
        name,
        outcome: { kind: "passed", output: `ADVISORY (does not fail the check): ${v.message}` },
      };
}

function policySuites(result: CheckResult, prefix: string): TestSuite[] {
  const { report, pack } = result;
  const ran = pack.policies.filter(
    (p) => (report.config[p.name]?.enforcementLevel ?? p.enforcementLevel) !== "disabled",
  );
  const names = [...ran.map((p) => p.name)];
  for (const v of report.violations) if (!names.includes(v.policyName)) names.push(v.policyName);
  return names.map((policy) => {
    const classname = `${prefix}.policy.${policy}`;
    const cases = [
      ...report.violations
        .filter((v) => v.policyName === policy)
        .map((v) => violationCase(result, classname, v)),
      // What the pack changed (the policy set to `remediate`) passes, and says what it changed.
      ...report.remediations
        .filter((r) => r.policyName === policy)
        .map((r): TestCase => {
          const changes = r.changes.map((c) => `${keyPath(c.path)}: ${changedValues(c)}`);
          return {
            classname,
            name: `${policy}: ${resourceTitle(result, r.urn)} (remediated)`,
            outcome: {
              kind: "passed",
              output: `REMEDIATED (as \`pulumi up\` would deploy it): ${r.description}\n${changes.join("\n")}`,
            },
          };
        }),
    ];
    return {
      name: `policy ${policy}`,
      cases:
        cases.length > 0
          ? cases
          : [{ classname, name: `${policy}: no violation`, outcome: { kind: "passed" } }],
    };
  });
}

function targets(a: Assessment): string {
  const side = (what: string, achievable: number | null, target: number | undefined) =>
    `${what} ${formatDuration(achievable)}${target === undefined ? "" : ` (target ${formatDuration(target)})`}`;
  return `${side("RPO", a.achievableRpoSeconds, a.target?.rpoSeconds)}; ${side("RTO", a.achievableRtoSeconds, a.target?.rtoSeconds)}`;
}

function assessmentOutcome(result: CheckResult, a: Assessment): Outcome {
  const body = a.derivation.join("\n");
  switch (a.status) {
    case "PolicyMet":
      return { kind: "passed", output: `${targets(a)}\n${body}` };
    case "Waived":
      return { kind: "passed", output: `WAIVED: ${targets(a)}\n${body}` };
    case "PolicyBreached":
      return { kind: "failure", type: a.status, message: targets(a), body };
    case "UnknownUntilDeploy":
      return {
        kind: "error",
        type: a.status,
        message: `cannot be assessed until deploy: ${a.unknownProperties.join(", ")} unknown during preview`,
        body,
      };
    case "NotAssessed":
      return {
        kind: "error",
        type: a.status,
        message: `holds data drkit cannot judge: ${a.notAssessed.map((n) => `${n.type} ${n.name}`).join(", ")}`,
        body,
      };
    case "MissingPolicy": {
      const problem = result.posture?.problems.find(
        (p) => p.service === a.service && p.disruptions.includes(a.disruption),
      );
      return {
        kind: "error",
        type: a.status,
        message: problem?.message ?? `no target for ${a.disruption}`,
        body,
      };
    }
    case "NotApplicable":
      return {
        kind: "skipped",
        type: a.status,
        message: firstLine(a.derivation[a.derivation.length - 1] ?? a.status),
      };
  }
}

function postureSuites(result: CheckResult, prefix: string): TestSuite[] {
  const posture = result.posture;
  if (!posture) return [];
  const suites = posture.services.map((service) => ({
    name: `posture ${service.name} (${service.tier || "no tier"})`,
    cases: posture.assessments
      .filter((a) => a.service === service.name)
      .map((a) => ({
        classname: `${prefix}.posture.${service.name}`,
        name: `${service.name}: ${a.disruption}`,
        outcome: assessmentOutcome(result, a),
      })),
  }));
  // Resources whose service cannot be told: nothing of theirs was judged.
  const unplaced = posture.problems.filter((p) => p.service === "");
  if (unplaced.length > 0) {
    suites.push({
      name: "posture: resources of no known service",
      cases: unplaced.map((p, i) => ({
        classname: `${prefix}.posture`,
        name: `not judged ${i + 1}`,
        outcome: { kind: "error", type: "NotJudged", message: p.message },
      })),
    });
  }
  return suites;
}

function renderCase(c: TestCase): string {
  const open = `    <testcase classname="${xmlAttribute(c.classname)}" name="${xmlAttribute(c.name)}"`;
  const o = c.outcome;
  if (o.kind === "passed") {
    return o.output === undefined
      ? `${open}/>`
      : `${open}>\n      <system-out>${xmlText(o.output)}</system-out>\n    </testcase>`;
  }
  const element = `<${o.kind} type="${xmlAttribute(o.type)}" message="${xmlAttribute(o.message)}"`;
  const inner = o.body === undefined ? `${element}/>` : `${element}>${xmlText(o.body)}</${o.kind}>`;
  return `${open}>\n      ${inner}\n    </testcase>`;
}

const count = (cases: readonly TestCase[], kind: Outcome["kind"]) =>
  cases.filter((c) => c.outcome.kind === kind).length;

export function renderJunit(result: CheckResult): string {
  const prefix = `${result.project.name}.${result.stackConfig.stack}`;
  const suites = [...policySuites(result, prefix), ...postureSuites(result, prefix)];
  const all = suites.flatMap((s) => s.cases);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlAttribute(`drkit check ${result.project.name}/${result.stackConfig.stack}`)}" tests="${all.length}" failures="${count(all, "failure")}" errors="${count(all, "error")}">`,
  ];
  for (const suite of suites) {
    lines.push(
      `  <testsuite name="${xmlAttribute(suite.name)}" tests="${suite.cases.length}" failures="${count(suite.cases, "failure")}" errors="${count(suite.cases, "error")}" skipped="${count(suite.cases, "skipped")}">`,
      ...suite.cases.map(renderCase),
      "  </testsuite>",
    );
  }
  lines.push("</testsuites>");
  return lines.join("\n");
}
