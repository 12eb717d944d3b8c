// Runs a Pulumi program in-process under @pulumi/pulumi's mock runtime and records every registration
// the way the engine would see it: URN, type, options, inputs and outputs. No CLI, no plugins, no cloud.
//
// The stock mock monitor is not faithful enough for policy work (its URNs, options, outputs and providers
// differ from what the engine records), so this module taps it:
//   - URNs follow the engine's rule (full parent type chain; no `Stack$` prefix for top-level resources);
//   - a duplicate URN fails the run with the engine's own message;
//   - resource options (parent, dependsOn, protect, aliases, …) come from the full RegisterResourceRequest,
//     which `MockResourceArgs` does not carry;
//   - component outputs come from `registerOutputs`;
//   - the engine's default providers are synthesised from the stack's provider config;
//   - in preview, ids and provider-computed outputs are unknown, as a real provider preview reports them.
import * as pulumi from "@pulumi/pulumi";
import type { RegisterResourceRequest, ReadResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import type { Alias } from "@pulumi/pulumi/proto/alias_pb";
import { PropertyValue, PropertyMap, UNKNOWN } from "./wire";
import { opaqueOutputs } from "./remote";
import {
  DATA_SOURCE_ANSWERS,
  DEFAULT_AWS_REGION,
  DataSourceMocks,
  UnansweredDataSourceError,
  mockedAnswer,
} from "./dataSources";

const ROOT_STACK_TYPE = "pulumi:pulumi:Stack";

/** One registered resource, in engine terms. Property maps are in wire form (see `wire.ts`). */
export interface CapturedResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  /** true for custom (provider-backed) resources and providers; false for components and the stack */
  readonly custom: boolean;
  /**
   * a remote (multi-language) component: its provider plugin constructs it, children included, when
   * Pulumi runs; offline no plugin runs, so its children are not in the run (see `remote.ts`)
   */
  readonly remote: boolean;
  /** the id the mock assigned; undefined in preview, where the engine has none yet */
  id?: string;
  readonly parent?: string;
  /** provider reference `"<providerUrn>::<providerId>"`; for engine default providers it is set by the harness */
  providerRef?: string;
  readonly version?: string;
  /** `dependsOn` plus every resource an input depends on (never the parent) */
  readonly dependencies: string[];
  readonly propertyDependencies: Record<string, string[]>;
  readonly protect: boolean;
  readonly ignoreChanges: string[];
  readonly deleteBeforeReplace?: boolean;
  readonly additionalSecretOutputs: string[];
  /** alias URNs, resolved from the SDK's alias specs the way the engine resolves them */
  readonly aliases: string[];
  /** seconds, parsed from the Go durations the SDK sends ("1h30m") */
  readonly customTimeouts: { create: number; update: number; delete: number };
  readonly retainOnDelete: boolean;
  readonly deletedWith?: string;
  readonly importId?: string;
  /** inputs as sent to the engine (what a resource policy's `Analyze` sees, minus provider Check) */
  readonly inputs: PropertyMap;
  /**
   * outputs: the mock's state for custom resources, `registerOutputs` for components and the stack; for
   * a remote component, the mock's state and `OPAQUE_COMPONENT_PROPERTY`, saying why its children are missing
   */
  outputs: PropertyMap;
  /** how the resource entered the graph */
  readonly origin: "registered" | "read" | "default-provider";
}

