import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { asList, asStringList, str, sub, toTree } from "./input-tree.ts";

describe("input tree", () => {
  it("turns EC2 flattened lists into a tree", () => {
    const t = toTree(new URLSearchParams("Action=DescribeVpcs&Filter.2.Name=b&Filter.1.Name=a&Filter.1.Value.2=y&Filter.1.Value.1=x&VpcId.10=v10&VpcId.2=v2"));
    assert.equal(str(t.Action), "DescribeVpcs");
    const filters = asList(t.Filter);
    assert.equal(filters.length, 2);
    assert.equal(str(sub(filters[0], "Name")), "a");
    assert.deepEqual(asStringList(sub(filters[0], "Value")), ["x", "y"]);
    assert.deepEqual(asStringList(t.VpcId), ["v2", "v10"]);
  });

  it("looks through .member. in IAM/STS lists", () => {
    const t = toTree(new URLSearchParams("Tags.member.1.Key=k&Tags.member.1.Value=v&PolicyArns.member.1.arn=a"));
    assert.equal(str(sub(asList(t.Tags)[0], "Key")), "k");
    assert.equal(str(sub(asList(t.PolicyArns)[0], "arn")), "a");
    assert.deepEqual(asList(undefined), []);
  });
});
