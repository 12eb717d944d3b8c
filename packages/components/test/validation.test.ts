import * as pulumi from "@pulumi/pulumi";
import {
  ArgsProblems,
  checkArgsObject,
  checkBoolean,
  checkedInput,
  checkKnownFields,
  checkPlain,
  checkWholeNumber,
  isComputed,
  ownEntry,
  shown,
  validatedInput,
} from "@drkit/components";

const problemsOf = (fill: (p: ArgsProblems) => void) => {
  const p = new ArgsProblems();
  fill(p);
  return p.list;
};

describe("shared validation", () => {
  it("shows values briefly: strings quoted, long values cut, Outputs named", () => {
    expect(shown("x")).toBe('"x"');
    expect(shown({ a: 1 })).toBe('{"a":1}');
    expect(shown("y".repeat(5_000_000))).toBe(`"${"y".repeat(79)}… (5000002 characters)`);
    expect(shown(pulumi.output(1))).toBe("an Output (a value computed from another resource)");
  });

  it.each([
    ["args omitted", undefined, "`args` must be an object (got undefined): pass { tier }"],
    ["args null", null, "`args` must be an object (got null): pass { tier }"],
    ["args an array", [], "`args` must be an object (got []): pass { tier }"],
  ])("fails when %s", (_case, args, message) => {
    expect(problemsOf((p) => checkArgsObject(args, "pass { tier }", p))).toEqual([message]);
  });

  it("fails when a boolean arrives as a YAML string", () => {
    expect(problemsOf((p) => checkBoolean("arcEnabled", "false", p))).toEqual([
      '`arcEnabled` must be true or false (got "false"): in YAML write it without quotes',
    ]);
    expect(problemsOf((p) => checkBoolean("arcEnabled", false, p))).toEqual([]);
  });

  it("fails when a number is out of range or quoted, naming the range and the default", () => {
    const range = { min: 1, max: 36_500, unit: "days", omitted: "365" };
    expect(problemsOf((p) => checkWholeNumber("retentionDays", 0, range, p))).toEqual([
      "`retentionDays` must be a whole number of days from 1 to 36500 (got 0); omit it to use 365",
    ]);
    expect(problemsOf((p) => checkWholeNumber("retentionDays", "30", range, p))).toEqual([
      '`retentionDays` must be a whole number of days from 1 to 36500 (got "30"): write it without quotes; omit it to use 365',
    ]);
    expect(problemsOf((p) => checkWholeNumber("retentionDays", 30, range, p))).toEqual([]);
  });

  it("fails when a field that decides the children is an Output", () => {
    expect(problemsOf((p) => checkPlain("standby", pulumi.output(true), p))).toEqual([
      "`standby` must be a plain value, known when the program runs (got an Output (a value computed from another resource)): it decides which resources are created",
    ]);
  });

  it("never finds inherited properties by a user's key", () => {
    expect(ownEntry({ launch: 1 }, "constructor")).toBeUndefined();
    expect(ownEntry({ launch: 1 }, "__proto__")).toBeUndefined();
    expect(ownEntry({ launch: 1 }, "launch")).toBe(1);
  });

  it("passes an Output that resolves to a good value through unchanged", async () => {
    const check = (days: number) =>
      days >= 1 ? undefined : `\`retentionDays\` must be at least 1 (got ${days})`;
    // The SDK's own accessor for an Output's value (what registerResource awaits before registering a child).
    const valueOf = (o: pulumi.Output<number>) => (o as unknown as { promise(): Promise<number> }).promise();
    await expect(valueOf(validatedInput("ObjectLockBucket", "data", pulumi.output(30), check))).resolves.toBe(
      30,
    );
  });
  // A bad value at resolution fails the program: tested end to end through `drkit check`, which runs the
  // program in its own process (packages/cli/test/checkFailClosed.test.ts, "bad-input-at-resolution").
});

describe("shared validation: fields and inputs", () => {
  it("fails when a field is unknown, naming the closest known one", () => {
    const known = ["retentionDays", "retentionMode", "replicateDeleteMarkers"];
    expect(
      problemsOf((p) => checkKnownFields("", { retentionday: 30, retentionMode: "COMPLIANCE" }, known, p)),
    ).toEqual(["`retentionday` is not an argument drkit knows: did you mean `retentionDays`?"]);
    expect(problemsOf((p) => checkKnownFields("healthCheck", { interval: 10 }, ["path", "port"], p))).toEqual(
      ["`healthCheck.interval` is not an argument drkit knows here (it knows: path, port): remove it"],
    );
    // Units are in drkit's names: a field that begins exactly one known name is taken for it.
    expect(
      problemsOf((p) => checkKnownFields("", { ttl: 60, retention: 30 }, ["ttlSeconds", ...known], p)),
    ).toEqual([
      "`ttl` is not an argument drkit knows: did you mean `ttlSeconds`?",
      "`retention` is not an argument drkit knows (it knows: ttlSeconds, retentionDays, retentionMode, replicateDeleteMarkers): remove it",
    ]);
    // A key set to undefined (code passing an optional config value through) is no argument at all.
    expect(problemsOf((p) => checkKnownFields("", { retentionday: undefined }, known, p))).toEqual([]);
  });

  it("passes a plain input through unchanged, and checks an Output when it resolves", async () => {
    const check = (value: unknown, p: ArgsProblems) =>
      checkWholeNumber("retentionDays", value, { min: 1, max: 36_500, unit: "days" }, p);
    expect(checkedInput("ObjectLockBucket", "data", 30, check)).toBe(30);
    const valueOf = (o: pulumi.Input<number>) => (o as unknown as { promise(): Promise<number> }).promise();
    expect(isComputed(pulumi.output(1))).toBe(true);
    expect(isComputed(Promise.resolve(1))).toBe(true);
    expect(isComputed(1)).toBe(false);
    await expect(valueOf(checkedInput("ObjectLockBucket", "data", pulumi.output(30), check))).resolves.toBe(
      30,
    );
  });
  // A bad value at resolution fails with the plain value's message: end to end through drkit check in
  // packages/cli/test/awsInputsAtResolution.test.ts.
});
