import assert from "node:assert/strict";
import { test } from "node:test";
import { toTree } from "../../core/input-tree.ts";
import { applyFilters, matchesPattern, parseFilters, type FilterTable } from "./filters.ts";

interface R {
  id: string;
  cidrs: string[];
  isDefault: boolean;
  count: number;
  tags: Record<string, string>;
}

const items: R[] = [
  { id: "vpc-1", cidrs: ["10.0.0.0/16", "10.1.0.0/16"], isDefault: false, count: 3, tags: { Name: "prod-main", env: "prod" } },
  { id: "vpc-2", cidrs: ["172.31.0.0/16"], isDefault: true, count: 10, tags: {} },
  { id: "vpc-3", cidrs: ["10.2.0.0/16"], isDefault: false, count: 3, tags: { Name: "dev*literal", env: "dev" } },
];
const table: FilterTable<R> = {
  "vpc-id": (r) => r.id,
  cidr: (r) => r.cidrs,
  "is-default": (r) => r.isDefault,
  count: (r) => r.count,
};
const tagsOf = (r: R) => r.tags;
const ids = (xs: readonly R[]) => xs.map((x) => x.id);

function filters(query: string) {
  return parseFilters(toTree(new URLSearchParams(query)));
}

test("wildcards: * any run, ? one character, backslash escapes", () => {
  assert.ok(matchesPattern("10.*", "10.0.0.0/16"));
  assert.ok(matchesPattern("vpc-?", "vpc-1"));
  assert.ok(!matchesPattern("vpc-?", "vpc-12"));
  assert.ok(matchesPattern("*", ""));
  assert.ok(!matchesPattern("Prod*", "prod-main"), "case-sensitive");
  assert.ok(matchesPattern("dev\\*literal", "dev*literal"));
  assert.ok(!matchesPattern("dev\\*literal", "devXliteral"));
  assert.ok(matchesPattern("a.b", "a.b") && !matchesPattern("a.b", "axb"), "regex characters are literal");
});

test("filters AND, values OR, multi-valued attributes match on any value", () => {
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=cidr&Filter.1.Value.1=10.1.0.0/16"), table, tagsOf)), ["vpc-1"]);
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=vpc-id&Filter.1.Value.1=vpc-1&Filter.1.Value.2=vpc-2"), table, tagsOf)), ["vpc-1", "vpc-2"]);
  assert.deepEqual(
    ids(applyFilters(items, filters("Filter.1.Name=cidr&Filter.1.Value.1=10.*&Filter.2.Name=count&Filter.2.Value.1=3&Filter.3.Name=is-default&Filter.3.Value.1=false"), table, tagsOf)),
    ["vpc-1", "vpc-3"],
  );
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=is-default&Filter.1.Value.1=true"), table, tagsOf)), ["vpc-2"]);
  assert.deepEqual(ids(applyFilters(items, [], table, tagsOf)), ["vpc-1", "vpc-2", "vpc-3"]);
});

test("tag:Key, tag-key and tag-value", () => {
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=tag:env&Filter.1.Value.1=prod"), table, tagsOf)), ["vpc-1"]);
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=tag:Name&Filter.1.Value.1=*"), table, tagsOf)), ["vpc-1", "vpc-3"]);
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=tag-key&Filter.1.Value.1=env"), table, tagsOf)), ["vpc-1", "vpc-3"]);
  assert.deepEqual(ids(applyFilters(items, filters("Filter.1.Name=tag-value&Filter.1.Value.1=dev"), table, tagsOf)), ["vpc-3"]);
});

test("an unknown filter name is InvalidParameterValue", () => {
  assert.throws(
    () => applyFilters(items, filters("Filter.1.Name=colour&Filter.1.Value.1=red"), table, tagsOf),
    (e: Error & { code?: string }) => e.code === "InvalidParameterValue" && e.message === "The filter 'colour' is invalid",
  );
  assert.throws(() => applyFilters(items, filters("Filter.1.Name=tag:x&Filter.1.Value.1=y"), table), /The filter 'tag:x' is invalid/, "tags only where the resource has them");
});
