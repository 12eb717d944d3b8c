// What `pulumi up` would do between two captured graphs of the same program, judged the way the engine's
// step generator judges it (pkg/resource/deploy/step_generator.go):
//  1. A resource's provider reference is `<provider URN>::<provider id>`. A provider whose inputs are
//     unchanged keeps its id. A provider whose inputs change is replaced (a new id) only when its
//     DiffConfig reports a replacement, i.e. when a changed key is one the provider forces a replacement
//     on; otherwise it is updated in place and keeps its id.
//  2. When a resource's provider reference changes, the engine asks the new provider's DiffConfig about
//     the old and new provider inputs; a replacement there replaces the resource.
//  3. Otherwise the resource's own diff decides: a change under a property the schema marks
//     `replaceOnChanges` replaces it; any other change is an update in place.
// The replacement facts are read from test/vendor/schemas/replacement (excerpts of the providers'
// schemas, with their sources in test/vendor/schemas/README.md); nothing here is guessed per type.
import * as fs from "fs";
import * as path from "path";
import { CapturedResource, ProgramRun, plainProperties } from "@drkit/cli/harness";

const FACTS_DIR = path.resolve(__dirname, "../../../test/vendor/schemas/replacement");

interface SchemaProperty {
  readonly type?: string;
  readonly replaceOnChanges?: boolean;
  readonly items?: SchemaProperty;
  readonly $ref?: string;
  readonly properties?: Record<string, SchemaProperty>;
}
interface PackageFacts {
  readonly name: string;
  readonly provider?: { readonly forcesProviderReplace?: readonly string[] };
  readonly resources: Record<
    string,
    { readonly inputProperties?: Record<string, SchemaProperty>; readonly replacePaths?: readonly string[] }
  >;
  readonly types?: Record<string, SchemaProperty>;
}

/** The property paths (`a.b`, list items as `a[]`) under which a change replaces each resource type. */
export interface ReplacementFacts {
  readonly replacePaths: ReadonlyMap<string, readonly string[]>;
  /** per provider package (`aws`), the config keys whose change replaces the provider */
  readonly providerReplaceKeys: ReadonlyMap<string, readonly string[]>;
}

/** Walks a schema excerpt: every property path marked `replaceOnChanges`, following `$ref`s into `types`. */
function replacePathsOf(
  facts: PackageFacts,
  properties: Record<string, SchemaProperty>,
  prefix = "",
): string[] {
  const found: string[] = [];
  for (const [name, property] of Object.entries(properties)) {
    const at = `${prefix}${name}`;
    if (property.replaceOnChanges) found.push(at);
    const item = property.items;
    const nested = (p: SchemaProperty | undefined, pathAt: string) => {
      if (p === undefined) return;
      const resolved = p.$ref ? facts.types?.[p.$ref.replace("#/types/", "")] : p;
      if (resolved?.properties) found.push(...replacePathsOf(facts, resolved.properties, `${pathAt}.`));
    };
    nested(property, at);
    nested(item, `${at}[]`);
  }
  return found;
}

export function loadReplacementFacts(): ReplacementFacts {
  const replacePaths = new Map<string, readonly string[]>();
  const providerReplaceKeys = new Map<string, readonly string[]>();
  for (const file of fs.readdirSync(FACTS_DIR).filter((f) => f.endsWith(".json"))) {
    const facts = JSON.parse(fs.readFileSync(path.join(FACTS_DIR, file), "utf8")) as PackageFacts;
    for (const [type, resource] of Object.entries(facts.resources))
      replacePaths.set(type, resource.replacePaths ?? replacePathsOf(facts, resource.inputProperties ?? {}));
    providerReplaceKeys.set(facts.name, facts.provider?.forcesProviderReplace ?? []);
  }
  return { replacePaths, providerReplaceKeys };
}

/** Every leaf path whose value differs (`weightedRoutingPolicies[0].weight`), in a stable order. */
export function changedPaths(before: unknown, after: unknown, at = ""): string[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length)
    return before.flatMap((b, i) => changedPaths(b, after[i], `${at}[${i}]`));
  if (isObject(before) && isObject(after) && !Array.isArray(before) && !Array.isArray(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => changedPaths(before[k], after[k], at === "" ? k : `${at}.${k}`));
  }
  return [at];
}

