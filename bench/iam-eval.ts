// IAM policy evaluation throughput: `npm run bench -- iam-eval`.
// Prints evaluations per second and the median ns per evaluation over timed batches.
import { compilePolicy, evaluate } from "../src/iam-policy/index.ts";
import type { CompiledPolicy, EvaluationInput } from "../src/iam-policy/index.ts";
import { timeBatches } from "./_support.ts";

const ACCT = "123456789012";
const BATCH = 20_000;
const BATCHES = 40;

function bench(name: string, inputs: EvaluationInput[]): void {
  let sink = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      const r = evaluate(inputs[i % inputs.length]);
      if (r.decision === "Allowed") sink++;
    }
  };
  const { perSec, medianNs: median } = timeBatches(run, BATCH, BATCHES);
  console.log(
    `${name.padEnd(52)} ${Math.round(perSec).toLocaleString("en-US").padStart(11)} evals/s   median ${median.toFixed(0).padStart(5)} ns/eval   (allowed ${((sink / (BATCH * (BATCHES + 5))) * 100).toFixed(0)}%)`,
  );
}

const ctxVpc = {
  "aws:username": "alice",
  "aws:SourceIp": "10.1.2.3",
  "aws:SecureTransport": "true",
  "aws:CurrentTime": "2025-06-01T12:00:00Z",
  "lambda:VpcIds": "vpc-1",
  "lambda:SubnetIds": ["subnet-1", "subnet-2"],
  "lambda:SecurityGroupIds": ["sg-1"],
};
const fnArn = (name: string): string => `arn:aws:lambda:us-east-1:${ACCT}:function:${name}`;
const user = `arn:aws:iam::${ACCT}:user/alice`;

// (a) five statements with conditions, the shape of the Lambda VPC guide's examples
const fiveStatements = compilePolicy(
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "EnforceVPCFunction", Effect: "Deny", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Resource: "*", Condition: { Null: { "lambda:VpcIds": "true" } } },
      { Sid: "OnlyVpc", Effect: "Deny", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Resource: "*", Condition: { StringNotEquals: { "lambda:VpcIds": ["vpc-1", "vpc-2"] } } },
      { Sid: "OnlySubnets", Effect: "Deny", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Resource: "*", Condition: { "ForAnyValue:StringNotEquals": { "lambda:SubnetIds": ["subnet-1", "subnet-2", "subnet-3"] } } },
      { Sid: "OwnFunctions", Effect: "Allow", Action: "lambda:*", Resource: "arn:aws:lambda:*:123456789012:function:${aws:username}-*", Condition: { Bool: { "aws:SecureTransport": "true" }, IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
      { Sid: "SecurityGroups", Effect: "Allow", Action: ["lambda:CreateFunction", "lambda:UpdateFunctionConfiguration"], Resource: "*", Condition: { "ForAllValues:StringEquals": { "lambda:SecurityGroupIds": ["sg-1", "sg-2"] }, DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } } },
    ],
  }),
  "identity",
  "five-statements",
);
bench("(a) 5-statement policy with conditions", [
  { request: { action: "lambda:CreateFunction", resource: fnArn("alice-api"), principalArn: user, context: ctxVpc }, identityPolicies: [fiveStatements] },
  { request: { action: "lambda:UpdateFunctionConfiguration", resource: fnArn("bob-api"), principalArn: user, context: ctxVpc }, identityPolicies: [fiveStatements] },
  { request: { action: "lambda:GetFunction", resource: fnArn("alice-db"), principalArn: user, context: ctxVpc }, identityPolicies: [fiveStatements] },
  { request: { action: "lambda:CreateFunction", resource: fnArn("alice-x"), principalArn: user, context: { ...ctxVpc, "lambda:VpcIds": "vpc-9" } }, identityPolicies: [fiveStatements] },
]);

