// Hyperplane ENIs at scale: 10,000 VPC functions over 500 (subnet, security-group set) combinations
// created through the AWS SDK (SigV4, keep-alive) against an in-process server and brought Active
// on the simulated clock; then a simulated connection load through the acquire/release interface the
// network enforcement uses, crossing the 65,000-connections-per-ENI capacity so Lambda adds ENIs,
// and scaling back in once the load is gone. Runs no function code.
import { Agent } from "node:http";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { startApp } from "../src/app.ts";
import { defaultQuotas } from "../src/quotas.ts";
import { defaultConfig } from "../src/config.ts";
import { createLogger } from "../src/core/logger.ts";
import type { LambdaState } from "../src/services/lambda/model.ts";
import { LAMBDA_TRUST, nodeZip } from "../test/support/zip-functions.ts";

const FUNCTIONS = 10_000;
const VPCS = 5;
const SUBNETS_PER_VPC = 10;
const GROUP_SETS_PER_VPC = 10; // 5 × 10 × 10 = 500 combinations
const CONCURRENCY = 16;
const HOT_COMBOS = 20;
const PEAK_CONNECTIONS = 70_000; // past one ENI's 65,000
const CHURN_DECISIONS = 1_000_000;

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const app = await startApp(defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", iam: "enforce", quotas: { ...defaultQuotas(), "ec2.vpcs": 1000 } }), { logger: createLogger("silent") });
const creds = { accessKeyId: "test", secretAccessKey: "test" };
const handler = () => new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }) });
const common = { endpoint: app.url, region: REGION, credentials: creds, maxAttempts: 1 };
const ec2 = new E.EC2Client({ ...common, requestHandler: handler() });
const iam = new IAMClient(common);
const lambda = new LambdaClient({ ...common, requestHandler: handler() });
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const advance = async (body: Record<string, number>) => {
  const r = await fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (r.status !== 200) throw new Error(`clock advance: ${r.status}`);
};
const states = () => {
  const count: Record<string, number> = {};
  for (const { state } of app.store.all<LambdaState>("lambda")) for (const fn of Object.values(state.functions)) count[fn.latest.state] = (count[fn.latest.state] ?? 0) + 1;
  return count;
};
const lambdaEnis = () => {
  let n = 0;
  for (const e of Object.values(app.store.state<{ networkInterfaces: Record<string, { interfaceType: string }> }>("ec2", ACCOUNT, REGION, () => ({ networkInterfaces: {} })).networkInterfaces)) {
    if (e.interfaceType === "lambda") n++;
  }
  return n;
};

