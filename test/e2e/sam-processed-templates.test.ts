// SAM templates through CloudFormation's change sets: `GetTemplate --template-stage Processed`
// compared resource by resource with what SAM's documented rules produce. The expected resources
// are written by hand from SAM's rules (samtranslator and its tests/translator outputs); version
// hashes are the SHA-1 of Python's json.dumps(sort_keys=True, separators=(",", ":")) of the code
// dictionary (plus Environment and MemorySize), computed once with python3 and written here.
// Nothing runs: change sets are only reviewed, so no bucket or function needs to exist.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeChangeSetCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  GetTemplateCommand,
  UpdateStackCommand,
  ValidateTemplateCommand,
  type Parameter,
} from "@aws-sdk/client-cloudformation";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { ROOT_CREDS, rejects } from "../support/clients.ts";
import { startTestServer } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";

const BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole";
const VPC = "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole";
const SAM_TAG = { Key: "lambda:createdBy", Value: "SAM" };
const TRUST = {
  Version: "2012-10-17",
  Statement: [{ Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com"] } }],
};
const role = (extra: Record<string, unknown> = {}) => ({
  Type: "AWS::IAM::Role",
  Properties: { AssumeRolePolicyDocument: TRUST, ManagedPolicyArns: [BASIC], Tags: [SAM_TAG], ...extra },
});
const roleArn = (id: string) => ({ "Fn::GetAtt": [`${id}Role`, "Arn"] });
const bucketArns = (bucket: unknown) => [
  { "Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", { bucketName: bucket }] },
  { "Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}/*", { bucketName: bucket }] },
];

