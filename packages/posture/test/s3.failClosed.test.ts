// The S3 rule fails closed: partial replication is not protection, a recovery point counts only while it
// still exists, every bucket counts, and nothing it cannot read is passed over in silence.
import {
  assessGraph,
  Assessment,
  Disruption,
  GraphIndex,
  GraphResource,
  JsonObject,
  JsonValue,
  ResourceGraph,
  resolveResiliencyPolicy,
  UNKNOWN_VALUE,
} from "../src";
import { objectRetention } from "../src/rules/s3";
import { GraphBuilder, labels, tags } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const assess = (graph: ResourceGraph, policy = {}) => assessGraph(graph, policy, { now });
function pick(report: ReturnType<typeof assess>, service: string, disruption: Disruption): Assessment {
  const found = report.assessments.find((a) => a.service === service && a.disruption === disruption);
  if (!found) throw new Error(`no assessment for ${service}/${disruption}`);
  return found;
}
const summary = (a: Assessment) => [a.achievableRpoSeconds, a.achievableRtoSeconds, a.status];

const BUCKET = "aws:s3/bucket:Bucket";
const C = "bucket orders-data (eu-west-1)";
const RTC = { replicationTime: { status: "Enabled", time: { minutes: 15 } } };
const RTO_REGION = `${C}: RTO = detection 300 s (alarm pages the on-call, estimate \`incidentDetectionSeconds\`) + decision 900 s (operator decides to recover, estimate \`operatorDecisionSeconds\`) + action 300 s (point applications at the replica, estimate \`s3ReplicaSwitchSeconds\`) + propagation 0 s (none) = 1500 s.`;
const RTO_SOFTWARE = `${C}: RTO = detection 300 s (alarm pages the on-call, estimate \`incidentDetectionSeconds\`) + decision 900 s (operator decides to recover, estimate \`operatorDecisionSeconds\`) + action 1800 s (restore previous versions, estimate \`s3VersionRestoreSeconds\`) + propagation 0 s (none) = 3000 s.`;
const NO_BOUND = [
  `${C}: RPO no bound.`,
  `${C}: RTO: no bound (no recovery path).`,
  `Service RPO is the worst component's: no bound (${C}).`,
  `Components recover in parallel, so the service RTO is the slowest recovery: no bound (${C}).`,
  "RPO no bound exceeds the critical target of 5m.",
  "RTO no bound exceeds the critical target of 1h.",
];

/** A bucket of service `orders` in eu-west-1, versioned unless told otherwise. */
function dataBucket(
  g: GraphBuilder,
  options: { name?: string; versioned?: boolean; properties?: JsonObject } = {},
): GraphResource {
  const name = options.name ?? "orders-data";
  const bucket = g.add(
    BUCKET,
    name,
    { tags: tags("orders"), ...options.properties },
    { region: "eu-west-1" },
  );
  if (options.versioned ?? true)
    g.add(
      "aws:s3/bucketVersioning:BucketVersioning",
      `${name}-versioning`,
      { versioningConfiguration: { status: "Enabled" } },
      { region: "eu-west-1", deps: { bucket: [bucket] } },
    );
  return bucket;
}

/** A replica bucket (a recovery copy, not data of its own). */
const replicaBucket = (g: GraphBuilder, name = "orders-data-replica", region = "eu-central-1") =>
  g.add(BUCKET, name, { tags: tags("orders") }, { region });

/** A replication rule to the replica: unfiltered, RTC on, delete markers off, unless changed. */
const rule = (changes: JsonObject = {}): JsonObject => ({
  id: "to-secondary",
  status: "Enabled",
  filter: {},
  deleteMarkerReplication: { status: "Disabled" },
  destination: { bucket: "arn:aws:s3:::orders-data-replica", ...RTC },
  ...changes,
});

function replicate(
  g: GraphBuilder,
  source: GraphResource,
  rules: JsonValue[],
  destinations: GraphResource[],
) {
  return g.add(
    "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    `${source.name}-replication`,
    { rules },
    { region: "eu-west-1", deps: { bucket: [source], rules: destinations } },
  );
}

