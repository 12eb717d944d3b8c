import * as pulumi from "@pulumi/pulumi";
import { DR_SERVICE_TYPE } from "@drkit/posture";
import { ArgsProblems, InvalidArgsError, checkArgsObject, shown } from "./common/validation";
import { ServiceIdentity, validateServiceIdentity } from "./common/service";

/** Arguments of a `DrService`. */
export interface DrServiceArgs {
  /**
   * Tier whose RPO/RTO targets apply: `critical`, `important`, `standard`, or a tier your policy config
   * defines.
   */
  readonly tier: string;
}

/**
 * Every problem with `DrService` arguments; empty when they are valid. Takes anything: YAML config and
 * JavaScript callers are not type-checked.
 */
export function validateDrServiceArgs(name: string, args: unknown): string[] {
  const problems = new ArgsProblems();
  if (!checkArgsObject(args, "pass { tier }", problems)) return [...problems.list];
  const tier = args.tier;
  if (pulumi.Output.isInstance(tier) || tier instanceof Promise) {
    // Children read the tier when the program runs (tags, labels, the posture model's grouping).
    problems.add(
      `\`tier\` must be a plain string, known when the program runs (got ${shown(tier)}): the service's children take it as theirs`,
    );
    validateServiceIdentity({ service: name, tier: "standard" }, problems);
  } else {
    // The resource name is the service name, so both are checked as the service identity.
    validateServiceIdentity({ service: name, tier } as ServiceIdentity, problems);
  }
  for (const key of Object.keys(args)) {
    if (key === "tier" || args[key] === undefined) continue;
    problems.add(
      key === "service"
        ? '`service` is not an argument of DrService: the resource name is the service name (`new DrService("orders", { tier })`)'
        : `\`${key}\` is not an argument of DrService, which takes only \`tier\`: remove it`,
    );
  }
  return [...problems.list];
}

/**
 * A service: a grouping parent that gives its children a service and a tier. Resources that cannot carry
 * drkit's tags — a Neon project, a Route 53 record, an unlabelled Kubernetes object — join the service by
 * being created with `{ parent: service }`; the posture model then judges them with the service.
 *
 * ```ts
 * const orders = new DrService("orders", { tier: "critical" });
 * new neon.Project("orders-db", { … }, { parent: orders });
 * ```
 */
export class DrService extends pulumi.ComponentResource {
  static readonly __pulumiType = DR_SERVICE_TYPE;
  /** The service name (the resource name). */
  readonly service: string;
  readonly tier: string;

  constructor(name: string, args: DrServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    const problems = validateDrServiceArgs(name, args);
    if (problems.length > 0) throw new InvalidArgsError("DrService", name, problems);
    super(DrService.__pulumiType, name, {}, opts);
    this.service = name;
    this.tier = args.tier;
    this.registerOutputs({ service: name, tier: args.tier });
  }
}
