// Real validators for drkit check's CI formats: the OASIS SARIF 2.1.0 schema (Ajv, draft-04), GitHub code
// scanning's documented requirements on top of it, the Jenkins xUnit JUnit schema (libxml2, compiled to
// WebAssembly), and mermaid's own parser.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import Ajv from "ajv-draft-04";
import addFormats from "ajv-formats";
import { validateXML } from "xmllint-wasm";

const schemas = path.resolve(__dirname, "../../../../test/vendor/schemas");

let sarifValidator: ReturnType<Ajv["compile"]> | undefined;

/** The schema's complaints about `log` (none: valid SARIF 2.1.0). */
export function sarifSchemaErrors(log: unknown): string[] {
  if (!sarifValidator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const schema = JSON.parse(fs.readFileSync(path.join(schemas, "sarif-schema-2.1.0.json"), "utf8"));
    sarifValidator = ajv.compile(schema);
  }
  return sarifValidator(log)
    ? []
    : (sarifValidator.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? e.keyword}`);
}

// The limits and required fields of GitHub's "SARIF support for code scanning" page.
const GITHUB_LEVELS = ["note", "warning", "error"];
const MAX_LOCATIONS = 10;
const MAX_RESULTS_PER_RUN = 25_000;
const MAX_RULES_PER_RUN = 25_000;
const MAX_RUNS = 20;
const MAX_GZIPPED_BYTES = 10 * 1024 * 1024;

interface Json {
  readonly [key: string]: unknown;
}
const object = (v: unknown): Json =>
  typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string | undefined => {
  const t = object(v).text;
  return typeof t === "string" ? t : undefined;
};
const characters = (s: string) => Array.from(s).length;

/**
 * What GitHub code scanning would refuse or mis-show in `log`, beyond the schema: required fields (and no
 * empty string for them), value ranges, the limits, and locations that are files of `repositoryRoot`,
 * relative to it. `gzippedBytes` is the log's size once compressed, as it is uploaded.
 */
export function githubSarifProblems(log: unknown, repositoryRoot: string, gzippedBytes = 0): string[] {
  const problems: string[] = [];
  const top = object(log);
  if (typeof top.$schema !== "string" || top.$schema === "") problems.push("$schema: required");
  if (top.version !== "2.1.0") problems.push(`version: ${JSON.stringify(top.version)}, not 2.1.0`);
  const runs = list(top.runs);
  if (runs.length === 0) problems.push("runs: required, one or more");
  if (runs.length > MAX_RUNS) problems.push(`runs: ${runs.length} > ${MAX_RUNS}`);
  if (gzippedBytes > MAX_GZIPPED_BYTES) problems.push(`size: ${gzippedBytes} gzipped bytes > 10 MB`);
  const categories = new Set<string>();
  runs.forEach((runValue, r) => {
    const run = object(runValue);
    const at = `runs[${r}]`;
    const driver = object(object(run.tool).driver);
    if (typeof driver.name !== "string" || driver.name === "")
      problems.push(`${at}.tool.driver.name: required`);
    if (!Array.isArray(driver.rules)) problems.push(`${at}.tool.driver.rules: required`);
    const rules = list(driver.rules).map(object);
    if (rules.length > MAX_RULES_PER_RUN)
      problems.push(`${at}: ${rules.length} rules > ${MAX_RULES_PER_RUN}`);
    rules.forEach((rule, i) => {
      const where = `${at}.tool.driver.rules[${i}] (${String(rule.id)})`;
      if (typeof rule.id !== "string" || rule.id === "") problems.push(`${where}.id: required`);
      if (typeof rule.name === "string" && characters(rule.name) > 255)
        problems.push(`${where}.name: > 255 characters`);
      for (const field of ["shortDescription", "fullDescription"]) {
        const t = text(rule[field]);
        if (t === undefined || t === "") problems.push(`${where}.${field}.text: required`);
        else if (characters(t) > 1024) problems.push(`${where}.${field}.text: > 1024 characters`);
      }
      const help = text(rule.help);
      if (help === undefined || help === "") problems.push(`${where}.help.text: required`);
      const level = object(rule.defaultConfiguration).level;
      if (level !== undefined && !GITHUB_LEVELS.includes(level as string))
        problems.push(`${where}.defaultConfiguration.level: ${JSON.stringify(level)}`);
      const properties = object(rule.properties);
      const severity = properties["security-severity"];
      if (severity !== undefined) {
        const score = typeof severity === "string" && /^\d+(\.\d+)?$/.test(severity) ? Number(severity) : NaN;
        if (!(score > 0 && score <= 10))
          problems.push(
            `${where}: security-severity ${JSON.stringify(severity)} is not a score in (0.0, 10.0]`,
          );
      }
      if (
        properties.tags !== undefined &&
        !list(properties.tags).every((t) => typeof t === "string" && t !== "")
      )
        problems.push(`${where}.properties.tags: strings only`);
    });
    const ids = rules.map((rule) => rule.id);
    if (new Set(ids).size !== ids.length) problems.push(`${at}: rule ids repeat`);
    const category = String(object(run.automationDetails).id ?? "");
    if (categories.has(category))
      problems.push(`${at}: a second run in category ${JSON.stringify(category)}`);
    categories.add(category);
    if (!Array.isArray(run.results)) problems.push(`${at}.results: required`);
    const results = list(run.results).map(object);
    if (results.length > MAX_RESULTS_PER_RUN)
      problems.push(`${at}: ${results.length} results > ${MAX_RESULTS_PER_RUN}`);
    const fingerprints = new Set<string>();
    results.forEach((result, i) => {
      const where = `${at}.results[${i}]`;
      if (typeof result.ruleId === "string" && !ids.includes(result.ruleId))
        problems.push(`${where}.ruleId: no such rule`);
      if (typeof result.ruleIndex === "number" && ids[result.ruleIndex] !== result.ruleId)
        problems.push(`${where}.ruleIndex: not the index of ${String(result.ruleId)}`);
      if (result.level !== undefined && !GITHUB_LEVELS.includes(result.level as string))
        problems.push(`${where}.level: ${JSON.stringify(result.level)}`);
      const message = text(result.message);
      if (message === undefined || message === "") problems.push(`${where}.message.text: required`);
      const locations = list(result.locations).map(object);
      if (locations.length === 0 || locations.length > MAX_LOCATIONS)
        problems.push(`${where}.locations: ${locations.length}, not 1 to ${MAX_LOCATIONS}`);
      locations.forEach((location, l) => {
        const physical = object(location.physicalLocation);
        const uri = object(physical.artifactLocation).uri;
        const region = object(physical.region);
        const lat = `${where}.locations[${l}].physicalLocation`;
        if (typeof uri !== "string" || uri === "") problems.push(`${lat}.artifactLocation.uri: required`);
        else if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith("/") || uri.split("/").includes(".."))
          problems.push(`${lat}.artifactLocation.uri: ${uri} is not relative to the repository root`);
        else if (!fs.existsSync(path.join(repositoryRoot, ...uri.split("/"))))
          problems.push(`${lat}.artifactLocation.uri: ${uri} is not a file of the repository`);
        for (const field of ["startLine", "startColumn", "endLine", "endColumn"]) {
          const n = region[field];
          if (typeof n !== "number" || !Number.isInteger(n) || n < 1)
            problems.push(`${lat}.region.${field}: required, a positive integer`);
        }
        if (
          typeof region.endLine === "number" &&
          typeof region.startLine === "number" &&
          region.endLine < region.startLine
        )
          problems.push(`${lat}.region: ends before it starts`);
      });
      const hash = object(result.partialFingerprints).primaryLocationLineHash;
      if (typeof hash !== "string" || hash === "")
        problems.push(`${where}.partialFingerprints.primaryLocationLineHash: required`);
      else {
        // GitHub's alert identity: repository, file, rule and this hash. Two results sharing it are one alert.
        const firstUri = object(object(object(locations[0]).physicalLocation).artifactLocation).uri;
        const identity = `${String(result.ruleId)} ${String(firstUri)} ${hash}`;
        if (fingerprints.has(identity))
          problems.push(`${where}: the same alert identity as an earlier result (${identity})`);
        fingerprints.add(identity);
      }
    });
  });
  return problems;
}

/** libxml2's complaints about `xml` against the Jenkins xUnit plugin's JUnit schema (none: valid). */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: { fileName: "drkit-junit.xml", contents: xml },
    schema: {
      fileName: "junit-10.xsd",
      contents: fs.readFileSync(path.join(schemas, "junit-10.xsd"), "utf8"),
    },
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

export interface ParsedMermaid {
  readonly error?: string;
  readonly type?: string;
  readonly vertices?: { id: string; text: string }[];
  readonly edges?: { start: string; end: string; text: string }[];
  readonly subgraphs?: { id: string; title: string; nodes: string[] }[];
}

/** `diagram` as mermaid parses it (mermaidParse.mjs, in a process of its own). */
export function parseMermaid(diagram: string): ParsedMermaid {
  const run = spawnSync(process.execPath, [path.join(__dirname, "mermaidParse.mjs")], {
    input: diagram,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`mermaidParse.mjs exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as ParsedMermaid;
}

/** The Mermaid blocks of a Markdown document. */
export function mermaidBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^(`{3,})mermaid\n([\s\S]*?)\n\1$/gm)].map((m) => m[2] ?? "");
}