/** A lifecycle configuration (tagged only where a test needs it counted in the service's coverage). */
function lifecycle(g: GraphBuilder, bucket: GraphResource, rules: JsonValue[], properties: JsonObject = {}) {
  return g.add(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    `${bucket.name}-lifecycle`,
    { rules, ...properties },
    { region: "eu-west-1", deps: { bucket: [bucket] } },
  );
}

const expireNoncurrent = (noncurrentVersionExpiration: JsonObject, changes: JsonObject = {}): JsonObject => ({
  id: "expire-noncurrent",
  status: "Enabled",
  filter: {},
  noncurrentVersionExpiration,
  ...changes,
});

describe("partial protection is not protection (replication rules)", () => {
  it("fails when a one-prefix replication rule is credited as protecting the whole bucket", () => {
    const g = new GraphBuilder();
    replicate(g, dataBucket(g), [rule({ filter: { prefix: "invoices/" } })], [replicaBucket(g)]);
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation).toEqual([
      `${C}: Replication rule \`to-secondary\` replicates only keys under prefix \`invoices/\` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
      ...NO_BOUND,
    ]);
    expect(region.sources.map((s) => s.id)).toEqual(["s3-replication-scope", "s3-delete-markers"]);
  });

  it.each<[string, JsonObject, string]>([
    [
      "a tag filter",
      { filter: { tag: { key: "class", value: "invoice" } } },
      "objects tagged `class=invoice`",
    ],
    [
      "an `and` filter of prefix and tags",
      { filter: { and: { prefix: "invoices/", tags: { class: "invoice", year: "2026" } } } },
      "keys under prefix `invoices/` tagged `class=invoice`, `year=2026`",
    ],
    [
      "an `and` filter of tags alone",
      { filter: { and: { tags: { class: "invoice" } } } },
      "objects tagged `class=invoice`",
    ],
    ["the legacy rule prefix", { filter: null, prefix: "invoices/" }, "keys under prefix `invoices/`"],
  ])("fails when %s covers only part of the bucket, naming the part", (_t, changes, part) => {
    const g = new GraphBuilder();
    const r = rule(changes);
    if (changes.filter === null) delete r.filter;
    replicate(g, dataBucket(g), [r], [replicaBucket(g)]);
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation[0]).toBe(
      `${C}: Replication rule \`to-secondary\` replicates only ${part} to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.`,
    );
  });

  it.each<[string, JsonObject]>([
    ["an empty filter", { filter: {} }],
    ["an empty filter prefix", { filter: { prefix: "" } }],
    ["an empty legacy prefix", { filter: null, prefix: "" }],
    ["no filter at all", { filter: null }],
  ])("credits %s as covering every object: RTC bounds it at 900 s", (_t, changes) => {
    const g = new GraphBuilder();
    const r = rule(changes);
    if (changes.filter === null) delete r.filter;
    replicate(g, dataBucket(g), [r], [replicaBucket(g)]);
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([900, 1500, "PolicyBreached"]);
    expect(region.derivation.slice(0, 4)).toEqual([
      `${C}: Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
      `${C}: RPO 900 s.`,
      RTO_REGION,
    ]);
  });

  it("fails when the only rule is disabled, and says it is disabled", () => {
    const g = new GraphBuilder();
    replicate(g, dataBucket(g), [rule({ status: "Disabled" })], [replicaBucket(g)]);
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation).toEqual([
      `${C}: Replication rule \`to-secondary\` is disabled: it copies nothing.`,
      `${C}: No enabled replication rule copies it out of eu-west-1: a region loss loses it.`,
      ...NO_BOUND,
    ]);
    expect(region.sources.map((s) => s.id)).toEqual(["s3-replication-scope"]);
  });

  it("fails when the unfiltered rule is disabled and an enabled rule covers only a prefix", () => {
    const g = new GraphBuilder();
    replicate(
      g,
      dataBucket(g),
      [
        rule({ id: "everything", status: "Disabled", priority: 1 }),
        rule({ id: "invoices", filter: { prefix: "invoices/" }, priority: 2 }),
      ],
      [replicaBucket(g)],
    );
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation.slice(0, 3)).toEqual([
      `${C}: Replication rule \`everything\` is disabled: it copies nothing.`,
      `${C}: Replication rule \`invoices\` replicates only keys under prefix \`invoices/\` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
    ]);
  });

  it("fails when several filtered rules together still leave objects uncovered, naming each part", () => {
    const g = new GraphBuilder();
    replicate(
      g,
      dataBucket(g),
      [
        rule({ id: "invoices", filter: { prefix: "invoices/" }, priority: 1 }),
        rule({ id: "receipts", filter: { tag: { key: "class", value: "receipt" } }, priority: 2 }),
      ],
      [replicaBucket(g)],
    );
    expect(pick(assess(g.graph), "orders", "region").derivation[0]).toBe(
      `${C}: Replication rules \`invoices\` (keys under prefix \`invoices/\`) and \`receipts\` (objects tagged \`class=receipt\`) replicate only part of the bucket to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.`,
    );
  });

  it("an unfiltered RTC rule covers every object: with a filtered RTC rule beside it, 900 s", () => {
    const g = new GraphBuilder();
    replicate(
      g,
      dataBucket(g),
      [
        rule({ id: "everything", priority: 1 }),
        rule({ id: "invoices", filter: { prefix: "invoices/" }, priority: 2 }),
      ],
      [replicaBucket(g)],
    );
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([900, 1500, "PolicyBreached"]);
    expect(region.derivation[0]).toBe(
      `${C}: Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
    );
  });

  it("fails when a covering rule has no RTC: the worst covering rule bounds the bucket", () => {
    const g = new GraphBuilder();
    replicate(
      g,
      dataBucket(g),
      [
        rule({ id: "everything", priority: 1 }),
        rule({
          id: "logs",
          filter: { prefix: "logs/" },
          priority: 2,
          destination: { bucket: "arn:aws:s3:::orders-data-replica" },
        }),
      ],
      [replicaBucket(g)],
    );
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, 1500, "PolicyBreached"]);
    expect(region.derivation.slice(0, 3)).toEqual([
      `${C}: Replication rule \`logs\` (keys under prefix \`logs/\`) copies to eu-central-1 without Replication Time Control: nothing bounds the lag of the objects it copies, so the RPO has no bound.`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
      `${C}: RPO no bound.`,
    ]);
    expect(region.sources.map((s) => s.id)).toEqual([
      "s3-replication-no-rtc",
      "s3-replication-scope",
      "s3-delete-markers",
    ]);
  });

  it("fails when a rule copies within the bucket's own region, saying that copy does not survive", () => {
    const g = new GraphBuilder();
    replicate(g, dataBucket(g), [rule()], [replicaBucket(g, "orders-data-copy", "eu-west-1")]);
    const region = pick(assess(g.graph), "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation.slice(0, 2)).toEqual([
      `${C}: Replication rule \`to-secondary\` copies to eu-west-1, the bucket's own region: that copy does not survive a region loss.`,
      `${C}: No enabled replication rule copies it out of eu-west-1: a region loss loses it.`,
    ]);
  });

  it("counts delete-marker replication of enabled cross-region rules only", () => {
    const g = new GraphBuilder();
    const north = replicaBucket(g, "orders-data-north", "eu-north-1");
    const central = replicaBucket(g);
    replicate(
      g,
      dataBucket(g),
      [
        rule({
          id: "to-central",
          priority: 1,
          deleteMarkerReplication: { status: "Enabled" },
          destination: { bucket: "arn:aws:s3:::orders-data-replica", ...RTC },
        }),
        rule({
          id: "to-north",
          priority: 2,
          destination: { bucket: "arn:aws:s3:::orders-data-north", ...RTC },
        }),
        rule({ id: "old", status: "Disabled", priority: 3, deleteMarkerReplication: { status: "Enabled" } }),
      ],
      [central, north],
    );
    expect(pick(assess(g.graph), "orders", "region").derivation.slice(0, 3)).toEqual([
      `${C}: Replication rule \`old\` is disabled: it copies nothing.`,
      `${C}: Replicated to eu-central-1, eu-north-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      `${C}: Delete markers are replicated by rule \`to-central\` (outside the RTC SLA) but not by rule \`to-north\`: a delete in the source hides the replica's copy only where rule \`to-central\` copies it.`,
    ]);
  });

  it("a disabled rule's delete-marker setting does not count", () => {
    const g = new GraphBuilder();
    replicate(
      g,
      dataBucket(g),
      [
        rule({ id: "now", priority: 1 }),
        rule({ id: "old", status: "Disabled", priority: 2, deleteMarkerReplication: { status: "Enabled" } }),
      ],
      [replicaBucket(g)],
    );
    expect(pick(assess(g.graph), "orders", "region").derivation.slice(0, 3)).toEqual([
      `${C}: Replication rule \`old\` is disabled: it copies nothing.`,
      `${C}: Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
    ]);
  });

  it("a Velero backup bucket replicated under one prefix gives the cluster no region bound", () => {
    const g = new GraphBuilder();
    const bucket = g.add(BUCKET, "velero-backups", { tags: tags("cluster") }, { region: "eu-west-1" });
    const replica = g.add(
      BUCKET,
      "velero-backups-replica",
      { tags: tags("cluster") },
      { region: "eu-central-1" },
    );
    replicate(g, bucket, [rule({ id: "backups", filter: { prefix: "backups/" } })], [replica]);
    g.add(
      "kubernetes:velero.io/v1:BackupStorageLocation",
      "primary-location",
      {
        metadata: { name: "primary", labels: labels("cluster", "eu-west-1") },
        spec: { objectStorage: { bucket: "velero-backups" }, config: { region: "eu-west-1" } },
      },
      { deps: { spec: [bucket] } },
    );
    g.add("kubernetes:velero.io/v1:Schedule", "hourly", {
      metadata: { labels: labels("cluster", "eu-west-1") },
      spec: {
        schedule: "0 * * * *",
        template: { storageLocation: "primary", defaultVolumesToFsBackup: true },
      },
    });
    const region = pick(assess(g.graph), "cluster", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation).toContain(
      'Velero schedule hourly (eu-west-1): Storage location "primary" is in the cluster\'s own region (eu-west-1). Its bucket velero-backups: Replication rule `backups` replicates only keys under prefix `backups/` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.',
    );
  });
});

describe("a recovery point counts only while it still exists (lifecycle rules)", () => {
  it("fails when noncurrent versions expire after 0 days yet versioning is credited with RPO 0", () => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g);
    lifecycle(g, bucket, [expireNoncurrent({ noncurrentDays: 0 })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation).toEqual([
      `${C}: Versioning is enabled: the version before a bad write or delete is kept only until a lifecycle rule deletes it.`,
      `${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 0 days after they are replaced (0 × 86400 s = 0 s), sooner than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
      ...NO_BOUND,
    ]);
    expect(software.sources.map((s) => s.id)).toEqual(["s3-versioning", "s3-lifecycle-noncurrent"]);
  });

  it("fails when noncurrent versions expire sooner than a bad write is noticed: 1 day against 2 days", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 1 })]);
    const software = pick(
      assess(g.graph, { estimates: { incidentDetectionSeconds: 172_800 } }),
      "orders",
      "software",
    );
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation[1]).toBe(
      `${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 1 day after they are replaced (1 × 86400 s = 86400 s), sooner than it takes to notice a bad write (172800 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
    );
  });

  it("credits versions kept longer than it takes to notice a bad write, showing the arithmetic", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 30 })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([0, 3000, "PolicyMet"]);
    expect(software.derivation.slice(0, 4)).toEqual([
      `${C}: Versioning is enabled: the version before a bad write or delete is kept, so RPO is 0 s.`,
      `${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 30 days after they are replaced (30 × 86400 s = 2592000 s), longer than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version is still there when it is needed.`,
      `${C}: RPO 0 s.`,
      RTO_SOFTWARE,
    ]);
  });

  it("fails when a rule scoped to a prefix expires its part too soon: the worst applicable rule bounds the bucket", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [
      expireNoncurrent({ noncurrentDays: 30 }, { id: "keep-a-month" }),
      expireNoncurrent({ noncurrentDays: 0 }, { id: "drop-tmp", filter: { prefix: "tmp/" } }),
    ]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation[1]).toBe(
      `${C}: Lifecycle rule \`drop-tmp\` deletes noncurrent versions of keys under prefix \`tmp/\` 0 days after they are replaced (0 × 86400 s = 0 s), sooner than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
    );
  });

  it.each<[string, JsonObject]>([
    ["larger than a size", { objectSizeGreaterThan: 1_048_576 }],
    ["of a tag and size", { and: { tags: { class: "cache" }, objectSizeLessThan: 1024 } }],
  ])("fails when a rule scoped to objects %s expires them too soon, naming the part", (_t, filter) => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 0 }, { filter })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(software.derivation[1]).toMatch(
      filter.and
        ? /^bucket orders-data \(eu-west-1\): Lifecycle rule `expire-noncurrent` deletes noncurrent versions of objects tagged `class=cache` smaller than 1024 bytes 0 days after/
        : /^bucket orders-data \(eu-west-1\): Lifecycle rule `expire-noncurrent` deletes noncurrent versions of objects larger than 1048576 bytes 0 days after/,
    );
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
  });

  it("a disabled lifecycle rule deletes nothing", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 0 }, { status: "Disabled" })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([0, 3000, "PolicyMet"]);
    expect(software.derivation[0]).toBe(
      `${C}: Versioning is enabled: the version before a bad write or delete is kept, so RPO is 0 s.`,
    );
  });

  it("with newerNoncurrentVersions, counts only the days: N + 1 bad writes leave the good version nothing else", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 30, newerNoncurrentVersions: 3 })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([0, 3000, "PolicyMet"]);
    expect(software.derivation.slice(1, 3)).toEqual([
      `${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 30 days after they are replaced (30 × 86400 s = 2592000 s), longer than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version is still there when it is needed.`,
      `${C}: Lifecycle rule \`expire-noncurrent\` also keeps the 3 newest noncurrent versions past that age, but 4 bad writes in a row push the good version behind 3 newer ones: drkit counts only the 30 days, which S3 waits in every case.`,
    ]);
  });

  it("fails when only a number of versions is kept: N + 1 bad writes in a row delete the good version at once", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [expireNoncurrent({ newerNoncurrentVersions: 3 })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation[1]).toBe(
      `${C}: Lifecycle rule \`expire-noncurrent\` keeps only the 3 newest noncurrent versions of every object, with no minimum age: 4 bad writes in a row delete the good version at once, so nothing bounds the loss.`,
    );
  });

  it("Object Lock does not save an old version: its retention runs from when the version was written", () => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g, { properties: { objectLockEnabled: true } });
    g.add(
      "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
      "orders-data-object-lock",
      { rule: { defaultRetention: { mode: "COMPLIANCE", days: 365 } } },
      { region: "eu-west-1", deps: { bucket: [bucket] } },
    );
    lifecycle(g, bucket, [expireNoncurrent({ noncurrentDays: 0 })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation.slice(0, 4)).toEqual([
      `${C}: Versioning is enabled: the version before a bad write or delete is kept only until a lifecycle rule deletes it.`,
      `${C}: Lifecycle rule \`expire-noncurrent\` deletes noncurrent versions of every object 0 days after they are replaced (0 × 86400 s = 0 s), sooner than it takes to notice a bad write (300 s, estimate \`incidentDetectionSeconds\`): the previous version may be gone when it is needed, so nothing bounds the loss.`,
      `${C}: Object Lock COMPLIANCE keeps every version for 365 days from when it is written, so a privileged delete cannot destroy it in that time.`,
      `${C}: Lifecycle cannot delete a version while Object Lock retains it, but retention runs from when the version was written, not from when it was replaced: a version older than 365 days is no longer locked, so only the lifecycle's 0 days hold for every version.`,
    ]);
    expect(software.sources.map((s) => s.id)).toEqual([
      "s3-versioning",
      "s3-lifecycle-noncurrent",
      "s3-object-lock",
      "s3-object-lock-lifecycle",
    ]);
  });

  it("counts the lifecycle configuration as assessed", () => {
    const g = new GraphBuilder();
    const config = lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: 30 })], {
      tags: tags("orders"),
    });
    const report = assess(g.graph);
    expect(report.services.find((s) => s.name === "orders")?.assessed).toContain(config.urn);
  });

  it("in preview, a lifecycle value it needs is unknown: UnknownUntilDeploy naming it", () => {
    const g = new GraphBuilder();
    const config = lifecycle(g, dataBucket(g), [expireNoncurrent({ noncurrentDays: UNKNOWN_VALUE })]);
    const software = pick(assess(g.graph), "orders", "software");
    expect(software.status).toBe("UnknownUntilDeploy");
    expect(software.unknownProperties).toEqual([
      `${config.urn} rules[0].noncurrentVersionExpiration.noncurrentDays`,
    ]);
  });

  it("expiring current versions leaves the previous version as a noncurrent one: it does not shorten RPO 0", () => {
    const g = new GraphBuilder();
    lifecycle(g, dataBucket(g), [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 1 } }]);
    expect(summary(pick(assess(g.graph), "orders", "software"))).toEqual([0, 3000, "PolicyMet"]);
  });

  it("fails when the replica expires objects sooner than the source keeps them", () => {
    const g = new GraphBuilder();
    const replica = replicaBucket(g);
    replicate(g, dataBucket(g), [rule()], [replica]);
    const replicaLifecycle = g.add(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
      "orders-data-replica-lifecycle",
      {
        rules: [{ id: "expire-copies", status: "Enabled", filter: {}, expiration: { days: 7 } }],
        tags: tags("orders"),
      },
      { region: "eu-central-1", deps: { bucket: [replica] } },
    );
    const report = assess(g.graph);
    const region = pick(report, "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation.slice(0, 3)).toEqual([
      `${C}: Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      `${C}: Replica bucket orders-data-replica: lifecycle rule \`expire-copies\` expires every object 7 days after it is written (7 × 86400 s = 604800 s), sooner than the source keeps it: older objects have no copy outside eu-west-1, so the RPO has no bound.`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
    ]);
    expect(report.services.find((s) => s.name === "orders")?.assessed).toContain(replicaLifecycle.urn);
  });
});

