// One judgement per remediable policy, read twice: `validate` reports its findings, `remediate` applies
// their fixes. The validation and the remediation therefore cannot disagree about what is wrong.
//
// A remediation runs only when the pack config sets its policy to `remediate` (@pulumi/policy's server
// calls `remediateResource` for that level alone); the engine deploys the returned properties and then
// runs `validateResource` on them, so whatever a fix leaves wrong is still reported, at `mandatory`.
import { ReportViolation, ResourceValidationArgs, Secret } from "@pulumi/policy";
import type { JsonObject, JsonValue } from "@drkit/posture";
import { rawProperties } from "./properties";

/** A path into a resource's properties: keys and list indices, e.g. `["rules", 0, "destination"]`. */
export type PropertyPath = readonly (string | number)[];

/** Set the property at `path` to `value`. Only the last element of the path may be absent. */
export interface PropertyFix {
  readonly path: PropertyPath;
  readonly value: JsonValue;
}

/** One problem found: the violation's message, and the fixes that remedy it safely (none: no safe fix). */
export interface Finding {
  readonly message: string;
  readonly fixes: readonly PropertyFix[];
}

export type Judgement = { readonly notApplicable: string } | { readonly findings: readonly Finding[] };

/** Reads a resource's properties (secrets revealed, unknowns as `UNKNOWN_VALUE`) and judges them. */
export type Judge = (props: JsonObject, args: ResourceValidationArgs) => Judgement;

/** A finding that no property change can safely remedy. */
export function unfixable(message: string): Finding {
  return { message, fixes: [] };
}

/** `validateResource` and `remediateResource` bodies from one judgement. */
export function fromJudgement(judge: Judge): {
  validate: (args: ResourceValidationArgs, reportViolation: ReportViolation) => void;
  remediate: (args: ResourceValidationArgs) => Record<string, unknown> | undefined;
} {
  return {
    validate: (args, reportViolation) => {
      const judgement = judge(rawProperties(args.props), args);
      if ("notApplicable" in judgement) return args.notApplicable(judgement.notApplicable);
      for (const finding of judgement.findings) reportViolation(finding.message);
    },
    remediate: (args) => {
      // Judged on a plain copy: the SDK's secret-preserving proxy wraps even the methods of the lists
      // it returns, and Array methods called through it throw.
      const properties = underProxies(args.props);
      const judgement = judge(revealed(properties) as JsonObject, args);
      if ("notApplicable" in judgement) return undefined;
      const fixes = judgement.findings.flatMap((f) => f.fixes);
      return fixes.length > 0 ? withFixes(properties, fixes) : undefined;
    },
  };
}

// The SDK's (internal) proxy keys, documented in @pulumi/policy proxy.js.
const IS_PROXY_KEY = "__isSpecialProxy";
const PROXY_TARGET_KEY = "__getSpecialProxyTarget";

/**
 * The properties under every SDK proxy. In a remediation, `props` is an unknown-checking proxy around a
 * secret-preserving proxy around the deserialized properties, where secrets are `Secret` objects; the
 * SDK re-encrypts those when it serializes the result, so a remediation must return them as they are.
 */
function underProxies(props: Record<string, unknown>): Record<string, unknown> {
  let current: Record<string, unknown> = props;
  while (current[IS_PROXY_KEY] === true) current = current[PROXY_TARGET_KEY] as Record<string, unknown>;
  return current;
}

/** A plain copy of `value` with every `Secret` replaced by its value, as a validation sees properties. */
function revealed(value: unknown): unknown {
  if (value instanceof Secret) return revealed(value.value);
  if (Array.isArray(value)) return value.map(revealed);
  if (isContainer(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
  return value;
}

type Container = Record<string, unknown> | unknown[];

function isContainer(value: unknown): value is Container {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Secret) &&
    (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype)
  );
}

/**
 * A copy of `properties` (as `underProxies` returns them) with every fix applied; only the objects and lists along a fixed path are copied,
 * everything else (secrets, assets, unknowns) is passed back as it came. A fixed value that was secret
 * stays secret. `undefined` when a fix's path runs through something that is not a plain object or list
 * (a value unknown during preview, a secret, a missing parent): drkit does not guess its shape.
 */
export function withFixes(
  properties: Record<string, unknown>,
  fixes: readonly PropertyFix[],
): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = { ...properties };
  for (const { path, value } of fixes) {
    let parent: Container = result;
    for (const [depth, key] of path.entries()) {
      const current: unknown = (parent as Record<string | number, unknown>)[key];
      if (depth === path.length - 1) {
        (parent as Record<string | number, unknown>)[key] =
          current instanceof Secret ? new Secret(value) : value;
        break;
      }
      if (!isContainer(current)) return undefined;
      const copy: Container = Array.isArray(current) ? [...current] : { ...current };
      (parent as Record<string | number, unknown>)[key] = copy;
      parent = copy;
    }
  }
  return result;
}
