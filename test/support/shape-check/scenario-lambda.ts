import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { IN_LOOPBACK_NETNS } from "../netns.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../zip-functions.ts";
import { call, callFails } from "./call.ts";

const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

/** Every Lambda operation hyperlocal serves, once or more: a plain function, a VPC one, and the usual errors. */
export async function lambdaScenario(lambda: LambdaClient, iam: IAMClient, ec2: EC2Client, url: string): Promise<void> {
  const x = (op: string, input: object = {}) => call(lambda, "lambda", op, input);
  const no = (op: string, input: object, code: string) => callFails(lambda, "lambda", op, input, code);

  const role: string = (await call(iam, "iam", "CreateRole", { RoleName: "parity-fn-role", AssumeRolePolicyDocument: LAMBDA_TRUST })).Role.Arn;
  await call(iam, "iam", "AttachRolePolicy", { RoleName: "parity-fn-role", PolicyArn: VPC_ACCESS });
  const zip = nodeZip(NODE_ECHO);
  const base = { Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } };

  await x("GetAccountSettings");
  await x("CreateFunction", { ...base, FunctionName: "parity-fn", Description: "parity", Environment: { Variables: { STAGE: "1" } }, Tags: { team: "parity" } });
  await no("CreateFunction", { ...base, FunctionName: "parity-fn" }, "ResourceConflictException");
  await no("CreateFunction", { ...base, FunctionName: "parity-bad", Runtime: "cobol1" }, "InvalidParameterValueException");
  await no("CreateFunction", { ...base, FunctionName: "parity-bad", Role: "arn:aws:iam::000000000000:role/nobody" }, "InvalidParameterValueException");
  await x("GetFunction", { FunctionName: "parity-fn" });
  await x("GetFunctionConfiguration", { FunctionName: "parity-fn" });
  await no("GetFunction", { FunctionName: "nobody" }, "ResourceNotFoundException");
  await advanceClock(url, 60);
  await x("GetFunctionConfiguration", { FunctionName: "parity-fn" });
  await x("ListFunctions");
  await x("UpdateFunctionConfiguration", { FunctionName: "parity-fn", Timeout: 10, MemorySize: 256 });
  await advanceClock(url, 60);
  await x("UpdateFunctionCode", { FunctionName: "parity-fn", ZipFile: zip });
  await advanceClock(url, 60);
  const v = await x("PublishVersion", { FunctionName: "parity-fn", Description: "v1" });
  await x("ListVersionsByFunction", { FunctionName: "parity-fn" });
  await x("CreateAlias", { FunctionName: "parity-fn", Name: "live", FunctionVersion: v.Version });
  await no("CreateAlias", { FunctionName: "parity-fn", Name: "live", FunctionVersion: v.Version }, "ResourceConflictException");
  await x("GetAlias", { FunctionName: "parity-fn", Name: "live" });
  await x("UpdateAlias", { FunctionName: "parity-fn", Name: "live", Description: "current" });
  await x("ListAliases", { FunctionName: "parity-fn" });
  await no("GetAlias", { FunctionName: "parity-fn", Name: "none" }, "ResourceNotFoundException");
  await x("AddPermission", { FunctionName: "parity-fn", StatementId: "s1", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" });
  await no("AddPermission", { FunctionName: "parity-fn", StatementId: "s1", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com" }, "ResourceConflictException");
  await x("GetPolicy", { FunctionName: "parity-fn" });
  await x("RemovePermission", { FunctionName: "parity-fn", StatementId: "s1" });
  await no("GetPolicy", { FunctionName: "parity-fn" }, "ResourceNotFoundException");
  const arn: string = (await x("GetFunctionConfiguration", { FunctionName: "parity-fn" })).FunctionArn;
  await x("TagResource", { Resource: arn, Tags: { stage: "test" } });
  await x("ListTags", { Resource: arn });
  await x("UntagResource", { Resource: arn, TagKeys: ["stage"] });
  await x("PutFunctionConcurrency", { FunctionName: "parity-fn", ReservedConcurrentExecutions: 5 });
  await x("GetFunctionConcurrency", { FunctionName: "parity-fn" });
  await x("DeleteFunctionConcurrency", { FunctionName: "parity-fn" });
  await no("PutFunctionConcurrency", { FunctionName: "parity-fn", ReservedConcurrentExecutions: 100000 }, "InvalidParameterValueException");
  await no("GetFunctionEventInvokeConfig", { FunctionName: "parity-fn" }, "ResourceNotFoundException");
  await x("PutFunctionEventInvokeConfig", { FunctionName: "parity-fn", MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 3600 });
  await no("PutFunctionEventInvokeConfig", { FunctionName: "parity-fn", MaximumRetryAttempts: 5 }, "ValidationException");
  await x("UpdateFunctionEventInvokeConfig", { FunctionName: "parity-fn", MaximumRetryAttempts: 0 });
  await x("GetFunctionEventInvokeConfig", { FunctionName: "parity-fn" });
  await x("ListFunctionEventInvokeConfigs", { FunctionName: "parity-fn" });
  await x("DeleteFunctionEventInvokeConfig", { FunctionName: "parity-fn" });
  await no("DeleteFunctionEventInvokeConfig", { FunctionName: "parity-fn" }, "ResourceNotFoundException");
  await x("Invoke", { FunctionName: "parity-fn", InvocationType: "DryRun" });
  await no("Invoke", { FunctionName: "nobody" }, "ResourceNotFoundException");
  await no("InvokeAsync", { FunctionName: "nobody", InvokeArgs: "{}" }, "ResourceNotFoundException");
  if (IN_LOOPBACK_NETNS) {
    // Function code runs only inside the loopback-only network namespace.
    await x("Invoke", { FunctionName: "parity-fn", Payload: Buffer.from('{"a":1}') });
    await x("InvokeAsync", { FunctionName: "parity-fn", InvokeArgs: '{"a":1}' });
  }

  // A function attached to a VPC: Pending until its ENIs exist, then Active.
  const vpcId: string = (await call(ec2, "ec2", "CreateVpc", { CidrBlock: "10.9.0.0/16" })).Vpc.VpcId;
  const subnet: string = (await call(ec2, "ec2", "CreateSubnet", { VpcId: vpcId, CidrBlock: "10.9.1.0/24" })).Subnet.SubnetId;
  const sg: string = (await call(ec2, "ec2", "CreateSecurityGroup", { VpcId: vpcId, GroupName: "fn", Description: "fn" })).GroupId;
  await x("CreateFunction", { ...base, FunctionName: "parity-vpc", VpcConfig: { SubnetIds: [subnet], SecurityGroupIds: [sg] } });
  await no("UpdateFunctionConfiguration", { FunctionName: "parity-vpc", Timeout: 5 }, "ResourceConflictException");
  await no("CreateFunction", { ...base, FunctionName: "parity-vpc-bad", VpcConfig: { SubnetIds: ["subnet-00000000000000000"], SecurityGroupIds: [sg] } }, "InvalidParameterValueException");
  await advanceClock(url, 600);
  await x("GetFunction", { FunctionName: "parity-vpc" });
  await x("ListFunctions");

  await x("DeleteAlias", { FunctionName: "parity-fn", Name: "live" });
  await x("DeleteFunction", { FunctionName: "parity-fn" });
  await x("DeleteFunction", { FunctionName: "parity-vpc" });
  await no("DeleteFunction", { FunctionName: "parity-fn" }, "ResourceNotFoundException");
}
