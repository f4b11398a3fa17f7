// IAM and VPC functions: the seven example policies of the Lambda developer guide ("Using IAM
// condition keys for VPC settings", the statements of src/iam-policy/lambda-vpc.test.ts with real
// ids) attached to users, against real CreateFunction and UpdateFunctionConfiguration calls, whose
// lambda:VpcIds (derived), lambda:SubnetIds and lambda:SecurityGroupIds Lambda fills in; then the
// execution-role Deny keyed on lambda:SourceFunctionArn, which stops the function's own code but not
// Lambda creating the function's ENIs.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
  type UpdateFunctionConfigurationCommandInput,
  type VpcConfig,
} from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients, rejects, type Creds } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, NODE_AWS_CALLER, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const ACCOUNT = "000000000000";
const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const ACTIONS = ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"];
const zip = nodeZip(NODE_ECHO);

type Clients = ReturnType<typeof clients>;

interface Ids {
  vpcA: string;
  vpcB: string;
  subnetA1: string;
  subnetA2: string;
  subnetB: string;
  sgA1: string;
  sgA2: string;
  sgA3: string;
  sgB: string;
}

/**
 * The guide's seven statements (JSON as published; "vpc-1"/"subnet-1"/"sg-1" and the like become
 * the real ids here: vpc-1 → vpcA, vpc-2 → vpcB, subnet-1/2 → subnetA1/A2, sg-1/2 → sgA1/A2).
 */
function guide(ids: Ids) {
  return {
    EnforceVPCFunction: { Sid: "EnforceVPCFunction", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { Null: { "lambda:VpcIds": "true" } } },
    EnforceOutOfVPC: { Sid: "EnforceOutOfVPC", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { StringEquals: { "lambda:VpcIds": [ids.vpcA, "vpc-2"] } } },
    EnforceOutOfSubnet: { Sid: "EnforceOutOfSubnet", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "lambda:SubnetIds": [ids.subnetA1, "subnet-2"] } } },
    EnforceOutOfSecurityGroups: { Sid: "EnforceOutOfSecurityGroups", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "lambda:SecurityGroupIds": [ids.sgA2, "sg-2"] } } },
    EnforceStayInSpecificVpc: { Sid: "EnforceStayInSpecificVpc", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { StringEquals: { "lambda:VpcIds": [ids.vpcB, "vpc-2"] } } },
    EnforceStayInSpecificSubnets: { Sid: "EnforceStayInSpecificSubnets", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { "ForAllValues:StringEquals": { "lambda:SubnetIds": [ids.subnetA1, ids.subnetA2] } } },
    EnforceStayInSpecificSecurityGroup: { Sid: "EnforceStayInSpecificSecurityGroup", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { "ForAllValues:StringEquals": { "lambda:SecurityGroupIds": [ids.sgA1, ids.sgA2] } } },
  };
}

let app: App;
let c: Clients;
let ids: Ids;
let role: string;

async function userCreds(name: string, statements: unknown[]): Promise<Creds> {
  await c.iam.send(new CreateUserCommand({ UserName: name }));
  await c.iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! };
}

before(async () => {
  app = await startTestServer({ iam: "enforce" });
  c = clients(app.url);
  const vpc = async (cidr: string) => (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;
  const subnet = async (v: string, cidr: string) => (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: v, CidrBlock: cidr }))).Subnet!.SubnetId!;
  const sg = async (v: string, name: string) => (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: v, GroupName: name, Description: name }))).GroupId!;
  const vpcA = await vpc("10.0.0.0/16");
  const vpcB = await vpc("10.1.0.0/16");
  ids = {
    vpcA,
    vpcB,
    subnetA1: await subnet(vpcA, "10.0.1.0/24"),
    subnetA2: await subnet(vpcA, "10.0.2.0/24"),
    subnetB: await subnet(vpcB, "10.1.1.0/24"),
    sgA1: await sg(vpcA, "a1"),
    sgA2: await sg(vpcA, "a2"),
    sgA3: await sg(vpcA, "a3"),
    sgB: await sg(vpcB, "b"),
  };
  role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await c.iam.send(new AttachRolePolicyCommand({ RoleName: "exec", PolicyArn: VPC_ACCESS }));
});

after(async () => {
  await app.close();
});

type Vpc = VpcConfig | undefined;
type Row =
  | { label: string; create: Vpc; allowed: boolean }
  | { label: string; update: { from: Vpc; change: Partial<UpdateFunctionConfigurationCommandInput> }; allowed: boolean };

