// hyperlocal's Node.js runtime: runs inside the function's process (plain JavaScript, no tsx, for a
// fast start). It reads its spec (environment, working directory, preloads) as one JSON line on
// stdin, which lets hyperlocal start it before it knows the function (a prewarmed spare), then
// loads the handler and serves the Lambda Runtime API loop on AWS_LAMBDA_RUNTIME_API.
// CommonJS on purpose: an ES module entry loads Node's ESM loader (1.5-3 MB resident in every idle
// environment); a CommonJS one loads it only when a function's code is an ES module.
"use strict";
const { createConnection } = require("node:net");
const { existsSync, readFileSync } = require("node:fs");
const { dirname, join, resolve: resolvePath } = require("node:path");
const { pathToFileURL } = require("node:url");
const { createRequire } = require("node:module");
const { patchConsole } = require("./node-console.child.cjs");

const BOOTSTRAP_FILE = __filename;

/** The request id that console lines carry; Lambda prints "undefined" outside any invocation. */
let currentRequestId;
/** Set while a handler runs: where uncaught errors are reported. */
let activeInvocation;

class RuntimeFault extends Error {
  constructor(type, message) {
    super(message);
    this.name = type;
  }
}

// ---------- spec ----------

function readSpec() {
  return new Promise((resolve) => {
    let buf = "";
    let got = false;
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk) => {
      buf += chunk;
      const nl = buf.indexOf("\n");
      if (nl < 0 || got) return;
      got = true;
      process.stdin.removeAllListeners("data");
      process.stdin.destroy(); // the function gets no stdin, and the pipe must not keep us alive
      resolve(JSON.parse(buf.slice(0, nl)));
    });
    // hyperlocal went away before telling us anything: nothing to do.
    process.stdin.on("end", () => got || process.exit(0));
    process.stdin.on("error", () => got || process.exit(0));
  });
}

function applySpec(spec) {
  for (const k of Object.keys(process.env)) if (!(k in spec.env)) delete process.env[k];
  Object.assign(process.env, spec.env); // assigning TZ also resets node's time zone cache
  // The network shim, when loaded at start, set variables of its own (the AWS SDK endpoints) that the lines above removed.
  globalThis[Symbol.for("hyperlocal.network.shim")]?.applyAwsEndpoints?.();
  process.chdir(spec.cwd);
}

async function applyPreloads(preload, cwd) {
  const req = createRequire(join(cwd, "preload.js"));
  for (const p of preload) {
    if (p.kind === "require") req(p.target);
    else await import(p.target.startsWith(".") || p.target.startsWith("/") ? pathToFileURL(resolvePath(cwd, p.target)).href : p.target);
  }
}

// ---------- logging: node-console.child.cjs, by AWS_LAMBDA_LOG_FORMAT / AWS_LAMBDA_LOG_LEVEL ----------

/** The runtime's own error lines; set once the console is patched (after the spec is applied). */
let logError = () => {};

/**
 * process.stdout/stderr are sockets here and write asynchronously: before answering, wait until
 * everything written so far has reached the pipe, so hyperlocal sees it as this invocation's output.
 * (A write's callback runs once it and everything before it are flushed.)
 */
function flushOutput() {
  const pending = [];
  for (const s of [process.stdout, process.stderr]) {
    if (s.writableLength > 0) pending.push(new Promise((resolve) => s.write("", resolve)));
  }
  return pending.length ? Promise.all(pending) : undefined;
}

// ---------- Runtime API client ----------
// HTTP/1.1 over one kept-alive socket, by hand rather than with node:http: a request costs a
// fraction, and an invocation's answer and the next long poll go out pipelined in one write. The
// socket is unref'd whenever no answer is awaited, so during a handler it does not count as work
// for callbackWaitsForEmptyEventLoop.

