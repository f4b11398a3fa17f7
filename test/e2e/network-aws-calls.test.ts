// Issue 14, parts 2-3, in shim mode: function code's AWS SDK calls (the SDK for JavaScript v3,
// boto3, and a provided.al2023 bootstrap running node) go to the services' regional names and the
// VPC decides, as for any destination. Rows, in order on one topology:
// - a private subnet whose route table has only the local route: GetCallerIdentity fails as the
//   model says (no route), the reachability answer says to add a NAT gateway or an interface
//   endpoint for com.amazonaws.us-east-1.sts, and Reachability Analyzer (AWS CLI) finds no path;
//   S3 with the SDKs' defaults (ListObjectsV2, GetObject, ListBuckets) fails alike, and VPC
//   functions have no AWS_ENDPOINT_URL to go around the VPC with;
// - + interface endpoints for sts and ec2 with private DNS and a group allowing 443: the calls work
//   without NAT, with aws:SourceVpce (honoured in a role policy), aws:SourceVpc, aws:VpcSourceIp;
//   the group without 443: dropped; the endpoint policy denying GetCallerIdentity, or not allowing
//   it: AccessDenied in AWS's VPC endpoint wording, and the decision log names that layer;
// - S3 through a gateway endpoint route, with the SDKs' defaults (JavaScript v3 virtual-hosted,
//   botocore path style): works without NAT (aws:SourceVpce, aws:SourceVpc, aws:VpcSourceIp; in
//   kernel mode through the gateway endpoint's namespace); the route removed: fails;
// - + a NAT gateway path: the calls work; ec2:DescribeVpcs is allowed by a role policy whose
//   condition is aws:SourceIp = the NAT gateway's Elastic IP, and the decision log shows that key;
// - functions without a VPC: the calls (S3 too) work, with no VPC keys (and the same role policy
//   denies their DescribeVpcs, since their source is not the Elastic IP); they keep AWS_ENDPOINT_URL.
// Network safety: the services' addresses (in 192.0.2.0/24) exist only in the model; every connection
// function code makes is delivered by hyperlocal to its own loopback listener.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateRoleCommand, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, type CreateFunctionCommandInput } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { awsServiceAddress } from "../../src/core/aws-service-addresses.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { kernelSupport } from "../../src/network/kernel/index.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, bootstrapZip, LAMBDA_TRUST, nodeBootstrap, nodeZip, pythonZip } from "../support/zip-functions.ts";

const NODE_MODULES = join(import.meta.dirname, "..", "..", "node_modules");
const DROP_MS = 300;

/** GetCallerIdentity and DescribeVpcs with the SDK's defaults (endpoints from the environment), one attempt each, short timeouts. */
const NODE_CALLER = `
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
const { EC2Client, DescribeVpcsCommand } = require("@aws-sdk/client-ec2");
const { S3Client, ListObjectsV2Command, GetObjectCommand, ListBucketsCommand } = require("@aws-sdk/client-s3");
const opts = { maxAttempts: 1, requestHandler: { connectionTimeout: 4000, requestTimeout: 4000 } };
async function attempt(fn) {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    return { ok: false, error: e.code ?? e.name, message: String(e.message) };
  }
}
async function handler(ev = {}) {
  if (ev.loopbackPort) {
    // Straight to a loopback port, as code that skips the shim could.
    const ec2 = new EC2Client({ ...opts, endpoint: "http://127.0.0.1:" + ev.loopbackPort });
    return { vpcs: await attempt(async () => (await ec2.send(new DescribeVpcsCommand({}))).Vpcs.length) };
  }
  if (ev.bucket) {
    // S3 with the SDK's defaults (AWS_ENDPOINT_URL_S3), recording the hosts it addressed.
    const s3 = new S3Client(opts);
    const hosts = [];
    s3.middlewareStack.add((next) => async (args) => (hosts.push(args.request.hostname), next(args)), { step: "finalizeRequest" });
    const list = await attempt(async () => (await s3.send(new ListObjectsV2Command({ Bucket: ev.bucket }))).KeyCount);
    const get = await attempt(async () => (await (await s3.send(new GetObjectCommand({ Bucket: ev.bucket, Key: "hello.txt" }))).Body.transformToString()));
    const buckets = await attempt(async () => (await s3.send(new ListBucketsCommand({}))).Buckets.length);
    return { s3: list, s3get: get, s3buckets: buckets, s3hosts: hosts, base: process.env.AWS_ENDPOINT_URL ?? null };
  }
  const identity = await attempt(async () => (await new STSClient(opts).send(new GetCallerIdentityCommand({}))).Arn);
  const vpcs = await attempt(async () => (await new EC2Client(opts).send(new DescribeVpcsCommand({}))).Vpcs.length);
  return { identity, vpcs, endpoint: process.env.AWS_ENDPOINT_URL_STS ?? null, base: process.env.AWS_ENDPOINT_URL ?? null };
}
exports.handler = handler;
`;

