// The Pulumi engine's side of a component provider, enough to run one offline: it starts the plugin as
// the engine does (Pulumi's `run-plugin` on the plugin's folder, the engine's address as the argument,
// the port read from the first line of stdout), talks to it over the ResourceProvider gRPC protocol, and
// serves the Engine and ResourceMonitor services the plugin calls back while it constructs a component.
// The monitor answers like Pulumi's mock runtime: it records every registration and returns the inputs
// as outputs, with stand-ins for the values providers compute.
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import type * as emptyTypes from "google-protobuf/google/protobuf/empty_pb";
import type * as providerPb from "@pulumi/pulumi/proto/provider_pb";
import type * as providerGrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import type * as resourcePb from "@pulumi/pulumi/proto/resource_pb";
import type * as resourceGrpc from "@pulumi/pulumi/proto/resource_grpc_pb";
import type * as enginePb from "@pulumi/pulumi/proto/engine_pb";
import type * as engineGrpc from "@pulumi/pulumi/proto/engine_grpc_pb";
import type * as pluginPb from "@pulumi/pulumi/proto/plugin_pb";
import type { PropertyMap } from "@drkit/cli/harness";

/** The module instances @pulumi/pulumi resolves: gRPC objects from two copies do not mix. */
function fromPulumi<T>(module: string): T {
  const dir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  // A dynamic require is the point: the instance @pulumi/pulumi uses, not one of our own.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(require.resolve(module, { paths: [dir] })) as T;
}
const grpc = fromPulumi<typeof grpcTypes>("@grpc/grpc-js");
const { Struct } = fromPulumi<typeof structTypes>("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi<typeof emptyTypes>("google-protobuf/google/protobuf/empty_pb");
const provider = fromPulumi<typeof providerPb>("@pulumi/pulumi/proto/provider_pb");
const { ResourceProviderClient } = fromPulumi<typeof providerGrpc>("@pulumi/pulumi/proto/provider_grpc_pb");
const resource = fromPulumi<typeof resourcePb>("@pulumi/pulumi/proto/resource_pb");
const { ResourceMonitorService } = fromPulumi<typeof resourceGrpc>("@pulumi/pulumi/proto/resource_grpc_pb");
const engine = fromPulumi<typeof enginePb>("@pulumi/pulumi/proto/engine_pb");
const { EngineService } = fromPulumi<typeof engineGrpc>("@pulumi/pulumi/proto/engine_grpc_pb");

/** A resource the plugin registered, as the monitor received it. */
export interface Registration {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  readonly custom: boolean;
  /** `"<provider URN>::<provider id>"`, or "" */
  readonly provider: string;
  /** the inputs, in wire form (secrets wrapped) */
  readonly inputs: PropertyMap;
  outputs?: PropertyMap;
}

export interface EngineOptions {
  readonly project: string;
  readonly stack: string;
  /** outputs providers compute, per type token: returned with the inputs */
  readonly computed: Readonly<Record<string, PropertyMap>>;
  /** answers to invokes (data sources), per token */
  readonly invokes: Readonly<Record<string, PropertyMap>>;
}

type Callback<T> = (error: grpcTypes.ServiceError | null, response?: T) => void;
type Call<T> = { request: T };

function unary<T>(call: (cb: Callback<T>) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    call((err, resp) =>
      err ? reject(err) : resp === undefined ? reject(new Error("no response")) : resolve(resp),
    ),
  );
}

function listen(server: grpcTypes.Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    ),
  );
}

/** What the engine's services saw the plugin do. */
interface Seen {
  readonly registrations: Registration[];
  /** what the plugin logged through the engine (`pulumi.log`) */
  readonly logs: string[];
}