describe("objectRetention (for the rules of backup buckets)", () => {
  const retention = (rules: JsonValue[] | undefined) => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g, { versioned: false });
    if (rules) lifecycle(g, bucket, rules);
    const index = new GraphIndex(g.graph);
    const [service] = index.services();
    return objectRetention(
      { index, policy: resolveResiliencyPolicy({}), service: service!, notAssessed: () => undefined },
      bucket,
    );
  };

  it("no lifecycle configuration: objects are kept without limit", () => {
    expect(retention(undefined)).toMatchObject({ seconds: Infinity, unknown: [], basis: [] });
  });

  it("the shortest expiration of any enabled rule, whatever part it matches, with its reason", () => {
    expect(
      retention([
        { id: "month", status: "Enabled", filter: {}, expiration: { days: 30 } },
        { id: "week", status: "Enabled", filter: { prefix: "backups/" }, expiration: { days: 7 } },
        { id: "off", status: "Disabled", filter: {}, expiration: { days: 1 } },
        { id: "versions", status: "Enabled", filter: {}, noncurrentVersionExpiration: { noncurrentDays: 1 } },
      ]),
    ).toEqual({
      seconds: 604_800,
      line: "lifecycle rule `week` expires keys under prefix `backups/` 7 days after they are written (7 × 86400 s = 604800 s).",
      facts: ["s3LifecycleExpiration"],
      unknown: [],
      basis: [
        "urn:pulumi:prod::platform::aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::orders-data-lifecycle",
      ],
    });
  });

  it("a fixed expiration date counts as no retention (the model does not read the clock)", () => {
    expect(
      retention([{ id: "sunset", status: "Enabled", filter: {}, expiration: { date: "2027-01-01" } }]),
    ).toMatchObject({
      seconds: 0,
      line: "lifecycle rule `sunset` expires every object on 2027-01-01, whenever it was written: drkit counts no retention from a fixed date.",
    });
  });

  it("an unknown expiration is named", () => {
    expect(
      retention([{ id: "later", status: "Enabled", filter: {}, expiration: { days: UNKNOWN_VALUE } }])
        .unknown,
    ).toEqual([
      "urn:pulumi:prod::platform::aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::orders-data-lifecycle rules[0].expiration.days",
    ]);
  });
});

