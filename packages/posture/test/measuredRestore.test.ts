// A restore drill's measured time in the posture model: within the tier's window it replaces the estimate
// of the restore step (a longer one too), and the derivation says which drill and where its evidence is;
// outside it, the estimate is used unless the stale measurement is the longer one. Bad measurements are
// refused with the field and the fix.
import { assessGraph, Assessment, InvalidPolicyError, ResiliencyPolicyInput } from "../src";
import { GraphBuilder, labels } from "./graphBuilder";

const now = new Date("2026-11-23T12:00:00Z");
const EVIDENCE = "s3://records/drills/cluster/velero/2026-11-20T03:00:00Z.json";

/** Service `cluster` (tier given) in eu-west-1: an hourly Velero schedule kept 30 days. */
function cluster(tier = "important") {
  const g = new GraphBuilder();
  g.add("kubernetes:velero.io/v1:BackupStorageLocation", "primary-location", {
    metadata: { name: "primary", labels: labels("cluster", "eu-west-1", tier) },
    spec: { objectStorage: { bucket: "velero-backups" }, config: { region: "eu-west-1" } },
  });
  g.add("kubernetes:velero.io/v1:Schedule", "hourly", {
    metadata: { name: "hourly", labels: labels("cluster", "eu-west-1", tier) },
    spec: {
      schedule: "0 * * * *",
      template: {
        storageLocation: "primary",
        ttl: "720h",
        excludedNamespaces: ["kube-system"],
        defaultVolumesToFsBackup: true,
        snapshotVolumes: false,
      },
    },
  });
  return g.graph;
}

function software(policy: ResiliencyPolicyInput, tier?: string): Assessment {
  const report = assessGraph(cluster(tier), policy, { now });
  const found = report.assessments.find((a) => a.service === "cluster" && a.disruption === "software");
  if (!found) throw new Error("no software assessment of cluster");
  return found;
}

const measured = (change: Record<string, unknown> = {}) => ({
  service: "cluster",
  kind: "velero",
  restoreSeconds: 2_400,
  measuredAt: "2026-11-20T03:00:00Z",
  evidence: EVIDENCE,
  ...change,
});

const rtoLine = (a: Assessment) => a.derivation.find((d) => d.includes("RTO = "));
const measuredLines = (a: Assessment) =>
  a.derivation.filter((d) => /measure/.test(d) && !d.includes("RTO = "));

