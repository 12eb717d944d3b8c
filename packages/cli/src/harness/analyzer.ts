import { closestName } from "@drkit/posture";
// Runs a real CrossGuard policy pack against a captured program run the way the Pulumi engine does:
// the pack serves the Analyzer gRPC service (its own `new PolicyPack(...)` starts the server), and this
// module is the engine's side of the conversation over a real loopback connection — GetPluginInfo,
// GetAnalyzerInfo, Configure (config reconciled and schema-validated, as the CLI does), ConfigureStack,
// then per resource Remediate and Analyze with its inputs (remediated, when a policy set to `remediate`
// changed them), then AnalyzeStack with every resource's outputs (with the remediated inputs the engine
// would deploy), parent, dependencies and property dependencies.
//
// Nothing here knows what a policy checks: verdicts come only from the pack's own handlers.
// The engine side is written after pulumi/pulumi's Go code (pkg/resource/analyzer/config.go,
// pkg/resource/deploy/step_generator.go, sdk/go/common/resource/plugin/analyzer_plugin.go).
import * as path from "path";
import { isDeepStrictEqual } from "util";
import Ajv from "ajv";
import type * as analyzerPb from "@pulumi/pulumi/proto/analyzer_pb";
import type * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import type * as grpcTypes from "@grpc/grpc-js";
import { withLookups, type CapturedResource, type ProgramRun } from "./program";
import { isSecret, marshalForAnalyzer, PropertyMap, PropertyValue, SPECIAL_SIG_KEY } from "./wire";
import { clipped, keyPath, shown } from "./messages";
import { describeSchemaError } from "./schemaErrors";

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";

// pulumirpc.EnforcementLevel: ADVISORY=0, MANDATORY=1, DISABLED=2, REMEDIATE=3 (not the TS union order).
const LEVELS: readonly EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES: readonly (Severity | undefined)[] = [undefined, "low", "medium", "high", "critical"];

export interface PolicyDescription {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly type: "resource" | "stack";
  readonly configSchema?: {
    readonly properties: Record<string, unknown>;
    readonly required: readonly string[];
  };
  // The metadata @pulumi/policy sends when a policy declares it; absent when it does not (the protocol's
  // empty value), so that a report never shows metadata the pack did not give.
  readonly displayName?: string;
  readonly severity?: Severity;
  readonly url?: string;
  readonly remediationSteps?: string;
  readonly tags?: readonly string[];
  readonly framework?: PolicyFramework;
}

/** The compliance framework a policy declares (`PolicyComplianceFramework`); empty fields are left out. */
export interface PolicyFramework {
  readonly name?: string;
  readonly version?: string;
  readonly reference?: string;
  readonly specification?: string;
}

/** One policy's reconciled config, as sent in `Configure`. */
export interface PolicyConfig {
  enforcementLevel: EnforcementLevel;
  properties?: Record<string, unknown>;
}
export type ReconciledConfig = Record<string, PolicyConfig>;

/** The `--policy-pack-config` file format: `{ "all": level, "<policy>": level | { enforcementLevel?, ...props } }`. */
export type PolicyPackConfigFile = Record<string, EnforcementLevel | Record<string, unknown>>;

export interface LoadedPolicyPack {
  readonly name: string;
  readonly version: string;
  /** "" when the pack gives none (likewise the other strings of `PolicyPackArgs` below) */
  readonly displayName: string;
  /** the pack's own description; "" when it leaves that to PulumiPolicy.yaml */
  readonly description: string;
  readonly readme: string;
  /** the cloud or platform the pack is for */
  readonly provider: string;
  /** where the pack's source is published */
  readonly repository: string;
  readonly tags: readonly string[];
  readonly policies: readonly PolicyDescription[];
  readonly initialConfig: ReconciledConfig;
  /** the loopback address the pack's Analyzer server listens on */
  readonly address: string;
  /** Shuts the pack's server and the client down. */
  close(): Promise<void>;
  /** @internal the gRPC client speaking to the pack */
  readonly client: analyzerGrpc.AnalyzerClient;
}

