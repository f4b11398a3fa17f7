import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTemplate } from "./parse.ts";

describe("parseTemplate", () => {
  it("turns every short-form YAML tag into its long form", () => {
    const t = parseTemplate(`
Resources:
  A:
    Type: X
    Properties:
      Ref: !Ref P
      Att: !GetAtt Res.Attr.Sub
      AttList: !GetAtt [Res, Attr]
      Sub: !Sub "\${P}-x"
      SubList: !Sub ["\${x}", { x: !Ref P }]
      Join: !Join [",", [a, !Select [0, !GetAZs ""]]]
      Split: !Split [",", "a,b"]
      If: !If [C, !Base64 x, !Ref "AWS::NoValue"]
      Cond: !And [!Equals [a, b], !Or [!Not [!Condition D], !Condition E]]
      Map: !FindInMap [M, K, V]
      Cidr: !Cidr [10.0.0.0/16, 2, 8]
      Imp: !ImportValue shared
`);
    const p = JSON.parse(JSON.stringify((t.Resources as any).A.Properties));
    assert.deepEqual(p.Ref, { Ref: "P" });
    assert.deepEqual(p.Att, { "Fn::GetAtt": ["Res", "Attr.Sub"] });
    assert.deepEqual(p.AttList, { "Fn::GetAtt": ["Res", "Attr"] });
    assert.deepEqual(p.Sub, { "Fn::Sub": "${P}-x" });
    assert.deepEqual(p.SubList, { "Fn::Sub": ["${x}", { x: { Ref: "P" } }] });
    assert.deepEqual(p.Join, { "Fn::Join": [",", ["a", { "Fn::Select": [0, { "Fn::GetAZs": "" }] }]] });
    assert.deepEqual(p.Split, { "Fn::Split": [",", "a,b"] });
    assert.deepEqual(p.If, { "Fn::If": ["C", { "Fn::Base64": "x" }, { Ref: "AWS::NoValue" }] });
    assert.deepEqual(p.Cond, { "Fn::And": [{ "Fn::Equals": ["a", "b"] }, { "Fn::Or": [{ "Fn::Not": [{ Condition: "D" }] }, { Condition: "E" }] }] });
    assert.deepEqual(p.Map, { "Fn::FindInMap": ["M", "K", "V"] });
    assert.deepEqual(p.Cidr, { "Fn::Cidr": ["10.0.0.0/16", 2, 8] });
    assert.deepEqual(p.Imp, { "Fn::ImportValue": "shared" });
  });

  it("keeps user-given keys off Object.prototype", () => {
    const t = parseTemplate(`{"Resources": {"constructor": {"Type": "X"}}}`);
    assert.equal(Object.getPrototypeOf(t.Resources), null);
  });

  for (const [name, body, msg] of [
    ["broken JSON", `{"a": }`, /^Template format error: JSON not well-formed\. \(line 1, +column \d+\)$/],
    ["broken YAML", `a: [b\nc: d`, /^Template format error: YAML not well-formed\. \(line \d+, column \d+\)$/],
    ["an unknown tag", `a: !Nope x`, /^Template format error: YAML not well-formed/],
    ["a list at the top", `- a`, /^Template format error: unsupported structure\.$/],
  ] as const) {
    it(`refuses ${name}`, () => assert.throws(() => parseTemplate(body), (e: Error) => (msg as RegExp).test(e.message)));
  }
});
