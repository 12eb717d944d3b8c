// The drill records in the Object Lock records bucket, read from its version listing (as `drkit audit`
// reads its log): a record overwritten or deleted through any client shows as an extra version or a delete
// marker, while the locked original stays and is what is read.
import { DRILL_RESULTS_PREFIX } from "@drkit/posture";
import { AuditLog, keyHistories, readVersion } from "../audit/log";
import { ParsedRecord, parseDrillRecord } from "./record";

/** One object under `drills/`: what it says, or why it cannot be counted. */
export interface StoredRecord {
  readonly key: string;
  readonly parsed: ParsedRecord;
}

/** Every record under `drills/` (or `drills/<service>/`), in key order; each checked. */
export async function readDrillRecords(bucket: AuditLog, service?: string): Promise<StoredRecord[]> {
  const prefix = service === undefined ? DRILL_RESULTS_PREFIX : `${DRILL_RESULTS_PREFIX}${service}/`;
  const histories = await keyHistories(bucket, prefix);
  const keys = [...histories.keys()].sort();
  const records: StoredRecord[] = [];
  for (const key of keys) {
    const history = histories.get(key);
    const original = history?.versions[0];
    if (!history || !original) {
      records.push({
        key,
        parsed: { valid: false, problems: ["only a delete marker is left: the record was deleted"] },
      });
      continue;
    }
    const { bytes } = await readVersion(bucket, key, original.versionId);
    const parsed = parseDrillRecord(Buffer.from(bytes).toString("utf8"), key);
    // A record is written once: a later version or a delete marker is tampering, whatever the original says.
    const tampered = [
      ...(history.versions.length > 1
        ? [`it was overwritten: ${history.versions.length} versions (the original is the one read)`]
        : []),
      ...(history.deleteMarkers.length > 0 ? ["a delete marker hides it: someone deleted it"] : []),
    ];
    records.push({
      key,
      parsed:
        tampered.length === 0
          ? parsed
          : { valid: false, problems: [...(parsed.valid ? [] : parsed.problems), ...tampered] },
    });
  }
  return records;
}
