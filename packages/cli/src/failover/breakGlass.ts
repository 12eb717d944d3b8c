// Break-glass: the switch as plain AWS CLI commands, for when Pulumi itself cannot run (its backend, the
// runner, the plugins). Generated from the failover manifest and the same plan the failover stack applies
// (`failoverPlan` in @drkit/posture), so both paths set the same weights and routing-control states.
import {
  FailoverManifestDocument,
  FailoverSide,
  FailoverWeights,
  defaultFailoverWeights,
  failoverPlan,
} from "@drkit/posture";

/** Bounded AWS CLI timeouts (seconds): an endpoint in a dead region costs seconds, not minutes. */
export const CONNECT_TIMEOUT_SECONDS = 5;
export const READ_TIMEOUT_SECONDS = 10;
/** Route 53 answers a change batch more slowly than ARC answers a state change. */
export const ROUTE53_READ_TIMEOUT_SECONDS = 30;

/** One shell word: single-quoted, with single quotes inside closed and reopened. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The Route 53 change batch that sets both weighted records (one atomic UPSERT of both). */
export function weightChangeBatch(
  manifest: FailoverManifestDocument,
  weights: FailoverWeights,
  to: FailoverSide,
) {
  return {
    Comment: `drkit break-glass: traffic to ${to} (${manifest[to].region})`,
    Changes: (["primary", "secondary"] as const).map((side) => {
      const record = manifest[side];
      return {
        Action: "UPSERT",
        ResourceRecordSet: {
          Name: manifest.recordName,
          Type: manifest.recordType,
          SetIdentifier: record.setIdentifier,
          Weight: weights[side],
          HealthCheckId: record.healthCheckId,
          ...(record.alias
            ? {
                AliasTarget: {
                  HostedZoneId: record.alias.zoneId,
                  DNSName: record.alias.name,
                  EvaluateTargetHealth: true,
                },
              }
            : { TTL: manifest.ttl, ResourceRecords: (record.values ?? []).map((Value) => ({ Value })) }),
        },
      };
    }),
  };
}

/**
 * A bash script that moves traffic to `to`: ARC routing controls first (the data plane: each endpoint
 * tried in turn, those outside the platform's pair first, each bounded), then the Route 53 weights (the
 * control plane, served from us-east-1) in one change batch. Both steps run; the script fails if either
 * failed, saying which.
 */
export function breakGlassScript(
  manifest: FailoverManifestDocument,
  to: FailoverSide,
  weights: FailoverWeights = defaultFailoverWeights(to),
): string {
  const plan = failoverPlan(manifest, to, weights);
  const platform = `${manifest.platform.project}/${manifest.platform.stack}`;
  const timeouts = `--cli-connect-timeout ${CONNECT_TIMEOUT_SECONDS} --cli-read-timeout ${READ_TIMEOUT_SECONDS}`;
  const lines = [
    "#!/usr/bin/env bash",
    `# drkit failover break-glass: traffic of ${platform} to ${to} (${plan.activatedRegion}), without Pulumi.`,
    `# Weights: primary ${plan.weights.primary}, secondary ${plan.weights.secondary}. Generated from the failover manifest;`,
    "# read it, then run it with credentials allowed to change the routing controls and the record set.",
    "# Afterwards, record the decision in the failover stack's config (docs/failover.md), or its next run",
    "# sets the weights back.",
    "set -uo pipefail",
    "export AWS_MAX_ATTEMPTS=2",
    "failed=0",
    "",
  ];
  const arc = plan.arc;
  if (arc) {
    const entries = (["primary", "secondary"] as const).map((side) =>
      shellQuote(`RoutingControlArn=${arc.routingControlArns[side]},RoutingControlState=${arc.states[side]}`),
    );
    lines.push(
      `# 1. ARC routing controls (data plane): primary ${arc.states.primary}, secondary ${arc.states.secondary}.`,
      "arc_done=false",
      `for entry in ${arc.endpoints.map((e) => shellQuote(`${e.endpoint}|${e.region}`)).join(" ")}; do`,
      '  endpoint="${entry%|*}"; region="${entry#*|}"',
      "  if aws route53-recovery-cluster update-routing-control-states \\",
      `      --endpoint-url "$endpoint" --region "$region" ${timeouts} \\`,
      `      --update-routing-control-state-entries ${entries.join(" ")}; then`,
      '    echo "routing controls set via $endpoint"; arc_done=true; break',
      "  fi",
      '  echo "endpoint $endpoint ($region) did not answer; trying the next" >&2',
      "done",
      'if [ "$arc_done" != true ]; then echo "ARC: no cluster endpoint accepted the change" >&2; failed=1; fi',
      "",
    );
  } else {
    lines.push("# 1. ARC routing controls: not enabled on this platform.", "");
  }
  const batch = JSON.stringify(weightChangeBatch(manifest, plan.weights, to));
  lines.push(
    "# 2. Route 53 weights (control plane, us-east-1): both records in one change batch.",
    "if ! aws route53 change-resource-record-sets \\",
    `    --cli-connect-timeout ${CONNECT_TIMEOUT_SECONDS} --cli-read-timeout ${ROUTE53_READ_TIMEOUT_SECONDS} \\`,
    `    --hosted-zone-id ${shellQuote(manifest.zoneId)} \\`,
    `    --change-batch ${shellQuote(batch)}; then`,
    '  echo "Route 53: the weight change failed" >&2; failed=1',
    "fi",
    "",
    'exit "$failed"',
  );
  return `${lines.join("\n")}\n`;
}
