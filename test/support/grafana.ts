// Validates Grafana dashboard JSON against Grafana's own schemas, vendored in test/vendor/schemas: the
// dashboard model, and each panel's options and field config against its panel plugin's schema (stat,
// table, timeseries). The schemas are the JSON Schema that grafana-foundation-sdk generates from Grafana's
// CUE kinds (see test/vendor/schemas/README.md).
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";

const dir = path.resolve(__dirname, "../vendor/schemas");
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const read = (name: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, `grafana-${name}.jsonschema.json`), "utf8")) as {
    definitions: Record<string, object>;
  };

const compiled = new Map<string, ValidateFunction>();
function validator(name: string, definition?: string): ValidateFunction | undefined {
  const key = `${name}#${definition ?? ""}`;
  if (!compiled.has(key)) {
    const schema = read(name);
    if (definition !== undefined && schema.definitions[definition] === undefined) return undefined;
    compiled.set(
      key,
      ajv.compile(definition === undefined ? schema : { ...schema, $ref: `#/definitions/${definition}` }),
    );
  }
  return compiled.get(key);
}

const PANEL_PLUGINS = ["stat", "table", "timeseries"];
const problemsOf = (validate: ValidateFunction, value: unknown, at: string) =>
  validate(value)
    ? []
    : (validate.errors ?? []).map((e) => `${at}${e.instancePath || ""} ${e.message ?? "is invalid"}`);

/** Every problem Grafana's schemas find in `dashboard`; empty when valid. */
export function grafanaDashboardProblems(dashboard: unknown): string[] {
  const problems = problemsOf(validator("dashboard") as ValidateFunction, dashboard, "/");
  const panels =
    (
      dashboard as {
        panels?: { type?: string; options?: unknown; fieldConfig?: { defaults?: { custom?: unknown } } }[];
      }
    ).panels ?? [];
  panels.forEach((panel, i) => {
    if (panel.type === "row") return;
    if (!PANEL_PLUGINS.includes(panel.type ?? ""))
      return problems.push(
        `/panels/${i} is a ${String(panel.type)} panel, which these tests have no schema for`,
      );
    problems.push(
      ...problemsOf(
        validator(panel.type as string, "Options") as ValidateFunction,
        panel.options,
        `/panels/${i}/options`,
      ),
    );
    const custom = validator(panel.type as string, "FieldConfig");
    if (custom && panel.fieldConfig?.defaults?.custom !== undefined)
      problems.push(
        ...problemsOf(custom, panel.fieldConfig.defaults.custom, `/panels/${i}/fieldConfig/defaults/custom`),
      );
  });
  return problems;
}
