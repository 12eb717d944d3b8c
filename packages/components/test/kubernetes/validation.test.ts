// The Kubernetes components' checks, alone: each with the exact problem it reports.
import { ArgsProblems, checkKnownKeys } from "@drkit/components";
import { goDurationSeconds } from "@drkit/posture";
import {
  checkDerivedNames,
  checkGoDuration,
  iamRoleArnProblem,
  isDns1035Label,
  isDnsLabel,
  isDnsSubdomain,
  oidcProviderArnProblem,
  pinnedImageProblem,
  s3BucketNameProblem,
} from "../../src/kubernetes/validation";

const problemsOf = (fill: (p: ArgsProblems) => void) => {
  const p = new ArgsProblems();
  fill(p);
  return p.list;
};

describe("Kubernetes names", () => {
  it.each([
    ["a", true, true, true],
    ["a-1", true, true, true],
    ["1a", true, false, true],
    ["a.b", false, false, true],
    ["A", false, false, false],
    ["-a", false, false, false],
    ["a".repeat(63), true, true, true],
    ["a".repeat(64), false, false, true],
    ["a".repeat(254), false, false, false],
  ])("%s: label %s, RFC 1035 label %s, subdomain %s", (name, label, rfc1035, subdomain) => {
    expect([isDnsLabel(name), isDns1035Label(name), isDnsSubdomain(name)]).toEqual([
      label,
      rfc1035,
      subdomain,
    ]);
  });
});

describe("Go durations", () => {
  it.each([
    ["720h", 2_592_000],
    ["168h30m", 606_600],
    ["1.5h", 5_400],
    ["90s", 90],
    ["0", 0],
    ["30d", undefined],
    ["-1h", undefined],
    ["h", undefined],
    ["", undefined],
  ])("%s is %s seconds", (text, seconds) => {
    expect(goDurationSeconds(text)).toBe(seconds);
  });

  it("fails when a duration is out of range, with why and the default", () => {
    const range = {
      min: "1h",
      max: "87600h",
      maxInWords: "10 years",
      tooShort: "too soon",
      omitted: "keep 720h",
    };
    expect(problemsOf((p) => checkGoDuration("ttl", "59m", range, p))).toEqual([
      '`ttl` must be from 1h to 87600h (10 years) (got "59m", 3540 s): too soon; omit it to keep 720h',
    ]);
    expect(problemsOf((p) => checkGoDuration("ttl", "1h", range, p))).toEqual([]);
    expect(problemsOf((p) => checkGoDuration("ttl", undefined, range, p))).toEqual([]);
  });
});

describe("names derived from a component's name", () => {
  const derived = [
    { pattern: "<name>-sentinel-sentinel", what: "a StatefulSet", max: 52 },
    { pattern: "<name>-", random: 8, what: "a Helm release", max: 53 },
  ];

  it("passes a name every derived name fits", () => {
    expect(problemsOf((p) => checkDerivedNames("a".repeat(34), derived, p))).toEqual([]);
  });

  it("fails when a derived name would be too long, naming each one and the longest name that fits", () => {
    expect(problemsOf((p) => checkDerivedNames("a".repeat(45), derived, p))).toEqual([
      `\`name\` "${"a".repeat(45)}" (45 characters) is too long for the names derived from it: "<name>-sentinel-sentinel" (a StatefulSet, at most 52) would be 63 characters; "<name>-" + 8 random characters (a Helm release, at most 53) would be 54 characters; use a name of at most 34 characters`,
    ]);
  });
});

describe("fields that are not fields", () => {
  it("fails when a key is misspelt, naming the closest field", () => {
    expect(
      problemsOf((p) =>
        checkKnownKeys("backup", { retentionDay: 7 }, ["retentionDays", "cron"], "a field of `backup`", p),
      ),
    ).toEqual(["`backup.retentionDay` is not a field of `backup`: did you mean `retentionDays`?"]);
  });

  it("fails when a key is nothing like a field, listing the fields", () => {
    expect(
      problemsOf((p) => checkKnownKeys("", { colour: "red" }, ["cron", "ttl"], "an argument of X", p)),
    ).toEqual(["`colour` is not an argument of X: the fields are `cron`, `ttl`"]);
  });

  it("never takes an inherited property for a field", () => {
    expect(
      problemsOf((p) =>
        checkKnownKeys(
          "",
          JSON.parse('{"__proto__": 1}') as Record<string, unknown>,
          ["cron"],
          "an argument of X",
          p,
        ),
      ),
    ).toEqual(["`__proto__` is not an argument of X: the fields are `cron`"]);
  });
});

describe("AWS and image references", () => {
  it.each([
    ["arn:aws:iam::123456789012:role/velero", undefined],
    ["arn:aws:iam::123456789012:role/path/velero", undefined],
    ["arn:aws-us-gov:iam::123456789012:role/velero", undefined],
    [
      "arn:aws:iam::1:role/velero",
      '`role` must be an IAM role ARN such as "arn:aws:iam::123456789012:role/velero" (got "arn:aws:iam::1:role/velero")',
    ],
    [
      "arn:aws:iam::123456789012:user/velero",
      '`role` must be an IAM role ARN such as "arn:aws:iam::123456789012:role/velero" (got "arn:aws:iam::123456789012:user/velero")',
    ],
  ])("IAM role ARN %s", (arn, problem) => {
    expect(iamRoleArnProblem("role", arn)).toBe(problem);
  });

  it.each([
    ["arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF", true],
    ["arn:aws:iam::123456789012:role/eks", false],
    ["oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF", false],
  ])("OIDC provider ARN %s is %s", (arn, ok) => {
    expect(oidcProviderArnProblem("oidc", arn) === undefined).toBe(ok);
  });

  it.each([
    ["team-velero", true],
    ["team.velero.backups", true],
    ["ab", false],
    ["Team-Velero", false],
    ["team_velero", false],
    ["team..velero", false],
    ["192.168.1.1", false],
    ["xn--velero", false],
    ["velero-s3alias", false],
    ["a".repeat(64), false],
  ])("S3 bucket name %s is %s", (name, ok) => {
    expect(s3BucketNameProblem("bucket", name) === undefined).toBe(ok);
  });

  it.each([
    ["quay.io/opstree/redis:v7.0.15", true],
    ["amazon/aws-cli:2.17.0", true],
    ["registry.example.com:5000/team/redis:7.2", true],
    [`redis@sha256:${"a".repeat(64)}`, true],
    ["redis", false],
    ["redis:latest", false],
    ["Redis:7", false],
    ["quay.io/opstree/redis sentinel:v7", false],
    ["", false],
  ])("image %s is pinned: %s", (image, ok) => {
    expect(pinnedImageProblem("image", image, "redis:7") === undefined).toBe(ok);
  });
});
