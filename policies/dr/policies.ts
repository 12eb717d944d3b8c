// Every policy of the drkit pack, in the order they are reported.
import { objectLockConfigureRetention } from "./aws/s3/objectLockConfigureRetention";
import { replicationEnableRtc } from "./aws/s3/replicationEnableRtc";
import { healthCheckConfigureDetection } from "./aws/route53/healthCheckConfigureDetection";
import { recordConfigureTtl } from "./aws/route53/recordConfigureTtl";
import { policyDisallowWildcardActions } from "./aws/iam/policyDisallowWildcardActions";
import { redisReplicationSpreadAcrossZones } from "./kubernetes/redisReplicationSpreadAcrossZones";
import { veleroLocationDisallowObjectLock } from "./kubernetes/veleroLocationDisallowObjectLock";
import { projectConfigureHistoryRetention } from "./neon/projectConfigureHistoryRetention";
import { rpoRto } from "./stack/rpoRto";
import { outputsDisallowSecrets } from "./stack/outputsDisallowSecrets";
import type { DocumentedPolicy } from "./support/metadata";

/** Typed so that a policy without its display name, severity, link, remediation steps, framework or tags does not compile. */
export const policies: DocumentedPolicy[] = [
  rpoRto,
  objectLockConfigureRetention,
  replicationEnableRtc,
  healthCheckConfigureDetection,
  recordConfigureTtl,
  policyDisallowWildcardActions,
  redisReplicationSpreadAcrossZones,
  veleroLocationDisallowObjectLock,
  projectConfigureHistoryRetention,
  outputsDisallowSecrets,
];
