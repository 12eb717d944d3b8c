import { ArgsProblems, serviceLabels, serviceTags, validateServiceIdentity } from "@drkit/components";

describe("service identity", () => {
  it("becomes the AWS tags and Kubernetes labels the posture model groups by", () => {
    expect(serviceTags({ service: "orders", tier: "critical" })).toEqual({
      "drkit:service": "orders",
      "drkit:tier": "critical",
    });
    expect(serviceLabels({ service: "orders", tier: "critical" }, "eu-west-1")).toEqual({
      "drkit.dev/service": "orders",
      "drkit.dev/tier": "critical",
      "drkit.dev/region": "eu-west-1",
    });
  });

  it("fails when service or tier is not a DNS label (they become label values)", () => {
    const problems = new ArgsProblems();
    validateServiceIdentity({ service: "Orders DB", tier: "x".repeat(64) }, problems);
    expect(problems.list).toEqual([
      "`service` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got \"Orders DB\")",
      `\`tier\` must be a DNS label: lowercase letters, digits and '-', at most 63 characters (got "${"x".repeat(64)}")`,
    ]);
  });
});
