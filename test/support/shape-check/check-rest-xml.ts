import type { Operation, ServiceModel } from "./model.ts";
import { validateXml, type Findings } from "./validate-value.ts";
import { child, parseXml, type XmlElement } from "./xml-tree.ts";

/**
 * S3's error codes (the "Error responses" page of the Amazon S3 API reference): the model lists only
 * a handful per operation, every operation may answer these.
 */
const S3_ERRORS = new Set([
  "AccessDenied", "AccountProblem", "AllAccessDisabled", "BadDigest", "BucketAlreadyExists", "BucketAlreadyOwnedByYou", "BucketNotEmpty",
  "EntityTooLarge", "EntityTooSmall", "IllegalVersioningConfigurationException", "IncompleteBody", "InternalError", "InvalidAccessKeyId",
  "InvalidArgument", "InvalidBucketName", "InvalidBucketState", "InvalidDigest", "InvalidObjectState", "InvalidPart", "InvalidPartOrder",
  "InvalidRange", "InvalidRequest", "InvalidStorageClass", "KeyTooLongError", "MalformedPolicy", "MalformedXML", "MethodNotAllowed",
  "MissingContentLength", "NoSuchBucket", "NoSuchBucketPolicy", "NoSuchKey", "NoSuchUpload", "NoSuchVersion", "NotImplemented",
  "PreconditionFailed", "RequestTimeTooSkewed", "ServiceUnavailable", "SignatureDoesNotMatch", "SlowDown", "TooManyBuckets",
  "XAmzContentSHA256Mismatch", "InvalidToken", "ExpiredToken", "AuthorizationHeaderMalformed", "MissingSecurityHeader",
]);

const INTEGER = /^-?\d+$/;

function lower(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function parse(body: string, f: Findings): XmlElement | undefined {
  try {
    return parseXml(body);
  } catch (e) {
    f.problems.push(`body is not XML: ${(e as Error).message}`);
    return undefined;
  }
}

/** Header-bound output members: integers, booleans and timestamps as the model types them. */
function checkHeaders(model: ServiceModel, op: Operation, h: Record<string, string>, f: Findings): void {
  const out = model.shapes[op.output!.shape];
  for (const [name, m] of Object.entries(out.members ?? {})) {
    if (m.location !== "header") continue;
    const v = h[(m.locationName ?? name).toLowerCase()];
    if (v === undefined) continue;
    const t = model.shapes[m.shape].type;
    if ((t === "integer" || t === "long") && !INTEGER.test(v)) f.problems.push(`header ${m.locationName}: '${v}' is not an integer`);
    if (t === "boolean" && v !== "true" && v !== "false") f.problems.push(`header ${m.locationName}: '${v}' is not true or false`);
    // S3's headers carry RFC 7231 dates (Last-Modified, Expires) unless the model says otherwise.
    if (t === "timestamp" && Number.isNaN(Date.parse(v))) f.problems.push(`header ${m.locationName}: '${v}' is not a date`);
    const e = model.shapes[m.shape].enum;
    if (t === "string" && e && !e.includes(v)) f.notes.push(`header ${m.locationName}: '${v}' is not in ${m.shape}`);
  }
}

/** rest-xml (S3): <Error><Code/><Message/><RequestId/></Error>, x-amz-request-id, payloads and header-bound members. */
export function checkRestXml(model: ServiceModel, op: Operation, r: { status: number; headers: Record<string, string>; body: string }, f: Findings): void {
  const h = lower(r.headers);
  if (!h["x-amz-request-id"]) f.problems.push("no x-amz-request-id header");
  if (r.status >= 300) {
    // HEAD answers carry no body, errors included.
    if (op.http.method === "HEAD") return void (r.body.trim() && f.problems.push("a body in the answer to HEAD"));
    const root = parse(r.body, f);
    if (!root) return;
    if (root.name !== "Error") return void f.problems.push(`error answer <${root.name}> is not <Error>`);
    const code = child(root, "Code")?.text ?? "";
    if (!code) f.problems.push("error without <Code>");
    if (child(root, "Message") === undefined) f.problems.push("error without <Message>");
    if (!child(root, "RequestId")?.text) f.problems.push("error without <RequestId>");
    const modeled = (op.errors ?? []).some((e) => e.shape === code);
    if (!modeled && !S3_ERRORS.has(code)) f.problems.push(`error code ${code} is neither in the s3 model nor in S3's list of error codes`);
    return;
  }
  const want = op.http.responseCode ?? 200;
  // GetObject with a Range answers 206; an answer without output may be 204 where the model says 200
  // (PutBucketPolicy: "HTTP/1.1 204 No Content" in the S3 API reference's example).
  const alsoOk = (want === 200 && r.status === 206 && op.name === "GetObject") || (want === 200 && r.status === 204 && !op.output);
  if (r.status !== want && !alsoOk) f.problems.push(`status ${r.status}, the model says ${want}`);
  if (!op.output) {
    if (r.body.trim() !== "") f.problems.push("a body where the model has no output");
    return;
  }
  checkHeaders(model, op, h, f);
  const out = model.shapes[op.output.shape];
  if (out.payload) {
    const p = out.members![out.payload];
    if (model.shapes[p.shape].type !== "structure" || !r.body.trim()) return; // a blob or a stream: any bytes
    const root = parse(r.body, f);
    if (!root) return;
    const tag = p.locationName ?? model.shapes[p.shape].locationName ?? p.shape;
    if (root.name !== tag) f.problems.push(`root <${root.name}>, expected <${tag}>`);
    return void validateXml(model, p, root, op.name, f);
  }
  const bodyMembers = Object.values(out.members ?? {}).filter((m) => !m.location);
  if (bodyMembers.length === 0) {
    if (r.body.trim() !== "") f.problems.push("a body where the model has only headers");
    return;
  }
  const root = parse(r.body, f);
  if (!root) return;
  if (op.name === "GetBucketLocation") {
    // Its body is the member itself: <LocationConstraint>eu-west-1</LocationConstraint> (empty in us-east-1).
    if (root.name !== "LocationConstraint") f.problems.push(`root <${root.name}>, expected <LocationConstraint>`);
    return;
  }
  // botocore names no root for most outputs (ListBucketResult, DeleteResult ...): checked only where it does.
  const tag = out.locationName ?? op.output.locationName;
  if (tag && root.name !== tag) f.problems.push(`root <${root.name}>, expected <${tag}>`);
  validateXml(model, op.output, root, op.name, f);
}
