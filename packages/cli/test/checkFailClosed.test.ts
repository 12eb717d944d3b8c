// `drkit check` end to end on programs it cannot fully judge: it must say so and fail, never exit 0.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const orders = path.join(__dirname, "fixtures/orders-program");
const scenarios = path.join(__dirname, "fixtures/scenarios-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("drkit check fails closed", () => {
  it("exits 1 for a misspelt tier, naming the likely tier; the table shows what it could not judge", async () => {
    const { code, out } = await drkit("check", orders, "--stack", "typo", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      'NOT JUDGED: orders declares tier "critcal" (did you mean `critical`?), which the policy does not define (tiers: critical, important, standard), so its software, hardware, zone, region disruptions are not judged: correct the tier, or define it under `tiers` in the policy config.',
    );
    expect(out.split("\n").filter((l) => l.startsWith("    orders "))).toEqual([
      "    orders   critcal  software    - / 0s                     - / 50m                    MissingPolicy",
      "    orders   critcal  hardware    - / 0s                     - / 0s                     MissingPolicy",
      "    orders   critcal  zone        - / 0s                     - / 0s                     MissingPolicy",
      "    orders   critcal  region      - / 15m                    - / 25m                    MissingPolicy",
    ]);
  });

  it("exits 1 for a tagged RDS instance, and the table shows NotAssessed and the coverage", async () => {
    const { code, out } = await drkit("check", orders, "--stack", "database", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "    Coverage: 2 of 3 resources assessed; 1 holds data drkit cannot judge (NotAssessed); 0 stateless, not assessed.",
    );
    expect(out).toContain(
      "    not assessed: orders: aws:rds/instance:Instance orders-db: it holds a relational database, and drkit has no model of how aws:rds/instance:Instance recovers",
    );
    // The region breach (RTC's 15 minutes) is known and wins; the rest cannot be judged.
    expect(
      out
        .split("\n")
        .filter((l) => l.startsWith("    orders "))
        .map((l) => l.split(/\s+/).pop()),
    ).toEqual(["NotAssessed", "NotAssessed", "NotAssessed", "PolicyBreached"]);
  });

  it("puts the coverage in --json and in the evidence", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-evidence-"));
    try {
      const { code, out } = await drkit(
        "check",
        orders,
        "--stack",
        "database",
        "--policy-pack",
        packDir,
        "--json",
        "--report",
        dir,
      );
      expect(code).toBe(1);
      const json = JSON.parse(out) as {
        posture: { services: { name: string; assessed: string[]; notAssessed: { type: string }[] }[] };
      };
      expect(
        json.posture.services.map((s) => [s.name, s.assessed.length, s.notAssessed.map((n) => n.type)]),
      ).toEqual([["orders", 2, ["aws:rds/instance:Instance"]]]);
      expect(fs.readFileSync(path.join(dir, "summary.md"), "utf8")).toContain(
        "Coverage: 2 of 3 resources assessed; 1 holds data drkit cannot judge (NotAssessed); 0 stateless, not assessed.",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("judges every database of a service and names each (two NeonGeoReplicas)", async () => {
    const { code, out } = await drkit(
      "check",
      scenarios,
      "--stack",
      "two-databases",
      "--policy-pack",
      packDir,
    );
    expect(code).toBe(1);
    expect(
      out
        .split("\n")
        .filter((l) => l.includes("no deployed alarm watches its lag"))
        .map((l) => l.trim().split(":")[0]),
    ).toEqual([
      "- Neon orders-orders-primary (aws-eu-central-1)",
      "- Neon orders-ledger-primary (aws-eu-central-1)",
    ]);
  });

  it("exits 1 when the Neon standby's lag alarm is only an argument", async () => {
    const { code, out } = await drkit("check", scenarios, "--stack", "lag-alarm", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "    orders   critical  region      5m / no bound              1h / 30m                   PolicyBreached",
    );
  });

  it("judges a bucket tagged only through the provider's defaultTags", async () => {
    const { code, out } = await drkit(
      "check",
      scenarios,
      "--stack",
      "default-tags",
      "--policy-pack",
      packDir,
    );
    expect(code).toBe(1);
    expect(out).toContain(
      "    orders   critical  software    5m / no bound              1h / no bound              PolicyBreached",
    );
  });

  it("judges a Neon project that joins its service through a DrService parent", async () => {
    const { code, out } = await drkit("check", scenarios, "--stack", "drservice", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "    orders   critical  region      5m / no bound              1h / no bound              PolicyBreached",
    );
  });

  it("exits 1 when replication covers one prefix: the rest of the bucket has no bound", async () => {
    const { code, out } = await drkit(
      "check",
      scenarios,
      "--stack",
      "partial-replication",
      "--policy-pack",
      packDir,
    );
    expect(code).toBe(1);
    expect(out).toContain(
      "            - bucket orders-data (eu-west-1): Replication rule `invoices-only` replicates only keys under prefix `invoices/` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.",
    );
    expect(out).toContain(
      "    orders   critical  region      5m / no bound              1h / no bound              PolicyBreached",
    );
  });

  it("exits 1 when backups expire before a disruption is noticed (TTL 1h, hourly)", async () => {
    const { code, out } = await drkit("check", scenarios, "--stack", "short-ttl", "--policy-pack", packDir);
    expect(code).toBe(1);
    expect(out).toContain(
      "            - Velero schedule hourly (eu-west-1): TTL 1h (3600 s) < gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption is deleted before anyone can restore it: no bound.",
    );
    expect(out).toContain(
      "    cluster  important  software    1h / no bound              4h / no bound              PolicyBreached",
    );
  });
});
