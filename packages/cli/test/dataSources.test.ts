// Data sources under `drkit check`: the common AWS lookups get documented stand-in answers, any other fails
// at once naming the data source (never an echo of its inputs, never a wait until --timeout).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { closePolicyPacks, runCheck } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";
import { standInZoneId } from "../src/harness/dataSources";

const program = path.join(__dirname, "fixtures/data-sources-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");

afterAll(() => closePolicyPacks());

describe("drkit check and data sources", () => {
  it("answers getAvailabilityZones, getCallerIdentity, getRegion and getPartition offline, by region", async () => {
    const result = await runCheck({ programDir: program, stack: "known", packDir });
    const bucket = result.run.ofType("aws:s3/bucket:Bucket")[0];
    expect(bucket?.inputs.tags).toEqual({
      "drkit:service": "orders",
      "drkit:tier": "important",
      zones: "eu-west-1a,eu-west-1b,eu-west-1c",
      zoneIds: "euw1-az1,euw1-az2,euw1-az3",
      centralZones: "eu-central-1a,eu-central-1b,eu-central-1c",
      account: "123456789012",
      region: "eu-west-1",
      partition: "aws",
      dnsSuffix: "amazonaws.com",
    });
  });

  it("fails when the program calls a data source drkit cannot answer: exit 2, naming it, at once", async () => {
    const started = Date.now();
    const { code, out, err } = await drkit("check", program, "--stack", "unknown", "--policy-pack", packDir);
    expect({ code, out, err }).toEqual({
      code: 2,
      out: "",
      err: "drkit check: the program called data source aws:ec2/getAmi:getAmi, which drkit check cannot answer offline: give its answer with --mock FILE (see README), or read the value from stack config instead of looking it up",
    });
    // Far below the 300-second default timeout the program used to reach.
    expect(Date.now() - started).toBeLessThan(60_000);
  });
  it("fails the same way when the program uses the data source's output form", async () => {
    const { code, err } = await drkit("check", program, "-s", "unknown-output", "--policy-pack", packDir);
    expect({ code, err }).toEqual({
      code: 2,
      err: "drkit check: the program called data source aws:ec2/getAmi:getAmi, which drkit check cannot answer offline: give its answer with --mock FILE (see README), or read the value from stack config instead of looking it up",
    });
  });
});

describe("standInZoneId", () => {
  it.each([
    ["us-east-1", "use1-az1"],
    ["eu-central-1", "euc1-az1"],
    ["ap-southeast-2", "apse2-az1"],
    ["ap-northeast-1", "apne1-az1"],
    ["sa-east-1", "sae1-az1"],
  ])("names %s's first zone as AWS does (%s)", (region, id) => {
    expect(standInZoneId(region, 0)).toBe(id);
  });
});