describe("every component counts", () => {
  it("assesses and names every bucket of a service; the worst bounds the service", () => {
    const g = new GraphBuilder();
    const whole = dataBucket(g);
    replicate(g, whole, [rule()], [replicaBucket(g)]);
    const partial = dataBucket(g, { name: "orders-archive" });
    replicate(
      g,
      partial,
      [rule({ filter: { prefix: "2026/" } })],
      [replicaBucket(g, "orders-archive-replica")],
    );
    lifecycle(g, partial, [expireNoncurrent({ noncurrentDays: 0 })]);
    const report = assess(g.graph);
    const region = pick(report, "orders", "region");
    expect(summary(region)).toEqual([null, null, "PolicyBreached"]);
    expect(region.derivation).toEqual([
      `${C}: Replicated to eu-central-1 with Replication Time Control: RPO 900 s (SLA: 99.99 % of objects within 15 minutes).`,
      `${C}: Delete markers are not replicated: a delete in the source leaves the replica's copy visible.`,
      `${C}: RPO 900 s.`,
      RTO_REGION,
      "bucket orders-archive (eu-west-1): Replication rule `to-secondary` replicates only keys under prefix `2026/` to eu-central-1: every other object has no copy outside eu-west-1, so the RPO has no bound.",
      "bucket orders-archive (eu-west-1): Delete markers are not replicated: a delete in the source leaves the replica's copy visible.",
      "bucket orders-archive (eu-west-1): RPO no bound.",
      "bucket orders-archive (eu-west-1): RTO: no bound (no recovery path).",
      "Service RPO is the worst component's: no bound (bucket orders-archive (eu-west-1)).",
      "Components recover in parallel, so the service RTO is the slowest recovery: no bound (bucket orders-archive (eu-west-1)).",
      "RPO no bound exceeds the critical target of 5m.",
      "RTO no bound exceeds the critical target of 1h.",
    ]);
    const software = pick(report, "orders", "software");
    expect(summary(software)).toEqual([null, null, "PolicyBreached"]);
    expect(software.derivation.filter((l) => /: RPO (0 s|no bound)\.$|^Service RPO/.test(l))).toEqual([
      `${C}: RPO 0 s.`,
      "bucket orders-archive (eu-west-1): RPO no bound.",
      "Service RPO is the worst component's: no bound (bucket orders-archive (eu-west-1)).",
    ]);
    const coverage = report.services.find((s) => s.name === "orders")!;
    expect(coverage.notAssessed).toEqual([]);
    expect(coverage.assessed).toEqual(expect.arrayContaining([whole.urn, partial.urn]));
  });
});

