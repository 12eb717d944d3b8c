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

/** Pulumi package of drkit's components: their type tokens' first part, and the plugin package's name. */
export const COMPONENT_PACKAGE = "drkit";
/** Type token prefix of drkit components (`drkit:index:<ClassName>`, fixed forever). */
export const COMPONENT_TYPE_PREFIX = `${COMPONENT_PACKAGE}:index:`;

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

/**
 * Property that `drkit check`'s offline harness gives a remote (multi-language) component, whose resources
 * its provider plugin creates when Pulumi runs: offline no plugin runs, so they are not in the graph. The
 * value says so. A service with such a component is `NotAssessed`. Under the engine the resources are in
 * the graph themselves and no component has the property.
 */
export const OPAQUE_COMPONENT_PROPERTY = "drkit:opaque";

/** Type token of `DrService`, the grouping parent for resources that cannot carry tags (fixed forever). */
export const DR_SERVICE_TYPE = `${COMPONENT_TYPE_PREFIX}DrService`;

// The health monitor's Prometheus series. `DrHealthMonitor` writes them (recording rules and alert labels);
// `drkit status` and the DR dashboard read them. Prometheus label names take no `.` or `/`, hence the
// underscores.
/** Prometheus label on every series and alert the health monitor generates: the service. */
export const PROMETHEUS_SERVICE_LABEL = "drkit_service";
/** Prometheus label: the service's tier. */
export const PROMETHEUS_TIER_LABEL = "drkit_tier";
/** Prometheus label: the monitored control (`velero-schedule/<schedule>`, `postgres-subscription/<name>`…). */
export const PROMETHEUS_CONTROL_LABEL = "drkit_control";
/** Prometheus label: the disruption a control's recovery point serves (`software`, `zone`, `region`…). */
export const PROMETHEUS_DISRUPTION_LABEL = "drkit_disruption";
/** Recording rule: age of the control's newest usable recovery point, or its replication lag, seconds. */
export const RECOVERY_POINT_AGE_RECORD = "drkit:recovery_point_age_seconds";
/** Recording rule: the RPO target the control's thresholds were derived from, seconds (per disruption). */
export const RPO_TARGET_RECORD = "drkit:rpo_target_seconds";
/** Recording rule: the recovery-point age at which the control's alert fires, seconds. */
export const RPO_ALERT_THRESHOLD_RECORD = "drkit:rpo_alert_threshold_seconds";
/** Recording rule: the RTO target of the service, seconds (per disruption): the dashboard's budget. */
export const RTO_TARGET_RECORD = "drkit:rto_target_seconds";
/** Recording rule, 1 per monitored control (RPO controls and health checks alike): what is watched. */
export const CONTROL_INFO_RECORD = "drkit:control_info";

/** Type token of a Prometheus Operator PrometheusRule: an alarm the model credits when it carries an alert. */
export const PROMETHEUS_RULE_TYPE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
/** Type token of a CloudWatch metric alarm: an alarm the model credits when its actions are enabled. */
export const METRIC_ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";
/** Recording rule: bytes of WAL a logical subscriber has not confirmed, per replication control. */
export const REPLICATION_LAG_BYTES_RECORD = "drkit:replication_lag_bytes";
/**
 * Gauge a restore drill or DR exercise exports when it succeeds: Unix time, labelled with the service
 * (`drkit_service`). The DR dashboard shows its age as the service's last exercise.
 */
export const EXERCISE_LAST_SUCCESS_METRIC = "drkit_exercise_last_success_timestamp_seconds";
