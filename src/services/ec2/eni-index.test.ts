// DescribeNetworkInterfaces through the interface index: right after every kind of write, after a
// failed request's changes are undone, and after a restart from the state directory.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, test } from "node:test";
import { defaultConfig } from "../../config.ts";
import { AwsError } from "../../core/aws-error.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { rootPrincipal } from "../../core/principal.ts";
import { rootTestContext } from "../../core/test-support.ts";
import { Store } from "../../store/store.ts";
import { EniIndex } from "./eni-index.ts";
import { toTree } from "../../core/input-tree.ts";
import { createEc2Service } from "./index.ts";
import { viewStamp } from "./network-interfaces.ts";
import type { Ec2State, EniRec } from "./state.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const ok = (r: { status: number }) => r.status < 300;

function server(store: Store) {
  const clock = new SimulatedClock();
  const { operations } = createEc2Service({ store, clock, config: defaultConfig({ logLevel: "silent", noDefaultVpc: true }), logger: createLogger("silent") });
  const ctx = rootTestContext(ACCOUNT, REGION, clock);
  // The operation's output tree as JSON: the wire's XML is the codec's business (protocol/query).
  const answer = async (action: string, body: string) => {
    ctx.operation = action;
    return { status: 200, body: JSON.stringify((await operations[action](toTree(new URLSearchParams(body)), ctx)) ?? {}) };
  };
  /** One request as the gateway runs it: a unit of work, undone unless it answers 2xx. */
  async function call(action: string, params: Record<string, string> = {}, failAfter = false): Promise<{ status: number; body: string; code?: string }> {
    const body = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
    return store.run(async () => {
      try {
        const r = await answer(action, body);
        // A request that wrote and then failed (as a late error or a failed commit would).
        if (failAfter) return { status: 500, body: "failed late" };
        return { status: r.status, body: String(r.body) };
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        return { status: e.status, body: e.message, code: e.code };
      }
    }, ok);
  }
  const pick = (json: string, member: string) => {
    const m = new RegExp(`"${member}":(?:"([^"]*)"|([^,}\\]]+))`).exec(json);
    return m?.[1] ?? m?.[2] ?? "";
  };
  /** The interface ids a filtered describe returns, in order. */
  async function ids(filters: Record<string, string[]>, extra: Record<string, string> = {}): Promise<string[]> {
    const p: Record<string, string> = { ...extra };
    Object.entries(filters).forEach(([name, values], i) => {
      p[`Filter.${i + 1}.Name`] = name;
      values.forEach((v, j) => (p[`Filter.${i + 1}.Value.${j + 1}`] = v));
    });
    const r = await call("DescribeNetworkInterfaces", p);
    assert.equal(r.status, 200, r.body);
    return [...r.body.matchAll(/"networkInterfaceId":"(eni-[0-9a-f]+)"/g)].map((m) => m[1]);
  }
  return { call, pick, ids };
}

