// Velero fails closed: partial protection, retention shorter than the time to notice, every schedule named,
// and Kubernetes data holders judged only by a schedule of their own cluster that covers them.
import { assessGraph, Assessment, Disruption, JsonObject, PostureInputError, ResourceGraph } from "../src";
import { GraphBuilder, labels, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const assess = (graph: ResourceGraph, policy = {}) => assessGraph(graph, policy, { now });
function pick(report: ReturnType<typeof assess>, service: string, disruption: Disruption): Assessment {
  const found = report.assessments.find((a) => a.service === service && a.disruption === disruption);
  if (!found) throw new Error(`no assessment for ${service}/${disruption}`);
  return found;
}
const summary = (a: Assessment) => [a.achievableRpoSeconds, a.achievableRtoSeconds, a.status];

const RESTORE =
  "RTO = detection 300 s (alarm pages the on-call, estimate `incidentDetectionSeconds`) + decision 900 s (operator decides to recover, estimate `operatorDecisionSeconds`) + action 1800 s (velero restore, estimate `veleroRestoreSeconds`) + propagation 0 s (none) = 3000 s.";
const HOURLY_GAP =
  'Backups run on "0 * * * *": the longest gap between two runs is 3600 s (1h), the data a restore can lose.';
const TTL_30D_OK =
  "TTL 30d (2592000 s) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.";

/**
 * The platform's `cluster` service in eu-west-1: a Velero bucket replicated with RTC to eu-central-1, its
 * location, and one schedule per entry of `schedules` (each a change to a valid hourly schedule).
 */
function cluster(
  g: GraphBuilder,
  schedules: Record<string, { spec?: JsonObject; template?: JsonObject }> = { hourly: {} },
  options: { tier?: string; lifecycleDays?: number } = {},
) {
  const tier = options.tier ?? "important";
  const bucket = g.add(
    "aws:s3/bucket:Bucket",
    "velero-backups",
    { tags: tags("cluster", tier) },
    {
      region: "eu-west-1",
    },
  );
  const replica = g.add(
    "aws:s3/bucket:Bucket",
    "velero-backups-replica",
    { tags: tags("cluster", tier) },
    {
      region: "eu-central-1",
    },
  );
  g.add(
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    "velero-replication",
    {
      rules: [
        { status: "Enabled", destination: { replicationTime: { status: "Enabled", time: { minutes: 15 } } } },
      ],
    },
    { deps: { bucket: [bucket], rules: [replica] }, region: "eu-west-1" },
  );
  if (options.lifecycleDays !== undefined) {
    g.add(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "velero-backups-retention",
      {
        rules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: options.lifecycleDays } }],
      },
      { deps: { bucket: [bucket] }, region: "eu-west-1" },
    );
  }
  g.add(
    "kubernetes:velero.io/v1:BackupStorageLocation",
    "primary-location",
    {
      metadata: { name: "primary", labels: labels("cluster", "eu-west-1", tier) },
      spec: { objectStorage: { bucket: "velero-backups" }, config: { region: "eu-west-1" } },
    },
    { deps: { spec: [bucket] } },
  );
  for (const [name, change] of Object.entries(schedules)) {
    g.add("kubernetes:velero.io/v1:Schedule", name, {
      metadata: { name, labels: labels("cluster", "eu-west-1", tier) },
      spec: {
        schedule: "0 * * * *",
        template: {
          storageLocation: "primary",
          ttl: "720h",
          excludedNamespaces: ["kube-system"],
          defaultVolumesToFsBackup: true,
          snapshotVolumes: false,
          ...change.template,
        },
        ...change.spec,
      },
    });
  }
}

/** A PersistentVolumeClaim of service `orders` (tier important) in `namespace`, in the cluster of `region`. */
function claim(
  g: GraphBuilder,
  options: { namespace?: string; region?: string; name?: string; extraLabels?: JsonObject } = {},
) {
  return g.add("kubernetes:core/v1:PersistentVolumeClaim", options.name ?? "orders-data", {
    metadata: {
      name: options.name ?? "orders-data",
      namespace: options.namespace ?? "orders",
      labels: { ...labels("orders", options.region ?? "eu-west-1", "important"), ...options.extraLabels },
    },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } },
  });
}

