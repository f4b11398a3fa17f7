// Policy validation: what IAM refuses with MalformedPolicyDocument, and what it accepts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compilePolicy } from "./compile.ts";
import { PolicyParseError } from "./errors.ts";
import type { PolicyKind } from "./types.ts";

const V = '"Version": "2012-10-17"';
const stmt = (body: string): string => `{${V}, "Statement": ${body}}`;
const ALLOW = '"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"';

describe("refused documents (MalformedPolicyDocument)", () => {
  const rows: [string, string, PolicyKind, RegExp][] = [
    ["malformed JSON", "{", "identity", /^Syntax errors in policy\.$/],
    ["trailing comma", stmt(`[{${ALLOW},}]`), "identity", /^Syntax errors in policy\.$/],
    ["not an object", '["a"]', "identity", /^Syntax errors in policy\.$/],
    ["empty text", "", "identity", /^Syntax errors in policy\.$/],
    ["data after the document", `${stmt(`{${ALLOW}}`)} x`, "identity", /^Syntax errors in policy\.$/],
    ["unknown Version", `{"Version": "2012-10-18", "Statement": {${ALLOW}}}`, "identity", /legacy parsing/],
    ["Version is not a string", `{"Version": 2012, "Statement": {${ALLOW}}}`, "identity", /legacy parsing/],
    ["unknown top-level element", `{${V}, "Statment": {${ALLOW}}}`, "identity", /^Syntax errors in policy\.$/],
    ["missing Statement", `{${V}}`, "identity", /^Syntax errors in policy\.$/],
    ["statement is not an object", stmt('["x"]'), "identity", /^Syntax errors in policy\.$/],
    ["unknown statement element", stmt(`{${ALLOW}, "Conditions": {}}`), "identity", /^Syntax errors in policy\.$/],
    ["missing Effect", stmt('{"Action": "s3:*", "Resource": "*"}'), "identity", /Effect/],
    ["invalid Effect", stmt('{"Effect": "Permit", "Action": "s3:*", "Resource": "*"}'), "identity", /Invalid effect: Permit/],
    ["Effect is case-sensitive", stmt('{"Effect": "allow", "Action": "s3:*", "Resource": "*"}'), "identity", /Invalid effect/],
    ["action without a vendor", stmt('{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}'), "identity", /^Actions\/Conditions must be prefaced by a vendor, e\.g\., iam, sdb, ec2, etc\.$/],
    ["action with an empty vendor", stmt('{"Effect": "Allow", "Action": ":GetObject", "Resource": "*"}'), "identity", /prefaced by a vendor/],
    ["action vendor with bad characters", stmt('{"Effect": "Allow", "Action": "s 3:GetObject", "Resource": "*"}'), "identity", /Action vendors must match regex/],
    ["action list with one bad entry", stmt('{"Effect": "Allow", "Action": ["s3:Get*", "Get"], "Resource": "*"}'), "identity", /prefaced by a vendor/],
    ["NotAction without vendor", stmt('{"Effect": "Allow", "NotAction": "x", "Resource": "*"}'), "identity", /prefaced by a vendor/],
    ["Action and NotAction", stmt('{"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:Get*", "Resource": "*"}'), "identity", /^Syntax errors in policy\.$/],
    ["no Action", stmt('{"Effect": "Allow", "Resource": "*"}'), "identity", /^Policy statement must contain actions\.$/],
    ["empty Action list", stmt('{"Effect": "Allow", "Action": [], "Resource": "*"}'), "identity", /^Syntax errors in policy\.$/],
    ["Action is a number", stmt('{"Effect": "Allow", "Action": 5, "Resource": "*"}'), "identity", /^Syntax errors in policy\.$/],
    ["resource not an ARN", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "bucket"}'), "identity", /^Resource bucket must be in ARN format or "\*"\.$/],
    ["resource ARN with too few parts", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:bucket"}'), "identity", /must be in ARN format/],
    ["unknown partition", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:foo:s3:::b"}'), "identity", /^Partition "foo" is not valid for resource "arn:foo:s3:::b"\.$/],
    ["NotResource not an ARN", stmt('{"Effect": "Allow", "Action": "s3:*", "NotResource": "x"}'), "identity", /must be in ARN format/],
    ["no Resource in an identity policy", stmt('{"Effect": "Allow", "Action": "s3:*"}'), "identity", /^Policy statement must contain resources\.$/],
    ["no Resource in a boundary", stmt('{"Effect": "Allow", "Action": "s3:*"}'), "boundary", /must contain resources/],
    ["Resource and NotResource", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "*", "NotResource": "*"}'), "identity", /^Syntax errors in policy\.$/],
    ["Principal in an identity policy", stmt(`{${ALLOW}, "Principal": "*"}`), "identity", /^Policy document should not specify a principal\.$/],
    ["NotPrincipal in an identity policy", stmt(`{${ALLOW}, "NotPrincipal": {"AWS": "*"}}`), "identity", /should not specify a principal/],
    ["Principal in a session policy", stmt(`{${ALLOW}, "Principal": "*"}`), "session", /should not specify a principal/],
    ["Principal in a boundary", stmt(`{${ALLOW}, "Principal": "*"}`), "boundary", /should not specify a principal/],
    ["no Principal in a resource policy", stmt(`{${ALLOW}}`), "resource", /Principal/],
    ["no Principal in a trust policy", stmt('{"Effect": "Allow", "Action": "sts:AssumeRole"}'), "trust", /Principal/],
    ["Resource in a trust policy", stmt('{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}'), "trust", /prohibited field Resource/],
    ["unknown principal type", stmt('{"Effect": "Allow", "Principal": {"User": "x"}, "Action": "sts:AssumeRole"}'), "trust", /Invalid principal in policy/],
    ["bad AWS principal", stmt('{"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "sts:AssumeRole"}'), "trust", /Invalid principal in policy: "AWS":"alice"/],
    ["principal as a bare ARN string", stmt(`{"Effect": "Allow", "Principal": "arn:aws:iam::123456789012:root", "Action": "sts:AssumeRole"}`), "trust", /Invalid principal/],
    ["unknown condition operator", stmt(`{${ALLOW}, "Condition": {"StringEqualz": {"aws:username": "a"}}}`), "identity", /Invalid Condition type : StringEqualz/],
    ["Null with IfExists", stmt(`{${ALLOW}, "Condition": {"NullIfExists": {"aws:username": "true"}}}`), "identity", /Invalid Condition type/],
    ["unknown set prefix", stmt(`{${ALLOW}, "Condition": {"ForSomeValues:StringEquals": {"aws:username": "a"}}}`), "identity", /Invalid Condition type/],
    ["condition key without a vendor", stmt(`{${ALLOW}, "Condition": {"StringEquals": {"username": "a"}}}`), "identity", /prefaced by a vendor/],
    ["condition block is not an object", stmt(`{${ALLOW}, "Condition": {"StringEquals": "a"}}`), "identity", /^Syntax errors in policy\.$/],
    ["condition value is an object", stmt(`{${ALLOW}, "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}`), "identity", /^Syntax errors in policy\.$/],
    ["condition value is null", stmt(`{${ALLOW}, "Condition": {"StringEquals": {"aws:username": null}}}`), "identity", /^Syntax errors in policy\.$/],
    ["Sid with a space in an identity policy", stmt(`{"Sid": "my sid", ${ALLOW}}`), "identity", /Statement IDs \(SID\) must be alpha-numeric/],
    ["duplicate Sid", stmt(`[{"Sid": "A", ${ALLOW}}, {"Sid": "A", ${ALLOW}}]`), "identity", /^Statement IDs \(SID\) in a single policy must be unique\.$/],
    ["Sid is not a string", stmt(`{"Sid": 1, ${ALLOW}}`), "identity", /^Syntax errors in policy\.$/],
  ];
  for (const [name, text, kind, message] of rows) {
    test(name, () => {
      assert.throws(
        () => compilePolicy(text, kind),
        (e: unknown) => e instanceof PolicyParseError && e.code === "MalformedPolicyDocument" && message.test(e.message),
      );
    });
  }
});

describe("accepted documents", () => {
  const rows: [string, string, PolicyKind][] = [
    ["a single statement object", stmt(`{${ALLOW}}`), "identity"],
    ["a statement list", stmt(`[{${ALLOW}}, {${ALLOW}}]`), "identity"],
    ["an empty statement list", stmt("[]"), "identity"],
    ["Version 2008-10-17", `{"Version": "2008-10-17", "Statement": {${ALLOW}}}`, "identity"],
    ["no Version", `{"Statement": {${ALLOW}}}`, "identity"],
    ["Id element", `{${V}, "Id": "my-policy", "Statement": {${ALLOW}}}`, "identity"],
    ["Action *", stmt('{"Effect": "Allow", "Action": "*", "Resource": "*"}'), "identity"],
    ["wildcard vendor", stmt('{"Effect": "Allow", "Action": "*:Get*", "Resource": "*"}'), "identity"],
    ["wildcard partition", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:*:s3:::b"}'), "identity"],
    ["aws-cn partition", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws-cn:s3:::b"}'), "identity"],
    ["variable in Resource with a colon in its name", stmt('{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}"}'), "identity"],
    ["empty Sid", stmt(`{"Sid": "", ${ALLOW}}`), "identity"],
    ["Sid with spaces in a resource policy", stmt(`{"Sid": "allow s3", ${ALLOW}, "Principal": {"Service": "s3.amazonaws.com"}}`), "resource"],
    ["every operator family", stmt(`{${ALLOW}, "Condition": {"StringEquals": {"a:b": "x"}, "StringNotEqualsIgnoreCaseIfExists": {"a:c": "x"}, "NumericLessThanEquals": {"a:d": 1}, "DateGreaterThan": {"aws:CurrentTime": "2020-01-01"}, "Bool": {"aws:SecureTransport": true}, "BinaryEquals": {"a:e": "YQ=="}, "NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "::1"]}, "ArnNotLike": {"aws:SourceArn": "arn:aws:s3:::*"}, "Null": {"a:f": "true"}, "ForAllValues:StringLike": {"aws:TagKeys": ["a*"]}, "ForAnyValue:ArnEqualsIfExists": {"a:g": "arn:aws:s3:::b"}}}`), "identity"],
    ["numbers and booleans as condition values", stmt(`{${ALLOW}, "Condition": {"NumericEquals": {"a:n": [1, 2.5]}, "Bool": {"a:b": false}}}`), "identity"],
    ["trust policy for Lambda", '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}', "trust"],
    ["trust policy with account and role principals", `{${V}, "Statement": {"Effect": "Allow", "Principal": {"AWS": ["123456789012", "arn:aws:iam::123456789012:role/r", "arn:aws:sts::123456789012:assumed-role/r/s"]}, "Action": "sts:AssumeRole"}}`, "trust"],
    ["resource policy without Resource", `{${V}, "Statement": {"Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction"}}`, "resource"],
    ["byte-order mark before the document", `\ufeff${stmt(`{${ALLOW}}`)}`, "identity"],
    ["escaped characters in strings", stmt('{"Effect": "Allow", "Action": "s3:Get\\u004fbject", "Resource": "arn:aws:s3:::b\\/k"}'), "identity"],
  ];
  for (const [name, text, kind] of rows) {
    test(name, () => {
      const p = compilePolicy(text, kind, "id-1");
      assert.equal(p.id, "id-1");
      assert.equal(p.type, kind);
      assert.equal(typeof p.document, "object");
    });
  }
  test("no Version compiles as 2008-10-17", () => {
    assert.equal(compilePolicy(`{"Statement": {${ALLOW}}}`, "identity").version, "2008-10-17");
  });
  test("the Id element names the policy when no id is given", () => {
    assert.equal(compilePolicy(`{${V}, "Id": "doc-id", "Statement": {${ALLOW}}}`, "identity").id, "doc-id");
  });
  test("statements are split into allows and denies", () => {
    const p = compilePolicy(stmt(`[{${ALLOW}}, {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]`), "identity");
    assert.deepEqual([p.allows.length, p.denies.length, p.statements.length], [1, 1, 2]);
  });
});