export interface Violation {
  readonly phase: "resource" | "stack";
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly policyName: string;
  readonly description: string;
  /** the pack's message: `description + "\n" + detail` */
  readonly message: string;
  readonly enforcementLevel: EnforcementLevel;
  readonly urn: string;
  readonly severity?: Severity;
}

/** Shown instead of a secret value in a `PropertyChange`, so that reports and evidence never hold it. */
export const REDACTED_SECRET = "[secret]";

/** One value a remediation changed: a leaf, or a whole list when its length changed. */
export interface PropertyChange {
  /** keys and list indices, e.g. `["rules", 0, "destination", "replicationTime"]` */
  readonly path: readonly (string | number)[];
  /** absent: the property was not set. In the analyzer's wire form, a secret as `REDACTED_SECRET`. */
  readonly before?: PropertyValue;
  /** absent: the remediation removed the property */
  readonly after?: PropertyValue;
}

/** A remediation the pack made to a resource's inputs before analysis: what `pulumi up` would deploy. */
export interface Remediation {
  readonly urn: string;
  readonly policyPackName: string;
  readonly policyPackVersion: string;
  readonly policyName: string;
  readonly description: string;
  /** exactly what changed: a remediation returns the whole property map, this is its difference */
  readonly changes: readonly PropertyChange[];
}

export interface PolicyReport {
  readonly violations: Violation[];
  readonly notApplicable: { urn: string; policyName: string; reason: string }[];
  /** in registration order; one per policy that changed a resource (a resource may have several) */
  readonly remediations: Remediation[];
  readonly config: ReconciledConfig;
  /** policy names in the config file that the pack does not have: the engine ignores them silently */
  readonly ignoredPolicyNames: string[];
  /** what the CLI would do: one mandatory violation is enough to fail `pulumi preview` and `pulumi up` */
  readonly failed: boolean;
}

/** Characters of one problem a message keeps: enough for any sentence, never a pasted megabyte. */
const PROBLEM_CHARACTERS = 1_000;

/**
 * A policy config that the engine would refuse (unknown level, or a value its policy's schema rejects), or
 * that drkit check refuses besides (see `ReconcileOptions.strict`). `source` names the file it came from.
 */
