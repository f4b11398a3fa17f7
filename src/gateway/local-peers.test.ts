import assert from "node:assert/strict";
import { createServer as createHttpServer } from "node:http";
import { createServer, connect, type AddressInfo } from "node:net";
import { test } from "node:test";
import { loopbackPeerUid, refuseLoopbackPeersOf } from "./local-peers.ts";

const uid = process.getuid?.() ?? 0;

async function serve(refuse: number | undefined) {
  // As the gateway: an HTTP server, whose own connection handling runs before this one but reads nothing yet.
  const server = createHttpServer((_req, res) => res.end("hello"));
  refuseLoopbackPeersOf(server, () => refuse);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, port: (server.address() as AddressInfo).port };
}

/** One HTTP request on a raw connection: the response text, or "" when the server closed it unanswered. */
function fetchText(port: number): Promise<string> {
  return new Promise((resolve) => {
    let got = "";
    const c = connect(port, "127.0.0.1", () => c.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
    c.on("data", (d) => (got += d));
    c.on("close", () => resolve(got.slice(got.indexOf("\r\n\r\n") + 4)));
    c.on("error", () => {});
  });
}

test("loopbackPeerUid finds the owner of the client's socket", { skip: process.platform !== "linux" && "Linux only" }, async () => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const seen = new Promise<number | undefined>((resolve) => server.once("connection", (s) => resolve(loopbackPeerUid(s.remotePort!, s.localPort!))));
  const client = connect((server.address() as AddressInfo).port, "127.0.0.1");
  assert.equal(await seen, uid);
  client.destroy();
  server.close();
});

test("refuseLoopbackPeersOf closes connections of that uid only", { skip: process.platform !== "linux" && "Linux only" }, async () => {
  const refused = await serve(uid);
  assert.equal(await fetchText(refused.port), "");
  refused.server.closeAllConnections();
  refused.server.close();
  const other = await serve(uid + 1);
  assert.equal(await fetchText(other.port), "hello");
  other.server.closeAllConnections();
  other.server.close();
  const off = await serve(undefined);
  assert.equal(await fetchText(off.port), "hello");
  off.server.closeAllConnections();
  off.server.close();
});
