// The example policies of the Lambda developer guide, "Using IAM condition keys for VPC settings"
// (awsdocs/aws-lambda-developer-guide doc_source/configuration-vpc.md, #vpc-condition-examples),
// statement JSON as published, against the contexts Lambda builds for CreateFunction and
// UpdateFunctionConfiguration: lambda:VpcIds (single-valued, derived from the subnets),
// lambda:SubnetIds and lambda:SecurityGroupIds (multi-valued); all absent for a function without VPC.
// Then the execution-role Deny on EC2 ENI actions keyed on lambda:SourceFunctionArn, which Lambda
// sets only on calls made from inside the execution environment, not on its own ENI calls.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compilePolicy } from "./compile.ts";
import { evaluate } from "./evaluate.ts";
import type { CompiledPolicy, ContextValue, EvaluationResult } from "./types.ts";
import { awsManagedPolicy } from "../services/iam/managed-policies.ts";

const ACTIONS = ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"];

// (1) "Ensure that users deploy only VPC-connected functions"
const enforceVpcFunction = {
  Sid: "EnforceVPCFunction",
  Action: ACTIONS,
  Effect: "Deny",
  Resource: "*",
  Condition: { Null: { "lambda:VpcIds": "true" } },
};
// (2)-(4) "Deny users access to specific VPCs, subnets, or security groups"
const enforceOutOfVpc = { Sid: "EnforceOutOfVPC", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { StringEquals: { "lambda:VpcIds": ["vpc-1", "vpc-2"] } } };
const enforceOutOfSubnet = { Sid: "EnforceOutOfSubnet", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "lambda:SubnetIds": ["subnet-1", "subnet-2"] } } };
const enforceOutOfSecurityGroups = { Sid: "EnforceOutOfSecurityGroups", Action: ACTIONS, Effect: "Deny", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "lambda:SecurityGroupIds": ["sg-1", "sg-2"] } } };
// (5)-(7) "Allow users to create and update functions with specific VPC settings"
const stayInSpecificVpc = { Sid: "EnforceStayInSpecificVpc", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { StringEquals: { "lambda:VpcIds": ["vpc-1", "vpc-2"] } } };
const stayInSpecificSubnets = { Sid: "EnforceStayInSpecificSubnets", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { "ForAllValues:StringEquals": { "lambda:SubnetIds": ["subnet-1", "subnet-2"] } } };
const stayInSpecificSecurityGroup = { Sid: "EnforceStayInSpecificSecurityGroup", Action: ACTIONS, Effect: "Allow", Resource: "*", Condition: { "ForAllValues:StringEquals": { "lambda:SecurityGroupIds": ["sg-1", "sg-2"] } } };

const doc = (statements: unknown[]): string => JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);
const p = (statements: unknown[], id: string): CompiledPolicy => compilePolicy(doc(statements), "identity", id);
const allowAll = p([{ Effect: "Allow", Action: "*", Resource: "*" }], "AllowAll");

const USER = "arn:aws:iam::123456789012:user/dev";
const FN = "arn:aws:lambda:us-west-2:123456789012:function:my-function";

type Ctx = Record<string, ContextValue>;
const vpc = (vpcId: string, subnets: string[], sgs: string[]): Ctx => ({ "lambda:VpcIds": vpcId, "lambda:SubnetIds": subnets, "lambda:SecurityGroupIds": sgs });
const NO_VPC: Ctx = {};
const DETACH: Ctx = { "lambda:SubnetIds": [], "lambda:SecurityGroupIds": [] }; // --vpc-config SubnetIds=[],SecurityGroupIds=[]

function decide(policies: CompiledPolicy[], action: string, context: Ctx): EvaluationResult {
  return evaluate({ request: { action, resource: FN, principalArn: USER, context }, identityPolicies: policies });
}

type Row = [name: string, policies: CompiledPolicy[], action: string, context: Ctx, decision: EvaluationResult["decision"], sid?: string];

function run(rows: Row[]): void {
  for (const [name, policies, action, context, decision, sid] of rows) {
    test(`${action.split(":")[1]} ${name}`, () => {
      const r = decide(policies, action, context);
      assert.equal(r.decision, decision);
      if (sid !== undefined) assert.equal(r.matched[0]?.sid, sid);
    });
  }
}

const C = "lambda:CreateFunction";
const U = "lambda:UpdateFunctionConfiguration";