describe("the guide's seven example policies on real calls", () => {
  const vpc = (subnets: (keyof Ids)[], groups: (keyof Ids)[]): VpcConfig => ({ SubnetIds: subnets.map((k) => ids[k]), SecurityGroupIds: groups.map((k) => ids[k]) });
  const DETACH = { VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } };

  // [policy, deny-style (the user may do everything else), rows]
  const table = (): [keyof ReturnType<typeof guide>, boolean, Row[]][] => [
    [
      "EnforceVPCFunction",
      true,
      [
        { label: "create with a VPC", create: vpc(["subnetA1"], ["sgA1"]), allowed: true },
        { label: "create without a VPC", create: undefined, allowed: false },
        { label: "update a non-VPC function into a VPC", update: { from: undefined, change: { VpcConfig: vpc(["subnetA2"], ["sgA2"]) } }, allowed: true },
        { label: "update detaching from the VPC", update: { from: vpc(["subnetA1"], ["sgA1"]), change: DETACH }, allowed: false },
        { label: "update a VPC function without VpcConfig (its current values count)", update: { from: vpc(["subnetA1"], ["sgA1"]), change: { Timeout: 9 } }, allowed: true },
        { label: "update a non-VPC function without VpcConfig", update: { from: undefined, change: { Timeout: 9 } }, allowed: false },
      ],
    ],
    [
      "EnforceOutOfVPC",
      true,
      [
        { label: "create in the denied VPC", create: vpc(["subnetA1"], ["sgA1"]), allowed: false },
        { label: "create in another VPC", create: vpc(["subnetB"], ["sgB"]), allowed: true },
        { label: "create without a VPC", create: undefined, allowed: true },
        { label: "update (no VpcConfig) of a function in the denied VPC", update: { from: vpc(["subnetA1"], ["sgA1"]), change: { Timeout: 9 } }, allowed: false },
        { label: "update moving out of the denied VPC", update: { from: vpc(["subnetA1"], ["sgA1"]), change: { VpcConfig: vpc(["subnetB"], ["sgB"]) } }, allowed: true },
      ],
    ],
    [
      "EnforceOutOfSubnet",
      true,
      [
        { label: "create using the denied subnet among others", create: vpc(["subnetA2", "subnetA1"], ["sgA1"]), allowed: false },
        { label: "create using other subnets", create: vpc(["subnetA2"], ["sgA1"]), allowed: true },
        { label: "update moving into the denied subnet", update: { from: vpc(["subnetA2"], ["sgA1"]), change: { VpcConfig: vpc(["subnetA1"], ["sgA1"]) } }, allowed: false },
        { label: "update detaching (empty set)", update: { from: vpc(["subnetA1"], ["sgA1"]), change: DETACH }, allowed: true },
      ],
    ],
    [
      "EnforceOutOfSecurityGroups",
      true,
      [
        { label: "create using the denied group", create: vpc(["subnetA1"], ["sgA1", "sgA2"]), allowed: false },
        { label: "create using other groups", create: vpc(["subnetA1"], ["sgA1", "sgA3"]), allowed: true },
        { label: "create without a VPC", create: undefined, allowed: true },
      ],
    ],
    [
      "EnforceStayInSpecificVpc",
      false,
      [
        { label: "create in the allowed VPC", create: vpc(["subnetB"], ["sgB"]), allowed: true },
        { label: "create in another VPC", create: vpc(["subnetA1"], ["sgA1"]), allowed: false },
        { label: "create without a VPC", create: undefined, allowed: false },
        { label: "update moving into the allowed VPC", update: { from: vpc(["subnetA1"], ["sgA1"]), change: { VpcConfig: vpc(["subnetB"], ["sgB"]) } }, allowed: true },
      ],
    ],
    [
      "EnforceStayInSpecificSubnets",
      false,
      [
        { label: "create in both allowed subnets", create: vpc(["subnetA1", "subnetA2"], ["sgA3"]), allowed: true },
        { label: "create in one allowed subnet", create: vpc(["subnetA2"], ["sgA3"]), allowed: true },
        { label: "create in another subnet", create: vpc(["subnetB"], ["sgB"]), allowed: false },
        { label: "create without a VPC is ALLOWED (ForAllValues on a missing key)", create: undefined, allowed: true },
      ],
    ],
    [
      "EnforceStayInSpecificSecurityGroup",
      false,
      [
        { label: "create with the allowed groups", create: vpc(["subnetA1"], ["sgA1", "sgA2"]), allowed: true },
        { label: "create with one group outside the list", create: vpc(["subnetA1"], ["sgA1", "sgA3"]), allowed: false },
        { label: "create without a VPC (missing key)", create: undefined, allowed: true },
        { label: "update detaching (empty set)", update: { from: vpc(["subnetA1"], ["sgA1"]), change: DETACH }, allowed: true },
      ],
    ],
  ];

  it("allow and deny exactly what the guide says", async () => {
    const rows = table();
    // The functions the updates start from, made by the account root and brought Active.
    let n = 0;
    const targets = new Map<Row, string>();
    for (const [, , list] of rows) {
      for (const row of list) {
        if (!("update" in row)) continue;
        const name = `target-${++n}`;
        await c.lambda.send(
          new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, ...(row.update.from ? { VpcConfig: row.update.from } : {}) }),
        );
        targets.set(row, name);
      }
    }
    await advanceClock(app.url, 3);

    const g = guide(ids);
    let made = 0;
    for (const [policy, denyStyle, list] of rows) {
      const base = denyStyle
        ? { Effect: "Allow", Action: ["lambda:*", "iam:PassRole", "ec2:Describe*"], Resource: "*" }
        : { Effect: "Allow", Action: ["lambda:GetFunction", "lambda:GetFunctionConfiguration", "iam:PassRole", "ec2:Describe*"], Resource: "*" };
      const user = clients(app.url, await userCreds(`u-${policy}`, [base, g[policy]])).lambda;
      for (const row of list) {
        const label = `${policy}: ${row.label}`;
        let call: Promise<unknown>;
        let resource: string;
        let action: string;
        if ("create" in row) {
          const name = `made-${++made}`;
          resource = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
          action = "lambda:CreateFunction";
          call = user.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, ...(row.create ? { VpcConfig: row.create } : {}) }));
        } else {
          const name = targets.get(row)!;
          resource = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
          action = "lambda:UpdateFunctionConfiguration";
          call = user.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...row.update.change }));
        }
        if (row.allowed) {
          await call.catch((e: Error) => assert.fail(`${label}: expected allowed, got ${e.name}: ${e.message}`));
        } else {
          const e = await rejects(call);
          assert.equal(e.name, "AccessDeniedException", `${label}: ${e.message}`);
          assert.equal(e.$metadata.httpStatusCode, 403, label);
          const why = denyStyle ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${action} action`;
          assert.equal(e.message, `User: arn:aws:iam::${ACCOUNT}:user/u-${policy} is not authorized to perform: ${action} on resource: ${resource} ${why}`, label);
        }
      }
    }
  });

  it("derives lambda:VpcIds from the subnets: the allow policy matches a VPC id that is never in the request", async () => {
    const user = clients(app.url, await userCreds("only-vpc-b", [
      { Effect: "Allow", Action: ["iam:PassRole", "ec2:Describe*"], Resource: "*" },
      guide(ids).EnforceStayInSpecificVpc,
    ])).lambda;
    const out = await user.send(
      new CreateFunctionCommand({ FunctionName: "derived", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip }, VpcConfig: { SubnetIds: [ids.subnetB], SecurityGroupIds: [ids.sgB] } }),
    );
    assert.equal(out.VpcConfig?.VpcId, ids.vpcB);
  });
});

describe("lambda:SourceFunctionArn: the Deny stops the function's code, not Lambda", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  const CALLER = NODE_AWS_CALLER.slice(0, NODE_AWS_CALLER.indexOf("exports.handler")) + `
exports.handler = async (event) => {
  // A VPC function has no AWS_ENDPOINT_URL: the test names hyperlocal's function listener.
  const create = await call("ec2", "Action=CreateNetworkInterface&Version=2016-11-15&SubnetId=" + event.subnet, event.endpoint);
  const describe = await call("ec2", "Action=DescribeSubnets&Version=2016-11-15", event.endpoint);
  return { create, describe };
};
`;

  it("CreateNetworkInterface from the code is denied while Lambda creates the function's ENIs", async () => {
    const guarded = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:guarded`;
    const r = (await c.iam.send(new CreateRoleCommand({ RoleName: "guarded-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: "guarded-exec", PolicyArn: VPC_ACCESS }));
    await c.iam.send(
      new PutRolePolicyCommand({
        RoleName: "guarded-exec",
        PolicyName: "deny-eni-from-code",
        PolicyDocument: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Deny",
              Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
              Resource: ["*"],
              Condition: { ArnEquals: { "lambda:SourceFunctionArn": [guarded] } },
            },
          ],
        }),
      }),
    );
    const mk = (name: string) =>
      c.lambda.send(
        new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: r, Handler: "index.handler", Code: { ZipFile: nodeZip(CALLER) }, VpcConfig: { SubnetIds: [ids.subnetA1], SecurityGroupIds: [ids.sgA3] } }),
      );
    await mk("guarded");
    await mk("unguarded");
    await advanceClock(app.url, 3);
    const lambda: LambdaClient = c.lambda;
    const state = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: "guarded" }))).State;
    assert.equal(state, "Active", "Lambda's own ENI calls do not carry lambda:SourceFunctionArn");

    const run = async (name: string) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ subnet: ids.subnetA1, endpoint: app.functionUrl })) }));
      assert.equal(out.FunctionError, undefined, Buffer.from(out.Payload ?? []).toString());
      return JSON.parse(Buffer.from(out.Payload ?? []).toString()) as { create: { status: number; text: string }; describe: { status: number; text: string } };
    };
    const g = await run("guarded");
    assert.equal(g.create.status, 403, g.create.text);
    assert.match(g.create.text, /<Code>UnauthorizedOperation<\/Code>/);
    assert.match(g.create.text, /with an explicit deny in an identity-based policy/);
    assert.equal(g.describe.status, 200, "DescribeSubnets is not in the Deny");
    const u = await run("unguarded");
    assert.equal(u.create.status, 200, `another function with the same role is not denied: ${u.create.text}`);
  });
});
