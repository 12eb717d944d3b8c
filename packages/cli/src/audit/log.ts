// The audit log in S3: reading every version of every record to check the chain, and appending a record
// as a new object that S3 refuses to write over (`If-None-Match: *`), under Object Lock retention.
//
// The log is read from the bucket's version listing, not its object listing: in a versioned bucket an
// overwrite adds a version and a delete adds a delete marker, while the locked original stays. So a record
// overwritten or deleted through any client is reported, and the chain is checked on the originals.
import {
  GetObjectCommand,
  ListObjectVersionsCommand,
  ObjectLockMode,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import {
  AUDIT_PREFIX,
  AUDIT_SCHEMA,
  AuditRecord,
  SwitchFacts,
  parseRecord,
  parseRecordKey,
  recordBytes,
  recordKey,
  sha256,
} from "./record";

export interface AuditLog {
  readonly client: S3Client;
  readonly bucket: string;
}

/** The last record of a stream, which the next one chains to. */
export interface ChainHead {
  readonly sequence: number;
  readonly sha256: string;
  readonly time: string;
}

export interface StreamReport {
  readonly stream: string;
  /** records found (originals), whether or not they check */
  readonly records: number;
  /** the last record, when the stream has one and its chain is intact */
  readonly head: ChainHead | null;
  /** every way the stream is not an intact chain; empty when it is */
  readonly problems: string[];
}

export interface VerifyReport {
  readonly bucket: string;
  readonly streams: StreamReport[];
  /** objects under the audit prefix that are no record's */
  readonly strayObjects: string[];
}

export interface Version {
  readonly versionId: string;
  readonly lastModified: Date;
}

/** Every version and delete marker of one key, oldest first. */
export interface KeyHistory {
  readonly key: string;
  readonly versions: Version[];
  readonly deleteMarkers: Version[];
}

const shortSha = (hash: string) => hash.slice(0, 12);

/** A listed version or delete marker; S3 always names its key, version id and time. */
function versionOf(listed: { VersionId?: string; LastModified?: Date }): Version {
  return { versionId: listed.VersionId ?? "null", lastModified: listed.LastModified ?? new Date(0) };
}

/** Every key under `prefix`, with all its versions and delete markers (ListObjectVersions, every page). */
export async function keyHistories(log: AuditLog, prefix: string): Promise<Map<string, KeyHistory>> {
  const keys = new Map<string, KeyHistory>();
  const entry = (key: string | undefined) => {
    key ??= "";
    let history = keys.get(key);
    if (!history) keys.set(key, (history = { key, versions: [], deleteMarkers: [] }));
    return history;
  };
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    const page = await log.client.send(
      new ListObjectVersionsCommand({
        Bucket: log.bucket,
        Prefix: prefix,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) entry(v.Key).versions.push(versionOf(v));
    for (const m of page.DeleteMarkers ?? []) entry(m.Key).deleteMarkers.push(versionOf(m));
    if (!page.IsTruncated) break;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
  }
  // S3 lists a key's versions newest first, in the order they were stored (times can tie).
  for (const history of keys.values()) {
    history.versions.reverse();
    history.deleteMarkers.reverse();
  }
  return keys;
}

export interface StoredVersion {
  readonly bytes: Uint8Array;
  readonly lockMode?: string;
  readonly retainUntil?: Date;
}

export async function readVersion(log: AuditLog, key: string, versionId: string): Promise<StoredVersion> {
  const object = await log.client.send(
    new GetObjectCommand({ Bucket: log.bucket, Key: key, VersionId: versionId }),
  );
  return {
    bytes: object.Body === undefined ? new Uint8Array() : await object.Body.transformToByteArray(),
    lockMode: object.ObjectLockMode,
    retainUntil: object.ObjectLockRetainUntilDate,
  };
}

/** Checks one stream's records (its key histories, by sequence) as a hash chain. */
async function checkStream(
  log: AuditLog,
  stream: string,
  histories: Map<number, KeyHistory>,
): Promise<StreamReport> {
  const problems: string[] = [];
  const last = Math.max(...histories.keys());
  let previous: { record: AuditRecord; hash: string } | undefined;
  let broken = false;
  for (let sequence = 1; sequence <= last; sequence++) {
    const key = recordKey(stream, sequence);
    const history = histories.get(sequence);
    const original = history?.versions[0];
    if (!history || !original) {
      problems.push(
        `record ${sequence} is missing: no version of ${key} exists, so the log jumps from ${sequence - 1} to a later record`,
      );
      broken = true;
      previous = undefined;
      continue;
    }
    if (history.versions.length > 1)
      problems.push(
        `record ${sequence} was overwritten: ${key} has ${history.versions.length} versions; the original (version ${original.versionId}, ${original.lastModified.toISOString()}) is the one checked`,
      );
    if (history.deleteMarkers.length > 0)
      problems.push(
        `record ${sequence} was deleted: a delete marker hides ${key} from listings and reads; its locked original (version ${original.versionId}) remains`,
      );
    const stored = await readVersion(log, key, original.versionId);
    const hash = sha256(stored.bytes);
    if (stored.lockMode !== ObjectLockMode.COMPLIANCE || stored.retainUntil === undefined)
      problems.push(
        `record ${sequence} is not under COMPLIANCE retention (mode ${stored.lockMode ?? "none"}): it could be deleted. Is the bucket an Object Lock bucket, and may the reader call s3:GetObjectRetention?`,
      );
    const record = parseRecord(stored.bytes);
    if (typeof record === "string") {
      problems.push(`record ${sequence} (${key}) is not a ${AUDIT_SCHEMA} record: ${record}`);
      broken = true;
      previous = undefined;
      continue;
    }
    if (record.sequence !== sequence)
      problems.push(
        `record ${sequence} (${key}) says it is record ${record.sequence}: records were reordered or copied`,
      );
    if (record.stream !== stream)
      problems.push(
        `record ${sequence} (${key}) says it belongs to stream ${record.stream}: it was copied from another stream`,
      );
    if (sequence === 1 && record.previousSha256 !== null)
      problems.push(
        `record 1 names a previous record (${shortSha(record.previousSha256)}…): the start of the log is missing`,
      );
    if (previous !== undefined && record.previousSha256 !== previous.hash)
      problems.push(
        `record ${sequence} does not chain to record ${sequence - 1}: it names ${record.previousSha256 === null ? "no previous record" : `${shortSha(record.previousSha256)}…`}, but record ${sequence - 1} hashes to ${shortSha(previous.hash)}…: record ${sequence - 1} was edited after record ${sequence} was written, or record ${sequence} was written onto another chain`,
      );
    if (previous !== undefined && record.time < previous.record.time)
      problems.push(
        `record ${sequence} (${record.time}) is earlier than record ${sequence - 1} (${previous.record.time}): records were reordered`,
      );
    previous = { record, hash };
  }
  const head =
    problems.length === 0 && !broken && previous !== undefined
      ? { sequence: previous.record.sequence, sha256: previous.hash, time: previous.record.time }
      : null;
  return {
    stream,
    records: [...histories.values()].filter((h) => h.versions.length > 0).length,
    head,
    problems,
  };
}

/**
 * Checks the log: every stream under the audit prefix (or only `stream`) as a hash chain, on the original
 * version of every record. Reports gaps, edits (a broken link, or a second version), deletions (delete
 * markers), reordering (sequence or time out of order), copies, records not under COMPLIANCE retention,
 * and objects that are no record's.
 */
export async function verifyLog(log: AuditLog, stream?: string): Promise<VerifyReport> {
  const prefix = stream === undefined ? AUDIT_PREFIX : `${AUDIT_PREFIX}${stream}/`;
  const byStream = new Map<string, Map<number, KeyHistory>>();
  const strayObjects: string[] = [];
  for (const history of (await keyHistories(log, prefix)).values()) {
    const place = parseRecordKey(history.key);
    if (!place) {
      strayObjects.push(history.key);
      continue;
    }
    const records = byStream.get(place.stream) ?? new Map<number, KeyHistory>();
    byStream.set(place.stream, records.set(place.sequence, history));
  }
  const streams: StreamReport[] = [];
  for (const [name, records] of [...byStream].sort(([a], [b]) => (a < b ? -1 : 1)))
    streams.push(await checkStream(log, name, records));
  if (stream !== undefined && streams.length === 0)
    streams.push({ stream, records: 0, head: null, problems: [] });
  return { bucket: log.bucket, streams, strayObjects: strayObjects.sort() };
}

/** Thrown when the log cannot be appended to: its chain is not intact, or writers kept colliding. */
export class AuditLogError extends Error {
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(message);
    this.name = "AuditLogError";
  }
}

export interface AppendOptions {
  readonly stream: string;
  readonly facts: SwitchFacts;
  /** days the record is locked in COMPLIANCE mode */
  readonly retentionDays: number;
  /** the appending machine's clock */
  readonly now?: () => Date;
  /** how many times to retry when another writer took the next sequence first */
  readonly attempts?: number;
}

export interface AppendResult {
  readonly key: string;
  readonly record: AuditRecord;
  readonly sha256: string;
  readonly retainUntil: Date;
}

const DAY_MS = 86_400_000;

/** S3's answer when the key exists (412) or another conditional write to it is in flight (409). */
function lostTheRace(err: unknown): boolean {
  return (
    err instanceof S3ServiceException &&
    (err.$metadata.httpStatusCode === 412 || err.$metadata.httpStatusCode === 409)
  );
}

/**
 * Appends one record to `stream`: checks the stream's chain first (a broken log is never extended), then
 * writes the next sequence as a new object with `If-None-Match: *`, locked in COMPLIANCE mode for
 * `retentionDays`. When another writer took that sequence first, starts again from the check.
 */
export async function appendRecord(log: AuditLog, options: AppendOptions): Promise<AppendResult> {
  const now = options.now ?? (() => new Date());
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const report = await verifyLog(log, options.stream);
    const [current] = report.streams;
    const problems = [
      ...(current?.problems ?? []),
      ...report.strayObjects.map((k) => `${k} is not a record`),
    ];
    if (problems.length > 0)
      throw new AuditLogError(
        `the audit log s3://${log.bucket}/${AUDIT_PREFIX}${options.stream}/ is not an intact chain, so nothing was appended; run drkit audit verify, and keep the log as evidence`,
        problems,
      );
    const head = current?.head ?? null;
    const time = now();
    if (head !== null && time.toISOString() < head.time)
      throw new AuditLogError(
        `this machine's clock (${time.toISOString()}) is behind the log's last record (${head.time}): fix the clock, then append`,
      );
    const record: AuditRecord = {
      schema: AUDIT_SCHEMA,
      sequence: (head?.sequence ?? 0) + 1,
      stream: options.stream,
      time: time.toISOString(),
      ...options.facts,
      previousSha256: head?.sha256 ?? null,
    };
    const bytes = recordBytes(record);
    const key = recordKey(options.stream, record.sequence);
    const retainUntil = new Date(time.getTime() + options.retentionDays * DAY_MS);
    try {
      await log.client.send(
        new PutObjectCommand({
          Bucket: log.bucket,
          Key: key,
          Body: bytes,
          ContentType: "application/json",
          IfNoneMatch: "*",
          ObjectLockMode: ObjectLockMode.COMPLIANCE,
          ObjectLockRetainUntilDate: retainUntil,
          // S3 requires an integrity checksum on a write that sets Object Lock retention.
          ChecksumAlgorithm: "SHA256",
        }),
      );
    } catch (err) {
      if (lostTheRace(err) && attempt < attempts) continue;
      if (lostTheRace(err))
        throw new AuditLogError(
          `another writer took the next record of ${options.stream} ${attempts} times in a row: nothing was appended; run the command again`,
        );
      throw err;
    }
    return { key, record, sha256: sha256(bytes), retainUntil };
  }
  throw new AuditLogError("unreachable: no attempt was made");
}
