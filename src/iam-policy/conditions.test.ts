// Every condition operator, table-driven: one Allow statement carrying the condition, evaluated
// against a context. Rules: IAM UG reference_policies_elements_condition_operators (missing keys,
// IfExists, Null), reference_policies_multi-value-conditions (ForAllValues / ForAnyValue),
// reference_policies_variables (policy variables).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { evaluate } from "./evaluate.ts";
import { policy, request } from "./test-support.ts";
import type { ContextValue } from "./types.ts";

// version: "none" leaves Version out of the document
type Row = [name: string, operator: string, key: string, values: unknown, context: Record<string, ContextValue>, expected: boolean, version?: string];

function run(rows: Row[]): void {
  for (const [name, operator, key, values, context, expected, version] of rows) {
    test(`${operator} ${JSON.stringify(values)} vs ${JSON.stringify(context)}: ${name}`, () => {
      const p = policy({ Effect: "Allow", Action: "svc:Act", Resource: "*", Condition: { [operator]: { [key]: values } } }, "identity", version === "none" ? null : (version ?? "2012-10-17"));
      const r = evaluate({ request: request({ context }), identityPolicies: [p] });
      assert.equal(r.decision === "Allowed", expected);
    });
  }
}

const K = "app:k";

describe("string operators", () => {
  run([
    ["exact, case-sensitive match", "StringEquals", K, "vpc-1", { [K]: "vpc-1" }, true],
    ["StringEquals is case-sensitive", "StringEquals", K, "vpc-1", { [K]: "VPC-1" }, false],
    ["several policy values are OR", "StringEquals", K, ["vpc-1", "vpc-2"], { [K]: "vpc-2" }, true],
    ["value not listed", "StringEquals", K, ["vpc-1", "vpc-2"], { [K]: "vpc-3" }, false],
    ["many policy values (set path)", "StringEquals", K, ["a", "b", "c", "d", "e", "f"], { [K]: "f" }, true],
    ["missing key: positive operator is false", "StringEquals", K, "vpc-1", {}, false],
    ["multi-valued key with single-valued operator: no match (use a set operator)", "StringEquals", K, "vpc-1", { [K]: ["vpc-1"] }, false],
    ["empty list is a null data set: like missing", "StringEquals", K, "vpc-1", { [K]: [] }, false],
    ["no wildcard in StringEquals", "StringEquals", K, "vpc-*", { [K]: "vpc-1" }, false],
    ["number policy value compared as text", "StringEquals", K, 5, { [K]: "5" }, true],
    ["condition key names are case-insensitive (policy side)", "StringEquals", "APP:K", "x", { [K]: "x" }, true],
    ["condition key names are case-insensitive (context side)", "StringEquals", K, "x", { "App:K": "x" }, true],
    ["IfExists, key missing: true", "StringEqualsIfExists", K, "vpc-1", {}, true],
    ["IfExists, key present and equal", "StringEqualsIfExists", K, "vpc-1", { [K]: "vpc-1" }, true],
    ["IfExists, key present and different: false", "StringEqualsIfExists", K, "vpc-1", { [K]: "vpc-2" }, false],
    ["negated: different value", "StringNotEquals", K, "vpc-1", { [K]: "vpc-2" }, true],
    ["negated: equal value", "StringNotEquals", K, "vpc-1", { [K]: "vpc-1" }, false],
    ["negated: value in the list", "StringNotEquals", K, ["vpc-1", "vpc-2"], { [K]: "vpc-2" }, false],
    ["negated: missing key is true", "StringNotEquals", K, "vpc-1", {}, true],
    ["negated: multi-valued key with single-valued operator matches", "StringNotEquals", K, "vpc-1", { [K]: ["vpc-1", "vpc-2"] }, true],
    ["negated IfExists: missing key true", "StringNotEqualsIfExists", K, "vpc-1", {}, true],
    ["negated IfExists: equal value false", "StringNotEqualsIfExists", K, "vpc-1", { [K]: "vpc-1" }, false],
    ["ignore case: different case matches", "StringEqualsIgnoreCase", K, "VPC-1", { [K]: "vpc-1" }, true],
    ["ignore case: different value", "StringEqualsIgnoreCase", K, "vpc-1", { [K]: "vpc-2" }, false],
    ["ignore case: missing key", "StringEqualsIgnoreCase", K, "vpc-1", {}, false],
    ["ignore case IfExists: missing key", "StringEqualsIgnoreCaseIfExists", K, "vpc-1", {}, true],
    ["negated ignore case: only case differs -> false", "StringNotEqualsIgnoreCase", K, "Vpc-1", { [K]: "vPC-1" }, false],
    ["negated ignore case: different value", "StringNotEqualsIgnoreCase", K, "vpc-1", { [K]: "vpc-9" }, true],
    ["negated ignore case: missing key", "StringNotEqualsIgnoreCase", K, "vpc-1", {}, true],
    ["like: trailing *", "StringLike", K, "team-*", { [K]: "team-blue" }, true],
    ["like: * matches the empty run", "StringLike", K, "team-*", { [K]: "team-" }, true],
    ["like: ? is exactly one character", "StringLike", K, "team-?", { [K]: "team-a" }, true],
    ["like: ? does not match two characters", "StringLike", K, "team-?", { [K]: "team-ab" }, false],
    ["like: * in the middle", "StringLike", K, "a*z", { [K]: "abcz" }, true],
    ["like: several * with backtracking", "StringLike", K, "*a*b*c", { [K]: "xxaxbxbxc" }, true],
    ["like: is case-sensitive", "StringLike", K, "team-*", { [K]: "TEAM-blue" }, false],
    ["like: without wildcards is exact", "StringLike", K, "team", { [K]: "team" }, true],
    ["like: no match", "StringLike", K, "team-*", { [K]: "other" }, false],
    ["like: values are OR", "StringLike", K, ["x*", "team-*"], { [K]: "team-1" }, true],
    ["like: missing key", "StringLike", K, "*", {}, false],
    ["like IfExists: missing key", "StringLikeIfExists", K, "team-*", {}, true],
    ["like IfExists: present mismatch", "StringLikeIfExists", K, "team-*", { [K]: "other" }, false],
    ["not like: matching value -> false", "StringNotLike", K, "team-*", { [K]: "team-red" }, false],
    ["not like: other value -> true", "StringNotLike", K, "team-*", { [K]: "ops" }, true],
    ["not like: missing key -> true", "StringNotLike", K, "team-*", {}, true],
  ]);
});

