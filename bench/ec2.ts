// EC2 network interfaces at scale: CreateNetworkInterface throughput into one subnet, then
// DescribeNetworkInterfaces with a filter over 10,000 interfaces (latency percentiles), each timed
// twice: through the AWS SDK (whose XML parsing of 100 interfaces costs more than the server's
// answer), and as one pre-signed request replayed over a keep-alive connection (the server's cost
// plus loopback HTTP, the figure the 1 ms target is about).
// Run: npm run bench -- ec2   (server in-process, driven over HTTP on loopback)
// `--cpu-prof`: profile the replayed Describe loops (server and client share this process) and print
// where the time went (bench/_profile.ts).
import { writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as E from "@aws-sdk/client-ec2";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import { clients } from "../test/support/clients.ts";
import { startTestServer, TEST_QUOTAS } from "../test/support/server.ts";
import { summarizeProfile } from "./_profile.ts";

const TOTAL = Number(process.env.BENCH_ENIS ?? 10_000);
const CONCURRENCY = 32;
const QUERIES = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One DescribeNetworkInterfaces with these filters, signed once, sent again and again as it is. */
async function rawSender(url: string, filters: [name: string, value: string][]): Promise<() => Promise<number>> {
  const target = new URL(url);
  const body = new URLSearchParams([["Action", "DescribeNetworkInterfaces"] as [string, string], ["Version", "2016-11-15"] as [string, string], ...filters.flatMap(([n, v], i): [string, string][] => [[`Filter.${i + 1}.Name`, n], [`Filter.${i + 1}.Value.1`, v]])]).toString();
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service: "ec2", sha256: Hash.bind(null, "sha256"), uriEscapePath: true });
  const headers = { host: target.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" };
  const signed = (await signer.sign(new HttpRequest({ method: "POST", protocol: "http:", hostname: target.hostname, port: Number(target.port), path: "/", headers, body }))) as HttpRequest;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return () =>
    new Promise<number>((resolve, reject) => {
      const r = request({ host: target.hostname, port: target.port, method: "POST", path: "/", headers: { ...signed.headers, "content-length": String(Buffer.byteLength(body)) }, agent }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (text += c));
        res.on("end", () => (res.statusCode === 200 ? resolve(text.split("<networkInterfaceId>").length - 1) : reject(new Error(`status ${res.statusCode}: ${text.slice(0, 300)}`))));
      });
      r.on("error", reject);
      r.end(body);
    });
}

async function timeQueries(label: string, send: () => Promise<number>): Promise<void> {
  const times: number[] = [];
  let count = 0;
  // CPU time of this process (client and server) per query: steadier than latency on a busy machine.
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    count = await send();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${String(count).padStart(5)} results  p50 ${percentile(times, 50).toFixed(2)} ms  p95 ${percentile(times, 95).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms  CPU ${((cpu.user + cpu.system) / QUERIES / 1000).toFixed(2)} ms/query`,
  );
}

// Past AWS's default network interface quota (5,000) on purpose.
const app = await startTestServer({ noDefaultVpc: true, quotas: { ...TEST_QUOTAS, "ec2.network-interfaces": 1_000_000 } });
try {
  const { ec2 } = clients(app.url);
  const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!;
  const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: "10.0.0.0/16" }))).Subnet!;
  const sg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc.VpcId, GroupName: "bench", Description: "bench" }))).GroupId!;

  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < TOTAL) {
      const i = next++;
      await ec2.send(
        new E.CreateNetworkInterfaceCommand({
          SubnetId: subnet.SubnetId,
          Groups: [sg],
          Description: `bench ${i}`,
          TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "hot", Value: i % 100 === 0 ? "yes" : "no" }] }],
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - t0) / 1000;
  const left = (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnet.SubnetId!] }))).Subnets![0].AvailableIpAddressCount!;
  console.log(`CreateNetworkInterface: ${TOTAL} interfaces in ${seconds.toFixed(2)} s = ${(TOTAL / seconds).toFixed(0)} creates/s (${CONCURRENCY} in flight); subnet has ${left} free addresses left`);

  const profiler = process.argv.includes("--cpu-prof") ? new Session() : undefined;
  const profiles: object[] = [];
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.setSamplingInterval", { interval: 100 });
  }
  const queries: [label: string, name: string, value: string][] = [
    [`tag:hot=yes over ${TOTAL}`, "tag:hot", "yes"],
    ["private-ip-address=10.0.19.99", "private-ip-address", "10.0.19.99"],
    ["description=bench 99* (wildcard)", "description", "bench 99*"],
  ];
  // The fill leaves the heap with work to do (the garbage of 10,000 creates is collected over the
  // next few hundred milliseconds): whichever query ran first paid it (0.8-1.3 ms p50 against
  // 0.6-0.7 ms for the same query run later). Every query is warmed once before any is timed.
  const senders = new Map<string, () => Promise<number>>();
  for (const [label, name, value] of queries) senders.set(label, await rawSender(app.url, [[name, value]]));
  for (let i = 0; i < QUERIES; i++) for (const send of senders.values()) await send();
  for (const [label, name, value] of queries) {
    await timeQueries(`DescribeNetworkInterfaces ${label}, SDK`, async () => {
      const r = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: name, Values: [value] }] }));
      return r.NetworkInterfaces!.length;
    });
    const replayed = senders.get(label)!;
    if (profiler) await profiler.post("Profiler.start");
    await timeQueries(`DescribeNetworkInterfaces ${label}, replayed`, replayed);
    if (profiler) profiles.push(((await profiler.post("Profiler.stop")) as { profile: object }).profile);
  }
  profiles.forEach((profile, i) => {
    const file = join(tmpdir(), `hyperlocal-ec2-describe-${process.pid}-${i}.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(`profile of "${queries[i][0]}", replayed: ${file}`);
    console.log(summarizeProfile(file));
  });
} finally {
  await app.close();
}
