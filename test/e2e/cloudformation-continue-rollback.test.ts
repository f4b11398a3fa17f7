// ContinueUpdateRollback as AWS does it: an update fails, its rollback fails too (a custom resource
// refuses to go back), the stack is UPDATE_ROLLBACK_FAILED; continuing retries the failed rollback
// (failing again), and ResourcesToSkip leaves the resource as it is so the rollback completes.
// Function code runs: loopback-only network namespace.
import { inlinePythonFunction } from "../support/cfn-templates.ts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { rejects, ROOT_CREDS } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";

// Thing refuses any update away from Mode "new" (so the rollback of Thing fails); Breaker fails when Break is yes.
const HANDLER = `
import json, urllib.request
def handler(event, context):
    props = event["ResourceProperties"]
    old = event.get("OldResourceProperties", {})
    fail = event["RequestType"] == "Update" and (old.get("Mode") == "new" or props.get("Break") == "yes")
    body = json.dumps({
        "Status": "FAILED" if fail else "SUCCESS",
        "Reason": "refused" if fail else "ok",
        "PhysicalResourceId": event.get("PhysicalResourceId", "id-" + event["LogicalResourceId"]),
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
    }).encode()
    req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"content-type": ""})
    urllib.request.urlopen(req, timeout=5)
`;

function template(mode: string, brk: string): string {
  return `Resources:
${inlinePythonFunction(HANDLER)}
  Thing:
    Type: Custom::Thing
    Properties: { ServiceToken: !GetAtt Fn.Arn, Mode: ${mode} }
  Breaker:
    Type: Custom::Breaker
    DependsOn: Thing
    Properties: { ServiceToken: !GetAtt Fn.Arn, Break: ${brk} }
`;
}

describe("CloudFormation: ContinueUpdateRollback retries the failed rollback and skips ResourcesToSkip", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let cfn: C.CloudFormationClient;
  const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  const settled = (name: string) => eventually(async () => (await cfn.send(new C.DescribeStacksCommand({ StackName: name }))).Stacks![0], (s) => !s.StackStatus!.endsWith("IN_PROGRESS"), 30_000);
  const events = async (name: string) => (await cfn.send(new C.DescribeStackEventsCommand({ StackName: name }))).StackEvents!;

  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  it("UPDATE_ROLLBACK_FAILED, a retry that fails again, then ResourcesToSkip (with the CLI) completes the rollback", async () => {
    const wrongState = async () => rejects(cfn.send(new C.ContinueUpdateRollbackCommand({ StackName: "stuck" })));
    await cfn.send(new C.CreateStackCommand({ StackName: "stuck", TemplateBody: template("old", "no"), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "stuck" });
    const e = await wrongState();
    assert.equal(e.name, "ValidationError");
    assert.match(e.message, /is in CREATE_COMPLETE state and can not continue update rollback/);

    await cfn.send(new C.UpdateStackCommand({ StackName: "stuck", TemplateBody: template("new", "yes"), Capabilities: ["CAPABILITY_IAM"] }));
    assert.equal((await settled("stuck")).StackStatus, "UPDATE_ROLLBACK_FAILED");
    const thingFailures = async () => (await events("stuck")).filter((x) => x.LogicalResourceId === "Thing" && x.ResourceStatus === "UPDATE_FAILED").length;
    assert.equal(await thingFailures(), 1);
    // The stack cannot be updated meanwhile.
    const blocked = await rejects(cfn.send(new C.UpdateStackCommand({ StackName: "stuck", TemplateBody: template("old", "no"), Capabilities: ["CAPABILITY_IAM"] })));
    assert.equal(blocked.name, "ValidationError");

    // A resource that is not in the stack cannot be skipped.
    const unknown = await rejects(cfn.send(new C.ContinueUpdateRollbackCommand({ StackName: "stuck", ResourcesToSkip: ["Nope"] })));
    assert.equal(unknown.name, "ValidationError");

    // Continuing without skipping retries Thing's rollback, which fails again.
    await cfn.send(new C.ContinueUpdateRollbackCommand({ StackName: "stuck" }));
    assert.equal((await settled("stuck")).StackStatus, "UPDATE_ROLLBACK_FAILED");
    assert.equal(await thingFailures(), 2);

    if (!hasAwsCli()) return;
    const cli = await aws(app.url, ["cloudformation", "continue-update-rollback", "--stack-name", "stuck", "--resources-to-skip", "Thing"]);
    assert.equal(cli.code, 0, JSON.stringify(cli));
    const w = await aws(app.url, ["cloudformation", "wait", "stack-rollback-complete", "--stack-name", "stuck"]);
    assert.equal(w.code, 0, w.stderr);
    const done = await settled("stuck");
    assert.equal(done.StackStatus, "UPDATE_ROLLBACK_COMPLETE");
    const evs = await events("stuck");
    assert.ok(evs.some((x) => x.LogicalResourceId === "Thing" && x.ResourceStatus === "UPDATE_COMPLETE" && x.ResourceStatusReason === "Resource skipped during UPDATE_ROLLBACK"));
    const res = (await cfn.send(new C.DescribeStackResourcesCommand({ StackName: "stuck" }))).StackResources!;
    assert.deepEqual(res.map((r) => r.ResourceStatus).sort(), ["CREATE_COMPLETE", "CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_COMPLETE"]);
    // The stack is usable again.
    await cfn.send(new C.UpdateStackCommand({ StackName: "stuck", TemplateBody: template("new", "no"), Capabilities: ["CAPABILITY_IAM"] }));
    assert.equal((await settled("stuck")).StackStatus, "UPDATE_COMPLETE");
  });
});
