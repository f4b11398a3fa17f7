// Function code the Lambda tests build: zips of small Node.js, Python and custom-runtime handlers.
import { writeZip } from "../../src/runtime/index.ts";

export function nodeZip(source: string, file = "index.js"): Uint8Array {
  return writeZip([{ name: file, data: source }]);
}

export function pythonZip(source: string, file = "app.py"): Uint8Array {
  return writeZip([{ name: file, data: source }]);
}

/** A custom runtime: an executable `bootstrap` that speaks the Runtime API itself. */
export function bootstrapZip(script: string): Uint8Array {
  return writeZip([{ name: "bootstrap", data: script, mode: 0o755 }]);
}

export const NODE_ECHO = `
exports.handler = async (event, context) => {
  console.log("event", JSON.stringify(event));
  return { echo: event, version: context.functionVersion, arn: context.invokedFunctionArn, fn: process.env.AWS_LAMBDA_FUNCTION_NAME, vv: process.env.VV ?? null };
};
`;

export const NODE_FAIL = `
exports.handler = async (event) => {
  console.log("failing for", JSON.stringify(event));
  const e = new Error("it went wrong");
  e.name = "CustomError";
  throw e;
};
`;

export const NODE_SLEEP = `
exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, event.ms ?? 10000));
  return { slept: event.ms ?? 10000 };
};
`;

export const NODE_CRASH = `
exports.handler = async () => {
  console.log("about to exit");
  process.exit(3);
};
`;

export const NODE_INIT_ERROR = `
throw new Error("cannot start");
exports.handler = async () => "never";
`;

export const NODE_HOG = `
exports.handler = async () => {
  const keep = [];
  for (let i = 0; i < 400; i++) keep.push(Buffer.alloc(1024 * 1024, 1));
  return keep.length;
};
`;

export const PY_ECHO = `
import json, os
def handler(event, context):
    print("python got", json.dumps(event))
    return {"echo": event, "fn": context.function_name, "version": context.function_version, "runtime": os.environ.get("AWS_EXECUTION_ENV")}
`;

export const PY_FAIL = `
def handler(event, context):
    raise ValueError("bad value")
`;

/**
 * Calls STS GetCallerIdentity and EC2 DescribeVpcs at AWS_ENDPOINT_URL with the function's own
 * credentials, signed with a small SigV4 signer (the zip carries no SDK). A VPC function has no
 * AWS_ENDPOINT_URL: its test passes the function listener as call()'s endpoint.
 */
export const NODE_AWS_CALLER = `
const crypto = require("node:crypto");
const http = require("node:http");
const hmac = (k, s) => crypto.createHmac("sha256", k).update(s).digest();
const sha = (s) => crypto.createHash("sha256").update(s).digest("hex");
function call(service, body, endpoint = process.env.AWS_ENDPOINT_URL) {
  const url = new URL(endpoint);
  const region = process.env.AWS_REGION;
  const amzDate = new Date().toISOString().replace(/[-:]|\\.\\d{3}/g, "");
  const date = amzDate.slice(0, 8);
  const headers = {
    "content-type": "application/x-www-form-urlencoded; charset=utf-8",
    host: url.host,
    "x-amz-date": amzDate,
    "x-amz-security-token": process.env.AWS_SESSION_TOKEN,
  };
  const names = Object.keys(headers).sort();
  const canonical = ["POST", "/", "", ...names.map((h) => h + ":" + headers[h]), "", names.join(";"), sha(body)].join("\\n");
  const scope = date + "/" + region + "/" + service + "/aws4_request";
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha(canonical)].join("\\n");
  let k = hmac("AWS4" + process.env.AWS_SECRET_ACCESS_KEY, date);
  for (const part of [region, service, "aws4_request"]) k = hmac(k, part);
  const signature = crypto.createHmac("sha256", k).update(toSign).digest("hex");
  headers.authorization = "AWS4-HMAC-SHA256 Credential=" + process.env.AWS_ACCESS_KEY_ID + "/" + scope + ", SignedHeaders=" + names.join(";") + ", Signature=" + signature;
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: "/", method: "POST", headers }, (res) => {
      let text = "";
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}
exports.handler = async () => {
  const identity = await call("sts", "Action=GetCallerIdentity&Version=2011-06-15");
  const vpcs = await call("ec2", "Action=DescribeVpcs&Version=2016-11-15");
  return { identity, vpcs };
};
`;

/** provided.al2023: a shell bootstrap with curl. */
export const SHELL_BOOTSTRAP = `#!/bin/sh
set -eu
API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
while true; do
  HEADERS="$(mktemp)"
  EVENT="$(curl -sS -D "$HEADERS" "$API/invocation/next")"
  REQUEST_ID="$(grep -i '^lambda-runtime-aws-request-id:' "$HEADERS" | cut -d: -f2 | tr -d ' \\r\\n')"
  echo "shell bootstrap handling $REQUEST_ID"
  curl -sS -o /dev/null -X POST "$API/invocation/$REQUEST_ID/response" -d "{\\"shell\\":true,\\"event\\":$EVENT}"
  rm -f "$HEADERS"
done
`;

/**
 * A provided.al2023 bootstrap that is a Node.js program speaking the Runtime API: `prelude` is code
 * placed before the loop, `response` a JavaScript expression (it may await; `next.body` is the event)
 * whose JSON is each invocation's response.
 */
export function nodeBootstrap(prelude: string, response: string): string {
  return `#!/usr/bin/env node
const http = require("node:http");
const api = process.env.AWS_LAMBDA_RUNTIME_API;
${prelude}
function req(method, path, body) {
  return new Promise((resolve, reject) => {
    const r = http.request("http://" + api + "/2018-06-01/runtime/" + path, { method }, (res) => {
      let d = "";
      res.on("data", (c) => (d += c));
      res.on("end", () => resolve({ headers: res.headers, body: d }));
    });
    r.on("error", reject);
    r.end(body);
  });
}
(async () => {
  for (;;) {
    const next = await req("GET", "invocation/next");
    const id = next.headers["lambda-runtime-aws-request-id"];
    await req("POST", "invocation/" + id + "/response", JSON.stringify(${response}));
  }
})();
`;
}

/** provided.al2023: a Node.js script as the bootstrap. */
export const NODE_BOOTSTRAP = nodeBootstrap("", `{ custom: "node", event: JSON.parse(next.body) }`);

// ---- small helpers the Lambda tests share ----

export const LAMBDA_TRUST = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

/** Move the server's simulated clock (state transitions, retries and keep-alives run on it). */
export async function advanceClock(url: string, seconds: number): Promise<void> {
  const r = await fetch(`${url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) });
  if (r.status !== 200) throw new Error(`clock advance failed: ${r.status} ${await r.text()}`);
}

export interface LogView {
  events: { seq: number; timestamp: string; message: string }[];
  next: number;
}

export async function functionLogs(url: string, name: string, since = 0): Promise<LogView> {
  const r = await fetch(`${url}/_hyperlocal/logs/${encodeURIComponent(name)}?since=${since}`);
  if (r.status !== 200) throw new Error(`logs failed: ${r.status} ${await r.text()}`);
  return (await r.json()) as LogView;
}

/** Poll (briefly, real time) until `check` passes: for work the server does on its own after answering (async invokes). */
export async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (check(v)) return v;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
