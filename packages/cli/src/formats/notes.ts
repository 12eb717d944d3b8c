// What a check did or could not see besides its violations, said the same way in every CI format: the
// remediations the pack applied, policy names it ignored, config it could not decrypt, remote components no
// policy saw. SARIF carries them as notifications, GitHub as notices, the Markdown summary as notes.
import type { CheckResult } from "../check";
import { changedValues, remoteComponentNote } from "../format";
import { keyPath } from "../harness/messages";
import { resourceTitle } from "./location";

export interface CheckNote {
  /** what kind of note, as a GitHub annotation's title says it */
  readonly title: string;
  readonly text: string;
}

export function checkNotes(result: CheckResult): CheckNote[] {
  const { report, pack, stackConfig } = result;
  const remote = remoteComponentNote(result);
  return [
    ...report.remediations.map((r) => ({
      title: "drkit: remediated",
      text: `${r.policyName} changed ${resourceTitle(result, r.urn)} before the check, as \`pulumi up\` would deploy it: ${r.changes.map((c) => `${keyPath(c.path)}: ${changedValues(c)}`).join("; ")}.`,
    })),
    ...report.ignoredPolicyNames.map((name) => ({
      title: "drkit: unknown policy name",
      text: `The policy config names "${name}", which ${pack.name} does not have; it was ignored, as the Pulumi CLI ignores it.`,
    })),
    ...stackConfig.encryptedKeys.map((key) => ({
      title: "drkit: encrypted config",
      text: `Config ${key} is encrypted; offline it is a placeholder, so checks that read it are approximate.`,
    })),
    ...(remote.length > 0 ? [{ title: "drkit: remote components", text: remote.join(" ") }] : []),
  ];
}