describe("numeric operators", () => {
  run([
    ["equal", "NumericEquals", K, "10", { [K]: "10" }, true],
    ["equal, other spelling of the number", "NumericEquals", K, "10", { [K]: "10.0" }, true],
    ["JSON number policy value", "NumericEquals", K, 10, { [K]: "10" }, true],
    ["not equal", "NumericEquals", K, "10", { [K]: "11" }, false],
    ["non-numeric request value never matches", "NumericEquals", K, "10", { [K]: "ten" }, false],
    ["empty request value is not 0", "NumericEquals", K, "0", { [K]: "" }, false],
    ["missing key", "NumericEquals", K, "10", {}, false],
    ["values are OR", "NumericEquals", K, ["1", "2"], { [K]: "2" }, true],
    ["NotEquals: different", "NumericNotEquals", K, "10", { [K]: "11" }, true],
    ["NotEquals: equal", "NumericNotEquals", K, "10", { [K]: "10" }, false],
    ["NotEquals: missing key true", "NumericNotEquals", K, "10", {}, true],
    ["LessThan: below", "NumericLessThan", K, "10", { [K]: "9" }, true],
    ["LessThan: equal is not less", "NumericLessThan", K, "10", { [K]: "10" }, false],
    ["LessThan: negative numbers", "NumericLessThan", K, "-1", { [K]: "-2.5" }, true],
    ["LessThanEquals: equal", "NumericLessThanEquals", K, "10", { [K]: "10" }, true],
    ["LessThanEquals: above", "NumericLessThanEquals", K, "10", { [K]: "11" }, false],
    ["GreaterThan: above", "NumericGreaterThan", K, "10", { [K]: "11" }, true],
    ["GreaterThan: equal", "NumericGreaterThan", K, "10", { [K]: "10" }, false],
    ["GreaterThanEquals: equal", "NumericGreaterThanEquals", K, "10", { [K]: "10" }, true],
    ["GreaterThanEquals: below", "NumericGreaterThanEquals", K, "10", { [K]: "9" }, false],
    ["LessThanIfExists: missing key", "NumericLessThanIfExists", K, "10", {}, true],
    ["LessThanIfExists: present and above", "NumericLessThanIfExists", K, "10", { [K]: "12" }, false],
    ["policy variables are not substituted in Numeric operators", "NumericEquals", K, "${app:n}", { [K]: "5", "app:n": "5" }, false],
  ]);
});

