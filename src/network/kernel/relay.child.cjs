// Runs inside a network namespace (an endpoint ENI's, or "the internet"): listens on the VPC or public
// address and hands every connection to a unix socket, which crosses namespaces through the
// filesystem to the emulator's side (relays.ts). Config: one JSON line per change on stdin,
// [{ip, port, socket, kind?}]; answers one line `{"ok":true}` or `{"ok":false,"errors":[...]}`.
// stdin closing (the emulator went away) ends the process.
// kind "dns": a UDP listener (the namespace's resolver address); each datagram goes to the unix
// socket framed as DNS over TCP (2-byte length), and the framed answer goes back to the sender.
"use strict";
const dgram = require("node:dgram");
const net = require("node:net");
const readline = require("node:readline");

const servers = new Map();

function listenDns(spec) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(spec.ip.includes(":") ? "udp6" : "udp4");
    sock.on("message", (msg, from) => {
      if (msg.length > 65535) return;
      const up = net.connect({ path: spec.socket });
      let buf = Buffer.alloc(0);
      const t = setTimeout(() => up.destroy(), 5000);
      up.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          clearTimeout(t);
          sock.send(buf.subarray(2, 2 + buf.readUInt16BE(0)), from.port, from.address);
          up.end();
        }
      });
      up.on("error", () => clearTimeout(t));
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      up.write(Buffer.concat([len, msg]));
    });
    sock.once("error", (e) => resolve(`${spec.ip}:${spec.port}/udp: ${e.code || e.message}`));
    sock.bind({ address: spec.ip, port: spec.port }, () => {
      servers.set(key(spec), { server: sock, socket: spec.socket });
      resolve(undefined);
    });
  });
}

// kind "udp": one unix connection per client address, datagrams framed (2-byte length) both ways;
// a client quiet for UDP_IDLE_MS is forgotten (its connection closed).
const UDP_IDLE_MS = 60_000;

function listenUdp(spec) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket({ type: spec.ip.includes(":") ? "udp6" : "udp4", ipv6Only: spec.ip.includes(":") });
    const clients = new Map();
    const forget = (k) => {
      const c = clients.get(k);
      if (!c) return;
      clients.delete(k);
      clearTimeout(c.timer);
      c.up.destroy();
    };
    sock.on("message", (msg, from) => {
      const k = `${from.address}|${from.port}`;
      let c = clients.get(k);
      if (!c) {
        const up = net.connect({ path: spec.socket });
        let buf = Buffer.alloc(0);
        up.on("data", (d) => {
          buf = Buffer.concat([buf, d]);
          while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
            sock.send(buf.subarray(2, 2 + buf.readUInt16BE(0)), from.port, from.address);
            buf = buf.subarray(2 + buf.readUInt16BE(0));
          }
        });
        up.on("error", () => forget(k));
        up.on("close", () => forget(k));
        c = { up, timer: undefined };
        clients.set(k, c);
      }
      clearTimeout(c.timer);
      c.timer = setTimeout(() => forget(k), UDP_IDLE_MS);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      c.up.write(Buffer.concat([len, msg]));
    });
    sock.once("error", (e) => resolve(`${spec.ip}:${spec.port}/udp: ${e.code || e.message}`));
    sock.bind({ address: spec.ip, port: spec.port }, () => {
      const close = sock.close.bind(sock);
      servers.set(key(spec), {
        server: { close: () => { for (const k of [...clients.keys()]) forget(k); close(); } },
        socket: spec.socket,
      });
      resolve(undefined);
    });
  });
}

function listen(spec) {
  if (spec.kind === "dns") return listenDns(spec);
  if (spec.kind === "udp") return listenUdp(spec);
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      const up = net.connect({ path: spec.socket, allowHalfOpen: true });
      // AWS calls: hyperlocal learns who connected (aws:SourceIp, aws:VpcSourceIp) from this first line.
      if (spec.sourceHeader) up.write(`${client.remoteAddress}\n`);
      client.pipe(up).pipe(client);
      const kill = () => {
        client.destroy();
        up.destroy();
      };
      client.on("error", kill);
      up.on("error", kill);
    });
    server.once("error", (e) => resolve(`${spec.ip}:${spec.port}: ${e.code || e.message}`));
    server.listen({ host: spec.ip, port: spec.port, ipv6Only: spec.ip.includes(":") }, () => {
      servers.set(key(spec), { server, socket: spec.socket });
      resolve(undefined);
    });
  });
}

const key = (s) => `${s.kind || "tcp"}|${s.ip}|${s.port}`;

async function configure(specs) {
  const wanted = new Map(specs.map((s) => [key(s), s]));
  for (const [k, v] of servers) {
    if (!wanted.has(k) || wanted.get(k).socket !== v.socket) {
      v.server.close();
      servers.delete(k);
    }
  }
  const errors = [];
  for (const [k, s] of wanted) if (!servers.has(k)) {
    const err = await listen(s);
    if (err) errors.push(err);
  }
  process.stdout.write(JSON.stringify(errors.length ? { ok: false, errors } : { ok: true }) + "\n");
}

let chain = Promise.resolve();
const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  chain = chain.then(() => configure(JSON.parse(line)));
});
rl.on("close", () => process.exit(0));
