// The guide's SAM path as a new user walks it, with Debian's AWS CLI v2: `aws s3 mb`,
// `aws cloudformation package` (CodeUri: ./src zipped and uploaded to the bucket),
// `aws cloudformation deploy --capabilities CAPABILITY_IAM CAPABILITY_AUTO_EXPAND`; the function
// Active in the VPC with the generated role carrying AWSLambdaVPCAccessExecutionRole, an
// invocation reaching a local server placed in the VPC at 10.0.1.25:5432, new code through
// package + deploy, and delete-stack + wait. Function code runs: loopback-only namespace.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, GetRolePolicyCommand } from "@aws-sdk/client-iam";
import { DescribeNetworkInterfacesCommand } from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { aws, AWS_CLI_ONE_ENDPOINT, hasAwsCli } from "../support/aws-cli.ts";
import { clients, ROOT_CREDS } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock } from "../support/zip-functions.ts";

const skip = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !hasAwsCli() ? "no /usr/bin/aws" : false;

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: A function in a VPC that talks to a database at 10.0.1.25
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: 10.0.0.0/16 }
  DbSubnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.1.0/24 }
  AppSubnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: 10.0.2.0/24 }
  FnSg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: the function, VpcId: !Ref Vpc }
  DbSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: the database
      VpcId: !Ref Vpc
      SecurityGroupIngress:
        - { IpProtocol: tcp, FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: !Ref FnSg }
  DbEni:
    Type: AWS::EC2::NetworkInterface
    Properties: { SubnetId: !Ref DbSubnet, PrivateIpAddress: 10.0.1.25, GroupSet: [!Ref DbSg] }
  DbClient:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: ./src
      Handler: index.handler
      Runtime: nodejs20.x
      Timeout: 10
      VpcConfig:
        SubnetIds: [!Ref AppSubnet]
        SecurityGroupIds: [!Ref FnSg]
      AutoPublishAlias: live
      Policies:
        - VPCAccessPolicy: {}
      Environment:
        Variables:
          DB_HOST: 10.0.1.25
Outputs:
  FunctionName:
    Value: !Ref DbClient
  RoleName:
    Value: !Ref DbClientRole
