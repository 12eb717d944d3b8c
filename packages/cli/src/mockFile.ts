// `drkit check --mock FILE`: answers for data sources drkit cannot give offline, checked before the program
// runs so that a mistake in the file is exit 2 naming the file, the key path and the fix.
import type { DataSourceMocks } from "./harness/dataSources";
import { keyPath, shown } from "./harness/messages";
import { parseJsonFile, readTextFile, UsageError } from "./project";

/** `<package>:<module>:<function>`, as a provider SDK passes it to `pulumi.runtime.invoke`. */
const INVOKE_TOKEN = /^[A-Za-z][\w-]*:[^:\s]*:[^:\s]+$/;
const EXAMPLE = `{ "aws:ec2/getAmi:getAmi": { "id": "ami-0123456789abcdef0" } }`;
const MATCHER = `{ "inputs": { … }, "outputs": { … } }`;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every problem with one token's answer, as `path: problem` lines. */
function answerProblems(token: string, answer: unknown): string[] {
  if (isRecord(answer)) return [];
  if (!Array.isArray(answer)) {
    return [
      `\`${keyPath([token])}\` must be the data source's outputs (an object) or a list of ${MATCHER} (got ${shown(answer)})`,
    ];
  }
  if (answer.length === 0) return [`\`${keyPath([token])}\` is an empty list: give at least one ${MATCHER}`];
  return answer.flatMap((matcher: unknown, index) => {
    const at = (...rest: string[]) => `\`${keyPath([token, index, ...rest])}\``;
    if (!isRecord(matcher)) return [`${at()} must be ${MATCHER} (got ${shown(matcher)})`];
    const problems = Object.keys(matcher)
      .filter((key) => key !== "inputs" && key !== "outputs")
      .map((key) => `${at(key)} is not a matcher field: give only "inputs" and "outputs"`);
    if (matcher.inputs !== undefined && !isRecord(matcher.inputs))
      problems.push(`${at("inputs")} must be an object, the inputs to match (got ${shown(matcher.inputs)})`);
    if (!isRecord(matcher.outputs))
      problems.push(
        `${at("outputs")} must be an object, the data source's outputs (got ${shown(matcher.outputs)})`,
      );
    return problems;
  });
}

/**
 * Reads a `--mock` file: one JSON object, invoke token to the data source's outputs, or to a list of
 * `{ "inputs", "outputs" }` matchers tried in order. Refuses, naming the file and every problem at once.
 */
export function readMockFile(file: string | undefined): DataSourceMocks | undefined {
  if (file === undefined) return undefined;
  const text = readTextFile(file, "the --mock file ");
  if (text.trim() === "") throw new UsageError(`--mock ${file} is empty: write e.g. ${EXAMPLE}`);
  const value = parseJsonFile(file, text.replace(/^\uFEFF/, ""));
  if (!isRecord(value)) {
    throw new UsageError(
      `--mock ${file} must hold one JSON object, invoke token to answer (got ${shown(value)}): e.g. ${EXAMPLE}`,
    );
  }
  const problems = Object.entries(value).flatMap(([token, answer]) =>
    INVOKE_TOKEN.test(token)
      ? answerProblems(token, answer)
      : [
          `${shown(token)} is not an invoke token: write "<package>:<module>:<function>" as the error named it, e.g. "aws:ec2/getAmi:getAmi"`,
        ],
  );
  if (problems.length > 0) throw new UsageError(problems.map((p) => `--mock ${file}: ${p}`).join("\n"));
  return value as DataSourceMocks;
}