export interface ProgramOptions {
  /** run as `pulumi preview` (ids and provider-computed outputs unknown). Default false (`pulumi up`). */
  readonly preview?: boolean;
  /** Default "project". */
  readonly project?: string;
  /** Default "stack". */
  readonly stack?: string;
  readonly organization?: string;
  /** stack config with namespaced keys, e.g. `{ "aws:region": "eu-west-1", "platform:services": "[…]" }` */
  readonly config?: Record<string, string>;
  /** config keys whose values are secrets */
  readonly secretConfigKeys?: readonly string[];
  /** replaces the default `newResource` mock (echo inputs; id `<name>-id`, unknown in preview) */
  readonly newResource?: (args: pulumi.runtime.MockResourceArgs) => pulumi.runtime.MockResourceResult;
  /**
   * replaces the default `call` mock, which answers the data sources in `DATA_SOURCE_ANSWERS` and fails the
   * run with `UnansweredDataSourceError` for any other
   */
  readonly call?: (args: pulumi.runtime.MockCallArgs) => Record<string, unknown>;
  /** answers for the default `call` mock, by invoke token, tried before `DATA_SOURCE_ANSWERS` (`--mock`) */
  readonly dataSourceMocks?: DataSourceMocks;
  /**
   * Per type token, output properties the provider computes (e.g. `arn`). In preview they are reported
   * unknown; in an update the default mock fills them with a deterministic placeholder.
   */
  readonly computedOutputs?: Readonly<Record<string, readonly string[]>>;
  /** synthesise the engine's default providers. Default true. */
  readonly defaultProviders?: boolean;
  /** `Error.stackTraceLimit` while the program runs; the SDK captures a stack per promise. Default 0. */
  readonly stackTraceLimit?: number;
}

/** What a run captured: plain data, so it can cross a process boundary (`drkit check` runs programs apart). */
export interface ProgramRunData<T = unknown> {
  readonly preview: boolean;
  readonly project: string;
  readonly stack: string;
  readonly organization?: string;
  readonly stackUrn: string;
  /** every resource, in the order the engine would see it (registration order, default providers first) */
  readonly resources: readonly CapturedResource[];
  /** what the program returned, as the program's own values */
  readonly stackOutputs: T;
}

export interface ProgramRun<T = unknown> extends ProgramRunData<T> {
  byUrn(urn: string): CapturedResource | undefined;
  ofType(type: string): CapturedResource[];
  /** the direct children of a resource */
  childrenOf(urn: string): CapturedResource[];
  /** the provider resource a custom resource uses (explicit or default) */
  providerOf(resource: CapturedResource): CapturedResource | undefined;
}

/** Go duration ("1h30m", "5m", "90s") → seconds, as the engine parses `customTimeouts`. */
export function durationSeconds(duration: string): number {
  let total = 0;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  for (const match of duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += parseFloat(match[1] ?? "0") * (units[match[2] ?? "s"] ?? 0);
  }
  return total;
}

function qualifiedType(urn: string): string {
  return urn.split("::")[2] ?? "";
}

/**
 * The engine's URN rule: a child's type is qualified by its parent's full type chain, except that
 * children of the root stack get no prefix.
 */
