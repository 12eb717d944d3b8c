import * as pulumi from "@pulumi/pulumi";
import { closestName } from "@drkit/posture";

/**
 * Collects every problem with a component's arguments so the user gets them all at once, each naming
 * the field, the value and the fix: `` `retentionDays` must be 1–36500 (got 0); omit it to use 365 ``.
 */
export class ArgsProblems {
  private readonly problems: string[] = [];

  add(problem: string): void {
    this.problems.push(problem);
  }

  /** Records `problem` unless `ok`. */
  check(ok: boolean, problem: string): void {
    if (!ok) this.problems.push(problem);
  }

  get list(): readonly string[] {
    return this.problems;
  }
}

/** Thrown by a component's constructor, before any child exists, listing every problem its `validate…Args` found. */
export class InvalidArgsError extends Error {
  constructor(
    readonly component: string,
    readonly resourceName: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${component} "${resourceName}" has invalid arguments:\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "InvalidArgsError";
  }
}

/**
 * The value of an input when it is a plain value now (not an Output or a Promise). Validation checks
 * plain values only: a value computed from another resource is unknown until deploy (and in preview).
 */
export function plainValue<T>(input: pulumi.Input<T> | undefined): T | undefined {
  if (input === undefined || pulumi.Output.isInstance(input) || input instanceof Promise) return undefined;
  return input as T;
}

const SHOWN_MAX = 80;

/**
 * JSON-ish rendering of a value for an error message: strings quoted, long values cut (a message never
 * echoes megabytes), an Output or Promise named as such instead of the SDK's `toString` text.
 */
export function shown(value: unknown): string {
  if (pulumi.Output.isInstance(value)) return "an Output (a value computed from another resource)";
  if (value instanceof Promise) return "a Promise";
  let text: string;
  if (typeof value === "string") text = JSON.stringify(value);
  else if (typeof value === "object" && value !== null) {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  } else text = String(value);
  return text.length > SHOWN_MAX ? `${text.slice(0, SHOWN_MAX)}… (${text.length} characters)` : text;
}

/** True for a plain object (not null, not an array, not an Output). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !pulumi.Output.isInstance(value)
  );
}

/**
 * Checks that a component got an `args` object before anything reads it (a missing `args` would
 * otherwise be a raw TypeError). `hint` names the required fields: "pass { regions, service, tier }".
 */
export function checkArgsObject(
  args: unknown,
  hint: string,
  problems: ArgsProblems,
): args is Record<string, unknown> {
  if (isPlainObject(args)) return true;
  problems.add(`\`args\` must be an object (got ${shown(args)}): ${hint}`);
  return false;
}

/**
 * A field that must be known now (it decides which children exist): an Output or Promise is refused with
 * "must be a plain value", not silently treated as absent.
 */
export function checkPlain(field: string, value: unknown, problems: ArgsProblems): boolean {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) {
    problems.add(
      `\`${field}\` must be a plain value, known when the program runs (got ${shown(value)}): it decides which resources are created`,
    );
    return false;
  }
  return true;
}

/**
 * A boolean from code or YAML config. A string such as "false" is refused — it is truthy, and would turn
 * the setting on — with the fix (YAML `false` without quotes).
 */
export function checkBoolean(
  field: string,
  value: unknown,
  problems: ArgsProblems,
): value is boolean | undefined {
  if (value === undefined || typeof value === "boolean") return true;
  problems.add(
    `\`${field}\` must be true or false (got ${shown(value)})${typeof value === "string" ? ": in YAML write it without quotes" : ""}`,
  );
  return false;
}

/**
 * A whole number in [min, max] (both inclusive). A numeric string ("30") is refused with the fix, as
 * YAML config quotes numbers easily; `unit` and `omitted` complete the message.
 */
