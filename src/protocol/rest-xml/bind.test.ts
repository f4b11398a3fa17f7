import assert from "node:assert/strict";
import { test } from "node:test";
import { AwsError } from "../../core/aws-error.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { rootTestContext } from "../../core/test-support.ts";
import type { OutputDocument } from "../../core/output-tree.ts";
import type { RestOutput, RestXmlServiceModel } from "../../core/rest-model.ts";
import { bindRestXmlService } from "./bind.ts";
import { S3_XMLNS } from "./codec.ts";

const ctx = () => rootTestContext("111122223333", "us-east-1", new SimulatedClock());

const request = (method: string, rawPath: string, body = "") => ({ method, rawPath, query: new URLSearchParams(), headers: {}, body: Buffer.from(body) });
const HEAD = `<?xml version="1.0" encoding="UTF-8"?>\n`;

const model: RestXmlServiceModel = {
  signingName: "s3",
  protocol: "rest-xml",
  maxBodyBytes: 10,
  unsignedPayload: true,
  s3Signing: true,
  handle: ({ req, document }): RestOutput<OutputDocument> => {
    if (req.rawPath === "/list") return { status: 200, headers: { "x-extra": "1" }, output: { root: "R", members: { Name: "a&b", Skip: undefined, Contents: [{ Key: "k1" }, { Key: "k2" }], Empty: [] } } };
    if (req.rawPath === "/versions") return { status: 200, output: { root: "V", members: [["Name", "b"], ["Version", { Key: "a" }], ["DeleteMarker", { Key: "b" }], ["Version", { Key: "c" }]] } };
    if (req.rawPath === "/location") return { status: 200, output: { root: "LocationConstraint", members: "eu-west-1" } };
    if (req.rawPath === "/raw") return { status: 200, headers: { "content-type": "text/plain" }, body: "as is" };
    const doc = document();
    if (!doc.has("Delete")) throw new AwsError("MalformedXML", 400, "The XML you provided was not well-formed or did not validate against our published schema");
    return { status: 200, output: { root: "DeleteResult", members: { Deleted: doc.all("Object").map((o) => ({ Key: o.text("Key") })), Quiet: doc.text("Quiet") } } };
  },
  translateError: (err) => (err.code === "RequestEntityTooLarge" ? new AwsError("EntityTooLarge", 400, "Your proposed upload exceeds the maximum allowed size") : err),
  accessDenied: () => new AwsError("AccessDenied", 403, "denied"),
};

test("a rest-xml model bound by the codec: output documents as S3's XML, request documents read by element, S3's headers and errors", async () => {
  const s3 = bindRestXmlService(model);
  assert.deepEqual([s3.signingName, s3.protocol, s3.unsignedPayload, s3.s3Signing], ["s3", "rest-xml", true, true]);
  const list = await s3.handle(request("GET", "/list"), ctx());
  assert.deepEqual(Object.keys(list.headers ?? {}), ["x-amz-request-id", "x-amz-id-2", "content-type", "x-extra"]);
  assert.deepEqual([list.headers?.["x-amz-request-id"], list.headers?.["content-type"]], ["req-1", "application/xml"]);
  assert.equal(list.body, `${HEAD}<R xmlns="${S3_XMLNS}"><Name>a&amp;b</Name><Contents><Key>k1</Key></Contents><Contents><Key>k2</Key></Contents></R>`);
  // Members as pairs keep their interleaving; a string is the root's own text.
  assert.equal((await s3.handle(request("GET", "/versions"), ctx())).body, `${HEAD}<V xmlns="${S3_XMLNS}"><Name>b</Name><Version><Key>a</Key></Version><DeleteMarker><Key>b</Key></DeleteMarker><Version><Key>c</Key></Version></V>`);
  assert.equal((await s3.handle(request("GET", "/location"), ctx())).body, `${HEAD}<LocationConstraint xmlns="${S3_XMLNS}">eu-west-1</LocationConstraint>`);
  const raw = await s3.handle(request("GET", "/raw"), ctx());
  assert.deepEqual([raw.body, raw.headers?.["content-type"]], ["as is", "text/plain"]);

  const del = await s3.handle(request("POST", "/", `<Delete xmlns="${S3_XMLNS}"><Quiet>false</Quiet><Object><Key>a&amp;1</Key></Object><s3:Object><Key>b</Key></s3:Object></Delete>`), ctx());
  assert.equal(del.body, `${HEAD}<DeleteResult xmlns="${S3_XMLNS}"><Deleted><Key>a&amp;1</Key></Deleted><Deleted><Key>b</Key></Deleted><Quiet>false</Quiet></DeleteResult>`);
  await assert.rejects(Promise.resolve().then(() => s3.handle(request("POST", "/", "<Other/>"), ctx())), (e: unknown) => e instanceof AwsError && e.code === "MalformedXML");

  const big = s3.renderError(new AwsError("RequestEntityTooLarge", 413, "too large"), "req-2");
  assert.equal(big.status, 400);
  assert.match(String(big.body), /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>EntityTooLarge<\/Code><Message>Your proposed upload exceeds the maximum allowed size<\/Message><RequestId>req-2<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
});
