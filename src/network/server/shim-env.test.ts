import { test } from "node:test";
import assert from "node:assert/strict";
import { EnvironmentRegistry } from "./decisions.ts";
import { ShimEnvironments } from "./shim-env.ts";

const source = { account: "111111111111", region: "us-east-1", functionName: "f", version: "$LATEST" };
const url = "http://127.0.0.1:4567";

test("shim environment: the notice comes once; later invocations get the same token and variables without it", () => {
  const registry = new EnvironmentRegistry();
  const shims = new ShimEnvironments(registry);
  const first = shims.environmentFor(source, url, [4566]);
  assert.match(first.extraEnv.HYPERLOCAL_NET_NOTICE ?? "", /f connects outside any VPC/);
  const second = shims.environmentFor(source, url, [4566]);
  const third = shims.environmentFor(source, url, [4566]);
  assert.equal(second.extraEnv.HYPERLOCAL_NET_NOTICE, undefined);
  assert.equal(second.token, first.token);
  assert.deepEqual(third, second);
  assert.equal(second.extraEnv.HYPERLOCAL_NET_DENY_PORTS, "4566");
  assert.equal(second.extraEnv.HYPERLOCAL_NET_URL, "http://127.0.0.1:4567/_hyperlocal/network");
  // Another listener or port list is another answer.
  assert.equal(shims.environmentFor(source, url, []).extraEnv.HYPERLOCAL_NET_DENY_PORTS, undefined);
});

test("shim environment: a token that was unregistered is replaced, and a VPC source gets its own", () => {
  const registry = new EnvironmentRegistry();
  const shims = new ShimEnvironments(registry);
  shims.environmentFor(source, url);
  const before = shims.environmentFor(source, url);
  registry.unregister(before.token);
  const after = shims.environmentFor(source, url);
  assert.notEqual(after.token, before.token);
  assert.deepEqual(registry.get(after.token), { account: "111111111111", region: "us-east-1", functionName: "f" });
  const vpc = shims.environmentFor({ ...source, vpc: { networkInterfaceId: "eni-1", comboKey: "k", ipv6Allowed: false } }, url);
  assert.notEqual(vpc.token, after.token);
  assert.equal(vpc.extraEnv.HYPERLOCAL_AWS_NAMES_ONLY, "1");
  shims.clear();
  assert.notEqual(shims.environmentFor(source, url).token, after.token);
});