class RuntimeApi {
  /** address: "host:port" or "host:port/prefix" (hyperlocal's per-environment secret). */
  constructor(address) {
    const slash = address.indexOf("/");
    const hostPort = slash < 0 ? address : address.slice(0, slash);
    const colon = hostPort.lastIndexOf(":");
    this.host = hostPort.slice(0, colon);
    this.port = Number(hostPort.slice(colon + 1));
    this.hostHeader = hostPort;
    this.prefix = slash < 0 ? "" : address.slice(slash).replace(/\/+$/, "");
    this.socket = null;
    this.buf = Buffer.alloc(0);
    this.waiting = [];
  }

  /** Send the requests in one write; one promise per response, in order. */
  send(...requests) {
    if (!this.socket) this.connect();
    let text = "";
    const answers = [];
    for (const r of requests) {
      text += this.format(r);
      answers.push(new Promise((resolve, reject) => this.waiting.push({ resolve, reject })));
    }
    this.socket.ref();
    this.socket.write(text);
    return answers;
  }

  connect() {
    const s = createConnection({ host: this.host, port: this.port, noDelay: true });
    s.on("data", (chunk) => this.onData(chunk));
    s.on("error", () => {});
    s.on("close", () => {
      this.socket = null;
      const waiting = this.waiting;
      this.waiting = [];
      for (const w of waiting) w.reject(new Error("Runtime API connection closed"));
    });
    this.socket = s;
  }

