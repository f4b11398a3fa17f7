// EC2's Describe calls get the plain state with --state-dir (index.ts: reads do not pay for
// tracking), so they must never write to it: every Describe operation runs here over a frozen
// state holding one resource of each kind, and any write would throw.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../../config.ts";
import { AwsError } from "../../core/aws-error.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { rootTestContext } from "../../core/test-support.ts";
import { Store } from "../../store/store.ts";
import { toTree } from "../../core/input-tree.ts";
import { createEc2Service } from "./index.ts";

const ACCOUNT = "111122223333";
const REGION = "eu-west-1";

function deepFreeze(v: unknown, seen = new Set<object>()): void {
  if (typeof v !== "object" || v === null || seen.has(v)) return;
  seen.add(v);
  for (const k of Object.keys(v)) deepFreeze((v as Record<string, unknown>)[k], seen);
  Object.freeze(v);
}

test("every EC2 Describe operation only reads the state", async () => {
  const clock = new SimulatedClock();
  const store = new Store();
  const { operations } = createEc2Service({ store, clock, config: defaultConfig({ logLevel: "silent" }), logger: createLogger("silent") });
  const ctx = rootTestContext(ACCOUNT, REGION, clock);
  // The operation's output tree as JSON: the wire's XML is the codec's business (protocol/query).
  const answer = async (action: string, body: string) => {
    ctx.operation = action;
    return { status: 200, body: JSON.stringify((await operations[action](toTree(new URLSearchParams(body)), ctx)) ?? {}) };
  };
  const call = async (action: string, params: Record<string, string> = {}) => {
    const body = new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }).toString();
    try {
      return (await answer(action, body)).body;
    } catch (e) {
      if (e instanceof AwsError) return `${e.code}: ${e.message}`;
      throw e;
    }
  };
  const pick = (json: string, member: string) => {
    const m = new RegExp(`"${member}":(?:"([^"]*)"|([^,}\\]]+))`).exec(json);
    return m?.[1] ?? m?.[2] ?? "";
  };
  const vpc = pick(await call("CreateVpc", { CidrBlock: "10.0.0.0/16" }), "vpcId");
  const subnet = pick(await call("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.1.0/24" }), "subnetId");
  const sg = pick(await call("CreateSecurityGroup", { VpcId: vpc, GroupName: "g", GroupDescription: "g" }), "groupId");
  const eni = pick(await call("CreateNetworkInterface", { SubnetId: subnet, "SecurityGroupId.1": sg }), "networkInterfaceId");
  const igw = pick(await call("CreateInternetGateway"), "internetGatewayId");
  await call("AttachInternetGateway", { InternetGatewayId: igw, VpcId: vpc });
  await call("AllocateAddress", { Domain: "vpc" });
  await call("CreateNatGateway", { SubnetId: subnet, ConnectivityType: "private" });
  await call("CreateRouteTable", { VpcId: vpc });
  await call("CreateNetworkAcl", { VpcId: vpc });
  await call("CreateTags", { "ResourceId.1": vpc, "Tag.1.Key": "k", "Tag.1.Value": "v" });
  const other = pick(await call("CreateVpc", { CidrBlock: "10.1.0.0/16" }), "vpcId");
  await call("CreateVpcPeeringConnection", { VpcId: vpc, PeerVpcId: other });
  const path = pick(await call("CreateNetworkInsightsPath", { Source: eni, Destination: igw, DestinationIp: "8.8.8.8", Protocol: "tcp" }), "networkInsightsPathId");
  assert.ok(path.startsWith("nip-"), path);
  assert.match(await call("StartNetworkInsightsAnalysis", { NetworkInsightsPathId: path }), /networkInsightsAnalysisId/);
  // Let every pending transition complete (settled by stateFor through the tracked state), then freeze.
  clock.advance(24 * 3_600_000);
  await call("DescribeVpcs");
  deepFreeze(store.state("ec2", ACCOUNT, REGION, () => ({})));
  const describes = Object.keys(operations).filter((n) => n.startsWith("Describe"));
  assert.ok(describes.length >= 15, `${describes.length} Describe operations`);
  for (const name of describes) {
    // Any write to the frozen state throws a TypeError, which the dispatcher does not turn into an AWS error.
    await assert.doesNotReject(call(name), name);
  }
});