describe("measured restore times", () => {
  it("uses the estimate, and says nothing of drills, when there is no measurement", () => {
    const a = software({});
    expect(a.achievableRtoSeconds).toBe(3_000);
    expect(measuredLines(a)).toEqual([]);
  });

  it("uses a recent measurement longer than the estimate in the restore step, citing the drill and its evidence", () => {
    const a = software({ measuredRestores: [measured()] });
    expect(a.achievableRtoSeconds).toBe(300 + 900 + 2_400);
    expect(rtoLine(a)).toBe(
      `Velero schedule hourly (eu-west-1): RTO = detection 300 s (alarm pages the on-call, estimate \`incidentDetectionSeconds\`) + decision 900 s (operator decides to recover, estimate \`operatorDecisionSeconds\`) + action 2400 s (velero restore, estimate \`veleroRestoreSeconds\`, measured by the drill of 2026-11-20 (evidence ${EVIDENCE})) + propagation 0 s (none) = 3600 s.`,
    );
    expect(measuredLines(a)).toEqual([
      `Velero schedule hourly (eu-west-1): The restore step is measured: 2400 s (40m) by the velero drill of 2026-11-20T03:00:00Z (evidence ${EVIDENCE}), in place of the estimate of 1800 s (a measurement counts for 90 days in tier important).`,
    ]);
  });

  it("uses a recent measurement shorter than the estimate: it is what a restore took", () => {
    const a = software({ measuredRestores: [measured({ restoreSeconds: 600 })] });
    expect(a.achievableRtoSeconds).toBe(300 + 900 + 600);
  });

  it("takes the slowest of several recent drills: the RTO is a worst case", () => {
    const a = software({
      measuredRestores: [
        measured({ restoreSeconds: 600 }),
        measured({ restoreSeconds: 900, measuredAt: "2026-11-01T03:00:00Z", evidence: "e2" }),
      ],
    });
    expect(a.achievableRtoSeconds).toBe(300 + 900 + 900);
    expect(measuredLines(a)).toEqual([
      "Velero schedule hourly (eu-west-1): The restore step is measured: 900 s (15m) by the velero drill of 2026-11-01T03:00:00Z (evidence e2), in place of the estimate of 1800 s; the slowest of 2 recent drills (a measurement counts for 90 days in tier important).",
    ]);
  });

  it("uses the estimate when the faster measurement is older than the tier's window, saying it is stale", () => {
    const a = software(
      { measuredRestores: [measured({ restoreSeconds: 600, measuredAt: "2026-10-01T00:00:00Z" })] },
      "critical",
    );
    expect(a.achievableRtoSeconds).toBe(3_000);
    expect(measuredLines(a)).toEqual([
      `Velero schedule hourly (eu-west-1): The measurement of the velero drill of 2026-10-01T00:00:00Z (evidence ${EVIDENCE}) is stale: 53 days old, and a measurement counts for 30 days in tier critical, so the estimate of 1800 s is used.`,
    ]);
  });

  it("keeps a stale measurement that is longer than the estimate: never the more optimistic time", () => {
    const a = software({
      measuredRestores: [measured({ restoreSeconds: 5_000, measuredAt: "2026-01-01T00:00:00Z" })],
    });
    expect(a.achievableRtoSeconds).toBe(300 + 900 + 5_000);
    expect(measuredLines(a)).toEqual([
      `Velero schedule hourly (eu-west-1): The measurement of the velero drill of 2026-01-01T00:00:00Z (evidence ${EVIDENCE}) is stale: 326 days old, and a measurement counts for 90 days in tier important. But the velero drill of 2026-01-01T00:00:00Z (evidence ${EVIDENCE}) measured 5000 s, longer than the estimate of 1800 s, so the measurement is used: a restore is never assumed faster than it was measured.`,
    ]);
  });

  it("takes the window from the config, one number for every tier or per tier", () => {
    const old = [measured({ restoreSeconds: 600, measuredAt: "2026-11-03T12:00:00Z" })];
    expect(software({ measuredRestores: old, measuredRestoreMaxAgeDays: 20 }).achievableRtoSeconds).toBe(
      1_800,
    );
    expect(software({ measuredRestores: old, measuredRestoreMaxAgeDays: 19 }).achievableRtoSeconds).toBe(
      3_000,
    );
    expect(
      software({ measuredRestores: old, measuredRestoreMaxAgeDays: { important: 19 } }).achievableRtoSeconds,
    ).toBe(3_000);
  });

  it("applies a measurement given for one disruption to that disruption only", () => {
    const report = assessGraph(cluster(), { measuredRestores: [measured({ disruption: "zone" })] }, { now });
    const rto = (d: string) => report.assessments.find((a) => a.disruption === d)?.achievableRtoSeconds;
    expect([rto("software"), rto("zone")]).toEqual([3_000, 3_600]);
  });

  it("fails when a measurement is for a disruption the service cannot restore from a backup", () => {
    // The schedule's bucket is not in the stack, so nothing bounds a region's loss: there is no restore
    // step a measurement could stand for, and a measurement that changes nothing is a mistake to show.
    expect(() => software({ measuredRestores: [measured({ disruption: "region" })] })).toThrow(
      new InvalidPolicyError([
        "`measuredRestores[0]` (velero/region) matches no restore drkit models for cluster (its restores: velero/software, velero/zone): correct its kind or disruption, or remove it",
      ]),
    );
  });

  it("fails when a measurement is malformed, naming every field and the fix", () => {
    const bad = {
      service: "",
      kind: "mysql",
      restoreSeconds: 0,
      measuredAt: "2026-11-20",
      evidnce: "x",
      disruption: "flood",
    };
    expect(() =>
      software({
        measuredRestores: [bad, measured({ measuredAt: "2026-12-01T00:00:00Z" })],
        measuredRestoreMaxAgeDays: { critical: 0 },
      }),
    ).toThrow(
      new InvalidPolicyError([
        "`measuredRestores[0].evidnce` is not a field of a measured restore (did you mean `evidence`?) (fields: service, kind, disruption, restoreSeconds, measuredAt, evidence)",
        '`measuredRestores[0].service` is required, a non-empty string (got "")',
        "`measuredRestores[0].evidence` is required, a non-empty string (got null)",
        '`measuredRestores[0].kind` must be one of postgres, redis, velero (got "mysql")',
        '`measuredRestores[0].disruption` must be one of software, hardware, zone, region or omitted (got "flood")',
        "`measuredRestores[0].restoreSeconds` must be a number of seconds > 0, as the drill measured it (got 0)",
        '`measuredRestores[0].measuredAt` must be an ISO 8601 UTC time such as 2026-11-20T03:00:00Z, the drill\'s startedAt (got "2026-11-20")',
        "`measuredRestores[1].measuredAt` 2026-12-01T00:00:00Z is in the future (judged at 2026-11-23T12:00:00.000Z): a measurement is of a drill that ran",
        "`measuredRestoreMaxAgeDays.critical` must be a whole number of days from 1 to 366 (got 0)",
      ]),
    );
  });

  it("fails when a measurement names a service not in the stack, with did-you-mean, or a restore it does not have", () => {
    expect(() => software({ measuredRestores: [measured({ service: "clustre" })] })).toThrow(
      new InvalidPolicyError([
        '`measuredRestores[0].service` "clustre" is not a service of the stack (did you mean `cluster`?): correct it, or remove the measurement',
      ]),
    );
    expect(() => software({ measuredRestores: [measured({ kind: "redis" })] })).toThrow(
      new InvalidPolicyError([
        "`measuredRestores[0]` (redis) matches no restore drkit models for cluster (its restores: velero/software, velero/zone): correct its kind or disruption, or remove it",
      ]),
    );
  });

  it("leaves which service a measurement names to the stack when the graph has none (the config checked alone)", () => {
    const report = assessGraph(
      { resources: [] },
      { measuredRestores: [measured({ service: "anything" })] },
      { now },
    );
    expect(report.assessments).toEqual([]);
    expect(() =>
      assessGraph({ resources: [] }, { measuredRestores: [measured({ restoreSeconds: -1 })] }, { now }),
    ).toThrow(
      new InvalidPolicyError([
        "`measuredRestores[0].restoreSeconds` must be a number of seconds > 0, as the drill measured it (got -1)",
      ]),
    );
  });
});
