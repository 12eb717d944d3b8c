// Checks a schema inferred by Pulumi's analyzer against the TypeScript sources it was inferred from, read
// here independently with the TypeScript compiler API: every argument, output and nested field the
// sources declare must be in the schema, required exactly where the sources require it, and every type
// reference must resolve. The analyzer refuses most shapes it cannot follow, but it drops some in
// silence (accessors, for one) and turns provider objects into references no SDK generator can resolve;
// this is what catches those.
import * as path from "path";
import * as ts from "typescript";

/** The parts of a Pulumi package schema the checks read. */
export interface PackageSchema {
  readonly name: string;
  readonly resources: Record<string, ResourceSchema>;
  readonly types: Record<string, TypeSchema>;
  readonly dependencies?: readonly { readonly name: string; readonly version: string }[];
}
export interface ResourceSchema {
  readonly isComponent?: boolean;
  readonly inputProperties: Record<string, PropertySchema>;
  readonly requiredInputs: readonly string[];
  readonly properties: Record<string, PropertySchema>;
  readonly required: readonly string[];
}
export interface TypeSchema {
  readonly type: string;
  readonly properties?: Record<string, PropertySchema>;
  readonly required?: readonly string[];
  readonly enum?: readonly { readonly name: string; readonly value: string | number }[];
}
export interface PropertySchema {
  readonly type?: string;
  readonly $ref?: string;
  readonly plain?: boolean;
  readonly secret?: boolean;
  readonly items?: PropertySchema;
  readonly additionalProperties?: PropertySchema;
}

/** A field as the TypeScript sources declare it. */
export interface SourceField {
  readonly optional: boolean;
  /** tagged `@secret` in its doc comment: it holds a credential */
  readonly secret: boolean;
}
export type SourceFields = Record<string, SourceField>;

/** What the sources declare: each component's args and outputs, each interface's fields, each enum's values. */
export interface SourceShapes {
  readonly components: Record<string, { readonly inputs: SourceFields; readonly outputs: SourceFields }>;
  readonly interfaces: Record<string, SourceFields>;
  readonly enums: Record<string, readonly (string | number)[]>;
}

function fieldOf(symbol: ts.Symbol): SourceField {
  const secret = (symbol.declarations ?? []).some((d) =>
    ts.getJSDocTags(d).some((tag) => tag.tagName.text === "secret"),
  );
  return { optional: (symbol.flags & ts.SymbolFlags.Optional) !== 0, secret };
}

function fieldsOf(symbols: readonly ts.Symbol[]): SourceFields {
  return Object.fromEntries(symbols.map((s) => [s.getName(), fieldOf(s)]));
}

/** A class's own public instance fields: what a component exposes (inherited Resource members aside). */
function ownFields(checker: ts.TypeChecker, node: ts.ClassDeclaration): SourceFields {
  const fields: ts.Symbol[] = [];
  for (const member of node.members) {
    if (!(ts.isPropertyDeclaration(member) || ts.isGetAccessorDeclaration(member)) || !member.name) continue;
    const modifiers = ts.getCombinedModifierFlags(member);
    if (modifiers & (ts.ModifierFlags.Static | ts.ModifierFlags.Private | ts.ModifierFlags.Protected))
      continue;
    const symbol = checker.getSymbolAtLocation(member.name);
    if (symbol) fields.push(symbol);
  }
  return fieldsOf(fields);
}

/**
 * Reads the sources of the program `tsconfigPath` describes (a plugin's tsconfig.json): every class whose
 * name is in `componentNames`, and every interface and `as const` enum declared outside node_modules.
 */
