import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultConfig } from "../config.ts";
import type { AwsError } from "../core/aws-error.ts";
import { SimulatedClock } from "../core/clock.ts";
import { createLogger } from "../core/logger.ts";
import { rootTestContext } from "../core/test-support.ts";
import { bindQueryService } from "../protocol/query/bind.ts";
import { createEc2Service } from "../services/ec2/index.ts";
import { Store } from "../store/store.ts";
import { Hyperplane } from "./hyperplane.ts";
import { DEFAULT_SETTINGS, type HyperplaneSettings } from "./types.ts";

const A = "000000000000";
const R = "us-east-1";

/** A real EC2 service on an in-memory store, driven through its own query handler. */
function setup(settings: Partial<HyperplaneSettings> = {}, store = new Store(), clock = new SimulatedClock()) {
  const deps = { store, clock, config: defaultConfig({ logLevel: "silent", noDefaultVpc: true }), logger: createLogger("silent") };
  const { model, internal } = createEc2Service(deps);
  const service = bindQueryService(model);
  async function ec2(action: string, params: Record<string, string> = {}): Promise<string> {
    const ctx = rootTestContext(A, R, clock, "r");
    const body = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
    try {
      const res = await service.handle({ method: "POST", rawPath: "/", query: new URLSearchParams(), headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(body) }, ctx);
      return String(res.body);
    } catch (e) {
      return String(service.renderError(e as AwsError, "r").body);
    }
  }
  const hp = new Hyperplane(internal, store, clock, { ...DEFAULT_SETTINGS, ...settings });
  return { hp, ec2, internal, clock, store };
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? "";

async function network(ec2: (a: string, p?: Record<string, string>) => Promise<string>, subnetCidr = "10.0.1.0/24") {
  const vpcId = tag(await ec2("CreateVpc", { CidrBlock: "10.0.0.0/16" }), "vpcId");
  const subnetId = tag(await ec2("CreateSubnet", { VpcId: vpcId, CidrBlock: subnetCidr }), "subnetId");
  const sg1 = tag(await ec2("CreateSecurityGroup", { VpcId: vpcId, GroupName: "one", GroupDescription: "one" }), "groupId");
  const sg2 = tag(await ec2("CreateSecurityGroup", { VpcId: vpcId, GroupName: "two", GroupDescription: "two" }), "groupId");
  return { vpcId, subnetId, sg1, sg2 };
}

const req = (user: string, subnetIds: string[], groupIds: string[], ipv6 = false) => ({ user, subnetIds, groupIds, ipv6, functionName: user, requesterId: "AROATEST:lambda" });

describe("Hyperplane ENIs", () => {
  it("share one ENI per (subnet, group set); another group set gets its own", async () => {
    const { hp, ec2, internal, clock } = await (async () => setup())();
    const n = await network(ec2);
    const free = () => internal.describeSubnet(A, R, n.subnetId)!.availableIpAddressCount;
    const before = free();
    const first = hp.attach(A, R, req("f1", [n.subnetId], [n.sg1]));
    assert.equal(first.state, "creating");
    assert.equal(free(), before - 1, "the address is taken at once");
    const second = hp.attach(A, R, req("f2", [n.subnetId], [n.sg1]));
    assert.equal(second.state, "creating", "still being created for the first user");
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const a = hp.status(A, R, req("f1", [n.subnetId], [n.sg1]));
    const b = hp.status(A, R, req("f2", [n.subnetId], [n.sg1]));
    assert.equal(a.state, "ready");
    assert.deepEqual(a, b);
    assert.equal(free(), before - 1, "shared: no second address");
    const third = hp.attach(A, R, req("f3", [n.subnetId], [n.sg2, n.sg1]));
    assert.equal(third.state, "creating");
    assert.equal(free(), before - 2);
    // Reuse is immediate once the combination exists.
    assert.equal(hp.attach(A, R, req("f4", [n.subnetId], [n.sg1])).state, "ready");
    const eni = internal.getNetworkInterface(A, R, a.state === "ready" ? a.enis[0].eniId : "")!;
    assert.equal(eni.interfaceType, "lambda");
    assert.equal(eni.requesterManaged, true);
    assert.equal(eni.instanceOwnerId, "amazon-aws");
    assert.equal(eni.status, "in-use");
    assert.equal(eni.description, "AWS Lambda VPC ENI-f1");
    clock.close();
  });

  it("fails with SubnetOutOfIPAddresses when the subnet is full, after the creation time", async () => {
    const { hp, ec2, internal, clock } = setup();
    const n = await network(ec2, "10.0.9.0/28");
    for (let i = 0; i < 11; i++) await ec2("CreateNetworkInterface", { SubnetId: n.subnetId });
    assert.equal(internal.describeSubnet(A, R, n.subnetId)!.availableIpAddressCount, 0);
    assert.equal(hp.attach(A, R, req("f", [n.subnetId], [n.sg1])).state, "creating");
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const s = hp.status(A, R, req("f", [n.subnetId], [n.sg1]));
    assert.equal(s.state, "failed");
    assert.equal(s.state === "failed" && s.reasonCode, "SubnetOutOfIPAddresses");
    clock.close();
  });

  it("releases an unused ENI only after the delay, and at once on idle reclaim", async () => {
    const { hp, ec2, internal, clock } = setup();
    const n = await network(ec2);
    hp.attach(A, R, req("f1", [n.subnetId], [n.sg1]));
    hp.attach(A, R, req("f2", [n.subnetId], [n.sg1]));
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const s = hp.status(A, R, req("f1", [n.subnetId], [n.sg1]));
    const eniId = s.state === "ready" ? s.enis[0].eniId : "";
    hp.detach(A, R, "f1");
    clock.advance(DEFAULT_SETTINGS.releaseDelayMs + 1);
    assert.ok(internal.getNetworkInterface(A, R, eniId), "f2 still uses it");
    hp.detach(A, R, "f2");
    clock.advance(DEFAULT_SETTINGS.releaseDelayMs - 1000);
    assert.ok(internal.getNetworkInterface(A, R, eniId), "not before the delay");
    const del = await ec2("DeleteSecurityGroup", { GroupId: n.sg1 });
    assert.match(del, /DependencyViolation/);
    clock.advance(1000);
    assert.equal(internal.getNetworkInterface(A, R, eniId), undefined);
    assert.doesNotMatch(await ec2("DeleteSecurityGroup", { GroupId: n.sg1 }), /Error/);

    hp.attach(A, R, req("g", [n.subnetId], [n.sg2]));
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    assert.equal(hp.combos(A, R).length, 1);
    hp.reclaim(A, R, "g");
    assert.equal(hp.combos(A, R).length, 0, "idle reclaim frees at once");
    clock.close();
  });

  it("adds ENIs past the connection capacity and removes idle extras", async () => {
    const { hp, ec2, clock } = setup({ connectionsPerEni: 2 });
    const n = await network(ec2);
    hp.attach(A, R, req("f", [n.subnetId], [n.sg1]));
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const key = hp.combos(A, R)[0].key;
    const got = [hp.acquire(A, R, key), hp.acquire(A, R, key), hp.acquire(A, R, key)];
    assert.equal(got[0], got[1]);
    assert.notEqual(got[2], got[0], "the third connection needs a second ENI");
    assert.equal(hp.combos(A, R)[0].enis.length, 2);
    hp.release(A, R, key, got[2]);
    clock.advance(DEFAULT_SETTINGS.scaleInDelayMs);
    assert.equal(hp.combos(A, R)[0].enis.length, 1, "the idle extra is removed");
    clock.close();
  });

  it("refuses past the ENIs-per-VPC quota with EniLimitExceeded", async () => {
    const { hp, ec2, clock } = setup({ enisPerVpc: 1 });
    const n = await network(ec2);
    hp.attach(A, R, req("f", [n.subnetId], [n.sg1]));
    hp.attach(A, R, req("g", [n.subnetId], [n.sg2]));
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const s = hp.status(A, R, req("g", [n.subnetId], [n.sg2]));
    assert.equal(s.state === "failed" && s.reasonCode, "EniLimitExceeded");
    clock.close();
  });

  it("wakes its listeners when creation finishes, also after a restart", async () => {
    const store = new Store();
    const clock = new SimulatedClock();
    const { hp, ec2, internal } = setup({}, store, clock);
    const n = await network(ec2);
    hp.attach(A, R, req("f", [n.subnetId], [n.sg1]));
    // A second manager on the same store (as after a restart) re-arms from the stored times.
    const again = new Hyperplane(internal, store, clock, DEFAULT_SETTINGS);
    const woke: string[] = [];
    again.onChange((acct, region) => woke.push(`${acct}/${region}`));
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    assert.ok(woke.includes(`${A}/${R}`));
    clock.close();
  });

  it("detach can keep the combinations a user goes on using (a function moved to another subnet)", async () => {
    const { hp, ec2, internal, clock } = setup();
    const n = await network(ec2);
    const other = tag(await ec2("CreateSubnet", { VpcId: n.vpcId, CidrBlock: "10.0.2.0/24" }), "subnetId");
    hp.attach(A, R, req("f", [n.subnetId], [n.sg1]));
    assert.deepEqual(hp.missing(A, R, req("f", [n.subnetId, other], [n.sg1])), [other]);
    hp.attach(A, R, req("f", [other], [n.sg1]));
    assert.deepEqual(hp.missing(A, R, req("f", [n.subnetId, other], [n.sg1])), []);
    clock.advance(DEFAULT_SETTINGS.eniCreateMs);
    const oldKey = hp.combos(A, R).find((c) => c.subnetId === n.subnetId)!.key;
    const oldEni = hp.combo(A, R, oldKey)!.enis[0].eniId;
    hp.detach(A, R, "f", { subnetIds: [other], groupIds: [n.sg1], ipv6: false });
    assert.deepEqual(hp.combo(A, R, oldKey)!.users, []);
    assert.deepEqual(hp.combos(A, R).find((c) => c.subnetId === other)!.users, ["f"]);
    clock.advance(DEFAULT_SETTINGS.releaseDelayMs);
    assert.equal(hp.combo(A, R, oldKey), undefined);
    assert.equal(internal.getNetworkInterface(A, R, oldEni), undefined);
    assert.equal(hp.combos(A, R).length, 1);
    clock.close();
  });
});
