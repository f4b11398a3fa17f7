import { Readable } from "node:stream";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import type { HttpRequest, HttpResponse } from "@smithy/protocol-http";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { STSClient } from "@aws-sdk/client-sts";
import { ROOT_CREDS, type Creds } from "../clients.ts";
import { checkResponse, type RawResponse } from "./check-response.ts";
import { loadModel } from "./model.ts";
import { restXmlOperation } from "./rest-xml-routes.ts";
import { S3Client } from "@aws-sdk/client-s3";

/** What the check saw of one operation. */
export interface OperationRecord {
  service: string;
  operation: string;
  successes: number;
  errors: number;
  problems: string[];
  notes: Set<string>;
}

/** Which operation a request is: the query protocols name it in Action; REST ones by method and path. */
function operationOf(service: string, req: HttpRequest): string {
  const model = loadModel(service);
  if (model.protocol === "rest-xml") {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = String(v);
    return restXmlOperation(model, req.method, req.path, req.query ?? {}, headers) ?? `${req.method} ${req.path}`;
  }
  if (model.protocol !== "rest-json") {
    const body = typeof req.body === "string" ? req.body : Buffer.isBuffer(req.body) || req.body instanceof Uint8Array ? Buffer.from(req.body).toString("utf8") : "";
    return new URLSearchParams(body).get("Action") ?? String(req.query?.Action ?? "?");
  }
  const segs = req.path.split("/").filter(Boolean);
  for (const [op, [method, uri]] of model.sdkHttp) {
    if (method !== req.method) continue;
    const pat = uri.split("?")[0].split("/").filter(Boolean);
    if (pat.length !== segs.length) continue;
    if (pat.every((p, i) => p.startsWith("{") || p === segs[i])) {
      // Several operations can share a method and a path shape; the literal-most one wins.
      return op;
    }
  }
  return `${req.method} ${req.path}`;
}

async function collect(body: unknown): Promise<Buffer> {
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const c of body as AsyncIterable<Uint8Array | string>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/**
 * Every answer the SDK clients made here receive is checked against the AWS model as raw bytes,
 * before the SDK's lenient deserializer sees it, then handed on unchanged.
 */
export class ShapeRecorder {
  readonly records = new Map<string, OperationRecord>();

  record(service: string, operation: string, raw: RawResponse): void {
    const key = `${service}:${operation}`;
    let r = this.records.get(key);
    if (!r) this.records.set(key, (r = { service, operation, successes: 0, errors: 0, problems: [], notes: new Set() }));
    if (raw.status >= 300) r.errors++;
    else r.successes++;
    const f = checkResponse(loadModel(service), operation, raw);
    for (const p of f.problems) r.problems.push(`${raw.status}: ${p}`);
    for (const n of f.notes) r.notes.add(n.replace(/\[\d+\]/g, "[]"));
  }

  handler(service: string): NodeHttpHandler {
    const inner = new NodeHttpHandler();
    const wrapped = Object.create(inner) as NodeHttpHandler;
    wrapped.handle = async (request: HttpRequest, options?: { abortSignal?: AbortSignal }) => {
      const out = await inner.handle(request, options);
      const res: HttpResponse = out.response;
      const body = await collect(res.body);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) headers[k] = String(v);
      this.record(service, operationOf(service, request), { status: res.statusCode, headers, body: body.toString("utf8") });
      res.body = Readable.from([body]);
      return out;
    };
    return wrapped;
  }

  /** SDK v3 clients whose every answer goes through the check. */
  clients(url: string, creds: Creds = ROOT_CREDS, region = "us-east-1") {
    const common = (service: string) => ({ endpoint: url, region, credentials: creds, maxAttempts: 1, requestHandler: this.handler(service) });
    return {
      sts: new STSClient(common("sts")),
      iam: new IAMClient(common("iam")),
      ec2: new EC2Client(common("ec2")),
      lambda: new LambdaClient(common("lambda")),
      cloudformation: new CloudFormationClient(common("cloudformation")),
      s3: new S3Client({ ...common("s3"), forcePathStyle: true }),
    };
  }
}