describe("date operators", () => {
  run([
    ["equal instants in different ISO spellings", "DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T00:00:00.000Z" }, true],
    ["equal with a timezone offset", "DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T01:00:00+01:00" }, true],
    ["not equal", "DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T00:00:01Z" }, false],
    ["epoch seconds in the policy, ISO in the request", "DateLessThan", "aws:CurrentTime", "1577836800", { "aws:CurrentTime": "2019-12-31T23:59:59Z" }, true],
    ["epoch seconds in the request (aws:EpochTime)", "DateGreaterThan", "aws:EpochTime", "2020-01-01T00:00:00Z", { "aws:EpochTime": "1577836801" }, true],
    ["a time without zone designator is UTC", "DateEquals", "aws:CurrentTime", "2020-01-01T00:00:00", { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, true],
    ["date-only ISO value", "DateGreaterThanEquals", "aws:CurrentTime", "2020-01-01", { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, true],
    ["LessThan: later time", "DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2021-01-01T00:00:00Z" }, false],
    ["LessThanEquals: same instant", "DateLessThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, true],
    ["GreaterThan: same instant is not greater", "DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, false],
    ["GreaterThanEquals: earlier", "DateGreaterThanEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2019-01-01T00:00:00Z" }, false],
    ["NotEquals: different", "DateNotEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-06-01T00:00:00Z" }, true],
    ["NotEquals: same", "DateNotEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, false],
    ["NotEquals: missing key true", "DateNotEquals", "aws:CurrentTime", "2020-01-01T00:00:00Z", {}, true],
    ["invalid request date never matches", "DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", { "aws:CurrentTime": "yesterday" }, false],
    ["missing key", "DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", {}, false],
    ["IfExists: missing key", "DateLessThanIfExists", "aws:CurrentTime", "2020-01-01T00:00:00Z", {}, true],
    ["values are OR", "DateEquals", "aws:CurrentTime", ["2019-01-01T00:00:00Z", "2020-01-01T00:00:00Z"], { "aws:CurrentTime": "2020-01-01T00:00:00Z" }, true],
  ]);
});

