// Test and benchmark client run inside a namespace (through commandPrefix): connects to each target
// in argv[2] (JSON [{host, port, timeoutMs}]), sends "ping", reads the reply, and prints one JSON line
// of results: {ok:true, reply, ms} or {ok:false, code, ms}. With argv[3] = N it instead measures N
// sequential connects to the first target and prints the latencies.
"use strict";
const net = require("node:net");

function probe(t) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const s = net.connect({ host: t.host, port: t.port });
    let reply = "";
    const timer = setTimeout(() => {
      s.destroy();
      resolve({ ok: false, code: "ETIMEDOUT", ms: ms() });
    }, t.timeoutMs ?? 1000);
    s.on("connect", () => s.write("ping"));
    s.on("data", (d) => {
      reply += d;
      clearTimeout(timer);
      s.destroy();
      resolve({ ok: true, reply, ms: ms() });
    });
    s.on("error", (e) => {
      clearTimeout(timer);
      resolve({ ok: false, code: e.code || e.message, ms: ms() });
    });
  });
}

function connectOnce(t) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const s = net.connect({ host: t.host, port: t.port }, () => {
      const d = Number(process.hrtime.bigint() - t0) / 1e6;
      s.destroy();
      resolve(d);
    });
    s.on("error", reject);
  });
}

(async () => {
  const targets = JSON.parse(process.argv[2]);
  const n = Number(process.argv[3] || 0);
  if (n > 0) {
    const lat = [];
    for (let i = 0; i < n; i++) lat.push(await connectOnce(targets[0]));
    process.stdout.write(JSON.stringify(lat) + "\n");
    return;
  }
  const out = [];
  for (const t of targets) out.push(await probe(t));
  process.stdout.write(JSON.stringify(out) + "\n");
})();