describe("partial protection is not protection", () => {
  it("fails when the schedule selects by label: the volumes it may leave out have no bound", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { labelSelector: { matchLabels: { backup: "yes" } } } } });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation).toEqual([
      "Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, only objects labelled backup=yes, volume data by file-system backup.",
      "Velero schedule hourly (eu-west-1): Leaves out objects its labelSelector (backup=yes) does not select: no other schedule of the cluster backs up all of its namespaces, so that part has no bound.",
      "Velero schedule hourly (eu-west-1): RPO no bound.",
      "Velero schedule hourly (eu-west-1): RTO: no bound (no recovery path).",
      "Service RPO is the worst component's: no bound (Velero schedule hourly (eu-west-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: no bound (Velero schedule hourly (eu-west-1)).",
      "RPO no bound exceeds the important target of 1h.",
      "RTO no bound exceeds the important target of 4h.",
    ]);
  });

  it.each([
    [
      "excludes persistentvolumeclaims",
      { excludedResources: ["persistentvolumeclaims"] },
      "Velero schedule hourly (eu-west-1): Leaves out volume data: persistentvolumeclaims (excludedResources): no other schedule of the cluster backs up all of its namespaces, so that part has no bound.",
    ],
    [
      "lists resources without the volumes'",
      { includedResources: ["deployments", "configmaps"] },
      "Velero schedule hourly (eu-west-1): Leaves out volume data: persistentvolumeclaims, persistentvolumes and pods (includedResources: deployments, configmaps): no other schedule of the cluster backs up all of its namespaces, so that part has no bound.",
    ],
    [
      "takes no volume data (snapshotVolumes: false, no file-system backup)",
      { defaultVolumesToFsBackup: false },
      "Velero schedule hourly (eu-west-1): Leaves out volume data (snapshotVolumes: false without defaultVolumesToFsBackup): no other schedule of the cluster backs up all of its namespaces, so that part has no bound.",
    ],
  ])("fails when the schedule %s", (_t, template, line) => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template } });
    const report = assess(g.graph);
    for (const d of ["software", "zone", "region"] as const) {
      expect(summary(pick(report, "cluster", d))).toEqual([null, null, "PolicyBreached"]);
      expect(pick(report, "cluster", d).derivation).toContain(line);
    }
  });

  it("fails when the schedule is paused, saying no backups are taken", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { spec: { paused: true } } });
    const zone = pick(assess(g.graph), "cluster", "zone");
    expect(summary(zone)).toEqual([null, null, "PolicyBreached"]);
    expect(zone.derivation.slice(0, 2)).toEqual([
      "Velero schedule hourly (eu-west-1): The schedule is paused: no new backups are taken.",
      "Velero schedule hourly (eu-west-1): RPO no bound.",
    ]);
  });

  it("bounds a label-selected schedule by a complete schedule of the same cluster: the worse of the two", () => {
    const g = new GraphBuilder();
    cluster(g, {
      hourly: { template: { labelSelector: { matchLabels: { backup: "yes" } } } },
      daily: { spec: { schedule: "0 3 * * *" } },
    });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([86_400, 3_000, "PolicyBreached"]);
    expect(software.derivation.slice(0, 6)).toEqual([
      "Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, only objects labelled backup=yes, volume data by file-system backup.",
      "Velero schedule hourly (eu-west-1): Leaves out objects its labelSelector (backup=yes) does not select: Velero schedule daily (eu-west-1) backs up all of its namespaces, so that part is bounded by it (RPO 86400 s).",
      `Velero schedule hourly (eu-west-1): ${HOURLY_GAP}`,
      `Velero schedule hourly (eu-west-1): ${TTL_30D_OK}`,
      "Velero schedule hourly (eu-west-1): RPO 86400 s.",
      `Velero schedule hourly (eu-west-1): ${RESTORE}`,
    ]);
  });
});