describe("nothing invisible", () => {
  const notAssessed = (g: GraphBuilder) => {
    const report = assess(g.graph);
    return {
      statuses: report.assessments.filter((a) => a.service === "orders").map((a) => a.status),
      reported: report.services.find((s) => s.name === "orders")!.notAssessed,
    };
  };

  it("reports a bucket versioned only by the deprecated inline `versioning` argument", () => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g, { versioned: false, properties: { versioning: { enabled: true } } });
    expect(notAssessed(g)).toEqual({
      statuses: ["NotAssessed", "NotAssessed", "NotAssessed", "NotAssessed"],
      reported: [
        {
          urn: bucket.urn,
          type: BUCKET,
          name: "orders-data",
          reason:
            "it holds objects and sets the deprecated inline argument `versioning`, which drkit does not read: move it to the separate resource (BucketVersioning)",
        },
      ],
    });
  });

  it("reports every deprecated inline protection argument at once", () => {
    const g = new GraphBuilder();
    dataBucket(g, {
      versioned: false,
      properties: {
        versioning: { enabled: true },
        lifecycleRules: [{ enabled: true, noncurrentVersionExpiration: { days: 1 } }],
        replicationConfiguration: { role: "arn", rules: [{ status: "Enabled" }] },
        objectLockConfiguration: { objectLockEnabled: "Enabled", rule: { defaultRetention: { days: 1 } } },
      },
    });
    expect(notAssessed(g).reported.map((n) => n.reason)).toEqual([
      "it holds objects and sets the deprecated inline arguments `versioning`, `replicationConfiguration`, `lifecycleRules`, `objectLockConfiguration`, which drkit does not read: move them to the separate resources (BucketVersioning, BucketReplicationConfig, BucketLifecycleConfiguration, BucketObjectLockConfiguration)",
    ]);
  });

  it("reports a BucketV2 through the catalogue", () => {
    const g = new GraphBuilder();
    g.add("aws:s3/bucketV2:BucketV2", "orders-data", { tags: tags("orders") }, { region: "eu-west-1" });
    expect(notAssessed(g)).toEqual({
      statuses: ["NotAssessed", "NotAssessed", "NotAssessed", "NotAssessed"],
      reported: [
        {
          urn: "urn:pulumi:prod::platform::aws:s3/bucketV2:BucketV2::orders-data",
          type: "aws:s3/bucketV2:BucketV2",
          name: "orders-data",
          reason:
            "it holds objects (deprecated kind: drkit models aws:s3/bucket:Bucket and its separate configuration resources), and drkit has no model of how aws:s3/bucketV2:BucketV2 recovers",
        },
      ],
    });
  });

  it("reports a bucket configured by a deprecated V2 configuration resource it does not read", () => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g);
    g.add(
      "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
      "orders-data-lifecycle",
      { rules: [expireNoncurrent({ noncurrentDays: 0 })] },
      { region: "eu-west-1", deps: { bucket: [bucket] } },
    );
    expect(notAssessed(g).reported.map((n) => n.reason)).toEqual([
      "it holds objects and is configured by the deprecated BucketLifecycleConfigurationV2, which drkit does not read: use BucketLifecycleConfiguration instead",
    ]);
  });

  it("does not report inline outputs that merely mirror the separate resources", () => {
    const g = new GraphBuilder();
    const bucket = dataBucket(g, {
      properties: {
        versioning: { enabled: true, mfaDelete: false },
        lifecycleRules: [{ enabled: true, noncurrentVersionExpiration: { days: 30 } }],
      },
    });
    lifecycle(g, bucket, [expireNoncurrent({ noncurrentDays: 30 })]);
    const report = assess(g.graph);
    expect(report.services.find((s) => s.name === "orders")!.notAssessed).toEqual([]);
    expect(summary(pick(report, "orders", "software"))).toEqual([0, 3000, "PolicyMet"]);
  });
});