/** `a[3].b` → `a[].b`: the schema path of a concrete property path. */
const schemaPath = (p: string) => p.replace(/\[\d+\]/g, "[]");
const underAny = (p: string, roots: readonly string[]) =>
  roots.some(
    (r) => schemaPath(p) === r || schemaPath(p).startsWith(`${r}.`) || schemaPath(p).startsWith(`${r}[`),
  );

export type StepOp = "same" | "update" | "replace" | "create" | "delete";

export interface ResourceStep {
  readonly urn: string;
  readonly type: string;
  readonly op: StepOp;
  /** for custom resources: whether the provider reference (URN and id) stays the same */
  readonly providerReference: "same" | "changed" | "none";
  readonly changed: readonly string[];
  /** why the engine would replace it (a property, or the provider), empty for an in-place update */
  readonly replaceReasons: readonly string[];
}

const packageOf = (providerType: string) => providerType.replace(/^pulumi:providers:/, "");
const inputsOf = (r: CapturedResource) => plainProperties(r.inputs);

/** What the engine would do to every resource, going from the `before` graph to the `after` graph. */
export function engineDiff(before: ProgramRun, after: ProgramRun, facts: ReplacementFacts): ResourceStep[] {
  const steps = new Map<string, ResourceStep>();

  // Providers first: their own step decides whether their id (and so every reference to them) survives.
  const providerStep = (urn: string): ResourceStep | undefined => steps.get(urn);
  const judge = (r: CapturedResource): ResourceStep => {
    const old = before.byUrn(r.urn);
    if (old === undefined)
      return {
        urn: r.urn,
        type: r.type,
        op: "create",
        providerReference: "none",
        changed: [],
        replaceReasons: [],
      };
    const changed = changedPaths(inputsOf(old), inputsOf(r));
    const isProvider = r.type.startsWith("pulumi:providers:");
    if (isProvider) {
      const forcing = facts.providerReplaceKeys.get(packageOf(r.type)) ?? [];
      const reasons = changed.filter((p) => underAny(p, forcing)).map((p) => `provider config ${p}`);
      return {
        urn: r.urn,
        type: r.type,
        op: changed.length === 0 ? "same" : reasons.length > 0 ? "replace" : "update",
        providerReference: "none",
        changed,
        replaceReasons: reasons,
      };
    }
    const reasons: string[] = [];
    let providerReference: ResourceStep["providerReference"] = "none";
    if (r.custom) {
      const oldProvider = before.providerOf(old);
      const newProvider = after.providerOf(r);
      if (oldProvider === undefined || newProvider === undefined)
        throw new Error(`${r.urn}: no provider captured; the diff cannot be judged`);
      const sameUrn = oldProvider.urn === newProvider.urn;
      const replaced = sameUrn && providerStep(newProvider.urn)?.op === "replace";
      providerReference = sameUrn && !replaced ? "same" : "changed";
      if (replaced) reasons.push(`its provider ${newProvider.name} is replaced`);
      else if (!sameUrn) {
        // The engine's providerChanged: the new provider's DiffConfig over the old and new provider inputs.
        const forcing = facts.providerReplaceKeys.get(packageOf(newProvider.type)) ?? [];
        const configChanges = changedPaths(inputsOf(oldProvider), inputsOf(newProvider)).filter((p) =>
          underAny(p, forcing),
        );
        if (configChanges.length > 0)
          reasons.push(
            `its provider changed from ${oldProvider.name} to ${newProvider.name} (${configChanges.join(", ")})`,
          );
      }
      const known = facts.replacePaths.get(r.type);
      if (known === undefined && changed.length > 0)
        throw new Error(
          `${r.type}: no replacement facts in test/vendor/schemas/replacement; add its schema excerpt`,
        );
      reasons.push(...changed.filter((p) => underAny(p, known ?? [])).map((p) => `property ${p}`));
    }
    const op: StepOp =
      reasons.length > 0
        ? "replace"
        : changed.length === 0 && providerReference !== "changed"
          ? "same"
          : "update";
    return { urn: r.urn, type: r.type, op, providerReference, changed, replaceReasons: reasons };
  };

  const ordered = [...after.resources].sort(
    (a, b) =>
      Number(!a.type.startsWith("pulumi:providers:")) - Number(!b.type.startsWith("pulumi:providers:")),
  );
  for (const r of ordered) steps.set(r.urn, judge(r));
  for (const old of before.resources)
    if (after.byUrn(old.urn) === undefined)
      steps.set(old.urn, {
        urn: old.urn,
        type: old.type,
        op: "delete",
        providerReference: "none",
        changed: [],
        replaceReasons: [],
      });
  return [...steps.values()];
}
