// The Lambda Runtime API (2018-06-01) over HTTP, one listener per execution environment: each gets
// its own 127.0.0.1 listener (a listen costs well under 1 ms), so the port tells environments
// apart. Other processes on this machine (other functions) can reach that port too, and AWS's
// Runtime API is reachable only inside the sandbox; so every path starts with a secret known only
// to the environment: AWS_LAMBDA_RUNTIME_API is "127.0.0.1:PORT/SECRET", and runtimes that build
// "http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/..." (curl, Go, Java, Python, Node clients) work as is.
// This module only speaks HTTP; the state machine lives in the environment behind RuntimeApiHandler.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Lambda's synchronous response limit: 6 MB as RAPID counts it. */
export const MAX_RESPONSE_BYTES = 6_291_556;

export interface ApiReply {
  status: number;
  body?: unknown;
}

export interface RuntimeApiHandler {
  /** GET /runtime/invocation/next: answer res now or later (long poll). */
  next(res: ServerResponse): void;
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
  const server = createServer({ keepAlive: true }, (req, res) => serially(req, res, () => route(handler, prefix, req, res)));
  // The runtime keeps one connection open for the whole life of the environment and long-polls
  // on it: no idle or request timeouts may cut it.
  server.keepAliveTimeout = 0;
  server.requestTimeout = 0;
  server.headersTimeout = 0;
  server.on("connection", (socket) => {
    socket.setNoDelay(true);
    socket.unref(); // liveness of the parent is tied to busy child processes, not to these sockets
  });
  server.on("clientError", (_err, socket) => socket.destroy());
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
          server.closeAllConnections();
        },
      });
    });
  });
}

/**
 * Handle a connection's requests one after another, as RAPID (a Go server) does. Node emits
 * 'request' for a pipelined request while the one before it may still be reading its body; our
 * runtimes pipeline "POST .../response" with the next "GET .../next", and the GET must not be seen
 * before the response is.
 */
const lastOnSocket = new WeakMap<object, ServerResponse>();

function serially(req: IncomingMessage, res: ServerResponse, handle: () => void): void {
  const socket = req.socket;
  const prev = lastOnSocket.get(socket);
  lastOnSocket.set(socket, res);
  const done = () => {
    if (lastOnSocket.get(socket) === res) lastOnSocket.delete(socket);
  };
  res.once("finish", done);
  res.once("close", done);
  if (!prev || prev.writableFinished || prev.destroyed) return handle();
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    handle();
  };
  prev.once("finish", start);
  prev.once("close", start);
}

function route(handler: RuntimeApiHandler, prefix: string, req: IncomingMessage, res: ServerResponse): void {
  const raw = req.url ?? "";
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  if (!path.startsWith(prefix)) {
    req.resume();
    return notFound(res);
  }
  const rest = path.slice(prefix.length);

  if (rest === "invocation/next") {
    if (req.method !== "GET") return methodNotAllowed(req, res);
    req.resume();
    return handler.next(res);
  }
  if (rest === "init/error") {
    if (req.method !== "POST") return methodNotAllowed(req, res);
    return readBody(req, res, MAX_RESPONSE_BYTES, (body) => reply(res, handler.initError(errorType(req), body)));
  }
  const m = /^invocation\/([^/]+)\/(response|error)$/.exec(rest);
  if (!m) return notFound(res);
  if (req.method !== "POST") return methodNotAllowed(req, res);
  let requestId: string;
  try {
    requestId = decodeURIComponent(m[1]);
  } catch {
    return notFound(res);
  }
  if (m[2] === "response") {
    return readBody(
      req,
      res,
      MAX_RESPONSE_BYTES,
      (body) => reply(res, handler.response(requestId, body)),
      (size) => reply(res, handler.responseTooLarge(requestId, size)),
    );
  }
  return readBody(req, res, MAX_RESPONSE_BYTES, (body) => reply(res, handler.error(requestId, errorType(req), body)));
}

function errorType(req: IncomingMessage): string | undefined {
  const v = req.headers[ERROR_TYPE_HEADER];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  done: (body: Buffer) => void,
  tooLarge?: (size: number) => void,
): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size <= limit) chunks.push(c);
  });
  req.on("end", () => {
    if (size > limit) {
      if (tooLarge) return tooLarge(size);
      // RAPID's wording for an oversized body. // unverified wording
      return sendJson(res, 413, { errorMessage: `Exceeded maximum allowed payload size (${limit} bytes).`, errorType: "RequestEntityTooLarge" });
    }
    done(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
  });
  req.on("error", () => res.destroy());
}

function reply(res: ServerResponse, r: ApiReply): void {
  sendJson(res, r.status, r.body ?? {});
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

// RAPID is a Go server (chi router): its unknown paths answer with Go's plain-text 404.
function notFound(res: ServerResponse): void {
  const text = "404 page not found\n";
  res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

function methodNotAllowed(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  res.writeHead(405, { "Content-Length": 0 });
  res.end();
}
