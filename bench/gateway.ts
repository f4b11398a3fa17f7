// STS GetCallerIdentity through the AWS SDK with signature checking and keep-alive, against a
// server in its own process: requests per second and latency at 1 and 8 concurrent clients.
// A second pair of rows replays one signed request with plain node:http (the server still verifies
// the signature every time) to show the server's own capacity apart from the SDK's client-side cost,
// and a last row sends the same SDK calls to a stub that answers a fixed response without any work:
// the SDK client's own ceiling on this machine.
// `npm run bench -- gateway replay`: the replay mode (bench/_replay.ts), hyperlocal against a bare
// node:http server for several operations, with their ratio.
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { HttpRequest } from "@smithy/protocol-http";
import { Hash } from "@smithy/hash-node";
import { startChildServer } from "../test/support/server.ts";
import { load, row } from "./_support.ts";
import { replayBench } from "./_replay.ts";

if (process.argv.includes("replay")) {
  await replayBench();
  process.exit(0);
}

const server = await startChildServer(["--log-level", "warn"]);
try {
  const make = () =>
    new STSClient({
      endpoint: server.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
    });
  const one = make();
  const cmd = () => one.send(new GetCallerIdentityCommand({}));
  await load(cmd, 4, 1500); // warm-up: JIT on both sides
  console.log("bench/gateway: STS GetCallerIdentity, SigV4 verified on every request, keep-alive, server in its own process");
  console.log(row("SDK, 1 client", await load(cmd, 1, 4000)));
  const clients = Array.from({ length: 8 }, make);
  let i = 0;
  console.log(row("SDK, 8 concurrent clients", await load(() => clients[i++ % 8].send(new GetCallerIdentityCommand({})), 8, 4000)));
  for (const c of [one, ...clients]) c.destroy();

  const u = new URL(server.url);
  const body = "Action=GetCallerIdentity&Version=2011-06-15";
  const unsigned = new HttpRequest({ method: "POST", protocol: "http:", hostname: u.hostname, port: Number(u.port), path: "/", headers: { host: u.host, "content-type": "application/x-www-form-urlencoded" }, body });
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service: "sts", sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const signed = (await signer.sign(unsigned)) as HttpRequest;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const replay = () =>
    new Promise<void>((resolve, reject) => {
      const r = request({ host: u.hostname, port: u.port, method: "POST", path: "/", headers: signed.headers, agent }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        res.resume();
        res.on("end", () => resolve());
      });
      r.on("error", reject);
      r.end(body);
    });
  await load(replay, 8, 1000);
  console.log(row("node:http replay, 1 connection", await load(replay, 1, 3000)));
  console.log(row("node:http replay, 8 concurrent connections", await load(replay, 8, 3000)));
  agent.destroy();

  // The client's own ceiling: the same SDK against a stub in its own process that does nothing.
  const stubSource = `
    const body = '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:root</Arn><UserId>000000000000</UserId><Account>000000000000</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>00000000-0000-0000-0000-000000000000</RequestId></ResponseMetadata></GetCallerIdentityResponse>';
    const s = require("node:http").createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(200, { "content-type": "text/xml", "content-length": Buffer.byteLength(body), "x-amzn-RequestId": "00000000-0000-0000-0000-000000000000" }); res.end(body); }); });
    s.keepAliveTimeout = 65000;
    s.listen(0, "127.0.0.1", () => process.stdout.write(String(s.address().port) + "\\n"));`;
  const stub = spawn(process.execPath, ["-e", stubSource], { stdio: ["ignore", "pipe", "inherit"] });
  try {
    const port = await new Promise<number>((resolve) => stub.stdout!.once("data", (d: Buffer) => resolve(Number(String(d).trim()))));
    const stubClients = Array.from({ length: 8 }, () =>
      new STSClient({
        endpoint: `http://127.0.0.1:${port}`,
        region: "us-east-1",
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
        maxAttempts: 1,
        requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 16 }) }),
      }),
    );
    let j = 0;
    const viaStub = () => stubClients[j++ % 8].send(new GetCallerIdentityCommand({}));
    await load(viaStub, 8, 1000);
    console.log(row("SDK, 8 clients, against a do-nothing stub", await load(viaStub, 8, 3000)));
    for (const c of stubClients) c.destroy();
  } finally {
    stub.kill();
  }
} finally {
  await server.stop();
}
