// What the plugin serves to other Pulumi languages, and under which package name. A component
// @drkit/components exports is either served here or listed, with the reason, as TypeScript-only: the
// plugin's tests fail on one that is neither, so none is left out by accident.
import type { ComponentResourceConstructor } from "@pulumi/pulumi/provider/experimental";
import {
  DrCloudWatchAlarms,
  DrDashboard,
  DrService,
  NeonBackup,
  NeonGeoReplica,
  ObjectLockBucket,
  RedisCrossZone,
  Route53Failover,
  VeleroSchedule,
} from "@drkit/components";
import { COMPONENT_PACKAGE } from "@drkit/posture";

/**
 * The plugin's package name, the first part of every component's type token (`drkit:index:<ClassName>`):
 * the engine constructs `drkit:index:DrService` only if the component registers exactly that token.
 */
export const PLUGIN_NAME = COMPONENT_PACKAGE;

/** The components other languages get. Their schema is what Pulumi's analyzer infers from their sources. */
export const PLUGIN_COMPONENTS: ComponentResourceConstructor[] = [
  DrService,
  ObjectLockBucket,
  Route53Failover,
  VeleroSchedule,
  RedisCrossZone,
  NeonGeoReplica,
  NeonBackup,
  DrDashboard,
  DrCloudWatchAlarms,
];

/** Components the plugin leaves out, and why. */
export const TYPESCRIPT_ONLY: Readonly<Record<string, string>> = {
  DrRegionPair:
    "what it gives is provider objects, which other languages cannot pass to a component: there each component takes the regions as arguments and creates its own pair",
  PulumiStateBackend:
    "its `records` output is an ObjectLockBucket, a drkit component, and Pulumi's analyzer can reference only resources of @pulumi/* packages: serving it needs that output as names and ARNs",
  DrHealthMonitor:
    "its outputs are readonly arrays (`controls`, `ruleGroups`), which the analyzer cannot follow: serving it needs them as `T[]` of named types",
  FailoverManifest:
    "its `recordSet` type (@drkit/posture's FailoverRecordSide) has an anonymous `alias` object, which the analyzer cannot follow, and its `regions` are a DrRegionPair's providers: serving it needs a named alias type and `regions: RegionPair`",
};
