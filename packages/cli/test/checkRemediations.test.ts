// drkit check with policies set to `remediate`: what the pack changed is printed, returned in --json and
// kept in the evidence, as `pulumi preview` shows each remediation; nothing is dropped or called a violation.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const program = path.join(__dirname, "fixtures/remediation-program");
const remediate = path.join(program, "remediate.json");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const RECORD_URN = "urn:pulumi:dev::remediation-fixture::aws:route53/record:Record::api-primary";
const CHECK_URN = "urn:pulumi:dev::remediation-fixture::aws:route53/healthCheck:HealthCheck::primary-check";

afterAll(() => closePolicyPacks());

const check = (...args: string[]) =>
  drkit("check", program, "--stack", "dev", "--policy-pack", packDir, ...args);

describe("drkit check with remediations", () => {
  it("prints each remediation as `pulumi preview` does, with the values it changed", async () => {
    const { code, out } = await check("--policy-config", remediate);
    expect(code).toBe(0);
    expect(out.split("\n\n")[0]).toBe(
      [
        "Policies:",
        `    ✅ drkit-dr@v0.1.0 (local: ${packDir})`,
        "        - [remediate]  drkit-aws-route53-health-check-configure-detection  (aws:route53/healthCheck:HealthCheck: primary-check)",
        "          A Route 53 endpoint health check must detect failure (request interval × failure threshold) within the detection budget.",
        "          failureThreshold: 10 → 3",
        "        - [remediate]  drkit-aws-route53-record-configure-ttl  (aws:route53/record:Record: api-primary)",
        "          A failover or weighted Route 53 record must have a TTL within the budget (AWS advises 60 s).",
        "          ttl: 3600 → 60",
      ].join("\n"),
    );
    expect(out.split("\n").at(-1)).toBe("PASSED: no mandatory violation. (0 advisory, 2 remediations)");
  });

  it("reports, and does not remediate, at the policies' own levels", async () => {
    const { code, out } = await check();
    expect(code).toBe(0);
    expect(out).not.toContain("[remediate]");
    expect(out).toContain("- [advisory]  drkit-aws-route53-record-configure-ttl");
    expect(out.split("\n").at(-1)).toBe("PASSED: no mandatory violation. (2 advisory)");
  });

  it("returns the remediations in --json and keeps them in the evidence", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-remediation-"));
    const { out } = await check("--policy-config", remediate, "--json", "--report", dir);
    const remediations = [
      {
        urn: CHECK_URN,
        policyPackName: "drkit-dr",
        policyPackVersion: "0.1.0",
        policyName: "drkit-aws-route53-health-check-configure-detection",
        description:
          "A Route 53 endpoint health check must detect failure (request interval × failure threshold) within the detection budget.",
        changes: [{ path: ["failureThreshold"], before: 10, after: 3 }],
      },
      {
        urn: RECORD_URN,
        policyPackName: "drkit-dr",
        policyPackVersion: "0.1.0",
        policyName: "drkit-aws-route53-record-configure-ttl",
        description:
          "A failover or weighted Route 53 record must have a TTL within the budget (AWS advises 60 s).",
        changes: [{ path: ["ttl"], before: 3600, after: 60 }],
      },
    ];
    expect(JSON.parse(out).remediations).toEqual(remediations);
    expect(JSON.parse(fs.readFileSync(path.join(dir, "check.json"), "utf8")).remediations).toEqual(
      remediations,
    );
    const summary = fs.readFileSync(path.join(dir, "summary.md"), "utf8");
    expect(summary.slice(summary.indexOf("## Remediations"))).toBe(
      [
        "## Remediations",
        "",
        "| policy | resource | change |",
        "|---|---|---|",
        `| drkit-aws-route53-health-check-configure-detection | \`${CHECK_URN}\` | \`failureThreshold\`: 10 → 3 |`,
        `| drkit-aws-route53-record-configure-ttl | \`${RECORD_URN}\` | \`ttl\`: 3600 → 60 |`,
        "",
      ].join("\n"),
    );
  });
});
