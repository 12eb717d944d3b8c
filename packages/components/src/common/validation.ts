import * as pulumi from "@pulumi/pulumi";

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

/** JSON-ish rendering of a value for an error message. */
export function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}
