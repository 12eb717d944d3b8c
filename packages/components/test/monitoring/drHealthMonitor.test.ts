import {
  runProgram,
  plainProperties,
  toResourceGraph,
  CapturedResource,
  ProgramRun,
} from "@drkit/cli/harness";
import { assessGraph } from "@drkit/posture";
import {
  DrHealthMonitor,
  DrHealthMonitorArgs,
  DrRegionPair,
  InvalidArgsError,
  NeonGeoReplica,
  POSTGRES_EXPORTER_QUERIES,
  validateDrHealthMonitorArgs,
} from "@drkit/components";
import { crdProblems } from "../../../../test/support/crds";

const base = { project: "platform", stack: "prod" };
const props = (r: CapturedResource) =>
  plainProperties(r.inputs) as {
    metadata: {
      name: string;
      namespace: string;
      labels: Record<string, string>;
      annotations?: Record<string, string>;
    };
    spec: {
      groups: {
        name: string;
        interval: string;
        rules: { alert?: string; record?: string; expr: string; for?: string }[];
      }[];
    };
    data: Record<string, string>;
  };
const providerName = (run: ProgramRun, r: CapturedResource) => run.providerOf(r)?.name;
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";

type Changes = Partial<Omit<DrHealthMonitorArgs, "regions">>;
const monitored: Changes = {
  veleroSchedules: [{ schedule: "cluster-velero-half-hourly", cron: "*/30 * * * *" }],
  redis: [
    {
      namespace: "redis",
      redisName: "sessions-redis",
      backupCronJob: "sessions-redis-backup",
      backupCron: "*/15 * * * *",
    },
  ],
  postgresSubscriptions: [{ subscription: "orders_drkit_sub", alarmFor: "orders-db-primary" }],
};

function program(changes: Changes = {}, options: { neon?: boolean } = {}) {
  return () => {
    const regions = new DrRegionPair("dr", {
      primaryRegion: "eu-west-1",
      secondaryRegion: "eu-central-1",
      primaryKubeconfig: "kubeconfig-west",
      secondaryKubeconfig: "kubeconfig-central",
    });
    if (options.neon)
      new NeonGeoReplica("orders-db", {
        service: "orders",
        tier: "critical",
        primaryRegionId: "aws-eu-central-1",
        standbyRegionId: "aws-us-east-2",
        database: "orders",
      });
    // An important service (1 h target) watching everything, or a critical one watching its standby.
    new DrHealthMonitor("orders-monitor", {
      service: "orders",
      tier: options.neon ? "critical" : "important",
      regions,
      ...(options.neon ? { postgresSubscriptions: monitored.postgresSubscriptions } : monitored),
      ...changes,
    });
  };
}

