// Where a CI system should point at a violation. A policy violation names a resource (its URN), not a line of
// source: the engine does not record where a resource was declared. So every result is placed on the file
// that chose this stack's settings, Pulumi.<stack>.yaml (Pulumi.yaml when the stack has none), at its first
// line; the URN travels beside it (SARIF logicalLocations, the annotation's title).
import * as fs from "fs";
import * as path from "path";
import type { CheckResult } from "../check";
import { gitToplevel, relativePath } from "../manifest";

export interface ResultFile {
  /** the file's path relative to the repository root (the git checkout's top folder, else the program's) */
  readonly uri: string;
  /** characters on the file's first line: the region every result spans */
  readonly firstLineLength: number;
}

/** The file CI annotations and SARIF results of `result` point at. */
export function resultFile(result: CheckResult): ResultFile {
  const file = result.stackConfig.file ?? path.join(result.project.dir, "Pulumi.yaml");
  const real = fs.realpathSync(file);
  const root = gitToplevel(path.dirname(real)) ?? fs.realpathSync(result.project.dir);
  const firstLine = fs.readFileSync(real, "utf8").split(/\r?\n/, 1)[0] ?? "";
  return { uri: relativePath(root, real), firstLineLength: firstLine.length };
}

/** "aws:s3/bucket:Bucket orders-data", or the URN when the resource is not in the run (the stack itself). */
export function resourceTitle(result: CheckResult, urn: string): string {
  const resource = result.run.byUrn(urn);
  return resource ? `${resource.type} ${resource.name}` : urn;
}

/**
 * The detail of a violation: its message without the policy's description, which the pack puts on the
 * first line (`description + "\n" + detail`) and which a rule or a title already shows.
 */
export function violationDetail(violation: {
  readonly description: string;
  readonly message: string;
}): string {
  const prefix = `${violation.description}\n`;
  return violation.description !== "" && violation.message.startsWith(prefix)
    ? violation.message.slice(prefix.length)
    : violation.message;
}