describe("interface index", () => {
  test("filtered describes follow every write, a failed request's undo and a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "hyperlocal-eni-index-"));
    let store = await Store.open(dir);
    let h = server(store);
    const vpc = h.pick((await h.call("CreateVpc", { CidrBlock: "10.0.0.0/16" })).body, "vpcId");
    const subnetA = h.pick((await h.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24" })).body, "subnetId");
    const subnetB = h.pick((await h.call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.2.0/24" })).body, "subnetId");
    const sg = h.pick((await h.call("CreateSecurityGroup", { VpcId: vpc, GroupName: "g", GroupDescription: "g" })).body, "groupId");
    const create = async (subnet: string, description: string, ip: string, tags: Record<string, string>) => {
      const p: Record<string, string> = { SubnetId: subnet, Description: description, PrivateIpAddress: ip, "TagSpecification.1.ResourceType": "network-interface" };
      Object.entries(tags).forEach(([k, v], i) => {
        p[`TagSpecification.1.Tag.${i + 1}.Key`] = k;
        p[`TagSpecification.1.Tag.${i + 1}.Value`] = v;
      });
      const r = await h.call("CreateNetworkInterface", p);
      assert.equal(r.status, 200, r.body);
      return h.pick(r.body, "networkInterfaceId");
    };
    // Described once before the writes, so the index exists and is kept in step from here on.
    assert.deepEqual(await h.ids({ "tag:team": ["a"] }), []);
    const e1 = await create(subnetA, "web 1", "10.0.1.10", { team: "a", tier: "web" });
    const e2 = await create(subnetA, "web 2", "10.0.1.11", { team: "b" });
    const e3 = await create(subnetB, "db 1", "10.0.2.10", { team: "a" });

    assert.deepEqual(await h.ids({ "tag:team": ["a"] }), [e1, e3]);
    assert.deepEqual(await h.ids({ "tag:team": ["a", "b"] }), [e1, e2, e3], "values of one filter are ORed, listed in creation order");
    assert.deepEqual(await h.ids({ "tag-key": ["tier"] }), [e1]);
    assert.deepEqual(await h.ids({ "tag-value": ["b"] }), [e2]);
    assert.deepEqual(await h.ids({ "private-ip-address": ["10.0.1.11"] }), [e2]);
    assert.deepEqual(await h.ids({ "addresses.private-ip-address": ["10.0.2.10"] }), [e3]);
    assert.deepEqual(await h.ids({ description: ["web *"] }), [e1, e2]);
    assert.deepEqual(await h.ids({ description: ["?b 1"] }), [e3]);
    assert.deepEqual(await h.ids({ "subnet-id": [subnetB] }), [e3]);
    assert.deepEqual(await h.ids({ "vpc-id": [vpc], "tag:team": ["a"], description: ["db*"] }), [e3], "filters are ANDed");
    assert.deepEqual(await h.ids({ "interface-type": ["interface"], "requester-id": [rootPrincipal(ACCOUNT, "AKIATEST").userId, "nobody"] }).then((x) => x.length), 3);
    assert.deepEqual(await h.ids({ "group-id": [sg] }), [], "the interfaces are in the default group");
    assert.deepEqual(await h.ids({ "tag:team": ["a"] }, { "NetworkInterfaceId.1": e3, "NetworkInterfaceId.2": e2 }), [e3]);

    let described = async (id: string) => (await h.call("DescribeNetworkInterfaces", { "NetworkInterfaceId.1": id })).body;
    // Writes to indexed attributes, each after a describe that kept the view.
    assert.match(await described(e2), /"description":"web 2"/);
    assert.equal((await h.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: e2, "Description.Value": "db 2" })).status, 200);
    assert.equal((await h.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: e2, "SecurityGroupId.1": sg })).status, 200);
    assert.equal((await h.call("CreateTags", { "ResourceId.1": e2, "ResourceId.2": e3, "Tag.1.Key": "team", "Tag.1.Value": "c" })).status, 200);
    assert.equal((await h.call("DeleteTags", { "ResourceId.1": e1, "Tag.1.Key": "tier" })).status, 200);
    assert.equal((await h.call("AssignPrivateIpAddresses", { NetworkInterfaceId: e1, "PrivateIpAddress.1": "10.0.1.50" })).status, 200);
    assert.equal((await h.call("UnassignPrivateIpAddresses", { NetworkInterfaceId: e1, "PrivateIpAddress.1": "10.0.1.50" })).status, 200);
    assert.equal((await h.call("AssignPrivateIpAddresses", { NetworkInterfaceId: e3, "PrivateIpAddress.1": "10.0.2.77" })).status, 200);
    assert.equal((await h.call("DeleteNetworkInterface", { NetworkInterfaceId: e1 })).status, 200);
    const expectAfterWrites = async () => {
      // Views are kept between describes: they must show every change.
      const e2View = await described(e2);
      assert.match(e2View, /"description":"db 2"/);
      assert.match(e2View, new RegExp(`"groupId":"${sg}"`));
      assert.match(e2View, /"key":"team","value":"c"/);
      assert.match(await described(e3), /"privateIpAddress":"10\.0\.2\.77"/);
      assert.deepEqual(await h.ids({ description: ["db *"] }), [e2, e3]);
      assert.deepEqual(await h.ids({ description: ["web*"] }), []);
      assert.deepEqual(await h.ids({ "group-id": [sg] }), [e2]);
      assert.deepEqual(await h.ids({ "tag:team": ["c"] }), [e2, e3]);
      assert.deepEqual(await h.ids({ "tag:team": ["a", "b"] }), []);
      assert.deepEqual(await h.ids({ "tag-key": ["tier"] }), []);
      assert.deepEqual(await h.ids({ "private-ip-address": ["10.0.1.50"] }), []);
      assert.deepEqual(await h.ids({ "private-ip-address": ["10.0.2.77"] }), [e3]);
      assert.deepEqual(await h.ids({ "private-ip-address": ["10.0.1.10"] }), [], "a deleted interface is gone");
      assert.deepEqual(await h.ids({ "vpc-id": [vpc] }), [e2, e3]);
    };
    await expectAfterWrites();

    // Failed requests: what they wrote is undone by the store, bypassing the index's own upkeep.
    assert.equal((await h.call("CreateTags", { "ResourceId.1": e2, "Tag.1.Key": "team", "Tag.1.Value": "z" }, true)).status, 500);
    assert.equal((await h.call("CreateNetworkInterface", { SubnetId: subnetA, Description: "db 9", PrivateIpAddress: "10.0.1.99" }, true)).status, 500);
    assert.equal((await h.call("DeleteNetworkInterface", { NetworkInterfaceId: e3 }, true)).status, 500);
    assert.equal((await h.call("ModifyNetworkInterfaceAttribute", { NetworkInterfaceId: e2, "Description.Value": "web 2" }, true)).status, 500);
    assert.deepEqual(await h.ids({ "tag:team": ["z"] }), []);
    assert.deepEqual(await h.ids({ "private-ip-address": ["10.0.1.99"] }), []);
    await expectAfterWrites();

    // A restart: the state is read back from the database and the index built from it.
    await store.close();
    store = await Store.open(dir);
    h = server(store);
    described = async (id: string) => (await h.call("DescribeNetworkInterfaces", { "NetworkInterfaceId.1": id })).body;
    await expectAfterWrites();
    const e4 = await create(subnetA, "db 4", "10.0.1.12", { team: "c" });
    assert.deepEqual(await h.ids({ "tag:team": ["c"] }), [e2, e3, e4]);
    await store.close();
  });
});

