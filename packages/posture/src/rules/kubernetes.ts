// Reading Kubernetes objects the way the API server and its controllers do: namespaces, labels, label
// selectors. Shared by the Velero and Redis rules.
import type { GraphResource, JsonValue } from "../graph";
import type { PropertyReader } from "../graphIndex";

export type Labels = Readonly<Record<string, string>>;

const isRecord = (v: JsonValue | undefined): v is { [key: string]: JsonValue } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** The string values of a label map (`metadata.labels`, `matchLabels`), read through `read`. */
export function labelsAt(read: PropertyReader, path: string, from?: JsonValue, label?: string): Labels {
  const value = read.get(path, from, label);
  if (!isRecord(value)) return {};
  return Object.fromEntries(
    Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** A string list at `path` (`includedNamespaces`, …), its other entries dropped. */
export function stringsAt(read: PropertyReader, path: string): string[] {
  return read.list(path).filter((v): v is string => typeof v === "string");
}

/**
 * The namespace a namespaced object lands in: its own, else its Kubernetes provider's default, else
 * `default` (as the Pulumi Kubernetes provider does). Undefined while it is unknown (preview).
 */
export function namespaceOf(resource: GraphResource, read: PropertyReader): string | undefined {
  const unknownBefore = read.unknown.length;
  const own = read.get("metadata.namespace");
  if (typeof own === "string") return own;
  if (read.unknown.length > unknownBefore) return undefined;
  const provider = resource.provider;
  const fromProvider =
    provider?.type.startsWith("pulumi:providers:kubernetes") === true
      ? provider.properties.namespace
      : undefined;
  return typeof fromProvider === "string" && fromProvider !== "" ? fromProvider : "default";
}

/** A label selector (`matchLabels`, `matchExpressions`), as the API server evaluates it. */
export interface Selector {
  readonly matchLabels: Labels;
  readonly expressions: readonly { key: string; operator: string; values: readonly string[] }[];
}

export function selectorAt(
  read: PropertyReader,
  path: string,
  from?: JsonValue,
  label = path,
): Selector | undefined {
  return toSelector(read, read.get(path, from, label), label);
}

/** A selector value already read (a list element); `label` names it for preview unknowns. */
export function toSelector(
  read: PropertyReader,
  value: JsonValue | undefined,
  label: string,
): Selector | undefined {
  if (!isRecord(value)) return undefined;
  const expressions = Array.isArray(value.matchExpressions) ? value.matchExpressions : [];
  return {
    matchLabels: labelsAt(read, "matchLabels", value, `${label}.matchLabels`),
    expressions: expressions.filter(isRecord).map((e) => ({
      key: typeof e.key === "string" ? e.key : "",
      operator: typeof e.operator === "string" ? e.operator : "",
      values: Array.isArray(e.values) ? e.values.filter((v): v is string => typeof v === "string") : [],
    })),
  };
}

/** An empty selector selects everything: it restricts nothing. */
export const restricts = (s: Selector | undefined): s is Selector =>
  s !== undefined && (Object.keys(s.matchLabels).length > 0 || s.expressions.length > 0);

/** Whether `selector` selects an object labelled `labels` (an unknown operator selects nothing). */
export function selects(selector: Selector, labels: Labels): boolean {
  const has = (key: string) => Object.prototype.hasOwnProperty.call(labels, key);
  return (
    Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v) &&
    selector.expressions.every(({ key, operator, values }) => {
      switch (operator) {
        case "In":
          return values.some((v) => labels[key] === v);
        case "NotIn":
          return !values.some((v) => labels[key] === v);
        case "Exists":
          return has(key);
        case "DoesNotExist":
          return !has(key);
        default:
          return false;
      }
    })
  );
}

/** `app=web, tier In (a, b)` */
export function describeSelector(s: Selector): string {
  return [
    ...Object.entries(s.matchLabels).map(([k, v]) => `${k}=${v}`),
    ...s.expressions.map((e) =>
      e.operator === "In" || e.operator === "NotIn"
        ? `${e.key} ${e.operator} (${e.values.join(", ")})`
        : `${e.key} ${e.operator}`,
    ),
  ].join(", ");
}

/** `a`, `a and b`, `a, b and c` */
export function listed(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
