// CloudFormation: wall time to CREATE_COMPLETE and DELETE_COMPLETE of the guide's VPC stack with 10
// VPC functions (the default clock: NAT gateway and Hyperplane ENI waits are real seconds; the
// 20-minute ENI release on delete is passed with one clock advance), and how a stack of plain
// resources grows from 50 to 200. Nothing here runs function code or opens a non-local connection.
import { CloudFormationClient, CreateStackCommand, DeleteStackCommand, DescribeStackEventsCommand, DescribeStacksCommand, ListStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { startApp } from "../src/app.ts";
import { defaultConfig } from "../src/config.ts";
import { createLogger } from "../src/core/logger.ts";
import { vpcStackTemplate } from "../test/support/cfn-templates.ts";

const config = defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", noDefaultVpc: true });
const app = await startApp(config, { logger: createLogger("silent") });
const cfn = new CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(stackId: string, done: (status: string) => boolean, onPoll?: () => Promise<void>): Promise<string> {
  for (;;) {
    const s = (await cfn.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks![0];
    if (done(s.StackStatus!)) return s.StackStatus!;
    if (onPoll) await onPoll();
    await sleep(20);
  }
}

/** Create then delete; the delete advances the clock past the ENI release once a retry shows. */
async function run(name: string, body: string): Promise<{ createMs: number; deleteMs: number; resources: number }> {
  const t0 = performance.now();
  const { StackId } = await cfn.send(new CreateStackCommand({ StackName: name, TemplateBody: body, Capabilities: ["CAPABILITY_IAM"] }));
  const created = await until(StackId!, (s) => !s.endsWith("IN_PROGRESS"));
  const createMs = performance.now() - t0;
  if (created !== "CREATE_COMPLETE") throw new Error(`${name}: ${created}`);
  let resources = 0;
  let token: string | undefined;
  do {
    const page = await cfn.send(new ListStackResourcesCommand({ StackName: StackId, NextToken: token }));
    resources += page.StackResourceSummaries!.length;
    token = page.NextToken;
  } while (token);
  const t1 = performance.now();
  await cfn.send(new DeleteStackCommand({ StackName: StackId }));
  let advanced = false;
  const deleted = await until(
    StackId!,
    (s) => !s.endsWith("IN_PROGRESS"),
    async () => {
      if (advanced) return;
      const evs = (await cfn.send(new DescribeStackEventsCommand({ StackName: StackId }))).StackEvents!;
      if (evs.some((e) => /dependent object/.test(e.ResourceStatusReason ?? ""))) {
        app.clock.advance(25 * 60_000);
        advanced = true;
      }
    },
  );
  if (deleted !== "DELETE_COMPLETE") throw new Error(`${name}: ${deleted}`);
  return { createMs, deleteMs: performance.now() - t1, resources };
}

/** A VPC, then subnets and one security group per subnet, to `total` resources. */
function plainTemplate(total: number): string {
  const lines = ["Resources:", "  Vpc:", "    Type: AWS::EC2::VPC", "    Properties: { CidrBlock: 10.0.0.0/16 }"];
  const pairs = Math.floor((total - 1) / 2);
  for (let i = 0; i < pairs; i++) {
    lines.push(`  Sn${i}:`, "    Type: AWS::EC2::Subnet", `    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.${i}.0/24 }`);
    lines.push(`  Sg${i}:`, "    Type: AWS::EC2::SecurityGroup", `    Properties: { GroupDescription: group ${i}, VpcId: !Ref Vpc, Tags: [{ Key: subnet, Value: !Ref Sn${i} }] }`);
  }
  if ((total - 1) % 2) lines.push("  Igw:", "    Type: AWS::EC2::InternetGateway");
  return lines.join("\n") + "\n";
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(9);
console.log("CloudFormation stacks, wall time (default clock; NAT gateway 5 s and ENI 2 s waits are real time)");
const vpc = await run("vpc10", vpcStackTemplate(10));
console.log(`VPC stack, 10 VPC functions (${vpc.resources} resources)   create ${fmt(vpc.createMs)}   delete ${fmt(vpc.deleteMs)} (ENI release passed by one clock advance)`);
for (const n of [50, 200]) {
  const r = await run(`plain${n}`, plainTemplate(n));
  console.log(`${`${r.resources} resources (VPC, subnets, groups)`.padEnd(42)}   create ${fmt(r.createMs)}   delete ${fmt(r.deleteMs)}   (${(r.createMs / r.resources).toFixed(1)} ms per resource created)`);
}
await app.close();
