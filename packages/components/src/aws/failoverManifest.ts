import * as pulumi from "@pulumi/pulumi";
import { Parameter } from "@pulumi/aws/ssm";
import {
  FAILOVER_MANIFEST_VERSION,
  FAILOVER_SIDES,
  FailoverManifestDocument,
  FailoverManifestError,
  FailoverRecordSet,
  failoverManifestParameterName,
  validateFailoverRecordSet,
} from "@drkit/posture";
import { checkRegionPair, RegionPairSides } from "../common/regions";

/** The platform output naming the manifest's parameter (defined once, in @drkit/posture). */
export { FAILOVER_MANIFEST_OUTPUT } from "@drkit/posture";
import {
  ArgsProblems,
  InvalidArgsError,
  checkArgsObject,
  checkKnownFields,
  isComputed,
} from "../common/validation";

export interface FailoverManifestArgs {
  /** The platform's region pair: one copy of the manifest is written in each region. */
  readonly regions: RegionPairSides;
  /** The record set the failover stack switches: `Route53Failover.failoverOutputs`. */
  readonly recordSet: pulumi.Input<FailoverRecordSet>;
  /** @default - the Pulumi project of the program (`pulumi.getProject()`) */
  readonly project?: string;
  /** @default - the Pulumi stack of the program (`pulumi.getStack()`) */
  readonly stack?: string;
}

const FIELDS = ["regions", "recordSet", "project", "stack"];

/** Every problem with the arguments that can be judged before the record set resolves. */
export function validateFailoverManifestArgs(args: FailoverManifestArgs): string[] {
  const problems = new ArgsProblems();
  const raw: unknown = args;
  if (!checkArgsObject(raw, "pass { regions, recordSet }", problems)) return [...problems.list];
  checkRegionPair(raw.regions, problems);
  problems.check(
    raw.recordSet !== undefined,
    "`recordSet` is required: pass `Route53Failover.failoverOutputs`",
  );
  if (raw.project !== undefined || raw.stack !== undefined) {
    try {
      failoverManifestParameterName(String(raw.project ?? "project"), String(raw.stack ?? "stack"));
    } catch (err) {
      for (const problem of (err as FailoverManifestError).problems) problems.add(problem);
    }
  }
  checkKnownFields("", raw, FIELDS, problems);
  return [...problems.list];
}

/** A record set's own problems, and regions that are not the pair's. */
function recordSetProblems(recordSet: FailoverRecordSet, regions: RegionPairSides): string[] {
  const found = validateFailoverRecordSet(recordSet);
  for (const side of FAILOVER_SIDES) {
    const region = recordSet[side]?.region;
    if (region !== undefined && region !== regions[side].region)
      found.push(
        `\`recordSet.${side}.region\` is ${region}, but the pair's ${side} region is ${regions[side].region}`,
      );
  }
  return found.map((p) => (p.startsWith("`recordSet") ? p : `recordSet: ${p}`));
}

/**
 * Publishes what the failover stack and break-glass need (the weighted record set, its health checks, ARC
 * endpoints and routing controls) as an SSM parameter in **each** region of the pair, under the same name
 * (`/drkit/<project>/<stack>/failover-manifest`). A switch reads the copy in the region it activates, so it
 * depends neither on the region being left nor on the platform's state backend. A String parameter (no KMS
 * key to depend on: it holds ids, names and ARNs, no secret), Intelligent-Tiering so a large ARC endpoint
 * list never fails a deploy on the 4 KB Standard limit.
 */
export class FailoverManifest extends pulumi.ComponentResource {
  static readonly __pulumiType = "drkit:index:FailoverManifest";
  /** The parameter's name, the same in both regions. */
  readonly parameterName: string;
  /** The published JSON document. */
  readonly document: pulumi.Output<string>;

  constructor(name: string, args: FailoverManifestArgs, opts?: pulumi.ComponentResourceOptions) {
    super(FailoverManifest.__pulumiType, name, {}, opts);
    const problems = validateFailoverManifestArgs(args);
    if (problems.length > 0) throw new InvalidArgsError("FailoverManifest", name, problems);
    const project = args.project ?? pulumi.getProject();
    const stack = args.stack ?? pulumi.getStack();
    this.parameterName = failoverManifestParameterName(project, stack);

    // A plain record set is checked now; an Output (Route53Failover's) when it resolves. Either way a copy
    // the failover stack would refuse is never published.
    const check = (recordSet: FailoverRecordSet): FailoverRecordSet => {
      const found = recordSetProblems(recordSet, args.regions);
      if (found.length > 0) throw new InvalidArgsError("FailoverManifest", name, found);
      return recordSet;
    };
    if (!isComputed(args.recordSet)) check(args.recordSet as FailoverRecordSet);
    this.document = pulumi.output(args.recordSet).apply((recordSet) => {
      const document: FailoverManifestDocument = {
        version: FAILOVER_MANIFEST_VERSION,
        platform: { project, stack },
        ...check(recordSet as FailoverRecordSet),
      };
      return JSON.stringify(document);
    });

    for (const side of FAILOVER_SIDES) {
      new Parameter(
        `${name}-${side}`,
        {
          name: this.parameterName,
          type: "String",
          tier: "Intelligent-Tiering",
          value: this.document,
          description: `drkit failover manifest of ${project}/${stack}: read by the failover stack in ${args.regions[side].region}`,
          tags: { "managed-by": "drkit" },
        },
        { parent: this, provider: args.regions[side].awsProvider },
      );
    }

    this.registerOutputs({ parameterName: this.parameterName, document: this.document });
  }
}