interface Case {
  name: string;
  template: string;
  parameters?: Parameter[];
  expected: Record<string, unknown>;
  /** The Outputs section after the transform, when the case has one. */
  outputs?: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: "a minimal function: CodeUri as an S3 URI, the generated role with AWSLambdaBasicExecutionRole, SAM's tag",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
    },
  },
  {
    name: "CodeUri with a versionId query: S3ObjectVersion",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/path/to/app.zip?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY
      Handler: index.handler
      Runtime: nodejs20.x
`,
    expected: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Code: { S3Bucket: "code-bucket", S3Key: "path/to/app.zip", S3ObjectVersion: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] },
      },
      FnRole: role(),
    },
  },
  {
    name: "CodeUri as {Bucket, Key, Version}",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: { Bucket: code-bucket, Key: app.zip, Version: v7 }
      Handler: app.handler
      Runtime: python3.12
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip", S3ObjectVersion: "v7" }, Handler: "app.handler", Runtime: "python3.12", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
    },
  },
  {
    name: "InlineCode: Code.ZipFile",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "exports.handler = async () => 'hi';"
      Handler: index.handler
      Runtime: nodejs20.x
`,
    expected: {
      Inline: { Type: "AWS::Lambda::Function", Properties: { Code: { ZipFile: "exports.handler = async () => 'hi';" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Inline"), Tags: [SAM_TAG] } },
      InlineRole: role(),
    },
  },
  {
    name: "VpcConfig passed through (Ipv6AllowedForDualStack included); the role gains AWSLambdaVPCAccessExecutionRole",
    template: `
Transform: AWS::Serverless-2016-10-31
Parameters:
  SubnetA: { Type: String, Default: subnet-0123456789abcdef0 }
Resources:
  VpcFn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      VpcConfig:
        SubnetIds: [!Ref SubnetA]
        SecurityGroupIds: [sg-0123456789abcdef0]
        Ipv6AllowedForDualStack: true
`,
    expected: {
      VpcFn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "app.zip" },
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          Role: roleArn("VpcFn"),
          Tags: [SAM_TAG],
          VpcConfig: { SubnetIds: [{ Ref: "SubnetA" }], SecurityGroupIds: ["sg-0123456789abcdef0"], Ipv6AllowedForDualStack: true },
        },
      },
      VpcFnRole: role({ ManagedPolicyArns: [BASIC, VPC] }),
    },
  },
  {
    name: "Policies: a managed policy name, an ARN, an inline document (named <Role>Policy<index>), the basic role not repeated",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - AmazonS3ReadOnlyAccess
        - arn:aws:iam::123456789012:policy/custom
        - Statement:
            - Effect: Allow
              Action: ec2:DescribeVpcs
              Resource: "*"
        - AWSLambdaBasicExecutionRole
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role({
        ManagedPolicyArns: [BASIC, "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:iam::123456789012:policy/custom"],
        Policies: [{ PolicyName: "FnRolePolicy2", PolicyDocument: { Statement: [{ Effect: "Allow", Action: "ec2:DescribeVpcs", Resource: "*" }] } }],
      }),
    },
  },
  {
    name: "policy templates VPCAccessPolicy, S3ReadPolicy and S3CrudPolicy (a Ref kept for CloudFormation)",
    template: `
Transform: AWS::Serverless-2016-10-31
Parameters:
  DataBucket: { Type: String, Default: data-bucket }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - VPCAccessPolicy: {}
        - S3ReadPolicy: { BucketName: reports }
        - S3CrudPolicy: { BucketName: !Ref DataBucket, Ignored: extra }
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role({
        Policies: [
          {
            PolicyName: "FnRolePolicy0",
            PolicyDocument: { Statement: [{ Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"], Effect: "Allow", Resource: "*" }] },
          },
          {
            PolicyName: "FnRolePolicy1",
            PolicyDocument: { Statement: [{ Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"], Effect: "Allow", Resource: bucketArns("reports") }] },
          },
          {
            PolicyName: "FnRolePolicy2",
            PolicyDocument: {
              Statement: [
                {
                  Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"],
                  Effect: "Allow",
                  Resource: bucketArns({ Ref: "DataBucket" }),
                },
              ],
            },
          },
        ],
      }),
    },
  },
  {
    name: "policy templates AWSSecretsManagerGetSecretValuePolicy and SSMParameterReadPolicy",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - AWSSecretsManagerGetSecretValuePolicy: { SecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" }
        - SSMParameterReadPolicy: { ParameterName: app/db-host }
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role({
        Policies: [
          {
            PolicyName: "FnRolePolicy0",
            PolicyDocument: {
              Statement: [{ Action: ["secretsmanager:GetSecretValue"], Effect: "Allow", Resource: { "Fn::Sub": ["${secretArn}", { secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf" }] } }],
            },
          },
          {
            PolicyName: "FnRolePolicy1",
            PolicyDocument: {
              Statement: [
                { Action: ["ssm:DescribeParameters"], Effect: "Allow", Resource: "*" },
                {
                  Action: ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"],
                  Effect: "Allow",
                  Resource: { "Fn::Sub": ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${parameterName}", { parameterName: "app/db-host" }] },
                },
              ],
            },
          },
        ],
      }),
    },
  },
  {
    name: "Globals.Function: scalars overridden by the function, Environment and Tags merged, VpcConfig lists concatenated",
    template: `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    MemorySize: 512
    Environment: { Variables: { STAGE: prod, REGION_NAME: east } }
    Tags: { team: net }
    VpcConfig: { SubnetIds: [subnet-aaaaaaaaaaaaaaaaa], SecurityGroupIds: [sg-aaaaaaaaaaaaaaaaa] }
Resources:
  One:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/one.zip
      Handler: app.one
      Timeout: 5
      Environment: { Variables: { STAGE: test } }
      VpcConfig: { SubnetIds: [subnet-bbbbbbbbbbbbbbbbb] }
  Two:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/two.zip
      Handler: app.two
      Tags: { owner: two }
`,
    expected: {
      One: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "one.zip" },
          Handler: "app.one",
          Runtime: "python3.12",
          Timeout: 5,
          MemorySize: 512,
          Environment: { Variables: { STAGE: "test", REGION_NAME: "east" } },
          VpcConfig: { SubnetIds: ["subnet-aaaaaaaaaaaaaaaaa", "subnet-bbbbbbbbbbbbbbbbb"], SecurityGroupIds: ["sg-aaaaaaaaaaaaaaaaa"] },
          Role: roleArn("One"),
          Tags: [SAM_TAG, { Key: "team", Value: "net" }],
        },
      },
      OneRole: role({ ManagedPolicyArns: [BASIC, VPC], Tags: [SAM_TAG, { Key: "team", Value: "net" }] }),
      Two: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "two.zip" },
          Handler: "app.two",
          Runtime: "python3.12",
          Timeout: 30,
          MemorySize: 512,
          Environment: { Variables: { STAGE: "prod", REGION_NAME: "east" } },
          VpcConfig: { SubnetIds: ["subnet-aaaaaaaaaaaaaaaaa"], SecurityGroupIds: ["sg-aaaaaaaaaaaaaaaaa"] },
          Role: roleArn("Two"),
          Tags: [SAM_TAG, { Key: "team", Value: "net" }, { Key: "owner", Value: "two" }],
        },
      },
      TwoRole: role({ ManagedPolicyArns: [BASIC, VPC], Tags: [SAM_TAG, { Key: "team", Value: "net" }, { Key: "owner", Value: "two" }] }),
    },
  },
  {
    name: "AutoPublishAlias: <Function>Version<sha1 of the code>, retained; <Function>Alias<Name> pointing at it",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
      VersionDescription: first cut
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
      FnVersion441d182d1e: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" }, Description: "first cut" } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersion441d182d1e", "Version"] } } },
    },
  },
  {
    name: "AutoPublishAlias: the hash covers Environment and MemorySize; hyphens in the alias become D in its logical id",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Api2:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app-v2.zip
      Handler: index.handler
      Runtime: nodejs20.x
      MemorySize: 256
      Environment: { Variables: { STAGE: prod, DB_HOST: 10.0.1.25 } }
      AutoPublishAlias: prod-v1
`,
    expected: {
      Api2: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "app-v2.zip" },
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          MemorySize: 256,
          Environment: { Variables: { STAGE: "prod", DB_HOST: "10.0.1.25" } },
          Role: roleArn("Api2"),
          Tags: [SAM_TAG],
        },
      },
      Api2Role: role(),
      Api2Versionb2356a2723: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Api2" } } },
      Api2AliasprodDv1: { Type: "AWS::Lambda::Alias", Properties: { Name: "prod-v1", FunctionName: { Ref: "Api2" }, FunctionVersion: { "Fn::GetAtt": ["Api2Versionb2356a2723", "Version"] } } },
    },
  },
  {
    name: "AutoPublishCodeSha256: its first 10 characters are the version's suffix and it is appended to the Description",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Description: my function
      AutoPublishAlias: live
      AutoPublishCodeSha256: 6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b
`,
    expected: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "app.zip" },
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          Description: "my function 6b86b273ff34fce19d6b804eff5a3f5747ada4eaa22f1d49c01e52ddb7875b4b",
          Role: roleArn("Fn"),
          Tags: [SAM_TAG],
        },
      },
      FnRole: role(),
      FnVersion6b86b273ff: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" } } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersion6b86b273ff", "Version"] } } },
    },
  },
  {
    name: "PermissionsBoundary, RolePath and Tags: on the role, Tags on the function after SAM's own",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      PermissionsBoundary: arn:aws:iam::123456789012:policy/boundary
      RolePath: /service/
      Tags: { env: dev, empty: "" }
`,
    expected: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: {
          Code: { S3Bucket: "code-bucket", S3Key: "app.zip" },
          Handler: "index.handler",
          Runtime: "nodejs20.x",
          Role: roleArn("Fn"),
          Tags: [SAM_TAG, { Key: "env", Value: "dev" }, { Key: "empty", Value: "" }],
        },
      },
      FnRole: role({ PermissionsBoundary: "arn:aws:iam::123456789012:policy/boundary", Path: "/service/", Tags: [SAM_TAG, { Key: "env", Value: "dev" }, { Key: "empty", Value: "" }] }),
    },
  },
  {
    name: "Role given: no role generated, Policies ignored; other resources pass through untouched",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  MyRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }] }
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Role: !GetAtt MyRole.Arn
      Policies: [AmazonS3ReadOnlyAccess]