export function makeUrn(
  stack: string,
  project: string,
  parentUrn: string | undefined,
  type: string,
  name: string,
) {
  let qualified = type;
  if (parentUrn) {
    const parentQualified = qualifiedType(parentUrn);
    if (parentQualified !== ROOT_STACK_TYPE) qualified = `${parentQualified}$${type}`;
  }
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** The engine's error for two resources with one URN (pkg/diag errors.go, code 2001). */
export function duplicateUrnMessage(urn: string): string {
  return `Duplicate resource URN '${urn}'; try giving it a unique name`;
}

// The mock monitor is an SDK-internal object; these are the members we wrap.
interface TappableMonitor {
  newUrn(parent: string, type: string, name: string): string;
  registerResource(req: RegisterResourceRequest, callback: MonitorCallback): Promise<void>;
  readResource(req: ReadResourceRequest, callback: MonitorCallback): Promise<void>;
  registerResourceOutputs(
    req: { getUrn(): string; getOutputs(): StructLike | undefined },
    callback: MonitorCallback,
  ): void;
}
type MonitorCallback = (
  err: Error | null,
  resp?: { getId?(): string; getObject?(): StructLike | undefined; getProperties?(): StructLike | undefined },
) => void;
interface StructLike {
  toJavaScript(): PropertyMap;
}

/** A value the default mock gives a provider-computed output in an update: stable and recognisable. */
export function placeholderOutput(type: string, name: string, property: string): string {
  return `${property}-of-${name}`;
}

/**
 * Runs `program` as the Pulumi language host would (inside a root `pulumi:pulumi:Stack`), waits for every
 * registration (including resources created inside `apply` callbacks), and returns the captured graph.
 *
 * Runs must be sequential: the SDK keeps its state in one global store.
 * Rejects with the program's own error when the program throws, and with the engine's message for a
 * duplicate URN.
 */
export async function runProgram<T>(
  program: () => T | Promise<T>,
  options: ProgramOptions = {},
): Promise<ProgramRun<Awaited<T>>> {
  const preview = options.preview ?? false;
  const project = options.project ?? "project";
  const stack = options.stack ?? "stack";
  const computed = options.computedOutputs ?? {};

  // setMocks does not reset config, so every run sets its own.
  pulumi.runtime.setAllConfig(options.config ?? {}, [...(options.secretConfigKeys ?? [])]);

  const records = new Map<string, CapturedResource>();
  // Tokens the default `call` mock could not answer: the run fails for them even if the program caught
  // the invoke's error (the SDK's own `pulumi:pulumi:getResource` never reaches the mock).
  const unanswered: string[] = [];
  const regionFor = (providerRef: string | undefined): string => {
    const provider = providerRef
      ? records.get(providerRef.slice(0, providerRef.lastIndexOf("::")))
      : undefined;
    const region = provider?.inputs.region ?? options.config?.["aws:region"];
    return typeof region === "string" && region !== "" ? region : DEFAULT_AWS_REGION;
  };
  const mocks: pulumi.runtime.Mocks = {
    call: (args) => {
      if (options.call) return options.call(args);
      const mocked = mockedAnswer(options.dataSourceMocks, args.token, args.inputs);
      if (mocked) return mocked;
      const answer = DATA_SOURCE_ANSWERS[args.token];
      if (answer) return answer({ inputs: args.inputs, region: regionFor(args.provider) });
      unanswered.push(args.token);
      throw new UnansweredDataSourceError(args.token);
    },
    newResource: (args) => {
      const result = options.newResource
        ? options.newResource(args)
        : { id: preview ? undefined : `${args.name}-id`, state: { ...args.inputs } };
      const state: Record<string, unknown> = { ...result.state };
      for (const property of computed[args.type] ?? []) {
        if (!(property in state))
          state[property] = preview ? UNKNOWN : placeholderOutput(args.type, args.name, property);
      }
      // An undefined id makes the SDK resolve `id` as unknown: the engine has no id before create.
      return { id: preview ? undefined : result.id, state };
    },
  };
  await pulumi.runtime.setMocks(mocks, project, stack, preview, options.organization);

  const monitor = pulumi.runtime.getMonitor() as unknown as TappableMonitor;
  const errors: Error[] = [];
  monitor.newUrn = (parent, type, name) => makeUrn(stack, project, parent || undefined, type, name);

  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const record = captureRequest(req, stack, project);
    if (records.has(record.urn)) errors.push(new Error(duplicateUrnMessage(record.urn)));
    records.set(record.urn, record);
    return registerResource(req, (err, resp) => {
      if (!err && resp) {
        record.id = resp.getId?.() || undefined;
        if (record.custom) record.outputs = resp.getObject?.()?.toJavaScript() ?? {};
        // The engine returns what the plugin constructed; the mock's state is what the program saw.
        if (record.remote) record.outputs = opaqueOutputs(record, resp.getObject?.()?.toJavaScript() ?? {});
      }
      callback(err, resp);
    });
  };
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    const parent = req.getParent() || undefined;
    const urn = makeUrn(stack, project, parent, req.getType(), req.getName());
    const record: CapturedResource = {
      ...emptyOptions(),
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: true,
      remote: false,
      id: req.getId(),
      parent,
      providerRef: req.getProvider() || undefined,
      version: req.getVersion() || undefined,
      dependencies: req.getDependenciesList(),
      inputs: req.getProperties()?.toJavaScript() ?? {},
      origin: "read",
    };
    records.set(urn, record);
    return readResource(req, (err, resp) => {
      if (!err && resp) record.outputs = resp.getProperties?.()?.toJavaScript() ?? record.inputs;
      callback(err, resp);
    });
  };
  const registerResourceOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, callback) => {
    const record = records.get(req.getUrn());
    if (record) record.outputs = req.getOutputs()?.toJavaScript() ?? {};
    return registerResourceOutputs(req, callback);
  };

  const savedStackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = options.stackTraceLimit ?? 0;
  // An error thrown inside an apply() callback never rejects runInPulumiStack: the real CLI logs it and
  // fails the update. Collect it for this run. (Under jest the runner claims it first: see the README.)
  const onUnhandledRejection = (reason: unknown) => errors.push(asError(reason));
  process.on("unhandledRejection", onUnhandledRejection);
  let stackOutputs: unknown;
  try {
    let programError: unknown;
    stackOutputs = await pulumi.runtime.runInPulumiStack(async () => {
      // Catch inside the stack's init: an error escaping it leaves the SDK's stack promises rejected
      // and unobserved, which test runners report as extra failures.
      try {
        return (await program()) as pulumi.Inputs | undefined;
      } catch (err) {
        programError = err;
        return undefined;
      }
    });
    // Public API: drains every outstanding RPC (including registrations made in apply callbacks),
    // then closes the monitor.
    await pulumi.runtime.disconnect();
    if (programError !== undefined) throw programError;
  } catch (err) {
    errors.unshift(asError(err));
  } finally {
    await new Promise((resolve) => setImmediate(resolve));
    Error.stackTraceLimit = savedStackTraceLimit;
    process.off("unhandledRejection", onUnhandledRejection);
  }
  // Whatever the program made of the failed invoke, the cause is the data source.
  if (unanswered[0] !== undefined) throw new UnansweredDataSourceError(unanswered[0]);
  if (errors.length > 0) {
    const unique = [...new Map(errors.map((e) => [e.message, e])).values()];
    throw unique.length === 1
      ? unique[0]
      : new AggregateError(unique, unique.map((e) => e.message).join("\n"));
  }

  const resources = [...records.values()];
  if (options.defaultProviders ?? true)
    addDefaultProviders(resources, stack, project, options.config ?? {}, preview);
  const stackUrn = makeUrn(stack, project, undefined, ROOT_STACK_TYPE, `${project}-${stack}`);
  return withLookups({
    preview,
    project,
    stack,
    organization: options.organization,
    stackUrn,
    resources,
    stackOutputs: stackOutputs as Awaited<T>,
  });
}