describe("Bool, BinaryEquals", () => {
  run([
    ["true matches true", "Bool", "aws:SecureTransport", "true", { "aws:SecureTransport": "true" }, true],
    ["true does not match false", "Bool", "aws:SecureTransport", "true", { "aws:SecureTransport": "false" }, false],
    ["false matches false", "Bool", "aws:SecureTransport", "false", { "aws:SecureTransport": "false" }, true],
    ["JSON boolean policy value", "Bool", "aws:SecureTransport", true, { "aws:SecureTransport": "true" }, true],
    ["case-insensitive values", "Bool", "aws:SecureTransport", "True", { "aws:SecureTransport": "TRUE" }, true],
    ["non-boolean request value", "Bool", "aws:SecureTransport", "true", { "aws:SecureTransport": "yes" }, false],
    ["missing key", "Bool", "aws:MultiFactorAuthPresent", "false", {}, false],
    ["BoolIfExists: missing key (the documented MFA pattern)", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", {}, true],
    ["BoolIfExists: present false", "BoolIfExists", "aws:MultiFactorAuthPresent", "true", { "aws:MultiFactorAuthPresent": "false" }, false],
    ["binary: same bytes", "BinaryEquals", K, "QmluYXJ5VmFsdWVJbkJhc2U2NA==", { [K]: "QmluYXJ5VmFsdWVJbkJhc2U2NA==" }, true],
    ["binary: same bytes, padding omitted", "BinaryEquals", K, "YWJjZA==", { [K]: "YWJjZA" }, true],
    ["binary: different bytes", "BinaryEquals", K, "YWJjZA==", { [K]: "YWJjZQ==" }, false],
    ["binary: not base64", "BinaryEquals", K, "YWJjZA==", { [K]: "#not base64#" }, false],
    ["binary: missing key", "BinaryEquals", K, "YWJjZA==", {}, false],
    ["binary IfExists: missing key", "BinaryEqualsIfExists", K, "YWJjZA==", {}, true],
  ]);
});

describe("IpAddress / NotIpAddress", () => {
  const IP = "aws:SourceIp";
  run([
    ["inside an IPv4 /24", "IpAddress", IP, "203.0.113.0/24", { [IP]: "203.0.113.5" }, true],
    ["outside an IPv4 /24", "IpAddress", IP, "203.0.113.0/24", { [IP]: "203.0.114.5" }, false],
    ["bare address is a /32", "IpAddress", IP, "203.0.113.5", { [IP]: "203.0.113.5" }, true],
    ["bare address, other host", "IpAddress", IP, "203.0.113.5", { [IP]: "203.0.113.6" }, false],
    ["host bits in the CIDR are ignored", "IpAddress", IP, "10.1.2.3/8", { [IP]: "10.200.0.1" }, true],
    ["/0 matches every IPv4 address", "IpAddress", IP, "0.0.0.0/0", { [IP]: "198.51.100.1" }, true],
    ["several CIDRs are OR", "IpAddress", IP, ["192.0.2.0/24", "203.0.113.0/24"], { [IP]: "203.0.113.9" }, true],
    ["IPv6 inside", "IpAddress", IP, "2001:DB8:1234:5678::/64", { [IP]: "2001:db8:1234:5678::1" }, true],
    ["IPv6 outside", "IpAddress", IP, "2001:DB8:1234:5678::/64", { [IP]: "2001:db8:1234:5679::1" }, false],
    ["IPv6 full form", "IpAddress", IP, "2001:db8::/32", { [IP]: "2001:0db8:0000:0000:0000:0000:0000:0001" }, true],
    ["IPv4 CIDR vs IPv6 address", "IpAddress", IP, "0.0.0.0/0", { [IP]: "2001:db8::1" }, false],
    ["IPv4-mapped IPv6 request address counts as IPv4", "IpAddress", IP, "127.0.0.0/8", { [IP]: "::ffff:127.0.0.1" }, true],
    ["invalid request address", "IpAddress", IP, "0.0.0.0/0", { [IP]: "not-an-ip" }, false],
    ["octet out of range", "IpAddress", IP, "0.0.0.0/0", { [IP]: "256.1.1.1" }, false],
    ["missing key", "IpAddress", IP, "0.0.0.0/0", {}, false],
    ["IfExists: missing key", "IpAddressIfExists", IP, "203.0.113.0/24", {}, true],
    ["NotIpAddress: outside is true", "NotIpAddress", IP, "203.0.113.0/24", { [IP]: "192.0.2.1" }, true],
    ["NotIpAddress: inside is false", "NotIpAddress", IP, "203.0.113.0/24", { [IP]: "203.0.113.1" }, false],
    ["NotIpAddress: missing key is true", "NotIpAddress", IP, "203.0.113.0/24", {}, true],
    ["ForAnyValue:IpAddress over several addresses", "ForAnyValue:IpAddress", "app:ips", "10.0.0.0/8", { "app:ips": ["192.0.2.1", "10.9.9.9"] }, true],
  ]);
});

describe("ARN operators", () => {
  const SA = "aws:SourceArn";
  const F = "arn:aws:lambda:us-east-1:123456789012:function:f";
  run([
    ["ArnEquals exact", "ArnEquals", SA, F, { [SA]: F }, true],
    ["ArnEquals is case-sensitive", "ArnEquals", SA, F, { [SA]: F.replace("function:f", "function:F") }, false],
    ["ArnEquals also takes wildcards (IAM UG)", "ArnEquals", SA, "arn:aws:lambda:*:123456789012:function:*", { [SA]: F }, true],
    ["ArnLike: * in the resource part", "ArnLike", SA, "arn:aws:lambda:us-east-1:123456789012:function:*", { [SA]: F }, true],
    ["ArnLike: * in the region part", "ArnLike", SA, "arn:aws:lambda:us-*:123456789012:function:f", { [SA]: F }, true],
    ["ArnLike: ? is one character", "ArnLike", SA, "arn:aws:lambda:us-east-?:123456789012:function:f", { [SA]: F }, true],
    ["ArnLike: components are matched one by one (* does not cross a colon)", "ArnLike", SA, "arn:aws:lambda:*:function:f", { [SA]: F }, false],
    ["ArnLike: the resource part keeps its colons", "ArnLike", SA, `${F}:*`, { [SA]: `${F}:prod` }, true],
    ["ArnLike: wrong account", "ArnLike", SA, "arn:aws:lambda:*:210987654321:function:*", { [SA]: F }, false],
    ["ArnLike: * alone matches any ARN", "ArnLike", SA, "*", { [SA]: F }, true],
    ["ArnLike: request value is not an ARN", "ArnLike", SA, "arn:aws:lambda:*:*:function:*", { [SA]: "function:f" }, false],
    ["ArnLike: missing key", "ArnLike", SA, "arn:aws:lambda:*:*:function:*", {}, false],
    ["ArnLikeIfExists: missing key", "ArnLikeIfExists", SA, "arn:aws:lambda:*:*:function:*", {}, true],
    ["ArnNotEquals: other ARN", "ArnNotEquals", SA, F, { [SA]: `${F}x` }, true],
    ["ArnNotEquals: same ARN", "ArnNotEquals", SA, F, { [SA]: F }, false],
    ["ArnNotEquals: missing key", "ArnNotEquals", SA, F, {}, true],
    ["ArnNotLike: matching pattern -> false", "ArnNotLike", SA, "arn:aws:lambda:*:*:function:*", { [SA]: F }, false],
    ["ArnNotLike: other service -> true", "ArnNotLike", SA, "arn:aws:lambda:*:*:function:*", { [SA]: "arn:aws:s3:::bucket" }, true],
    ["ArnLike with a policy variable", "ArnLike", SA, "arn:aws:lambda:*:*:function:${aws:username}-*", { [SA]: "arn:aws:lambda:us-east-1:1:function:alice-api", "aws:username": "alice" }, true],
    ["ForAnyValue:ArnLike over a list", "ForAnyValue:ArnLike", "app:arns", "arn:aws:s3:::b/*", { "app:arns": ["arn:aws:s3:::a/x", "arn:aws:s3:::b/y"] }, true],
  ]);
});

describe("Null", () => {
  const V = "lambda:VpcIds";
  run([
    ["true: key absent", "Null", V, "true", {}, true],
    ["true: key present", "Null", V, "true", { [V]: "vpc-1" }, false],
    ["false: key present", "Null", V, "false", { [V]: "vpc-1" }, true],
    ["false: key absent", "Null", V, "false", {}, false],
    ["true: empty list is a null data set", "Null", V, "true", { [V]: [] }, true],
    ["false: a multi-valued key is present", "Null", "lambda:SubnetIds", "false", { "lambda:SubnetIds": ["subnet-1"] }, true],
    ["true: an empty string is still a value", "Null", V, "true", { [V]: "" }, false],
    ["JSON boolean value", "Null", V, true, {}, true],
    ["key name case-insensitive", "Null", "LAMBDA:VPCIDS", "false", { [V]: "vpc-1" }, true],
    ["a set prefix on Null is ignored", "ForAnyValue:Null", V, "true", {}, true],
  ]);
});

describe("set operators (IAM UG multi-value conditions)", () => {
  const S = "lambda:SubnetIds";
  run([
    ["ForAllValues: every value listed", "ForAllValues:StringEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-1", "subnet-2"] }, true],
    ["ForAllValues: a subset", "ForAllValues:StringEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-2"] }, true],
    ["ForAllValues: one value not listed", "ForAllValues:StringEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-1", "subnet-3"] }, false],
    ["ForAllValues: missing key returns true", "ForAllValues:StringEquals", S, ["subnet-1"], {}, true],
    ["ForAllValues: empty set returns true", "ForAllValues:StringEquals", S, ["subnet-1"], { [S]: [] }, true],
    ["ForAllValues: empty string is a null data set", "ForAllValues:StringEquals", S, ["subnet-1"], { [S]: "" }, true],
    ["ForAllValues: a single string is a one-element set", "ForAllValues:StringEquals", S, ["subnet-1"], { [S]: "subnet-1" }, true],
    ["ForAllValues: single string not listed", "ForAllValues:StringEquals", S, ["subnet-1"], { [S]: "subnet-9" }, false],
    ["ForAnyValue: one value listed", "ForAnyValue:StringEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-9", "subnet-2"] }, true],
    ["ForAnyValue: none listed", "ForAnyValue:StringEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-8", "subnet-9"] }, false],
    ["ForAnyValue: missing key returns false", "ForAnyValue:StringEquals", S, ["subnet-1"], {}, false],
    ["ForAnyValue: empty set returns false", "ForAnyValue:StringEquals", S, ["subnet-1"], { [S]: [] }, false],
    ["ForAnyValue: empty string returns false", "ForAnyValue:StringEquals", S, ["subnet-1"], { [S]: "" }, false],
    ["ForAnyValue: single string listed", "ForAnyValue:StringEquals", S, ["subnet-1"], { [S]: "subnet-1" }, true],
    ["ForAllValues:StringNotEquals: no value listed", "ForAllValues:StringNotEquals", S, ["subnet-1"], { [S]: ["subnet-2", "subnet-3"] }, true],
    ["ForAllValues:StringNotEquals: one value listed", "ForAllValues:StringNotEquals", S, ["subnet-1"], { [S]: ["subnet-1", "subnet-3"] }, false],
    ["ForAllValues:StringNotEquals: missing key true", "ForAllValues:StringNotEquals", S, ["subnet-1"], {}, true],
    ["ForAnyValue:StringNotEquals: one value not listed", "ForAnyValue:StringNotEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-1", "subnet-3"] }, true],
    ["ForAnyValue:StringNotEquals: all listed", "ForAnyValue:StringNotEquals", S, ["subnet-1", "subnet-2"], { [S]: ["subnet-1", "subnet-2"] }, false],
    ["ForAnyValue:StringNotEquals: missing key false", "ForAnyValue:StringNotEquals", S, ["subnet-1"], {}, false],
    ["ForAllValues:StringLike", "ForAllValues:StringLike", "aws:TagKeys", ["env", "cost-*"], { "aws:TagKeys": ["env", "cost-center"] }, true],
    ["ForAllValues:StringLike: one key outside", "ForAllValues:StringLike", "aws:TagKeys", ["env", "cost-*"], { "aws:TagKeys": ["env", "owner"] }, false],
    ["ForAnyValue:StringEqualsIgnoreCase", "ForAnyValue:StringEqualsIgnoreCase", "aws:TagKeys", ["Owner"], { "aws:TagKeys": ["env", "OWNER"] }, true],
    ["ForAnyValue:StringNotLike", "ForAnyValue:StringNotLike", "aws:TagKeys", ["env*"], { "aws:TagKeys": ["env1", "x"] }, true],
    ["ForAllValues:StringEqualsIfExists: missing key", "ForAllValues:StringEqualsIfExists", S, ["subnet-1"], {}, true],
    ["ForAnyValue:StringEqualsIfExists: missing key (IfExists wins)", "ForAnyValue:StringEqualsIfExists", S, ["subnet-1"], {}, true],
    ["ForAnyValue:StringEqualsIfExists: present, none listed", "ForAnyValue:StringEqualsIfExists", S, ["subnet-1"], { [S]: ["subnet-2"] }, false],
    ["ForAllValues:NumericLessThan", "ForAllValues:NumericLessThan", "app:sizes", "10", { "app:sizes": ["1", "9"] }, true],
    ["ForAllValues:NumericLessThan: one too big", "ForAllValues:NumericLessThan", "app:sizes", "10", { "app:sizes": ["1", "10"] }, false],
    ["ForAnyValue:Bool", "ForAnyValue:Bool", "app:flags", "true", { "app:flags": ["false", "true"] }, true],
    ["operator prefix is case-insensitive", "forallvalues:stringequals", S, ["subnet-1"], { [S]: ["subnet-1"] }, true],
  ]);
});