describe("drkit check --mock FILE", () => {
  const mockFile = (name: string) => path.join(program, name);
  let scratch: string;
  beforeAll(() => (scratch = fs.mkdtempSync(path.join(os.tmpdir(), "drkit-mock-"))));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const written = (name: string, text: string) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, text);
    return file;
  };

  it("gives the program the file's answer for a data source drkit cannot answer", async () => {
    const result = await runCheck({
      programDir: program,
      stack: "unknown",
      packDir,
      mockFile: mockFile("ami.mock.json"),
    });
    expect(result.run.ofType("aws:s3/bucket:Bucket")[0]?.inputs.tags).toMatchObject({
      ami: "ami-0123456789abcdef0",
      account: "123456789012",
    });
    const { code, err } = await drkit(
      "check",
      program,
      "--stack",
      "unknown",
      "--policy-pack",
      packDir,
      "--mock",
      mockFile("ami.mock.json"),
    );
    expect({ code, err }).toEqual({ code: result.report.failed ? 1 : 0, err: "" });
  });

  it("answers with the first matcher whose inputs the call includes", async () => {
    const result = await runCheck({
      programDir: program,
      stack: "unknown",
      packDir,
      mockFile: mockFile("ami-matchers.mock.json"),
    });
    expect(result.run.ofType("aws:s3/bucket:Bucket")[0]?.inputs.tags).toMatchObject({
      ami: "ami-00000000000amazon",
    });
  });

  it("fails when no matcher fits the call: exit 2, naming the data source", async () => {
    const file = written(
      "self.json",
      '{ "aws:ec2/getAmi:getAmi": [{ "inputs": { "owners": ["self"] }, "outputs": { "id": "ami-1" } }] }',
    );
    const { code, err } = await drkit(
      "check",
      program,
      "-s",
      "unknown",
      "--policy-pack",
      packDir,
      "--mock",
      file,
    );
    expect({ code, err }).toEqual({
      code: 2,
      err: "drkit check: the program called data source aws:ec2/getAmi:getAmi, which drkit check cannot answer offline: give its answer with --mock FILE (see README), or read the value from stack config instead of looking it up",
    });
  });

  it.each([
    [
      "empty.json",
      "",
      (f: string) =>
        `--mock ${f} is empty: write e.g. { "aws:ec2/getAmi:getAmi": { "id": "ami-0123456789abcdef0" } }`,
    ],
    [
      "syntax.json",
      '{ "aws:ec2/getAmi:getAmi": { "id": } }',
      (f: string) => `${f}:1:36: not valid JSON: expected a value (found \`}\`)`,
    ],
    [
      "list.json",
      "[]",
      (f: string) =>
        `--mock ${f} must hold one JSON object, invoke token to answer (got []): e.g. { "aws:ec2/getAmi:getAmi": { "id": "ami-0123456789abcdef0" } }`,
    ],
    [
      "problems.json",
      JSON.stringify({
        getAmi: { id: "ami-1" },
        "aws:ec2/getVpc:getVpc": "vpc-1",
        "aws:ec2/getSubnet:getSubnet": [],
        "aws:ec2/getAmi:getAmi": [{ input: {}, outputs: 3 }, 4],
      }),
      (f: string) =>
        [
          `--mock ${f}: "getAmi" is not an invoke token: write "<package>:<module>:<function>" as the error named it, e.g. "aws:ec2/getAmi:getAmi"`,
          `--mock ${f}: \`"aws:ec2/getVpc:getVpc"\` must be the data source's outputs (an object) or a list of { "inputs": { … }, "outputs": { … } } (got "vpc-1")`,
          `--mock ${f}: \`"aws:ec2/getSubnet:getSubnet"\` is an empty list: give at least one { "inputs": { … }, "outputs": { … } }`,
          `--mock ${f}: \`"aws:ec2/getAmi:getAmi"[0].input\` is not a matcher field: give only "inputs" and "outputs"`,
          `--mock ${f}: \`"aws:ec2/getAmi:getAmi"[0].outputs\` must be an object, the data source's outputs (got 3)`,
          `--mock ${f}: \`"aws:ec2/getAmi:getAmi"[1]\` must be { "inputs": { … }, "outputs": { … } } (got 4)`,
        ].join("\n"),
    ],
  ])(
    "fails when the --mock file is bad (%s): exit 2 before the program runs",
    async (name, text, message) => {
      const file = written(name, text);
      const { code, out, err } = await drkit(
        "check",
        program,
        "-s",
        "unknown",
        "--policy-pack",
        packDir,
        "--mock",
        file,
      );
      expect({ code, out }).toEqual({ code: 2, out: "" });
      expect(err).toBe(`drkit check: ${message(file)}`);
    },
  );

  it("fails when the --mock file is missing: exit 2 naming it", async () => {
    const file = path.join(scratch, "missing.json");
    const { code, err } = await drkit(
      "check",
      program,
      "-s",
      "unknown",
      "--policy-pack",
      packDir,
      "--mock",
      file,
    );
    expect({ code, err }).toEqual({
      code: 2,
      err: `drkit check: cannot read the --mock file ${file}: it does not exist`,
    });
  });
});

describe("drkit check of a program with no service", () => {
  it("says what it saw, what drkit can assess, and the exact tags and labels to add", async () => {
    const untagged = path.join(__dirname, "fixtures/untagged-program");
    const { code, out } = await drkit("check", untagged, "--policy-pack", packDir);
    expect(code).toBe(0);
    expect(out.split("\n").slice(3, 10)).toEqual([
      "Posture (achievable RPO/RTO per service and disruption):",
      "    SERVICE  TIER  DISRUPTION  RPO (target / achievable)  RTO (target / achievable)  STATUS",
      "    (no service found: tag resources with drkit:service and drkit:tier, or use drkit components)",
      "    No resource belongs to a service: 3 resources seen, 2 holding data, 2 of kinds drkit assesses (aws:s3/bucket:Bucket, kubernetes:core/v1:PersistentVolumeClaim).",
      "    To put a resource in a service:",
      `      AWS: tag each resource "drkit:service": "<service>", "drkit:tier": "<critical|important|standard>", or tag them all at once in the aws.Provider's defaultTags: { tags: { … } }`,
      `      Kubernetes: label each object (metadata.labels) "drkit.dev/service": "<service>", "drkit.dev/tier": "<critical|important|standard>", "drkit.dev/region": "<the cluster's AWS region>"`,
    ]);
    expect(out.split("\n").slice(10)).toEqual(["", "PASSED: no mandatory violation. (0 advisory)"]);
  });

  it("gives no hint once a resource belongs to a service", async () => {
    const { out } = await drkit("check", program, "--stack", "known", "--policy-pack", packDir);
    expect(out).not.toContain("No resource belongs to a service");
  });
});
