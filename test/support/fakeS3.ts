// A small HTTP server on loopback that speaks the part of the S3 REST protocol drkit uses (the audit log, the
// backup and drill scripts). It stands in for S3 because this machine has no cloud access: the tests drive real
// clients against it (the AWS SDK's @aws-sdk/client-s3, the AWS CLI), request by request as they send them to
// AWS (path-style).
//
// Modelled on a versioned bucket, as S3 documents it:
//   - PUT Object: every write adds a version; `If-None-Match: *` fails with 412 PreconditionFailed when the
//     key's current version is an object; Object Lock headers (`x-amz-object-lock-mode`,
//     `x-amz-object-lock-retain-until-date`) need an Object Lock bucket and an integrity checksum
//     (Content-MD5 or x-amz-checksum-*), and a given SHA-256 checksum must match the body;
//   - GET Object (optionally `?versionId=`), returning the version's retention headers;
//   - DELETE Object: without a version id, adds a delete marker; with one, refuses a version still locked;
//   - GET Bucket `?versions` (ListObjectVersions): keys in order, each key's versions newest first, at most
//     `pageSize` entries a page, with key and version-id markers;
//   - GET Bucket `?list-type=2` (ListObjectsV2): the keys whose current version is an object, in order, at
//     most `pageSize` (or `max-keys`) a page, continued with `continuation-token`.
// Signatures are not checked (any signed request is accepted); requests without SigV4 are refused.
import * as http from "http";
import { createHash } from "crypto";
import type { AddressInfo } from "net";

export interface FakeVersion {
  readonly versionId: string;
  readonly lastModified: Date;
  readonly deleteMarker: boolean;
  body: Buffer;
  readonly lockMode?: string;
  readonly retainUntil?: Date;
}

export interface FakeBucket {
  readonly objectLock: boolean;
  /** every key's versions, oldest first */
  readonly keys: Map<string, FakeVersion[]>;
}

export interface FakeS3 {
  readonly endpoint: string;
  readonly buckets: Map<string, FakeBucket>;
  /** `METHOD path?query` and the status answered, in order */
  readonly requests: { line: string; status: number; headers: http.IncomingHttpHeaders }[];
  /** PUTs are held until this many have arrived, then answered in arrival order (to make writers race) */
  holdPuts: number;
  close(): Promise<void>;
}

export interface FakeS3Options {
  readonly buckets: Record<string, { readonly objectLock: boolean }>;
  /** entries per ListObjectVersions page (S3's default is 1000) */
  readonly pageSize?: number;
}

