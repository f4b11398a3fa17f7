// A state directory written by the JSON snapshot format (state.json, format 1; the fixture was
// written by that code, see test/fixtures/make-state-format-1.ts) comes back complete.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as E from "@aws-sdk/client-ec2";
import * as I from "@aws-sdk/client-iam";
import * as L from "@aws-sdk/client-lambda";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { clients } from "../support/clients.ts";
import { startChildServer, tempDir, type ChildServer } from "../support/server.ts";

const FIXTURE = join(import.meta.dirname, "..", "fixtures", "state-format-1");

async function check(server: ChildServer, snapshot: { vpcs: string[]; subnet: string; enis: string[] }): Promise<void> {
  const { iam, ec2, lambda } = clients(server.url);
  const alice = (await iam.send(new I.GetUserCommand({ UserName: "alice" }))).User!;
  assert.deepEqual(alice.Tags, [{ Key: "team", Value: "blue" }]);
  const inline = await iam.send(new I.GetRolePolicyCommand({ RoleName: "fn-role", PolicyName: "inline" }));
  assert.match(decodeURIComponent(inline.PolicyDocument!), /s3:GetObject/);
  const attached = (await iam.send(new I.ListAttachedRolePoliciesCommand({ RoleName: "fn-role" }))).AttachedPolicies!;
  assert.deepEqual(attached.map((p) => p.PolicyName), ["AWSLambdaVPCAccessExecutionRole"]);

  const vpcs = (await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!;
  assert.deepEqual(vpcs.map((v) => v.VpcId), snapshot.vpcs);
  assert.deepEqual(vpcs[0].Tags, [{ Key: "Name", Value: "fixture" }]);
  const enis = (await ec2.send(new E.DescribeNetworkInterfacesCommand({}))).NetworkInterfaces!;
  assert.deepEqual(enis.map((e) => e.NetworkInterfaceId).sort(), [...snapshot.enis].sort());
  assert.deepEqual(
    enis.filter((e) => e.InterfaceType !== "lambda").map((e) => [e.Description, e.PrivateIpAddress, e.TagSet]),
    [0, 1, 2].map((i) => [`fixture ${i}`, `10.0.1.${4 + i}`, [{ Key: "n", Value: String(i) }]]),
  );
  const lambdaEni = enis.find((e) => e.InterfaceType === "lambda")!;
  assert.equal(lambdaEni.Description, "AWS Lambda VPC ENI-in-vpc");
  const subnet = (await ec2.send(new E.DescribeSubnetsCommand({ SubnetIds: [snapshot.subnet] }))).Subnets![0];
  assert.equal(subnet.AvailableIpAddressCount, 251 - 4);

  const plain = await lambda.send(new L.GetFunctionCommand({ FunctionName: "plain" }));
  assert.equal(plain.Configuration!.State, "Active");
  assert.deepEqual(plain.Tags, { app: "fixture" });
  const code = Buffer.from(await (await fetch(plain.Code!.Location!)).arrayBuffer());
  assert.equal(code.length, plain.Configuration!.CodeSize);
  const inVpc = (await lambda.send(new L.GetFunctionConfigurationCommand({ FunctionName: "in-vpc" })));
  assert.equal(inVpc.State, "Active");
  assert.deepEqual(inVpc.VpcConfig!.SubnetIds, [snapshot.subnet]);

  const clock = (await (await fetch(`${server.url}/_hyperlocal/clock`)).json()) as { offsetMs: number };
  assert.equal(clock.offsetMs, 172_830_000, "the clock continues where the snapshot left it");
  for (const cl of [iam, ec2, lambda]) cl.destroy();
}

describe("--state-dir with a JSON snapshot from an earlier version", () => {
  it("migrates it into the database, keeps the old file aside, and it all comes back", { timeout: 180_000 }, async () => {
    const dir = tempDir();
    cpSync(FIXTURE, dir, { recursive: true });
    const snap = JSON.parse(readFileSync(join(dir, "state.json"), "utf8"));
    const ec2State = snap.data.ec2["000000000000"]["us-east-1"];
    const expected = { vpcs: Object.keys(ec2State.vpcs), subnet: Object.keys(ec2State.subnets)[0], enis: Object.keys(ec2State.networkInterfaces) };
    assert.equal(expected.enis.length, 4);

    const first = await startChildServer(["--state-dir", dir]);
    try {
      assert.equal(existsSync(join(dir, "state.json")), false);
      assert.equal(readFileSync(join(dir, "state.json.format-1.migrated"), "utf8"), readFileSync(join(FIXTURE, "state.json"), "utf8"));
      await check(first, expected);
      if (hasAwsCli()) {
        const r = await aws(first.url, ["iam", "get-user", "--user-name", "alice"]);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.json.User.UserName, "alice");
      }
    } finally {
      assert.equal(await first.stop("SIGTERM"), 0);
    }
    // Started again: from the database alone.
    const second = await startChildServer(["--state-dir", dir]);
    try {
      await check(second, expected);
    } finally {
      await second.stop();
    }
  });
});
