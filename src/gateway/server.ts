import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { AwsError, isAwsError } from "../core/aws-error.ts";
import type { Authorizer, RequestNetwork } from "../core/authorization.ts";
import type { Clock } from "../core/clock.ts";
import { uuid } from "../core/ids.ts";
import type { Logger } from "../core/logger.ts";
import type { Principal } from "../core/principal.ts";
import type { ServiceRequest, ServiceResponse } from "../protocol/http-types.ts";
import { renderRestJsonError } from "../protocol/rest-json/codec.ts";
import { decodeStreamingBody, isStreamingPayload } from "../sigv4/streaming.ts";
import { parseAmzDate, parseSignature, SigningKeyCache, verifySignature, type SignedRequestInfo } from "../sigv4/verify.ts";
import { AdminAuth, ADMIN_TOKEN_HEADER } from "./admin-auth.ts";
import type { AdminRouter } from "./admin-router.ts";
import { authError, refusalError, type AuthProblem } from "./auth-errors.ts";
import { BrowserGuard, corsResponseHeaders, printable } from "./browser-guard.ts";
import { contentTypeProblem, mediaType } from "./content-types.ts";
import type { CredentialRegistry } from "./credentials.ts";
import { serviceFromParams, serviceFromPath } from "./detect-service.ts";
import { operationContext, type OperationContext, type ServiceDefinition } from "./service-definition.ts";

const SKEW_MS = 15 * 60 * 1000;
const UNSIGNED_BODY_LIMIT = 1024 * 1024;
const ADMIN_BODY_LIMIT = 10 * 1024 * 1024;
const READ_ONLY_OPERATION = /^(Get|List|Describe|Simulate|Head)/;

export interface GatewayOptions {
  services: ServiceDefinition[];
  credentials: CredentialRegistry;
  authorizer: () => Authorizer;
  admin: AdminRouter;
  clock: Clock;
  logger: Logger;
  /** Called after every successful request that may have changed state. */
  onChange: () => void;
  /**
   * Awaited (at most SETTLE_LIMIT_MS) after such a request and after an admin call other than GET,
   * before the response goes out: e.g. until kernel network mode has the change in force, so that
   * when AuthorizeSecurityGroupIngress returns, the next connection sees the rule.
   */
  settle?: () => Promise<void>;
  /** Host, Origin and CORS checks (default: loopback names and IP literals, no other origin). */
  guard?: BrowserGuard;
  /** The admin token, when admin calls need one (default: none, for a loopback server). */
  adminAuth?: AdminAuth;
  /**
   * Runs each request's work (a service operation, an admin call) as one unit: with a state
   * directory, what it changed is saved before the answer goes out if `succeeded`, and undone if
   * not (the store's `run`). Unset: the work just runs.
   */
  unitOfWork?: <T>(work: () => Promise<T>, succeeded: (result: T) => boolean) => Promise<T>;
  /**
   * The network path of a request's connection, when hyperlocal itself delivered it (function code's
   * AWS calls through the VPC): aws:SourceIp as the service sees it, and the VPC endpoint keys.
   */
  requestPath?: (req: IncomingMessage, principal: Principal) => { sourceIp?: string; network?: RequestNetwork } | undefined;
}

const SETTLE_LIMIT_MS = 10_000;

class BodyTooLarge extends Error {}

export class Gateway {
  readonly server: Server;
  private readonly services = new Map<string, ServiceDefinition>();
  private readonly keys = new SigningKeyCache();
  private readonly guard: BrowserGuard;
  private readonly adminAuth: AdminAuth;