export class PolicyConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], source?: string) {
    const lines = problems.map((p) => clipped(p, PROBLEM_CHARACTERS));
    super(
      `${source === undefined ? "" : `${source}: `}policy pack configuration is invalid:\n${lines.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "PolicyConfigError";
    this.problems = lines;
  }
}

// --- module instances: the same ones @pulumi/policy and @pulumi/pulumi resolve (matters under pnpm and jest)
function requireFrom<T>(pkgJson: string, module: string): T {
  const dir = path.dirname(require.resolve(pkgJson));
  // A dynamic require is the point: we need the instance another package resolved, not our own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(module, { paths: [dir] })) as T;
}
type StructModule = typeof import("google-protobuf/google/protobuf/struct_pb");
type EmptyModule = typeof import("google-protobuf/google/protobuf/empty_pb");
let loadedModules: ReturnType<typeof loadModules> | undefined;
/** Resolved once: resolving per call (per Struct conversion) made module lookup the hot spot of a check. */
function modules() {
  return (loadedModules ??= loadModules());
}
function loadModules() {
  const policyPkg = "@pulumi/policy/package.json";
  const pulumiPkg = "@pulumi/pulumi/package.json";
  return {
    serverGrpc: requireFrom<typeof grpcTypes>(policyPkg, "@grpc/grpc-js"),
    clientGrpc: requireFrom<typeof grpcTypes>(pulumiPkg, "@grpc/grpc-js"),
    pb: requireFrom<typeof analyzerPb>(pulumiPkg, "@pulumi/pulumi/proto/analyzer_pb"),
    grpcPb: requireFrom<typeof analyzerGrpc>(pulumiPkg, "@pulumi/pulumi/proto/analyzer_grpc_pb"),
    struct: requireFrom<StructModule>(pulumiPkg, "google-protobuf/google/protobuf/struct_pb"),
    empty: requireFrom<EmptyModule>(pulumiPkg, "google-protobuf/google/protobuf/empty_pb"),
  };
}

/**
 * Loads a policy pack by running `load` (for example `() => require("/path/to/pack")`), which must
 * construct exactly one `PolicyPack`. The pack's own server binds to a loopback port as under the CLI;
 * its port announcement on stdout is kept off the terminal. `packDir` is the pack's folder: PolicyPack
 * reads its version from `package.json` in the working directory, as the CLI runs it there.
 */
export async function loadPolicyPack(load: () => unknown, packDir: string): Promise<LoadedPolicyPack> {
  const m = modules();
  const serverProto = m.serverGrpc.Server.prototype;
  const originalBind = serverProto.bindAsync;
  let servers: grpcTypes.Server[] = [];
  const bound = new Promise<number>((resolve, reject) => {
    serverProto.bindAsync = function (this: grpcTypes.Server, port, credentials, _announce) {
      servers.push(this);
      // Bind for real on loopback; report the port to us instead of printing it.
      originalBind.call(this, "127.0.0.1:0", credentials, (err, actualPort) =>
        err ? reject(err) : resolve(actualPort),
      );
    };
  });
  const savedCwd = process.cwd();
  try {
    process.chdir(packDir);
    load();
  } finally {
    process.chdir(savedCwd);
    serverProto.bindAsync = originalBind;
  }
  if (servers.length === 0) {
    throw new Error(
      `loading the policy pack in ${packDir} did not start an Analyzer server: does its index construct a PolicyPack?`,
    );
  }
  const port = await bound;
  const pack = await connectAnalyzer(`127.0.0.1:${port}`);
  return {
    ...pack,
    close: async () => {
      await pack.close();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))));
      servers = [];
    },
  };
}

/**
 * Connects to a policy pack's Analyzer server at `address` (in this process, or one started by Pulumi's
 * own `run-policy-pack`, as the CLI does) and reads its metadata with `GetAnalyzerInfo`.
 */
export async function connectAnalyzer(address: string): Promise<LoadedPolicyPack> {
  const m = modules();
  const client = new m.grpcPb.AnalyzerClient(address, m.clientGrpc.credentials.createInsecure());
  const info = await unary<analyzerPb.AnalyzerInfo>((cb) => client.getAnalyzerInfo(new m.empty.Empty(), cb));
  const initialConfig: ReconciledConfig = {};
  info.getInitialconfigMap().forEach((config, policyName) => {
    initialConfig[policyName] = {
      enforcementLevel: LEVELS[config.getEnforcementlevel()] ?? "advisory",
      properties: config.getProperties()?.toJavaScript(),
    };
  });
  const policies = info.getPoliciesList().map((p): PolicyDescription => {
    const schema = p.getConfigschema();
    return {
      name: p.getName(),
      description: p.getDescription(),
      enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
      type: p.getPolicyType() === m.pb.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
      configSchema: schema
        ? { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() }
        : undefined,
      ...policyMetadata(p),
    };
  });
  return {
    name: info.getName(),
    version: info.getVersion(),
    displayName: info.getDisplayname(),
    description: info.getDescription(),
    readme: info.getReadme(),
    provider: info.getProvider(),
    repository: info.getRepository(),
    tags: info.getTagsList(),
    policies,
    initialConfig,
    address,
    client,
    close: async () => client.close(),
  };
}

/** `fields` without the ones that are undefined. */
function definedFields<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The optional metadata of a `PolicyInfo`: only what the pack set (proto3 sends "" and 0 for unset). */
function policyMetadata(p: analyzerPb.PolicyInfo): Partial<PolicyDescription> {
  const text = (value: string) => (value === "" ? undefined : value);
  const given = p.getFramework();
  const framework =
    given &&
    definedFields({
      name: text(given.getName()),
      version: text(given.getVersion()),
      reference: text(given.getReference()),
      specification: text(given.getSpecification()),
    });
  return definedFields({
    displayName: text(p.getDisplayname()),
    severity: SEVERITIES[p.getSeverity()],
    url: text(p.getUrl()),
    remediationSteps: text(p.getRemediationSteps()),
    tags: p.getTagsList().length > 0 ? p.getTagsList() : undefined,
    framework: framework && Object.keys(framework).length > 0 ? framework : undefined,
  });
}

function unary<T>(call: (cb: (err: grpcTypes.ServiceError | null, resp: T) => void) => unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    call((err, resp) => (err ? reject(err) : resolve(resp)));
  });
}

// --- engine-side config reconciliation (ReconcilePolicyPackConfig)

const LEVEL_CHOICES = LEVELS.map((level) => shown(level)).join(", ");

/** `value`, given as a level, is not one: the levels, and the closest when it is a typo. */
function levelProblem(at: string, value: unknown): string {
  const close = typeof value === "string" ? closestName(value, LEVELS) : undefined;
  const fix = close === undefined ? "choose one of them" : `did you mean ${shown(close)}?`;
  return `${at} must be one of ${LEVEL_CHOICES} (got ${shown(value)}): ${fix}`;
}

const isLevel = (value: unknown): value is EnforcementLevel =>
  typeof value === "string" && (LEVELS as readonly string[]).includes(value);

/** The file's entries as the engine reads them (config.go parsePolicyPackConfig); problems are pushed. */
function normalizeConfigFile(
  file: PolicyPackConfigFile,
  problems: string[],
): Record<string, Partial<PolicyConfig>> {
  const out: Record<string, Partial<PolicyConfig>> = {};
  for (const [policy, value] of Object.entries(file)) {
    const name = keyPath([policy]);
    if (typeof value === "string") {
      if (!isLevel(value)) problems.push(levelProblem(`${name}: the level`, value));
      out[policy] = { enforcementLevel: value };
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      const { enforcementLevel, ...properties } = value;
      if (enforcementLevel !== undefined && !isLevel(enforcementLevel)) {
        problems.push(levelProblem(`${name}: \`enforcementLevel\``, enforcementLevel));
      }
      out[policy] = {
        enforcementLevel: enforcementLevel as EnforcementLevel | undefined,
        properties: Object.keys(properties).length > 0 ? properties : undefined,
      };
    } else {
      problems.push(
        `${name}: must be an enforcement level (${LEVEL_CHOICES}) or an object of settings (got ${shown(value)}): e.g. "mandatory", or { "enforcementLevel": "mandatory" }`,
      );
    }
  }
  return out;
}