describe("(1) EnforceVPCFunction: Deny when Null lambda:VpcIds", () => {
  const pol = [allowAll, p([enforceVpcFunction], "EnforceVPCFunction")];
  run([
    ["VPC function is allowed", pol, C, vpc("vpc-1", ["subnet-1"], ["sg-1"]), "Allowed"],
    ["non-VPC function is denied", pol, C, NO_VPC, "ExplicitDeny", "EnforceVPCFunction"],
    ["update to a VPC is allowed", pol, U, vpc("vpc-3", ["subnet-9"], ["sg-9"]), "Allowed"],
    ["detaching (empty lists, no VPC id) is denied", pol, U, DETACH, "ExplicitDeny", "EnforceVPCFunction"],
    ["other Lambda actions are not affected", pol, "lambda:InvokeFunction", NO_VPC, "Allowed"],
  ]);
  test("the key is reported missing for SimulatePrincipalPolicy", () => {
    assert.deepEqual(decide(pol, C, NO_VPC).missingContextKeys, ["lambda:VpcIds"]);
  });
});

describe("(2) EnforceOutOfVPC: Deny StringEquals lambda:VpcIds", () => {
  const pol = [allowAll, p([enforceOutOfVpc], "EnforceOutOfVPC")];
  run([
    ["in vpc-1 is denied", pol, C, vpc("vpc-1", ["subnet-5"], ["sg-5"]), "ExplicitDeny", "EnforceOutOfVPC"],
    ["in vpc-2 is denied", pol, U, vpc("vpc-2", ["subnet-5"], ["sg-5"]), "ExplicitDeny"],
    ["in vpc-3 is allowed", pol, C, vpc("vpc-3", ["subnet-5"], ["sg-5"]), "Allowed"],
    ["without VPC is allowed (key absent: StringEquals is false)", pol, C, NO_VPC, "Allowed"],
  ]);
});

describe("(3) EnforceOutOfSubnet: Deny ForAnyValue:StringEquals lambda:SubnetIds", () => {
  const pol = [allowAll, p([enforceOutOfSubnet], "EnforceOutOfSubnet")];
  run([
    ["using subnet-1 among others is denied", pol, C, vpc("vpc-3", ["subnet-7", "subnet-1"], ["sg-5"]), "ExplicitDeny", "EnforceOutOfSubnet"],
    ["using only other subnets is allowed", pol, C, vpc("vpc-3", ["subnet-7", "subnet-8"], ["sg-5"]), "Allowed"],
    ["without VPC is allowed (ForAnyValue on a missing key is false)", pol, C, NO_VPC, "Allowed"],
    ["detaching is allowed (empty set)", pol, U, DETACH, "Allowed"],
  ]);
});

describe("(4) EnforceOutOfSecurityGroups: Deny ForAnyValue:StringEquals lambda:SecurityGroupIds", () => {
  const pol = [allowAll, p([enforceOutOfSecurityGroups], "EnforceOutOfSecurityGroups")];
  run([
    ["using sg-2 is denied", pol, U, vpc("vpc-3", ["subnet-7"], ["sg-2", "sg-9"]), "ExplicitDeny", "EnforceOutOfSecurityGroups"],
    ["using other groups is allowed", pol, U, vpc("vpc-3", ["subnet-7"], ["sg-8", "sg-9"]), "Allowed"],
    ["without VPC is allowed", pol, C, NO_VPC, "Allowed"],
  ]);
});

describe("(5) EnforceStayInSpecificVpc: Allow StringEquals lambda:VpcIds", () => {
  const pol = [p([stayInSpecificVpc], "EnforceStayInSpecificVpc")];
  run([
    ["in vpc-1 is allowed", pol, C, vpc("vpc-1", ["subnet-1"], ["sg-1"]), "Allowed"],
    ["in vpc-2 is allowed", pol, U, vpc("vpc-2", ["subnet-1"], ["sg-1"]), "Allowed"],
    ["in vpc-3 is implicitly denied", pol, C, vpc("vpc-3", ["subnet-1"], ["sg-1"]), "ImplicitDeny"],
    ["without VPC is implicitly denied", pol, C, NO_VPC, "ImplicitDeny"],
  ]);
});

describe("(6) EnforceStayInSpecificSubnets: Allow ForAllValues:StringEquals lambda:SubnetIds", () => {
  const pol = [p([stayInSpecificSubnets], "EnforceStayInSpecificSubnets")];
  run([
    ["both allowed subnets", pol, C, vpc("vpc-1", ["subnet-1", "subnet-2"], ["sg-9"]), "Allowed"],
    ["one allowed subnet", pol, C, vpc("vpc-1", ["subnet-2"], ["sg-9"]), "Allowed"],
    ["one subnet outside the list is implicitly denied", pol, C, vpc("vpc-1", ["subnet-2", "subnet-3"], ["sg-9"]), "ImplicitDeny"],
    ["without VPC is ALLOWED: ForAllValues on a missing key is true (pair it with example 1)", pol, C, NO_VPC, "Allowed"],
    ["detaching is allowed (empty set)", pol, U, DETACH, "Allowed"],
  ]);
});