  constructor(private readonly opts: GatewayOptions) {
    this.guard = opts.guard ?? new BrowserGuard({ listenHost: "127.0.0.1" });
    this.adminAuth = opts.adminAuth ?? new AdminAuth(undefined);
    for (const s of opts.services) this.services.set(s.signingName, s);
    // Larger headers than Node's 16 KB default are still answered, in AWS's shape, up to 64 KB.
    this.server = createServer({ maxHeaderSize: 64 * 1024, keepAliveTimeout: 65_000 }, (req, res) => {
      this.handle(req, res).catch((e) => this.crashAnswer(res, e));
    });
    this.server.on("clientError", (err: NodeJS.ErrnoException, socket) => {
      if (!socket.writable) return socket.destroy();
      const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
      const status = tooLarge ? 431 : 400;
      const body = JSON.stringify({ Type: "User", message: tooLarge ? "Request header fields too large" : "Bad request: the HTTP request could not be parsed" });
      socket.end(
        `HTTP/1.1 ${status} ${tooLarge ? "Request Header Fields Too Large" : "Bad Request"}\r\nContent-Type: application/json\r\n` +
          `x-amzn-ErrorType: ${tooLarge ? "RequestHeaderFieldsTooLarge" : "BadRequest"}\r\nx-amzn-RequestId: ${uuid()}\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const requestId = uuid();
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    const query = new URLSearchParams(rawQuery);
    const method = req.method ?? "GET";

    // What a web page could forge is refused before anything else (browser-guard.ts).
    const host = req.headers.host;
    if (!this.guard.hostAllowed(host)) {
      return this.refuse(req, res, rawPath, query, requestId, started, `the Host header ${printable(host ?? "")} does not name this server: hyperlocal answers to localhost, IP addresses, --host and --allowed-hosts (a protection against DNS rebinding)`);
    }
    if (this.guard.isPreflight(method, req.headers)) return this.preflight(req, res, requestId, started);
    const origin = this.guard.checkOrigin(req.headers);
    if (!origin.ok) return this.refuse(req, res, rawPath, query, requestId, started, origin.reason);
    if (origin.cors) for (const [k, v] of Object.entries(corsResponseHeaders(origin.cors))) res.setHeader(k, v);

    if (isAdminPath(rawPath)) {
      return this.handleAdmin(req, res, rawPath, query, requestId);
    }

    const sig = parseSignature(query, req.headers);
    // A browser opening the server's root URL gets the web console; AWS clients always sign.
    if (method === "GET" && rawPath === "/" && sig.kind === "missing" && String(req.headers.accept ?? "").includes("text/html")) {
      return this.send(res, requestId, { status: 302, headers: { location: "/_hyperlocal/console/" }, body: "" }, "-", "console-redirect", "-", started);
    }
    let service: ServiceDefinition | undefined;
    if (sig.kind === "signed") {
      service = this.services.get(sig.info.service);
      if (!service) {
        await this.drain(req, UNSIGNED_BODY_LIMIT);
        return this.send(res, requestId, genericError(new AwsError("NotImplemented", 501, `hyperlocal does not implement the service '${sig.info.service}'. It implements: ${[...this.services.keys()].join(", ")}.`)), "-", "-", "-", started);
      }
    }

    // Unsigned or malformed: find the service the request was meant for, to answer in its shape.
    let body: Buffer;
    try {
      body = await readBody(req, service ? service.maxBodyBytes : UNSIGNED_BODY_LIMIT);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        const err = new AwsError("RequestEntityTooLargeException", 413, `Request must be smaller than ${service ? service.maxBodyBytes : UNSIGNED_BODY_LIMIT} bytes.`);
        res.setHeader("connection", "close");
        const rendered = service ? service.renderError(service.protocol === "rest-json" ? err : new AwsError("RequestEntityTooLarge", 413, err.message), requestId) : genericError(err);
        return this.send(res, requestId, rendered, service?.signingName ?? "-", "-", "-", started);
      }
      return; // the client went away mid-request: nobody to answer
    }

    if (sig.kind !== "signed") {
      const name = serviceFromPath(rawPath) ?? serviceFromParams(formParams(req, body, query));
      const target = name ? this.services.get(name) : undefined;
      const err = target ? authError(target.protocol, sig.kind === "missing" ? { kind: "missing" } : { kind: "malformed", message: sig.message }) : undefined;
      const rendered = target && err ? target.renderError(err, requestId) : genericError(new AwsError("MissingAuthenticationTokenException", 403, "Missing Authentication Token"));
      return this.send(res, requestId, rendered, name ?? "-", "-", "-", started);
    }

    const svc = service!;
    const info = sig.info;
    const typeProblem = contentTypeProblem(svc.protocol, req.headers["content-type"], body.length);
    if (typeProblem) {
      return this.send(res, requestId, svc.renderError(refusalError(svc.protocol, typeProblem), requestId), svc.signingName, "-", info.accessKeyId, started);
    }
    const problem = this.authenticate(info, method, rawPath, rawQuery, req, body, svc);
    if ("kind" in problem) {
      return this.send(res, requestId, svc.renderError(authError(svc.protocol, problem), requestId), svc.signingName, "-", info.accessKeyId, started);
    }
    if ("error" in problem) return this.send(res, requestId, svc.renderError(problem.error, requestId), svc.signingName, "-", info.accessKeyId, started);
    const principal = problem.principal;
    body = problem.body;

    const ctx = this.context(requestId, info.region, principal, req, svc);
    const sreq: ServiceRequest = { method, rawPath, query, headers: req.headers, body };
    let response: ServiceResponse;
    try {
      response = await this.unit(() => Promise.resolve(svc.handle(sreq, ctx)), (r) => r.status < 300);
    } catch (e) {
      if (isAwsError(e)) response = svc.renderError(e, requestId);
      else {
        this.opts.logger.error(`${svc.signingName} ${ctx.operation}: internal error: ${(e as Error)?.stack ?? e}`);
        response = svc.renderError(new AwsError("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."), requestId);
      }
    }
    if (response.status < 300 && !READ_ONLY_OPERATION.test(ctx.operation)) {
      this.opts.onChange();
      if (this.opts.settle) await this.settle();
    }
    this.send(res, requestId, response, svc.signingName, ctx.operation, principal.arn, started);
  }

  private authenticate(
    info: SignedRequestInfo,
    method: string,
    rawPath: string,
    rawQuery: string,
    req: IncomingMessage,
    body: Buffer,
    svc: ServiceDefinition,
  ): AuthProblem | { principal: Principal; body: Buffer } | { error: AwsError } {
    const cred = this.opts.credentials.resolve(info.accessKeyId);
    if (cred === "refused") return { kind: "unknown-key" };
    if (!cred) {
      // --accept-any-credentials: only a key nobody issued acts as the root, never a deactivated or deleted one.
      if (!this.opts.credentials.acceptsAnyKey) return { kind: "unknown-key" };
      const principal = this.opts.credentials.anyKeyPrincipal(info.accessKeyId).principal;
      return svc.s3Signing ? this.decodeS3Body(info, req, body, undefined, principal) : { principal, body };
    }
    if (cred.sessionToken !== undefined) {
      if (info.sessionToken !== cred.sessionToken) return { kind: "bad-token" };
    } else if (info.sessionToken !== undefined && info.sessionToken !== "") {
      return { kind: "bad-token" };
    }
    // Clients sign with their wall clock, so skew is measured against real time, not the simulated clock.
    const wall = Date.now();
    const signedAt = parseAmzDate(info.amzDate);
    if (info.presigned) {
      const expires = (info.expiresSec ?? 900) * 1000;
      if (wall > signedAt + expires) return { kind: "skew", message: `Request has expired` };
    } else if (signedAt < wall - SKEW_MS) {
      return { kind: "skew", message: `Signature expired: ${info.amzDate} is now earlier than ${amz(wall - SKEW_MS)} (${amz(wall)} - 15 min.)` };
    } else if (signedAt > wall + SKEW_MS) {
      return { kind: "skew", message: `Signature not yet current: ${info.amzDate} is still later than ${amz(wall + SKEW_MS)} (${amz(wall)} + 15 min.)` };
    }
    if (info.amzDate.slice(0, 8) !== info.scopeDate) return { kind: "bad-signature" };
    const verifyOpts = { unsignedPayload: svc.unsignedPayload === true, singleEncodedPath: svc.s3Signing === true };
    if (!verifySignature(info, { method, rawPath, rawQuery, headers: req.headers, body }, cred.secretAccessKey, this.keys, verifyOpts)) {
      return { kind: "bad-signature" };
    }
    if (cred.expiresAt !== undefined && this.opts.clock.now() >= cred.expiresAt) return { kind: "expired-token" };
    return svc.s3Signing ? this.decodeS3Body(info, req, body, cred.secretAccessKey, cred.principal) : { principal: cred.principal, body };
  }

  /** An aws-chunked S3 body decoded, each chunk signature checked against the chain from the seed signature. */
  private decodeS3Body(info: SignedRequestInfo, req: IncomingMessage, body: Buffer, secret: string | undefined, principal: Principal): AuthProblem | { principal: Principal; body: Buffer } | { error: AwsError } {
    const declared = req.headers["x-amz-content-sha256"];
    if (typeof declared !== "string" || !isStreamingPayload(declared)) return { principal, body };
    const signing =
      secret === undefined
        ? undefined
        : { signingKey: this.keys.get(secret, info.scopeDate, info.region, info.service), amzDate: info.amzDate, scope: `${info.scopeDate}/${info.region}/${info.service}/aws4_request`, seedSignature: info.signature };
    // Without a secret (--accept-any-credentials) chunk signatures cannot be checked: the body is only decoded.
    const out = decodeStreamingBody(declared, body, signing);
    if (!out.ok) {
      if (out.problem === "signature") return { kind: "bad-signature" };
      if (out.problem === "checksum") return { error: new AwsError("BadDigest", 400, out.message) };
      return { error: new AwsError("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header") };
    }
    const decodedLength = req.headers["x-amz-decoded-content-length"];
    if (typeof decodedLength === "string" && Number(decodedLength) !== out.payload.length) {
      return { error: new AwsError("IncompleteBody", 400, "You did not provide the number of bytes specified by the Content-Length HTTP header") };
    }
    return { principal, body: out.payload };
  }

  private context(requestId: string, region: string, principal: Principal, req: IncomingMessage, svc: ServiceDefinition): OperationContext {
    const path = this.opts.requestPath?.(req, principal);
    const sourceIp = path?.sourceIp ?? req.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1";
    return operationContext({ requestId, region, principal, sourceIp, clock: this.opts.clock, authorizer: this.opts.authorizer, service: svc, secureTransport: false, ...(path?.network ? { network: path.network } : {}) });
  }

  private async handleAdmin(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams, requestId: string): Promise<void> {
    const started = process.hrtime.bigint();
    const path = rawPath.replace(/^\/_(hyperlocal|localstack)\/?/, "");
    let status = 200;
    let payload: unknown;
    let headers: Record<string, string> = {};
    try {
      const method = req.method ?? "GET";
      const found = this.opts.admin.find(method, path);
      // Routes with a credential of their own (the shim's token, presigned code URLs) skip the admin token.
      if (!(typeof found === "object" && found.ownCredential) && !this.adminAuth.allows(req.headers)) {
        headers = { "www-authenticate": 'Bearer realm="hyperlocal-admin"' };
        await this.drain(req, ADMIN_BODY_LIMIT);
        throw new AdminFailure(401, `this server needs the admin token for admin calls: send it in the ${ADMIN_TOKEN_HEADER} header (or Authorization: Bearer <token>); it was printed when the server started, or set with --admin-token`);
      }
      const raw = await readBody(req, ADMIN_BODY_LIMIT);
      // A form or a no-cors fetch can only send text/plain, form or multipart bodies: JSON or nothing here.
      // Routes with a credential of their own in the URL cannot be forged by a page; cfn-response, for
      // one, PUTs its JSON with an empty content type.
      if (method !== "GET" && method !== "HEAD" && !(typeof found === "object" && found.ownCredential)) {
        const ct = req.headers["content-type"];
        if (ct !== undefined ? mediaType(ct) !== "application/json" : raw.length > 0) {
          throw new AdminFailure(415, `admin calls with a body take Content-Type application/json (got ${ct === undefined ? "none" : printable(ct)}); e.g. curl -H 'content-type: application/json' -d '{"days":1}'`);
        }
      }
      let body: unknown = undefined;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString("utf8"));
        } catch {
          throw new AdminFailure(400, "the request body is not valid JSON");
        }
      }
      if (!found) throw new AdminFailure(404, `no admin route ${req.method} /_hyperlocal/${path}`);
      if (found === "method") throw new AdminFailure(405, `method ${req.method} is not allowed on /_hyperlocal/${path}`);
      const out = await this.unit(() => Promise.resolve(found.handler({ method: req.method ?? "GET", path, query, body, raw: req }, found.params)), (o) => o.status < 300);
      status = out.status;
      payload = out.body;
      headers = out.headers ?? {};
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        status = 413;
        payload = { error: "request body too large" };
      } else if (e instanceof AdminFailure) {
        status = e.status;
        payload = { error: e.message };
      } else if (isAwsError(e)) {
        status = e.status;
        payload = { error: e.message, code: e.code };
      } else if ((e as Error)?.message === "aborted") {
        return;
      } else {
        this.opts.logger.error(`admin ${path}: ${(e as Error)?.stack ?? e}`);
        status = 500;
        payload = { error: "internal error" };
      }
    }
    if (req.method !== "GET" && status < 300) await this.settle();
    const isRaw = typeof payload === "string" || Buffer.isBuffer(payload);
    const body = isRaw ? (payload as string | Buffer) : JSON.stringify(payload);
    this.send(res, requestId, { status, headers: { "content-type": isRaw ? "text/plain; charset=utf-8" : "application/json", ...headers }, body }, "admin", path, "-", started);
  }

  /** A request a web page could have forged: 403 in the shape of what it addressed (admin: JSON). */
  private async refuse(req: IncomingMessage, res: ServerResponse, rawPath: string, query: URLSearchParams, requestId: string, started: bigint, reason: string): Promise<void> {
    await this.drain(req, UNSIGNED_BODY_LIMIT);
    res.setHeader("connection", "close");
    if (isAdminPath(rawPath)) {
      return this.send(res, requestId, { status: 403, headers: { "content-type": "application/json" }, body: JSON.stringify({ error: reason }) }, "admin", "refused", "-", started);
    }
    const sig = parseSignature(query, req.headers);
    const name = sig.kind === "signed" ? sig.info.service : (serviceFromPath(rawPath) ?? serviceFromParams(query));
    const svc = name ? this.services.get(name) : undefined;
    const rendered = svc ? svc.renderError(refusalError(svc.protocol, reason), requestId) : genericError(refusalError("rest-json", reason));
    this.opts.logger.warn(`refused ${req.method} ${rawPath.slice(0, 100)}: ${reason}`);
    this.send(res, requestId, rendered, svc?.signingName ?? "-", "refused", "-", started);
  }

  /** A CORS preflight: the grant for an allowed origin, a plain 403 (no grant) for any other. */
  private async preflight(req: IncomingMessage, res: ServerResponse, requestId: string, started: bigint): Promise<void> {
    await this.drain(req, UNSIGNED_BODY_LIMIT);
    const grant = this.guard.preflight(req.headers);
    if (!grant) {
      const err = refusalError("rest-json", `the web page origin ${printable(req.headers.origin ?? "")} is not allowed to call hyperlocal (add it to --cors-origins)`);
      return this.send(res, requestId, genericError(err), "-", "preflight", "-", started);
    }
    this.send(res, requestId, { status: 200, headers: grant, body: "" }, "-", "preflight", "-", started);
  }

  private unit<T>(work: () => Promise<T>, succeeded: (result: T) => boolean): Promise<T> {
    return this.opts.unitOfWork ? this.opts.unitOfWork(work, succeeded) : work();
  }

  /** Wait for what the change set in motion (see GatewayOptions.settle), bounded; never throws. */
  private async settle(): Promise<void> {
    if (!this.opts.settle) return;
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.opts.logger.warn(`a change is taking longer than ${SETTLE_LIMIT_MS / 1000} s to take effect; answering anyway`);
        resolve();
      }, SETTLE_LIMIT_MS);
    });
    try {
      await Promise.race([this.opts.settle().catch(() => {}), limit]);
    } finally {
      clearTimeout(timer);
    }
  }

  private send(res: ServerResponse, requestId: string, r: ServiceResponse, service: string, op: string, who: string, started: bigint): void {
    if (res.headersSent || res.destroyed) return;
    const body = r.body ?? "";
    res.statusCode = r.status;
    res.setHeader("x-amzn-RequestId", requestId);
    for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
    // A HEAD answer names the length of what GET would send (S3's HeadObject); every other answer its own body's.
    if (!(r.status < 300 && r.headers?.["content-length"] !== undefined && body.length === 0)) res.setHeader("content-length", Buffer.byteLength(body));
    res.end(body);
    if (this.opts.logger.level === "debug" || this.opts.logger.level === "info") {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      this.opts.logger.info(`${service} ${op} ${who} ${r.status} ${ms.toFixed(1)}ms`);
    }
  }

  private crashAnswer(res: ServerResponse, e: unknown): void {
    this.opts.logger.error(`request failed: ${(e as Error)?.stack ?? e}`);
    if (!res.headersSent && !res.destroyed) {
      const r = genericError(new AwsError("InternalFailure", 500, "The request processing has failed because of an unknown error, exception or failure."));
      res.statusCode = r.status;
      for (const [k, v] of Object.entries(r.headers ?? {})) res.setHeader(k, v);
      res.end(r.body);
    }
  }

  private async drain(req: IncomingMessage, limit: number): Promise<void> {
    try {
      await readBody(req, limit);
    } catch {
      /* the answer does not depend on the body */
    }
  }
}

class AdminFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isAdminPath(rawPath: string): boolean {
  return rawPath.startsWith("/_hyperlocal/") || rawPath.startsWith("/_localstack/") || rawPath === "/_hyperlocal";
}

function genericError(err: AwsError): ServiceResponse {
  return renderRestJsonError(err);
}

function amz(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function formParams(req: IncomingMessage, body: Buffer, query: URLSearchParams): URLSearchParams {
  const ct = String(req.headers["content-type"] ?? "");
  if (ct.startsWith("application/x-www-form-urlencoded")) return new URLSearchParams(body.toString("utf8"));
  return query;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (c: Buffer) => {
      if (done) return;
      size += c.length;
      if (size > limit) {
        done = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    });
    req.on("aborted", () => {
      if (!done) {
        done = true;
        reject(new Error("aborted"));
      }
    });
    req.on("error", (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
  });
}
