// The signature check every AWS request pays, alone: `npm run bench -- sigv4`. Parses and verifies a
// GetCallerIdentity and a GetFunction request signed by the AWS SDK's own signer (the signing key
// cached, as the gateway does), and times the pieces: the body's SHA-256, the canonical request's,
// and the final HMAC. Prints the median ns per operation over timed batches.
import { createHmac } from "node:crypto";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { parseSignature, sha256Hex, SigningKeyCache, verifySignature } from "../src/sigv4/verify.ts";
import { timeBatches } from "./_support.ts";

const BATCH = 5_000;
const BATCHES = 30;
const creds = { accessKeyId: "test", secretAccessKey: "test" };

async function signed(service: string, method: string, path: string, body: string, contentType?: string) {
  const headers: Record<string, string> = { host: "127.0.0.1:4566" };
  if (contentType) headers["content-type"] = contentType;
  const s = new SignatureV4({ credentials: creds, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const r = await s.sign(new HttpRequest({ method, protocol: "http:", hostname: "127.0.0.1", port: 4566, path, headers, body }));
  const lower = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method, rawPath: path, rawQuery: "", headers: lower, body: Buffer.from(body) };
}

function line(name: string, r: { perSec: number; medianNs: number }): void {
  console.log(`${name.padEnd(48)} ${Math.round(r.perSec).toLocaleString("en-US").padStart(10)} /s   median ${r.medianNs.toFixed(0).padStart(6)} ns`);
}

const cases = [
  { name: "STS GetCallerIdentity", req: await signed("sts", "POST", "/", "Action=GetCallerIdentity&Version=2011-06-15", "application/x-www-form-urlencoded; charset=utf-8") },
  { name: "Lambda GetFunction", req: await signed("lambda", "GET", "/2015-03-31/functions/node", "") },
];
console.log("bench/sigv4: parse + verify one signed request (signing key cached), single thread");
const keys = new SigningKeyCache();
for (const c of cases) {
  const query = new URLSearchParams(c.req.rawQuery);
  let ok = 0;
  line(`${c.name}: parse + verify`, timeBatches((n) => {
    for (let i = 0; i < n; i++) {
      const sig = parseSignature(query, c.req.headers);
      if (sig.kind === "signed" && verifySignature(sig.info, c.req, creds.secretAccessKey, keys)) ok++;
    }
  }, BATCH, BATCHES));
  if (ok === 0) throw new Error(`${c.name}: the signature did not verify`);
}
const body = cases[0].req.body;
const key = keys.get(creds.secretAccessKey, "20260101", "us-east-1", "sts");
const stringToSign = `AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-east-1/sts/aws4_request\n${sha256Hex("x")}`;
line("  of which: SHA-256 of the body (hex)", timeBatches((n) => { for (let i = 0; i < n; i++) sha256Hex(body); }, BATCH, BATCHES));
line("  of which: HMAC-SHA256 of the string to sign", timeBatches((n) => { for (let i = 0; i < n; i++) createHmac("sha256", key).update(stringToSign).digest(); }, BATCH, BATCHES));
