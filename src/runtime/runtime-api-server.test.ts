// HTTP behaviour of the Runtime API listener, against a recording handler (no function processes:
// only loopback connections from this test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection } from "node:net";
import { listenRuntimeApi, MAX_RESPONSE_BYTES } from "./runtime-api-server.ts";
import type { ApiReply, NextRequest, RuntimeApiHandler } from "./runtime-api-server.ts";

class Recorder implements RuntimeApiHandler {
  calls: string[] = [];
  /** Set: GET /next waits until the test answers it. */
  hold = false;
  waiting: NextRequest | undefined;
  next(req: NextRequest): void {
    this.calls.push("next");
    if (this.hold) {
      this.waiting = req;
      return;
    }
    req.answer(EVENT);
  }
  response(id: string, body: Buffer): ApiReply {
    this.calls.push(`response ${id} ${body.toString()}`);
    return { status: 202, body: { status: "OK" } };
  }
  responseTooLarge(id: string, size: number): ApiReply {
    this.calls.push(`tooLarge ${id} ${size}`);
    return { status: 413, body: { errorType: "RequestEntityTooLarge" } };
  }
  error(id: string, type: string | undefined, body: Buffer): ApiReply {
    this.calls.push(`error ${id} ${type} ${body.toString()}`);
    return { status: 202, body: { status: "OK" } };
  }
  initError(type: string | undefined, body: Buffer): ApiReply {
    this.calls.push(`initError ${type} ${body.toString()}`);
    return { status: 403, body: { errorType: "InvalidStateTransition" } };
  }
}

/** Wait for what the loopback connection brings (bounded: a failure must not hang the suite). */
async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const EVENT = { status: 200, headers: { "Lambda-Runtime-Aws-Request-Id": "r-1" }, body: '{"event":1}' };

async function withApi(fn: (base: string, rec: Recorder, address: string) => Promise<void>): Promise<void> {
  const rec = new Recorder();
  const api = await listenRuntimeApi(rec);
  try {
    await fn(`http://${api.address}/2018-06-01/runtime`, rec, api.address);
  } finally {
    api.close();
  }
}

test("routes of the Runtime API 2018-06-01", async () => {
  await withApi(async (base, rec) => {
    const next = await fetch(`${base}/invocation/next`);
    assert.equal(next.status, 200);
    assert.equal(next.headers.get("lambda-runtime-aws-request-id"), "r-1");
    assert.equal(await next.text(), '{"event":1}');

    const resp = await fetch(`${base}/invocation/r%2D1/response`, { method: "POST", body: '"ok"' });
    assert.equal(resp.status, 202);
    assert.deepEqual(await resp.json(), { status: "OK" });

    const err = await fetch(`${base}/invocation/r-1/error`, {
      method: "POST",
      headers: { "Lambda-Runtime-Function-Error-Type": "Runtime.Custom" },
      body: '{"errorMessage":"x"}',
    });
    assert.equal(err.status, 202);
    const init = await fetch(`${base}/init/error`, { method: "POST", body: "{}" });
    assert.equal(init.status, 403);
    assert.deepEqual(await init.json(), { errorType: "InvalidStateTransition" });
    assert.deepEqual(rec.calls, ["next", 'response r-1 "ok"', 'error r-1 Runtime.Custom {"errorMessage":"x"}', "initError undefined {}"]);
  });
});

test("unknown paths are Go's plain 404; wrong methods are 405", async () => {
  await withApi(async (base) => {
    for (const path of [`${base}/nothing`, `${base}/invocation/r-1/other`, base.replace("2018-06-01", "2020-01-01") + "/invocation/next"]) {
      const r = await fetch(path);
      assert.equal(r.status, 404, path);
      assert.equal(await r.text(), "404 page not found\n");
    }
    assert.equal((await fetch(`${base}/invocation/next`, { method: "POST", body: "" })).status, 405);
    assert.equal((await fetch(`${base}/invocation/r-1/response`)).status, 405);
  });
});

