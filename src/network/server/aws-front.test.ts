// The AWS call listeners: each connection carries the path of the listener it arrived on, one
// listener per environment and path, closed with its environment.
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { AwsFront } from "./aws-front.ts";
import type { AwsCallPath } from "./types.ts";

const NAT: AwsCallPath = { account: "000000000000", region: "us-east-1", functionName: "f", endpointService: "com.amazonaws.us-east-1.sts", via: "nat-gateway", sourceIp: "54.0.0.1" };
const VPCE: AwsCallPath = { ...NAT, via: "interface-endpoint", sourceIp: undefined, sourceVpce: "vpce-1", sourceVpc: "vpc-1", vpcSourceIp: "10.0.3.9" };

function arrive(front: AwsFront, port: number): Promise<AwsCallPath | undefined> {
  return new Promise((resolve, reject) => {
    front.deliver = (socket: Socket) => {
      resolve(front.pathOf(socket));
      socket.destroy();
    };
    const c = connect({ host: "127.0.0.1", port }, () => c.end());
    c.on("error", reject);
  });
}

test("a connection's path is the one of the listener it arrived on; listeners are per environment and path", async () => {
  const front = new AwsFront();
  try {
    const nat = await front.portFor("env-a", NAT);
    const vpce = await front.portFor("env-a", VPCE);
    const otherEnv = await front.portFor("env-b", NAT);
    assert.equal(await front.portFor("env-a", { ...NAT }), nat, "the same path reuses its listener");
    assert.equal(new Set([nat, vpce, otherEnv]).size, 3);
    assert.deepEqual(await arrive(front, nat), NAT);
    assert.deepEqual(await arrive(front, vpce), VPCE);
    assert.equal(front.pathOf(undefined), undefined);
    assert.equal(front.size, 3);
    front.forget("env-a");
    assert.equal(front.size, 1);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const c = connect({ host: "127.0.0.1", port: nat }, () => resolve(c.end()));
        c.on("error", reject);
      }),
      /ECONNREFUSED/,
    );
  } finally {
    front.clear();
  }
});

test("without a receiver, connections are closed (fail closed)", async () => {
  const front = new AwsFront();
  try {
    const port = await front.portFor("env", NAT);
    const closed = await new Promise<boolean>((resolve) => {
      const c = connect({ host: "127.0.0.1", port });
      c.on("close", () => resolve(true));
      c.on("error", () => undefined);
    });
    assert.equal(closed, true);
  } finally {
    front.clear();
  }
});