/** Applies one layer of config. Returns the policy names it mentions that the pack does not have. */
function applyConfig(
  result: ReconciledConfig,
  given: Record<string, Partial<PolicyConfig>>,
  policyNames: Set<string>,
): string[] {
  const all = given["all"]?.enforcementLevel;
  if (all)
    for (const [name, current] of Object.entries(result))
      result[name] = { ...current, enforcementLevel: all };
  const unknown: string[] = [];
  for (const [policy, config] of Object.entries(given)) {
    if (policy === "all") continue;
    // The engine skips names the pack does not have (config.go applyConfig); so do we, but we say so.
    if (!policyNames.has(policy)) {
      unknown.push(policy);
      continue;
    }
    const current = result[policy] ?? { enforcementLevel: "advisory" };
    result[policy] = {
      enforcementLevel: config.enforcementLevel ?? current.enforcementLevel,
      properties: config.properties
        ? { ...(current.properties ?? {}), ...config.properties }
        : current.properties,
    };
  }
  return unknown;
}

/**
 * What the engine lets pass and drkit check refuses: a policy name the pack does not have (a typo would
 * silently drop, say, a `mandatory`), and settings under `all`, which only sets levels.
 */
function strictProblems(
  pack: LoadedPolicyPack,
  given: Record<string, Partial<PolicyConfig>>,
  unknownNames: readonly string[],
): string[] {
  const names = pack.policies.map((p) => p.name);
  const problems = unknownNames.map((unknown) => {
    const close = closestName(unknown, names);
    return close === undefined
      ? `${keyPath([unknown])}: ${pack.name} has no policy of that name (policies: ${names.join(", ")}): correct the name, or remove it`
      : `${keyPath([unknown])}: ${pack.name} has no policy of that name: did you mean \`${close}\`?`;
  });
  for (const setting of Object.keys(given["all"]?.properties ?? {})) {
    const owners = pack.policies.filter((p) => Object.hasOwn(p.configSchema?.properties ?? {}, setting));
    const fix = owners.length > 0 ? `put it under ${owners.map((p) => p.name).join(" or ")}` : "remove it";
    problems.push(
      `all: \`${keyPath([setting])}\` is not a setting of \`all\`, which sets only the level of every policy: ${fix}`,
    );
  }
  return problems;
}

