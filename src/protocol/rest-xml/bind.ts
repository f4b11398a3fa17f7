// Binds a REST-XML service model (S3) to the wire: request bodies read as documents when an
// operation asks, output documents written as S3's XML, every answer named by S3's two request-id
// headers, errors as S3's <Error> document. The service never sees a codec.
import type { OutputDocument } from "../../core/output-tree.ts";
import type { RestOutput, RestXmlServiceModel } from "../../core/rest-model.ts";
import type { ServiceDefinition } from "../../core/service-definition.ts";
import type { ServiceResponse } from "../http-types.ts";
import { hostId, readDocument, renderS3Error, xmlDocument } from "./codec.ts";

export function bindRestXmlService(model: RestXmlServiceModel): ServiceDefinition {
  return {
    signingName: model.signingName,
    protocol: model.protocol,
    maxBodyBytes: model.maxBodyBytes,
    unsignedPayload: model.unsignedPayload,
    s3Signing: model.s3Signing,
    handle: (req, ctx) => {
      const named = (r: RestOutput<OutputDocument>): ServiceResponse => {
        const res = encode(r);
        // S3 names every answer, successes too, with these two headers (errors get them in renderS3Error).
        return { ...res, headers: { "x-amz-request-id": ctx.requestId, "x-amz-id-2": hostId(), ...res.headers } };
      };
      const r = model.handle({ req, document: () => readDocument(req.body.toString("utf8")) }, ctx);
      return r instanceof Promise ? r.then(named) : named(r);
    },
    renderError: (err, requestId) => renderS3Error(model.translateError ? model.translateError(err) : err, requestId),
    accessDenied: model.accessDenied,
    onReset: model.onReset,
    onShutdown: model.onShutdown,
  };
}

/** An output document becomes S3's XML; a body given as it is passes through. */
function encode(r: RestOutput<OutputDocument>): ServiceResponse {
  if (!r.output) return r;
  const doc = r.output;
  return { status: r.status, headers: { "content-type": "application/xml", ...r.headers }, body: xmlDocument(doc.root, doc.members) };
}
