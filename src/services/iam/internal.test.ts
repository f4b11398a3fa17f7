// The internal API Lambda uses: execution role lookups, trust for service principals, sessions for
// function code (carrying lambda:SourceFunctionArn) and checks of the role as Lambda itself uses it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { defaultConfig } from "../../config.ts";
import { Store } from "../../store/store.ts";
import { DecisionLog } from "./decision-log.ts";
import { createIamService } from "./index.ts";
import { policySize } from "./policy-cache.ts";
import { iamState, type RoleRec } from "./state.ts";

const ACCOUNT = "000000000000";
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f`;
const ENI_ACTIONS = ["ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"];

function setup() {
  const store = new Store();
  const clock = new SimulatedClock(() => 1_700_000_000_000); // frozen: expiries are exact
  const iam = createIamService({ store, clock, config: defaultConfig({ logLevel: "silent" }), logger: createLogger("silent") });
  const state = iamState(store, ACCOUNT);
  const role: RoleRec = {
    name: "exec",
    id: "AROAEXAMPLEEXAMPLE01",
    path: "/",
    arn: `arn:aws:iam::${ACCOUNT}:role/exec`,
    created: clock.now(),
    trust: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    maxSessionDuration: 3600,
    tags: [],
    inline: {
      // The documented guard: EC2 calls from inside the function (which carry lambda:SourceFunctionArn) are denied.
      eni: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ENI_ACTIONS, Resource: "*" },
          { Effect: "Deny", Action: ENI_ACTIONS, Resource: "*", Condition: { ArnEquals: { "lambda:SourceFunctionArn": [FN] } } },
        ],
      }),
    },
    attached: [],
  };
  state.roles.exec = role;
  return { iam, clock, role };
}

describe("IamInternal", () => {
  it("finds the role and tells which services its trust policy admits", () => {
    const { iam, role } = setup();
    assert.deepEqual(iam.internal.getRole(ACCOUNT, role.arn), { arn: role.arn, roleName: "exec", roleId: role.id, trustPolicy: role.trust, maxSessionDuration: 3600 });
    assert.equal(iam.internal.getRole("111111111111", role.arn), undefined);
    assert.equal(iam.internal.getRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/other`), undefined);
    assert.equal(iam.internal.roleTrustsService(ACCOUNT, role.arn, "lambda.amazonaws.com"), true);
    assert.equal(iam.internal.roleTrustsService(ACCOUNT, role.arn, "ec2.amazonaws.com"), false);
  });

  it("creates sessions the gateway can verify, whose calls carry lambda:SourceFunctionArn", () => {
    const { iam, clock, role } = setup();
    const s = iam.internal.createRoleSession(ACCOUNT, role.arn, "f", { sourceFunctionArn: FN, durationSec: 900 });
    assert.match(s.accessKeyId, /^ASIA/);
    assert.equal(s.expiration, clock.now() + 900_000);
    const cred = iam.credentialResolver(s.accessKeyId);
    assert.ok(cred && cred !== "refused");
    assert.equal(cred.sessionToken, s.sessionToken);
    assert.equal(cred.secretAccessKey, s.secretAccessKey);
    assert.equal(cred.expiresAt, s.expiration);
    assert.equal(cred.principal.arn, `arn:aws:sts::${ACCOUNT}:assumed-role/exec/f`);
    assert.equal(cred.principal.sourceFunctionArn, FN);

    // Function code calling EC2 with these keys meets the Deny...
    const fromCode = iam.authorizer.authorize({ principal: cred.principal, action: "ec2:CreateNetworkInterface", resource: "*", sourceIp: "10.0.1.5", region: "us-east-1" });
    assert.equal(fromCode.allowed, false);
    assert.equal(fromCode.result, "ExplicitDeny");
    // ...while Lambda's own ENI work with the role does not carry the key, and is allowed.
    assert.equal(iam.internal.simulateRole(ACCOUNT, role.arn, "ec2:CreateNetworkInterface", "*").allowed, true);
    assert.equal(iam.internal.simulateRole(ACCOUNT, role.arn, "ec2:AssignPrivateIpAddresses", "*").allowed, false);
    assert.equal(iam.internal.simulateRole(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/missing`, "ec2:CreateNetworkInterface", "*").allowed, false);

    const sessionWithoutFn = iam.internal.createRoleSession(ACCOUNT, role.arn, "plain", {});
    const plain = iam.credentialResolver(sessionWithoutFn.accessKeyId);
    assert.ok(plain && plain !== "refused");
    assert.equal(iam.authorizer.authorize({ principal: plain.principal, action: "ec2:CreateNetworkInterface", resource: "*" }).allowed, true);
  });

  it("refuses sessions for unknown roles and bad session names", () => {
    const { iam, role } = setup();
    assert.throws(() => iam.internal.createRoleSession(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/none`, "x1", {}), /cannot be found/);
    assert.throws(() => iam.internal.createRoleSession(ACCOUNT, role.arn, "bad name", {}), /roleSessionName/);
  });
});

describe("DecisionLog", () => {
  it("keeps the last N entries, newest first", () => {
    const log = new DecisionLog(3);
    for (let i = 0; i < 5; i++) log.record({ at: i * 1000, principal: "p", action: `a:${i}`, resource: "*", context: { k: "v" }, result: "Allowed", matched: [], via: "policy" });
    assert.deepEqual(log.entries().map((e) => e.action), ["a:4", "a:3", "a:2"]);
    assert.deepEqual(log.entries(2).map((e) => e.action), ["a:4", "a:3"]);
    const json = log.toJson(1) as Record<string, unknown>[];
    assert.deepEqual(json[0].contextKeys, ["k"]);
    log.clear();
    assert.deepEqual(log.entries(), []);
  });
});

describe("policySize", () => {
  it("counts characters other than whitespace, as IAM's quotas do", () => {
    assert.equal(policySize('{ "a" :\n\t"b" }'), 9);
  });
});
