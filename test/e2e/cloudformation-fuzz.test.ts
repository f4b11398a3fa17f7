// Random and malformed CloudFormation calls, signed: every operation with junk and half-right
// parameters, mutated templates (JSON and YAML, intrinsic functions with wrong arguments). Every
// answer is a 2xx or a 4xx <ErrorResponse>, never a 5xx, and the server keeps serving. Stacks
// that a call happened to create run in the background and must end in a settled status.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Hash } from "@smithy/hash-node";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";
import type { App } from "../../src/app.ts";
import { startTestServer } from "../support/server.ts";

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
let state = SEED || 1;
const rand = (n: number) => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return Math.abs(state) % n;
};
const pick = <T>(xs: T[]): T => xs[rand(xs.length)];
const junk = (max: number) => {
  let s = "";
  for (let i = rand(max); i > 0; i--) s += pick(["a", "Z", "0", "-", "<", "&", "'", "\"", "{", "}", "[", "]", ":", "!", "$", "\u00e9", "\u4e2d", " ", "\n", "."]);
  return s;
};

const ACTIONS = ["CreateStack", "UpdateStack", "DeleteStack", "DescribeStacks", "DescribeStackEvents", "DescribeStackResource", "DescribeStackResources", "ListStackResources", "ListStacks", "GetTemplate", "GetTemplateSummary", "ValidateTemplate", "CreateChangeSet", "DescribeChangeSet", "ExecuteChangeSet", "DeleteChangeSet", "ListChangeSets", "ListExports", "ListImports", "CancelUpdateStack", "ContinueUpdateRollback", "UpdateTerminationProtection"];

const PIECES = [
  "Resources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties: { CidrBlock: 10.0.0.0/16 }\n",
  "Resources:\n  Sg:\n    Type: AWS::EC2::SecurityGroup\n    Properties: { GroupDescription: !Sub [1, 2], VpcId: !GetAtt [A] }\n",
  "Parameters:\n  P: { Type: List<Number>, Default: 'a,b', MinValue: x }\n",
  "Conditions:\n  C: !And [!Equals [1], !Condition C]\n",
  "Outputs:\n  O: { Value: !Select [!Ref P, !Split [',', !Join [1]]], Export: { Name: __proto__ } }\n",
  "Mappings:\n  __proto__: { a: { b: c } }\n",
  "Resources:\n  constructor:\n    Type: Custom::X\n    Properties: { ServiceToken: !Cidr [x, 999, 99] }\n",
  "Transform: [AWS::Serverless-2016-10-31]\n",
  '{"Resources": {"toString": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Fn::Base64": {"Fn::GetAZs": {"Ref": "AWS::NoValue"}}}}}}}',
  "Resources:\n  A:\n    Type: AWS::EC2::Subnet\n    DependsOn: [A]\n    Properties: { VpcId: !ImportValue hasOwnProperty, CidrBlock: !FindInMap [__proto__, a, b] }\n",
];

function template(): string {
  const kind = rand(4);
  if (kind === 0) return junk(300);
  if (kind === 1) return pick(PIECES) + pick(PIECES);
  const t = pick(PIECES);
  const at = rand(t.length);
  return t.slice(0, at) + junk(10) + t.slice(at + rand(5));
}

function params(): URLSearchParams {
  const p = new URLSearchParams({ Action: pick(ACTIONS), Version: pick(["2010-05-15", "2010-05-15", junk(10)]) });
  const keys = ["StackName", "ChangeSetName", "TemplateBody", "Parameters.member.1.ParameterKey", "Parameters.member.1.ParameterValue", "Parameters.member.1.UsePreviousValue", "Capabilities.member.1", "Tags.member.1.Key", "Tags.member.1.Value", "OnFailure", "RoleARN", "ChangeSetType", "TemplateStage", "LogicalResourceId", "PhysicalResourceId", "NextToken", "ExportName", "EnableTerminationProtection", "UsePreviousTemplate", "DisableRollback", "ResourcesToSkip.member.1", "StackStatusFilter.member.1"];
  for (let i = rand(8); i > 0; i--) {
    const k = pick(keys);
    const v = k === "TemplateBody" ? template() : k === "StackName" ? pick(["s1", "s2", "__proto__", "constructor", junk(20), "arn:aws:cloudformation:us-east-1:000000000000:stack/s1/x"]) : pick([junk(30), "true", "CREATE", "CAPABILITY_IAM", "s1", "-1", "99999999999"]);
    p.set(k, v);
  }
  return p;
}

describe(`fuzzing CloudFormation (seed ${SEED})`, () => {
  let app: App;
  const signer = new SignatureV4({ credentials: { accessKeyId: "test", secretAccessKey: "test" }, region: "us-east-1", service: "cloudformation", sha256: Hash.bind(null, "sha256") });
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
  });
  after(() => app?.close());

  it("2,000 calls: no 5xx, every error an <ErrorResponse>, the server alive, every stack settled", async () => {
    const url = new URL(app.url);
    for (let i = 0; i < 2000; i++) {
      const body = params().toString();
      const req = new HttpRequest({ method: "POST", protocol: "http:", hostname: url.hostname, port: Number(url.port), path: "/", headers: { host: url.host, "content-type": "application/x-www-form-urlencoded; charset=utf-8" }, body });
      const signed = await signer.sign(req);
      const r = await fetch(app.url + "/", { method: "POST", headers: signed.headers as Record<string, string>, body });
      const text = await r.text();
      const what = `#${i} (seed ${SEED}) ${body.slice(0, 300)}`;
      assert.ok(r.status < 500, `${what} → ${r.status} ${text.slice(0, 300)}`);
      if (r.status >= 300) assert.match(text, /^<ErrorResponse xmlns="http:\/\/cloudformation\.amazonaws\.com\/doc\/2010-05-15\/"><Error><Type>Sender<\/Type><Code>[^<]+<\/Code><Message>[^]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/, `${what}: ${text.slice(0, 300)}`);
    }
    await app.cloudformationIdle();
    const r = await fetch(`${app.url}/_hyperlocal/health`);
    assert.equal(r.status, 200);
  });
});
