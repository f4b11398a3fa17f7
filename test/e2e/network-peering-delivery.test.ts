// Real connections across a peering that leaves the function's Region or account (issue 17): a VPC
// function in us-east-1 (Node.js and Python, shim mode) opens TCP to local servers registered in a
// peered VPC of eu-west-1 and in a peered VPC of another account. Each probe is seen two ways that
// must agree: the model (GET /_hyperlocal/reachability) and the function's own outcome (data
// exchanged / ETIMEDOUT). Rows run in order on one topology (test/support/peering-world.ts): no
// route back, route back, then the peering deleted. Network safety: servers listen on 127.0.0.1;
// VPC addresses exist only in hyperlocal's model.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import type { App } from "../../src/app.ts";
import { rejects } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { scenarioCalls, type FunctionOutcome, type ModelAnswer } from "../support/network-scenario.ts";
import { ACCOUNT_B, buildPeeringWorld, PEERING_PROBES, type PeeringWorld } from "../support/peering-world.ts";
import { startTestServer } from "../support/server.ts";

const DROP_MS = 300;

/** What function code sees for each answer of the model (shim mode). */
const CODE_FOR: Record<string, string[]> = { drop: ["ETIMEDOUT"], unreachable: ["ENETUNREACH"], refuse: ["ECONNREFUSED"] };

describe("peering across Regions and accounts: a VPC function's real connections (shim)", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let w: PeeringWorld;
  const calls = scenarioCalls(() => app.url, () => w.a.lambda);

  /** The model's answer and each function's outcome for one connection; asserts that they agree. */
  const probe = async (to: string, message: string, fns = ["node-vpc", "py-vpc"]): Promise<{ model: ModelAnswer; outs: FunctionOutcome[] }> => {
    const [host, port] = to.split(":");
    const model = await calls.reach("node-vpc", to);
    const outs: FunctionOutcome[] = [];
    for (const fn of fns) {
      const out = await calls.invoke(fn, { host, port: Number(port), message });
      const why = `${fn} → ${to}: model ${model.verdict}/${model.action} ${JSON.stringify(model.reasons[0] ?? {})}, function ${JSON.stringify(out)}`;
      if (model.action === "connect") assert.equal(out.ok, true, why);
      else {
        assert.equal(out.ok, false, why);
        assert.ok(CODE_FOR[model.action]?.includes(out.error!), why);
      }
      outs.push(out);
    }
    return { model, outs };
  };

  before(async () => {
    app = await startTestServer({ dropAfterMs: DROP_MS });
    w = await buildPeeringWorld(app.url, app.config.account, PEERING_PROBES);
  });
  after(async () => {
    w?.close();
    await app?.close();
  });

  it("cross-Region, without eu-west-1's route back: dropped (the reply has no way home), and the function times out", async () => {
    const { model } = await probe("10.1.1.20:5432", "no route back");
    assert.equal(model.action, "drop");
    assert.equal(model.reasons[0].code, "NO_ROUTE_TO_DESTINATION", JSON.stringify(model.reasons));
    assert.deepEqual(model.reasons[0].component, { kind: "route-table", id: w.ids.westRtb });
    assert.deepEqual(w.westSeen, []);
  });

  it("cross-Region, routes on both sides: Node.js and Python reach the server registered in eu-west-1 and exchange data", async () => {
    await w.routeBack("west");
    const { model, outs } = await probe("10.1.1.20:5432", "across regions");
    assert.equal(model.verdict, "allow", JSON.stringify(model.reasons));
    assert.ok(model.path.some((h) => h.id === w.ids.pcxWest), JSON.stringify(model.path));
    assert.equal(model.path.at(-1)!.id, w.ids.westEni);
    assert.deepEqual(outs.map((o) => o.data), ["west:across regions", "west:across regions"]);
    assert.deepEqual(w.westSeen, ["across regions", "across regions"]);
    // An endpoint placed by address alone in the peer Region (a synthetic interface there).
    const byAddress = await probe("10.1.1.30:7000", "by address", ["node-vpc"]);
    assert.equal(byAddress.outs[0].data, "west:by address");
    // The peer's group admits only 5432.
    const ssh = await probe("10.1.1.20:22", "ssh", ["node-vpc"]);
    assert.equal(ssh.model.reasons[0].code, "ENI_SG_RULES_MISMATCH");
  });

  it("cross-account: the requester's account cannot accept; the peering shows in both accounts", async () => {
    const e = await rejects(w.a.ec2.send(new E.AcceptVpcPeeringConnectionCommand({ VpcPeeringConnectionId: w.ids.pcxB })));
    assert.equal(e.name, "OperationNotPermitted");
    assert.equal(e.message, `User ${app.config.account} cannot accept peering ${w.ids.pcxB}`);
    for (const ec2 of [w.a.ec2, w.b]) {
      const p = (await ec2.send(new E.DescribeVpcPeeringConnectionsCommand({ VpcPeeringConnectionIds: [w.ids.pcxB] }))).VpcPeeringConnections![0];
      assert.equal(p.Status!.Code, "active");
      assert.deepEqual([p.RequesterVpcInfo!.OwnerId, p.AccepterVpcInfo!.OwnerId], [app.config.account, ACCOUNT_B]);
    }
  });

  it("cross-account, without account B's route back: dropped; with it: Node.js and Python reach B's server, admitted by a rule naming A's group", async () => {
    const before = await probe("10.2.1.40:5432", "no route back", ["node-vpc"]);
    assert.equal(before.model.reasons[0].code, "NO_ROUTE_TO_DESTINATION", JSON.stringify(before.model.reasons));
    await w.routeBack("b");
    const { model, outs } = await probe("10.2.1.40:5432", "across accounts");
    assert.equal(model.verdict, "allow", JSON.stringify(model.reasons));
    assert.ok(model.path.some((h) => h.id === w.ids.pcxB), JSON.stringify(model.path));
    assert.equal(model.path.at(-1)!.id, w.ids.bEni);
    assert.deepEqual(outs.map((o) => o.data), ["b:across accounts", "b:across accounts"]);
    // From account B's side the function's VPC is reachable in the model too (the same peering, seen from B).
    const fromB = await calls.admin("GET", `reachability?eni=${w.ids.bEni}&to=10.0.3.10:443&account=${ACCOUNT_B}`);
    assert.equal(fromB.status, 200, JSON.stringify(fromB.body));
    assert.ok(fromB.body.path.some((h: { id: string }) => h.id === w.ids.pcxB), JSON.stringify(fromB.body));
  });

  it("after each peering is deleted: no connection, explained by the peering's state", async () => {
    await w.west.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: w.ids.pcxWest }));
    await w.b.send(new E.DeleteVpcPeeringConnectionCommand({ VpcPeeringConnectionId: w.ids.pcxB }));
    for (const to of ["10.1.1.20:5432", "10.2.1.40:5432"]) {
      const { model } = await probe(to, "after delete", ["node-vpc"]);
      assert.notEqual(model.verdict, "allow");
      assert.equal(model.reasons[0].code, "BAD_STATE", JSON.stringify(model.reasons));
    }
    assert.deepEqual(w.westSeen.filter((m) => m === "after delete"), []);
    assert.deepEqual(w.bSeen.filter((m) => m === "after delete"), []);
  });
});
