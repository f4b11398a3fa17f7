// The console's Stacks pages in a real browser: a stack created through the SDK (the guide's VPC
// with a NAT gateway and a VPC function, test/support/cfn-templates.ts) moves from
// CREATE_IN_PROGRESS to CREATE_COMPLETE on screen without a reload; its events, resources (linking
// to the function's and the VPC's pages), outputs, parameters and template; Delete with its
// confirmation, the DependencyViolation retries in the events, the clock buttons ending the wait,
// DELETE_COMPLETE. The function is created (its ENI too) but never invoked.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as C from "@aws-sdk/client-cloudformation";
import { CreateAccessKeyCommand, CreateUserCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { vpcStackTemplate } from "../support/cfn-templates.ts";
import { NO_CHROMIUM, openConsole, type ConsoleBrowser } from "../support/console-browser.ts";
import { clients, rejects, ROOT_CREDS, type Creds } from "../support/clients.ts";
import { unlabelledControls } from "../support/console-steps.ts";
import { startTestServer } from "../support/server.ts";

let app: App;
let browser: ConsoleBrowser;
const cfnAs = (creds: Creds) => new C.CloudFormationClient({ endpoint: app.url, region: "us-east-1", credentials: creds, maxAttempts: 1 });

describe("console: stacks, their events and resources", { skip: NO_CHROMIUM }, () => {
  before(async () => {
    app = await startTestServer({ noDefaultVpc: true });
    browser = await openConsole(app.url, "stacks");
    await browser.page.goto(`${app.url}/_hyperlocal/console/`);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const nav = (name: string) => browser.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
  const tab = (name: string) => browser.page.getByRole("tab", { name, exact: true }).click();
  const row = (table: string, attr: string, value: string) => browser.page.getByRole("table", { name: table }).locator(`tr[data-${attr}="${value}"]`);

  it("a stack created through the SDK goes from CREATE_IN_PROGRESS to CREATE_COMPLETE on screen, without a reload", async () => {
    const { page } = browser;
    await nav("Stacks");
    await page.getByText("No stacks to display.").waitFor();
    assert.deepEqual(await unlabelledControls(page), []);
    await page.evaluate("window.__sameDocument = true");
    const cfn = cfnAs(ROOT_CREDS);
    await cfn.send(new C.CreateStackCommand({ StackName: "app", TemplateBody: vpcStackTemplate(1), Capabilities: ["CAPABILITY_IAM"] }));
    const status = row("Stacks", "stack", "app").locator("[data-badge=Status]");
    // The NAT gateway is pending for 5 simulated seconds, so the list sees the stack in progress.
    await status.filter({ hasText: /^CREATE_IN_PROGRESS$/ }).waitFor({ timeout: 15_000 });
    assert.match((await row("Stacks", "stack", "app").textContent())!, /A VPC in two zones with a Python function in its private subnets/);
    await browser.shot("list-create-in-progress");
    await status.filter({ hasText: /^CREATE_COMPLETE$/ }).waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");
    assert.match((await row("Stacks", "stack", "app").locator("td").nth(2).textContent())!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    await browser.shot("list-create-complete");
  });

  it("the stack's info, events (newest first), resources with links, outputs, parameters and template", async () => {
    const { page } = browser;
    const cfn = cfnAs(ROOT_CREDS);
    const stack = (await cfn.send(new C.DescribeStacksCommand({ StackName: "app" }))).Stacks![0];
    await page.getByRole("link", { name: "app", exact: true }).click();
    await page.getByRole("heading", { name: /^app/ }).waitFor();
    const info = page.getByRole("definition");
    await info.filter({ hasText: stack.StackId! }).waitFor();
    assert.match((await page.locator("dl.summary").textContent())!, /DescriptionA VPC in two zones.*StatusCREATE_COMPLETE.*Termination protectionDeactivated/);
    assert.deepEqual(await unlabelledControls(page), []);
    await browser.shot("stack-info");

    await tab("Events");
    const events = page.getByRole("table", { name: "Events" });
    await events.waitFor();
    const sdkEvents = (await cfn.send(new C.DescribeStackEventsCommand({ StackName: "app" }))).StackEvents!;
    const first = events.locator("tbody tr").first();
    assert.equal(await first.getAttribute("data-event"), "app", "the newest event is the stack's own");
    assert.match((await first.textContent())!, /CREATE_COMPLETE/);
    assert.equal(await events.locator("tbody tr").count(), sdkEvents.length);
    const stamps = await events.locator("tbody tr td:first-child").allTextContents();
    assert.deepEqual(stamps, [...stamps].sort().reverse(), "newest first");
    assert.deepEqual(await page.getByRole("columnheader").allTextContents(), ["Timestamp", "Logical ID", "Status", "Status reason"]);
    await browser.shot("stack-events");

    await tab("Resources");
    await page.getByRole("table", { name: "Resources" }).waitFor();
    const resources = (await cfn.send(new C.ListStackResourcesCommand({ StackName: "app" }))).StackResourceSummaries!;
    assert.equal(await page.getByRole("table", { name: "Resources" }).locator("tbody tr").count(), resources.length);
    const fnName = resources.find((r) => r.LogicalResourceId === "Fn")!.PhysicalResourceId!;
    const vpcId = resources.find((r) => r.LogicalResourceId === "Vpc")!.PhysicalResourceId!;
    assert.equal(await row("Resources", "resource", "Fn").getByRole("link", { name: fnName }).getAttribute("href"), `#/functions/${fnName}`);
    assert.equal(await row("Resources", "resource", "Vpc").getByRole("link", { name: vpcId }).getAttribute("href"), `#/vpc/${vpcId}`);
    assert.equal(await row("Resources", "resource", "PublicA").getByRole("link").count(), 0, "a subnet has no page of its own");
    assert.match((await row("Resources", "resource", "Nat").textContent())!, /^Natnat-[0-9a-f]+AWS::EC2::NatGatewayCREATE_COMPLETE$/);
    await browser.shot("stack-resources");

    await tab("Outputs");
    assert.equal(await row("Outputs", "output", "VpcId").locator("td").nth(1).textContent(), vpcId);
    assert.equal(await row("Outputs", "output", "VpcId").locator("td").nth(3).textContent(), "app-VpcId");
    assert.equal(await row("Outputs", "output", "FunctionName").locator("td").nth(1).textContent(), fnName);
    await browser.shot("stack-outputs");

    await tab("Parameters");
    assert.equal(await row("Parameters", "parameter", "FunctionSubnets").locator("td").nth(1).textContent(), "private");
    assert.equal(await row("Parameters", "parameter", "VpcCidr").locator("td").nth(1).textContent(), "10.0.0.0/16");

    await tab("Template");
    const template = page.getByLabel("Template body");
    await template.waitFor();
    assert.equal(await template.textContent(), vpcStackTemplate(1), "the original text, as sent");
    await browser.shot("stack-template");

    // The function's link leads to the console's page for it.
    await tab("Resources");
    await row("Resources", "resource", "Fn").getByRole("link", { name: fnName }).click();
    await page.getByRole("heading", { name: fnName }).waitFor();
    await page.locator("[data-badge=State]", { hasText: /^Active$/ }).waitFor();
    await page.goBack();
    await page.getByRole("tab", { name: "Stack info" }).waitFor();
  });

  it("Delete asks first; the events show the DependencyViolation retries; the clock buttons end the wait: DELETE_COMPLETE", async () => {
    const { page } = browser;
    const title = page.getByRole("heading", { name: /^app/ }).locator("[data-badge=Status]");
    // Cancel first: nothing happens.
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Delete stack?" });
    await dialog.waitFor();
    assert.equal(await page.evaluate("document.activeElement.textContent"), "Cancel", "focus starts on Cancel");
    assert.deepEqual(await unlabelledControls(page), []);
    await browser.shot("delete-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await title.textContent(), "CREATE_COMPLETE");

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await title.filter({ hasText: /^DELETE_IN_PROGRESS$/ }).waitFor();
    await tab("Events");
    // The subnets and the security group wait for Lambda to release the function's ENI.
    const retry = page.getByRole("table", { name: "Events" }).locator("td.status-reason", { hasText: /dependent object.*Retrying in \d+ seconds/ }).first();
    await retry.waitFor({ timeout: 30_000 });
    await browser.shot("delete-retrying");
    const wait = page.getByTestId("delete-wait");
    for (let i = 0; i < 3 && (await title.textContent()) !== "DELETE_COMPLETE"; i++) {
      if (await wait.isVisible()) await wait.getByRole("button", { name: "+20 minutes" }).click();
      await title.filter({ hasText: /^DELETE_COMPLETE$/ }).waitFor({ timeout: 15_000 }).catch(() => undefined);
    }
    assert.equal(await title.textContent(), "DELETE_COMPLETE");
    await page.getByRole("table", { name: "Events" }).locator('tr[data-event="app"]', { hasText: "DELETE_COMPLETE" }).first().waitFor();
    assert.equal(await page.getByRole("button", { name: "Delete", exact: true }).isDisabled(), true);
    await browser.shot("delete-complete");

    // The list's Active filter no longer shows it; Deleted does.
    await page.getByRole("link", { name: "Stacks", exact: true }).first().click();
    await page.getByText("No stacks to display.").waitFor();
    await page.getByLabel("Filter status").selectOption("Deleted");
    await row("Stacks", "stack", "app").locator("[data-badge=Status]", { hasText: /^DELETE_COMPLETE$/ }).waitFor();
    await browser.shot("list-deleted");
    assert.deepEqual(browser.problems.filter((p) => !/status of 4\d\d/.test(p)), []);
  });

  it("a user without cloudformation:ListStacks sees AWS's denial where the stacks would be", async () => {
    const { page } = browser;
    const c = clients(app.url);
    await c.iam.send(new CreateUserCommand({ UserName: "viewer" }));
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:ListFunctions"], Resource: "*" }] };
    await c.iam.send(new PutUserPolicyCommand({ UserName: "viewer", PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
    const k = (await c.iam.send(new CreateAccessKeyCommand({ UserName: "viewer" }))).AccessKey!;
    const denial = await rejects(cfnAs({ accessKeyId: k.AccessKeyId!, secretAccessKey: k.SecretAccessKey! }).send(new C.ListStacksCommand({})));
    await page.getByRole("link", { name: /Signed in as/ }).click();
    await page.getByLabel("IAM user (access keys)").check();
    await page.getByLabel("Access key ID").fill(k.AccessKeyId!);
    await page.getByLabel("Secret access key").fill(k.SecretAccessKey!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: /Signed in as arn:aws:iam::000000000000:user\/viewer/ }).waitFor();
    await nav("Stacks");
    const alert = page.getByRole("alert");
    await alert.waitFor();
    assert.equal(await alert.textContent(), `AccessDenied: ${denial.message}`);
    assert.match(denial.message, /cloudformation:ListStacks/);
    await browser.shot("stacks-denied");
  });
});
