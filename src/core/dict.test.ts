import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dict, own, parseState, reviveDicts } from "./dict.ts";

const NAMES = ["constructor", "__proto__", "toString", "valueOf", "hasOwnProperty", "prototype", "__defineGetter__", "isPrototypeOf"];

describe("dict", () => {
  it("holds names that are Object.prototype members as plain keys", () => {
    const d = dict<number>();
    for (const n of NAMES) assert.equal(d[n], undefined, `${n} is absent at first`);
    NAMES.forEach((n, i) => (d[n] = i));
    NAMES.forEach((n, i) => assert.equal(d[n], i));
    assert.deepEqual(Object.keys(d), NAMES);
    assert.equal(Object.getPrototypeOf(d), null);
    assert.deepEqual(JSON.parse(JSON.stringify(d)), Object.fromEntries(NAMES.map((n, i) => [n, i])));
  });

  it("copies entries and objects, own keys only", () => {
    assert.deepEqual(Object.keys(dict([["__proto__", 1], ["a", 2]])), ["__proto__", "a"]);
    const parsed = JSON.parse('{"__proto__":{"x":1},"constructor":"c"}') as Record<string, unknown>;
    const d = dict(parsed);
    assert.deepEqual(Object.keys(d), ["__proto__", "constructor"]);
    assert.equal(Object.getPrototypeOf(d), null);
    assert.equal(({} as Record<string, unknown>).x, undefined);
  });

  it("own() never answers from a prototype", () => {
    assert.equal(own({} as Record<string, unknown>, "constructor"), undefined);
    assert.equal(own({ a: 1 }, "a"), 1);
    assert.equal(own(undefined, "a"), undefined);
  });

  it("parseState and reviveDicts make every object prototype-free, arrays stay arrays", () => {
    const text = '{"data":{"__proto__":{"toString":[{"constructor":1}]},"x":[1,{"valueOf":2}]}}';
    for (const v of [parseState(text), reviveDicts(JSON.parse(text))] as Record<string, any>[]) {
      assert.equal(Object.getPrototypeOf(v), null);
      assert.equal(Object.getPrototypeOf(v.data), null);
      assert.equal(Object.getPrototypeOf(v.data["__proto__"]), null);
      assert.ok(Array.isArray(v.data["__proto__"].toString));
      assert.equal(v.data["__proto__"].toString[0].constructor, 1);
      assert.equal(v.data.x[1].valueOf, 2);
      assert.equal(JSON.stringify(v), text);
    }
  });
});