describe("(7) EnforceStayInSpecificSecurityGroup: Allow ForAllValues:StringEquals lambda:SecurityGroupIds", () => {
  const pol = [p([stayInSpecificSecurityGroup], "EnforceStayInSpecificSecurityGroup")];
  run([
    ["allowed groups", pol, U, vpc("vpc-1", ["subnet-1"], ["sg-1", "sg-2"]), "Allowed"],
    ["one group outside the list", pol, U, vpc("vpc-1", ["subnet-1"], ["sg-1", "sg-3"]), "ImplicitDeny"],
    ["without VPC is allowed (missing key)", pol, C, NO_VPC, "Allowed"],
  ]);
});

describe("the guide's combined policies", () => {
  const denies = p([enforceOutOfVpc, enforceOutOfSubnet, enforceOutOfSecurityGroups], "DenyCombined");
  const allows = p([stayInSpecificVpc, stayInSpecificSubnets, stayInSpecificSecurityGroup], "AllowCombined");
  const guard = p([enforceVpcFunction], "Guard");
  run([
    ["deny policy: vpc-3 with subnet-1 hits EnforceOutOfSubnet", [allowAll, denies], C, vpc("vpc-3", ["subnet-1"], ["sg-7"]), "ExplicitDeny", "EnforceOutOfSubnet"],
    ["deny policy: clean VPC settings pass", [allowAll, denies], C, vpc("vpc-3", ["subnet-7"], ["sg-7"]), "Allowed"],
    ["allow policy: any one statement is enough (statements are OR)", [allows], C, vpc("vpc-9", ["subnet-1"], ["sg-9"]), "Allowed"],
    ["allow policy: nothing matches", [allows], C, vpc("vpc-9", ["subnet-9"], ["sg-9"]), "ImplicitDeny"],
    ["allow policy + Null guard: non-VPC function denied", [allows, guard], C, NO_VPC, "ExplicitDeny", "EnforceVPCFunction"],
    ["allow policy + Null guard: vpc-1 allowed", [allows, guard], C, vpc("vpc-1", ["subnet-5"], ["sg-5"]), "Allowed"],
  ]);
});

describe("variants with negated operators (the usual way to restrict)", () => {
  const onlyVpcs = p([{ Sid: "OnlyVpcs", Effect: "Deny", Action: ACTIONS, Resource: "*", Condition: { StringNotEquals: { "lambda:VpcIds": ["vpc-1", "vpc-2"] } } }], "OnlyVpcs");
  const onlySubnets = p([{ Sid: "OnlySubnets", Effect: "Deny", Action: ACTIONS, Resource: "*", Condition: { "ForAnyValue:StringNotEquals": { "lambda:SubnetIds": ["subnet-1", "subnet-2"] } } }], "OnlySubnets");
  const onlySgs = p([{ Sid: "OnlySgs", Effect: "Deny", Action: ACTIONS, Resource: "*", Condition: { "ForAnyValue:StringNotEquals": { "lambda:SecurityGroupIds": ["sg-1", "sg-2"] } } }], "OnlySgs");
  const misused = p([{ Sid: "Misused", Effect: "Deny", Action: ACTIONS, Resource: "*", Condition: { StringNotEquals: { "lambda:SubnetIds": ["subnet-1", "subnet-2"] } } }], "Misused");
  run([
    ["StringNotEquals VpcIds: vpc-1 allowed", [allowAll, onlyVpcs], C, vpc("vpc-1", ["subnet-1"], ["sg-1"]), "Allowed"],
    ["StringNotEquals VpcIds: vpc-3 denied", [allowAll, onlyVpcs], C, vpc("vpc-3", ["subnet-1"], ["sg-1"]), "ExplicitDeny", "OnlyVpcs"],
    ["StringNotEquals VpcIds: no VPC denied (negated operator, missing key)", [allowAll, onlyVpcs], C, NO_VPC, "ExplicitDeny"],
    ["ForAnyValue:StringNotEquals SubnetIds: listed subnets allowed", [allowAll, onlySubnets], C, vpc("vpc-1", ["subnet-1", "subnet-2"], ["sg-1"]), "Allowed"],
    ["ForAnyValue:StringNotEquals SubnetIds: one other subnet denied", [allowAll, onlySubnets], C, vpc("vpc-1", ["subnet-1", "subnet-3"], ["sg-1"]), "ExplicitDeny", "OnlySubnets"],
    ["ForAnyValue:StringNotEquals SubnetIds: no VPC not denied", [allowAll, onlySubnets], C, NO_VPC, "Allowed"],
    ["ForAnyValue:StringNotEquals SecurityGroupIds: other group denied", [allowAll, onlySgs], U, vpc("vpc-1", ["subnet-1"], ["sg-3"]), "ExplicitDeny", "OnlySgs"],
    ["ForAnyValue:StringNotEquals SecurityGroupIds: listed groups allowed", [allowAll, onlySgs], U, vpc("vpc-1", ["subnet-1"], ["sg-2"]), "Allowed"],
    ["single-valued StringNotEquals on a multi-valued key always matches: denied even for listed subnets", [allowAll, misused], C, vpc("vpc-1", ["subnet-1"], ["sg-1"]), "ExplicitDeny", "Misused"],
  ]);
});

