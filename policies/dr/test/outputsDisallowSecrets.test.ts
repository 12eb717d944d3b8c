import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random";
import { Secret } from "@pulumi/kubernetes/core/v1";
import * as s3 from "@pulumi/aws/s3";
import { PolicyConfigError, reconcilePolicyConfig } from "@drkit/cli/harness";
import { usePack, check } from "./packHarness";

const pack = usePack();
const POLICY = "drkit-stack-outputs-disallow-secrets";
// The mock fills a RandomPassword's computed `result` with "result-of-<name>" (unknown in preview).
const program = { computedOutputs: { "random:index/randomPassword:RandomPassword": ["result"] } };

const leak = (path: string, field: string, resource: string) =>
  `Stack output \`${path}\` carries the secret \`${field}\` of ${resource}: anyone who can read the stack's outputs, and every stack that references it, can read it. Policy packs see secrets decrypted, so this check cannot tell whether the output is wrapped with \`pulumi.secret()\`. Export where the secret is kept (a Kubernetes Secret's name, a Secrets Manager ARN) instead, or, if the export is deliberate and secret, list "${path}" in this policy's \`allowedOutputs\`.`;

/** The violation for `path` carrying the database password of {@link database}. */
const passwordLeak = (path: string) =>
  leak(path, "result", "random:index/randomPassword:RandomPassword db-password");

/** A database password, its Kubernetes Secret, and whatever the stack exports from them. */
const database =
  (exports: (password: pulumi.Output<string>, secret: Secret) => Record<string, unknown>) => () => {
    const password = new RandomPassword("db-password", { length: 24, special: false });
    const secret = new Secret("db-auth", {
      metadata: { name: "db-auth" },
      stringData: { password: password.result, username: "app" },
    });
    return exports(password.result, secret);
  };

describe(POLICY, () => {
  it("passes a stack that exports where the secret is kept, not the secret", async () => {
    const { violations } = await check(
      pack(),
      database((_password, secret) => ({ secretName: secret.metadata.name, host: "db.internal" })),
      POLICY,
      { program },
    );
    expect(violations).toEqual([]);
  });

  it("flags an exported password, naming the output, the resource and its secret field", async () => {
    const { violations } = await check(
      pack(),
      database((password) => ({ db: { password } })),
      POLICY,
      { program },
    );
    expect(violations).toEqual([["advisory", passwordLeak("db.password")]]);
  });

  it("flags a connection string that embeds the password, even wrapped with pulumi.secret()", async () => {
    const { violations } = await check(
      pack(),
      database((password) => ({
        urls: [pulumi.secret(pulumi.interpolate`postgresql://app:${password}@db.internal/orders`)],
      })),
      POLICY,
      { program },
    );
    expect(violations).toEqual([["advisory", passwordLeak("urls[0]")]]);
  });

  it("finds secrets inside a Kubernetes Secret's stringData", async () => {
    const { violations } = await check(
      pack(),
      () => {
        new Secret("api-token", { metadata: { name: "api-token" }, stringData: { token: "tok-0123456789" } });
        return { token: "tok-0123456789" };
      },
      POLICY,
    );
    expect(violations).toEqual([
      ["advisory", leak("token", "stringData.token", "kubernetes:core/v1:Secret api-token")],
    ]);
  });

  it("ignores secret values shorter than 8 characters, which would match ordinary outputs", async () => {
    // "app" is the Secret's username: a 3-character value is not evidence of a leak.
    const { violations } = await check(
      pack(),
      database(() => ({ user: "app", role: "app-reader" })),
      POLICY,
      { program },
    );
    expect(violations).toEqual([]);
  });

  it("accepts outputs listed in allowedOutputs, and their children", async () => {
    const { violations } = await check(
      pack(),
      database((password) => ({ db: { password, replica: { password } }, other: password })),
      POLICY,
      { program, config: { [POLICY]: { allowedOutputs: ["db"] } } },
    );
    expect(violations).toEqual([["advisory", passwordLeak("other")]]);
  });

  it("refuses allowedOutputs that is not a list of paths, naming the field", () => {
    expect(() => reconcilePolicyConfig(pack(), { [POLICY]: { allowedOutputs: "db" } })).toThrow(
      new PolicyConfigError([
        `${POLICY}: \`allowedOutputs\` must be a list of values, each a non-empty string (got "db"): write it as a list: ["db"]`,
      ]),
    );
  });

  it("says it cannot decide during preview when an output is unknown and secrets exist", async () => {
    const { violations } = await check(
      pack(),
      database((password, secret) => ({
        name: secret.metadata.name,
        url: password.apply((p) => `redis://${p}`),
      })),
      POLICY,
      { program, preview: true },
    );
    expect(violations).toEqual([
      [
        "advisory",
        "Stack outputs: cannot be checked for secrets until deploy, because `url` is unknown during preview. Run the check again after `pulumi up`, or list outputs exported as secrets on purpose in `allowedOutputs`.",
      ],
    ]);
  });

  it("fails closed at the level it is given: mandatory makes an undecidable preview block", async () => {
    const { violations } = await check(
      pack(),
      database((password) => ({ url: password.apply((p) => `redis://${p}`) })),
      POLICY,
      { program, preview: true, config: { [POLICY]: "mandatory" } },
    );
    expect(violations.map(([level]) => level)).toEqual(["mandatory"]);
  });

  it("has nothing to say about unknown outputs of a stack that holds no secrets", async () => {
    const { violations } = await check(pack(), () => ({ bucket: new s3.Bucket("archive").bucket }), POLICY, {
      preview: true,
    });
    expect(violations).toEqual([]);
  });
});
