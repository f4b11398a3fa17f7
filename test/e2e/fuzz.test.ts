import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { connect } from "node:net";
import { randomBytes } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Hash } from "@smithy/hash-node";
import type { App } from "../../src/app.ts";
import { startTestServer } from "../support/server.ts";

/**
 * Thousands of random and malformed requests to every protocol: garbage bodies, broken XML/JSON and
 * form encodings, broken signatures, huge headers, truncated uploads, wrong methods. Every answer
 * must be a 4xx in the shape of the protocol addressed (or a 2xx for a request that happened to be
 * valid), never a 5xx, and the server must keep serving.
 */
const PER_PROTOCOL = 5000; // per protocol family: rest-json, EC2 query, IAM/STS query
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

let state = SEED;
function rand(n: number): number {
  // xorshift: reproducible with FUZZ_SEED
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return Math.abs(state) % n;
}
function pick<T>(xs: T[]): T {
  return xs[rand(xs.length)];
}
function junk(max: number): string {
  const alphabets = ["abcXYZ019", "<>&\"'=;%{}[]", "\u00e9\u4e2d\ud83d\ude00", "\u0000\u0001\u007f", ".-_~/+? "];
  let s = "";
  const n = rand(max);
  for (let i = 0; i < n; i++) s += pick(alphabets)[rand(8)] ?? "x";
  return s;
}

/** junk() may cut a surrogate pair in half, which encodeURIComponent refuses. */
function enc(s: string): string {
  return encodeURIComponent(s.replace(/[\ud800-\udfff]/g, "?"));
}

const signers = new Map<string, SignatureV4>();
function signer(service: string) {
  let s = signers.get(service);
  if (!s) {
    s = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service, sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
    signers.set(service, s);
  }
  return s;
}

interface Fuzzed {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  family: "rest-json" | "ec2" | "query";
  mayBeValid: boolean;
}

async function sign(f: Fuzzed, service: string, port: number): Promise<Fuzzed> {
  const q = f.path.indexOf("?");
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(f.path.slice(q + 1))) query[k] = v;
  const req = new HttpRequest({ method: f.method, protocol: "http:", hostname: "127.0.0.1", port, path: q >= 0 ? f.path.slice(0, q) : f.path, query, headers: { host: `127.0.0.1:${port}`, ...f.headers }, body: f.body });
  try {
    const s = (await signer(service).sign(req)) as HttpRequest;
    return { ...f, headers: s.headers };
  } catch {
    return f; // a path the signer cannot handle goes unsigned
  }
}

const QUERY_SERVICES: Record<"ec2" | "query", { services: string[]; versions: string[] }> = {
  ec2: { services: ["ec2"], versions: ["2016-11-15"] },
  query: { services: ["iam", "sts"], versions: ["2010-05-08", "2011-06-15"] },
};

async function makeRequest(family: Fuzzed["family"], port: number): Promise<Fuzzed> {
  const kind = rand(10);
  if (family === "rest-json") {
    const fn = pick(["f", enc(junk(30)) || "x", "arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Af", "%ZZ", "a".repeat(300)]);
    const path = pick([
      `/2015-03-31/functions/${fn}`,
      `/2015-03-31/functions/${fn}/invocations`,
      `/2015-03-31/functions/${fn}/configuration`,
      `/2015-03-31/functions/${fn}/${enc(junk(10))}`,
      `/2015-03-31/functions?MaxItems=${junk(5)}&Marker=${enc(junk(10))}`,
      `/2015-03-31/${enc(junk(20))}`,
      `/2017-10-31/functions/${fn}/concurrency`,
    ]);
    const body = kind < 3 ? randomBytes(rand(2000)) : Buffer.from(pick(["{", '{"FunctionName":', "[]", "null", '{"a":' + "[".repeat(200), junk(500), '{"Code":{"ZipFile":"' + junk(50) + '"}}']));
    const f: Fuzzed = { method: pick(["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]), path, headers: { "content-type": pick(["application/json", "application/octet-stream", "text/plain", junk(20)]) }, body, family, mayBeValid: true };
    return kind < 8 ? sign(f, "lambda", port) : breakAuth(f);
  }
  const spec = QUERY_SERVICES[family];
  const service = pick(spec.services);
  const params = new URLSearchParams();
  params.set("Action", pick([junk(20) || "Nope", "Describe" + junk(8), "Create" + junk(6)]));
  if (rand(3) > 0) params.set("Version", pick([...spec.versions, junk(10)]));
  for (let i = rand(8); i > 0; i--) params.append(pick(["Filter.1.Name", "Filter.x.Value.1", "VpcId.1", "a..b", ".", "UserName", junk(15)]), junk(40));
  let body: Buffer;
  if (kind < 3) body = randomBytes(rand(3000));
  else if (kind < 5) body = Buffer.from(pick(["<xml><unclosed>", '{"json":true}', "%%%%", "Action", "=&=&=", junk(800)]));
  else body = Buffer.from(params.toString());
  const f: Fuzzed = {
    method: pick(["POST", "POST", "POST", "GET", "PUT", "DELETE"]),
    path: rand(4) === 0 ? `/?${params.toString()}` : "/",
    headers: { "content-type": pick(["application/x-www-form-urlencoded; charset=utf-8", "application/x-www-form-urlencoded", "application/json", junk(15)]) },
    body,
    family,
    mayBeValid: false,
  };
  return kind < 8 ? sign(f, service, port) : breakAuth(f);
}

function breakAuth(f: Fuzzed): Fuzzed {
  const headers = { ...f.headers };
  const variant = rand(4);
  if (variant === 0) headers.authorization = junk(200);
  else if (variant === 1) headers.authorization = `AWS4-HMAC-SHA256 Credential=test/20200101/us-east-1/${pick(["lambda", "ec2", "iam", "sts"])}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
  else if (variant === 2) headers["x-amz-date"] = junk(16);
  return { ...f, headers };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(port: number, agent: Agent, f: Fuzzed): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(f.headers)) if (!/[\r\n\u0000-\u001f\u007f-\uffff]/.test(v) && k.toLowerCase() !== "host") headers[k] = v;
    const withBody = f.method !== "GET" && f.method !== "HEAD";
    headers["content-length"] = String(withBody ? f.body.length : 0);
    const req = request({ host: "127.0.0.1", port, method: f.method, path: f.path.replace(/[^\x21-\x7e]/g, "_"), headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer within 10 s to ${f.method} ${f.path.slice(0, 80)}`)));
    req.on("error", reject);
    req.end(withBody ? f.body : undefined);
  });
}

