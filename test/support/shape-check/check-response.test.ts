// The shape check itself: it must catch what differs from the model, in each protocol.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkResponse } from "./check-response.ts";
import { botocoreAvailable, loadModel } from "./model.ts";

const SKIP = botocoreAvailable() ? false : "needs Debian's python3-botocore models";
const xml = { "content-type": "text/xml" };
const json = { "content-type": "application/json", "x-amzn-requestid": "r1" };
const problems = (service: string, op: string, status: number, headers: Record<string, string>, body: string) =>
  checkResponse(loadModel(service), op, { status, headers, body }).problems;

describe("shape check", { skip: SKIP }, () => {
  it("EC2: a correct DescribeVpcs passes; a wrong enum, type, list tag or timestamp each fail", () => {
    const vpc = (state: string, isDefault = "false", item = "item") =>
      `<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r1</requestId><vpcSet><${item}><vpcId>vpc-1</vpcId><state>${state}</state><cidrBlock>10.0.0.0/16</cidrBlock><isDefault>${isDefault}</isDefault></${item}></vpcSet></DescribeVpcsResponse>`;
    assert.deepEqual(problems("ec2", "DescribeVpcs", 200, xml, vpc("available")), []);
    assert.match(problems("ec2", "DescribeVpcs", 200, xml, vpc("ready")).join(), /not a value of enum VpcState/);
    assert.match(problems("ec2", "DescribeVpcs", 200, xml, vpc("available", "yes")).join(), /not true or false/);
    assert.match(problems("ec2", "DescribeVpcs", 200, xml, vpc("available", "false", "member")).join(), /tagged <member>/);
    const nat = `<DescribeNatGatewaysResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId><natGatewaySet><item><createTime>yesterday</createTime></item></natGatewaySet></DescribeNatGatewaysResponse>`;
    assert.match(problems("ec2", "DescribeNatGateways", 200, xml, nat).join(), /not a iso8601 timestamp/);
    assert.match(problems("ec2", "DescribeVpcs", 200, xml, vpc("available").replace("<requestId>r1</requestId>", "<bogus>1</bogus>")).join(), /no <requestId>[\s\S]*has no such member/);
  });

  it("S3 (rest-xml): body members, header types, the status, x-amz-request-id and the <Error> document", () => {
    const h = { "content-type": "application/xml", "x-amz-request-id": "r1" };
    const list = (keyCount: string, item = "Contents") =>
      `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>${keyCount}</KeyCount><IsTruncated>false</IsTruncated><${item}><Key>k</Key><Size>1</Size><LastModified>2026-01-01T00:00:00.000Z</LastModified></${item}></ListBucketResult>`;
    assert.deepEqual(problems("s3", "ListObjectsV2", 200, h, list("1")), []);
    assert.match(problems("s3", "ListObjectsV2", 200, h, list("one")).join(), /not an integer/);
    assert.match(problems("s3", "ListObjectsV2", 200, h, list("1", "Bogus")).join(), /has no such member/);
    assert.match(problems("s3", "ListObjectsV2", 200, { "content-type": "application/xml" }, list("1")).join(), /no x-amz-request-id/);
    assert.match(problems("s3", "HeadObject", 200, { ...h, "content-length": "x" }, "").join(), /not an integer/);
    assert.match(problems("s3", "DeleteObject", 200, h, "").join(), /the model says 204/);
    assert.deepEqual(problems("s3", "GetObject", 404, h, `<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><RequestId>r1</RequestId></Error>`), []);
    assert.match(problems("s3", "GetObject", 404, h, `<Error><Code>NoSuchThing</Code><Message>m</Message></Error>`).join(), /error without <RequestId>[\s\S]*neither in the s3 model/);
    assert.match(problems("s3", "GetObject", 404, h, `<ErrorResponse><Error><Code>NoSuchKey</Code></Error></ErrorResponse>`).join(), /is not <Error>/);
  });

  it("EC2 errors must be <Response><Errors><Error>", () => {
    const good = `<Response><Errors><Error><Code>InvalidVpcID.NotFound</Code><Message>The vpc ID 'vpc-1' does not exist</Message></Error></Errors><RequestID>r</RequestID></Response>`;
    assert.deepEqual(problems("ec2", "DescribeVpcs", 400, xml, good), []);
    assert.match(problems("ec2", "DescribeVpcs", 400, xml, `<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>`).join(), /not <Response><Errors><Error>/);
  });

  it("query: the Result wrapper, required members, modeled error codes, statuses and Type", () => {
    const role = (body: string) =>
      `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>${body}</Role></GetRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetRoleResponse>`;
    const full = "<Path>/</Path><RoleName>r</RoleName><RoleId>AROAXXXXXXXXXXXXXXXXX</RoleId><Arn>arn:aws:iam::000000000000:role/r</Arn><CreateDate>2024-01-01T00:00:00Z</CreateDate>";
    assert.deepEqual(problems("iam", "GetRole", 200, xml, role(full)), []);
    assert.match(problems("iam", "GetRole", 200, xml, role(full.replace(/<Arn>.*<\/Arn>/, ""))).join(), /Arn: required member of Role missing/);
    assert.match(problems("iam", "GetRole", 200, xml, role(full).replace(/GetRoleResult/g, "Result")).join(), /no <GetRoleResult>/);
    const err = (code: string, type = "Sender") => `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>${type}</Type><Code>${code}</Code><Message>m</Message></Error><RequestId>r</RequestId></ErrorResponse>`;
    assert.deepEqual(problems("iam", "GetRole", 404, xml, err("NoSuchEntity")), []);
    assert.match(problems("iam", "GetRole", 400, xml, err("NoSuchEntity")).join(), /status 400, the model says 404/);
    assert.match(problems("iam", "GetRole", 404, xml, err("NoSuchEntity", "Receiver")).join(), /the model says Sender/);
    assert.match(problems("iam", "GetRole", 400, xml, err("NoSuchRole")).join(), /neither in the iam model nor a common error/);
  });

  it("rest-json: status, required members, types, the error header and body", () => {
    const cfg = { FunctionName: "f", Timeout: 3, MemorySize: 128, State: "Active" };
    assert.deepEqual(problems("lambda", "GetFunctionConfiguration", 200, json, JSON.stringify(cfg)), []);
    assert.match(problems("lambda", "GetFunctionConfiguration", 200, json, JSON.stringify({ ...cfg, Timeout: "3" })).join(), /expected a number/);
    assert.match(problems("lambda", "GetFunctionConfiguration", 200, json, JSON.stringify({ ...cfg, State: "Ready" })).join(), /not a value of enum State/);
    assert.match(problems("lambda", "GetFunctionConfiguration", 200, json, JSON.stringify({ ...cfg, Bogus: 1 })).join(), /has no such member/);
    assert.match(problems("lambda", "CreateFunction", 200, json, JSON.stringify(cfg)).join(), /status 200, the model says 201/);
    const err = JSON.stringify({ Type: "User", Message: "Function not found: f" });
    assert.deepEqual(problems("lambda", "GetFunction", 404, { ...json, "x-amzn-errortype": "ResourceNotFoundException" }, err), []);
    assert.match(problems("lambda", "GetFunction", 404, json, err).join(), /without an x-amzn-ErrorType/);
    assert.match(problems("lambda", "GetFunction", 400, { ...json, "x-amzn-errortype": "ResourceNotFoundException" }, err).join(), /the model says 404/);
  });
});