export function checkWholeNumber(
  field: string,
  value: unknown,
  range: { readonly min: number; readonly max: number; readonly unit?: string; readonly omitted?: string },
  problems: ArgsProblems,
): value is number | undefined {
  if (value === undefined) return true;
  if (typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max)
    return true;
  const what = range.unit ? `a whole number of ${range.unit}` : "a whole number";
  const quoted = typeof value === "string" ? ": write it without quotes" : "";
  const omitted = range.omitted ? `; omit it to use ${range.omitted}` : "";
  problems.add(
    `\`${field}\` must be ${what} from ${range.min} to ${range.max} (got ${shown(value)})${quoted}${omitted}`,
  );
  return false;
}

/** The entry of `table` under a key the user typed, never an inherited one (`"constructor"`, `"__proto__"`). */
export function ownEntry<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  return typeof key === "string" && Object.prototype.hasOwnProperty.call(table, key) ? table[key] : undefined;
}

/**
 * An input validated when it resolves: a plain value is checked now (by the component's
 * `validate…Args`); an Output is checked when its value is known, and the returned Output fails with the
 * same `InvalidArgsError` — so the child that consumes it is never registered with a bad value.
 */
export function validatedInput<T>(
  component: string,
  resourceName: string,
  input: pulumi.Input<T>,
  check: (value: T) => string | undefined,
): pulumi.Output<T> {
  return pulumi.output(input).apply((value) => {
    const problem = check(value as T);
    if (problem !== undefined) throw new InvalidArgsError(component, resourceName, [problem]);
    return value as T;
  });
}

/** True for a value only known when it resolves: an Output or a Promise. */
export function isComputed(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * `input` as a child should get it: a plain value unchanged (the component's `validate…Args` checked it
 * with `check`), an Output or Promise checked by the same `check` when it resolves (see `validatedInput`),
 * so both fail with the same message.
 */
export function checkedInput<T>(
  component: string,
  resourceName: string,
  input: pulumi.Input<T>,
  check: (value: unknown, problems: ArgsProblems) => void,
): pulumi.Input<T> {
  if (!isComputed(input)) return input;
  return validatedInput(component, resourceName, input, (value) => {
    const problems = new ArgsProblems();
    check(value, problems);
    return problems.list[0];
  });
}

/**
 * Refuses fields a component does not know: from YAML config a misspelt field (`retentionday`) would
 * otherwise be ignored, silently keeping a default the user meant to change. Names the closest known field.
 * `at` is the path of the object checked (`""` for `args`, `"healthCheck"` for a nested one).
 */
export function checkKnownFields(
  at: string,
  value: Readonly<Record<string, unknown>>,
  known: readonly string[],
  problems: ArgsProblems,
): void {
  const path = (key: string) => (at === "" ? key : `${at}.${key}`);
  for (const key of Object.keys(value)) {
    if (known.includes(key) || value[key] === undefined) continue;
    const near = closestName(key, known);
    problems.add(
      near !== undefined
        ? `\`${path(key)}\` is not an argument drkit knows${at === "" ? "" : " here"}: did you mean \`${path(near)}\`?`
        : `\`${path(key)}\` is not an argument drkit knows${at === "" ? "" : " here"} (it knows: ${known.join(", ")}): remove it`,
    );
  }
}

/**
 * Keys of `value` that are not fields of `what`: a typo in YAML config (`tll`) would otherwise be dropped
 * in silence and the default used. `prefix` is the object's field (`schedules[0]`), or "" for `args`.
 * Components use `checkKnownFields` ("is not an argument drkit knows"); configuration files use this
 * one, which says what the object is ("is not a field of `drkit-platform:services[0]`").
 */
export function checkKnownKeys(
  prefix: string,
  value: Record<string, unknown>,
  fields: readonly string[],
  what: string,
  problems: ArgsProblems,
): void {
  for (const key of Object.keys(value)) {
    if (fields.includes(key)) continue;
    const near = closestName(key, fields);
    const hint = near
      ? `did you mean \`${near}\`?`
      : `the fields are ${fields.map((f) => `\`${f}\``).join(", ")}`;
    problems.add(`\`${prefix === "" ? key : `${prefix}.${key}`}\` is not ${what}: ${hint}`);
  }
}