/**
 * Each policy's reconciled settings against its `configSchema`, as the engine validates them
 * (config.go convertSchema: an object with the schema's properties and required). Strict, settings the
 * schema does not declare are refused too: the engine passes them, so a misspelt setting is dropped.
 */
function schemaProblems(pack: LoadedPolicyPack, result: ReconciledConfig, strict: boolean): string[] {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const problems: string[] = [];
  for (const policy of pack.policies) {
    if (!policy.configSchema && !strict) continue;
    const declared = policy.configSchema ?? { properties: {}, required: [] };
    const schema: Record<string, unknown> = { type: "object" };
    if (Object.keys(declared.properties).length > 0 || strict) schema.properties = declared.properties;
    if (declared.required.length > 0) schema.required = declared.required;
    if (strict) schema.additionalProperties = false;
    const validate = ajv.compile(schema);
    const settings = result[policy.name]?.properties ?? {};
    if (validate(settings)) continue;
    const messages = (validate.errors ?? []).map((e) => describeSchemaError(policy.name, e, settings));
    // One value can break several keywords (type and enum) that describe it the same way.
    problems.push(...new Set(messages));
  }
  return problems;
}

export interface ReconcileOptions {
  /**
   * Also refuse what the engine lets pass silently: policy names the pack does not have, settings a
   * policy's schema does not declare, and settings under `all`. `drkit check` is strict.
   * @default false - the engine's behaviour, for running a pack as `pulumi preview` does
   */
  readonly strict?: boolean;
}

/**
 * What the CLI sends in `Configure`: each policy's schema defaults and enforcement level, then the pack's
 * initial config, then the given file (`all` first), then each policy's properties validated against its
 * `configSchema`. A file the engine would refuse (or, `strict`, drkit check) throws `PolicyConfigError`
 * naming every problem.
 */
export function reconcilePolicyConfig(
  pack: LoadedPolicyPack,
  file: PolicyPackConfigFile = {},
  options: ReconcileOptions = {},
): { config: ReconciledConfig; ignoredPolicyNames: string[] } {
  const result: ReconciledConfig = {};
  for (const policy of pack.policies) {
    let properties: Record<string, unknown> | undefined;
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
      if (typeof schema === "object" && schema !== null && "default" in schema) {
        (properties ??= {})[key] = (schema as { default: unknown }).default;
      }
    }
    result[policy.name] = { enforcementLevel: policy.enforcementLevel, properties };
  }
  const names = new Set(pack.policies.map((p) => p.name));
  const problems: string[] = [];
  const given = normalizeConfigFile(file, problems);
  applyConfig(result, pack.initialConfig, names);
  const ignoredPolicyNames = applyConfig(result, given, names);
  const strict = options.strict ?? false;
  if (strict) problems.push(...strictProblems(pack, given, ignoredPolicyNames));
  problems.push(...schemaProblems(pack, result, strict));
  if (problems.length > 0) throw new PolicyConfigError(problems);
  return { config: result, ignoredPolicyNames };
}

// --- requests, built as the engine builds them

function struct(value: PropertyValue) {
  return modules().struct.Struct.fromJavaScript(value as Record<string, never>);
}

