// What a remediation changed, as reports and evidence show it: leaves, never a secret's value.
import { propertyChanges, REDACTED_SECRET, SECRET_SIG, SPECIAL_SIG_KEY } from "@drkit/cli/harness";

const secret = (value: string) => ({ [SPECIAL_SIG_KEY]: SECRET_SIG, value });

describe("propertyChanges", () => {
  it("names each changed leaf by its path, with the values before and after", () => {
    expect(
      propertyChanges(
        { ttl: 3600, rules: [{ id: "a", destination: { bucket: "x" } }] },
        { ttl: 60, rules: [{ id: "a", destination: { bucket: "x", metrics: { status: "Enabled" } } }] },
      ),
    ).toEqual([
      { path: ["ttl"], before: 3600, after: 60 },
      { path: ["rules", 0, "destination", "metrics"], after: { status: "Enabled" } },
    ]);
  });

  it("gives a whole list when its length changed, and a removed property without `after`", () => {
    expect(propertyChanges({ records: ["a"], ttl: 60 }, { records: ["a", "b"] })).toEqual([
      { path: ["records"], before: ["a"], after: ["a", "b"] },
      { path: ["ttl"], before: 60 },
    ]);
  });

  it("never shows a secret's value, before or after, however deep", () => {
    expect(
      propertyChanges(
        { password: secret("old-password"), tokens: [secret("a")] },
        { password: secret("new-password"), tokens: [secret("a"), secret("b")] },
      ),
    ).toEqual([
      { path: ["password"], before: REDACTED_SECRET, after: REDACTED_SECRET },
      { path: ["tokens"], before: [REDACTED_SECRET], after: [REDACTED_SECRET, REDACTED_SECRET] },
    ]);
  });

  it("finds nothing when nothing changed", () => {
    expect(
      propertyChanges({ password: secret("same"), ttl: 60 }, { ttl: 60, password: secret("same") }),
    ).toEqual([]);
  });
});