const PY_CALLER = `
import os
from urllib.parse import urlparse
import boto3
from botocore.config import Config

CFG = Config(connect_timeout=4, read_timeout=4, retries={"max_attempts": 0})


def attempt(fn):
    try:
        return {"ok": True, "value": fn()}
    except Exception as e:
        code = getattr(e, "response", {}).get("Error", {}).get("Code") if hasattr(e, "response") else None
        return {"ok": False, "error": code or type(e).__name__, "message": str(e)}


def handler(event, context):
    if event.get("bucket"):
        # S3 with boto3's defaults (the shim's AWS_ENDPOINT_URL_S3), recording the hosts it addressed.
        s3 = boto3.client("s3", config=CFG)
        hosts = []
        s3.meta.events.register("before-send.s3", lambda request, **kw: hosts.append(urlparse(request.url).hostname))
        return {
            "s3": attempt(lambda: s3.list_objects_v2(Bucket=event["bucket"])["KeyCount"]),
            "s3get": attempt(lambda: s3.get_object(Bucket=event["bucket"], Key="hello.txt")["Body"].read().decode()),
            "s3buckets": attempt(lambda: len(s3.list_buckets()["Buckets"])),
            "s3hosts": hosts,
            "base": os.environ.get("AWS_ENDPOINT_URL"),
        }
    sts = boto3.client("sts", config=CFG)
    ec2 = boto3.client("ec2", config=CFG)
    return {
        "identity": attempt(lambda: sts.get_caller_identity()["Arn"]),
        "vpcs": attempt(lambda: len(ec2.describe_vpcs()["Vpcs"])),
        "endpoint": sts.meta.endpoint_url,
        "base": os.environ.get("AWS_ENDPOINT_URL"),
    }
`;

/** A provided.al2023 bootstrap that is a Node.js program: it gets the shim through NODE_OPTIONS like the node runtimes. */
const NODE_PROVIDED = nodeBootstrap(NODE_CALLER.replace("exports.handler = handler;", ""), "await handler()");

type Attempt = { ok: true; value: string | number } | { ok: false; error: string; message: string };
interface CallerOut {
  identity: Attempt;
  vpcs: Attempt;
  endpoint: string | null;
  /** AWS_ENDPOINT_URL as the function sees it. */
  base: string | null;
  s3?: Attempt;
  s3get?: Attempt;
  s3buckets?: Attempt;
  s3hosts?: string[];
}

const BUCKET = "aws-calls-bucket";

/**
 * ListObjectsV2, GetObject and ListBuckets worked, each addressed as the SDK does with a custom
 * endpoint: the SDK for JavaScript v3 virtual-hosted (the bucket in the name), botocore path style
 * (every call to s3.us-east-1.amazonaws.com); ListBuckets has no bucket, so the regional name.
 */
