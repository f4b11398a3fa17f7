// EC2 network interfaces at scale: CreateNetworkInterface throughput into one subnet, then
// DescribeNetworkInterfaces with a filter over 10,000 interfaces (latency percentiles).
// Run: npm run bench -- ec2   (server in-process, driven by the AWS SDK over HTTP on loopback)
import * as E from "@aws-sdk/client-ec2";
import { clients } from "../test/support/clients.ts";
import { startTestServer, TEST_QUOTAS } from "../test/support/server.ts";

const TOTAL = Number(process.env.BENCH_ENIS ?? 10_000);
const CONCURRENCY = 32;
const QUERIES = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timeQueries(label: string, send: () => Promise<number>): Promise<void> {
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < QUERIES; i++) {
    const t0 = performance.now();
    count = await send();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(58)} ${String(count).padStart(5)} results  p50 ${percentile(times, 50).toFixed(2)} ms  p95 ${percentile(times, 95).toFixed(2)} ms  p99 ${percentile(times, 99).toFixed(2)} ms`,
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

  await timeQueries(`DescribeNetworkInterfaces tag:hot=yes over ${TOTAL}`, async () => {
    const r = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "tag:hot", Values: ["yes"] }] }));
    return r.NetworkInterfaces!.length;
  });
  await timeQueries(`DescribeNetworkInterfaces private-ip-address=10.0.19.99`, async () => {
    const r = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "private-ip-address", Values: ["10.0.19.99"] }] }));
    return r.NetworkInterfaces!.length;
  });
  await timeQueries(`DescribeNetworkInterfaces description=bench 99* (wildcard)`, async () => {
    const r = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "description", Values: ["bench 99*"] }] }));
    return r.NetworkInterfaces!.length;
  });
} finally {
  await app.close();
}