describe("a recovery point counts only while it still exists when it is needed", () => {
  it("fails when the TTL is shorter than the gap plus detection: 1h < 3600 s + 300 s", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { ttl: "1h" } } });
    const report = assess(g.graph);
    const software = pick(report, "cluster", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation.slice(0, 4)).toEqual([
      "Velero schedule hourly (eu-west-1): Backs up every namespace except kube-system, every resource kind, volume data by file-system backup.",
      `Velero schedule hourly (eu-west-1): ${HOURLY_GAP}`,
      "Velero schedule hourly (eu-west-1): TTL 1h (3600 s) < gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption is deleted before anyone can restore it: no bound.",
      "Velero schedule hourly (eu-west-1): RPO no bound.",
    ]);
    expect(summary(pick(report, "cluster", "zone"))).toEqual([null, null, "PolicyBreached"]);
    expect(summary(pick(report, "cluster", "region"))).toEqual([null, null, "PolicyBreached"]);
  });

  it("credits a TTL exactly as long as the gap plus detection (65m = 3900 s)", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { ttl: "1h5m" } } });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(software.derivation[2]).toBe(
      "Velero schedule hourly (eu-west-1): TTL 1h 5m (3900 s) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
    );
  });

  it("takes Velero's default TTL of 720h when none is set, and says so", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { ttl: null } } });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(software.derivation[2]).toBe(
      "Velero schedule hourly (eu-west-1): TTL 30d (2592000 s, Velero's default: spec.template.ttl is not set) ≥ gap 3600 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
    );
  });

  it("fails when the backup bucket's lifecycle expires backups before anyone notices: 1 day < 86400 s + 300 s", () => {
    const g = new GraphBuilder();
    cluster(g, { daily: { spec: { schedule: "0 3 * * *" } } }, { tier: "standard", lifecycleDays: 1 });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation.slice(1, 5)).toEqual([
      'Velero schedule daily (eu-west-1): Backups run on "0 3 * * *": the longest gap between two runs is 86400 s (1d), the data a restore can lose.',
      "Velero schedule daily (eu-west-1): TTL 30d (2592000 s) ≥ gap 86400 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption still exists when it is noticed.",
      "Velero schedule daily (eu-west-1): Bucket velero-backups: lifecycle rule `expire` expires every object 1 day after it is written (1 × 86400 s = 86400 s) < gap 86400 s + detection 300 s (`incidentDetectionSeconds`): the backup that predates a disruption is deleted before anyone can restore it: no bound.",
      "Velero schedule daily (eu-west-1): RPO no bound.",
    ]);
  });

  it("fails on a TTL that is not a Go duration, naming resource, field and the valid form", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { ttl: "30 days" } } });
    expect(() => assess(g.graph)).toThrow(
      new PostureInputError(
        "urn:pulumi:prod::platform::kubernetes:velero.io/v1:Schedule::hourly",
        "spec.template.ttl",
        'is "30 days", not a Go duration: write it like "720h" or "168h30m"',
      ),
    );
  });
});

describe("every component counts", () => {
  it("assesses and names each schedule of a service; the worst one bounds the service", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: {}, "every-six-hours": { spec: { schedule: "0 */6 * * *" } } });
    const software = pick(assess(g.graph), "cluster", "software");
    expect(summary(software)).toEqual([21_600, 3_000, "PolicyBreached"]);
    expect(software.derivation.filter((l) => / RPO \d+ s\.$/.test(l))).toEqual([
      "Velero schedule hourly (eu-west-1): RPO 3600 s.",
      "Velero schedule every-six-hours (eu-west-1): RPO 21600 s.",
    ]);
    expect(software.derivation).toContain(
      "Service RPO is the worst component's: 6h (Velero schedule every-six-hours (eu-west-1)).",
    );
  });
});

