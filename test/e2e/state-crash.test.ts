// --state-dir under kill -9: concurrent writers, the server killed at random moments, five rounds.
// After each restart every acknowledged write is there, nothing unacknowledged is half there, and
// the subnet's address count adds up.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as E from "@aws-sdk/client-ec2";
import * as I from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import { clients } from "../support/clients.ts";
import { startChildServer, tempDir, type ChildServer } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const ROUNDS = 5;
const SUBNET_USABLE = 4096 - 5; // a /20

interface Acked {
  enis: Map<string, string>; // id → private IP
  functions: Set<string>;
  policies: Set<string>;
  /** the tag counter on the tagged interface: last acknowledged value, and the one in flight */
  tag: { acked: number; inFlight: number };
}

describe("--state-dir survives kill -9", () => {
  it("keeps every acknowledged write and nothing half-done, five rounds", { timeout: 600_000 }, async (t) => {
    const dir = tempDir();
    const zip = nodeZip(NODE_ECHO);
    let server: ChildServer = await startChildServer(["--state-dir", dir, "--no-default-vpc"]);
    let c = clients(server.url);
    const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.0.0/20" }))).Subnet!.SubnetId!;
    const sg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "crash", Description: "crash" }))).GroupId!;
    const role = (await c.iam.send(new I.CreateRoleCommand({ RoleName: "crash-role", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    const tagged = (await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [sg] }))).NetworkInterface!;
    const acked: Acked = { enis: new Map([[tagged.NetworkInterfaceId!, tagged.PrivateIpAddress!]]), functions: new Set(), policies: new Set(), tag: { acked: 0, inFlight: 0 } };
    let seq = 0;

    for (let round = 0; round < ROUNDS; round++) {
      let stop = false;
      const acks: number[] = [];
      const loop = async (step: () => Promise<void>) => {
        const me = acks.push(0) - 1;
        while (!stop) {
          try {
            await step();
            acks[me]++;
          } catch {
            return; // the server is gone: this write was never acknowledged
          }
        }
      };
      const writers = [
        loop(async () => {
          const e = (await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [sg], Description: `round ${round}` }))).NetworkInterface!;
          acked.enis.set(e.NetworkInterfaceId!, e.PrivateIpAddress!);
        }),
        loop(async () => {
          const e = (await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: subnet, Groups: [sg], TagSpecifications: [{ ResourceType: "network-interface", Tags: [{ Key: "w", Value: "2" }] }] })))
            .NetworkInterface!;
          acked.enis.set(e.NetworkInterfaceId!, e.PrivateIpAddress!);
        }),
        loop(async () => {
          const name = `fn-${++seq}`;
          await c.lambda.send(new L.CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Role: role, Code: { ZipFile: zip }, Tags: { n: name } }));
          acked.functions.add(name);
        }),
        loop(async () => {
          const name = `p-${++seq}`;
          await c.iam.send(new I.PutRolePolicyCommand({ RoleName: "crash-role", PolicyName: name, PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${name}/*` }] }) }));
          acked.policies.add(name);
        }),
        loop(async () => {
          const n = acked.tag.acked + 1;
          acked.tag.inFlight = n;
          await c.ec2.send(new E.CreateTagsCommand({ Resources: [tagged.NetworkInterfaceId!], Tags: [{ Key: "counter", Value: String(n) }] }));
          acked.tag.acked = n;
        }),
      ];
      // Let every writer get some writes acknowledged (however slow the machine), then kill the
      // server at a random moment while they are in flight.
      const want = 10 + Math.floor(Math.random() * 30);
      const deadline = Date.now() + 120_000;
      while ((acks.some((n) => n === 0) || acks.reduce((a, b) => a + b, 0) < want) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 300)));
      await server.stop("SIGKILL");
      stop = true;
      await Promise.all(writers);
      for (const cl of Object.values(c)) cl.destroy();

      server = await startChildServer(["--state-dir", dir, "--no-default-vpc"]);
      c = clients(server.url);
      const enis = new Map<string, E.NetworkInterface>();
      for (const e of (await c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "subnet-id", Values: [subnet] }] }))).NetworkInterfaces!) enis.set(e.NetworkInterfaceId!, e);
      // Every acknowledged interface is there with its address.
      for (const [id, ip] of acked.enis) assert.equal(enis.get(id)?.PrivateIpAddress, ip, `round ${round}: acknowledged ${id} (${ip}) lost`);
      // At most one unacknowledged create per interface writer made it (committed, answer lost), whole.
      const extra = [...enis.keys()].filter((id) => !acked.enis.has(id));
      assert.ok(extra.length <= 2, `round ${round}: ${extra.length} unacknowledged interfaces`);
      for (const id of extra) acked.enis.set(id, enis.get(id)!.PrivateIpAddress!);
      // Addresses are exact: distinct, and the subnet's free count is what the interfaces leave.
      const ips = [...enis.values()].map((e) => e.PrivateIpAddress);
      assert.equal(new Set(ips).size, ips.length, `round ${round}: an address is held twice`);
      const free = (await c.ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [subnet] }))).Subnets![0].AvailableIpAddressCount;
      assert.equal(free, SUBNET_USABLE - enis.size, `round ${round}: subnet address count`);

      const fns = new Set<string>();
      for (let marker: string | undefined, first = true; first || marker; first = false) {
        const page = await c.lambda.send(new L.ListFunctionsCommand({ Marker: marker }));
        for (const f of page.Functions!) fns.add(f.FunctionName!);
        marker = page.NextMarker;
      }
      for (const name of acked.functions) assert.ok(fns.has(name), `round ${round}: acknowledged function ${name} lost`);
      const extraFns = [...fns].filter((n) => !acked.functions.has(n));
      assert.ok(extraFns.length <= 1, `round ${round}: ${extraFns.length} unacknowledged functions`);
      for (const name of extraFns) {
        // Whole: its configuration, code and tags are all there.
        const g = await c.lambda.send(new L.GetFunctionCommand({ FunctionName: name }));
        assert.equal(g.Configuration!.Handler, "index.handler");
        assert.ok(g.Configuration!.CodeSha256);
        assert.deepEqual(g.Tags, { n: name });
        acked.functions.add(name);
      }

      const policies = new Set<string>();
      for (let marker: string | undefined, first = true; first || marker; first = false) {
        const page = await c.iam.send(new I.ListRolePoliciesCommand({ RoleName: "crash-role", Marker: marker }));
        for (const p of page.PolicyNames!) policies.add(p);
        marker = page.IsTruncated ? page.Marker : undefined;
      }
      for (const name of acked.policies) assert.ok(policies.has(name), `round ${round}: acknowledged role policy ${name} lost`);
      const extraPolicies = [...policies].filter((p) => !acked.policies.has(p));
      assert.ok(extraPolicies.length <= 1, `round ${round}: ${extraPolicies.length} unacknowledged policies`);
      for (const p of extraPolicies) acked.policies.add(p);

      const tags = enis.get(tagged.NetworkInterfaceId!)!.TagSet ?? [];
      const counter = Number(tags.find((t) => t.Key === "counter")?.Value ?? 0);
      assert.ok(counter === acked.tag.acked || counter === acked.tag.inFlight, `round ${round}: tag counter ${counter}, acknowledged ${acked.tag.acked}`);
      acked.tag.acked = counter;
      t.diagnostic(`round ${round}: killed after ${acks.join("+")} acknowledged writes; now ${acked.enis.size} interfaces, ${acked.functions.size} functions, ${acked.policies.size} policies, tag ${counter}; unacknowledged but committed: ${extra.length + extraFns.length + extraPolicies.length}`);
    }
    assert.ok(acked.enis.size > 20 && acked.functions.size > 5 && acked.policies.size > 5 && acked.tag.acked > 5, `too little was written to prove anything: ${acked.enis.size} interfaces, ${acked.functions.size} functions, ${acked.policies.size} policies`);
    await server.stop();
  });
});
