import type { OutputObject } from "../../core/output-tree.ts";
import { authorize, bucketArn, findBucket, documentResponse, type S3Call, type S3Output } from "./context.ts";
import { invalidArgument } from "./errors.ts";

/** S3 lists keys in UTF-8 binary order. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

function maxKeys(call: S3Call): number {
  const raw = call.req.query.get("max-keys");
  if (raw === null) return 1000;
  if (!/^\d+$/.test(raw)) throw invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", raw);
  return Math.min(Number(raw), 1000);
}

interface Listing {
  keys: string[];
  prefixes: string[];
  truncated: boolean;
  /** The last key or prefix returned, where the next page starts after. */
  last?: string;
}

/** Keys after `after` under `prefix`, rolled up at `delimiter`, at most `max` entries (keys and prefixes together). */
function listKeys(all: string[], prefix: string, delimiter: string, after: string, max: number): Listing {
  const keys: string[] = [];
  const prefixes: string[] = [];
  let last: string | undefined;
  for (const key of all) {
    if (!key.startsWith(prefix) || byteOrder(key, after) <= 0) continue;
    let entry = key;
    let isPrefix = false;
    if (delimiter) {
      const i = key.indexOf(delimiter, prefix.length);
      if (i >= 0) {
        entry = key.slice(0, i + delimiter.length);
        isPrefix = true;
        if (entry === prefixes[prefixes.length - 1]) continue;
        // A rolled-up prefix already passed on an earlier page.
        if (after.startsWith(entry)) continue;
      }
    }
    if (keys.length + prefixes.length >= max) return { keys, prefixes, truncated: true, last };
    (isPrefix ? prefixes : keys).push(entry);
    last = entry;
  }
  return { keys, prefixes, truncated: false, last };
}

export function listObjects(call: S3Call, v2: boolean): S3Output {
  call.ctx.operation = v2 ? "ListObjectsV2" : "ListObjects";
  const b = findBucket(call);
  const q = call.req.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  authorize(call, "s3:ListBucket", bucketArn(b.name), b, { "s3:prefix": prefix, "s3:delimiter": delimiter, "s3:max-keys": String(maxKeys(call)) });
  const max = maxKeys(call);
  const encode = q.get("encoding-type") === "url";
  if (q.get("encoding-type") !== null && !encode) throw invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", q.get("encoding-type") ?? "");
  const enc = (s: string | undefined) => (s === undefined ? undefined : encode ? encodeURIComponent(s).replace(/%2F/g, "/") : s);
  const token = q.get("continuation-token");
  let after = v2 ? (q.get("start-after") ?? "") : (q.get("marker") ?? "");
  if (v2 && token !== null) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (!decoded.startsWith("k:")) throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
    after = decoded.slice(2);
  }
  const live = Object.keys(b.objects)
    .filter((k) => !b.objects[k][0]?.deleteMarker)
    .sort(byteOrder);
  const page = listKeys(live, prefix, delimiter, after, max);
  const contents = page.keys.map((k) => {
    const v = b.objects[k][0];
    return { Key: enc(k), LastModified: v.lastModified, ETag: v.etag, Size: v.size, StorageClass: "STANDARD" };
  });
  const common = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  if (v2) {
    return documentResponse("ListBucketResult", {
      Name: b.name,
      Prefix: enc(prefix),
      Delimiter: delimiter ? enc(delimiter) : undefined,
      MaxKeys: max,
      EncodingType: encode ? "url" : undefined,
      KeyCount: contents.length + common.length,
      IsTruncated: page.truncated,
      ContinuationToken: token ?? undefined,
      NextContinuationToken: page.truncated && page.last !== undefined ? Buffer.from(`k:${page.last}`).toString("base64url") : undefined,
      StartAfter: q.get("start-after") !== null ? enc(q.get("start-after")!) : undefined,
      Contents: contents,
      CommonPrefixes: common,
    });
  }
  return documentResponse("ListBucketResult", {
    Name: b.name,
    Prefix: enc(prefix),
    Marker: enc(q.get("marker") ?? ""),
    NextMarker: page.truncated && delimiter ? enc(page.last) : undefined,
    MaxKeys: max,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    EncodingType: encode ? "url" : undefined,
    IsTruncated: page.truncated,
    Contents: contents,
    CommonPrefixes: common,
  });
}

export function listObjectVersions(call: S3Call): S3Output {
  call.ctx.operation = "ListObjectVersions";
  const b = findBucket(call);
  const q = call.req.query;
  const prefix = q.get("prefix") ?? "";
  authorize(call, "s3:ListBucketVersions", bucketArn(b.name), b, { "s3:prefix": prefix });
  const max = maxKeys(call);
  const encode = q.get("encoding-type") === "url";
  const enc = (s: string) => (encode ? encodeURIComponent(s).replace(/%2F/g, "/") : s);
  const keyMarker = q.get("key-marker") ?? "";
  const versionMarker = q.get("version-id-marker");
  // Versions and delete markers interleave in key order, newest first within a key, as S3 lists them.
  const entries: [string, OutputObject][] = [];
  let truncated = false;
  let nextKey: string | undefined;
  let nextVersion: string | undefined;
  outer: for (const key of Object.keys(b.objects).sort(byteOrder)) {
    if (!key.startsWith(prefix)) continue;
    const cmp = byteOrder(key, keyMarker);
    if (keyMarker && cmp < 0) continue;
    const list = b.objects[key];
    let skipping = keyMarker !== "" && cmp === 0;
    if (skipping && versionMarker === null) continue;
    for (let i = 0; i < list.length; i++) {
      const v = list[i];
      if (skipping) {
        if (v.versionId === versionMarker) skipping = false;
        continue;
      }
      if (entries.length >= max) {
        truncated = true;
        break outer;
      }
      const common = { Key: enc(key), VersionId: v.versionId, IsLatest: i === 0, LastModified: v.lastModified };
      entries.push(v.deleteMarker ? ["DeleteMarker", common] : ["Version", { ...common, ETag: v.etag, Size: v.size, StorageClass: "STANDARD" }]);
      nextKey = key;
      nextVersion = v.versionId;
    }
  }
  const head = {
    Name: b.name,
    Prefix: enc(prefix),
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionMarker ?? "",
    NextKeyMarker: truncated ? enc(nextKey!) : undefined,
    NextVersionIdMarker: truncated ? nextVersion : undefined,
    MaxKeys: max,
    EncodingType: encode ? "url" : undefined,
    IsTruncated: truncated,
  };
  return documentResponse("ListVersionsResult", [...Object.entries(head), ...entries]);
}
