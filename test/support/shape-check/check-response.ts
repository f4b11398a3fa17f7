import type { Operation, ServiceModel, ShapeRef } from "./model.ts";
import { unknownMember, validateJson, validateXml, type Findings } from "./validate-value.ts";
import { child, parseXml, type XmlElement } from "./xml-tree.ts";
import { checkRestXml } from "./check-rest-xml.ts";

/** One answer as it came off the wire. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Errors every query, EC2 and JSON service may answer without listing them per operation
 * (AWS's "Common Errors" pages for EC2, IAM, STS and Lambda's authentication errors).
 */
const COMMON_ERRORS = new Set([
  "AccessDenied", "AccessDeniedException", "IncompleteSignature", "InternalFailure", "InvalidAction", "InvalidClientTokenId",
  "InvalidParameterCombination", "InvalidParameterValue", "InvalidQueryParameter", "MalformedQueryString", "MissingAction",
  "MissingAuthenticationToken", "MissingParameter", "NotAuthorized", "OptInRequired", "RequestExpired", "ServiceUnavailable",
  "ThrottlingException", "ValidationError", "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch",
  "AuthFailure", "UnauthorizedOperation", "ValidationException", "UnknownOperationException", "ExpiredToken", "RequestEntityTooLargeException",
]);

function errorShapeFor(model: ServiceModel, code: string): [string, ServiceModel["shapes"][string]] | undefined {
  for (const [name, s] of Object.entries(model.shapes)) {
    if (s.exception && (s.error?.code ?? name) === code) return [name, s];
  }
  return undefined;
}

/** Whether a modeled error code fits this operation; unmodeled codes must be common ones. */
function checkErrorCode(model: ServiceModel, op: Operation, code: string, status: number, f: Findings, senderType?: string): ShapeRef | undefined {
  if (!code) return void f.problems.push("error without a code");
  if (status < 400 || status > 599) f.problems.push(`error ${code} with status ${status}`);
  const hit = errorShapeFor(model, code);
  if (!hit) {
    if (!COMMON_ERRORS.has(code) && model.protocol !== "ec2") f.problems.push(`error code ${code} is neither in the ${model.service} model nor a common error`);
    return undefined;
  }
  const [name, shape] = hit;
  if (!(op.errors ?? []).some((e) => e.shape === name)) f.notes.push(`error ${code} is modeled for ${model.service}, not listed for ${op.name}`);
  const want = shape.error?.httpStatusCode;
  if (want !== undefined && want !== status) f.problems.push(`error ${code}: status ${status}, the model says ${want}`);
  if (senderType !== undefined && model.protocol === "query") {
    const wantType = shape.error?.senderFault ? "Sender" : (want ?? 500) < 500 ? "Sender" : "Receiver";
    if (senderType !== wantType) f.problems.push(`error ${code}: <Type>${senderType}</Type>, the model says ${wantType}`);
  }
  return { shape: name };
}

function lower(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  return out;
}