describe("nothing is invisible: Kubernetes data holders", () => {
  it("judges a claim covered by a schedule of its cluster, from another service, with an estimate of its own", () => {
    const g = new GraphBuilder();
    cluster(g);
    const pvc = claim(g);
    const report = assess(g.graph);
    const software = pick(report, "orders", "software");
    expect(summary(software)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(software.derivation).toEqual([
      "PersistentVolumeClaim orders/orders-data (eu-west-1): Backed up by Velero schedule hourly (eu-west-1): namespace orders, volume data by file-system backup.",
      `PersistentVolumeClaim orders/orders-data (eu-west-1): ${HOURLY_GAP}`,
      `PersistentVolumeClaim orders/orders-data (eu-west-1): ${TTL_30D_OK}`,
      "PersistentVolumeClaim orders/orders-data (eu-west-1): RPO 3600 s.",
      `PersistentVolumeClaim orders/orders-data (eu-west-1): ${RESTORE}`,
      "Service RPO is the worst component's: 1h (PersistentVolumeClaim orders/orders-data (eu-west-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: 50m (PersistentVolumeClaim orders/orders-data (eu-west-1)).",
    ]);
    expect(summary(pick(report, "orders", "hardware"))).toEqual([0, 1_500, "PolicyMet"]);
    expect(summary(pick(report, "orders", "zone"))).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(summary(pick(report, "orders", "region"))).toEqual([4_500, 3_000, "PolicyBreached"]);
    const orders = report.services.find((s) => s.name === "orders")!;
    expect([orders.assessed, orders.notAssessed]).toEqual([[pvc.urn], []]);
  });

  it.each([
    [
      "in a namespace the schedule excludes",
      {},
      { namespace: "kube-system" },
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly leaves out namespace kube-system (excludedNamespaces)",
    ],
    [
      "outside the namespaces the schedule lists",
      { template: { includedNamespaces: ["billing"] } },
      {},
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly leaves out namespace orders (includedNamespaces: billing)",
    ],
    [
      "when the schedule excludes claims",
      { template: { excludedResources: ["pvc"] } },
      {},
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly leaves out volume data: persistentvolumeclaims (excludedResources)",
    ],
    [
      "when the schedule's label selector does not select it",
      { template: { labelSelector: { matchLabels: { backup: "yes" } } } },
      {},
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly selects only objects labelled backup=yes, and its labels do not match",
    ],
    [
      "when the schedule takes no volume data",
      { template: { defaultVolumesToFsBackup: false } },
      {},
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly leaves out volume data (snapshotVolumes: false without defaultVolumesToFsBackup)",
    ],
    [
      "when the schedule is paused",
      { spec: { paused: true } },
      {},
      "no Velero schedule of its cluster (eu-west-1) covers it: hourly is paused",
    ],
    [
      "in another cluster, where no schedule runs",
      {},
      { region: "eu-central-1" },
      "it holds a persistent volume's data, and no Velero schedule runs in its cluster (eu-central-1): add one that covers namespace orders",
    ],
  ])("is NotAssessed %s, naming why", (_t, schedule, where, reason) => {
    const g = new GraphBuilder();
    cluster(g, { hourly: schedule });
    claim(g, where);
    const report = assess(g.graph);
    expect(report.services.find((s) => s.name === "orders")!.notAssessed).toEqual([
      {
        urn: "urn:pulumi:prod::platform::kubernetes:core/v1:PersistentVolumeClaim::orders-data",
        type: "kubernetes:core/v1:PersistentVolumeClaim",
        name: "orders-data",
        reason,
      },
    ]);
    for (const d of ["software", "hardware", "zone", "region"] as const)
      expect(pick(report, "orders", d).status).toBe("NotAssessed");
  });

  it("judges a StatefulSet when the label selector selects its pods and every volume claim template", () => {
    const g = new GraphBuilder();
    cluster(g, { hourly: { template: { labelSelector: { matchLabels: { backup: "yes" } } } } }, {});
    g.add("kubernetes:apps/v1:StatefulSet", "queue", {
      metadata: { name: "queue", namespace: "queue", labels: labels("queue", "eu-west-1", "important") },
      spec: {
        template: { metadata: { labels: { app: "queue", backup: "yes" } } },
        volumeClaimTemplates: [{ metadata: { name: "data", labels: { backup: "yes" } } }],
      },
    });
    const zone = pick(assess(g.graph), "queue", "zone");
    expect(summary(zone)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(zone.derivation.slice(0, 2)).toEqual([
      "StatefulSet queue/queue (eu-west-1): Backed up by Velero schedule hourly (eu-west-1): namespace queue, objects labelled backup=yes, volume data by file-system backup.",
      "StatefulSet queue/queue (eu-west-1): Volumes are zonal: a zone loss is recovered from the latest backup, in the same region.",
    ]);
  });

  it("judges a claim that one of the schedule's orLabelSelectors selects", () => {
    const g = new GraphBuilder();
    cluster(g, {
      hourly: {
        template: {
          orLabelSelectors: [
            { matchLabels: { backup: "yes" } },
            { matchExpressions: [{ key: "tier", operator: "In", values: ["data", "state"] }] },
          ],
        },
      },
    });
    claim(g, { extraLabels: { tier: "state" } });
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(software.derivation[0]).toBe(
      "PersistentVolumeClaim orders/orders-data (eu-west-1): Backed up by Velero schedule hourly (eu-west-1): namespace orders, objects labelled backup=yes or tier In (data, state), volume data by file-system backup.",
    );
  });

  it("takes, per disruption, the best schedule that covers a claim", () => {
    const g = new GraphBuilder();
    cluster(g, {
      daily: { spec: { schedule: "0 3 * * *" } },
      hourly: { template: { includedNamespaces: ["orders"] } },
    });
    claim(g);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([3_600, 3_000, "PolicyMet"]);
    expect(software.derivation[0]).toBe(
      "PersistentVolumeClaim orders/orders-data (eu-west-1): Backed up by Velero schedule hourly (eu-west-1): namespace orders, volume data by file-system backup.",
    );
  });
});