describe("policy variables in condition values (IAM UG reference_policies_variables)", () => {
  const O = "app:owner";
  run([
    ["${aws:username} resolves", "StringEquals", O, "${aws:username}", { [O]: "alice", "aws:username": "alice" }, true],
    ["${aws:username} resolves to another value", "StringEquals", O, "${aws:username}", { [O]: "bob", "aws:username": "alice" }, false],
    ["variable names are case-insensitive", "StringEquals", O, "${AWS:UserName}", { [O]: "alice", "aws:username": "alice" }, true],
    ["text around the variable", "StringEquals", O, "home/${aws:username}/", { [O]: "home/alice/", "aws:username": "alice" }, true],
    ["unresolved variable never matches", "StringEquals", O, "${aws:username}", { [O]: "" }, false],
    ["unresolved variable: negated operator matches", "StringNotEquals", O, "${aws:username}", { [O]: "alice" }, true],
    ["unresolved variable beside a literal value (OR)", "StringEquals", O, ["${aws:username}", "admin"], { [O]: "admin" }, true],
    ["default value when the key is missing", "StringEquals", O, "${aws:PrincipalTag/team, 'company-wide'}", { [O]: "company-wide" }, true],
    ["default ignored when the key is present", "StringEquals", O, "${aws:PrincipalTag/team, 'company-wide'}", { [O]: "blue", "aws:PrincipalTag/team": "blue" }, true],
    ["default without spaces", "StringEquals", O, "${aws:PrincipalTag/team,'none'}", { [O]: "none" }, true],
    ["${*} is a literal asterisk", "StringEquals", O, "a${*}b", { [O]: "a*b" }, true],
    ["${*} in StringLike is not a wildcard", "StringLike", O, "a${*}b", { [O]: "axb" }, false],
    ["${?} is a literal question mark", "StringLike", O, "what${?}", { [O]: "what?" }, true],
    ["${?} does not match other characters", "StringLike", O, "what${?}", { [O]: "whatx" }, false],
    ["${$} is a literal dollar", "StringEquals", O, "cost${$}", { [O]: "cost$" }, true],
    ["variable and wildcard in StringLike", "StringLike", O, "${aws:username}-*", { [O]: "alice-01", "aws:username": "alice" }, true],
    ["a resolved value is literal text, not a pattern", "StringLike", O, "${app:pattern}", { [O]: "abc", "app:pattern": "a*" }, false],
    ["StringEqualsIgnoreCase with a variable", "StringEqualsIgnoreCase", O, "${aws:username}", { [O]: "ALICE", "aws:username": "alice" }, true],
    ["a multi-valued key cannot be a variable", "StringEquals", O, "${app:list}", { [O]: "a", "app:list": ["a"] }, false],
    ["principal tag variable", "StringEquals", "aws:ResourceTag/team", "${aws:PrincipalTag/team}", { "aws:ResourceTag/team": "blue", "aws:PrincipalTag/team": "blue" }, true],
    ["Version 2008-10-17 does not substitute variables", "StringEquals", O, "${aws:username}", { [O]: "alice", "aws:username": "alice" }, false, "2008-10-17"],
    ["Version 2008-10-17 keeps the text literal", "StringEquals", O, "${aws:username}", { [O]: "${aws:username}" }, true, "2008-10-17"],
    ["no Version means 2008-10-17", "StringEquals", O, "${aws:username}", { [O]: "alice", "aws:username": "alice" }, false, "none"],
  ]);
});

