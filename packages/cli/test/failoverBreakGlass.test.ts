// `drkit failover break-glass` and `check`: the exact commands, generated from the manifest the failover
// stack reads, linted by the real shellcheck (Debian's; test/support/shellcheck.sh installs it in CI).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FailoverManifestDocument } from "@drkit/posture";
import { main } from "../src/main";
import { breakGlassScript, shellQuote, weightChangeBatch } from "../src/failover/breakGlass";
import { ARC_SWITCH_SCRIPT } from "../../../stacks/failover/failover";

const manifest: FailoverManifestDocument = {
  version: 1,
  platform: { project: "drkit-platform", stack: "prod" },
  zoneId: "Z0123456789",
  recordName: "api.example.com",
  recordType: "A",
  ttl: 60,
  primary: {
    region: "us-east-1",
    setIdentifier: "primary",
    healthCheckId: "hc-primary",
    alias: { name: "primary-lb.us-east-1.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K" },
  },
  secondary: {
    region: "us-west-2",
    setIdentifier: "secondary",
    healthCheckId: "hc-secondary",
    values: ["192.0.2.10"],
  },
  arc: {
    clusterEndpoints: [
      { endpoint: "https://a.route53-recovery-cluster.us-east-1.amazonaws.com/v1", region: "us-east-1" },
      { endpoint: "https://b.route53-recovery-cluster.us-west-2.amazonaws.com/v1", region: "us-west-2" },
      { endpoint: "https://c.route53-recovery-cluster.eu-west-1.amazonaws.com/v1", region: "eu-west-1" },
    ],
    routingControlArns: {
      primary: "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/p",
      secondary: "arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/s",
    },
  },
};

/** shellcheck's findings on a script (none: clean). Fails, never skips, when shellcheck is missing in CI. */
function shellcheck(script: string): string[] {
  const found = spawnSync("shellcheck", ["--version"]);
  if (found.error) {
    if (process.env.CI === "true") throw new Error("shellcheck is missing: run test/support/shellcheck.sh");
    throw new Error("shellcheck is not installed: apt-get install shellcheck (test/support/shellcheck.sh)");
  }
  const result = spawnSync("shellcheck", ["--shell=bash", "--format=gcc", "-"], {
    input: script,
    encoding: "utf8",
  });
  return result.stdout.split("\n").filter((l) => l !== "");
}