test("a response over 6 MB is refused with 413", async () => {
  await withApi(async (base, rec) => {
    const r = await fetch(`${base}/invocation/r-1/response`, { method: "POST", body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 97) });
    assert.equal(r.status, 413);
    assert.deepEqual(rec.calls, [`tooLarge r-1 ${MAX_RESPONSE_BYTES + 1}`]);
  });
});

test("pipelined requests on one connection are handled in order", async () => {
  await withApi(async (_base, rec, address) => {
    const [hostPort, secret] = address.split("/");
    const [host, port] = hostPort.split(":");
    const body = "x".repeat(100_000); // a body that arrives in several chunks
    const text = await new Promise<string>((resolve, reject) => {
      const s = createConnection({ host, port: Number(port) }, () => {
        s.write(
          `POST /${secret}/2018-06-01/runtime/invocation/r-1/response HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Length: ${body.length}\r\n\r\n${body}` +
            `GET /${secret}/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n`,
        );
      });
      let got = "";
      s.on("data", (c) => {
        got += c;
        if (got.includes('{"event":1}')) {
          s.end();
          resolve(got);
        }
      });
      s.on("error", reject);
    });
    assert.deepEqual(rec.calls, [`response r-1 ${body}`, "next"]);
    assert.ok(text.indexOf("202 Accepted") < text.indexOf("200 OK"));
  });
});

