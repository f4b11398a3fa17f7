// Templates the CloudFormation tests and the bench deploy: the guide's VPC (two zones, public and
// private subnets, internet gateway, NAT gateway, a security group, a role with
// AWSLambdaVPCAccessExecutionRole) and Python functions in the private subnets.

/** The function's code: fetch a URL (a mapped internet name) and answer what came back. */
export const PY_FETCH = `
import json, urllib.request
def handler(event, context):
    try:
        with urllib.request.urlopen(event.get("url", "http://api.example.com/"), timeout=5) as r:
            return {"ok": True, "status": r.status, "body": r.read().decode()}
    except Exception as e:
        return {"ok": False, "error": type(e).__name__, "message": str(e)}
`;

function indent(text: string, spaces: number): string {
  return text
    .trim()
    .split("\n")
    .map((l) => " ".repeat(spaces) + l)
    .join("\n");
}

/**
 * YAML with short-form tags. `functions` Python functions (Fn, Fn2, ...) attach to the private
 * subnets, or to the "alt" private subnets when the parameter FunctionSubnets is alt.
 */
export function vpcStackTemplate(functions = 1): string {
  const fns: string[] = [];
  for (let i = 1; i <= functions; i++) {
    const id = i === 1 ? "Fn" : `Fn${i}`;
    fns.push(`
  ${id}:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt FnRole.Arn
      Timeout: 10
      Environment:
        Variables:
          STAGE: !Ref FunctionSubnets
      VpcConfig:
        SubnetIds: !If [UseAlt, [!Ref AltA, !Ref AltB], [!Ref PrivateA, !Ref PrivateB]]
        SecurityGroupIds: [!Ref FnSg]
      Code:
        ZipFile: |
${indent(PY_FETCH, 10)}`);
  }
  return `AWSTemplateFormatVersion: "2010-09-09"
Description: A VPC in two zones with a Python function in its private subnets
Parameters:
  VpcCidr:
    Type: String
    Default: 10.0.0.0/16
    AllowedPattern: '(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})/(\\d{1,2})'
  FunctionSubnets:
    Type: String
    Default: private
    AllowedValues: [private, alt]
Conditions:
  UseAlt: !Equals [!Ref FunctionSubnets, alt]
Mappings:
  Cidrs:
    Subnets: { PublicA: 10.0.0.0/24, PublicB: 10.0.1.0/24, PrivateA: 10.0.2.0/24, PrivateB: 10.0.3.0/24, AltA: 10.0.4.0/24, AltB: 10.0.5.0/24 }
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref VpcCidr
      EnableDnsSupport: true
      EnableDnsHostnames: true
      Tags: [{ Key: Name, Value: !Sub "\${AWS::StackName}-vpc" }]
  PublicA:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, PublicA], AvailabilityZone: !Select [0, !GetAZs ""], MapPublicIpOnLaunch: true }
  PublicB:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, PublicB], AvailabilityZone: !Select [1, !GetAZs ""] }
  PrivateA:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, PrivateA], AvailabilityZone: !Select [0, !GetAZs ""] }
  PrivateB:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, PrivateB], AvailabilityZone: !Select [1, !GetAZs ""] }
  AltA:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, AltA], AvailabilityZone: !Select [0, !GetAZs ""] }
  AltB:
    Type: AWS::EC2::Subnet
    Properties: { VpcId: !Ref Vpc, CidrBlock: !FindInMap [Cidrs, Subnets, AltB], AvailabilityZone: !Select [1, !GetAZs ""] }
  Igw:
    Type: AWS::EC2::InternetGateway
  IgwAttachment:
    Type: AWS::EC2::VPCGatewayAttachment
    Properties: { VpcId: !Ref Vpc, InternetGatewayId: !Ref Igw }
  PublicRt:
    Type: AWS::EC2::RouteTable
    Properties: { VpcId: !Ref Vpc }
  PublicDefault:
    Type: AWS::EC2::Route
    DependsOn: IgwAttachment
    Properties: { RouteTableId: !Ref PublicRt, DestinationCidrBlock: 0.0.0.0/0, GatewayId: !Ref Igw }
  PublicAssocA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PublicRt, SubnetId: !Ref PublicA }
  PublicAssocB:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PublicRt, SubnetId: !Ref PublicB }
  NatEip:
    Type: AWS::EC2::EIP
    DependsOn: IgwAttachment
    Properties: { Domain: vpc }
  Nat:
    Type: AWS::EC2::NatGateway
    Properties: { SubnetId: !Ref PublicA, AllocationId: !GetAtt NatEip.AllocationId }
  PrivateRt:
    Type: AWS::EC2::RouteTable
    Properties: { VpcId: !Ref Vpc }
  PrivateDefault:
    Type: AWS::EC2::Route
    Properties: { RouteTableId: !Ref PrivateRt, DestinationCidrBlock: 0.0.0.0/0, NatGatewayId: !Ref Nat }
  PrivateAssocA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PrivateRt, SubnetId: !Ref PrivateA }
  PrivateAssocB:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PrivateRt, SubnetId: !Ref PrivateB }
  AltAssocA:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PrivateRt, SubnetId: !Ref AltA }
  AltAssocB:
    Type: AWS::EC2::SubnetRouteTableAssociation
    Properties: { RouteTableId: !Ref PrivateRt, SubnetId: !Ref AltB }
  FnSg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: Security group of the function
      VpcId: !Ref Vpc
      SecurityGroupEgress: [{ IpProtocol: "-1", CidrIp: 0.0.0.0/0 }]
  FnRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]
${fns.join("\n")}
Outputs:
  FunctionName:
    Value: !Ref Fn
  VpcId:
    Value: !Ref Vpc
    Export: { Name: !Sub "\${AWS::StackName}-VpcId" }
  PrivateSubnets:
    Value: !Join [",", [!Ref PrivateA, !Ref PrivateB]]
`;
}

/**
 * Template lines (under Resources) for a role Lambda may assume and a python3.12 function `Fn` whose
 * code is `handler` inline (Code.ZipFile): what a custom resource's ServiceToken needs.
 */
export function inlinePythonFunction(handler: string): string {
  const code = handler.trim().split("\n").map((l) => `          ${l}`).join("\n");
  return `  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{ Effect: Allow, Principal: { Service: lambda.amazonaws.com }, Action: sts:AssumeRole }]
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Code:
        ZipFile: |
${code}`;
}
