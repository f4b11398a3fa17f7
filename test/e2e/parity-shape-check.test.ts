// Every operation hyperlocal serves, called through the AWS SDK, each raw answer (success or error)
// checked against AWS's API model: required members, types, enums, lists and maps, timestamps, and
// the protocol's error shape. Prints coverage: operations served, exercised, passing.
//
// Served operations are read from each service's own dispatch table (served-operations.ts), so a new
// operation fails the coverage test until a scenario exercises it. A new service (CloudFormation, S3):
// add its name to SERVICES, its model version to test/support/shape-check/model.ts (VERSIONS), its
// client to ShapeRecorder.clients, and a scenario-<service>.ts called from an it() below.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { App } from "../../src/app.ts";
import { startTestServer } from "../support/server.ts";
import { botocoreAvailable } from "../support/shape-check/model.ts";
import { ShapeRecorder } from "../support/shape-check/recorder.ts";
import { servedOperations } from "../support/shape-check/served-operations.ts";
import { ec2Scenario } from "../support/shape-check/scenario-ec2.ts";
import { lambdaScenario } from "../support/shape-check/scenario-lambda.ts";
import { iamScenario, stsScenario } from "../support/shape-check/scenario-iam.ts";
import { cloudFormationScenario } from "../support/shape-check/scenario-cloudformation.ts";
import { s3Scenario } from "../support/shape-check/scenario-s3.ts";

const SERVICES = ["lambda", "ec2", "iam", "sts", "cloudformation", "s3"];
const SKIP = botocoreAvailable() ? false : "needs Debian's python3-botocore models (.ci/run installs them)";

describe("shape check: every served operation against the AWS model", { skip: SKIP }, () => {
  let app: App;
  let probe: App;
  let bare: App;
  const rec = new ShapeRecorder();
  before(async () => {
    app = await startTestServer();
    probe = await startTestServer();
    bare = await startTestServer({ noDefaultVpc: true });
  });
  after(async () => {
    await app?.close();
    await probe?.close();
    await bare?.close();
  });

  it("EC2", async () => {
    await ec2Scenario(rec.clients(app.url).ec2, app.url, rec.clients(bare.url).ec2);
  });

  it("IAM", async () => {
    await iamScenario(rec.clients(app.url).iam);
  });

  it("STS", async () => {
    const c = rec.clients(app.url);
    await stsScenario(c.iam, c.sts);
  });

  it("Lambda", async () => {
    const c = rec.clients(app.url);
    await lambdaScenario(c.lambda, c.iam, c.ec2, app.url);
  });

  it("CloudFormation", async () => {
    await cloudFormationScenario(rec.clients(bare.url).cloudformation);
  });

  it("S3", async () => {
    await s3Scenario(rec.clients(app.url).s3);
  });

  it("coverage: every served operation exercised, every answer in the model's shape", async () => {
    const lines: string[] = [];
    const missing: string[] = [];
    const failing: string[] = [];
    let served = 0;
    let exercised = 0;
    let passing = 0;
    for (const service of SERVICES) {
      const ops = await servedOperations(probe, service);
      let ex = 0;
      let ok = 0;
      for (const op of ops) {
        const r = rec.records.get(`${service}:${op}`);
        if (!r) {
          missing.push(`${service}:${op}`);
          continue;
        }
        ex++;
        if (r.problems.length === 0) ok++;
        else failing.push(`${service}:${op} (${r.successes} ok, ${r.errors} errors)\n    ${[...new Set(r.problems)].slice(0, 8).join("\n    ")}`);
      }
      served += ops.length;
      exercised += ex;
      passing += ok;
      lines.push(`  ${service.padEnd(14)} served ${ops.length}, exercised ${ex}, passing ${ok}`);
    }
    const notes = new Set<string>();
    for (const r of rec.records.values()) for (const n of r.notes) notes.add(`${r.service}:${r.operation}: ${n}`);
    console.log(`shape check coverage: served ${served}, exercised ${exercised}, passing ${passing}\n${lines.join("\n")}`);
    // Members and values newer than the botocore model, AWS's known answers outside an enum: listed on request.
    console.log(`notes: ${notes.size}${process.env.SHAPE_CHECK_NOTES ? `\n  ${[...notes].join("\n  ")}` : " (SHAPE_CHECK_NOTES=1 lists them)"}`);
    if (missing.length) console.log(`not exercised:\n  ${missing.join("\n  ")}`);
    if (failing.length) console.log(`failing:\n  ${failing.join("\n  ")}`);
    assert.deepEqual(failing, [], "answers that differ from the AWS model");
    assert.deepEqual(missing, [], "served operations the check does not exercise");
  });
});
