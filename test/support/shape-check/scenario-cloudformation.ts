import type { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { eventually } from "../zip-functions.ts";
import { call, callFails } from "./call.ts";

const NET = (cidr: string) => `Parameters:
  Cidr: { Type: String, Default: ${cidr} }
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties: { CidrBlock: !Ref Cidr, Tags: [{ Key: app, Value: parity }] }
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties: { GroupDescription: parity, VpcId: !Ref Vpc }
Outputs:
  VpcId:
    Value: !Ref Vpc
    Export: { Name: parity-vpc }
`;

const USER = `Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !ImportValue parity-vpc, CidrBlock: 10.40.1.0/24 }
`;

/** Every CloudFormation operation hyperlocal serves, once or more, successes and the usual errors. */
export async function cloudFormationScenario(cfn: CloudFormationClient): Promise<void> {
  const x = (op: string, input: object = {}) => call(cfn, "cloudformation", op, input);
  const no = (op: string, input: object, code: string) => callFails(cfn, "cloudformation", op, input, code);
  const settled = (name: string) => eventually(async () => (await x("DescribeStacks", { StackName: name })).Stacks[0], (s) => !String(s.StackStatus).endsWith("IN_PROGRESS"), 30_000);

  await x("ValidateTemplate", { TemplateBody: NET("10.40.0.0/16") });
  await no("ValidateTemplate", { TemplateBody: "Resources: [" }, "ValidationError");
  await x("GetTemplateSummary", { TemplateBody: NET("10.40.0.0/16") });
  await x("CreateStack", { StackName: "parity-net", TemplateBody: NET("10.40.0.0/16"), Tags: [{ Key: "team", Value: "parity" }] });
  await no("CreateStack", { StackName: "parity-net", TemplateBody: NET("10.40.0.0/16") }, "AlreadyExistsException");
  await settled("parity-net");
  await no("DescribeStacks", { StackName: "nobody" }, "ValidationError");
  await x("ListStacks");
  await x("DescribeStackEvents", { StackName: "parity-net" });
  await x("DescribeStackResource", { StackName: "parity-net", LogicalResourceId: "Vpc" });
  await x("DescribeStackResources", { StackName: "parity-net" });
  await x("ListStackResources", { StackName: "parity-net" });
  await x("GetTemplate", { StackName: "parity-net" });
  await x("GetTemplate", { StackName: "parity-net", TemplateStage: "Processed" });
  await x("GetTemplateSummary", { StackName: "parity-net" });
  await x("ListExports");

  await x("CreateStack", { StackName: "parity-user", TemplateBody: USER });
  await settled("parity-user");
  await x("ListImports", { ExportName: "parity-vpc" });
  await no("ListImports", { ExportName: "nothing" }, "ValidationError");

  // A change set: create, describe, list, delete; then another executed.
  await x("CreateChangeSet", { StackName: "parity-net", ChangeSetName: "cs1", UsePreviousTemplate: true, Parameters: [{ ParameterKey: "Cidr", ParameterValue: "10.41.0.0/16" }] });
  await eventually(() => x("DescribeChangeSet", { StackName: "parity-net", ChangeSetName: "cs1" }), (c) => c.Status !== "CREATE_PENDING" && c.Status !== "CREATE_IN_PROGRESS");
  await x("ListChangeSets", { StackName: "parity-net" });
  await x("GetTemplate", { StackName: "parity-net", ChangeSetName: "cs1" });
  await x("DeleteChangeSet", { StackName: "parity-net", ChangeSetName: "cs1" });
  await no("DescribeChangeSet", { StackName: "parity-net", ChangeSetName: "cs1" }, "ChangeSetNotFound");
  await x("CreateChangeSet", { StackName: "parity-net", ChangeSetName: "cs2", TemplateBody: NET("10.40.0.0/16").replace("GroupDescription: parity", "GroupDescription: parity2") });
  await eventually(() => x("DescribeChangeSet", { StackName: "parity-net", ChangeSetName: "cs2" }), (c) => c.Status === "CREATE_COMPLETE");
  await x("ExecuteChangeSet", { StackName: "parity-net", ChangeSetName: "cs2" });
  await settled("parity-net");

  await x("UpdateStack", { StackName: "parity-net", UsePreviousTemplate: true, Tags: [{ Key: "team", Value: "parity2" }] });
  await settled("parity-net");
  await no("UpdateStack", { StackName: "parity-net", UsePreviousTemplate: true, Tags: [{ Key: "team", Value: "parity2" }] }, "ValidationError");
  await no("CancelUpdateStack", { StackName: "parity-net" }, "ValidationError");
  await no("ContinueUpdateRollback", { StackName: "parity-net" }, "ValidationError");
  await x("UpdateTerminationProtection", { StackName: "parity-user", EnableTerminationProtection: true });
  await no("DeleteStack", { StackName: "parity-user" }, "ValidationError");
  await x("UpdateTerminationProtection", { StackName: "parity-user", EnableTerminationProtection: false });
  await x("DeleteStack", { StackName: "parity-user" });
  await eventually(() => x("ListStacks", { StackStatusFilter: ["DELETE_COMPLETE"] }), (r) => r.StackSummaries.some((s: { StackName: string }) => s.StackName === "parity-user"));
  await x("DeleteStack", { StackName: "parity-net" });
}
