// The peering delivery rows of network-peering-delivery.test.ts in --network kernel: the function
// code runs in its Hyperplane ENI's network namespace and the kernel (routes, nftables) carries the
// connection across the cross-Region and the cross-account peering to the peer's interface
// namespace, whose relay hands it to the local server. Drop = no answer within the handler's socket
// timeout. Skips unless run inside the loopback-only test namespace with kernel support.
// Network safety: servers listen on 127.0.0.1; VPC addresses exist only in namespaces hyperlocal
// creates inside the test's own loopback-only namespace.
import assert from "node:assert/strict";
import { readlinkSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { kernelSupport } from "../../src/network/kernel/index.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { scenarioCalls, type FunctionOutcome } from "../support/network-scenario.ts";
import { buildPeeringWorld, PEERING_PROBES, type PeeringWorld } from "../support/peering-world.ts";
import { startTestServer } from "../support/server.ts";

const support = kernelSupport();
const SKIP = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : !support.ok ? `no kernel network support: ${support.reason}` : false;
/** A dropped packet shows as no answer within this (Node.js probe). */
const SOCKET_TIMEOUT_MS = 1000;
const FAILED = ["HANDLER_TIMEOUT", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH"];

describe("--network kernel: real connections across a cross-Region and a cross-account peering", { skip: SKIP }, () => {
  let app: App;
  let w: PeeringWorld;
  const invoke = (fn: string, event: unknown): Promise<FunctionOutcome> => scenarioCalls(() => app.url, () => w.a.lambda).invoke(fn, event);
  const reach = (to: string) => scenarioCalls(() => app.url, () => w.a.lambda).reach("node-vpc", to);

  before(async () => {
    app = await startTestServer({ network: "kernel" });
    w = await buildPeeringWorld(app.url, app.config.account, PEERING_PROBES);
  });
  after(async () => {
    w?.close();
    await app?.close();
  });

  it("cross-Region without eu-west-1's route back: no answer (the reply is dropped on the peer side)", async () => {
    assert.equal((await reach("10.1.1.20:5432")).verdict, "drop");
    const out = await invoke("node-vpc", { host: "10.1.1.20", port: 5432, message: "no route back", timeoutMs: SOCKET_TIMEOUT_MS });
    assert.equal(out.ok, false, JSON.stringify(out));
    assert.ok(["HANDLER_TIMEOUT", "ETIMEDOUT"].includes(out.error!), JSON.stringify(out));
    assert.ok(!w.westSeen.includes("no route back"));
  });

  it("cross-Region with routes on both sides: Node.js and Python in their ENI's namespace reach the eu-west-1 server; port 22 gets no answer", async () => {
    await w.routeBack("west");
    assert.equal((await reach("10.1.1.20:5432")).verdict, "allow");
    const node = await invoke("node-vpc", { host: "10.1.1.20", port: 5432, message: "kernel across regions" });
    assert.deepEqual([node.ok, node.data], [true, "west:kernel across regions"], JSON.stringify(node));
    assert.ok(node.netns && node.netns !== readlinkSync("/proc/self/ns/net"), `the function runs in another network namespace: ${node.netns}`);
    const py = await invoke("py-vpc", { host: "10.1.1.20", port: 5432, message: "kernel python" });
    assert.deepEqual([py.ok, py.data], [true, "west:kernel python"], JSON.stringify(py));
    const byAddress = await invoke("node-vpc", { host: "10.1.1.30", port: 7000, message: "kernel by address" });
    assert.deepEqual([byAddress.ok, byAddress.data], [true, "west:kernel by address"], JSON.stringify(byAddress));
    const ssh = await invoke("node-vpc", { host: "10.1.1.20", port: 22, timeoutMs: SOCKET_TIMEOUT_MS });
    assert.equal(ssh.ok, false, JSON.stringify(ssh));
  });

  it("cross-account with account B's route back: the function reaches B's server", async () => {
    await w.routeBack("b");
    assert.equal((await reach("10.2.1.40:5432")).verdict, "allow");
    const out = await invoke("node-vpc", { host: "10.2.1.40", port: 5432, message: "kernel across accounts" });
    assert.deepEqual([out.ok, out.data], [true, "b:kernel across accounts"], JSON.stringify(out));
  });

  it("after the peerings are deleted: no connection to either peer", async () => {
    await w.west.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: w.ids.pcxWest }));
    await w.b.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: w.ids.pcxB }));
    for (const host of ["10.1.1.20", "10.2.1.40"]) {
      const out = await invoke("node-vpc", { host, port: 5432, message: "kernel after delete", timeoutMs: SOCKET_TIMEOUT_MS });
      assert.equal(out.ok, false, `${host}: ${JSON.stringify(out)}`);
      assert.ok(FAILED.includes(out.error!), JSON.stringify(out));
    }
    assert.ok(!w.westSeen.includes("kernel after delete") && !w.bSeen.includes("kernel after delete"));
  });
});
