// Custom resources backed by a Lambda function (the CDK relies on them): CloudFormation invokes the
// function with the request, the function PUTs its answer to the ResponseURL, and the resource's
// Data become Fn::GetAtt attributes. Function code runs: loopback-only network namespace.
import { inlinePythonFunction } from "../support/cfn-templates.ts";
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import type { App } from "../../src/app.ts";
import { ROOT_CREDS } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";
import { eventually } from "../support/zip-functions.ts";

const HANDLER = `
import json, urllib.request
def handler(event, context):
    props = event["ResourceProperties"]
    fail = props.get("Fail") == "yes" and event["RequestType"] != "Delete"
    body = json.dumps({
        "Status": "FAILED" if fail else "SUCCESS",
        "Reason": "asked to fail" if fail else "ok",
        "PhysicalResourceId": "thing-" + props.get("Name", "x"),
        "StackId": event["StackId"], "RequestId": event["RequestId"], "LogicalResourceId": event["LogicalResourceId"],
        "Data": {"Greeting": "hello " + props.get("Name", "") + " (" + event["RequestType"] + ")"},
    }).encode()
    req = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"content-type": ""})
    urllib.request.urlopen(req, timeout=5)
`;

function template(name: string, fail = "no"): string {
  return `Resources:
${inlinePythonFunction(HANDLER)}
  Thing:
    Type: Custom::Greeter
    Properties:
      ServiceToken: !GetAtt Fn.Arn
      Name: ${name}
      Fail: ${fail}
Outputs:
  Greeting:
    Value: !GetAtt Thing.Greeting
`;
}

describe("CloudFormation: custom resources backed by a Lambda function", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  let app: App;
  let cfn: C.CloudFormationClient;
  const WAIT = { maxWaitTime: 60, minDelay: 1, maxDelay: 1 };
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    cfn = new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: ROOT_CREDS, maxAttempts: 1 });
  });
  after(() => app?.close());

  const resources = async (name: string) => Object.fromEntries((await cfn.send(new C.ListStackResourcesCommand({ StackName: name }))).StackResourceSummaries!.map((r) => [r.LogicalResourceId, r.PhysicalResourceId]));
  const output = async (name: string) => (await cfn.send(new C.DescribeStacksCommand({ StackName: name }))).Stacks![0].Outputs![0].OutputValue;

  it("create, update (a new physical id), delete: the function's answers drive the resource", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "custom", TemplateBody: template("world"), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackCreateComplete({ client: cfn, ...WAIT }, { StackName: "custom" });
    assert.equal((await resources("custom")).Thing, "thing-world");
    assert.equal(await output("custom"), "hello world (Create)");
    await cfn.send(new C.UpdateStackCommand({ StackName: "custom", TemplateBody: template("mars"), Capabilities: ["CAPABILITY_IAM"] }));
    await C.waitUntilStackUpdateComplete({ client: cfn, ...WAIT }, { StackName: "custom" });
    assert.equal((await resources("custom")).Thing, "thing-mars");
    assert.equal(await output("custom"), "hello mars (Update)");
    const evs = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "custom" }))).StackEvents!;
    assert.ok(evs.some((e) => e.LogicalResourceId === "Thing" && e.PhysicalResourceId === "thing-world" && e.ResourceStatus === "DELETE_COMPLETE"), "the old physical id was deleted in the cleanup");
    const id = (await cfn.send(new C.DescribeStacksCommand({ StackName: "custom" }))).Stacks![0].StackId!;
    await cfn.send(new C.DeleteStackCommand({ StackName: "custom" }));
    await C.waitUntilStackDeleteComplete({ client: cfn, ...WAIT }, { StackName: id });
  });

  it("a FAILED answer fails the resource with AWS's text and rolls the stack back", async () => {
    await cfn.send(new C.CreateStackCommand({ StackName: "customfail", TemplateBody: template("x", "yes"), Capabilities: ["CAPABILITY_IAM"] }));
    const s = await eventually(async () => (await cfn.send(new C.DescribeStacksCommand({ StackName: "customfail" }))).Stacks![0], (x) => !x.StackStatus!.endsWith("IN_PROGRESS"), 30_000);
    assert.equal(s.StackStatus, "ROLLBACK_COMPLETE");
    const failed = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "customfail" }))).StackEvents!.find((e) => e.ResourceStatus === "CREATE_FAILED")!;
    assert.equal(failed.LogicalResourceId, "Thing");
    assert.match(failed.ResourceStatusReason!, /Received response status \[FAILED\] from custom resource\. Message returned: asked to fail \(RequestId: [0-9a-f-]+\)/);
  });
});