/** RegisterResource as the engine answers it: the engine's URN, an id for a custom resource, the outputs. */
function register(options: EngineOptions, record: Seen, req: resourcePb.RegisterResourceRequest) {
  const type = req.getType();
  const parent = record.registrations.find((r) => r.urn === req.getParent());
  // The engine's URNs: the parent's type chain (never the stack's), then this type.
  const chain = parent ? `${parent.urn.split("::")[2]}$${type}` : type;
  const urn = `urn:pulumi:${options.stack}::${options.project}::${chain}::${req.getName()}`;
  const inputs = (req.getObject()?.toJavaScript() ?? {}) as PropertyMap;
  record.registrations.push({
    urn,
    type,
    name: req.getName(),
    parent: req.getParent(),
    custom: req.getCustom(),
    provider: req.getProvider(),
    inputs,
  });
  const response = new resource.RegisterResourceResponse();
  response.setUrn(urn);
  if (req.getCustom()) response.setId(`${req.getName()}-id`);
  response.setObject(Struct.fromJavaScript({ ...inputs, ...options.computed[type] }));
  return response;
}

/** The engine, its resource monitor and one plugin process. */
export class FakeEngine {
  private stderr = "";

  private constructor(
    private readonly options: EngineOptions,
    private readonly record: Seen,
    private readonly servers: grpcTypes.Server[],
    private readonly monitorPort: number,
    private readonly plugin: ChildProcess,
    readonly client: providerGrpc.ResourceProviderClient,
    startupErrors: string,
  ) {
    this.stderr = startupErrors;
    plugin.stderr?.on("data", (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  /** Every resource the plugin registered, in order. */
  get registrations(): readonly Registration[] {
    return this.record.registrations;
  }

  /** What the plugin wrote to stderr and logged through the engine: for a failing test's message. */
  get pluginErrors(): string {
    return [this.stderr, ...this.record.logs].join("\n");
  }

  /** Starts the engine's services, then the plugin in `pluginDir` the way the engine starts it. */
  static async start(pluginDir: string, options: EngineOptions): Promise<FakeEngine> {
    const record: Seen = { registrations: [], logs: [] };
    const monitor = new grpc.Server();
    monitor.addService(ResourceMonitorService, {
      getDeploymentInfo: (_call: Call<unknown>, cb: Callback<resourcePb.DeploymentInfo>) => {
        const info = new resource.DeploymentInfo();
        const feature = resource.ResourceMonitorFeature;
        info.setSupportedfeaturesList([
          feature.RESOURCE_MONITOR_FEATURE_SECRETS,
          feature.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES,
          feature.RESOURCE_MONITOR_FEATURE_OUTPUT_VALUES,
          feature.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS,
          feature.RESOURCE_MONITOR_FEATURE_DELETED_WITH,
          feature.RESOURCE_MONITOR_FEATURE_PARAMETERIZATION,
        ]);
        cb(null, info);
      },
      registerResource: (call: Call<resourcePb.RegisterResourceRequest>, cb: Callback<unknown>) =>
        cb(null, register(options, record, call.request)),
      registerResourceOutputs: (
        call: Call<resourcePb.RegisterResourceOutputsRequest>,
        cb: Callback<unknown>,
      ) => {
        const registration = record.registrations.find((r) => r.urn === call.request.getUrn());
        if (registration) registration.outputs = call.request.getOutputs()?.toJavaScript() as PropertyMap;
        cb(null, new Empty());
      },
      invoke: (call: Call<resourcePb.ResourceInvokeRequest>, cb: Callback<unknown>) => {
        const token = call.request.getTok();
        const answer = options.invokes[token];
        if (!answer) {
          cb({
            code: grpc.status.UNKNOWN,
            details: `no answer for invoke ${token}`,
          } as grpcTypes.ServiceError);
          return;
        }
        const response = new resource.ResourceInvokeResponse();
        response.setReturn(Struct.fromJavaScript(answer));
        cb(null, response);
      },
      registerPackage: (call: Call<resourcePb.RegisterPackageRequest>, cb: Callback<unknown>) => {
        const response = new resource.RegisterPackageResponse();
        response.setRef(`${call.request.getName()}-package`);
        cb(null, response);
      },
    });
    const engineServer = new grpc.Server();
    engineServer.addService(EngineService, {
      log: (call: Call<enginePb.LogRequest>, cb: Callback<unknown>) => {
        record.logs.push(call.request.getMessage());
        cb(null, new Empty());
      },
      getRootResource: (_call: Call<unknown>, cb: Callback<unknown>) =>
        cb(null, new engine.GetRootResourceResponse()),
      setRootResource: (_call: Call<unknown>, cb: Callback<unknown>) =>
        cb(null, new engine.SetRootResourceResponse()),
    });
    const [monitorPort, enginePort] = await Promise.all([listen(monitor), listen(engineServer)]);

    // As pulumi-language-nodejs runs a plugin: node <@pulumi/pulumi/cmd/run-plugin, resolved from the
    // plugin's folder> <plugin folder> <engine address>; the plugin announces its port on stdout.
    const runPlugin = require.resolve("@pulumi/pulumi/cmd/run-plugin", { paths: [pluginDir] });
    const plugin = spawn(process.execPath, [runPlugin, pluginDir, `127.0.0.1:${enginePort}`], {
      cwd: pluginDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let errors = "";
    plugin.stderr?.on("data", (chunk: Buffer) => (errors += chunk.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      plugin.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const line = /^(\d+)\s*$/m.exec(out);
        if (line) resolve(Number(line[1]));
      });
      plugin.on("exit", (code) =>
        reject(new Error(`the plugin exited (${code}) before serving:\n${errors}`)),
      );
    });
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new FakeEngine(options, record, [monitor, engineServer], monitorPort, plugin, client, errors);
  }

  /** GetPluginInfo: the version the plugin reports. */
  async pluginVersion(): Promise<string> {
    const info = await unary<pluginPb.PluginInfo>((cb) => this.client.getPluginInfo(new Empty(), cb));
    return info.getVersion();
  }

  /** GetSchema, as `pulumi package add` asks for it. */
  async schema(): Promise<unknown> {
    const response = await unary<providerPb.GetSchemaResponse>((cb) =>
      this.client.getSchema(new provider.GetSchemaRequest(), cb),
    );
    return JSON.parse(response.getSchema());
  }

  /**
   * Construct, as the engine sends it for a component a program in another language declares: `inputs` in
   * wire form (an output value for what is secret or computed), parented to the program's stack.
   */
  async construct(
    type: string,
    name: string,
    inputs: PropertyMap,
  ): Promise<{ urn: string; state: PropertyMap }> {
    const stack = `urn:pulumi:${this.options.stack}::${this.options.project}::pulumi:pulumi:Stack::${this.options.project}-${this.options.stack}`;
    const request = new provider.ConstructRequest();
    request.setProject(this.options.project);
    request.setStack(this.options.stack);
    request.setOrganization("organization");
    request.setMonitorendpoint(`127.0.0.1:${this.monitorPort}`);
    request.setParallel(1);
    request.setType(type);
    request.setName(name);
    request.setParent(stack);
    request.setInputs(Struct.fromJavaScript(inputs));
    request.setAcceptsOutputValues(true);
    const response = await unary<providerPb.ConstructResponse>((cb) => this.client.construct(request, cb));
    return { urn: response.getUrn(), state: (response.getState()?.toJavaScript() ?? {}) as PropertyMap };
  }

  /** Stops the plugin (the process this engine started) and the engine's services. */
  async close(): Promise<void> {
    this.client.close();
    if (this.plugin.exitCode === null) {
      const exited = new Promise((resolve) => this.plugin.once("exit", resolve));
      this.plugin.kill();
      await exited;
    }
    await Promise.all(
      this.servers.map((s) => new Promise<void>((resolve) => s.tryShutdown(() => resolve()))),
    );
  }
}
