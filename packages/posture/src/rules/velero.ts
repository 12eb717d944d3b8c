// Velero: a Schedule's cron bounds how much is lost; where its storage location keeps the backups (and
// whether volume data goes there at all) decides whether a region loss is recoverable.
import type { GraphResource } from "../graph";
import { PropertyReader } from "../graphIndex";
import { Estimate, formatDuration, NO_TIME, term } from "../estimate";
import type { FactKey } from "../facts";
import { manualRecovery, Rule } from "./context";
import { scheduleGapSeconds } from "./cronGap";
import { BUCKET, bucketReplication, replicationRpo } from "./s3";

export const SCHEDULE = "kubernetes:velero.io/v1:Schedule";
export const STORAGE_LOCATION = "kubernetes:velero.io/v1:BackupStorageLocation";

export const veleroRule: Rule = (context) => {
  const { index, service, policy } = context;
  const e = policy.estimates;
  const estimates: Estimate[] = [];
  for (const schedule of service.resources.filter((r) => r.type === SCHEDULE)) {
    const read = new PropertyReader(schedule);
    const cron = read.string("spec.schedule");
    const paused = read.get("spec.paused") === true;
    const locationName = read.string("spec.template.storageLocation") ?? "default";
    const movesVolumeData =
      read.get("spec.template.defaultVolumesToFsBackup") === true ||
      read.get("spec.template.snapshotMoveData") === true;
    const clusterRegion = index.regionOf(schedule);
    const component = `Velero schedule ${schedule.name} (${clusterRegion ?? "cluster region unknown"})`;
    const subject = schedule.urn;
    const restore = manualRecovery(
      e,
      term(e.veleroRestoreSeconds, "velero restore, estimate `veleroRestoreSeconds`"),
    );

    if (cron === undefined || paused) {
      const why = paused
        ? "The schedule is paused: no new backups are taken."
        : "The schedule has no cron: no backups are taken.";
      for (const disruption of ["software", "zone", "region"] as const) {
        estimates.push({
          component,
          subject,
          basis: [subject],
          disruption,
          rpoSeconds: Infinity,
          rto: Infinity,
          lines: [why],
          facts: ["veleroSchedule"],
          unknown: read.unknown,
        });
      }
      continue;
    }
    const gap = scheduleGapSeconds(schedule, "spec.schedule", cron);
    const gapLine = `Backups run on "${cron}": the longest gap between two runs is ${gap} s (${formatDuration(gap)}), the data a restore can lose.`;
    estimates.push({
      component,
      subject,
      basis: [subject],
      disruption: "software",
      rpoSeconds: gap,
      rto: restore,
      lines: [gapLine],
      facts: ["veleroSchedule"],
      unknown: read.unknown,
    });
    estimates.push({
      component,
      subject,
      basis: [subject],
      disruption: "hardware",
      rpoSeconds: 0,
      rto: {
        detection: NO_TIME("Kubernetes marks the node lost"),
        decision: NO_TIME("automatic"),
        action: term(
          e.podRescheduleSeconds,
          "pods rescheduled, volumes re-attached, estimate `podRescheduleSeconds`",
        ),
        propagation: NO_TIME("none"),
      },
      lines: [
        "Volumes outlive the node they were attached to: a node loss loses nothing; Kubernetes reschedules the pods.",
      ],
      facts: ["kubernetesVolumesOutliveNodes"],
      unknown: [],
    });
    estimates.push({
      component,
      subject,
      basis: [subject],
      disruption: "zone",
      rpoSeconds: gap,
      rto: restore,
      lines: [
        "Volumes are zonal: a zone loss is recovered from the latest backup, in the same region.",
        gapLine,
      ],
      facts: ["veleroSchedule", "kubernetesVolumesOutliveNodes"],
      unknown: read.unknown,
    });

    // Region: backups must live, or be replicated, outside the cluster's region, with the volume data.
    // Both clusters may name their location alike ("default"): match the schedule's cluster first.
    const locations = index.memo("velero:locations", () => {
      const byKey = new Map<string, GraphResource>();
      for (const l of index.ofType(STORAGE_LOCATION)) {
        const name = new PropertyReader(l).string("metadata.name");
        if (name === undefined) continue;
        for (const key of [`${index.regionOf(l) ?? ""}/${name}`, `*/${name}`])
          if (!byKey.has(key)) byKey.set(key, l);
      }
      return byKey;
    });
    const location =
      locations.get(`${clusterRegion ?? ""}/${locationName}`) ?? locations.get(`*/${locationName}`);
    const lines = [gapLine];
    const facts: FactKey[] = ["veleroSchedule", "veleroRegionBoundSnapshots"];
    let rpo = Infinity;
    const unknown = [...read.unknown];
    const basis = [subject];
    if (!location) {
      lines.push(
        `Storage location "${locationName}" is not in this stack: drkit cannot see where the backups go, so it assumes they stay in the region.`,
      );
    } else {
      basis.push(location.urn);
      const lr = new PropertyReader(location);
      const locationRegion = lr.string("spec.config.region");
      unknown.push(...lr.unknown);
      const bucket: GraphResource | undefined = index.dependenciesOf(location, "spec", BUCKET)[0];
      if (bucket) basis.push(bucket.urn);
      if (locationRegion && clusterRegion && locationRegion !== clusterRegion) {
        rpo = gap;
        lines.push(
          `Storage location "${locationName}" is in ${locationRegion}, outside the cluster's ${clusterRegion}.`,
        );
      } else {
        const replication = bucket ? bucketReplication(context, bucket) : undefined;
        basis.push(...(replication?.basis ?? []));
        const replicated = replicationRpo(replication, locationRegion);
        unknown.push(...(replication?.unknown ?? []));
        lines.push(
          `Storage location "${locationName}" is in the cluster's own region (${locationRegion ?? clusterRegion ?? "unknown"}). ${bucket ? `Its bucket ${bucket.name}: ${replicated.line}` : "Its bucket is not in this stack, so its replication cannot be seen."}`,
        );
        facts.push(...replicated.facts);
        if (bucket && Number.isFinite(replicated.rpoSeconds)) {
          rpo = gap + replicated.rpoSeconds;
          lines.push(`Region RPO = backup gap ${gap} s + replication ${replicated.rpoSeconds} s = ${rpo} s.`);
        }
      }
      if (!movesVolumeData && Number.isFinite(rpo)) {
        rpo = Infinity;
        lines.push(
          "Volume data is taken as EBS snapshots, which cannot be restored in another region: turn on defaultVolumesToFsBackup or snapshotMoveData.",
        );
      } else if (movesVolumeData) {
        lines.push(
          "Volume data goes into the backup (file-system backup or snapshot data movement), so it can be restored in another region.",
        );
      }
    }
    estimates.push({
      component,
      subject,
      basis,
      disruption: "region",
      rpoSeconds: rpo,
      rto: Number.isFinite(rpo) ? restore : Infinity,
      lines,
      facts,
      unknown,
    });
  }
  return estimates;
};