function assertS3Works(fn: string, out: CallerOut): void {
  assert.deepEqual(out.s3, { ok: true, value: 1 }, `${fn}: ${JSON.stringify(out)}`);
  assert.deepEqual(out.s3get, { ok: true, value: "hi" }, fn);
  assert.deepEqual(out.s3buckets, { ok: true, value: 1 }, fn);
  const bucketHost = fn.startsWith("py") ? "s3.us-east-1.amazonaws.com" : `${BUCKET}.s3.us-east-1.amazonaws.com`;
  assert.deepEqual(out.s3hosts, [bucketHost, bucketHost, "s3.us-east-1.amazonaws.com"], fn);
}

const VPC_FUNCTIONS = ["node-vpc", "py-vpc", "provided-vpc"];
const HTTPS_FROM = (groupId: string): E.IpPermission => ({ IpProtocol: "tcp", FromPort: 443, ToPort: 443, UserIdGroupPairs: [{ GroupId: groupId }] });
const PUBLIC_FUNCTIONS = ["node-novpc", "py-novpc"];

function suite(mode: "shim" | "kernel", skip: string | false): void {
describe(`function code's AWS calls follow the VPC (${mode} mode)`, { skip }, () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  const net: Record<string, string> = {};

  const admin = async (path: string) => (await fetch(`${app.url}/_hyperlocal/${path}`)).json() as Promise<any>;
  const invoke = async (fn: string, event: Record<string, unknown> = {}): Promise<CallerOut> => {
    const r = await c.lambda.send(new InvokeCommand({ FunctionName: fn, Payload: Buffer.from(JSON.stringify(event)) }));
    const text = Buffer.from(r.Payload ?? []).toString("utf8");
    assert.equal(r.FunctionError, undefined, `${fn}: ${text}`);
    return JSON.parse(text) as CallerOut;
  };

  before(async () => {
    app = await startTestServer({ dropAfterMs: DROP_MS, network: mode });
    c = clients(app.url);
    const ec2 = c.ec2;
    net.vpc = (await ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    net.public = (await ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.0.0/24" }))).Subnet!.SubnetId!;
    net.private = (await ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.3.0/24" }))).Subnet!.SubnetId!;
    net.igw = (await ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: net.igw, VpcId: net.vpc }));
    for (const [name, subnet] of [["publicRt", net.public], ["privateRt", net.private]] as const) {
      net[name] = (await ec2.send(new E.CreateRouteTableCommand({ VpcId: net.vpc }))).RouteTable!.RouteTableId!;
      await ec2.send(new E.AssociateRouteTableCommand({ RouteTableId: net[name], SubnetId: subnet }));
    }
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: net.publicRt, DestinationCidrBlock: "0.0.0.0/0", GatewayId: net.igw }));
    net.fnSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpc, GroupName: "fn", Description: "fn" }))).GroupId!;
    const eip = await ec2.send(new E.AllocateAddressCommand({ Domain: "vpc" }));
    net.eipAlloc = eip.AllocationId!;
    net.eip = eip.PublicIp!;

    // The role: VPC access, and DescribeVpcs only from the NAT gateway's Elastic IP.
    await c.iam.send(new CreateRoleCommand({ RoleName: "aws-calls", AssumeRolePolicyDocument: LAMBDA_TRUST }));
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: "aws-calls", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
    const fromEip = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": `${net.eip}/32` } } }] };
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "aws-calls", PolicyName: "vpcs-from-the-nat", PolicyDocument: JSON.stringify(fromEip) }));
    const role = `arn:aws:iam::000000000000:role/aws-calls`;
    // The bucket function code reads with the SDKs' defaults: list it, read its one object, list the buckets.
    const s3 = new S3Client({ endpoint: app.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, forcePathStyle: true, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: "hello.txt", Body: "hi" }));
    const readBucket = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: "s3:ListBucket", Resource: `arn:aws:s3:::${BUCKET}` },
        { Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${BUCKET}/*` },
        { Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" },
      ],
    };
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "aws-calls", PolicyName: "read-the-bucket", PolicyDocument: JSON.stringify(readBucket) }));

    const vpcCfg = { VpcConfig: { SubnetIds: [net.private], SecurityGroupIds: [net.fnSg] } };
    const nodeEnv = { Environment: { Variables: { NODE_PATH: NODE_MODULES } } };
    const node = { Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_CALLER) }, ...nodeEnv } as const;
    const py = { Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_CALLER) } } as const;
    const provided = { Runtime: "provided.al2023", Handler: "unused", Code: { ZipFile: bootstrapZip(NODE_PROVIDED) }, ...nodeEnv } as const;
    const fns: Record<string, Partial<CreateFunctionCommandInput>> = {
      "node-vpc": { ...node, ...vpcCfg },
      "py-vpc": { ...py, ...vpcCfg },
      "provided-vpc": { ...provided, ...vpcCfg },
      "node-novpc": node,
      "py-novpc": py,
    };
    await Promise.all(Object.entries(fns).map(([name, cfg]) => c.lambda.send(new CreateFunctionCommand({ FunctionName: name, Role: role, Timeout: 20, ...cfg } as CreateFunctionCommandInput))));
    await advanceClock(app.url, 3);
    for (const name of Object.keys(fns)) assert.equal((await c.lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }))).State, "Active", name);
  });

  after(async () => {
    await app?.close();
  });

  it("local route only: the calls fail as the model says, and reachability says to add a NAT gateway or an interface endpoint", async (t) => {
    const model = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("sts.us-east-1.amazonaws.com:443")}`);
    t.diagnostic(`model: ${model.verdict}/${model.action}: ${model.answer}`);
    assert.notEqual(model.verdict, "allow");
    assert.equal(model.to.ip, awsServiceAddress("us-east-1", "sts"));
    assert.match(model.actionReason, /add a NAT gateway or an interface endpoint for com\.amazonaws\.us-east-1\.sts/);
    assert.match(model.answer, /interface endpoint for com\.amazonaws\.us-east-1\.sts/);
    // EC2 Reachability Analyzer through the AWS CLI agrees: no path from the function's ENI to STS's address.
    if (hasAwsCli()) {
      const cli = async (args: string[]) => {
        const r = await aws(app.url, ["ec2", ...args]);
        assert.equal(r.code, 0, r.stderr);
        return r.json;
      };
      const lambdaEni = model.path[0].id;
      const path = (await cli(["create-network-insights-path", "--source", lambdaEni, "--destination", net.igw, "--destination-ip", model.to.ip, "--protocol", "tcp", "--destination-port", "443"])).NetworkInsightsPath;
      const id = (await cli(["start-network-insights-analysis", "--network-insights-path-id", path.NetworkInsightsPathId])).NetworkInsightsAnalysis.NetworkInsightsAnalysisId;
      await advanceClock(app.url, 2);
      const analysis = (await cli(["describe-network-insights-analyses", "--network-insights-analysis-ids", id])).NetworkInsightsAnalyses[0];
      t.diagnostic(`Reachability Analyzer: ${JSON.stringify(analysis.Explanations)}`);
      assert.equal(analysis.Status, "succeeded");
      assert.equal(analysis.NetworkPathFound, false);
      assert.equal(analysis.Explanations[0].ExplanationCode, model.reasons[0].code);
    }
    const code = model.action === "drop" ? "ETIMEDOUT" : "ENETUNREACH";
    for (const fn of VPC_FUNCTIONS) {
      const out = await invoke(fn);
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.equal(out.identity.ok, false, `${fn}: ${JSON.stringify(out)}`);
      assert.equal(out.vpcs.ok, false, `${fn}: ${JSON.stringify(out)}`);
      if (fn.startsWith("py")) {
        // botocore wraps the socket error: EndpointConnectionError (or ConnectTimeoutError) naming the regional URL.
        assert.match(out.identity.error, /EndpointConnectionError|ConnectTimeoutError/, fn);
        assert.match(out.identity.message, /sts\.us-east-1\.amazonaws\.com:443/, fn);
      } else {
        assert.equal(out.identity.error, code, `${fn}: ${JSON.stringify(out)}`);
      }
      assert.equal(out.endpoint?.replace(/\/$/, ""), "http://sts.us-east-1.amazonaws.com:443", fn);
      assert.equal(out.base, null, `${fn}: a VPC function has no AWS_ENDPOINT_URL (nothing goes around the VPC)`);
      if (fn === "provided-vpc") continue; // its bootstrap makes only the calls above
      // S3 with the SDK's defaults: by its names, so the VPC decides too.
      const s3 = await invoke(fn, { bucket: BUCKET });
      t.diagnostic(`${fn} S3: ${JSON.stringify(s3)}`);
      for (const k of ["s3", "s3get", "s3buckets"] as const) assert.equal(s3[k]!.ok, false, `${fn} ${k}: ${JSON.stringify(s3)}`);
      if (fn.startsWith("py")) assert.match((s3.s3 as { message: string }).message, /s3\.us-east-1\.amazonaws\.com:443/, fn);
      else assert.equal((s3.s3 as { error: string }).error, code, `${fn}: ${JSON.stringify(s3)}`);
    }
  });

  it("+ interface endpoints for sts and ec2 with private DNS, their group allowing 443 from the function: the calls work without NAT, with the VPC endpoint keys", async (t) => {
    const ec2 = c.ec2;
    await ec2.send(new E.ModifyVpcAttributeCommand({ VpcId: net.vpc, EnableDnsHostnames: { Value: true } }));
    net.epSg = (await ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpc, GroupName: "endpoints", Description: "endpoints" }))).GroupId!;
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.epSg, IpPermissions: [HTTPS_FROM(net.fnSg)] }));
    for (const service of ["sts", "ec2"]) {
      const e = await ec2.send(
        new E.CreateVpcEndpointCommand({ VpcEndpointType: "Interface", VpcId: net.vpc, ServiceName: `com.amazonaws.us-east-1.${service}`, SubnetIds: [net.private], SecurityGroupIds: [net.epSg], PrivateDnsEnabled: true }),
      );
      net[`${service}Vpce`] = e.VpcEndpoint!.VpcEndpointId!;
    }
    for (let i = 0; ; i++) {
      const states = (await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [net.stsVpce, net.ec2Vpce] }))).VpcEndpoints!.map((e) => e.State);
      if (states.every((x) => String(x) === "available")) break;
      assert.ok(i < 30, `endpoints still ${states}`);
      await advanceClock(app.url, 1);
    }
    // DescribeVpcs through the ec2 endpoint only (aws:SourceVpce in a role policy).
    const viaVpce = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*", Condition: { StringEquals: { "aws:SourceVpce": net.ec2Vpce } } }] };
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "aws-calls", PolicyName: "vpcs-through-the-endpoint", PolicyDocument: JSON.stringify(viaVpce) }));
    const stsEni = (await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [net.stsVpce] }))).VpcEndpoints![0].NetworkInterfaceIds![0];
    const stsIp = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [stsEni] }))).NetworkInterfaces![0].PrivateIpAddress!;
    const lambdaIp = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces![0].PrivateIpAddress!;

    const model = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("sts.us-east-1.amazonaws.com:443")}`);
    t.diagnostic(model.answer);
    assert.equal(model.verdict, "allow", model.answer);
    assert.equal(model.to.ip, stsIp, "private DNS answers the endpoint's address");
    assert.ok(model.path.some((h: { id: string }) => h.id === stsEni), JSON.stringify(model.path));
    assert.equal(model.path.at(-1).id, net.stsVpce);
    assert.deepEqual([model.aws.via, model.aws.sourceVpce, model.aws.sourceVpc, model.aws.vpcSourceIp], ["interface-endpoint", net.stsVpce, net.vpc, lambdaIp]);
    for (const fn of VPC_FUNCTIONS) {
      const out = await invoke(fn);
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.deepEqual(out.identity, { ok: true, value: `arn:aws:sts::000000000000:assumed-role/aws-calls/${fn}` }, fn);
      assert.equal(out.vpcs.ok, true, `${fn}: DescribeVpcs is allowed through ${net.ec2Vpce}: ${JSON.stringify(out)}`);
      const d = (await admin("iam/decisions?limit=20")).decisions.find((e: any) => e.action === "ec2:DescribeVpcs" && e.principal.endsWith(`/${fn}`));
      assert.equal(d.result, "Allowed");
      assert.deepEqual([d.context["aws:SourceVpce"], d.context["aws:SourceVpc"], d.context["aws:VpcSourceIp"], d.context["aws:SourceIp"]], [net.ec2Vpce, net.vpc, lambdaIp, undefined], fn);
    }
  });

  it("the endpoint's group without 443: dropped; the endpoint's policy denying GetCallerIdentity: AccessDenied in AWS's VPC endpoint wording", async (t) => {
    const ec2 = c.ec2;
    await ec2.send(new E.RevokeSecurityGroupIngressCommand({ GroupId: net.epSg, IpPermissions: [HTTPS_FROM(net.fnSg)] }));
    const model = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("sts.us-east-1.amazonaws.com:443")}`);
    t.diagnostic(model.answer);
    assert.equal(model.verdict, "drop");
    assert.equal(model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
    for (const fn of VPC_FUNCTIONS) {
      const out = await invoke(fn);
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.equal(out.identity.ok, false, fn);
      if (fn.startsWith("py")) assert.match(out.identity.error, /ConnectTimeoutError|EndpointConnectionError/, fn);
      // Shim: ETIMEDOUT after --drop-after-ms; kernel: the SYN is really lost, so the SDK's own connection timeout (TimeoutError).
      else assert.equal(out.identity.error, mode === "shim" ? "ETIMEDOUT" : "TimeoutError", fn);
    }
    await ec2.send(new E.AuthorizeSecurityGroupIngressCommand({ GroupId: net.epSg, IpPermissions: [HTTPS_FROM(net.fnSg)] }));

    const policies = {
      deny: { Statement: [{ Effect: "Allow", Principal: "*", Action: "*", Resource: "*" }, { Effect: "Deny", Principal: "*", Action: "sts:GetCallerIdentity", Resource: "*" }] },
      "not-allowed": { Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Resource: "*" }] },
    };
    for (const [kind, doc] of Object.entries(policies)) {
      await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: net.stsVpce, PolicyDocument: JSON.stringify(doc) }));
      for (const fn of VPC_FUNCTIONS) {
        const out = await invoke(fn);
        t.diagnostic(`${fn} (${kind}): ${JSON.stringify(out)}`);
        assert.equal(out.identity.ok, false, fn);
        assert.equal(out.identity.error, "AccessDenied", fn);
        const why = kind === "deny" ? "with an explicit deny in a VPC endpoint policy" : "because no VPC endpoint policy allows the sts:GetCallerIdentity action";
        assert.ok(
          out.identity.message.includes(`User: arn:aws:sts::000000000000:assumed-role/aws-calls/${fn} is not authorized to perform: sts:GetCallerIdentity on resource: * ${why}`),
          `${fn}: ${out.identity.message}`,
        );
        assert.equal(out.vpcs.ok, true, `${fn}: the ec2 endpoint's policy is its own`);
      }
      const d = (await admin("iam/decisions?limit=20")).decisions.find((e: any) => e.action === "sts:GetCallerIdentity");
      assert.equal(d.deniedBy, "VPC endpoint policy", "the decision log names the layer that decided");
      assert.equal(d.result, kind === "deny" ? "ExplicitDeny" : "ImplicitDeny");
    }
    // The endpoints go; the rows below are about the other paths.
    await ec2.send(new E.DeleteVpcEndpointsCommand({ VpcEndpointIds: [net.stsVpce, net.ec2Vpce] }));
    await advanceClock(app.url, 30);
  });

  it("S3 through a gateway endpoint route: works without NAT, with aws:SourceVpce; the route removed: the call fails", async (t) => {
    const ec2 = c.ec2;
    const gw = (await ec2.send(new E.CreateVpcEndpointCommand({ VpcEndpointType: "Gateway", VpcId: net.vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIds: [net.privateRt] }))).VpcEndpoint!.VpcEndpointId!;
    for (let i = 0; String((await ec2.send(new E.DescribeVpcEndpointsCommand({ VpcEndpointIds: [gw] }))).VpcEndpoints![0].State) !== "available"; i++) {
      assert.ok(i < 30, "gateway endpoint still pending");
      await advanceClock(app.url, 1);
    }
    const model = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("s3.us-east-1.amazonaws.com:443")}`);
    t.diagnostic(model.answer);
    assert.equal(model.verdict, "allow", model.answer);
    const lambdaIp = (await ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces![0].PrivateIpAddress!;
    assert.deepEqual([model.aws.via, model.aws.sourceVpce, model.aws.sourceVpc, model.aws.vpcSourceIp], ["gateway-endpoint", gw, net.vpc, lambdaIp]);
    for (const fn of ["node-vpc", "py-vpc"]) {
      const out = await invoke(fn, { bucket: BUCKET });
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assertS3Works(fn, out);
      const d = (await admin("iam/decisions?limit=20")).decisions.find((e: any) => e.action === "s3:ListBucket" && e.principal.endsWith(`/${fn}`));
      // Shim and kernel mode give the same keys: the caller's private address, no public one.
      assert.deepEqual([d.context["aws:SourceVpce"], d.context["aws:SourceVpc"], d.context["aws:VpcSourceIp"], d.context["aws:SourceIp"]], [gw, net.vpc, lambdaIp, undefined], fn);
    }
    await ec2.send(new E.ModifyVpcEndpointCommand({ VpcEndpointId: gw, RemoveRouteTableIds: [net.privateRt] }));
    const after = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("s3.us-east-1.amazonaws.com:443")}`);
    t.diagnostic(after.answer);
    assert.notEqual(after.verdict, "allow");
    for (const fn of ["node-vpc", "py-vpc"]) {
      const out = await invoke(fn, { bucket: BUCKET });
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.equal(out.s3!.ok, false, fn);
      assert.equal(out.s3get!.ok, false, fn);
      if (fn === "node-vpc") assert.equal((out.s3 as { error: string }).error, after.action === "drop" ? "ETIMEDOUT" : "ENETUNREACH");
    }
  });

  it("+ a NAT gateway path: the calls work, and aws:SourceIp is the NAT gateway's Elastic IP", async (t) => {
    const ec2 = c.ec2;
    net.nat = (await ec2.send(new E.CreateNatGatewayCommand({ SubnetId: net.public, AllocationId: net.eipAlloc }))).NatGateway!.NatGatewayId!;
    for (let i = 0; ; i++) {
      const state = (await ec2.send(new E.DescribeNatGatewaysCommand({ NatGatewayIds: [net.nat] }))).NatGateways![0].State;
      if (state === "available") break;
      assert.ok(i < 20, `NAT gateway still ${state}`);
      await advanceClock(app.url, 1);
    }
    await ec2.send(new E.CreateRouteCommand({ RouteTableId: net.privateRt, DestinationCidrBlock: "0.0.0.0/0", NatGatewayId: net.nat }));
    const model = await admin(`reachability?function=node-vpc&to=${encodeURIComponent("sts.us-east-1.amazonaws.com:443")}`);
    assert.equal(model.verdict, "allow", model.answer);
    assert.equal(model.aws.via, "nat-gateway");
    assert.equal(model.aws.sourceIp, net.eip);
    assert.ok(model.path.some((h: { id: string }) => h.id === net.nat), JSON.stringify(model.path));
    for (const fn of VPC_FUNCTIONS) {
      const out = await invoke(fn);
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.deepEqual(out.identity, { ok: true, value: `arn:aws:sts::000000000000:assumed-role/aws-calls/${fn}` }, fn);
      assert.equal(out.vpcs.ok, true, `${fn}: DescribeVpcs is allowed from ${net.eip}: ${JSON.stringify(out)}`);
      const d = (await admin("iam/decisions?limit=20")).decisions.find((e: any) => e.action === "ec2:DescribeVpcs" && e.principal.endsWith(`/${fn}`));
      assert.ok(d, `${fn}: a decision for its DescribeVpcs`);
      assert.equal(d.result, "Allowed");
      assert.equal(d.context["aws:SourceIp"], net.eip);
      for (const k of ["aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"]) assert.equal(d.context[k], undefined, `${fn}: ${k}`);
    }
  });

  it("another function's path is not honoured: keys hold only for calls signed by the function they were decided for", { skip: mode === "kernel" && "kernel mode's relays are inside the namespaces" }, async (t) => {
    // The listener node-vpc's NAT path uses (shim mode: on loopback, where code skipping the shim could find it).
    const port = await app.network.awsFront.portFor("another-environment", {
      account: "000000000000",
      region: "us-east-1",
      functionName: "node-vpc",
      endpointService: "com.amazonaws.us-east-1.ec2",
      via: "nat-gateway",
      sourceIp: net.eip,
    });
    const out = await invoke("node-novpc", { loopbackPort: port });
    t.diagnostic(JSON.stringify(out));
    assert.equal(out.vpcs.ok, false, "DescribeVpcs is allowed only from the Elastic IP");
    const d = (await admin("iam/decisions?limit=10")).decisions.find((e: any) => e.action === "ec2:DescribeVpcs" && e.principal.endsWith("/node-novpc"));
    assert.equal(d.context["aws:SourceIp"], "127.0.0.1");
  });

  it("functions without a VPC: the calls work by the regional names, with no VPC keys", async (t) => {
    for (const fn of PUBLIC_FUNCTIONS) {
      const model = await admin(`reachability?function=${fn}&to=${encodeURIComponent("ec2.us-east-1.amazonaws.com:443")}`);
      assert.equal(model.verdict, "allow");
      assert.equal(model.aws.via, "direct");
      const out = await invoke(fn);
      t.diagnostic(`${fn}: ${JSON.stringify(out)}`);
      assert.deepEqual(out.identity, { ok: true, value: `arn:aws:sts::000000000000:assumed-role/aws-calls/${fn}` }, fn);
      // The role allows DescribeVpcs only from the Elastic IP: not this function's source.
      assert.equal(out.vpcs.ok, false, fn);
      assert.match((out.vpcs as { error: string }).error, /UnauthorizedOperation/, fn);
      const d = (await admin("iam/decisions?limit=20")).decisions.find((e: any) => e.action === "ec2:DescribeVpcs" && e.principal.endsWith(`/${fn}`));
      assert.ok(d, `${fn}: a decision for its DescribeVpcs`);
      assert.equal(d.result, "ImplicitDeny");
      assert.equal(d.context["aws:SourceIp"], "127.0.0.1");
      for (const k of ["aws:SourceVpc", "aws:SourceVpce", "aws:VpcSourceIp"]) assert.equal(d.context[k], undefined, `${fn}: ${k}`);
      assert.equal(out.base, app.functionUrl, `${fn}: a function outside any VPC keeps AWS_ENDPOINT_URL`);
      const s3 = await invoke(fn, { bucket: BUCKET });
      t.diagnostic(`${fn} S3: ${JSON.stringify(s3)}`);
      assertS3Works(fn, s3);
    }
  });
});
}

const support = kernelSupport();
suite("shim", !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON);
suite("kernel", !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !support.ok ? `no kernel network support: ${support.reason}` : false);
