// The resource graph the posture model reads: the shape that both the policy pack's stack-validation
// resources (`PolicyResource`) and the offline harness's captured run map onto without loss.
//
// Property values are plain JSON with secrets already revealed (as @pulumi/policy hands them to a
// policy). A value the engine cannot know yet during preview is the string `UNKNOWN_VALUE`; the model
// reports `UnknownUntilDeploy` naming the property instead of guessing.

/** The engine's sentinel for a value unknown during preview (equals `pulumi.runtime.unknownValue`). */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** The provider a custom resource is managed by: its type, URN, name and inputs (`region` for AWS). */
export interface GraphProvider {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly properties: JsonObject;
}

export interface GraphResource {
  readonly urn: string;
  /** type token, e.g. `aws:s3/bucket:Bucket`, `drkit:index:ObjectLockBucket` */
  readonly type: string;
  readonly name: string;
  /**
   * Properties: outputs for a stack policy (components: what they passed to `registerOutputs`), inputs
   * for a resource policy. Secrets revealed, unknowns as `UNKNOWN_VALUE`.
   */
  readonly properties: JsonObject;
  /** parent URN (undefined for the root stack) */
  readonly parent?: string;
  /** dependsOn plus every resource an input refers to (never the parent) */
  readonly dependencies: readonly string[];
  /** per top-level input key, the URNs the value was computed from: links survive preview unknowns */
  readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
  readonly provider?: GraphProvider;
}

export interface ResourceGraph {
  readonly resources: readonly GraphResource[];
}