describe("DrHealthMonitor", () => {
  it("puts one PrometheusRule per control in the chosen cluster, valid against the upstream CRD", async () => {
    const run = await runProgram(
      program({ cluster: "secondary", ruleLabels: { release: "kube-prometheus-stack" } }),
      base,
    );
    const rules = run.ofType(RULE);
    expect(rules.map((r) => props(r).metadata.name).sort()).toEqual([
      "orders-monitor-postgres-subscription-orders-drkit-sub",
      "orders-monitor-redis-backup-redis-sessions-redis-backup",
      "orders-monitor-redis-persistence-redis-sessions-redis",
      "orders-monitor-velero-schedule-cluster-velero-half-hourly",
    ]);
    for (const rule of rules) {
      expect(crdProblems(props(rule) as never)).toEqual([]);
      expect(providerName(run, rule)).toBe("dr-secondary");
      expect(rule.parent).toBe("urn:pulumi:prod::platform::drkit:index:DrHealthMonitor::orders-monitor");
      expect(props(rule).metadata).toMatchObject({
        namespace: "monitoring",
        labels: {
          "drkit.dev/service": "orders",
          "drkit.dev/tier": "important",
          "drkit.dev/region": "eu-central-1",
          release: "kube-prometheus-stack",
        },
      });
      // Only the subscription's rule bounds a recovery point the posture model credits by annotation.
      expect(props(rule).metadata.annotations === undefined).toBe(
        !props(rule).metadata.name.includes("postgres"),
      );
      // The evaluation interval the thresholds assume is the group's own.
      expect(props(rule).spec.groups.map((g) => g.interval)).toEqual(["30s"]);
    }
  });

  it("fails CRD validation for a rule the API server would refuse: the check is live", () => {
    expect(
      crdProblems({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        spec: {
          groups: [
            {
              name: "g",
              partial_response_strategy: "WARN",
              rules: [{ alert: "A", expr: "up == 0", for: "1 minute" }],
            },
          ],
        },
      } as never),
    ).toEqual([
      '/spec/groups/0/rules/0/for must match pattern "^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$"',
    ]);
  });

  it("derives each threshold from the tier's target: important 3600 s − lead 60 − for 60 − scrape 30 − evaluation 30", async () => {
    const run = await runProgram(program(), base);
    const outputs = run.byUrn(
      "urn:pulumi:prod::platform::drkit:index:DrHealthMonitor::orders-monitor",
    )!.outputs;
    expect(outputs.controls).toEqual([
      {
        control: "velero-schedule/cluster-velero-half-hourly",
        kind: "velero-schedule",
        prometheusRule: "orders-monitor-velero-schedule-cluster-velero-half-hourly",
        disruptions: ["software", "zone", "region"],
        thresholdSeconds: 3420,
        firedByAgeSeconds: 3540,
        alerts: [
          "DrkitVeleroBackupTooOld",
          "DrkitVeleroBackupFailed",
          "DrkitVeleroBackupPartiallyFailed",
          "DrkitVeleroScheduleMetricsAbsent",
        ],
      },
      expect.objectContaining({
        control: "redis-backup/redis/sessions-redis-backup",
        thresholdSeconds: 3420,
      }),
      expect.objectContaining({ control: "redis-persistence/redis/sessions-redis", disruptions: [] }),
      expect.objectContaining({
        control: "postgres-subscription/orders_drkit_sub",
        thresholdSeconds: 3420,
        firedByAgeSeconds: 3540,
      }),
    ]);
    const velero = run.ofType(RULE).find((r) => props(r).metadata.name.includes("velero"));
    expect(
      props(velero!).spec.groups[0]!.rules.find((r) => r.alert === "DrkitVeleroBackupTooOld"),
    ).toMatchObject({
      expr: 'drkit:recovery_point_age_seconds{drkit_service="orders", drkit_control="velero-schedule/cluster-velero-half-hourly"} > 3420',
      for: "60s",
    });
  });

  it("fails when the schedule leaves no room for an alert before the target, naming the numbers and the fix", () => {
    expect(
      validateDrHealthMonitorArgs({
        service: "cluster",
        tier: "important",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k" },
        veleroSchedules: [{ schedule: "cluster-velero-hourly", cron: "0 * * * *" }],
      }),
    ).toEqual([
      'velero schedule "cluster-velero-hourly": an alert that fires 60 s before the RPO target of 3600 s needs a threshold of 3600 − 60 (lead) − 60 (for) − 30 (scrape) − 30 (evaluation) = 3420 s, but the schedule "0 * * * *" leaves up to 3600 s between two backups, so it would fire while healthy: no lead time leaves room for an alert: make the control\'s healthy age shorter (back up more often), or give the service a looser target',
    ]);
  });

  it("annotates the subscription's rule with what it bounds, so the posture model credits it by URN", async () => {
    const run = await runProgram(program({}, { neon: true }), base);
    const rule = run.ofType(RULE).find((r) => props(r).metadata.name.includes("postgres"))!;
    expect(props(rule).metadata.annotations).toEqual({
      "drkit.dev/alarm-for": "orders-db-primary",
      "drkit.dev/alarm-threshold-seconds": "240",
    });
    const report = assessGraph(toResourceGraph(run), {}, { now: new Date("2026-11-23T00:00:00Z") });
    const region = report.assessments.find((a) => a.service === "orders" && a.disruption === "region")!;
    expect([region.achievableRpoSeconds, region.status]).toEqual([240, "PolicyMet"]);
    expect(region.derivation[0]).toBe(
      "Neon orders-db-primary (aws-eu-central-1): Standby orders-db-standby in aws-us-east-2 is fed by logical replication; the deployed alarm orders-monitor-postgres-subscription-orders-drkit-sub (kubernetes:monitoring.coreos.com/v1:PrometheusRule) has fired by the time the lag reaches 240 s, which bounds the loss.",
    );
    expect(report.services.find((s) => s.name === "orders")!.assessed).toContain(rule.urn);
  });

  it("ships drkit's postgres_exporter queries in a ConfigMap beside the rules", async () => {
    const run = await runProgram(program(), base);
    const [queries] = run.ofType("kubernetes:core/v1:ConfigMap");
    expect(props(queries!).metadata.name).toBe("orders-monitor-postgres-exporter-queries");
    expect(props(queries!).data).toEqual({ "queries.yaml": POSTGRES_EXPORTER_QUERIES });
    expect(providerName(run, queries!)).toBe("dr-primary");
  });

  it("needs no queries without a subscription", async () => {
    const run = await runProgram(program({ postgresSubscriptions: undefined }), base);
    expect(run.ofType("kubernetes:core/v1:ConfigMap")).toEqual([]);
  });

  it("fails before creating anything when the arguments are wrong, listing every problem", async () => {
    const args = {
      service: "orders",
      tier: "gold",
      regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k" },
      cluster: "secondary",
      leadTimeSeconds: "60",
      forSecond: 30,
      postgresSubscriptions: [{ subscription: "Orders-Sub", alarmFor: "" }],
      redis: [{ backupCronJob: "sessions-redis-backup", backupCron: "every hour" }, { namespace: "redis" }],
    };
    expect(validateDrHealthMonitorArgs(args)).toEqual([
      "`forSecond` is not an argument drkit knows: did you mean `forSeconds`?",
      "`regions.secondary` has no Kubernetes provider, which the rules need: give `regions.secondaryKubeconfig`",
      '`rpoTargetSeconds` is required for tier "gold": drkit has default targets only for critical, important, standard; give the target your policy config sets',
      '`rtoTargetSeconds` is required for tier "gold": drkit has default targets only for critical, important, standard; give the target your policy config sets',
      '`leadTimeSeconds` must be a whole number of seconds from 0 to 86400 (got "60"): write it without quotes; omit it to use 60',
      "`redis[0].namespace` is required: the namespace Redis runs in",
      '`redis[0].backupCron` invalid cron expression "every hour": it has 2 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
      "`redis[1]` watches nothing: give `redisName`, `backupCronJob` with `backupCron`, or both",
      '`postgresSubscriptions[0].subscription` must be a PostgreSQL identifier as drkit names them (a-z, 0-9, _; at most 63) (got "Orders-Sub")',
      '`postgresSubscriptions[0].alarmFor` must be the primary project\'s resource name or URN (got "")',
    ]);
    expect(
      validateDrHealthMonitorArgs({
        service: "orders",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k" },
      }),
    ).toEqual([
      "nothing to monitor: give at least one of `veleroSchedules`, `redis`, `postgresSubscriptions`, `restoreDrills`",
    ]);
    const run = runProgram(() => {
      new DrHealthMonitor("m", args as never);
    }, base);
    await expect(run).rejects.toThrow(InvalidArgsError);
    await expect(run).rejects.toThrow(
      'DrHealthMonitor "m" has invalid arguments:\n  - `forSecond` is not an argument drkit knows',
    );
  });

  it("watches a restore drill through the series it pushes: overdue after the cron's gap plus its run time, failed, slower than the RTO target", async () => {
    const run = await runProgram(
      program({ restoreDrills: [{ kind: "postgres", cron: "30 4 * * *" }] }, { neon: true }),
      base,
    );
    const rule = run
      .ofType(RULE)
      .find((r) => props(r).metadata.name === "orders-monitor-restore-drill-postgres");
    expect(rule && crdProblems(props(rule) as never)).toEqual([]);
    const rules = rule ? props(rule).spec.groups[0]?.rules : [];
    const select = '{drkit_service="orders", drkit_drill_kind="postgres"}';
    expect(rules?.filter((r) => r.alert).map((r) => [r.alert, r.expr, r.for])).toEqual([
      [
        "DrkitRestoreDrillOverdue",
        // a daily drill leaves up to 86400 s between two runs, and may run 3600 s
        'drkit:restore_drill_last_success_age_seconds{drkit_service="orders", drkit_control="restore-drill/postgres"} > 90000',
        "60s",
      ],
      ["DrkitRestoreDrillFailed", `max(drkit_restore_drill_success${select}) == 0`, undefined],
      // critical: RTO target 3600 s
      ["DrkitRestoreDrillTooSlow", `max(drkit_restore_drill_restore_seconds${select}) > 3600`, undefined],
      [
        "DrkitRestoreDrillMetricsAbsent",
        `absent(drkit_restore_drill_last_run_timestamp_seconds${select})`,
        "90000s",
      ],
    ]);
  });

  it("fails when a restore drill's kind, cron or run time is wrong", () => {
    expect(
      validateDrHealthMonitorArgs({
        service: "orders",
        tier: "critical",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k" },
        restoreDrills: [
          { kind: "mysql", cron: "daily" },
          { kind: "redis", cron: "0 4 * * *", runSeconds: 10 },
        ],
      }),
    ).toEqual([
      '`restoreDrills[0].kind` must be one of postgres, redis, velero (got "mysql")',
      '`restoreDrills[0].cron` invalid cron expression "daily": it has 1 field, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
      "`restoreDrills[1].runSeconds` must be a whole number of seconds from 60 to 86400 (got 10); omit it to use 3600",
    ]);
  });

  it("takes a tier's target from the arguments, and small timings for tests through the same validated fields", () => {
    expect(
      validateDrHealthMonitorArgs({
        service: "orders",
        tier: "gold",
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k" },
        rpoTargetSeconds: 20,
        rtoTargetSeconds: 600,
        leadTimeSeconds: 4,
        forSeconds: 2,
        scrapeIntervalSeconds: 1,
        evaluationIntervalSeconds: 1,
        postgresSubscriptions: [
          {
            subscription: "orders_drkit_sub",
            alarmFor: "orders-db-primary",
            walReceiverTimeoutSeconds: 2,
            slotLossSeconds: 60,
          },
        ],
      }),
    ).toEqual([]);
  });
});