export function sourceShapes(tsconfigPath: string, componentNames: readonly string[]): SourceShapes {
  const config = ts.readConfigFile(tsconfigPath, (file) => ts.sys.readFile(file));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, path.dirname(tsconfigPath));
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const checker = program.getTypeChecker();
  const shapes: SourceShapes = { components: {}, interfaces: {}, enums: {} };
  const sources = program
    .getSourceFiles()
    .filter((f) => !f.isDeclarationFile && !f.fileName.includes("/node_modules/"));
  for (const file of sources) {
    for (const node of file.statements) {
      if (ts.isClassDeclaration(node) && node.name && componentNames.includes(node.name.text)) {
        const args = node.members
          .filter(ts.isConstructorDeclaration)
          .flatMap((c) => c.parameters)
          .find((p) => ts.isIdentifier(p.name) && p.name.text === "args");
        const inputs = args?.type ? fieldsOf(checker.getTypeFromTypeNode(args.type).getProperties()) : {};
        shapes.components[node.name.text] = { inputs, outputs: ownFields(checker, node) };
      } else if (ts.isInterfaceDeclaration(node)) {
        const symbol = checker.getSymbolAtLocation(node.name);
        if (symbol)
          shapes.interfaces[node.name.text] = fieldsOf(
            checker.getDeclaredTypeOfSymbol(symbol).getProperties(),
          );
      } else if (ts.isVariableStatement(node)) {
        for (const declaration of node.declarationList.declarations) {
          const init = declaration.initializer;
          if (!ts.isIdentifier(declaration.name) || !init || !ts.isAsExpression(init)) continue;
          if (!ts.isObjectLiteralExpression(init.expression)) continue;
          shapes.enums[declaration.name.text] = init.expression.properties.flatMap((p) =>
            ts.isPropertyAssignment(p) &&
            (ts.isStringLiteral(p.initializer) || ts.isNumericLiteral(p.initializer))
              ? [ts.isStringLiteral(p.initializer) ? p.initializer.text : Number(p.initializer.text)]
              : [],
          );
        }
      }
    }
  }
  return shapes;
}

const sorted = (names: Iterable<string>) => [...names].sort();

/** Differences between the fields the sources declare and the properties the schema has, at `where`. */
function fieldProblems(
  where: string,
  source: SourceFields,
  properties: Record<string, PropertySchema>,
  required: readonly string[],
): string[] {
  const problems: string[] = [];
  for (const [name, field] of Object.entries(source).sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!(name in properties)) {
      problems.push(`${where}: \`${name}\` is in the TypeScript sources but not in the schema (dropped)`);
      continue;
    }
    const isRequired = required.includes(name);
    if (isRequired === field.optional)
      problems.push(
        `${where}: \`${name}\` is ${field.optional ? "optional" : "required"} in the sources but ${isRequired ? "required" : "optional"} in the schema`,
      );
  }
  for (const name of sorted(Object.keys(properties)))
    if (!(name in source)) problems.push(`${where}: \`${name}\` is in the schema but not in the sources`);
  return problems;
}

/** Every `$ref` in a schema value, with the path it was found at. */
function refsIn(value: unknown, at: string, found: [string, string][] = []): [string, string][] {
  if (Array.isArray(value)) value.forEach((v, i) => refsIn(v, `${at}[${i}]`, found));
  else if (typeof value === "object" && value !== null)
    for (const [key, v] of Object.entries(value)) {
      if (key === "$ref" && typeof v === "string") found.push([at, v]);
      else refsIn(v, at === "" ? key : `${at}.${key}`, found);
    }
  return found;
}

/** Whether a reference resolves: to a type of this schema, or to a resource of a declared dependency. */
function refProblem(schema: PackageSchema, ref: string): string | undefined {
  const local = /^#\/types\/(.+)$/.exec(ref)?.[1];
  if (local !== undefined)
    return local in schema.types ? undefined : `refers to ${ref}, which the schema does not define`;
  const external = /^\/([^/]+)\/v([^/]+)\/schema\.json#\/resources\/(.+)$/.exec(ref);
  if (external) {
    const [, pkg, version, encoded = ""] = external;
    const token = decodeURIComponent(encoded);
    if (token.split(":").length !== 3)
      return `refers to ${ref}: \`${token}\` is no resource type (a provider object?), so no SDK can be generated`;
    const declared = (schema.dependencies ?? []).some((d) => d.name === pkg && d.version === version);
    return declared ? undefined : `refers to ${ref}, whose package is not among the schema's dependencies`;
  }
  return `refers to ${ref}: untyped, so other languages get no type to pass`;
}

