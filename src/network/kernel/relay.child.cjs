// Runs inside a network namespace (an endpoint ENI's, or "the internet"): listens on the VPC or public
// address and hands every connection to a unix socket, which crosses namespaces through the
// filesystem to the emulator's side (host-relays.ts). Config: one JSON line per change on stdin,
// [{ip, port, socket}]; answers one line `{"ok":true}` or `{"ok":false,"errors":[...]}`. stdin
// closing (the emulator went away) ends the process.
"use strict";
const net = require("node:net");
const readline = require("node:readline");

const servers = new Map();

function listen(spec) {
  return new Promise((resolve) => {
    const server = net.createServer({ allowHalfOpen: true }, (client) => {
      const up = net.connect({ path: spec.socket, allowHalfOpen: true });
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

const key = (s) => `${s.ip}|${s.port}`;

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