function resourceOptions(
  resource: CapturedResource,
  forAnalyze: boolean,
): analyzerPb.AnalyzerResourceOptions {
  const { pb } = modules();
  const options = new pb.AnalyzerResourceOptions();
  options.setProtect(resource.protect);
  options.setIgnorechangesList(resource.ignoreChanges);
  if (resource.deleteBeforeReplace !== undefined) {
    options.setDeletebeforereplace(resource.deleteBeforeReplace);
    options.setDeletebeforereplacedefined(true);
  }
  options.setAdditionalsecretoutputsList(resource.additionalSecretOutputs);
  options.setAliasesList(resource.aliases);
  const timeouts = new pb.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(resource.customTimeouts.create);
  timeouts.setUpdate(resource.customTimeouts.update);
  timeouts.setDelete(resource.customTimeouts.delete);
  options.setCustomtimeouts(timeouts);
  // The engine sets Parent in the options for Analyze only; AnalyzeStack carries it on the resource.
  if (forAnalyze && resource.parent) options.setParent(resource.parent);
  return options;
}

function providerResource(
  run: ProgramRun,
  resource: CapturedResource,
): analyzerPb.AnalyzerProviderResource | undefined {
  const provider = run.providerOf(resource);
  if (!provider) return undefined;
  const message = new (modules().pb.AnalyzerProviderResource)();
  message.setType(provider.type);
  message.setUrn(provider.urn);
  message.setName(provider.name);
  // The engine sends a provider's inputs.
  message.setProperties(struct(marshalForAnalyzer(provider.inputs)));
  return message;
}

interface ResourceOutcome {
  violations: Violation[];
  notApplicable: PolicyReport["notApplicable"];
  remediations: PolicyReport["remediations"];
  /** the inputs after every remediation, when one changed them */
  remediatedInputs?: PropertyMap;
}

// --- remediations: what changed, and the run as it would be deployed

function isPlainObject(value: PropertyValue | undefined): value is { [key: string]: PropertyValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(SPECIAL_SIG_KEY in value);
}

/** `value` with every secret in it replaced by `REDACTED_SECRET`. */
function redacted(value: PropertyValue): PropertyValue {
  if (isSecret(value)) return REDACTED_SECRET;
  if (Array.isArray(value)) return value.map(redacted);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redacted(inner)]));
}

/** The leaves (or lists whose length changed) where `after` differs from `before`, in `before`'s key order. */
export function propertyChanges(
  before: PropertyValue | undefined,
  after: PropertyValue | undefined,
  path: readonly (string | number)[] = [],
): PropertyChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    return keys.flatMap((key) => propertyChanges(before[key], after[key], [...path, key]));
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    return before.flatMap((item, index) => propertyChanges(item, after[index], [...path, index]));
  }
  return [
    {
      path,
      ...(before === undefined ? {} : { before: redacted(before) }),
      ...(after === undefined ? {} : { after: redacted(after) }),
    },
  ];
}

/**
 * `run` with the remediated inputs of the resources in `inputsByUrn`, and the same top-level properties in
 * their outputs: the engine deploys remediated inputs, and a provider returns the inputs it was given.
 */
function withRemediatedInputs(run: ProgramRun, inputsByUrn: ReadonlyMap<string, PropertyMap>): ProgramRun {
  if (inputsByUrn.size === 0) return run;
  const resources = run.resources.map((resource): CapturedResource => {
    const inputs = inputsByUrn.get(resource.urn);
    if (!inputs) return resource;
    const before = marshalForAnalyzer(resource.inputs) as PropertyMap;
    const changed = (key: string) => !isDeepStrictEqual(before[key], inputs[key]);
    const outputs = Object.fromEntries([
      ...Object.entries(resource.outputs).filter(([key]) => !changed(key) || key in inputs),
      ...Object.entries(inputs).filter(([key]) => changed(key)),
    ]);
    return { ...resource, inputs, outputs };
  });
  return withLookups({ ...run, resources });
}

/** The remediated inputs behind each report (kept out of the report itself, which evidence serializes). */
const remediatedInputsOf = new WeakMap<PolicyReport, ReadonlyMap<string, PropertyMap>>();

/**
 * `run` as `pulumi up` would deploy it after the remediations in `report`, which `runPolicyPack` made of
 * `run`: each remediated resource with its remediated inputs, and those in its outputs. This is the
 * graph the pack's stack policies judged.
 */