try {
  console.log(`bench/hyperplane: ${fmt(FUNCTIONS)} VPC functions over ${VPCS * SUBNETS_PER_VPC * GROUP_SETS_PER_VPC} (subnet, group set) combinations, in-process server, AWS SDK`);
  // ---- the network ----
  const combos: { subnet: string; groups: string[] }[] = [];
  for (let v = 0; v < VPCS; v++) {
    const vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${v}.0.0/16` }))).Vpc!.VpcId!;
    const groups: string[] = [];
    for (let g = 0; g < GROUP_SETS_PER_VPC; g++) groups.push((await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: `g${g}`, Description: "bench" }))).GroupId!);
    for (let s = 0; s < SUBNETS_PER_VPC; s++) {
      const subnet = (await ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.${v}.${s}.0/24` }))).Subnet!.SubnetId!;
      for (let g = 0; g < GROUP_SETS_PER_VPC; g++) combos.push({ subnet, groups: [groups[g], groups[(g + 1) % GROUP_SETS_PER_VPC]] });
    }
  }
  const role = (await iam.send(new CreateRoleCommand({ RoleName: "bench-vpc", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await iam.send(new AttachRolePolicyCommand({ RoleName: "bench-vpc", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
  const zip = nodeZip("exports.handler = async (e) => e;");

  // ---- 10,000 CreateFunction calls ----
  let next = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < FUNCTIONS) {
        const i = next++;
        const combo = combos[i % combos.length];
        const out = await lambda.send(
          new CreateFunctionCommand({ FunctionName: `fn-${i}`, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [combo.subnet], SecurityGroupIds: combo.groups } }),
        );
        if (out.State !== "Pending") throw new Error(`fn-${i}: ${out.State}`);
      }
    }),
  );
  const createSecs = secs(t0);
  const enisAfterCreate = lambdaEnis();
  console.log(`${"CreateFunction with VpcConfig".padEnd(44)} ${fmt(FUNCTIONS)} calls in ${createSecs.toFixed(2)} s   ${fmt(FUNCTIONS / createSecs)} calls/s   ENIs created ${fmt(enisAfterCreate)} (one per combination)`);

  // ---- Pending → Active: the clock passes the ENI creation time ----
  // The simulated clock also runs with real time: ENIs of the first combinations were ready during the calls.
  const beforeAdvance = JSON.stringify(states());
  const t1 = process.hrtime.bigint();
  await advance({ seconds: 3 });
  for (let spins = 0; (states().Active ?? 0) < FUNCTIONS; spins++) {
    if (spins > 10_000) throw new Error(`not all Active: ${JSON.stringify(states())}`);
    await new Promise((r) => setImmediate(r));
  }
  console.log(`${"all Pending → Active (clock +3 s)".padEnd(44)} ${secs(t1).toFixed(2)} s   states before ${beforeAdvance}, after ${JSON.stringify(states())}`);
  const d = await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }, { Name: "status", Values: ["in-use"] }], MaxResults: 1000 }));
  console.log(`${"DescribeNetworkInterfaces lambda, in-use".padEnd(44)} ${fmt(d.NetworkInterfaces!.length)} ENIs shown`);

  // ---- vpcSource: what the network module asks per new environment ----
  const t2 = process.hrtime.bigint();
  const LOOKUPS = 200_000;
  for (let i = 0; i < LOOKUPS; i++) if (!app.lambda.vpcSource(ACCOUNT, REGION, `fn-${i % FUNCTIONS}`)) throw new Error("no source");
  const lookSecs = secs(t2);
  console.log(`${"vpcSource lookups".padEnd(44)} ${fmt(LOOKUPS)} in ${lookSecs.toFixed(2)} s   ${fmt(LOOKUPS / lookSecs)} /s`);

  // ---- connection load past the capacity ----
  const hp = app.hyperplane;
  const keys = hp.combos(ACCOUNT, REGION).map((c) => c.key);
  const hot = keys.slice(0, HOT_COMBOS);
  const held: [string, string][] = [];
  const t3 = process.hrtime.bigint();
  for (let n = 0; n < PEAK_CONNECTIONS; n++) for (const k of hot) held.push([k, hp.acquire(ACCOUNT, REGION, k)]);
  const rampSecs = secs(t3);
  const peakEnis = lambdaEnis();
  console.log(
    `${`ramp: ${HOT_COMBOS} combinations to ${fmt(PEAK_CONNECTIONS)} connections`.padEnd(44)} ${fmt(held.length)} acquires in ${rampSecs.toFixed(2)} s   ${fmt(held.length / rampSecs)} decisions/s   ENIs added ${fmt(peakEnis - enisAfterCreate)}`,
  );

  // Churn: connections open and close at random on every combination while the hot ones stay high.
  const open: [string, string][] = [];
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const t4 = process.hrtime.bigint();
  for (let n = 0; n < CHURN_DECISIONS; n++) {
    if (open.length > 0 && rnd() < 0.5) {
      const [k, eni] = open.splice(Math.floor(rnd() * open.length), 1)[0];
      hp.release(ACCOUNT, REGION, k, eni);
    } else {
      const k = keys[Math.floor(rnd() * keys.length)];
      open.push([k, hp.acquire(ACCOUNT, REGION, k)]);
    }
  }
  const churnSecs = secs(t4);
  console.log(`${"churn on all 500 combinations".padEnd(44)} ${fmt(CHURN_DECISIONS)} decisions in ${churnSecs.toFixed(2)} s   ${fmt(CHURN_DECISIONS / churnSecs)} decisions/s`);

  const t5 = process.hrtime.bigint();
  for (const [k, eni] of held) hp.release(ACCOUNT, REGION, k, eni);
  for (const [k, eni] of open) hp.release(ACCOUNT, REGION, k, eni);
  const drainSecs = secs(t5);
  console.log(`${"drain".padEnd(44)} ${fmt(held.length + open.length)} releases in ${drainSecs.toFixed(2)} s   ${fmt((held.length + open.length) / drainSecs)} decisions/s`);
  await advance({ minutes: 5 });
  console.log(`${"scale-in after 5 idle minutes".padEnd(44)} ENIs ${fmt(peakEnis)} → ${fmt(lambdaEnis())}`);
  const total = held.length * 2 + CHURN_DECISIONS + open.length;
  const totalSecs = rampSecs + churnSecs + drainSecs;
  console.log(`${"ENI decisions overall".padEnd(44)} ${fmt(total)} in ${totalSecs.toFixed(2)} s   ${fmt(total / totalSecs)} decisions/s`);
} finally {
  for (const c of [ec2, iam, lambda]) c.destroy();
  await app.close();
}
