// HTTP behaviour of the Runtime API listener, against a recording handler (no function processes:
// only loopback connections from this test).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createConnection } from "node:net";
import type { ServerResponse } from "node:http";
import { listenRuntimeApi, MAX_RESPONSE_BYTES } from "./runtime-api-server.ts";
import type { ApiReply, RuntimeApiHandler } from "./runtime-api-server.ts";

class Recorder implements RuntimeApiHandler {
  calls: string[] = [];
  next(res: ServerResponse): void {
    this.calls.push("next");
    const body = '{"event":1}';
    res.writeHead(200, { "Content-Length": body.length, "Lambda-Runtime-Aws-Request-Id": "r-1" });
    res.end(body);
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
