// The cost of function code's AWS calls through the VPC: `npm run bench -- network-aws-calls`.
// A Node.js function calls STS GetCallerIdentity with the SDK for JavaScript v3 (a new client per
// call, so every call opens its connection and asks the network) from three places: outside a VPC
// by the regional name (the direct path), from a private subnet through an interface endpoint with
// private DNS, and through AWS_ENDPOINT_URL (hyperlocal's listener on loopback, no network
// decision: the floor), in shim mode and, where it can run, kernel mode. It prints p50/p99 per call,
// as measured inside the function. It runs
// function code, so it enters a loopback-only network namespace itself (`unshare -rnm`).
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { startApp } from "../src/app.ts";
import { kernelSupport } from "../src/network/kernel/index.ts";
import { defaultConfig } from "../src/config.ts";
import { createLogger } from "../src/core/logger.ts";
import { defaultQuotas } from "../src/quotas.ts";
import { percentile } from "./_support.ts";
import { clients } from "../test/support/clients.ts";
import { LAMBDA_TRUST, nodeZip } from "../test/support/zip-functions.ts";

const here = dirname(fileURLToPath(import.meta.url));
if (process.env.HYPERLOCAL_TEST_NETNS !== "1") {
  const r = spawnSync("unshare", ["-rnm", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", process.execPath, "--import", "tsx", join(here, "run.ts"), "network-aws-calls"], {
    stdio: "inherit",
    env: { ...process.env, HYPERLOCAL_TEST_NETNS: "1" },
  });
  if (r.error || r.status === null) {
    console.error("network-aws-calls: cannot enter a loopback-only network namespace (unshare -rnm); this benchmark runs function code and needs one");
    process.exit(1);
  }
  process.exit(r.status);
}

const CALLS = 300;
const WARMUP = 30;
const NODE_MODULES = join(here, "..", "node_modules");
const FUNCTION = `
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
exports.handler = async (ev) => {
  const endpoint = ev.loopback ? process.env.AWS_ENDPOINT_URL : undefined;
  const one = async () => {
    const t0 = process.hrtime.bigint();
    await new STSClient({ maxAttempts: 1, ...(endpoint ? { endpoint } : {}) }).send(new GetCallerIdentityCommand({}));
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  for (let i = 0; i < ${WARMUP}; i++) await one();
  const lat = [];
  for (let i = 0; i < ${CALLS}; i++) lat.push(await one());
  return lat;
};
`;

async function measure(network: "shim" | "kernel"): Promise<void> {
  const config = defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", quotas: { ...defaultQuotas() }, network });
  const app = await startApp(config, { logger: createLogger("silent") });
  try {
    const c = clients(app.url);
    const advance = (seconds: number) => fetch(`${app.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ seconds }) });
    const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    await c.ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: vpc, EnableDnsHostnames: { Value: true } }));
    const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.3.0/24" }))).Subnet!.SubnetId!;
    const fnSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "fn", Description: "fn" }))).GroupId!;
    const epSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "ep", Description: "ep" }))).GroupId!;
    await c.ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: epSg, IpPermissions: [{ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: fnSg }] }] }));
    await c.ec2.send(new E.CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: vpc, ServiceName: "com.amazonaws.us-east-1.sts", SubnetIds: [subnet], SecurityGroupIds: [epSg], PrivateDnsEnabled: true }));
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "bench", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: "bench", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
    const common = { Role: role, Runtime: "nodejs20.x", Handler: "index.handler", Timeout: 300, Code: { ZipFile: nodeZip(FUNCTION) }, Environment: { Variables: { NODE_PATH: NODE_MODULES } } } as const;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "direct", ...common }));
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "in-vpc", ...common, VpcConfig: { SubnetIds: [subnet], SecurityGroupIds: [fnSg] } }));
    await advance(30);

    const run = async (fn: string, loopback = false): Promise<string> => {
      const r = await c.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify({ loopback })) }));
      const text = Buffer.from(r.Payload ?? []).toString();
      if (r.FunctionError) throw new Error(`${fn}: ${text}`);
      const lat = (JSON.parse(text) as number[]).sort((a, b) => a - b);
      return `p50 ${percentile(lat, 50).toFixed(2)} ms   p99 ${percentile(lat, 99).toFixed(2)} ms`;
    };
    console.log(`${network} mode:`);
    console.log(`no network decision (AWS_ENDPOINT_URL, loopback)          ${await run("direct", true)}`);
    console.log(`direct: no VPC, sts.us-east-1.amazonaws.com:443          ${await run("direct")}`);
    console.log(`VPC function through an interface endpoint (private DNS) ${await run("in-vpc")}`);
  } finally {
    await app.close();
  }
}

console.log(`network-aws-calls: ${CALLS} sequential sts:GetCallerIdentity calls after ${WARMUP} warm-up, a new SDK client (and connection) per call, timed inside the function`);
await measure("shim");
const support = kernelSupport();
if (support.ok) await measure("kernel");
else console.log(`kernel mode: skipped (${support.reason})`);
