// What the pack says about each policy, as the engine reads it (GetAnalyzerInfo), and the docs it links.
import * as fs from "fs";
import * as path from "path";
import { usePack } from "./packHarness";
import { DRKIT_REPOSITORY_URL, POLICY_DOCS_URL } from "../support/metadata";

const pack = usePack();
const DOCS = path.resolve(__dirname, "../../../docs/policies.md");

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as hyphens. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

/** docs/policies.md's `## ` sections: anchor → body. */
function docSections(): Map<string, string> {
  const sections = new Map<string, string>();
  for (const part of fs.readFileSync(DOCS, "utf8").split(/^## /m).slice(1)) {
    const [heading = "", ...body] = part.split("\n");
    sections.set(anchor(heading), body.join("\n"));
  }
  return sections;
}

describe("policy metadata over GetAnalyzerInfo", () => {
  it("gives every policy a display name, severity, link, remediation steps, framework and tags", () => {
    const missing = pack().policies.flatMap((p) => {
      const fields: Record<string, unknown> = {
        displayName: p.displayName,
        severity: p.severity,
        url: p.url,
        remediationSteps: p.remediationSteps,
        "framework.name": p.framework?.name,
        "framework.version": p.framework?.version,
        "framework.reference": p.framework?.reference,
        "framework.specification": p.framework?.specification,
        tags: p.tags?.length ? p.tags : undefined,
      };
      return Object.entries(fields)
        .filter(([, value]) => value === undefined || value === "")
        .map(([field]) => `${p.name}: ${field}`);
    });
    expect(missing).toEqual([]);
    expect(pack().policies).toHaveLength(10);
  });

  it("declares each policy's severity and control", () => {
    expect(
      pack().policies.map((p) => [
        p.name,
        p.severity,
        `${p.framework?.name}:${p.framework?.version} ${p.framework?.reference}`,
      ]),
    ).toEqual([
      ["drkit-rpo-rto", "critical", "ISO/IEC 27001:2022 Annex A 5.30"],
      ["drkit-aws-s3-object-lock-configure-retention", "high", "ISO/IEC 27001:2022 Annex A 8.13"],
      ["drkit-aws-s3-replication-enable-rtc", "high", "ISO/IEC 27001:2022 Annex A 5.30"],
      ["drkit-aws-route53-health-check-configure-detection", "medium", "ISO/IEC 27001:2022 Annex A 5.30"],
      ["drkit-aws-route53-record-configure-ttl", "medium", "ISO/IEC 27001:2022 Annex A 5.30"],
      ["drkit-aws-iam-policy-disallow-wildcard-actions", "high", "ISO/IEC 27001:2022 Annex A 8.2"],
      ["drkit-kubernetes-redis-replication-spread-across-zones", "high", "ISO/IEC 27001:2022 Annex A 8.14"],
      [
        "drkit-kubernetes-velero-location-disallow-object-lock",
        "critical",
        "ISO/IEC 27001:2022 Annex A 8.13",
      ],
      ["drkit-neon-project-configure-history-retention", "high", "ISO/IEC 27001:2022 Annex A 8.13"],
      ["drkit-stack-outputs-disallow-secrets", "high", "ISO/IEC 27001:2022 Annex A 5.17"],
    ]);
  });

  it("tags a policy with drkit, its topics, disruptions and the controls of other frameworks", () => {
    const ttl = pack().policies.find((p) => p.name === "drkit-aws-route53-record-configure-ttl");
    expect(ttl?.tags).toEqual([
      "drkit",
      "failover",
      "disruption:region",
      "soc-2/A1.2",
      "nist-sp-800-53r5/CP-7",
    ]);
  });

  it("names the pack and where its source is published", () => {
    expect([pack().displayName, pack().repository, pack().tags]).toEqual([
      "drkit disaster recovery",
      DRKIT_REPOSITORY_URL,
      ["drkit", "disaster-recovery", "aws", "kubernetes", "neon"],
    ]);
  });
});

describe("docs/policies.md", () => {
  it("has the section every policy links to", () => {
    const sections = docSections();
    const broken = pack()
      .policies.filter((p) => p.url !== `${POLICY_DOCS_URL}#${p.name}` || !sections.has(p.name))
      .map((p) => `${p.name}: ${p.url}`);
    expect(broken).toEqual([]);
  });

  it("documents no policy the pack does not have", () => {
    const names = new Set(pack().policies.map((p) => p.name));
    const stale = [...docSections().keys()].filter((a) => a.startsWith("drkit-") && !names.has(a));
    expect(stale).toEqual([]);
  });

  it("says, for every policy, what it checks, why, how to fix it and whether it remediates", () => {
    const sections = docSections();
    const incomplete = pack().policies.flatMap((p) =>
      ["**Checks.**", "**Why.**", "**Fix.**", "**Remediation.**"]
        .filter((label) => !(sections.get(p.name) ?? "").includes(label))
        .map((label) => `${p.name}: ${label}`),
    );
    expect(incomplete).toEqual([]);
  });
});
