// Remote (multi-language) components — @pulumi/awsx's, @pulumi/eks's, a platform team's own — are built by
// their provider plugin, which drkit check does not run: what they create is not in the offline graph.
// drkit check names every one, and the pack judges a service that holds one NotAssessed, never met.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { CheckResult, closePolicyPacks, notSeenLine, remoteComponentNote } from "@drkit/cli";
import { plainProperties, remoteComponentsOf, runProgram } from "@drkit/cli/harness";
import { OPAQUE_COMPONENT_PROPERTY } from "@drkit/posture";
import { Database, Vpc } from "./fixtures/remote-component-program/sdk";
import { drkit } from "../../../test/support/drkit";

const fixture = path.join(__dirname, "fixtures/remote-component-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const check = (stack: string, ...args: string[]) =>
  drkit("check", fixture, "--stack", stack, "--policy-pack", packDir, ...args);
const opaque = (plugin: string) =>
  `it is a remote component, whose resources the ${plugin} provider plugin creates when Pulumi runs; drkit check runs no plugin, so they are not in the graph (\`pulumi preview --policy-pack\` sees them)`;

afterAll(() => closePolicyPacks());

describe("the harness", () => {
  it("records a remote component as remote, with its inputs and the opaque marker as outputs", async () => {
    const run = await runProgram(
      () => {
        const local = new pulumi.ComponentResource("acme:index:Local", "local");
        new Vpc("network", { cidrBlock: "10.0.0.0/16", tags: { team: "net" } }, { parent: local });
        new Database("orders-db", { engine: "postgres", sizeGb: 20 });
      },
      { project: "app", stack: "dev", preview: true },
    );
    const vpc = run.resources.find((r) => r.name === "network")!;
    expect(vpc).toMatchObject({ type: "awsx:ec2:Vpc", custom: false, remote: true, version: "2.21.0" });
    expect(plainProperties(vpc.outputs)).toEqual({
      cidrBlock: "10.0.0.0/16",
      tags: { team: "net" },
      [OPAQUE_COMPONENT_PROPERTY]: opaque("awsx"),
    });
    expect(run.resources.find((r) => r.name === "local")!.remote).toBe(false);
    // In registration order: the Vpc waits for its parent.
    expect(remoteComponentsOf(run)).toEqual([
      {
        urn: "urn:pulumi:dev::app::acme:data:Database::orders-db",
        type: "acme:data:Database",
        name: "orders-db",
      },
      {
        urn: "urn:pulumi:dev::app::acme:index:Local$awsx:ec2:Vpc::network",
        type: "awsx:ec2:Vpc",
        name: "network",
      },
    ]);
  });
});

describe("drkit check", () => {
  it("names remote components in no service, by type and URN, and judges the service without them", async () => {
    const { code, out } = await check("outside");
    expect(code).toBe(1);
    const lines = out.split("\n");
    const note = lines.findIndex((l) => l.startsWith("    note: "));
    expect(lines.slice(note, note + 4)).toEqual([
      "    note: 2 remote components: no policy saw the resources their provider plugins create for them when Pulumi runs, as drkit check runs no plugin (`pulumi preview --policy-pack` does). A service that holds one is NotAssessed.",
      "          awsx:ec2:Vpc (2):",
      "            urn:pulumi:outside::remote-component-fixture::awsx:ec2:Vpc::edge",
      "            urn:pulumi:outside::remote-component-fixture::awsx:ec2:Vpc::network",
    ]);
    expect(lines.filter((l) => l.startsWith("    Coverage: ") || l.startsWith("    Not seen: "))).toEqual([
      "    Coverage: 1 of 1 resources assessed; 0 hold data drkit cannot judge (NotAssessed); 0 stateless, not assessed.",
      "    Not seen: the resources of 2 remote components (awsx:ec2:Vpc 'edge', awsx:ec2:Vpc 'network'), which their provider plugins create when Pulumi runs.",
    ]);
    expect(out).not.toContain("NOT ASSESSED");
  });

  it("reports them in --json", async () => {
    const { out } = await check("outside", "--json");
    expect(JSON.parse(out).remoteComponents).toEqual([
      {
        urn: "urn:pulumi:outside::remote-component-fixture::awsx:ec2:Vpc::edge",
        type: "awsx:ec2:Vpc",
        name: "edge",
      },
      {
        urn: "urn:pulumi:outside::remote-component-fixture::awsx:ec2:Vpc::network",
        type: "awsx:ec2:Vpc",
        name: "network",
      },
    ]);
  });

  it("fails when a service holds one, under its DrService or by its tag: the pack reports NotAssessed", async () => {
    const { code, out } = await check("in-service", "--json");
    expect(code).toBe(1);
    const result = JSON.parse(out);
    expect(
      result.violations.map((v: { enforcementLevel: string; message: string }) => [
        v.enforcementLevel,
        v.message,
      ]),
    ).toEqual([
      [
        "mandatory",
        [
          "Every service must be able to meet its tier's RPO and RTO targets for each disruption (software, hardware, zone, region).",
          "NOT ASSESSED: orders (critical) holds data drkit cannot judge, so its software, hardware, zone, region disruptions are not judged:",
          `  - drkit cannot judge awsx:ec2:Vpc network: ${opaque("awsx")}. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (\`"resource": "network"\`) with an owner, a reason and an expiry.`,
          `  - drkit cannot judge acme:data:Database orders-db: ${opaque("acme")}. How to proceed: protect its data with a kind drkit models, or add a waiver naming it (\`"resource": "orders-db"\`) with an owner, a reason and an expiry.`,
        ].join("\n"),
      ],
    ]);
    expect(result.posture.assessments.map((a: { status: string }) => a.status)).toEqual([
      "NotAssessed",
      "NotAssessed",
      "NotAssessed",
      "NotAssessed",
    ]);
  });

  it("passes a service whose remote components are waived by name, with an owner, a reason and an expiry", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-remote-"));
    const waiver = (resource: string) => ({
      service: "orders",
      resource,
      owner: "platform-team",
      reason: "judged by pulumi preview --policy-pack in the deploy pipeline",
      expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    const config = path.join(dir, "policy.json");
    fs.writeFileSync(
      config,
      JSON.stringify({ "drkit-rpo-rto": { waivers: [waiver("network"), waiver("orders-db")] } }),
    );
    try {
      const { code, out } = await check("in-service", "--json", "--policy-config", config);
      expect(code).toBe(0);
      expect(JSON.parse(out).posture.assessments.map((a: { status: string }) => a.status)).toEqual([
        "Waived",
        "Waived",
        "Waived",
        "Waived",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("the text for many and for one", () => {
  const withRemote = (count: number) =>
    ({
      remoteComponents: Array.from({ length: count }, (_, i) => ({
        urn: `urn:pulumi:dev::app::awsx:ec2:Vpc::vpc-${i}`,
        type: "awsx:ec2:Vpc",
        name: `vpc-${i}`,
      })),
    }) as unknown as CheckResult;

  it("names five in the coverage line and counts the rest", () => {
    expect(notSeenLine(withRemote(7))).toBe(
      "Not seen: the resources of 7 remote components (awsx:ec2:Vpc 'vpc-0', awsx:ec2:Vpc 'vpc-1', awsx:ec2:Vpc 'vpc-2', awsx:ec2:Vpc 'vpc-3', awsx:ec2:Vpc 'vpc-4', and 2 more), which their provider plugins create when Pulumi runs.",
    );
    expect(remoteComponentNote(withRemote(7))).toHaveLength(9);
  });

  it("speaks of one in the singular, and of none not at all", () => {
    expect(notSeenLine(withRemote(1))).toBe(
      "Not seen: the resources of 1 remote component (awsx:ec2:Vpc 'vpc-0'), which its provider plugin creates when Pulumi runs.",
    );
    expect(remoteComponentNote(withRemote(1))).toEqual([
      "1 remote component: no policy saw the resources its provider plugin creates for it when Pulumi runs, as drkit check runs no plugin (`pulumi preview --policy-pack` does). A service that holds one is NotAssessed.",
      "awsx:ec2:Vpc (1):",
      "  urn:pulumi:dev::app::awsx:ec2:Vpc::vpc-0",
    ]);
    expect([notSeenLine(withRemote(0)), remoteComponentNote(withRemote(0))]).toEqual([undefined, []]);
  });
});