  format({ method, path, body, headers }) {
    let s = `${method} ${this.prefix}/2018-06-01${path} HTTP/1.1\r\nHost: ${this.hostHeader}\r\n`;
    if (headers) for (const k of Object.keys(headers)) s += `${k}: ${headerValue(headers[k])}\r\n`;
    if (body !== undefined) s += `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
    return s + "\r\n" + (body ?? "");
  }

  onData(chunk) {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      const lines = this.buf.toString("latin1", 0, end).split("\r\n");
      const headers = {};
      for (let i = 1; i < lines.length; i++) {
        const c = lines[i].indexOf(":");
        if (c > 0) headers[lines[i].slice(0, c).trim().toLowerCase()] = lines[i].slice(c + 1).trim();
      }
      const len = Number(headers["content-length"] ?? 0);
      if (this.buf.length < end + 4 + len) return;
      const body = this.buf.subarray(end + 4, end + 4 + len);
      this.buf = this.buf.subarray(end + 4 + len);
      const w = this.waiting.shift();
      if (this.waiting.length === 0) this.socket?.unref();
      w?.resolve({ status: Number(lines[0].split(" ")[1]), headers, body });
    }
  }
}

/** Header values come from user errors (error names): keep them to one printable line. */
function headerValue(v) {
  return String(v).replace(/[^\x20-\x7e]/g, "");
}

const NEXT = { method: "GET", path: "/runtime/invocation/next" };

function errorRequest(path, payload) {
  return { method: "POST", path, body: stringifyPayload(payload), headers: { "Lambda-Runtime-Function-Error-Type": payload.errorType } };
}

/** The platform is gone (environment stopped): a runtime has nothing left to do. */
function apiLost() {
  process.exit(1);
}

// ---------- handler loading ----------

function findPackageType(dir) {
  for (let d = dir; ; d = dirname(d)) {
    const pj = join(d, "package.json");
    if (existsSync(pj)) {
      try {
        return JSON.parse(readFileSync(pj, "utf8")).type ?? "commonjs";
      } catch {
        return "commonjs";
      }
    }
    if (dirname(d) === d) return "commonjs";
  }
}

async function loadModule(root, modulePath) {
  const base = resolvePath(root, modulePath);
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = base + ext;
    if (!existsSync(file)) continue;
    const esm = ext === ".mjs" || (ext === ".js" && findPackageType(dirname(file)) === "module");
    if (esm) return import(pathToFileURL(file).href);
    try {
      return createRequire(file)(file);
    } catch (e) {
      if (e && e.code === "ERR_REQUIRE_ESM") return import(pathToFileURL(file).href);
      throw e;
    }
  }
  // No such file: Node's resolution from the task root (a package in node_modules, a directory).
  try {
    return createRequire(join(root, "noop.js"))(modulePath.startsWith(".") ? modulePath : `./${modulePath}`);
  } catch (e) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).startsWith(`Cannot find module './${modulePath}'`)) {
      try {
        return createRequire(join(root, "noop.js"))(modulePath);
      } catch (e2) {
        if (e2 && e2.code === "MODULE_NOT_FOUND" && String(e2.message).startsWith(`Cannot find module '${modulePath}'`)) {
          const err = new Error(`Cannot find module '${modulePath}'\nRequire stack:\n- ${BOOTSTRAP_FILE}`);
          err.code = "MODULE_NOT_FOUND";
          throw err;
        }
        throw e2;
      }
    }
    throw e;
  }
}

async function loadHandler(root, handlerString) {
  const slash = handlerString.lastIndexOf("/");
  const dot = handlerString.indexOf(".", slash + 1);
  if (!handlerString || dot < 0) throw new RuntimeFault("Runtime.MalformedHandlerName", "Bad handler");
  const modulePath = handlerString.slice(0, dot);
  const handlerPath = handlerString.slice(dot + 1);
  let mod;
  try {
    mod = await loadModule(root, modulePath);
  } catch (e) {
    if (e && (e.code === "MODULE_NOT_FOUND" || e.code === "ERR_MODULE_NOT_FOUND")) {
      throw new RuntimeFault("Runtime.ImportModuleError", `${e.name ?? "Error"}: ${e.message}`);
    }
    if (e instanceof SyntaxError) throw new RuntimeFault("Runtime.UserCodeSyntaxError", `${e.name}: ${e.message}`);
    throw e;
  }
  let fn = mod;
  for (const part of handlerPath.split(".")) fn = fn == null ? undefined : fn[part];
  if (fn === undefined) throw new RuntimeFault("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  if (typeof fn !== "function") throw new RuntimeFault("Runtime.HandlerNotFound", `${handlerString} is not a function`);
  return fn;
}

// ---------- errors as Lambda's Node.js runtimes return them: {"errorType","errorMessage","trace"} ----------

function errorPayload(e) {
  if (e instanceof Error || (e && typeof e === "object" && typeof e.stack === "string" && "message" in e)) {
    return {
      errorType: e.name ?? e.constructor?.name ?? "Error",
      errorMessage: e.message ?? "",
      trace: typeof e.stack === "string" ? e.stack.split("\n") : [],
    };
  }
  let message;
  try {
    message = typeof e === "string" ? e : JSON.stringify(e) ?? String(e);
  } catch {
    message = String(e);
  }
  return { errorType: typeof e, errorMessage: message, trace: [] };
}

function stringifyPayload(p) {
  return JSON.stringify({ errorType: p.errorType, errorMessage: p.errorMessage, trace: p.trace });
}

// ---------- invocation ----------

function parseJsonHeader(v) {
  if (!v) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    return undefined;
  }
}

function makeContext(headers, deadline) {
  const env = process.env;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: parseJsonHeader(headers["lambda-runtime-cognito-identity"]),
    clientContext: parseJsonHeader(headers["lambda-runtime-client-context"]),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}

/** Resolve once nothing but the runtime itself is left on the event loop. */
function whenEventLoopEmpty(fn) {
  process.once("beforeExit", fn);
}

/**
 * Async handlers finish when their promise settles. Callback handlers finish when the callback is
 * called, and, unless callbackWaitsForEmptyEventLoop is false, once the event loop is empty. A
 * handler that returns neither finishes with null when the event loop is empty.
 */
function runHandler(handler, event, context) {
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome) => {
      if (!settled) {
        settled = true;
        resolve(outcome);
      }
    };
    let called = false;
    const callback = (err, result) => {
      if (called) return;
      called = true;
      const outcome = err !== undefined && err !== null ? { error: err } : { result };
      if (context.callbackWaitsForEmptyEventLoop) whenEventLoopEmpty(() => settle(outcome));
      else settle(outcome);
    };
    context.done = (err, result) => callback(err, result);
    context.succeed = (result) => callback(null, result);
    context.fail = (err) => callback(err ?? "handled");
    let returned;
    try {
      returned = handler(event, context, callback);
    } catch (e) {
      return settle({ error: e });
    }
    if (returned && typeof returned.then === "function") {
      returned.then(
        (result) => settle({ result }),
        (e) => settle({ error: e === undefined ? new Error("undefined") : e }),
      );
    } else if (!called) {
      whenEventLoopEmpty(() => called || settle({ result: null }));
    }
  });
}

/** Run one invocation; returns the request that answers it (response or error). */
async function invokeOnce(handler, next) {
  const h = next.headers;
  const requestId = h["lambda-runtime-aws-request-id"];
  const deadline = Number(h["lambda-runtime-deadline-ms"]);
  if (h["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = h["lambda-runtime-trace-id"];
  else delete process.env._X_AMZN_TRACE_ID;
  currentRequestId = requestId;
  activeInvocation = requestId;
  const base = `/runtime/invocation/${encodeURIComponent(requestId)}`;

  let outcome;
  try {
    const event = next.body.length === 0 ? {} : JSON.parse(next.body.toString("utf8"));
    outcome = await runHandler(handler, event, makeContext(h, deadline));
  } catch (e) {
    outcome = { error: e };
  }
  activeInvocation = undefined;
  await flushOutput();
  if (!("error" in outcome)) {
    try {
      return { method: "POST", path: `${base}/response`, body: JSON.stringify(outcome.result === undefined ? null : outcome.result) };
    } catch (e) {
      outcome = { error: e };
    }
  }
  const payload = errorPayload(outcome.error);
  logError("Invoke Error", payload);
  await flushOutput();
  return errorRequest(`${base}/error`, payload);
}

// ---------- main ----------

main();

async function main() {
  const spec = await readSpec();
  applySpec(spec);
  const api = new RuntimeApi(process.env.AWS_LAMBDA_RUNTIME_API ?? "127.0.0.1:9001");
  logError = patchConsole(() => currentRequestId);

  /** Report an error nobody caught as the running invocation's error, then exit as Lambda's runtime does. */
  function crash(payload, label, code) {
    logError(label, payload);
    const id = activeInvocation;
    activeInvocation = undefined;
    const flushed = Promise.resolve(flushOutput());
    if (!id) return void flushed.finally(() => process.exit(code));
    flushed
      .then(() => api.send(errorRequest(`/runtime/invocation/${encodeURIComponent(id)}/error`, payload))[0])
      .finally(() => process.exit(code));
  }

  process.on("uncaughtException", (e) => crash(errorPayload(e), "Uncaught Exception", 129));
  process.on("unhandledRejection", (reason) => {
    const message = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
    const trace = [`Runtime.UnhandledPromiseRejection: ${message}`, ...(reason instanceof Error && reason.stack ? reason.stack.split("\n").slice(1) : [])];
    crash({ errorType: "Runtime.UnhandledPromiseRejection", errorMessage: message, trace }, "Unhandled Promise Rejection", 128);
  });

  let handler;
  try {
    await applyPreloads(spec.preload ?? [], spec.cwd);
    handler = await loadHandler(process.env.LAMBDA_TASK_ROOT ?? spec.cwd, process.env._HANDLER ?? "");
  } catch (e) {
    const payload = errorPayload(e);
    logError("Uncaught Exception", payload);
    await flushOutput();
    await api.send(errorRequest("/runtime/init/error", payload))[0].catch(() => {});
    process.exit(129);
  }

  try {
    let next = await api.send(NEXT)[0];
    for (;;) {
      if (next.status !== 200) apiLost();
      const answer = await invokeOnce(handler, next);
      const [answered, following] = api.send(answer, NEXT);
      answered.catch(() => {}); // a 413 or 403 needs nothing more from us: the platform reports it
      next = await following;
    }
  } catch {
    apiLost();
  }
}
