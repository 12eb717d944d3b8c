// Stack outputs are read by anyone who can run `pulumi stack output` and by every stack that takes a
// StackReference to this one: a credential there outlives the resource it belongs to and travels far.
//
// What this policy can and cannot see: the engine hands analyzers every resource's properties with the
// names of its secret outputs (`additionalSecretOutputs`, which the provider SDKs declare — a
// RandomPassword's `result`, a Kubernetes Secret's `stringData`, a Neon role's `password`), but
// @pulumi/policy decrypts every secret before a validation policy runs. So the policy knows which values
// are secret, yet cannot tell a stack output wrapped in `pulumi.secret()` from a plain one: it flags
// every output that carries a secret value, and a deliberate, secret export is acknowledged by name in
// `allowedOutputs`.
import { PolicyResource } from "@pulumi/policy";
import type { JsonValue } from "@drkit/posture";
import { isUnknown, rawProperties } from "../support/properties";
import { DocumentedStackPolicy, iso27001, policyDocsUrl, policyTags } from "../support/metadata";

const NAME = "drkit-stack-outputs-disallow-secrets";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";
/** Shorter secret values (flags, ports, "true") would match ordinary outputs by accident. */
export const MIN_SECRET_LENGTH = 8;

export interface OutputsDisallowSecretsConfig {
  /** Output paths (`services.orders.databaseUri`) exported as secrets on purpose; their children too. */
  allowedOutputs?: string[];
}

interface SecretSource {
  value: string;
  resource: PolicyResource;
  field: string;
}

/** Every leaf of `value` (strings, numbers, unknowns) with its path, e.g. `services.orders[0].uri`. */
function walk(
  value: JsonValue | undefined,
  path: string,
  visit: (leaf: JsonValue | undefined, path: string) => void,
): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => walk(item, `${path}[${i}]`, visit));
  } else if (value !== null && typeof value === "object") {
    for (const [key, child] of Object.entries(value))
      walk(child, path === "" ? key : `${path}.${key}`, visit);
  } else {
    visit(value, path);
  }
}

function secretSources(resources: PolicyResource[]): { known: SecretSource[]; unknown: boolean } {
  const known: SecretSource[] = [];
  let unknown = false;
  for (const resource of resources) {
    const props = rawProperties(resource.props as Record<string, unknown>);
    for (const field of resource.opts.additionalSecretOutputs ?? []) {
      walk(props[field], field, (leaf, path) => {
        if (isUnknown(leaf)) unknown = true;
        else if (typeof leaf === "string" && leaf.length >= MIN_SECRET_LENGTH)
          known.push({ value: leaf, resource, field: path });
      });
    }
  }
  return { known, unknown };
}

const isAllowed = (path: string, allowed: readonly string[]) =>
  allowed.some((a) => path === a || path.startsWith(`${a}.`) || path.startsWith(`${a}[`));

/** No remediation: Pulumi cannot remediate stack policies, and what to export instead is the owner's call. */
export const outputsDisallowSecrets: DocumentedStackPolicy = {
  name: NAME,
  displayName: "Stack outputs: no secret values",
  description:
    "Stack outputs must not carry secret values (passwords, connection strings): export where the secret is kept instead.",
  enforcementLevel: "advisory",
  severity: "high",
  url: policyDocsUrl(NAME),
  remediationSteps:
    "Export where the secret is kept instead of its value: a Kubernetes Secret's name, a Secrets Manager secret's ARN, e.g. `export const databaseUriSecret = secret.metadata.name` rather than `export const databaseUri = project.connectionUri`. " +
    'If an output must carry a secret on purpose, wrap it with `pulumi.secret()` and list its path in `allowedOutputs` (e.g. { "drkit-stack-outputs-disallow-secrets": { "allowedOutputs": ["services.orders.databaseUri"] } }). drkit offers no automatic remediation for this policy.',
  framework: iso27001(
    "5.17",
    "Authentication information is kept where only its users can read it: a stack output is readable by everyone who can read the stack and by every stack that references it.",
  ),
  tags: policyTags({
    topics: ["secrets"],
    disruptions: [],
    soc2: ["CC6.1"],
    nist80053: ["IA-5(7)"],
  }),
  configSchema: {
    properties: {
      allowedOutputs: {
        type: "array",
        items: { type: "string", minLength: 1 },
        description:
          "Output paths (e.g. `services.orders.databaseUri`) exported as secrets on purpose, with their children.",
        default: [],
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const allowed = args.getConfig<OutputsDisallowSecretsConfig>().allowedOutputs ?? [];
    const stack = args.resources.find((r) => r.type === ROOT_STACK_TYPE && r.parent === undefined);
    if (!stack) return;
    const sources = secretSources(args.resources.filter((r) => r !== stack));
    if (sources.known.length === 0 && !sources.unknown) return;

    const unknownOutputs: string[] = [];
    walk(rawProperties(stack.props as Record<string, unknown>), "", (leaf, path) => {
      if (isAllowed(path, allowed)) return;
      if (isUnknown(leaf)) {
        unknownOutputs.push(path);
        return;
      }
      if (typeof leaf !== "string") return;
      const source = sources.known.find((s) => leaf.includes(s.value));
      if (!source) return;
      reportViolation(
        `Stack output \`${path}\` carries the secret \`${source.field}\` of ${source.resource.type} ${source.resource.name}: ` +
          "anyone who can read the stack's outputs, and every stack that references it, can read it. " +
          "Policy packs see secrets decrypted, so this check cannot tell whether the output is wrapped with `pulumi.secret()`. " +
          `Export where the secret is kept (a Kubernetes Secret's name, a Secrets Manager ARN) instead, or, if the export is deliberate and secret, list "${path}" in this policy's \`allowedOutputs\`.`,
      );
    });
    if (unknownOutputs.length > 0) {
      const shown = unknownOutputs.slice(0, 5).map((p) => `\`${p}\``);
      const more = unknownOutputs.length > 5 ? ` and ${unknownOutputs.length - 5} more` : "";
      reportViolation(
        `Stack outputs: cannot be checked for secrets until deploy, because ${shown.join(", ")}${more} ${unknownOutputs.length === 1 ? "is" : "are"} unknown during preview. ` +
          "Run the check again after `pulumi up`, or list outputs exported as secrets on purpose in `allowedOutputs`.",
      );
    }
  },
};