const xmlEscape = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function error(res: http.ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error>`;
  res.writeHead(status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

export async function startFakeS3(options: FakeS3Options): Promise<FakeS3> {
  const buckets = new Map<string, FakeBucket>(
    Object.entries(options.buckets).map(([name, b]) => [name, { objectLock: b.objectLock, keys: new Map() }]),
  );
  const pageSize = options.pageSize ?? 1000;
  const requests: FakeS3["requests"] = [];
  let versionCounter = 0;
  let lastTime = 0;
  // S3 orders a key's versions by when they were stored; the clock here never stands still.
  const now = () => new Date((lastTime = Math.max(Date.now(), lastTime + 1)));
  const newVersionId = () => `v${String(++versionCounter).padStart(6, "0")}`;
  const heldPuts: (() => void)[] = [];

  const fake: FakeS3 = {
    endpoint: "",
    buckets,
    requests,
    holdPuts: 0,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };

  function put(
    bucket: FakeBucket,
    key: string,
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
  ) {
    const versions = bucket.keys.get(key) ?? [];
    const current = versions[versions.length - 1];
    if (req.headers["if-none-match"] === "*" && current !== undefined && !current.deleteMarker)
      return error(
        res,
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
      );
    const mode = req.headers["x-amz-object-lock-mode"] as string | undefined;
    const until = req.headers["x-amz-object-lock-retain-until-date"] as string | undefined;
    const sha256 = req.headers["x-amz-checksum-sha256"] as string | undefined;
    const checksummed =
      req.headers["content-md5"] !== undefined ||
      Object.keys(req.headers).some((h) => h.startsWith("x-amz-checksum-"));
    if (mode !== undefined || until !== undefined) {
      if (!bucket.objectLock)
        return error(res, 400, "InvalidRequest", "Bucket is missing Object Lock Configuration");
      if (!checksummed)
        return error(
          res,
          400,
          "InvalidRequest",
          "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters",
        );
      if (mode !== "COMPLIANCE" && mode !== "GOVERNANCE")
        return error(res, 400, "InvalidArgument", "Unknown wormMode directive.");
      if (until === undefined || Number.isNaN(Date.parse(until)) || Date.parse(until) <= Date.now())
        return error(res, 400, "InvalidArgument", "The retain until date must be in the future!");
    }
    if (sha256 !== undefined && createHash("sha256").update(body).digest("base64") !== sha256)
      return error(res, 400, "BadDigest", "The SHA256 you specified did not match the calculated checksum.");
    const version: FakeVersion = {
      versionId: newVersionId(),
      lastModified: now(),
      deleteMarker: false,
      body,
      ...(mode !== undefined && until !== undefined ? { lockMode: mode, retainUntil: new Date(until) } : {}),
    };
    bucket.keys.set(key, [...versions, version]);
    res.writeHead(200, {
      etag: `"${createHash("md5").update(body).digest("hex")}"`,
      "x-amz-version-id": version.versionId,
    });
    res.end();
  }

  function get(bucket: FakeBucket, key: string, query: URLSearchParams, res: http.ServerResponse) {
    const versions = bucket.keys.get(key) ?? [];
    const wanted = query.get("versionId");
    const version =
      wanted === null ? versions[versions.length - 1] : versions.find((v) => v.versionId === wanted);
    if (!version)
      return error(
        res,
        404,
        wanted === null ? "NoSuchKey" : "NoSuchVersion",
        "The specified key does not exist.",
      );
    if (version.deleteMarker) {
      res.setHeader("x-amz-delete-marker", "true");
      return wanted === null
        ? error(res, 404, "NoSuchKey", "The specified key does not exist.")
        : error(res, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
    }
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": version.body.length,
      "last-modified": version.lastModified.toUTCString(),
      "x-amz-version-id": version.versionId,
      ...(version.lockMode && version.retainUntil
        ? {
            "x-amz-object-lock-mode": version.lockMode,
            "x-amz-object-lock-retain-until-date": version.retainUntil.toISOString(),
          }
        : {}),
    });
    res.end(version.body);
  }

  function remove(bucket: FakeBucket, key: string, query: URLSearchParams, res: http.ServerResponse) {
    const versions = bucket.keys.get(key) ?? [];
    const wanted = query.get("versionId");
    if (wanted === null) {
      const marker: FakeVersion = {
        versionId: newVersionId(),
        lastModified: now(),
        deleteMarker: true,
        body: Buffer.alloc(0),
      };
      bucket.keys.set(key, [...versions, marker]);
      res.writeHead(204, { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId });
      return res.end();
    }
    const version = versions.find((v) => v.versionId === wanted);
    if (version?.retainUntil && version.retainUntil.getTime() > Date.now())
      return error(res, 403, "AccessDenied", "Access Denied because object protected by object lock.");
    bucket.keys.set(
      key,
      versions.filter((v) => v.versionId !== wanted),
    );
    res.writeHead(204, { "x-amz-version-id": wanted });
    res.end();
  }

  function listVersions(name: string, bucket: FakeBucket, query: URLSearchParams, res: http.ServerResponse) {
    const prefix = query.get("prefix") ?? "";
    const keyMarker = query.get("key-marker") ?? "";
    const versionIdMarker = query.get("version-id-marker") ?? "";
    const entries = [...bucket.keys]
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .flatMap(([key, versions]) => [...versions].reverse().map((v, i) => ({ key, v, latest: i === 0 })));
    let start = 0;
    if (keyMarker !== "") {
      start = entries.findIndex((e) =>
        versionIdMarker === "" ? e.key > keyMarker : e.key === keyMarker && e.v.versionId === versionIdMarker,
      );
      if (versionIdMarker !== "") start += 1;
      if (start < 0) start = entries.length;
    }
    const page = entries.slice(start, start + pageSize);
    const truncated = start + pageSize < entries.length;
    const last = page[page.length - 1];
    const items = page
      .map(({ key, v, latest }) =>
        v.deleteMarker
          ? `<DeleteMarker><Key>${xmlEscape(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified></DeleteMarker>`
          : `<Version><Key>${xmlEscape(key)}</Key><VersionId>${v.versionId}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>"${createHash("md5").update(v.body).digest("hex")}"</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Version>`,
      )
      .join("");
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${name}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyMarker>${xmlEscape(keyMarker)}</KeyMarker><VersionIdMarker>${versionIdMarker}</VersionIdMarker><MaxKeys>${pageSize}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${
      truncated && last
        ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextVersionIdMarker>${last.v.versionId}</NextVersionIdMarker>`
        : ""
    }${items}</ListVersionsResult>`;
    res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  function listObjects(name: string, bucket: FakeBucket, query: URLSearchParams, res: http.ServerResponse) {
    const prefix = query.get("prefix") ?? "";
    const after = query.get("continuation-token") ?? query.get("start-after") ?? "";
    const limit = Math.min(pageSize, Number(query.get("max-keys") ?? pageSize));
    const current = [...bucket.keys]
      .map(([key, versions]) => ({ key, v: versions[versions.length - 1] }))
      .filter((e): e is { key: string; v: FakeVersion } => e.v !== undefined && !e.v.deleteMarker)
      .filter((e) => e.key.startsWith(prefix) && e.key > after)
      .sort((a, b) => (a.key < b.key ? -1 : 1));
    const page = current.slice(0, limit);
    const truncated = current.length > limit;
    const items = page
      .map(
        ({ key, v }) =>
          `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${v.lastModified.toISOString()}</LastModified><ETag>"${createHash("md5").update(v.body).digest("hex")}"</ETag><Size>${v.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      )
      .join("");
    const next = truncated
      ? `<NextContinuationToken>${xmlEscape(page[page.length - 1]!.key)}</NextContinuationToken>`
      : "";
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${name}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${limit}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next}${items}</ListBucketResult>`;
    res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
    res.end(body);
  }

  function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse) {
    const url = new URL(req.url ?? "/", "http://fake");
    const [, bucketName = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (!String(req.headers.authorization ?? "").startsWith("AWS4-HMAC-SHA256 "))
      return error(res, 403, "AccessDenied", "Anonymous access is forbidden for this operation");
    const bucket = buckets.get(bucketName);
    if (!bucket) return error(res, 404, "NoSuchBucket", "The specified bucket does not exist");
    if (key === "" && req.method === "GET" && url.searchParams.has("versions"))
      return listVersions(bucketName, bucket, url.searchParams, res);
    if (key === "" && req.method === "GET" && url.searchParams.get("list-type") === "2")
      return listObjects(bucketName, bucket, url.searchParams, res);
    if (key !== "" && req.method === "PUT") return put(bucket, key, req, body, res);
    if (key !== "" && req.method === "GET") return get(bucket, key, url.searchParams, res);
    if (key !== "" && req.method === "DELETE") return remove(bucket, key, url.searchParams, res);
    return error(
      res,
      501,
      "NotImplemented",
      `${req.method} ${url.pathname}${url.search} is not part of this stand-in`,
    );
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const respond = () => {
        res.on("finish", () =>
          requests.push({ line: `${req.method} ${req.url}`, status: res.statusCode, headers: req.headers }),
        );
        handle(req, Buffer.concat(chunks), res);
      };
      if (req.method === "PUT" && fake.holdPuts > 0) {
        heldPuts.push(respond);
        if (heldPuts.length >= fake.holdPuts) {
          fake.holdPuts = 0;
          for (const held of heldPuts.splice(0)) held();
        }
        return;
      }
      respond();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  (fake as { endpoint: string }).endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