describe("execution role: Deny EC2 ENI actions to function code (lambda:SourceFunctionArn)", () => {
  // AWSLambdaVPCAccessExecutionRole v3, the document IAM serves for it.
  const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
  const managed = compilePolicy(awsManagedPolicy(VPC_ACCESS)!.document, "identity", VPC_ACCESS);
  const SOURCE = "arn:aws:lambda:us-west-2:123456789012:function:source_lambda";
  const denyFromCode = p(
    [
      {
        Effect: "Deny",
        Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
        Resource: ["*"],
        Condition: { ArnEquals: { "lambda:SourceFunctionArn": [SOURCE] } },
      },
    ],
    "DenyEniFromFunctionCode",
  );
  const role = [managed, denyFromCode];
  const SESSION = "arn:aws:sts::123456789012:assumed-role/lambda-role/source_lambda";
  const ec2 = (action: string, context: Ctx): EvaluationResult =>
    evaluate({ request: { action, resource: "*", principalArn: SESSION, context }, identityPolicies: role });
  const rows: [string, string, Ctx, EvaluationResult["decision"]][] = [
    ["Lambda's own ENI creation (key absent) is allowed", "ec2:CreateNetworkInterface", {}, "Allowed"],
    ["Lambda's own ENI deletion (key absent) is allowed", "ec2:DeleteNetworkInterface", {}, "Allowed"],
    ["CreateNetworkInterface from the function's code is denied", "ec2:CreateNetworkInterface", { "lambda:SourceFunctionArn": SOURCE }, "ExplicitDeny"],
    ["DeleteNetworkInterface from the function's code is denied", "ec2:DeleteNetworkInterface", { "lambda:SourceFunctionArn": SOURCE }, "ExplicitDeny"],
    ["DescribeNetworkInterfaces from the function's code is denied", "ec2:DescribeNetworkInterfaces", { "lambda:SourceFunctionArn": SOURCE }, "ExplicitDeny"],
    ["AssignPrivateIpAddresses from the function's code is denied", "ec2:AssignPrivateIpAddresses", { "lambda:SourceFunctionArn": SOURCE }, "ExplicitDeny"],
    ["UnassignPrivateIpAddresses from the function's code is denied", "ec2:UnassignPrivateIpAddresses", { "lambda:SourceFunctionArn": SOURCE }, "ExplicitDeny"],
    ["another function sharing the role is not denied", "ec2:CreateNetworkInterface", { "lambda:SourceFunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:other" }, "Allowed"],
    ["DescribeSubnets from code is not in the Deny", "ec2:DescribeSubnets", { "lambda:SourceFunctionArn": SOURCE }, "Allowed"],
    ["logs from the environment stay allowed", "logs:PutLogEvents", { "lambda:SourceFunctionArn": SOURCE }, "Allowed"],
    ["actions outside the managed policy are implicitly denied", "ec2:RunInstances", {}, "ImplicitDeny"],
  ];
  for (const [name, action, context, decision] of rows) test(name, () => assert.equal(ec2(action, context).decision, decision));
  test("the explicit deny names the identity-based policy and the statement", () => {
    const r = ec2("ec2:CreateNetworkInterface", { "lambda:SourceFunctionArn": SOURCE });
    assert.equal(r.deniedBy, "identity-based policy");
    assert.equal(r.matched[0].policyId, "DenyEniFromFunctionCode");
    assert.ok(r.matched[0].start && r.matched[0].end);
  });
});