/** A run's data with its lookups, for a run captured here or received from another process. */
export function withLookups<T>(data: ProgramRunData<T>): ProgramRun<T> {
  const { resources } = data;
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  return {
    ...data,
    byUrn: (urn) => byUrn.get(urn),
    ofType: (type) => resources.filter((r) => r.type === type),
    childrenOf: (urn) => resources.filter((r) => r.parent === urn),
    providerOf: (resource) =>
      resource.providerRef
        ? byUrn.get(resource.providerRef.slice(0, resource.providerRef.lastIndexOf("::")))
        : undefined,
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function emptyOptions() {
  return {
    dependencies: [],
    propertyDependencies: {},
    protect: false,
    ignoreChanges: [],
    additionalSecretOutputs: [],
    aliases: [],
    customTimeouts: { create: 0, update: 0, delete: 0 },
    retainOnDelete: false,
    outputs: {},
  };
}

function captureRequest(req: RegisterResourceRequest, stack: string, project: string): CapturedResource {
  const type = req.getType();
  const name = req.getName();
  const parent = req.getParent() || undefined;
  const timeouts = req.getCustomtimeouts();
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((deps, key) => {
    propertyDependencies[key] = deps.getUrnsList();
  });
  return {
    urn: makeUrn(stack, project, parent, type, name),
    type,
    name,
    custom: req.getCustom(),
    remote: req.getRemote(),
    parent,
    providerRef: req.getProvider() || undefined,
    version: req.getVersion() || undefined,
    dependencies: req.getDependenciesList(),
    propertyDependencies,
    protect: req.getProtect() ?? false,
    ignoreChanges: req.getIgnorechangesList(),
    deleteBeforeReplace: req.getDeletebeforereplacedefined() ? req.getDeletebeforereplace() : undefined,
    additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
    aliases: aliasUrns(req.getAliasesList(), stack, project, type, name, parent),
    customTimeouts: {
      create: durationSeconds(timeouts?.getCreate() ?? ""),
      update: durationSeconds(timeouts?.getUpdate() ?? ""),
      delete: durationSeconds(timeouts?.getDelete() ?? ""),
    },
    retainOnDelete: req.getRetainondelete() ?? false,
    deletedWith: req.getDeletedwith() || undefined,
    importId: req.getImportid() || undefined,
    inputs: req.getObject()?.toJavaScript() ?? {},
    outputs: {},
    origin: "registered",
  };
}

/** Alias specs → URNs, with the engine's defaults: an unset field means "same as the resource". */
function aliasUrns(
  aliases: Alias[],
  stack: string,
  project: string,
  type: string,
  name: string,
  parent: string | undefined,
): string[] {
  return aliases.map((alias) => {
    const spec = alias.getSpec();
    if (!spec) return alias.getUrn();
    const aliasParent = spec.getNoparent() ? undefined : spec.getParenturn() || parent;
    return makeUrn(
      spec.getStack() || stack,
      spec.getProject() || project,
      aliasParent,
      spec.getType() || type,
      spec.getName() || name,
    );
  });
}

/** The packages whose default provider the stack disabled (`pulumi:disable-default-providers`, a JSON list). */
function disabledDefaultProviders(config: Record<string, string>): string[] {
  const raw = config["pulumi:disable-default-providers"];
  if (raw === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed.map(String) : [String(parsed)];
  } catch {
    return [raw];
  }
}

/**
 * The engine's default providers: one `pulumi:providers:<pkg>` per package and version used without an
 * explicit provider, named `default_<version>`, whose inputs are the package's stack config
 * (`aws:region` → `region`) plus `version`. Registered just before their first user. A package listed in
 * `pulumi:disable-default-providers` (or `*`) gets none: the run fails with the engine's message.
 */
function addDefaultProviders(
  resources: CapturedResource[],
  stack: string,
  project: string,
  config: Record<string, string>,
  preview: boolean,
) {
  const providers = new Map<string, CapturedResource>();
  const disabled = disabledDefaultProviders(config);
  const refused = new Set<string>();
  for (const resource of resources) {
    if (!resource.custom || resource.providerRef || resource.type.startsWith("pulumi:providers:")) continue;
    if (resource.origin !== "registered") continue;
    const pkg = resource.type.split(":")[0] ?? "";
    if (disabled.includes("*") || disabled.includes(pkg)) {
      // The engine refuses the registration (resource_monitor.go).
      refused.add(
        `Default provider for '${pkg}' disabled. '${resource.type}' must use an explicit provider.`,
      );
      continue;
    }
    const name = resource.version ? `default_${resource.version.replace(/[.\-+]/g, "_")}` : "default";
    const urn = makeUrn(stack, project, undefined, `pulumi:providers:${pkg}`, name);
    let provider = providers.get(urn);
    if (!provider) {
      const inputs: Record<string, PropertyValue> = {};
      for (const [key, value] of Object.entries(config)) {
        if (key.startsWith(`${pkg}:`)) inputs[key.slice(pkg.length + 1)] = value;
      }
      if (resource.version) inputs.version = resource.version;
      provider = {
        ...emptyOptions(),
        urn,
        type: `pulumi:providers:${pkg}`,
        name,
        custom: true,
        remote: false,
        id: preview ? undefined : "default-provider-id",
        inputs,
        outputs: { ...inputs },
        origin: "default-provider",
      };
      providers.set(urn, provider);
    }
    resource.providerRef = `${urn}::${provider.id ?? UNKNOWN}`;
  }
  if (refused.size > 0) throw new Error([...refused].join("\n"));
  for (const provider of providers.values()) {
    const firstUser = resources.findIndex((r) => r.providerRef?.startsWith(`${provider.urn}::`));
    resources.splice(firstUser < 0 ? resources.length : firstUser, 0, provider);
  }
}
