import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parameterRefValue, parseParameterDecls, resolveParameterValues } from "./parameters.ts";

const decls = parseParameterDecls({
  Sizes: { Type: "List<Number>", Default: "1,2" },
  Names: { Type: "CommaDelimitedList", Default: "a, b" },
  Subnets: { Type: "List<AWS::EC2::Subnet::Id>" },
  Secret: { Type: "String", NoEcho: true, MinLength: 2, ConstraintDescription: "two characters at least" },
});
const exists = (_t: string, id: string) => id === "subnet-1";

describe("parameters", () => {
  it("list types give lists to Ref; defaults apply; NoEcho is kept", () => {
    const v = resolveParameterValues(decls, [{ ParameterKey: "Subnets", ParameterValue: "subnet-1" }, { ParameterKey: "Secret", ParameterValue: "xyz" }], undefined, exists);
    assert.deepEqual(parameterRefValue(decls[0], v.Sizes), ["1", "2"]);
    assert.deepEqual(parameterRefValue(decls[1], v.Names), ["a", "b"]);
    assert.deepEqual(parameterRefValue(decls[2], v.Subnets), ["subnet-1"]);
    assert.equal(decls[3].noEcho, true);
  });

  it("checks every item of a list type, and says the constraint description", () => {
    assert.throws(() => resolveParameterValues(decls, [{ ParameterKey: "Sizes", ParameterValue: "1,x" }, { ParameterKey: "Subnets", ParameterValue: "subnet-1" }, { ParameterKey: "Secret", ParameterValue: "xy" }], undefined, exists), { message: "Parameter 'Sizes' must be a number" });
    assert.throws(
      () => resolveParameterValues(decls, [{ ParameterKey: "Subnets", ParameterValue: "subnet-1,subnet-2" }, { ParameterKey: "Secret", ParameterValue: "xy" }], undefined, exists),
      { message: "Parameter validation failed: parameter value subnet-2 for parameter name Subnets does not exist. Rephrase your request and try again." },
    );
    assert.throws(() => resolveParameterValues(decls, [{ ParameterKey: "Subnets", ParameterValue: "subnet-1" }, { ParameterKey: "Secret", ParameterValue: "x" }], undefined, exists), {
      message: "Parameter 'Secret' failed to satisfy constraint: two characters at least",
    });
  });

  it("UsePreviousValue takes the stack's value, and only for a parameter it had", () => {
    const v = resolveParameterValues(decls, [{ ParameterKey: "Subnets", UsePreviousValue: true }, { ParameterKey: "Secret", UsePreviousValue: true }], { Subnets: "subnet-1", Secret: "old" }, exists);
    assert.equal(v.Secret, "old");
    assert.throws(() => resolveParameterValues(decls, [{ ParameterKey: "Subnets", UsePreviousValue: true }], {}, exists), /Cannot specify usePreviousValue as true for a parameter key not in the previous template/);
  });
});