describe("several conditions", () => {
  const cases: [string, Record<string, unknown>, Record<string, ContextValue>, boolean][] = [
    ["two keys under one operator: both must hold (AND)", { StringEquals: { "app:a": "1", "app:b": "2" } }, { "app:a": "1", "app:b": "2" }, true],
    ["two keys under one operator: one fails", { StringEquals: { "app:a": "1", "app:b": "2" } }, { "app:a": "1", "app:b": "3" }, false],
    ["two operators: both must hold (AND)", { StringEquals: { "app:a": "1" }, NumericLessThan: { "app:n": "5" } }, { "app:a": "1", "app:n": "4" }, true],
    ["two operators: one fails", { StringEquals: { "app:a": "1" }, NumericLessThan: { "app:n": "5" } }, { "app:a": "1", "app:n": "6" }, false],
    ["same key under two operators", { StringLike: { "app:a": "x*" }, StringNotEquals: { "app:a": "xy" } }, { "app:a": "xz" }, true],
    ["same key under two operators, second fails", { StringLike: { "app:a": "x*" }, StringNotEquals: { "app:a": "xy" } }, { "app:a": "xy" }, false],
    ["empty Condition block", {}, {}, true],
  ];
  for (const [name, condition, context, expected] of cases) {
    test(name, () => {
      const p = policy({ Effect: "Allow", Action: "svc:Act", Resource: "*", Condition: condition });
      assert.equal(evaluate({ request: request({ context }), identityPolicies: [p] }).decision === "Allowed", expected);
    });
  }
});
