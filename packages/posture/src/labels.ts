// How drkit marks what belongs to which service. Components set these; users may set them by hand on
// their own resources, and the posture model groups both the same way.

/** AWS tag naming the service a resource belongs to. */
export const SERVICE_TAG = "drkit:service";
/** AWS tag naming the service's tier (`critical`, `important`, `standard`, or a configured tier). */
export const TIER_TAG = "drkit:tier";

// Kubernetes label keys must be `prefix/name` with a DNS prefix, so the AWS keys cannot be reused.
/** Kubernetes label naming the service. */
export const SERVICE_LABEL = "drkit.dev/service";
/** Kubernetes label naming the tier. */
export const TIER_LABEL = "drkit.dev/tier";
/** Kubernetes label naming the AWS region of the cluster the object runs in (e.g. `eu-west-1`). */
export const REGION_LABEL = "drkit.dev/region";

/** Type token prefix of drkit components (`drkit:index:<ClassName>`, fixed forever). */
export const COMPONENT_TYPE_PREFIX = "drkit:index:";

/** The tiers drkit ships default targets for; policy config may add more. */
export const DEFAULT_TIERS = ["critical", "important", "standard"] as const;

/**
 * Annotation (Kubernetes) or tag (AWS) on a deployed alarm naming what it watches: the URN or resource
 * name of the data source (e.g. a Neon primary project). The model credits a bound to an alarm only when
 * such a resource is in the graph: an alarm passed as an argument bounds nothing.
 */
export const ALARM_FOR_ANNOTATION = "drkit.dev/alarm-for";
/** Annotation or tag on that alarm: the threshold, in seconds, at which it fires. */
export const ALARM_THRESHOLD_ANNOTATION = "drkit.dev/alarm-threshold-seconds";

/** Annotation on a Redis backup CronJob naming the RedisReplication (`metadata.name`) it backs up. */
export const BACKUP_OF_ANNOTATION = "drkit.dev/backup-of";
/**
 * Annotation on a Redis backup CronJob naming the AWS region of the bucket it uploads to. A claim: the
 * model reports it and credits only the bucket the job's inputs are computed from.
 */
export const BACKUP_REGION_ANNOTATION = "drkit.dev/backup-destination-region";
/** Label on a recovery copy's objects (a warm standby): `drkit.dev/role: standby`. */
export const ROLE_LABEL = "drkit.dev/role";
/** The `drkit.dev/role` value of a warm standby: a recovery copy, not a data source of its own. */
export const STANDBY_ROLE = "standby";

/** Type token of `DrService`, the grouping parent for resources that cannot carry tags (fixed forever). */
export const DR_SERVICE_TYPE = `${COMPONENT_TYPE_PREFIX}DrService`;