/**
 * Every disagreement between `schema` and the `shapes` of its sources, for the served `components`: a
 * component missing or under another token, an argument, output or field dropped or required where the
 * sources make it optional (or the reverse), an enum whose values differ, an unresolvable reference, and
 * a secret input typed plain (a consumer could not pass it as a secret). Empty when they agree.
 */
export function schemaProblems(
  schema: PackageSchema,
  shapes: SourceShapes,
  components: readonly { readonly name: string; readonly __pulumiType?: string }[],
): string[] {
  const problems: string[] = [];
  const served = new Set<string>();
  for (const component of components) {
    const token = `${schema.name}:index:${component.name}`;
    served.add(token);
    if (component.__pulumiType !== token)
      problems.push(
        `${component.name} registers as ${String(component.__pulumiType)}, but the plugin serves it as ${token}: the engine would not match the two`,
      );
    const resource = schema.resources[token];
    const source = shapes.components[component.name];
    if (!resource || !source) {
      problems.push(`${token}: ${resource ? "no class in the sources" : "not in the schema"}`);
      continue;
    }
    problems.push(
      ...fieldProblems(`${token} input`, source.inputs, resource.inputProperties, resource.requiredInputs),
      ...fieldProblems(`${token} output`, source.outputs, resource.properties, resource.required),
    );
    for (const [name, field] of Object.entries(source.inputs))
      if (field.secret && resource.inputProperties[name]?.plain)
        problems.push(`${token} input: \`${name}\` holds a secret but is plain: it must be an Input`);
  }
  for (const token of sorted(Object.keys(schema.resources)))
    if (!served.has(token)) problems.push(`${token}: in the schema, but the plugin does not serve it`);
  for (const [token, type] of Object.entries(schema.types)) {
    const name = token.slice(token.lastIndexOf(":") + 1);
    if (type.enum) {
      const values = type.enum.map((member) => member.value);
      const source = shapes.enums[name];
      if (!source) problems.push(`${token}: an enum the sources do not declare`);
      else if (JSON.stringify(sorted(values.map(String))) !== JSON.stringify(sorted(source.map(String))))
        problems.push(`${token}: values ${JSON.stringify(values)}, the sources ${JSON.stringify(source)}`);
      continue;
    }
    const source = shapes.interfaces[name];
    if (!source) {
      problems.push(`${token}: a type the sources do not declare`);
      continue;
    }
    problems.push(...fieldProblems(token, source, type.properties ?? {}, type.required ?? []));
    for (const [field, declared] of Object.entries(source))
      if (declared.secret && type.properties?.[field]?.plain)
        problems.push(`${token}: \`${field}\` holds a secret but is plain: it must be an Input`);
  }
  for (const [at, ref] of refsIn({ resources: schema.resources, types: schema.types }, "")) {
    const problem = refProblem(schema, ref);
    if (problem) problems.push(`${at} ${problem}`);
  }
  return problems;
}

/** The `@secret` fields of the sources' served components and types, as `<Component|Type>.<field>`. */
export function secretFields(shapes: SourceShapes, schema: PackageSchema): string[] {
  const names: string[] = [];
  for (const [component, { inputs, outputs }] of Object.entries(shapes.components))
    for (const [field, declared] of [...Object.entries(inputs), ...Object.entries(outputs)])
      if (declared.secret) names.push(`${component}.${field}`);
  for (const token of Object.keys(schema.types)) {
    const name = token.slice(token.lastIndexOf(":") + 1);
    for (const [field, declared] of Object.entries(shapes.interfaces[name] ?? {}))
      if (declared.secret) names.push(`${name}.${field}`);
  }
  return sorted(names);
}