// (b) a role with ten attached policies, several of them broad wildcards
const mk = (i: number, statement: unknown[]): CompiledPolicy => compilePolicy(JSON.stringify({ Version: "2012-10-17", Statement: statement }), "identity", `p${i}`);
const tenPolicies: CompiledPolicy[] = [
  mk(0, [{ Effect: "Allow", Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], Resource: "*" }]),
  mk(1, [{ Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"], Resource: "*" }]),
  mk(2, [{ Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: ["arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"] }]),
  mk(3, [{ Effect: "Allow", Action: "dynamodb:*", Resource: `arn:aws:dynamodb:*:${ACCT}:table/app-*` }]),
  mk(4, [{ Effect: "Deny", Action: ["iam:*", "organizations:*"], Resource: "*" }]),
  mk(5, [{ Effect: "Allow", Action: ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"], Resource: `arn:aws:sqs:us-east-1:${ACCT}:queue-?` }]),
  mk(6, [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "*", Condition: { StringEquals: { "kms:ViaService": "lambda.us-east-1.amazonaws.com" } } }]),
  mk(7, [{ Effect: "Deny", NotAction: ["lambda:*", "logs:*", "ec2:*", "s3:*", "dynamodb:*", "sqs:*", "kms:*", "xray:*"], Resource: "*" }]),
  mk(8, [{ Effect: "Allow", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }]),
  mk(9, [{ Effect: "Allow", Action: "lambda:*", Resource: "*" }, { Effect: "Deny", Action: "lambda:Delete*", Resource: "*", Condition: { StringNotLike: { "aws:PrincipalTag/team": "platform*" } } }]),
];
const role = `arn:aws:sts::${ACCT}:assumed-role/app/session`;
const roleCtx = { "aws:PrincipalTag/team": "platform-core", "lambda:SourceFunctionArn": fnArn("worker") };
bench("(b) role with 10 attached policies (broad wildcards)", [
  { request: { action: "ec2:CreateNetworkInterface", resource: "*", principalArn: role, context: roleCtx }, identityPolicies: tenPolicies },
  { request: { action: "s3:GetObject", resource: "arn:aws:s3:::data-raw/2025/file.json", principalArn: role, context: roleCtx }, identityPolicies: tenPolicies },
  { request: { action: "dynamodb:PutItem", resource: `arn:aws:dynamodb:us-east-1:${ACCT}:table/other`, principalArn: role, context: roleCtx }, identityPolicies: tenPolicies },
  { request: { action: "lambda:DeleteFunction", resource: fnArn("x"), principalArn: role, context: roleCtx }, identityPolicies: tenPolicies },
]);

// (c) one statement whose Condition names twenty keys
const cond: Record<string, Record<string, unknown>> = { StringEquals: {}, StringLike: {}, NumericLessThan: {}, Bool: {}, IpAddress: {}, ArnLike: {}, "ForAllValues:StringEquals": {}, DateGreaterThan: {} };
const ctx20: Record<string, string | string[]> = {};
for (let i = 0; i < 6; i++) {
  cond.StringEquals[`app:key${i}`] = [`v${i}`, `w${i}`];
  ctx20[`app:key${i}`] = `w${i}`;
}
for (let i = 6; i < 10; i++) {
  cond.StringLike[`app:key${i}`] = `prefix-${i}-*`;
  ctx20[`app:key${i}`] = `prefix-${i}-value`;
}
for (let i = 10; i < 13; i++) {
  cond.NumericLessThan[`app:key${i}`] = "100";
  ctx20[`app:key${i}`] = "42";
}
cond.Bool["aws:SecureTransport"] = "true";
ctx20["aws:SecureTransport"] = "true";
cond.IpAddress["aws:SourceIp"] = ["10.0.0.0/8", "2001:db8::/32"];
ctx20["aws:SourceIp"] = "10.20.30.40";
for (let i = 15; i < 18; i++) {
  cond.ArnLike[`app:key${i}`] = `arn:aws:lambda:*:${ACCT}:function:*`;
  ctx20[`app:key${i}`] = fnArn(`f${i}`);
}
cond["ForAllValues:StringEquals"]["app:key18"] = ["a", "b", "c"];
ctx20["app:key18"] = ["a", "c"];
cond.DateGreaterThan["aws:CurrentTime"] = "2020-01-01T00:00:00Z";
ctx20["aws:CurrentTime"] = "2025-06-01T12:00:00Z";
const twenty = compilePolicy(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "app:*", Resource: "*", Condition: cond }] }), "identity", "twenty-keys");
bench("(c) policy with 20 condition keys", [{ request: { action: "app:DoThing", resource: "*", principalArn: user, context: ctx20 }, identityPolicies: [twenty] }]);