describe("EniIndex", () => {
  const eni = (id: string, over: Partial<EniRec> = {}): EniRec => ({
    id,
    subnetId: "subnet-1",
    vpcId: "vpc-1",
    availabilityZone: "eu-west-1a",
    availabilityZoneId: "euw1-az3",
    ownerId: ACCOUNT,
    description: "",
    interfaceType: "interface",
    groupIds: [],
    privateIps: [],
    ipv6: [],
    macAddress: "0e:00:00:00:00:00",
    sourceDestCheck: true,
    status: "available",
    requesterManaged: false,
    createdAt: 0,
    tags: Object.create(null),
    ...over,
  });

  test("narrows to the most selective indexed filter, keeps creation order, and says when no filter is indexed", () => {
    const x = new EniIndex();
    x.put(eni("eni-1", { privateIps: ["10.0.0.1"], tags: { k: "v" } }));
    x.put(eni("eni-2", { privateIps: ["10.0.0.2"], subnetId: "subnet-2", tags: { k: "v" } }));
    x.put(eni("eni-3", { privateIps: ["10.0.0.3"], tags: { k: "w" } }));
    x.put(eni("eni-1", { privateIps: ["10.0.0.1"], tags: { k: "w" } }));
    assert.equal(x.size, 3);
    assert.deepEqual(x.candidates([{ name: "tag:k", values: ["w"] }]), ["eni-1", "eni-3"], "a re-indexed interface keeps its place");
    assert.deepEqual(x.candidates([{ name: "vpc-id", values: ["vpc-1"] }, { name: "subnet-id", values: ["subnet-2"] }]), ["eni-2"]);
    assert.deepEqual(x.candidates([{ name: "private-ip-address", values: ["10.0.0.*"] }]), ["eni-1", "eni-2", "eni-3"]);
    assert.deepEqual(x.candidates([{ name: "tag:nope", values: ["v"] }]), []);
    assert.equal(x.candidates([{ name: "status", values: ["available"] }]), undefined);
    assert.equal(x.candidates([]), undefined);
    assert.deepEqual(x.idsWith("vpc", "vpc-1"), ["eni-1", "eni-2", "eni-3"]);
    x.drop("eni-1");
    x.drop("eni-1");
    assert.equal(x.size, 2);
    assert.deepEqual(x.candidates([{ name: "tag:k", values: ["w", "v"] }]), ["eni-2", "eni-3"]);
    assert.deepEqual(x.candidates([{ name: "tag:constructor", values: ["w"] }]), []);
  });

  test("wildcards read the range of sorted values their literal prefix allows, kept sorted through adds and drops", () => {
    const x = new EniIndex();
    for (let i = 0; i < 200; i++) x.put(eni(`eni-${i}`, { description: `bench ${i}` }));
    const described = (pattern: string) => x.candidates([{ name: "description", values: [pattern] }]);
    assert.deepEqual(described("bench 19*"), ["eni-19", "eni-190", "eni-191", "eni-192", "eni-193", "eni-194", "eni-195", "eni-196", "eni-197", "eni-198", "eni-199"]);
    x.put(eni("eni-900", { description: "bench 19 late" }));
    x.put(eni("eni-18", { description: "bench 19b" }));
    x.drop("eni-190");
    assert.deepEqual(described("bench 19?"), ["eni-18", "eni-191", "eni-192", "eni-193", "eni-194", "eni-195", "eni-196", "eni-197", "eni-198", "eni-199"]);
    assert.deepEqual(described("*late"), ["eni-900"], "no literal prefix: every distinct value is tested");
    assert.deepEqual(described("bench 1\\9*"), [], "an escaped character ends the prefix, it is not taken literally twice");
    assert.deepEqual(described("bench 5"), ["eni-5"]);
  });

  test("a value held by one interface, then by two, then by one again, and then by none, is found exactly so", () => {
    const x = new EniIndex();
    const at = (ip: string) => x.candidates([{ name: "private-ip-address", values: [ip] }]);
    x.put(eni("eni-1", { privateIps: ["10.0.0.1"] }));
    assert.deepEqual(at("10.0.0.1"), ["eni-1"]);
    x.put(eni("eni-1", { privateIps: ["10.0.0.1"] }));
    assert.deepEqual(at("10.0.0.1"), ["eni-1"], "the same interface indexed again is still one holder");
    x.put(eni("eni-2", { privateIps: ["10.0.0.2", "10.0.0.1"] }));
    assert.deepEqual(at("10.0.0.1"), ["eni-1", "eni-2"]);
    x.put(eni("eni-1", { privateIps: ["10.0.0.3"] }));
    assert.deepEqual(at("10.0.0.1"), ["eni-2"], "the first holder moved away");
    assert.deepEqual(at("10.0.0.3"), ["eni-1"]);
    assert.deepEqual(x.idsWith("ip", "10.0.0.1"), ["eni-2"]);
    x.drop("eni-3"); // never indexed: nothing changes
    x.drop("eni-1");
    assert.deepEqual(at("10.0.0.3"), []);
    assert.deepEqual(at("10.0.0.*"), ["eni-2"]);
    x.drop("eni-2");
    assert.deepEqual(at("10.0.0.1"), []);
    assert.deepEqual(x.idsWith("ip", "10.0.0.1"), []);
    assert.equal(x.size, 0);
  });
});

