// The guide's console path, end to end in a real browser, as a new user would take it: open the
// server's root URL, create a VPC function from the form (AWS console labels), watch Pending turn
// Active without reloading, test it and read the result and the log, then find its Hyperplane ENI
// on the VPC map, shared by a second function with the same subnets and security groups.
// The Test step runs function code, so this file runs only inside the loopback-only namespace.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { GetFunctionCommand } from "@aws-sdk/client-lambda";
import { ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { NO_CHROMIUM, openConsole, type ConsoleBrowser } from "../support/console-browser.ts";
import { clients } from "../support/clients.ts";
import { fillCreateForm, unlabelledControls } from "../support/console-steps.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer } from "../support/server.ts";

let app: App;
let browser: ConsoleBrowser;
let c: ReturnType<typeof clients>;
const net = { vpc: "", subnetA: "", subnetB: "", sg: "" };

describe("console: the guide's path", { skip: NO_CHROMIUM || (!IN_LOOPBACK_NETNS && NETNS_SKIP_REASON) }, () => {
  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    c = clients(app.url);
    net.vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    net.subnetA = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
    net.subnetB = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
    net.sg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpc, GroupName: "fn", Description: "function" }))).GroupId!;
    browser = await openConsole(app.url, "guide");
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  it("opens the console from the server's root URL", async () => {
    const { page } = browser;
    await page.goto(app.url + "/");
    assert.match(page.url(), /\/_hyperlocal\/console\/(#.*)?$/);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    await page.getByText("There is no data to display").waitFor();
    await browser.shot("functions-empty");
  });

  it("creates a VPC function from the form, Pending then Active without a reload", async () => {
    const { page } = browser;
    await fillCreateForm(page, { name: "hello", vpcId: net.vpc, subnetIds: [net.subnetA, net.subnetB], securityGroupIds: [net.sg] });
    // The subnets list shows each subnet's zone, CIDR and free addresses.
    await page.getByText(/us-east-1a.*10\.0\.1\.0\/24.*251 IP addresses available/).waitFor();
    const ipv6 = page.getByLabel("Allow IPv6 traffic for dual-stack subnets");
    assert.equal(await ipv6.isDisabled(), true, "neither subnet is dual-stack");
    await page.getByText("Available only when every chosen subnet is dual-stack").waitFor();
    assert.deepEqual(await unlabelledControls(page), [], "every control of the form has a label");
    await browser.shot("create-form-filled");

    await page.evaluate("window.__sameDocument = true");
    await page.getByRole("button", { name: "Create function" }).click();
    await page.getByRole("heading", { name: "hello" }).waitFor();
    const state = page.locator("dl.summary [data-badge=State]").first();
    await page.locator("dl.summary [data-badge=State]", { hasText: /^Pending$/ }).waitFor({ timeout: 10_000 });
    await page.getByText("Creating: The function is being created.").waitFor();
    await browser.shot("pending");
    await page.locator("dl.summary [data-badge=State]", { hasText: /^Active$/ }).waitFor({ timeout: 20_000 });
    assert.equal(await state.textContent(), "Active");
    assert.equal(await page.evaluate("window.__sameDocument"), true, "the page was not reloaded");
    await browser.shot("active");

    // The console created the role and, with a VPC chosen, attached AWSLambdaVPCAccessExecutionRole.
    const fn = await c.lambda.send(new GetFunctionCommand({ FunctionName: "hello" }));
    assert.equal(fn.Configuration!.VpcConfig!.VpcId, net.vpc);
    assert.deepEqual([...fn.Configuration!.VpcConfig!.SubnetIds!].sort(), [net.subnetA, net.subnetB].sort());
    const roleName = fn.Configuration!.Role!.split("/").pop()!;
    const attached = (await c.iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies!.map((p) => p.PolicyName).sort();
    assert.deepEqual(attached, ["AWSLambdaBasicExecutionRole", "AWSLambdaVPCAccessExecutionRole"]);
  });

  it("tests the function: result, duration and log tail", async () => {
    const { page } = browser;
    await page.getByRole("tab", { name: "Test" }).click();
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByTestId("test-result");
    await result.waitFor({ timeout: 30_000 });
    assert.match((await result.textContent())!, /Execution result: succeeded/);
    assert.match((await result.textContent())!, /Hello from Lambda!/);
    assert.match((await page.getByTestId("duration").textContent())!, /^[\d.]+ ms$/);
    const log = (await page.getByTestId("log-tail").textContent())!;
    assert.match(log, /START RequestId/);
    assert.match(log, /event \{"key1":"value1","key2":"value2"\}/);
    assert.match(log, /REPORT RequestId: \S+\s+Duration/);
    assert.deepEqual(await unlabelledControls(page), []);
    await browser.shot("test-result");

    await page.getByRole("tab", { name: "Monitor" }).click();
    await page.getByTestId("monitor-log").getByText(/Hello|event/).first().waitFor();
    await browser.shot("monitor-logs");
  });

  it("publishes a version and points an alias at it", async () => {
    const { page } = browser;
    await page.getByRole("tab", { name: "Versions and aliases" }).click();
    await page.getByLabel("Version description").fill("first");
    await page.getByRole("button", { name: "Publish new version" }).click();
    await page.getByRole("table", { name: "Versions" }).getByRole("cell", { name: "first" }).waitFor();
    await page.getByLabel("Name", { exact: true }).fill("live");
    await page.getByLabel("Version", { exact: true }).selectOption("1");
    await page.getByRole("button", { name: "Create alias" }).click();
    const alias = page.getByRole("table", { name: "Aliases" }).getByRole("row", { name: /live/ });
    await alias.waitFor();
    assert.match((await alias.textContent())!, /live\s*1/);
    assert.deepEqual(await unlabelledControls(page), []);
    await browser.shot("versions-aliases");
  });

  it("shows the Hyperplane ENI on the VPC map, shared by a second function with the same subnets and groups", async () => {
    const { page } = browser;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Functions" }).click();
    await fillCreateForm(page, { name: "hello2", vpcId: net.vpc, subnetIds: [net.subnetA, net.subnetB], securityGroupIds: [net.sg] });
    await page.getByRole("button", { name: "Create function" }).click();
    await page.getByRole("heading", { name: "hello2" }).waitFor();
    await page.locator("dl.summary [data-badge=State]", { hasText: /^Active$/ }).waitFor({ timeout: 20_000 });

    const enis = (await c.ec2.send(new E.DescribeNetworkInterfacesCommand({ Filters: [{ Name: "interface-type", Values: ["lambda"] }] }))).NetworkInterfaces!;
    assert.equal(enis.length, 2, "one Hyperplane ENI per subnet, shared by both functions");

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "VPC map" }).click();
    await page.getByLabel("VPC", { exact: true }).selectOption(net.vpc);
    for (const eni of enis) {
      // On the map: the ENI's box lists both functions.
      const node = page.locator(`svg.vpc-map [data-node="${eni.NetworkInterfaceId}"]`);
      await node.getByText("shared by: hello, hello2").waitFor();
      // In the text alternative: the same fact.
      const row = page.locator(`tr[data-eni="${eni.NetworkInterfaceId}"]`);
      assert.match((await row.textContent())!, /lambda \(Hyperplane ENI\).*hello, hello2/);
    }
    await browser.shot("vpc-map-shared-eni");

    // Clicking a function shows where its way to the internet stops: no route, no NAT.
    await page.locator('svg.vpc-map [data-node="fn:hello"]').click();
    const summary = page.getByTestId("path-summary");
    await summary.waitFor();
    assert.match((await summary.textContent())!, /no route for 0\.0\.0\.0\/0, so no internet/);
    assert.equal(await page.locator(`svg.vpc-map [data-node="${enis[0].NetworkInterfaceId}"].on-path`).count(), 1);
    await browser.shot("vpc-map-path");
    assert.deepEqual(await unlabelledControls(page), []);

    // By keyboard: the function boxes on the map are buttons.
    await page.locator('svg.vpc-map [data-node="fn:hello2"]').focus();
    await page.keyboard.press("Enter");
    await summary.getByText("hello2:").waitFor();
    assert.deepEqual(browser.problems.filter((p) => /Content Security Policy|Refused/.test(p)), []);
  });
});