`,
    expected: {
      MyRole: {
        Type: "AWS::IAM::Role",
        Properties: { AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] } },
      },
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: { "Fn::GetAtt": ["MyRole", "Arn"] }, Tags: [SAM_TAG] },
      },
    },
  },
  {
    name: "Tracing Active: TracingConfig on the function, AWSXrayWriteOnlyAccess on the role",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Tracing: Active
`,
    expected: {
      Fn: {
        Type: "AWS::Lambda::Function",
        Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG], TracingConfig: { Mode: "Active" } },
      },
      FnRole: role({ ManagedPolicyArns: [BASIC, "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess"] }),
    },
  },
  {
    name: "parameters are resolved for the version hash only (the default here), the Ref stays in Code",
    template: `
Transform: AWS::Serverless-2016-10-31
Parameters:
  CodeKey: { Type: String, Default: builds/42.zip }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: { Bucket: code-bucket, Key: !Ref CodeKey }
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: { Ref: "CodeKey" } }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
      FnVersion3b1481b918: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" } } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersion3b1481b918", "Version"] } } },
    },
  },
  {
    name: "a parameter value given with the call changes the version's hash",
    parameters: [{ ParameterKey: "CodeKey", ParameterValue: "builds/43.zip" }],
    template: `
Transform: AWS::Serverless-2016-10-31
Parameters:
  CodeKey: { Type: String, Default: builds/42.zip }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: { Bucket: code-bucket, Key: !Ref CodeKey }
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: { Ref: "CodeKey" } }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
      FnVersiona229255c31: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" } } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersiona229255c31", "Version"] } } },
    },
  },
  {
    name: "Condition and DependsOn: the function keeps both, the generated role and alias get the Condition",
    template: `
Transform: AWS::Serverless-2016-10-31
Conditions:
  Always: !Equals [a, a]
Resources:
  Topic:
    Type: AWS::CloudFormation::WaitConditionHandle
  Fn:
    Type: AWS::Serverless::Function
    Condition: Always
    DependsOn: Topic
    Properties:
      InlineCode: "exports.handler = async () => 'v1';"
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
`,
    expected: {
      Topic: { Type: "AWS::CloudFormation::WaitConditionHandle" },
      Fn: {
        Type: "AWS::Lambda::Function",
        Condition: "Always",
        DependsOn: "Topic",
        Properties: { Code: { ZipFile: "exports.handler = async () => 'v1';" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] },
      },
      FnRole: { ...role(), Condition: "Always" },
      FnVersion062dfc02ad: { Type: "AWS::Lambda::Version", Condition: "Always", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" } } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Condition: "Always", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersion062dfc02ad", "Version"] } } },
    },
  },
  {
    name: "!Ref Fn.Alias, !GetAtt Fn.Version.Version and ${Fn.Alias} in Fn::Sub name the generated resources",
    template: `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      AutoPublishAlias: live
  Allow:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref Fn.Alias
      Principal: s3.amazonaws.com
Outputs:
  AliasArn:
    Value: !Ref Fn.Alias
  VersionNumber:
    Value: !GetAtt Fn.Version.Version
  Described:
    Value: !Sub "alias \${Fn.Alias} of \${Fn}"
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role(),
      FnVersion441d182d1e: { Type: "AWS::Lambda::Version", DeletionPolicy: "Retain", Properties: { FunctionName: { Ref: "Fn" } } },
      FnAliaslive: { Type: "AWS::Lambda::Alias", Properties: { Name: "live", FunctionName: { Ref: "Fn" }, FunctionVersion: { "Fn::GetAtt": ["FnVersion441d182d1e", "Version"] } } },
      Allow: { Type: "AWS::Lambda::Permission", Properties: { Action: "lambda:InvokeFunction", FunctionName: { Ref: "FnAliaslive" }, Principal: "s3.amazonaws.com" } },
    },
    outputs: {
      AliasArn: { Value: { Ref: "FnAliaslive" } },
      VersionNumber: { Value: { "Fn::GetAtt": ["FnVersion441d182d1e", "Version"] } },
      Described: { Value: { "Fn::Sub": "alias ${FnAliaslive} of ${Fn}" } },
    },
  },
  {
    name: "Fn::If in Policies: a conditional policy template and a conditional managed name, AWS::NoValue kept",
    template: `
Transform: AWS::Serverless-2016-10-31
Conditions:
  IsProd: !Equals [!Ref AWS::Region, us-east-1]
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://code-bucket/app.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Policies:
        - !If [IsProd, { S3ReadPolicy: { BucketName: prod-data } }, !Ref AWS::NoValue]
        - !If [IsProd, AmazonS3ReadOnlyAccess, !Ref AWS::NoValue]
`,
    expected: {
      Fn: { Type: "AWS::Lambda::Function", Properties: { Code: { S3Bucket: "code-bucket", S3Key: "app.zip" }, Handler: "index.handler", Runtime: "nodejs20.x", Role: roleArn("Fn"), Tags: [SAM_TAG] } },
      FnRole: role({
        ManagedPolicyArns: [BASIC, { "Fn::If": ["IsProd", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", { Ref: "AWS::NoValue" }] }],
        Policies: [
          {
            "Fn::If": [
              "IsProd",
              {
                PolicyName: "FnRolePolicy0",
                PolicyDocument: { Statement: [{ Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"], Effect: "Allow", Resource: bucketArns("prod-data") }] },
              },
              { Ref: "AWS::NoValue" },
            ],
          },
        ],
      }),
    },
  },
];

describe("SAM: GetTemplate --template-stage Processed equals SAM's rules, resource by resource", () => {
  let app: App;
  let cfn: CloudFormationClient;

  before(async () => {
    app = await startTestServer();
    cfn = new CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(async () => app?.close());

  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const stackName = `sam-case-${i + 1}`;
      await cfn.send(new CreateChangeSetCommand({ StackName: stackName, ChangeSetName: "review", ChangeSetType: "CREATE", TemplateBody: c.template, Capabilities: ["CAPABILITY_IAM"], Parameters: c.parameters }));
      const t = await cfn.send(new GetTemplateCommand({ StackName: stackName, ChangeSetName: "review", TemplateStage: "Processed" }));
      const processed = JSON.parse(t.TemplateBody!);
      assert.equal(processed.Transform, undefined);
      assert.equal(processed.Globals, undefined);
      assert.deepEqual(Object.keys(processed.Resources).sort(), Object.keys(c.expected).sort());
      for (const [id, want] of Object.entries(c.expected)) assert.deepEqual(processed.Resources[id], want, `resource ${id}`);
      if (c.outputs) assert.deepEqual(processed.Outputs, c.outputs);
      const original = await cfn.send(new GetTemplateCommand({ StackName: stackName, ChangeSetName: "review", TemplateStage: "Original" }));
      assert.equal(original.TemplateBody, c.template);
    });
  });

  it("the CLI's get-template --template-stage Processed shows the expansion of a stack's change set", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const r = await aws(app.url, ["cloudformation", "get-template", "--stack-name", "sam-case-5", "--change-set-name", "review", "--template-stage", "Processed"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.json.TemplateBody.Resources.VpcFnRole.Properties.ManagedPolicyArns, [BASIC, VPC]);
    assert.deepEqual(r.json.StagesAvailable, ["Original", "Processed"]);
  });
});

describe("SAM: bad templates get SAM's errors", () => {
  let app: App;
  let cfn: CloudFormationClient;
  const FN = (extra: string) => `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs20.x
${extra}`;

  before(async () => {
    app = await startTestServer();
    cfn = new CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(async () => app?.close());

  /** The reason a change set of the template FAILED with (the transform runs when it is created). */
  const failure = async (stackName: string, template: string) => {
    await cfn.send(new CreateChangeSetCommand({ StackName: stackName, ChangeSetName: "cs", ChangeSetType: "CREATE", TemplateBody: template, Capabilities: ["CAPABILITY_IAM"] }));
    const cs = await eventually(() => cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: "cs" })), (d) => d.Status !== "CREATE_PENDING");
    assert.equal(cs.Status, "FAILED");
    assert.equal(cs.ExecutionStatus, "UNAVAILABLE");
    return cs.StatusReason;
  };
  const PREFIX = "Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document. Number of errors found:";

  it("an unknown policy template: the entry SAM cannot read, by index", async () => {
    const reason = await failure("bad-policy", FN("      CodeUri: s3://b/k.zip\n      Policies:\n        - VPCAccessPolicy: {}\n        - DynamoDBEverythingPolicy: { TableName: t }\n"));
    assert.equal(reason, `${PREFIX} 1. Resource with id [Fn] is invalid. Policy at index 1 in the 'Policies' property is not valid`);
  });

  it("a policy template without its parameter", async () => {
    const reason = await failure("bad-param", FN("      CodeUri: s3://b/k.zip\n      Policies:\n        - S3ReadPolicy: {}\n"));
    assert.equal(reason, `${PREFIX} 1. Resource with id [Fn] is invalid. Following required parameters of template 'S3ReadPolicy' don't have values: ['BucketName']`);
  });

  it("missing CodeUri and InlineCode", async () => {
    const reason = await failure("no-code", FN(""));
    assert.equal(reason, `${PREFIX} 1. Resource with id [Fn] is invalid. Only one of 'InlineCode' or 'CodeUri' can be set.`);
  });

  it("a CodeUri that is not an S3 URI (a local path nobody packaged)", async () => {
    const reason = await failure("local-code", FN("      CodeUri: ./src\n"));
    assert.equal(reason, `${PREFIX} 1. Resource with id [Fn] is invalid. 'CodeUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.`);
  });

  it("events needing unserved services, and a SAM resource type hyperlocal does not expand, all named in one message", async () => {
    const template = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Get: { Type: Api, Properties: { Path: /, Method: get } }
  Queue:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k.zip
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Jobs: { Type: SQS, Properties: { Queue: arn:aws:sqs:us-east-1:123456789012:q } }
  Table:
    Type: AWS::Serverless::SimpleTable
`;
    const reason = await failure("events", template);
    assert.equal(
      reason,
      `${PREFIX} 3. Resource with id [Fn] is invalid. Event with id [Get] is invalid. Event type 'Api' is not supported by hyperlocal: it needs Amazon API Gateway, which hyperlocal does not serve. ` +
        "Resource with id [Queue] is invalid. Event with id [Jobs] is invalid. Event type 'SQS' is not supported by hyperlocal: it needs Amazon SQS, which hyperlocal does not serve. " +
        "Resource with id [Table] is invalid. Resource type 'AWS::Serverless::SimpleTable' is not supported by hyperlocal: it needs Amazon DynamoDB, which hyperlocal does not serve.",
    );
  });

  it("an unknown event type: SAM's own text", async () => {
    const reason = await failure("odd-event", FN("      CodeUri: s3://b/k.zip\n      Events:\n        E: { Type: Carrier }\n"));
    assert.equal(reason, `${PREFIX} 1. Resource with id [Fn] is invalid. Event with id [E] is invalid. Resource dict has missing or invalid value for key Type. Event Type is: Carrier.`);
  });

  it("a Globals property SAM does not accept", async () => {
    const reason = await failure("bad-globals", `Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Policies: [x]\n${FN("      CodeUri: s3://b/k.zip\n").replace("Transform: AWS::Serverless-2016-10-31\n", "")}`);
    assert.match(reason!, new RegExp(`^${PREFIX.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} 1\\. 'Globals' section is invalid\\. 'Policies' is not a supported property of 'Function'\\. Must be one of the following values - \\['Handler', 'Runtime', 'CodeUri', `));
  });

  it("CreateStack without CAPABILITY_AUTO_EXPAND: InsufficientCapabilitiesException, no stack", async () => {
    const e = await rejects(cfn.send(new CreateStackCommand({ StackName: "no-expand", TemplateBody: FN("      CodeUri: s3://b/k.zip\n"), Capabilities: ["CAPABILITY_IAM"] })));
    assert.equal(e.name, "InsufficientCapabilitiesException");
    assert.equal(e.message, "Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
    const e2 = await rejects(cfn.send(new GetTemplateCommand({ StackName: "no-expand" })));
    assert.equal(e2.name, "ValidationError");
  });

  it("CreateStack with CAPABILITY_AUTO_EXPAND but not CAPABILITY_IAM: the generated role needs it", async () => {
    const e = await rejects(cfn.send(new CreateStackCommand({ StackName: "no-iam", TemplateBody: FN("      CodeUri: s3://b/k.zip\n"), Capabilities: ["CAPABILITY_AUTO_EXPAND"] })));
    assert.equal(e.name, "InsufficientCapabilitiesException");
    assert.equal(e.message, "Requires capabilities : [CAPABILITY_IAM]");
  });

  it("CreateStack with CAPABILITY_AUTO_EXPAND creates the expanded stack; UpdateStack without it is refused", async () => {
    const body = FN("      InlineCode: \"exports.handler = async () => 'hi';\"\n");
    await cfn.send(new CreateStackCommand({ StackName: "expanded", TemplateBody: body, Capabilities: ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"] }));
    const stack = await eventually(() => cfn.send(new DescribeStacksCommand({ StackName: "expanded" })), (d) => !d.Stacks![0].StackStatus!.endsWith("IN_PROGRESS"));
    assert.equal(stack.Stacks![0].StackStatus, "CREATE_COMPLETE", stack.Stacks![0].StackStatusReason);
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: "expanded" }))).StackResources!;
    assert.deepEqual(resources.map((r) => `${r.LogicalResourceId} ${r.ResourceType}`).sort(), ["Fn AWS::Lambda::Function", "FnRole AWS::IAM::Role"]);
    const processed = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "expanded", TemplateStage: "Processed" }))).TemplateBody!);
    assert.deepEqual(processed.Resources.Fn.Properties.Code, { ZipFile: "exports.handler = async () => 'hi';" });
    assert.equal((await cfn.send(new GetTemplateCommand({ StackName: "expanded" }))).TemplateBody, body);
    const e = await rejects(cfn.send(new UpdateStackCommand({ StackName: "expanded", TemplateBody: body.replace("'hi'", "'ho'"), Capabilities: ["CAPABILITY_IAM"] })));
    assert.equal(e.name, "InsufficientCapabilitiesException");
    assert.equal(e.message, "Requires capabilities : [CAPABILITY_AUTO_EXPAND]");
    await cfn.send(new UpdateStackCommand({ StackName: "expanded", TemplateBody: body.replace("'hi'", "'ho'"), Capabilities: ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"] }));
    const updated = await eventually(() => cfn.send(new DescribeStacksCommand({ StackName: "expanded" })), (d) => !d.Stacks![0].StackStatus!.endsWith("IN_PROGRESS"));
    assert.equal(updated.Stacks![0].StackStatus, "UPDATE_COMPLETE", updated.Stacks![0].StackStatusReason);
    const after = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: "expanded", TemplateStage: "Processed" }))).TemplateBody!);
    assert.deepEqual(after.Resources.Fn.Properties.Code, { ZipFile: "exports.handler = async () => 'ho';" });
  });

  it("ValidateTemplate reports the declared transform, CAPABILITY_AUTO_EXPAND and the generated role's CAPABILITY_IAM", async () => {
    const v = await cfn.send(new ValidateTemplateCommand({ TemplateBody: FN("      CodeUri: s3://b/k.zip\n") }));
    assert.deepEqual(v.DeclaredTransforms, ["AWS::Serverless-2016-10-31"]);
    assert.deepEqual(v.Capabilities, ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]);
  });

  it("the CLI's deploy reports the failed change set with SAM's message", { skip: !hasAwsCli() && "no /usr/bin/aws" }, async () => {
    const { writeFileSync } = await import("node:fs");
    const { join } = await import("node:path");
    const { tempDir } = await import("../support/server.ts");
    const file = join(tempDir("sam-bad-"), "t.yaml");
    writeFileSync(file, FN("      CodeUri: s3://b/k.zip\n      Policies:\n        - NotARealTemplate: {}\n"));
    const r = await aws(app.url, ["cloudformation", "deploy", "--template-file", file, "--stack-name", "cli-bad", "--capabilities", "CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Transform AWS::Serverless-2016-10-31 failed with: Invalid Serverless Application Specification document\. Number of errors found: 1\. Resource with id \[Fn\] is invalid\. Policy at index 0 in the 'Policies' property is not valid/);
  });
});