describe("kept interface views", () => {
  test("the stamp changes with every field of an interface record, so a kept view is never stale", async () => {
    const store = await Store.open(undefined);
    const clock = new SimulatedClock();
    const { internal } = createEc2Service({ store, clock, config: defaultConfig({ logLevel: "silent" }), logger: createLogger("silent") });
    const s = internal.vpcState(ACCOUNT, REGION) as Ec2State;
    const subnet = Object.values(s.subnets)[0];
    const made = internal.createServiceManagedInterface(ACCOUNT, REGION, {
      subnetId: subnet.id,
      groupIds: [],
      description: "AWS Lambda VPC ENI-fn",
      interfaceType: "lambda",
      requesterId: "AROAEXAMPLE:fn",
      instanceOwnerId: "amazon-aws",
    });
    // A record as EC2 itself makes it (every field it sets today, and any added later), plus the optional parts.
    const rec = s.networkInterfaces[made.networkInterfaceId];
    rec.association = { allocationId: "eipalloc-1", associationId: "eipassoc-1", publicIp: "203.0.113.5", ipOwnerId: ACCOUNT };
    rec.tags.k = "v";
    const leaves: { path: string; mutate: () => void; undo: () => void }[] = [];
    const walk = (o: Record<string, unknown>, path: string) => {
      for (const k of Object.keys(o)) {
        const v = o[k];
        const at = `${path}.${k}`;
        if (Array.isArray(v)) leaves.push({ path: at, mutate: () => void (o[k] = [...v, "x"]), undo: () => void (o[k] = v) });
        else if (v && typeof v === "object") walk(v as Record<string, unknown>, at);
        else {
          const changed = typeof v === "number" ? v + 1 : typeof v === "boolean" ? !v : `${v ?? ""}x`;
          leaves.push({ path: at, mutate: () => void (o[k] = changed), undo: () => void (o[k] = v) });
        }
      }
    };
    walk(rec as unknown as Record<string, unknown>, "eni");
    assert.ok(leaves.length > 25, `${leaves.length} fields`);
    const before = viewStamp(s, rec);
    for (const leaf of leaves) {
      leaf.mutate();
      assert.notDeepEqual(viewStamp(s, rec), before, `${leaf.path} is not in the stamp: a kept view would not show its change`);
      leaf.undo();
      assert.deepEqual(viewStamp(s, rec), before);
    }
    await store.close();
  });
});
