import assert from "node:assert/strict";
import { describe, it, test } from "node:test";
import type { OutputObject } from "../core/output-tree.ts";
import { escapeXml, writeXml, writeXmlBytes } from "./xml.ts";

describe("writeXml", () => {
  test("objects become elements, lists items or members, empty lists self-close, absent values vanish", () => {
    const xml = writeXml({ a: "x<y", list: [{ id: 1 }, { id: 2 }], none: [], gone: undefined, flag: false }, "item");
    assert.equal(xml, "<a>x&lt;y</a><list><item><id>1</id></item><item><id>2</id></item></list><none/><flag>false</flag>");
    assert.equal(writeXml({ m: ["a"] }, "member"), "<m><member>a</member></m>");
  });

  test("escapes the five XML specials and passes other text as it is", () => {
    assert.equal(escapeXml(`a&b<c>d"e'f`), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
    assert.equal(escapeXml("eni-0123 10.0.1.5"), "eni-0123 10.0.1.5");
  });

  test("a frozen object renders once per list style; an unfrozen one every time", () => {
    const tags: OutputObject[] = [Object.freeze({ key: "k", value: "v" })];
    const kept: OutputObject = Object.freeze({ id: "eni-1", tags: Object.freeze(tags) as OutputObject[] });
    const first = writeXml({ set: [kept] }, "item");
    assert.equal(first, "<set><item><id>eni-1</id><tags><item><key>k</key><value>v</value></item></tags></item></set>");
    assert.equal(writeXml({ set: [kept, kept] }, "item"), "<set>" + first.slice(5, -6).repeat(2) + "</set>");
    assert.equal(writeXml({ set: [kept] }, "member"), "<set><member><id>eni-1</id><tags><member><key>k</key><value>v</value></member></tags></member></set>");
    const open = { id: "eni-2" };
    assert.equal(writeXml({ x: open }, "item"), "<x><id>eni-2</id></x>");
    open.id = "eni-3";
    assert.equal(writeXml({ x: open }, "item"), "<x><id>eni-3</id></x>");
  });

  test("as bytes: the same text, kept renderings copied as bytes, text alone when nothing is kept", () => {
    const kept: OutputObject = Object.freeze({ id: "eni-1", description: "caf\u00e9 & <b>", tags: Object.freeze([Object.freeze({ key: "k", value: "\u{1F600}" })]) as unknown as OutputObject[] });
    const value: OutputObject = { set: [kept, { id: "eni-2" }, kept], next: "t" };
    const bytes = writeXmlBytes("<R>", value, "item", "</R>");
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(bytes.toString("utf8"), `<R>${writeXml(value, "item")}</R>`);
    assert.equal(bytes.toString("utf8"), "<R><set><item><id>eni-1</id><description>caf\u00e9 &amp; &lt;b&gt;</description><tags><item><key>k</key><value>\u{1F600}</value></item></tags></item><item><id>eni-2</id></item><item><id>eni-1</id><description>caf\u00e9 &amp; &lt;b&gt;</description><tags><item><key>k</key><value>\u{1F600}</value></item></tags></item></set><next>t</next></R>");
    assert.equal(writeXmlBytes("<R>", { a: "x<y" }, "item", "</R>"), "<R><a>x&lt;y</a></R>");
    // One object kept under two element names renders under each.
    assert.equal(writeXml({ a: kept, b: [kept] }, "item").split("<id>eni-1</id>").length, 3);
    assert.match(writeXml({ a: kept }, "item"), /^<a><id>eni-1<\/id>/);
  });
});

describe("xml writer", () => {
  it("writes items, members, escapes and empty lists", () => {
    assert.equal(writeXml({ vpcSet: [{ vpcId: "v<1>" }], tagSet: [], skip: undefined, n: 3, b: false }, "item"), "<vpcSet><item><vpcId>v&lt;1&gt;</vpcId></item></vpcSet><tagSet/><n>3</n><b>false</b>");
    assert.equal(writeXml({ Users: [{ UserName: "a&b" }] }, "member"), "<Users><member><UserName>a&amp;b</UserName></member></Users>");
  });
});
