import type { ServiceModel } from "./model.ts";

/** Operations S3 tells apart by a header, not by method, path or query. */
const COPY_SOURCE = new Set(["CopyObject", "UploadPartCopy"]);
const NO_COPY_SOURCE = new Set(["PutObject", "UploadPart"]);

function queryLiterals(uri: string): Array<[string, string | undefined]> {
  const q = uri.split("?")[1] ?? "";
  return q
    .split("&")
    .filter(Boolean)
    .map((kv) => {
      const [k, v] = kv.split("=");
      return [k, v];
    });
}

/**
 * Which operation a path-style S3 request is, from botocore's request URIs ("/{Bucket}/{Key+}?uploads"):
 * method, path shape, the query literals (the most specific match wins) and x-amz-copy-source.
 */
export function restXmlOperation(model: ServiceModel, method: string, path: string, query: Record<string, unknown>, headers: Record<string, string>): string | undefined {
  const segs = path.split("/").filter(Boolean);
  const copy = Object.keys(headers).some((k) => k.toLowerCase() === "x-amz-copy-source");
  let best: string | undefined;
  let bestScore = -1;
  for (const [name, op] of Object.entries(model.operations)) {
    if (op.http.method !== method) continue;
    const pat = op.http.requestUri.split("?")[0].split("/").filter(Boolean);
    const greedy = pat.length > 0 && pat[pat.length - 1].endsWith("+}");
    if (greedy ? segs.length < pat.length : segs.length !== pat.length) continue;
    if (!pat.every((p, i) => p.startsWith("{") || p === segs[i])) continue;
    const lits = queryLiterals(op.http.requestUri);
    if (!lits.every(([k, v]) => k in query && (v === undefined || String(query[k]) === v))) continue;
    if (COPY_SOURCE.has(name) !== copy && (COPY_SOURCE.has(name) || NO_COPY_SOURCE.has(name))) continue;
    // Required query members (uploadId, partNumber) also tell operations apart.
    const input = op.input ? model.shapes[op.input.shape] : undefined;
    const requiredQuery = Object.entries(input?.members ?? {}).filter(([n, m]) => m.location === "querystring" && (input?.required ?? []).includes(n));
    if (!requiredQuery.every(([n, m]) => (m.locationName ?? n) in query)) continue;
    const score = lits.length * 10 + requiredQuery.length;
    if (score > bestScore) {
      best = name;
      bestScore = score;
    }
  }
  return best;
}

/** A request that reaches `operation`'s route, for the served-operations probe. */
export function probeRequest(model: ServiceModel, operation: string): { method: string; path: string; query: URLSearchParams; headers: Record<string, string> } {
  const op = model.operations[operation];
  const [p] = op.http.requestUri.split("?");
  const path = p.replace("{Bucket}", "probe-bucket").replace(/\{Key\+?\}/, "probe-key");
  const query = new URLSearchParams();
  for (const [k, v] of queryLiterals(op.http.requestUri)) query.set(k, v ?? "");
  const input = op.input ? model.shapes[op.input.shape] : undefined;
  for (const [n, m] of Object.entries(input?.members ?? {})) if (m.location === "querystring" && (input?.required ?? []).includes(n)) query.set(m.locationName ?? n, "1");
  return { method: op.http.method, path, query, headers: COPY_SOURCE.has(operation) ? { "x-amz-copy-source": "/probe-bucket/src" } : {} };
}
