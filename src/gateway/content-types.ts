// The request Content-Types each wire protocol uses. A browser page can send text/plain,
// multipart/form-data and application/x-www-form-urlencoded without a CORS preflight, so a type
// the protocol does not use is refused before the body is parsed (docs/security.md).
//
// What the clients send (recorded from the AWS CLI v2 and SDK for JavaScript v3):
//   Lambda CreateFunction, UpdateFunctionCode, PublishVersion, TagResource   application/json
//   Lambda Invoke, InvokeAsync, InvokeWithResponseStream   SDK: application/octet-stream, CLI: none
//   GET and DELETE without a body                                             none
//   EC2, IAM, STS                          application/x-www-form-urlencoded (charset=utf-8 from the CLI)
//   S3 (rest-xml)                          any: an object body has the type of the object. A page can thus send
//                                          S3 a simple request; the Origin check (browser-guard.ts) refuses it.
import type { Protocol } from "./service-definition.ts";

const REST_JSON_TYPES: ReadonlySet<string> = new Set([
  "application/json",
  "application/x-amz-json-1.0",
  "application/x-amz-json-1.1",
  "application/octet-stream",
  "binary/octet-stream",
]);

const FORM = "application/x-www-form-urlencoded";

/** The media type without parameters, lower case: "Application/JSON; charset=utf-8" → "application/json". */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(";");
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Why this Content-Type is refused for the protocol, or undefined when it is one the protocol uses. */
export function contentTypeProblem(protocol: Protocol, contentType: string | undefined, bodyLength: number): string | undefined {
  if (protocol === "rest-xml") return undefined;
  if (protocol === "rest-json") {
    // The CLI sends an Invoke payload without a Content-Type.
    if (contentType === undefined) return undefined;
    const t = mediaType(contentType);
    if (REST_JSON_TYPES.has(t)) return undefined;
    return `Content-Type '${clip(t)}' is not accepted here: send application/json (or application/octet-stream for an Invoke payload)`; // unverified wording
  }
  if (contentType === undefined) {
    return bodyLength === 0 ? undefined : `a request body needs Content-Type ${FORM}`; // unverified wording
  }
  const t = mediaType(contentType);
  if (t === FORM) return undefined;
  return `Content-Type '${clip(t)}' is not accepted here: send the parameters as ${FORM}`; // unverified wording
}

function clip(t: string): string {
  return (t.length > 80 ? t.slice(0, 80) : t).replace(/[^\x20-\x7e]/g, "?");
}