function assertShape(f: Fuzzed, a: Answer, what: string): void {
  assert.ok(a.status < 500, `${what}: server error ${a.status} ${a.body.slice(0, 300)}`);
  if (a.status < 300) {
    assert.ok(f.mayBeValid || a.status < 300, what);
    return;
  }
  assert.ok(a.status >= 400, `${what}: status ${a.status}`);
  assert.match(String(a.headers["x-amzn-requestid"] ?? ""), /^[0-9a-f-]{36}$/, `${what}: request id`);
  if (a.headers["x-amzn-errortype"] !== undefined || f.family === "rest-json") {
    assert.ok(a.headers["x-amzn-errortype"], `${what}: rest-json error without X-Amzn-ErrorType: ${a.body.slice(0, 200)}`);
    if (f.method === "HEAD") return;
    const body = JSON.parse(a.body);
    assert.equal(typeof (body.message ?? body.Message), "string", `${what}: ${a.body}`);
    assert.equal("code" in body, false);
    return;
  }
  if (f.family === "ec2") assert.match(a.body, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>[^<]+<\/Code><Message>[^]*<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/, `${what}: ${a.body.slice(0, 300)}`);
  else assert.match(a.body, /^<ErrorResponse xmlns="https:\/\/(iam|sts)\.amazonaws\.com\/doc\/\d{4}-\d\d-\d\d\/"><Error><Type>(Sender|Receiver)<\/Type><Code>[^<]+<\/Code><Message>[^]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/, `${what}: ${a.body.slice(0, 300)}`);
}

describe(`fuzzing every protocol (seed ${SEED})`, () => {
  let app: App;
  let port: number;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  before(async () => {
    app = await startTestServer();
    port = app.port;
  });
  after(async () => {
    agent.destroy();
    await app.close();
  });

  for (const family of ["rest-json", "ec2", "query"] as const) {
    it(`${PER_PROTOCOL} malformed ${family} requests each get a 4xx in the right shape`, async () => {
      let sent = 0;
      const worker = async () => {
        while (sent < PER_PROTOCOL) {
          const n = sent++;
          const f = await makeRequest(family, port);
          const a = await send(port, agent, f);
          assertShape(f, a, `#${n} ${f.method} ${f.path.slice(0, 80)}`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
      assert.ok(sent >= PER_PROTOCOL);
    });
  }

  it("huge headers get a 431 answer, and the server keeps serving", async () => {
    const raw = await new Promise<string>((resolve) => {
      const s = connect(port, "127.0.0.1", () => {
        s.write(`GET /2015-03-31/functions HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(70 * 1024)}\r\n\r\n`);
      });
      let data = "";
      s.on("data", (d) => (data += d));
      s.on("close", () => resolve(data));
      s.on("error", () => resolve(data));
    });
    assert.match(raw, /^HTTP\/1.1 431 /);
    assert.match(raw, /x-amzn-ErrorType: RequestHeaderFieldsTooLarge/);
  });

  it("truncated uploads and garbage bytes on the socket do not hurt the server", async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise<void>((resolve) => {
        const s = connect(port, "127.0.0.1", () => {
          if (i % 2 === 0) s.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nAction=Get`);
          else s.write(randomBytes(200));
          setTimeout(() => s.destroy(), 5);
        });
        s.on("close", () => resolve());
        s.on("error", () => resolve());
      });
    }
    const health = await fetch(`http://127.0.0.1:${port}/_hyperlocal/health`);
    assert.equal(health.status, 200);
  });

  it("still answers real clients correctly afterwards", async () => {
    const f = await sign({ method: "POST", path: "/", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from("Action=GetCallerIdentity&Version=2011-06-15"), family: "query", mayBeValid: true }, "sts", port);
    const a = await send(port, agent, f);
    assert.equal(a.status, 200);
    assert.match(a.body, /<Arn>arn:aws:iam::000000000000:root<\/Arn>/);
  });
});