test("only the environment's own secret prefix reaches the Runtime API: another process cannot take its events", async () => {
  await withApi(async (base, rec, address) => {
    assert.match(address, /^127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
    const port = address.slice(address.indexOf(":") + 1, address.indexOf("/"));
    for (const url of [
      `http://127.0.0.1:${port}/2018-06-01/runtime/invocation/next`,
      `http://127.0.0.1:${port}/${"0".repeat(32)}/2018-06-01/runtime/invocation/next`,
    ]) {
      const r = await fetch(url);
      assert.equal(r.status, 404);
      assert.equal(await r.text(), "404 page not found\n");
    }
    const posted = await fetch(`http://127.0.0.1:${port}/2018-06-01/runtime/invocation/r-1/response`, { method: "POST", body: "{}" });
    assert.equal(posted.status, 404);
    assert.deepEqual(rec.calls, [], "nothing reached the environment");
    const ok = await fetch(`${base}/invocation/r-1/response`, { method: "POST", body: "{}" });
    assert.equal(ok.status, 202);
  });
});

/** Raw HTTP on one connection: write text, collect what comes back until `until` is in it. */
function raw(address: string, write: (hostPort: string, secret: string) => string, until: string, onSocket?: (s: ReturnType<typeof createConnection>) => void): Promise<string> {
  const [hostPort, secret] = address.split("/");
  const [host, port] = hostPort.split(":");
  return new Promise<string>((resolve, reject) => {
    const s = createConnection({ host, port: Number(port) }, () => s.write(write(hostPort, secret)));
    onSocket?.(s);
    let got = "";
    s.on("data", (c) => {
      got += c;
      if (got.includes(until)) {
        s.end();
        resolve(got);
      }
    });
    s.on("close", () => resolve(got));
    s.on("error", reject);
  });
}

test("chunked request bodies, Expect: 100-continue and Connection: close", async () => {
  await withApi(async (_base, rec, address) => {
    const chunked = await raw(
      address,
      (hp, secret) =>
        `POST /${secret}/2018-06-01/runtime/invocation/r-1/response HTTP/1.1\r\nHost: ${hp}\r\nTransfer-Encoding: chunked\r\n\r\n` +
        `5\r\n{"a":\r\n3;ext=1\r\n"b"\r\n1\r\n}\r\n0\r\nX-Trailer: 1\r\n\r\n`,
      "}",
    );
    assert.match(chunked, /^HTTP\/1\.1 202 Accepted\r\n/);
    assert.deepEqual(rec.calls, ['response r-1 {"a":"b"}']);

    // A client that asks before sending its body (curl does, for large ones) is told to go on.
    const [hostPort, secret] = address.split("/");
    const expect = await raw(address, () => `POST /${secret}/2018-06-01/runtime/invocation/r-2/error HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n`, "100 Continue", (s) => {
      s.once("data", () => s.write("{}"));
    });
    assert.match(expect, /^HTTP\/1\.1 100 Continue\r\n\r\n/);

    const closing = await raw(address, (hp, secret) => `POST /${secret}/2018-06-01/runtime/invocation/r-3/response HTTP/1.1\r\nHost: ${hp}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`, "never");
    assert.match(closing, /^HTTP\/1\.1 202 Accepted\r\n[^]*Connection: close\r\n\r\n\{"status":"OK"\}$/);
    assert.deepEqual(rec.calls.slice(1), ["error r-2 undefined {}", "response r-3 {}"]);
  });
});

test("malformed requests are answered 400 and the connection closed; nothing reaches the environment", async () => {
  await withApi(async (_base, rec, address) => {
    for (const bad of ["NOT HTTP\r\n\r\n", "POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"]) {
      const got = await raw(address, () => bad, "never");
      assert.match(got, /^HTTP\/1\.1 400 Bad Request\r\n/, bad);
    }
    assert.deepEqual(rec.calls, []);
  });
});

test("a pipelined answer and long poll: the 202 goes out with the next event, in order, in one piece", async () => {
  await withApi(async (_base, rec, address) => {
    rec.hold = true;
    const [hostPort, secret] = address.split("/");
    const pieces: string[] = [];
    const done = raw(
      address,
      () =>
        `POST /${secret}/2018-06-01/runtime/invocation/r-1/response HTTP/1.1\r\nHost: ${hostPort}\r\nContent-Length: 2\r\n\r\n{}` +
        `GET /${secret}/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n` +
        `GET /${secret}/2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${hostPort}\r\n\r\n`,
      "never",
      (s) => s.on("data", (c) => pieces.push(String(c))),
    );
    await until(() => rec.waiting !== undefined, "the first poll");
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(pieces, [], "the 202 waits for the event");
    assert.deepEqual(rec.calls, ["response r-1 {}", "next"], "the second poll waits behind the first");
    const first = rec.waiting!;
    rec.waiting = undefined;
    first.answer(EVENT);
    await until(() => rec.waiting !== undefined && pieces.join("").includes('{"event":1}'), "the event and the second poll");
    assert.equal(rec.calls.length, 3);
    assert.match(pieces.join(""), /^HTTP\/1\.1 202 Accepted\r\n[^]*\{"status":"OK"\}HTTP\/1\.1 200 OK\r\nLambda-Runtime-Aws-Request-Id: r-1\r\n[^]*\{"event":1\}$/);
    assert.equal(pieces.length, 1);
    const second = rec.waiting as unknown as NextRequest; // set again by the second poll
    let closed = false;
    second.onClose(() => (closed = true));
    second.destroy();
    await done;
    await until(() => closed, "the close listener");
    assert.equal(second.closed, true);
  });
});

test("a long poll answered after its client hung up is dropped; a client that waits for each answer gets the 202 at once", async () => {
  await withApi(async (base, rec) => {
    rec.hold = true;
    const aborted = new AbortController();
    const poll = fetch(`${base}/invocation/next`, { signal: aborted.signal }).catch(() => "aborted");
    await until(() => rec.waiting !== undefined, "the poll");
    const w = rec.waiting!;
    aborted.abort();
    assert.equal(await poll, "aborted");
    await until(() => w.closed, "the hang-up");
    w.answer(EVENT); // nothing to write to: no throw
    const r = await fetch(`${base}/invocation/r-1/response`, { method: "POST", body: "{}" });
    assert.equal(r.status, 202);
  });
});