export function remediatedRun(run: ProgramRun, report: PolicyReport): ProgramRun {
  return withRemediatedInputs(run, remediatedInputsOf.get(report) ?? new Map());
}

/** Analyze calls kept in flight at once: enough to hide loopback latency, few enough to stay gentle. */
const ANALYZE_CONCURRENCY = 16;

/** `items.map(fn)` with at most `limit` calls pending; results in input order. */
async function mapConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface RunPolicyPackOptions {
  /** the `--policy-pack-config` file's content */
  readonly config?: PolicyPackConfigFile;
  readonly stackTags?: Readonly<Record<string, string>>;
}

/** Runs the pack against `run` exactly as `pulumi preview|up --policy-pack` would, and collects what it said. */
export async function runPolicyPack(
  pack: LoadedPolicyPack,
  run: ProgramRun,
  options: RunPolicyPackOptions = {},
): Promise<PolicyReport> {
  const { pb } = modules();
  const client = pack.client;
  const { config, ignoredPolicyNames } = reconcilePolicyConfig(pack, options.config);

  const configure = new pb.ConfigureAnalyzerRequest();
  const configMap = configure.getPolicyconfigMap();
  for (const [name, policyConfig] of Object.entries(config)) {
    const message = new pb.PolicyConfig();
    message.setEnforcementlevel(LEVELS.indexOf(policyConfig.enforcementLevel) as analyzerPb.EnforcementLevel);
    message.setProperties(struct((policyConfig.properties ?? {}) as PropertyMap));
    configMap.set(name, message);
  }
  await unary((cb) => client.configure(configure, cb));
  const stackConfig = new pb.AnalyzerStackConfigureRequest();
  stackConfig.setStack(run.stack);
  stackConfig.setProject(run.project);
  stackConfig.setOrganization(run.organization ?? "");
  stackConfig.setDryRun(run.preview);
  for (const [key, value] of Object.entries(options.stackTags ?? {}))
    stackConfig.getTagsMap().set(key, value);
  await unary((cb) => client.configureStack(stackConfig, cb));

  const report: PolicyReport = {
    violations: [],
    notApplicable: [],
    remediations: [],
    config,
    ignoredPolicyNames,
    failed: false,
  };
  const notApplicable = (urn: string, list: analyzerPb.PolicyNotApplicable[]) =>
    list.map((item) => ({ urn, policyName: item.getPolicyName(), reason: item.getReason() }));
  const diagnostic = (phase: Violation["phase"], d: analyzerPb.AnalyzeDiagnostic, urn: string): Violation => {
    const level = LEVELS[d.getEnforcementlevel()] ?? "advisory";
    return {
      phase,
      policyPackName: d.getPolicypackname(),
      policyPackVersion: d.getPolicypackversion(),
      policyName: d.getPolicyname(),
      description: d.getDescription(),
      message: d.getMessage(),
      // A remediation that still leaves a violation counts as mandatory.
      enforcementLevel: level === "remediate" ? "mandatory" : level,
      urn,
      severity: SEVERITIES[d.getSeverity()],
    };
  };

  // Resource phase: per resource, Remediate then Analyze on the remediated inputs, as the engine does.
  // Each resource's calls are independent of every other's, so several are kept in flight; results are
  // collected per resource and reported in registration order.
  const analyzeOne = async (resource: CapturedResource): Promise<ResourceOutcome> => {
    const outcome: ResourceOutcome = { violations: [], notApplicable: [], remediations: [] };
    const request = (properties: PropertyMap) => {
      const message = new pb.AnalyzeRequest();
      message.setType(resource.type);
      message.setUrn(resource.urn);
      message.setName(resource.name);
      message.setProperties(struct(properties));
      message.setOptions(resourceOptions(resource, true));
      const provider = providerResource(run, resource);
      if (provider) message.setProvider(provider);
      return message;
    };
    let properties = marshalForAnalyzer(resource.inputs) as PropertyMap;
    const remediated = await unary<analyzerPb.RemediateResponse>((cb) =>
      client.remediate(request(properties), cb),
    );
    outcome.notApplicable.push(...notApplicable(resource.urn, remediated.getNotApplicableList()));
    for (const remediation of remediated.getRemediationsList()) {
      const after = remediation.getProperties()?.toJavaScript() as PropertyMap | undefined;
      const policyName = remediation.getPolicyname();
      if (remediation.getDiagnostic()) {
        // A remediation that could not run (a value unknown in preview): the engine warns, as advisory.
        outcome.violations.push({
          phase: "resource",
          policyPackName: remediation.getPolicypackname(),
          policyPackVersion: remediation.getPolicypackversion(),
          policyName,
          description: remediation.getDescription(),
          message: remediation.getDiagnostic(),
          enforcementLevel: "advisory",
          urn: resource.urn,
          severity: pack.policies.find((p) => p.name === policyName)?.severity,
        });
      } else if (after) {
        const changes = propertyChanges(properties, after);
        // The engine deploys the returned properties; it shows a remediation only when they differ.
        if (changes.length === 0) continue;
        outcome.remediations.push({
          urn: resource.urn,
          policyPackName: remediation.getPolicypackname(),
          policyPackVersion: remediation.getPolicypackversion(),
          policyName,
          description: remediation.getDescription(),
          changes,
        });
        properties = after;
        outcome.remediatedInputs = after;
      }
    }
    const analyzed = await unary<analyzerPb.AnalyzeResponse>((cb) => client.analyze(request(properties), cb));
    outcome.notApplicable.push(...notApplicable(resource.urn, analyzed.getNotApplicableList()));
    for (const d of analyzed.getDiagnosticsList())
      outcome.violations.push(diagnostic("resource", d, resource.urn));
    return outcome;
  };
  const outcomes = await mapConcurrently(run.resources, ANALYZE_CONCURRENCY, analyzeOne);
  const remediatedInputs = new Map<string, PropertyMap>();
  outcomes.forEach((outcome, index) => {
    report.violations.push(...outcome.violations);
    report.notApplicable.push(...outcome.notApplicable);
    report.remediations.push(...outcome.remediations);
    const resource = run.resources[index];
    if (outcome.remediatedInputs && resource) remediatedInputs.set(resource.urn, outcome.remediatedInputs);
  });
  // The stack policies see the stack as it would be deployed: remediated.
  const deployed = withRemediatedInputs(run, remediatedInputs);

  // Stack phase: every resource with its outputs, parent, dependencies and property dependencies.
  const stackRequest = new pb.AnalyzeStackRequest();
  stackRequest.setResourcesList(
    deployed.resources.map((resource) => {
      const message = new pb.AnalyzerResource();
      message.setType(resource.type);
      message.setUrn(resource.urn);
      message.setName(resource.name);
      message.setProperties(struct(marshalForAnalyzer(resource.outputs)));
      message.setOptions(resourceOptions(resource, false));
      const provider = providerResource(deployed, resource);
      if (provider) message.setProvider(provider);
      if (resource.parent) message.setParent(resource.parent);
      message.setDependenciesList(resource.dependencies);
      const propertyDependencies = message.getPropertydependenciesMap();
      for (const [key, urns] of Object.entries(resource.propertyDependencies)) {
        const deps = new pb.AnalyzerPropertyDependencies();
        deps.setUrnsList(urns);
        propertyDependencies.set(key, deps);
      }
      return message;
    }),
  );
  const stackAnalyzed = await unary<analyzerPb.AnalyzeResponse>((cb) =>
    client.analyzeStack(stackRequest, cb),
  );
  report.notApplicable.push(...notApplicable(run.stackUrn, stackAnalyzed.getNotApplicableList()));
  for (const d of stackAnalyzed.getDiagnosticsList()) {
    // The engine attributes a diagnostic whose URN is not in the stack to the stack itself.
    const urn = d.getUrn() && run.byUrn(d.getUrn()) ? d.getUrn() : run.stackUrn;
    report.violations.push(diagnostic("stack", d, urn));
  }
  const result = { ...report, failed: report.violations.some((v) => v.enforcementLevel === "mandatory") };
  remediatedInputsOf.set(result, remediatedInputs);
  return result;
}