function checkRestJson(model: ServiceModel, op: Operation, r: RawResponse, f: Findings): void {
  const h = lower(r.headers);
  if (!h["x-amzn-requestid"]) f.problems.push("no x-amzn-RequestId header");
  const errType = h["x-amzn-errortype"];
  if (r.status >= 300 || errType) {
    if (!errType) f.problems.push(`status ${r.status} without an x-amzn-ErrorType header`);
    let body: unknown;
    try {
      body = JSON.parse(r.body);
    } catch {
      return void f.problems.push("error body is not JSON");
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return void f.problems.push("error body is not a JSON object");
    const o = body as Record<string, unknown>;
    const msg = o.message ?? o.Message;
    if (typeof msg !== "string") f.problems.push("error body has no message");
    const code = (errType ?? "").split(":")[0];
    const ref = checkErrorCode(model, op, code, r.status, f);
    if (ref) {
      // AWS's Lambda errors spell the message member either way; botocore reads both.
      const shaped: Record<string, unknown> = {};
      const members = model.shapes[ref.shape].members ?? {};
      for (const [k, v] of Object.entries(o)) {
        const name = Object.keys(members).find((m) => m.toLowerCase() === k.toLowerCase()) ?? k;
        shaped[name] = v;
      }
      validateJson(model, ref, shaped, code, f);
    }
    return;
  }
  const want = op.http.responseCode ?? 200;
  // An output member bound to the status (Invoke's StatusCode: 200, 202 for Event, 204 for DryRun) allows any 2xx.
  const statusBound = op.output && Object.values(model.shapes[op.output.shape].members ?? {}).some((m) => m.location === "statusCode");
  if (statusBound ? r.status < 200 || r.status > 299 : r.status !== want) f.problems.push(`status ${r.status}, the model says ${want}`);
  if (!op.output) {
    if (r.body.trim() !== "" && r.body.trim() !== "{}") f.problems.push("a body where the model has no output");
    return;
  }
  const out = model.shapes[op.output.shape];
  for (const [name, m] of Object.entries(out.members ?? {})) {
    if (m.location !== "header") continue;
    const v = h[(m.locationName ?? name).toLowerCase()];
    const t = model.shapes[m.shape].type;
    if (v !== undefined && (t === "integer" || t === "long") && !/^-?\d+$/.test(v)) f.problems.push(`header ${m.locationName}: '${v}' is not an integer`);
  }
  if (out.payload) {
    const p = out.members![out.payload];
    if (model.shapes[p.shape].type !== "structure") return; // a blob or a stream: any bytes
    if (!r.body) return;
    return void validateJson(model, p, JSON.parse(r.body), op.name, f);
  }
  if (!(h["content-type"] ?? "").startsWith("application/json")) f.problems.push(`content-type ${h["content-type"]}, expected application/json`);
  let body: unknown;
  try {
    body = JSON.parse(r.body || "{}");
  } catch {
    return void f.problems.push("body is not JSON");
  }
  validateJson(model, op.output, body, op.name, f);
}

function checkXml(model: ServiceModel, op: Operation, r: RawResponse, f: Findings): void {
  let root: XmlElement;
  try {
    root = parseXml(r.body);
  } catch (e) {
    return void f.problems.push(`body is not XML: ${(e as Error).message}`);
  }
  const ct = lower(r.headers)["content-type"] ?? "";
  if (!/^(text|application)\/xml/.test(ct)) f.problems.push(`content-type ${ct}, expected text/xml`);
  if (model.protocol === "ec2") {
    if (r.status >= 300 || root.name === "Response") {
      // <Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>..</Message></Error></Errors><RequestID>..</RequestID></Response>
      const err = root.name === "Response" ? child(child(root, "Errors") ?? root, "Error") : undefined;
      if (!err) return void f.problems.push(`error answer <${root.name}> is not <Response><Errors><Error>`);
      if (!child(root, "RequestID")) f.problems.push("error without <RequestID>");
      if (!child(err, "Message")?.text) f.problems.push("error without <Message>");
      checkErrorCode(model, op, child(err, "Code")?.text ?? "", r.status, f);
      return;
    }
    if (root.name !== `${op.name}Response`) f.problems.push(`root <${root.name}>, expected <${op.name}Response>`);
    if (root.attrs.xmlns?.replace(/\/$/, "") !== model.xmlNamespace?.replace(/\/$/, "")) f.problems.push(`xmlns ${root.attrs.xmlns}`);
    if (!child(root, "requestId")?.text) f.problems.push("no <requestId>");
    if (r.status !== 200) f.problems.push(`status ${r.status}`);
    // EC2 adds <return>true</return> to many answers beyond the model (DeleteVpc, and CreateSecurityGroup
    // and AssociateAddress beside their ids, as the EC2 API reference's examples show).
    const ret = child(root, "return");
    if (ret && ret.text !== "true" && ret.text !== "false") f.problems.push(`<return>${ret.text}</return>`);
    const modeledReturn = op.output && model.shapes[op.output.shape].members?.Return;
    const rest: XmlElement = { ...root, children: root.children.filter((c) => c.name !== "requestId" && (c.name !== "return" || modeledReturn)) };
    if (!op.output) {
      for (const c of rest.children) unknownMember(model, `${op.name}Result`, c.name, op.name, f, true);
      return;
    }
    return void validateXml(model, op.output, rest, op.name, f);
  }
  // query: <ErrorResponse><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>..</Message></Error><RequestId>..</RequestId></ErrorResponse>
  if (r.status >= 300 || root.name === "ErrorResponse") {
    const err = root.name === "ErrorResponse" ? child(root, "Error") : undefined;
    if (!err) return void f.problems.push(`error answer <${root.name}> is not <ErrorResponse><Error>`);
    if (!child(root, "RequestId")?.text) f.problems.push("error without <RequestId>");
    const type = child(err, "Type")?.text ?? "";
    if (type !== "Sender" && type !== "Receiver") f.problems.push(`error <Type>${type}</Type>`);
    if (child(err, "Message") === undefined) f.problems.push("error without <Message>");
    checkErrorCode(model, op, child(err, "Code")?.text ?? "", r.status, f, type);
    return;
  }
  if (root.name !== `${op.name}Response`) f.problems.push(`root <${root.name}>, expected <${op.name}Response>`);
  if (root.attrs.xmlns?.replace(/\/$/, "") !== model.xmlNamespace?.replace(/\/$/, "")) f.problems.push(`xmlns ${root.attrs.xmlns}`);
  if (!child(child(root, "ResponseMetadata") ?? root, "RequestId")?.text) f.problems.push("no <ResponseMetadata><RequestId>");
  if (r.status !== 200) f.problems.push(`status ${r.status}`);
  const others = root.children.filter((c) => c.name !== "ResponseMetadata");
  const wrapper = op.output?.resultWrapper;
  if (!op.output || !wrapper) {
    for (const c of others) f.problems.push(`<${c.name}> where the model has no result`);
    return;
  }
  const result = others.find((c) => c.name === wrapper);
  if (!result) return void f.problems.push(`no <${wrapper}>`);
  for (const c of others) if (c !== result) f.problems.push(`<${c.name}> beside <${wrapper}>`);
  validateXml(model, op.output, result, op.name, f);
}

/** Validate one raw answer to `operation` against the model: success shape or the protocol's error shape. */
export function checkResponse(model: ServiceModel, operation: string, r: RawResponse): Findings {
  const f: Findings = { problems: [], notes: [] };
  const op = Object.prototype.hasOwnProperty.call(model.operations, operation) ? model.operations[operation] : undefined;
  if (!op) {
    if (model.sdkOperations.has(operation)) f.notes.push(`${operation} is newer than the botocore model: checked for the protocol envelope only`);
    else f.problems.push(`${model.service} has no operation ${operation}`);
    if (r.status >= 300) return f;
    return f;
  }
  try {
    if (model.protocol === "rest-json") checkRestJson(model, op, r, f);
    else if (model.protocol === "rest-xml") checkRestXml(model, op, r, f);
    else checkXml(model, op, r, f);
  } catch (e) {
    f.problems.push(`the check failed: ${(e as Error).message}`);
  }
  return f;
}