async function drkit(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

function manifestFile(content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-break-glass-"));
  const file = path.join(dir, "failover-manifest.json");
  fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

describe("drkit failover break-glass", () => {
  it("prints the exact ARC and Route 53 commands for a switch to secondary", async () => {
    const { code, out } = await drkit(
      "failover",
      "break-glass",
      "--to",
      "secondary",
      "--manifest",
      manifestFile(manifest),
    );
    expect(code).toBe(0);
    expect(out).toBe(breakGlassScript(manifest, "secondary").trimEnd());
    // Endpoints outside the pair (us-east-1 / us-west-2) first; both states in one call; bounded.
    expect(out).toContain(
      "for entry in 'https://c.route53-recovery-cluster.eu-west-1.amazonaws.com/v1|eu-west-1' 'https://a.route53-recovery-cluster.us-east-1.amazonaws.com/v1|us-east-1' 'https://b.route53-recovery-cluster.us-west-2.amazonaws.com/v1|us-west-2'; do",
    );
    expect(out).toContain(
      "      --endpoint-url \"$endpoint\" --region \"$region\" --cli-connect-timeout 5 --cli-read-timeout 10 \\\n      --update-routing-control-state-entries 'RoutingControlArn=arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/p,RoutingControlState=Off' 'RoutingControlArn=arn:aws:route53-recovery-control::111122223333:controlpanel/abc/routingcontrol/s,RoutingControlState=On'; then",
    );
    expect(out).toContain(
      `    --change-batch ${shellQuote(JSON.stringify(weightChangeBatch(manifest, { primary: 0, secondary: 100 }, "secondary")))}; then`,
    );
    expect(shellcheck(out)).toEqual([]);
  });

  it("sets the weights of both records in one batch: an alias and a value record", () => {
    expect(weightChangeBatch(manifest, { primary: 50, secondary: 50 }, "secondary").Changes).toEqual([
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "api.example.com",
          Type: "A",
          SetIdentifier: "primary",
          Weight: 50,
          HealthCheckId: "hc-primary",
          AliasTarget: {
            HostedZoneId: "Z35SXDOTRQ7X7K",
            DNSName: "primary-lb.us-east-1.elb.amazonaws.com",
            EvaluateTargetHealth: true,
          },
        },
      },
      {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: "api.example.com",
          Type: "A",
          SetIdentifier: "secondary",
          Weight: 50,
          HealthCheckId: "hc-secondary",
          TTL: 60,
          ResourceRecords: [{ Value: "192.0.2.10" }],
        },
      },
    ]);
  });

  it("a gradual shift keeps both routing controls on; without ARC the script says so", async () => {
    const { out } = await drkit(
      "failover",
      "break-glass",
      "--to",
      "secondary",
      "--primary-weight",
      "50",
      "--secondary-weight",
      "50",
      "--manifest",
      manifestFile(manifest),
    );
    expect(out).toContain("# 1. ARC routing controls (data plane): primary On, secondary On.");
    const noArc = breakGlassScript({ ...manifest, arc: undefined }, "primary");
    expect(noArc).toContain("# 1. ARC routing controls: not enabled on this platform.");
    expect(shellcheck(noArc)).toEqual([]);
  });

  it("without a manifest, prints how to fetch it from the region being activated", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-break-glass-"));
    const config = path.join(dir, "Pulumi.prod.yaml");
    fs.writeFileSync(
      config,
      "config:\n  drkit-failover:platformStack: organization/drkit-platform/prod\n  drkit-failover:regions:\n    primary: us-east-1\n    secondary: us-west-2\n",
    );
    const { code, out } = await drkit(
      "failover",
      "break-glass",
      "--to",
      "secondary",
      "--stack-config",
      config,
    );
    expect(code).toBe(0);
    expect(out).toContain(
      "aws ssm get-parameter --region 'us-west-2' --name '/drkit/drkit-platform/prod/failover-manifest' \\\n  --cli-connect-timeout 5 --cli-read-timeout 10 \\\n  --query Parameter.Value --output text > failover-manifest.json",
    );
    expect(shellcheck(out)).toEqual([]);
  });

  it("the failover stack's own ARC switch passes shellcheck too", () => {
    expect(shellcheck(`#!/usr/bin/env bash\n${ARC_SWITCH_SCRIPT}\n`)).toEqual([]);
  });

  it("shellcheck is live: it reports an unquoted expansion", () => {
    expect(shellcheck('#!/usr/bin/env bash\nx="a b"\nrm $x\n').join("\n")).toContain("SC2086");
  });

  it.each([
    [["--to", "tertiary", "--manifest", "m.json"], '--to must be primary or secondary (got "tertiary")'],
    [["--to", "secondary"], "give one of --manifest FILE or --stack-config FILE"],
    [
      ["--to", "secondary", "--manifest", "/nonexistent/m.json"],
      "cannot read the manifest /nonexistent/m.json: ENOENT",
    ],
    [
      ["--to", "secondary", "--primary-weight", "50", "--manifest", "m.json"],
      "give both --primary-weight and --secondary-weight, or neither",
    ],
    [
      ["--to", "secondary", "--primary-weight", "50", "--secondary-weight", "0", "--manifest", "m.json"],
      "traffic moves to secondary, but its weight is 0",
    ],
  ])("fails with a usage error: %j", async (args, message) => {
    const { code, err } = await drkit("failover", "break-glass", ...args);
    expect(code).toBe(2);
    expect(err).toContain(`drkit failover break-glass: ${message}`);
  });

  it("fails on a manifest it cannot use, naming the file and the field", async () => {
    const file = manifestFile({ ...manifest, zoneId: "nope" });
    const { code, err } = await drkit("failover", "break-glass", "--to", "primary", "--manifest", file);
    expect(code).toBe(2);
    expect(err).toContain(
      `${file}: \`zoneId\` must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (got "nope")`,
    );
  });
});

describe("drkit failover check", () => {
  it("accepts a request as typed", async () => {
    expect(
      await drkit("failover", "check", "--to", "secondary", "--reason", "INC-4711 eu-west-1 down"),
    ).toEqual({
      code: 0,
      out: "ok: switch to secondary",
      err: "",
    });
  });

  it("judges the raw reason: a short one is refused even if a suffix would lengthen it", async () => {
    const { code, err } = await drkit("failover", "check", "--to", "primary", "--reason", "x");
    expect(code).toBe(2);
    expect(err).toContain(
      'drkit failover check: --reason must say why traffic moves (an incident or drill id), on one line of 10–500 characters (got "x")',
    );
  });
});
