// Building blocks: wildcard matching, variable tokenizing, ARN components, IP parsing, JSON positions.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { compileArnPattern } from "./arn.ts";
import { parseJson } from "./json.ts";
import { T_LIT, T_STAR, T_VAR, tokenize } from "./variables.ts";
import { compileWildcard } from "./wildcard.ts";

describe("wildcard matching", () => {
  const rows: [string, string, boolean, boolean?][] = [
    ["*", "", true],
    ["*", "anything", true],
    ["a*", "a", true],
    ["a*", "b", false],
    ["*a", "bba", true],
    ["*a", "ab", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "aXbY", false],
    ["a?c", "abc", true],
    ["a?c", "ac", false],
    ["???", "abc", true],
    ["???", "abcd", false],
    ["*?", "", false],
    ["*?", "x", true],
    ["a**b", "ab", true],
    ["*ab*ab*", "xabyabz", true],
    ["*ab*ab*", "xabz", false],
    ["abc", "ABC", true, true],
    ["Get*", "getobject", true, true],
    ["abc", "ABC", false],
  ];
  for (const [pattern, input, expected, ignoreCase] of rows) {
    test(`${JSON.stringify(pattern)} ~ ${JSON.stringify(input)}${ignoreCase ? " (ignore case)" : ""}`, () => {
      const m = compileWildcard(pattern, ignoreCase === true);
      assert.equal(m(ignoreCase ? input.toLowerCase() : input), expected);
    });
  }
});

describe("variable tokenizing", () => {
  test("variable with default", () => {
    assert.deepEqual(tokenize("x/${aws:PrincipalTag/team, 'none'}/*", { variables: true, wildcards: true }), [
      { k: T_LIT, s: "x/" },
      { k: T_VAR, key: "aws:PrincipalTag/team", lower: "aws:principaltag/team", def: "none" },
      { k: T_LIT, s: "/" },
      { k: T_STAR },
    ]);
  });
  test("escapes become literal text", () => {
    assert.deepEqual(tokenize("${*}${?}${$}", { variables: true, wildcards: true }), [{ k: T_LIT, s: "*?$" }]);
  });
  test("an unclosed ${ stays literal", () => {
    assert.deepEqual(tokenize("a${b", { variables: true, wildcards: false }), [{ k: T_LIT, s: "a${b" }]);
  });
  test("without variables the text is literal", () => {
    assert.deepEqual(tokenize("${aws:username}", { variables: false, wildcards: false }), [{ k: T_LIT, s: "${aws:username}" }]);
  });
});

describe("ARN patterns are matched component by component", () => {
  const rows: [string, string, boolean][] = [
    ["arn:aws:s3:::b/*", "arn:aws:s3:::b/k", true],
    ["arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:us-east-1:123456789012:network-interface/eni-1", true],
    ["arn:aws:ec2:*:*:network-interface/*", "arn:aws:ec2:us-east-1:123456789012:subnet/subnet-1", false],
    ["arn:aws:*:us-*:*:*", "arn:aws:lambda:us-west-2:1:function:f", true],
    ["arn:aws:*:us-*:*:*", "arn:aws:lambda:eu-west-1:1:function:f", false],
    ["arn:aws:lambda:*:*:function:f", "arn:aws:lambda:r:a:function:f:extra", false],
    ["arn:aws:lambda:*:*:function:f*", "arn:aws:lambda:r:a:function:f:extra", true],
    ["arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/path/r", true],
    ["arn:aws:iam::*:role/*", "arn:aws:sts::123456789012:assumed-role/r/s", false],
  ];
  for (const [pattern, input, expected] of rows) {
    test(`${pattern} ~ ${input}`, () => {
      assert.equal(compileArnPattern(tokenize(pattern, { variables: true, wildcards: true }))(input, {}), expected);
    });
  }
});


describe("JSON positions", () => {
  test("objects record 1-based line/column spans", () => {
    const j = parseJson('{\n  "a": [\n    {"b": 1}\n  ]\n}');
    const inner = ((j.value as { a: unknown[] }).a)[0] as object;
    const span = j.spans.get(inner)!;
    assert.deepEqual([j.position(span.start), j.position(span.end)], [{ line: 3, column: 5 }, { line: 3, column: 13 }]);
  });
  test("__proto__ is an ordinary key", () => {
    const v = parseJson('{"__proto__": {"x": 1}}').value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ["__proto__"]);
  });
  test("strict JSON: no single quotes, no comments", () => {
    assert.throws(() => parseJson("{'a': 1}"));
    assert.throws(() => parseJson('{"a": 1 /* c */}'));
    assert.throws(() => parseJson('{"a": 01}'));
  });
});