`;

/** The function: one TCP exchange with the database, answered with the code's version. */
const code = (version: string) => `
const net = require("node:net");
exports.handler = async () => new Promise((resolve) => {
  const s = net.connect({ host: process.env.DB_HOST, port: 5432 }, () => s.write("ping"));
  s.setTimeout(5000, () => { s.destroy(); resolve({ version: "${version}", error: "timeout" }); });
  s.on("data", (d) => { resolve({ version: "${version}", reply: d.toString() }); s.end(); });
  s.on("error", (e) => resolve({ version: "${version}", error: e.code || e.message }));
});
`;

describe("SAM: the guide's path with aws cloudformation package + deploy", { skip }, () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let db: Server;
  const dir = tempDir("sam-deploy-");
  const template = join(dir, "template.yaml");
  const packaged = join(dir, "packaged.yaml");
  const outputs: Record<string, string> = {};

  const packageAndDeploy = async () => {
    // Debian's CLI 2.9 builds package's S3 client without --endpoint-url: the wrapper gives it ours.
    const p = await aws(app.url, ["cloudformation", "package", "--template-file", template, "--s3-bucket", "sam-artifacts", "--output-template-file", packaged], ROOT_CREDS, "us-east-1", AWS_CLI_ONE_ENDPOINT);
    assert.equal(p.code, 0, `${p.stdout}\n${p.stderr}`);
    const d = await aws(app.url, ["cloudformation", "deploy", "--template-file", packaged, "--stack-name", "sam-app", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]);
    assert.equal(d.code, 0, `${d.stdout}\n${d.stderr}`);
    assert.match(d.stdout, /Successfully created\/updated stack - sam-app/);
    const s = await aws(app.url, ["cloudformation", "describe-stacks", "--stack-name", "sam-app"]);
    for (const o of s.json.Stacks[0].Outputs) outputs[o.OutputKey] = o.OutputValue;
    return s.json.Stacks[0];
  };

  const invoke = async (qualifier?: string) => {
    const r = await c.lambda.send(new InvokeCommand({ FunctionName: outputs.FunctionName, Qualifier: qualifier, Payload: Buffer.from("{}") }));
    assert.equal(r.FunctionError, undefined, Buffer.from(r.Payload!).toString());
    return JSON.parse(Buffer.from(r.Payload!).toString());
  };

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    c = clients(app.url);
    db = createServer((s) => s.on("data", (d) => s.end(`pong to ${d}`)));
    await new Promise<void>((r) => db.listen(0, "127.0.0.1", r));
    mkdirSync(join(dir, "src"));
    writeFileSync(join(dir, "src", "index.js"), code("v1"));
    writeFileSync(template, TEMPLATE);
  });

  after(async () => {
    await app?.close();
    db?.close();
  });

  it("s3 mb, package (./src uploaded, CodeUri rewritten to the bucket), deploy: the function Active in the VPC with the SAM role", async () => {
    const mb = await aws(app.url, ["s3", "mb", "s3://sam-artifacts"]);
    assert.equal(mb.code, 0, mb.stderr);
    const stack = await packageAndDeploy();
    assert.equal(stack.StackStatus, "CREATE_COMPLETE");
    assert.deepEqual(new Set(stack.Capabilities), new Set(["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]));

    const out = readFileSync(packaged, "utf8");
    const uri = /CodeUri: (s3:\/\/sam-artifacts\/[0-9a-f]{32})/.exec(out);
    assert.ok(uri, out);
    const ls = await aws(app.url, ["s3", "ls", "s3://sam-artifacts/"]);
    assert.match(ls.stdout, new RegExp(uri![1].split("/").pop()!));

    const cfg = await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: outputs.FunctionName }));
    assert.equal(cfg.State, "Active");
    assert.match(cfg.FunctionName!, /^sam-app-DbClient-[A-Za-z0-9]{12}$/);
    assert.equal(cfg.Environment!.Variables!.DB_HOST, "10.0.1.25");
    assert.match(cfg.VpcConfig!.VpcId!, /^vpc-/);
    const enis = (await c.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 1);
    assert.deepEqual([enis[0].SubnetId], cfg.VpcConfig!.SubnetIds);

    const attached = await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: outputs.RoleName }));
    assert.deepEqual(new Set(attached.AttachedPolicies!.map((p) => p.PolicyName)), new Set(["AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole"]));
    const inline = await c.iam.send(new ListRolePoliciesCommand({ RoleName: outputs.RoleName }));
    assert.deepEqual(inline.PolicyNames, ["DbClientRolePolicy0"]);
    const doc = await c.iam.send(new GetRolePolicyCommand({ RoleName: outputs.RoleName, PolicyName: "DbClientRolePolicy0" }));
    assert.match(decodeURIComponent(doc.PolicyDocument!), /ec2:DetachNetworkInterface/);
    const tags = (await c.lambda.send(new GetFunctionCommand({ FunctionName: outputs.FunctionName }))).Tags!;
    assert.equal(tags["lambda:createdBy"], "SAM");

    const processed = await aws(app.url, ["cloudformation", "get-template", "--stack-name", "sam-app", "--template-stage", "Processed"]);
    assert.equal(processed.json.TemplateBody.Resources.DbClient.Type, "AWS::Lambda::Function");
    assert.deepEqual(processed.json.TemplateBody.Resources.DbClient.Properties.Code, { S3Bucket: "sam-artifacts", S3Key: uri![1].split("/").pop() });
  });

  it("an invocation reaches the local server placed in the VPC at 10.0.1.25:5432", async () => {
    const port = (db.address() as { port: number }).port;
    // Only a mapping on the loopback server (fail closed: the address exists in the model alone); the
    // function's connection runs inside the suite's loopback-only namespace and reaches 127.0.0.1.
    const ep = await fetch(`${app.url}/_hyperlocal/endpoints`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ip: "10.0.1.25", port: 5432, target: `127.0.0.1:${port}` }) });
    assert.equal(ep.status, 201, await ep.text());
    assert.deepEqual(await invoke(), { version: "v1", reply: "pong to ping" });
    assert.deepEqual(await invoke("live"), { version: "v1", reply: "pong to ping" }, "AutoPublishAlias published version 1 as live");
  });

  it("new code through package + deploy: the function is updated in place and answers with it", async () => {
    writeFileSync(join(dir, "src", "index.js"), code("v2"));
    const before = outputs.FunctionName;
    const stack = await packageAndDeploy();
    assert.equal(stack.StackStatus, "UPDATE_COMPLETE");
    assert.equal(outputs.FunctionName, before);
    assert.deepEqual(await invoke(), { version: "v2", reply: "pong to ping" });
    // The new code's hash named a new version resource: version 2 published, live moved to it,
    // version 1 retained (SAM's DeletionPolicy: Retain).
    assert.deepEqual(await invoke("live"), { version: "v2", reply: "pong to ping" });
    assert.deepEqual(await invoke("1"), { version: "v1", reply: "pong to ping" });
    const alias = await aws(app.url, ["lambda", "get-alias", "--function-name", outputs.FunctionName, "--name", "live"]);
    assert.equal(alias.json.FunctionVersion, "2");
  });

  it("delete-stack + wait: the function, its role and the VPC are gone", async () => {
    const del = await aws(app.url, ["cloudformation", "delete-stack", "--stack-name", "sam-app"]);
    assert.equal(del.code, 0, del.stderr);
    const waiter = aws(app.url, ["cloudformation", "wait", "stack-delete-complete", "--stack-name", "sam-app"]);
    // Lambda releases the function's Hyperplane ENI after a delay: move the clock past it.
    await advanceClock(app.url, 25 * 60);
    const w = await waiter;
    assert.equal(w.code, 0, w.stderr);
    const fns = await aws(app.url, ["lambda", "list-functions"]);
    assert.deepEqual(fns.json.Functions, []);
    const role = await aws(app.url, ["iam", "get-role", "--role-name", outputs.RoleName]);
    assert.notEqual(role.code, 0);
    assert.match(role.stderr, /NoSuchEntity/);
    const vpcs = await aws(app.url, ["ec2", "describe-vpcs"]);
    assert.deepEqual(vpcs.json.Vpcs, []);
  });
});
