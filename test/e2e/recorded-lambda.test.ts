// Lambda facts recorded against real AWS, each case naming its recording: LocalStack's AWS-validated
// snapshots (localstack/localstack tests/aws/services/lambda_/test_lambda_api.snapshot.json, marked in
// test_lambda_api.validation.json) and AWS's API reference. Our own tests, asserting the same facts.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import * as L from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { clients } from "../support/clients.ts";
import { LOCALSTACK, recordedError } from "../support/recorded.ts";
import { startTestServer } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const SNAP = `${LOCALSTACK} tests/aws/services/lambda_/test_lambda_api.snapshot.json`;
const ACCOUNT = "000000000000";
const ARN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function`;
const VPC_ACCESS = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";

describe("recorded Lambda answers", () => {
  let app: App;
  let c: ReturnType<typeof clients>;
  let role: string;
  let subnet1: string;
  let subnet2: string;
  let sg1: string;
  let sg2: string;
  let vpcId: string;
  let created: L.FunctionConfiguration;
  const zip = nodeZip(NODE_ECHO);
  const fn = (name: string, extra: Partial<L.CreateFunctionCommandInput> = {}): L.CreateFunctionCommandInput => ({
    FunctionName: name,
    Runtime: "nodejs20.x",
    Role: role,
    Handler: "index.handler",
    Code: { ZipFile: zip },
    ...extra,
  });

  before(async () => {
    app = await startTestServer();
    c = clients(app.url);
    role = (await c.iam.send(new (await import("@aws-sdk/client-iam")).CreateRoleCommand({ RoleName: "rec-role", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.iam.send(new (await import("@aws-sdk/client-iam")).AttachRolePolicyCommand({ RoleName: "rec-role", PolicyArn: VPC_ACCESS }));
    vpcId = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.20.0.0/16" }))).Vpc!.VpcId!;
    subnet1 = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.1.0/24" }))).Subnet!.SubnetId!;
    subnet2 = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpcId, CidrBlock: "10.20.2.0/24" }))).Subnet!.SubnetId!;
    sg1 = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "a", Description: "a" }))).GroupId!;
    sg2 = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: "b", Description: "b" }))).GroupId!;
    created = await c.lambda.send(new L.CreateFunctionCommand(fn("rec-vpc", { VpcConfig: { SubnetIds: [subnet1], SecurityGroupIds: [sg1] } })));
    await c.lambda.send(new L.CreateFunctionCommand(fn("rec-plain")));
    await advanceClock(app.url, 600);
  });
  after(() => app?.close());

  describe(`${SNAP} TestLambdaFunction::test_vpc_config`, () => {
    it("CreateFunction with a VpcConfig: Pending, StateReasonCode Creating, 'The function is being created.'", () => {
      assert.equal(created.State, "Pending");
      assert.equal(created.StateReasonCode, "Creating");
      assert.equal(created.StateReason, "The function is being created.");
    });
    it("the VpcConfig answered: the VpcId derived, Ipv6AllowedForDualStack false", () => {
      assert.deepEqual(created.VpcConfig, { SubnetIds: [subnet1], SecurityGroupIds: [sg1], VpcId: vpcId, Ipv6AllowedForDualStack: false });
    });
    it("defaults: Architectures [x86_64], PackageType Zip, Version $LATEST, Description ''", () => {
      assert.deepEqual(created.Architectures, ["x86_64"]);
      assert.equal(created.PackageType, "Zip");
      assert.equal(created.Version, "$LATEST");
      assert.equal(created.Description, "");
    });
    it("defaults: EphemeralStorage 512, SnapStart None/Off, TracingConfig PassThrough", () => {
      assert.deepEqual(created.EphemeralStorage, { Size: 512 });
      assert.deepEqual(created.SnapStart, { ApplyOn: "None", OptimizationStatus: "Off" });
      assert.deepEqual(created.TracingConfig, { Mode: "PassThrough" });
    });
    it("defaults: LoggingConfig Text to /aws/lambda/<name>", () => {
      assert.deepEqual(created.LoggingConfig, { LogFormat: "Text", LogGroup: "/aws/lambda/rec-vpc" });
    });
    it("GetFunction once the ENIs exist: Active, LastUpdateStatus Successful, Code.RepositoryType S3", async () => {
      const got = await c.lambda.send(new L.GetFunctionCommand({ FunctionName: "rec-vpc" }));
      assert.equal(got.Configuration!.State, "Active");
      assert.equal(got.Configuration!.LastUpdateStatus, "Successful");
      assert.equal(got.Code!.RepositoryType, "S3");
    });
    it("a new VpcConfig: State stays Active, LastUpdateStatus InProgress with reason Creating", async () => {
      const u = await c.lambda.send(new L.UpdateFunctionConfigurationCommand({ FunctionName: "rec-vpc", VpcConfig: { SubnetIds: [subnet2], SecurityGroupIds: [sg2] } }));
      assert.equal(u.State, "Active");
      assert.equal(u.LastUpdateStatus, "InProgress");
      assert.equal(u.LastUpdateStatusReason, "The function is being created.");
      assert.equal(u.LastUpdateStatusReasonCode, "Creating");
      await advanceClock(app.url, 600);
      const g = await c.lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "rec-vpc" }));
      assert.equal(g.LastUpdateStatus, "Successful");
      assert.deepEqual(g.VpcConfig!.SubnetIds, [subnet2]);
    });
    it("detaching with empty lists answers empty lists and VpcId ''", async () => {
      const u = await c.lambda.send(new L.UpdateFunctionConfigurationCommand({ FunctionName: "rec-vpc", VpcConfig: { SubnetIds: [], SecurityGroupIds: [] } }));
      assert.deepEqual(u.VpcConfig, { SubnetIds: [], SecurityGroupIds: [], VpcId: "", Ipv6AllowedForDualStack: false });
      await advanceClock(app.url, 600);
    });
  });

  describe(`${SNAP} TestLambdaFunction::test_invalid_vpc_config_subnet / _security_group`, () => {
    it("a subnet that does not exist: InvalidParameterValueException with EC2's code and text", async () => {
      const e = await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-bad-subnet", { VpcConfig: { SubnetIds: ["subnet-0123456789abcdef0"], SecurityGroupIds: [sg1] } }))),
        "InvalidParameterValueException",
        400,
        "Error occurred while DescribeSubnets. EC2 Error Code: InvalidSubnetID.NotFound. EC2 Error Message: The subnet ID 'subnet-0123456789abcdef0' does not exist",
      );
      assert.equal(e.Type, "User");
    });
    it("a subnet id of the wrong form: ValidationException naming vpcConfig.subnetIds", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-bad-subnet", { VpcConfig: { SubnetIds: ["foo-123"], SecurityGroupIds: [sg1] } }))),
        "ValidationException",
        400,
        "1 validation error detected: Value '[foo-123]' at 'vpcConfig.subnetIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: subnet-[0-9a-z]*]",
      );
    });
    it("a security group that does not exist: InvalidParameterValueException with EC2's code and text", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-bad-sg", { VpcConfig: { SubnetIds: [subnet1], SecurityGroupIds: ["sg-0123456789abcdef0"] } }))),
        "InvalidParameterValueException",
        400,
        "Error occurred while DescribeSecurityGroups. EC2 Error Code: InvalidGroup.NotFound. EC2 Error Message: The security group 'sg-0123456789abcdef0' does not exist",
      );
    });
    it("a security group id of the wrong form: ValidationException naming vpcConfig.securityGroupIds", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-bad-sg", { VpcConfig: { SubnetIds: [subnet1], SecurityGroupIds: ["foo-123"] } }))),
        "ValidationException",
        400,
        "1 validation error detected: Value '[foo-123]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: sg-[0-9a-zA-Z]*]",
      );
    });
  });

  describe(`${SNAP} TestLambdaFunction::test_create_lambda_exceptions / test_update_lambda_exceptions`, () => {
    const ROLE_TEXT = "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+";
    it("a role that is not an ARN: ValidationException with the pattern", async () => {
      await recordedError(c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Role: "r1" }))), "ValidationException", 400, ROLE_TEXT);
    });
    it("the same on UpdateFunctionConfiguration", async () => {
      await recordedError(c.lambda.send(new L.UpdateFunctionConfigurationCommand({ FunctionName: "rec-plain", Role: "r1" })), "ValidationException", 400, ROLE_TEXT);
    });
    it("an unknown runtime: InvalidParameterValueException listing the enum", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Runtime: "non-existent-runtime" as L.Runtime }))),
        "InvalidParameterValueException",
        400,
        /^Value non-existent-runtime at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[.*nodejs20\.x.*\] or be a valid ARN$/,
      );
    });
    it("runtimes are case-sensitive: PYTHON3.9 is refused the same way", async () => {
      await recordedError(c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Runtime: "PYTHON3.9" as L.Runtime }))), "InvalidParameterValueException", 400, /^Value PYTHON3\.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[/);
    });
    it("two architectures: ValidationException, length at most 1", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Architectures: ["x86_64", "arm64"] }))),
        "ValidationException",
        400,
        "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1",
      );
    });
    it("an architecture in capitals: ValidationException with the enum", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Architectures: ["X86_64" as L.Architecture] }))),
        "ValidationException",
        400,
        "1 validation error detected: Value '[X86_64]' at 'architectures' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy enum value set: [x86_64, arm64], Member must not be null]",
      );
    });
    it("a zip that is not a zip: 'Could not unzip uploaded file. Please check your file, then try to upload again.'", async () => {
      await recordedError(
        c.lambda.send(new L.CreateFunctionCommand(fn("rec-x", { Code: { ZipFile: Buffer.from("not a zip") } }))),
        "InvalidParameterValueException",
        400,
        "Could not unzip uploaded file. Please check your file, then try to upload again.",
      );
    });
  });

  describe(`${SNAP} TestLambdaFunction::test_ops_on_nonexisting_fn`, () => {
    const text = `Function not found: ${ARN}:rec-none`;
    it("GetFunction: 404 ResourceNotFoundException 'Function not found: <arn>', Type User", async () => {
      const e = await recordedError(c.lambda.send(new L.GetFunctionCommand({ FunctionName: "rec-none" })), "ResourceNotFoundException", 404, text);
      assert.equal(e.Type, "User");
    });
    it("GetFunctionConfiguration: the same", async () => {
      await recordedError(c.lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "rec-none" })), "ResourceNotFoundException", 404, text);
    });
    it("DeleteFunction: the same", async () => {
      await recordedError(c.lambda.send(new L.DeleteFunctionCommand({ FunctionName: "rec-none" })), "ResourceNotFoundException", 404, text);
    });
    it("GetFunctionConcurrency: the same", async () => {
      await recordedError(c.lambda.send(new L.GetFunctionConcurrencyCommand({ FunctionName: "rec-none" })), "ResourceNotFoundException", 404, text);
    });
  });

  describe(`${SNAP} TestLambdaReservedConcurrency::test_function_concurrency_exceptions / _limits`, () => {
    it("PutFunctionConcurrency on a missing function names its $LATEST", async () => {
      await recordedError(c.lambda.send(new L.PutFunctionConcurrencyCommand({ FunctionName: "doesnotexist", ReservedConcurrentExecutions: 1 })), "ResourceNotFoundException", 404, `Function not found: ${ARN}:doesnotexist:$LATEST`);
    });
    it("a qualified ARN is refused: functions only", async () => {
      await recordedError(
        c.lambda.send(new L.PutFunctionConcurrencyCommand({ FunctionName: `${ARN}:rec-plain:$LATEST`, ReservedConcurrentExecutions: 1 })),
        "InvalidParameterValueException",
        400,
        "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN.",
      );
    });
    it("reserving past the unreserved minimum (100): InvalidParameterValueException with the minimum", async () => {
      await recordedError(
        c.lambda.send(new L.PutFunctionConcurrencyCommand({ FunctionName: "rec-plain", ReservedConcurrentExecutions: 950 })),
        "InvalidParameterValueException",
        400,
        "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].",
      );
    });
  });

  describe(`${SNAP} TestLambdaPermissions::test_permission_exceptions`, () => {
    const add = (extra: Partial<L.AddPermissionCommandInput>) =>
      c.lambda.send(new L.AddPermissionCommand({ FunctionName: "rec-plain", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", ...extra }));
    it("a statement id outside the pattern: ValidationException", async () => {
      await recordedError(add({ StatementId: "example.com" }), "ValidationException", 400, "1 validation error detected: Value 'example.com' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)");
    });
    it("the qualifier $LATEST: 'We currently do not support adding policies for $LATEST.'", async () => {
      await recordedError(add({ Qualifier: "$LATEST" }), "InvalidParameterValueException", 400, "We currently do not support adding policies for $LATEST.");
    });
    it("GetPolicy of a function without a policy: 404 'The resource you requested does not exist.'", async () => {
      await recordedError(c.lambda.send(new L.GetPolicyCommand({ FunctionName: "rec-plain" })), "ResourceNotFoundException", 404, "The resource you requested does not exist.");
    });
    it("GetPolicy of a missing function: the same text", async () => {
      await recordedError(c.lambda.send(new L.GetPolicyCommand({ FunctionName: "doesnotexist" })), "ResourceNotFoundException", 404, "The resource you requested does not exist.");
    });
    it("AddPermission on a missing function: 'Function not found: <arn>'", async () => {
      await recordedError(add({ FunctionName: "doesnotexist" }), "ResourceNotFoundException", 404, `Function not found: ${ARN}:doesnotexist`);
    });
    it("RemovePermission with no policy: 'No policy is associated with the given resource.'", async () => {
      await recordedError(c.lambda.send(new L.RemovePermissionCommand({ FunctionName: "rec-plain", StatementId: "s3" })), "ResourceNotFoundException", 404, "No policy is associated with the given resource.");
    });
    it("RemovePermission on a missing function: 'No policy found for: <arn>'", async () => {
      await recordedError(c.lambda.send(new L.RemovePermissionCommand({ FunctionName: "doesnotexist", StatementId: "s3" })), "ResourceNotFoundException", 404, `No policy found for: ${ARN}:doesnotexist`);
    });
    it("a statement id given twice: 409 with AWS's text", async () => {
      await add({});
      await recordedError(add({}), "ResourceConflictException", 409, "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.");
      await c.lambda.send(new L.RemovePermissionCommand({ FunctionName: "rec-plain", StatementId: "s3" }));
    });
    it("an alias that does not exist: 'Cannot find alias arn: <arn>'", async () => {
      await recordedError(add({ Qualifier: "alias-doesnotexist" }), "ResourceNotFoundException", 404, `Cannot find alias arn: ${ARN}:rec-plain:alias-doesnotexist`);
    });
    it("a version that does not exist: 'Function not found: <arn>:42'", async () => {
      await recordedError(add({ Qualifier: "42" }), "ResourceNotFoundException", 404, `Function not found: ${ARN}:rec-plain:42`);
    });
  });

  describe(`${SNAP} TestLambdaTag::test_tag_exceptions[lambda_function]`, () => {
    it("TagResource on a missing function: 404 'Function not found: <arn>'", async () => {
      await recordedError(c.lambda.send(new L.TagResourceCommand({ Resource: `${ARN}:rec-none`, Tags: { a: "b" } })), "ResourceNotFoundException", 404, `Function not found: ${ARN}:rec-none`);
    });
    it("ListTags on a missing function: the same", async () => {
      await recordedError(c.lambda.send(new L.ListTagsCommand({ Resource: `${ARN}:rec-none` })), "ResourceNotFoundException", 404, `Function not found: ${ARN}:rec-none`);
    });
    it("ListTags on a qualified ARN: 'Tags on function aliases and versions are not supported. Please specify a function ARN.'", async () => {
      await recordedError(c.lambda.send(new L.ListTagsCommand({ Resource: `${ARN}:rec-plain:alias` })), "InvalidParameterValueException", 400, "Tags on function aliases and versions are not supported. Please specify a function ARN.");
    });
  });

  describe(`${SNAP} TestLambdaAlias::test_non_existent_alias_update`, () => {
    it("UpdateAlias of a missing alias: 404 'Alias not found: <arn>'", async () => {
      await recordedError(c.lambda.send(new L.UpdateAliasCommand({ FunctionName: "rec-plain", Name: "non-existent" })), "ResourceNotFoundException", 404, `Alias not found: ${ARN}:rec-plain:non-existent`);
    });
  });

  describe(`${SNAP} TestLambdaVersions::test_version_lifecycle`, () => {
    it("ListVersionsByFunction lists like ListFunctions: no State, update status or RuntimeVersionConfig", async () => {
      const list = await c.lambda.send(new L.ListVersionsByFunctionCommand({ FunctionName: "rec-plain" }));
      assert.equal(list.Versions![0].Version, "$LATEST");
      for (const v of list.Versions!) {
        for (const k of ["State", "StateReasonCode", "LastUpdateStatus", "RuntimeVersionConfig"] as const) assert.equal(v[k], undefined, `${k} must not be listed`);
        assert.deepEqual(v.SnapStart, { ApplyOn: "None", OptimizationStatus: "Off" });
      }
    });
  });

  describe(`${SNAP} TestLambdaFunction::test_list_functions (and the ListFunctions API reference)`, () => {
    it("ListFunctions leaves out State, the update status and RuntimeVersionConfig", async () => {
      const list = await c.lambda.send(new L.ListFunctionsCommand({}));
      const item = list.Functions!.find((f) => f.FunctionName === "rec-plain")!;
      for (const k of ["State", "StateReason", "StateReasonCode", "LastUpdateStatus", "LastUpdateStatusReason", "LastUpdateStatusReasonCode", "RuntimeVersionConfig"] as const) {
        assert.equal(item[k], undefined, `${k} must not be listed`);
      }
      assert.deepEqual(item.LoggingConfig, { LogFormat: "Text", LogGroup: "/aws/lambda/rec-plain" });
      const got = await c.lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "rec-plain" }));
      assert.ok(got.RuntimeVersionConfig?.RuntimeVersionArn, "GetFunction keeps RuntimeVersionConfig");
    });
    it("FunctionVersion ALL: $LATEST entries carry ':$LATEST' in their ARN, versions their number", async () => {
      await c.lambda.send(new L.PublishVersionCommand({ FunctionName: "rec-plain" }));
      const list = await c.lambda.send(new L.ListFunctionsCommand({ FunctionVersion: "ALL" }));
      const arns = list.Functions!.filter((f) => f.FunctionName === "rec-plain").map((f) => f.FunctionArn);
      assert.deepEqual(arns, [`${ARN}:rec-plain:$LATEST`, `${ARN}:rec-plain:1`]);
    });
    it("FunctionVersion other than ALL: ValidationException with the enum", async () => {
      await recordedError(c.lambda.send(new L.ListFunctionsCommand({ FunctionVersion: "invalid" as L.FunctionVersion })), "ValidationException", 400, "1 validation error detected: Value 'invalid' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum value set: [ALL]");
    });
  });
});
