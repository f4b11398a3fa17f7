// The Lambda Runtime API (2018-06-01) over HTTP, one listener per execution environment: each gets
// its own 127.0.0.1 listener (a listen costs well under 1 ms), so the port tells environments
// apart. Other processes on this machine (other functions) can reach that port too, and AWS's
// Runtime API is reachable only inside the sandbox; so every path starts with a secret known only
// to the environment: AWS_LAMBDA_RUNTIME_API is "127.0.0.1:PORT/SECRET", and runtimes that build
// "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/..." (curl, Go, Java, Python, Node clients) work as is.
// This module routes; runtime-api-http.ts speaks HTTP; the state machine lives in the environment
// behind RuntimeApiHandler.
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import type { AddressInfo, Socket } from "node:net";
import { HttpConnection } from "./runtime-api-http.ts";
import type { HttpAnswer, HttpRequest } from "./runtime-api-http.ts";

/** Lambda's synchronous response limit: 6 MB as RAPID counts it. */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface ApiReply {
  status: number;
  body?: unknown;
}

/** A waiting GET /runtime/invocation/next: answered once, when an invocation (or a refusal) is ready. */
export interface NextRequest {
  /** The runtime hung up (or the connection was closed). */
  readonly closed: boolean;
  answer(a: HttpAnswer): void;
  /** Drop the connection (the environment is stopping). */
  destroy(): void;
  onClose(fn: () => void): void;
}

export interface RuntimeApiHandler {
  /** GET /runtime/invocation/next: answer now or later (long poll). */
  next(req: NextRequest): void;
  /** POST /runtime/invocation/{id}/response */
  response(requestId: string, body: Buffer): ApiReply;
  /** A response body over MAX_RESPONSE_BYTES. */
  responseTooLarge(requestId: string, size: number): ApiReply;
  /** POST /runtime/invocation/{id}/error */
  error(requestId: string, errorType: string | undefined, body: Buffer): ApiReply;
  /** POST /runtime/init/error */
  initError(errorType: string | undefined, body: Buffer): ApiReply;
}

export interface RuntimeApiEndpoint {
  /** "127.0.0.1:port/secret" for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  readonly port: number;
  close(): void;
}

const PREFIX = "/2018-06-01/runtime/";
const ERROR_TYPE_HEADER = "lambda-runtime-function-error-type";

export function listenRuntimeApi(handler: RuntimeApiHandler): Promise<RuntimeApiEndpoint> {
  const secret = randomBytes(16).toString("hex");
  const prefix = `/${secret}${PREFIX}`;
  const sockets = new Set<Socket>();
  // The runtime keeps one connection open for the whole life of the environment and long-polls
  // on it: no idle or request timeouts.
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.unref(); // liveness of the parent is tied to busy child processes, not to these sockets
    new HttpConnection(socket, (req, conn) => route(handler, prefix, req, conn), MAX_RESPONSE_BYTES);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      server.unref();
      const { port } = server.address() as AddressInfo;
      resolve({
        address: `127.0.0.1:${port}/${secret}`,
        port,
        close: () => {
          server.close();
          for (const s of sockets) s.destroy();
        },
      });
    });
  });
}

function route(handler: RuntimeApiHandler, prefix: string, req: HttpRequest, conn: NextRequest): HttpAnswer | "later" {
  const q = req.target.indexOf("?");
  const path = q < 0 ? req.target : req.target.slice(0, q);
  if (!path.startsWith(prefix)) return NOT_FOUND;
  const rest = path.slice(prefix.length);

  if (rest === "invocation/next") {
    if (req.method !== "GET") return METHOD_NOT_ALLOWED;
    handler.next(conn);
    return "later";
  }
  if (rest === "init/error") {
    if (req.method !== "POST") return METHOD_NOT_ALLOWED;
    return req.size > MAX_RESPONSE_BYTES ? TOO_LARGE : json(handler.initError(errorType(req), req.body));
  }
  const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (!m) return NOT_FOUND;
  if (req.method !== "POST") return METHOD_NOT_ALLOWED;
  let requestId: string;
  try {
    requestId = decodeURIComponent(m[1]);
  } catch {
    return NOT_FOUND;
  }
  if (m[2] === "response") {
    return json(req.size > MAX_RESPONSE_BYTES ? handler.responseTooLarge(requestId, req.size) : handler.response(requestId, req.body));
  }
  return req.size > MAX_RESPONSE_BYTES ? TOO_LARGE : json(handler.error(requestId, errorType(req), req.body));
}

function errorType(req: HttpRequest): string | undefined {
  return req.headers.get(ERROR_TYPE_HEADER);
}

/** An ApiReply as JSON. */
export function json(r: ApiReply): HttpAnswer {
  return { status: r.status, headers: { "Content-Type": "application/json" }, body: JSON.stringify(r.body ?? {}) };
}

// RAPID is a Go server (chi router): its unknown paths answer with Go's plain-text 404.
const NOT_FOUND: HttpAnswer = { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8" }, body: "404 page not found\n" };
const METHOD_NOT_ALLOWED: HttpAnswer = { status: 405 };
// RAPID's wording for an oversized body. // unverified wording
const TOO_LARGE = json({ status: 413, body: { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: "RequestEntityTooLarge" } });
