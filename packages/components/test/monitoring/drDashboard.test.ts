import { runProgram, plainProperties, CapturedResource } from "@drkit/cli/harness";
import { DrDashboard, DrRegionPair, InvalidArgsError, validateDrDashboardArgs } from "@drkit/components";
import { drDashboard } from "../../src/monitoring/dashboard";
import { grafanaDashboardProblems } from "../../../../test/support/grafana";

const base = { project: "platform", stack: "prod" };
const props = (r: CapturedResource) =>
  plainProperties(r.inputs) as {
    metadata: { name: string; namespace: string; labels: Record<string, string> };
    data: Record<string, string>;
  };
const regions = {
  primaryRegion: "eu-west-1",
  secondaryRegion: "eu-central-1",
  primaryKubeconfig: "k1",
  secondaryKubeconfig: "k2",
};

describe("the DR dashboard", () => {
  const dashboard = drDashboard({ uid: "drkit-dr", title: "DR posture" });

  it("is a dashboard Grafana's schemas accept, every panel's options included", () => {
    expect(grafanaDashboardProblems(dashboard)).toEqual([]);
  });

  it("fails the schema check for what Grafana refuses: the check is live", () => {
    const { templating: _templating, ...noTemplating } = dashboard;
    expect(grafanaDashboardProblems(noTemplating)).toEqual(["/ must have required property 'templating'"]);
    const panels = dashboard.panels as { type: string; options: Record<string, unknown> }[];
    const badStat = panels.map((p) =>
      p.type === "stat" ? { ...p, options: { ...p.options, graphMode: "sparkline" } } : p,
    );
    expect(grafanaDashboardProblems({ ...dashboard, panels: badStat })).toEqual([
      "/panels/4/options/graphMode must be equal to one of the allowed values",
      "/panels/5/options/graphMode must be equal to one of the allowed values",
    ]);
  });

  it("shows, per service, each recovery point's age against its threshold and target, the lag, the RTO budget, the last exercise and the alerts", () => {
    const panels = dashboard.panels as {
      type: string;
      title: string;
      repeat?: string;
      targets?: { expr: string }[];
    }[];
    expect(panels.map((p) => [p.type, p.title, p.repeat ?? ""])).toEqual([
      ["row", "$service", "service"],
      ["timeseries", "Recovery point age against the RPO target", ""],
      ["table", "Now: recovery points, thresholds, targets", ""],
      ["timeseries", "Standby replication lag", ""],
      ["stat", "RTO budget", ""],
      ["stat", "Last DR exercise", ""],
      ["table", "DR alerts firing", ""],
    ]);
    expect(panels[1]!.targets!.map((t) => t.expr)).toEqual([
      'max by (drkit_control) (drkit:recovery_point_age_seconds{drkit_service="$service"})',
      'max by (drkit_control) (drkit:rpo_alert_threshold_seconds{drkit_service="$service"})',
      'max(drkit:rpo_target_seconds{drkit_service="$service"})',
    ]);
    expect(panels[5]!.targets!.map((t) => t.expr)).toEqual([
      'time() - max(drkit_exercise_last_success_timestamp_seconds{drkit_service="$service"})',
    ]);
  });
});

describe("DrDashboard", () => {
  it("provisions the dashboard through a ConfigMap Grafana's sidecar loads, in each cluster", async () => {
    const run = await runProgram(() => {
      new DrDashboard("dr-dashboard", { regions: new DrRegionPair("dr", regions) });
    }, base);
    const maps = run.ofType("kubernetes:core/v1:ConfigMap");
    expect(maps.map((m) => [run.providerOf(m)?.name, props(m).metadata])).toEqual([
      [
        "dr-primary",
        {
          name: "dr-dashboard",
          namespace: "monitoring",
          labels: { grafana_dashboard: "1", "app.kubernetes.io/managed-by": "drkit" },
        },
      ],
      [
        "dr-secondary",
        {
          name: "dr-dashboard",
          namespace: "monitoring",
          labels: { grafana_dashboard: "1", "app.kubernetes.io/managed-by": "drkit" },
        },
      ],
    ]);
    const json = JSON.parse(props(maps[0]!).data["dr-dashboard.json"]!) as { uid: string; title: string };
    expect([json.uid, json.title]).toEqual(["drkit-dr-dashboard", "DR posture"]);
    expect(grafanaDashboardProblems(json)).toEqual([]);
  });

  it("fails before creating anything when a cluster has no kubeconfig or an argument is wrong", async () => {
    expect(
      validateDrDashboardArgs(
        {
          regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k1" },
          clusters: ["primary", "tertiary"],
          titel: "x",
        },
        "DR_Dashboard",
      ),
    ).toEqual([
      "`name` \"DR_Dashboard\" must be a Kubernetes object name (lowercase letters, digits, '-' and '.', at most 253 characters): it names the ConfigMaps",
      "`titel` is not an argument drkit knows: did you mean `title`?",
      '`clusters[1]` must be "primary" or "secondary" (got "tertiary")',
    ]);
    expect(
      validateDrDashboardArgs({
        regions: { primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1", primaryKubeconfig: "k1" },
      }),
    ).toEqual([
      "`regions.secondary` has no Kubernetes provider: give `regions.secondaryKubeconfig`, or list the clusters that have one in `clusters`",
    ]);
    await expect(runProgram(() => void new DrDashboard("d", { regions, title: "" }), base)).rejects.toThrow(
      InvalidArgsError,
    );
  });
});
