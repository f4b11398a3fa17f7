// The console's other views in a real browser: Reachability explains a dropped connection and a
// missing NAT gateway, the clock's "+30 days" turns a VPC function Inactive on screen, and an IAM
// user without ec2:DescribeSubnets sees AWS's own denial where the subnets would be.
// No function code runs here (nothing is invoked), so no network namespace is needed.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import * as E from "@aws-sdk/client-ec2";
import { AttachRolePolicyCommand, CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, waitUntilFunctionActiveV2 } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { NO_CHROMIUM, openConsole, type ConsoleBrowser } from "../support/console-browser.ts";
import { clients, rejects } from "../support/clients.ts";
import { fillCreateForm, unlabelledControls } from "../support/console-steps.ts";
import { startTestServer } from "../support/server.ts";
import { LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

let app: App;
let browser: ConsoleBrowser;
let c: ReturnType<typeof clients>;
const net = { vpc: "", app: "", db: "", fnSg: "", dbSg: "", dbEni: "" };

async function adminPost(path: string, body: unknown): Promise<void> {
  const r = await fetch(`${app.url}/_hyperlocal/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(r.status < 300, true, `${path}: ${r.status} ${await r.text()}`);
}

describe("console: reachability, clock and IAM denials", { skip: NO_CHROMIUM }, () => {
  before(async () => {
    app = await startTestServer({ iam: "enforce" });
    c = clients(app.url);
    net.vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
    net.app = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
    net.db = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: net.vpc, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1b" }))).Subnet!.SubnetId!;
    net.fnSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpc, GroupName: "app", Description: "function" }))).GroupId!;
    // The database's group does not allow the function's: the connection will be dropped.
    net.dbSg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: net.vpc, GroupName: "db", Description: "database" }))).GroupId!;
    net.dbEni = (await c.ec2.send(new E.CreateNetworkInterfaceCommand({ SubnetId: net.db, PrivateIpAddress: "10.0.2.10", Groups: [net.dbSg] }))).NetworkInterface!.NetworkInterfaceId!;
    // Placed local servers: nothing listens behind them, and nothing here connects.
    await adminPost("endpoints", { networkInterfaceId: net.dbEni, port: 5432, target: "127.0.0.1:9" });
    await adminPost("internet", { name: "api.example.com", port: 443, target: "127.0.0.1:9" });
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "app-role", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.iam.send(new AttachRolePolicyCommand({ RoleName: "app-role", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole" }));
    await c.lambda.send(
      new CreateFunctionCommand({
        FunctionName: "app",
        Runtime: "nodejs20.x",
        Role: role,
        Handler: "index.handler",
        Code: { ZipFile: nodeZip(NODE_ECHO) },
        VpcConfig: { SubnetIds: [net.app], SecurityGroupIds: [net.fnSg] },
      }),
    );
    await waitUntilFunctionActiveV2({ client: c.lambda, maxWaitTime: 30 }, { FunctionName: "app" });
    browser = await openConsole(app.url, "views");
    await browser.page.goto(`${app.url}/_hyperlocal/console/`);
  });
  after(async () => {
    await browser?.close();
    await app?.close();
  });

  const nav = (name: string) => browser.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();

  async function check(to: string, source = "fn:app") {
    const { page } = browser;
    await page.getByLabel("Source", { exact: true }).selectOption(source);
    await page.getByLabel("Destination (host:port)").fill(to);
    await page.getByRole("button", { name: "Check" }).click();
    await page.getByTestId("verdict").waitFor();
    await page.getByTestId("answer").getByText(to.split(":")[0]).waitFor();
    return { verdict: (await page.getByTestId("verdict").locator("h2").textContent())!, reasons: (await page.getByTestId("reasons").textContent())! };
  }

  it("the root URL redirects a browser to the console, and nothing else", async () => {
    const browserGet = await fetch(`${app.url}/`, { headers: { accept: "text/html,application/xhtml+xml" }, redirect: "manual" });
    assert.equal(browserGet.status, 302);
    assert.equal(browserGet.headers.get("location"), "/_hyperlocal/console/");
    const sdkLike = await fetch(`${app.url}/`, { redirect: "manual" });
    assert.notEqual(sdkLike.status, 302, "an unsigned non-browser request still gets the AWS-shaped answer");
    const post = await fetch(`${app.url}/`, { method: "POST", headers: { accept: "text/html" }, redirect: "manual" });
    assert.notEqual(post.status, 302);
  });

  it("reachability explains a dropped connection: which security group rule is missing", async () => {
    await nav("Reachability");
    const r = await check("10.0.2.10:5432");
    assert.match(r.verdict, /dropped/);
    assert.match(r.reasons, new RegExp(net.dbSg));
    assert.match(r.reasons, /ENI_SG_RULES_MISMATCH/);
    // The path is drawn on the map, and the group that stopped it is marked.
    assert.equal(await browser.page.locator(`svg.vpc-map [data-node="${net.dbSg}"].blocked`).count(), 1);
    assert.ok((await browser.page.locator("svg.vpc-map .on-path").count()) >= 3);
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("reachability-dropped");
  });

  it("reachability explains the missing NAT gateway, and that a route to the internet gateway cannot help", async () => {
    const { page } = browser;
    let r = await check("api.example.com:443");
    assert.match(r.verdict, /Not reachable/);
    assert.match(r.reasons, /has no route that matches 203\.0\.113\.\d+/);
    assert.match((await page.getByTestId("hints").textContent())!, /reaches the internet only through a NAT gateway/);
    await browser.shot("reachability-no-route");

    // The usual first attempt: an internet gateway and a default route to it.
    const igw = (await c.ec2.send(new E.CreateInternetGatewayCommand({}))).InternetGateway!.InternetGatewayId!;
    await c.ec2.send(new E.AttachInternetGatewayCommand({ InternetGatewayId: igw, VpcId: net.vpc }));
    const main = (await c.ec2.send(new E.DescribeRouteTablesCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc] }, { Name: "association.main", Values: ["true"] }] }))).RouteTables![0];
    await c.ec2.send(new E.CreateRouteCommand({ RouteTableId: main.RouteTableId, DestinationCidrBlock: "0.0.0.0/0", GatewayId: igw }));
    await page.getByRole("button", { name: "Check" }).click();
    await page.getByTestId("reasons").getByText(igw).waitFor();
    r = { verdict: (await page.getByTestId("verdict").locator("h2").textContent())!, reasons: (await page.getByTestId("reasons").textContent())! };
    assert.match(r.verdict, /Not reachable/);
    assert.match(r.reasons, /has no public IP address, so internet gateway igw-\S+ drops its traffic\. Route 0\.0\.0\.0\/0 to a NAT gateway instead/);
    assert.match((await page.getByTestId("hints").textContent())!, /The route to the internet gateway cannot help a function/);
    assert.equal(await page.locator(`svg.vpc-map [data-node="${igw}"]`).count(), 1, "the gateway is on the map");
    await browser.shot("reachability-igw-no-nat");

    // Any network interface can be the source: the database's, without a public IP either.
    await check("api.example.com:443", `eni:${net.dbEni}`);
    await page.getByTestId("answer").getByText(new RegExp(`^No\\. Network interface ${net.dbEni} \\(in ${net.db}`)).waitFor();
  });

  it("the clock's +30 days turns the function Inactive on screen", async () => {
    const { page } = browser;
    await nav("Functions");
    const badge = page.locator('tr[data-function="app"] [data-badge=State]');
    await page.locator('tr[data-function="app"] [data-badge=State]', { hasText: /^Active$/ }).waitFor();
    await browser.shot("functions-active");
    await nav("Clock");
    const before = Date.parse((await page.getByTestId("clock-now").textContent())!);
    await page.getByRole("button", { name: "+30 days" }).click();
    // 30 days on (a day more if real midnight passes meanwhile).
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    const expected = new RegExp(`^(${day(before + 30 * 86_400_000)}|${day(before + 31 * 86_400_000)})T`);
    await page.getByTestId("clock-now").filter({ hasText: expected }).waitFor();
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("clock-advanced");
    await nav("Functions");
    await page.locator('tr[data-function="app"] [data-badge=State]', { hasText: /^Inactive$/ }).waitFor({ timeout: 10_000 });
    assert.equal(await badge.textContent(), "Inactive");
    assert.match((await page.locator('tr[data-function="app"]').textContent())!, /Idle/);
    await browser.shot("functions-inactive");
  });

  it("an IAM user without ec2:DescribeSubnets sees AWS's denial where the subnets would be", async () => {
    const { page } = browser;
    await c.iam.send(new CreateUserCommand({ UserName: "dev" }));
    const policy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["lambda:*", "iam:ListRoles", "iam:PassRole", "ec2:DescribeVpcs", "ec2:DescribeSecurityGroups"], Resource: "*" }],
    };
    await c.iam.send(new PutUserPolicyCommand({ UserName: "dev", PolicyName: "console", PolicyDocument: JSON.stringify(policy) }));
    const key = (await c.iam.send(new CreateAccessKeyCommand({ UserName: "dev" }))).AccessKey!;
    // What AWS says to this user, through the SDK: the console must show the same.
    const dev = clients(app.url, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    const denial = await rejects(dev.ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: "vpc-id", Values: [net.vpc] }] })));
    assert.equal(denial.name, "UnauthorizedOperation");

    await page.getByRole("link", { name: /Signed in as/ }).click();
    await page.getByLabel("IAM user (access keys)").check();
    await page.getByLabel("Access key ID").fill(key.AccessKeyId!);
    await page.getByLabel("Secret access key").fill(key.SecretAccessKey!);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: /Signed in as arn:aws:iam::000000000000:user\/dev/ }).waitFor();
    await fillCreateForm(page, { name: "devfn", vpcId: net.vpc });
    const subnets = page.getByRole("group", { name: "Subnets" });
    const alert = subnets.getByRole("alert");
    await alert.waitFor();
    assert.equal((await alert.textContent())!, `UnauthorizedOperation: ${denial.message}`);
    assert.match(denial.message, /ec2:DescribeSubnets/);
    // What the user may see is still there.
    await page.getByRole("group", { name: "Security groups" }).getByText(net.fnSg).waitFor();
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("iam-user-denied-subnets");
  });

  it("IAM: the decision log explains the denial; the simulator answers with the Lambda VPC context keys", async () => {
    const { page } = browser;
    await nav("IAM");
    const row = page.locator("tr.denied", { hasText: "ec2:DescribeSubnets" }).first();
    await row.waitFor();
    assert.match((await row.textContent())!, /user\/dev.*ImplicitDeny.*Denied because no identity-based policy allows the ec2:DescribeSubnets action on this resource \(implicit deny\)/);
    await browser.shot("iam-decision-log");

    // Back to the root user, who may simulate any principal.
    await page.getByRole("link", { name: /Signed in as/ }).click();
    await page.getByLabel("Root user (access key test, secret test)").check();
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("sign-in");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: /Signed in as arn:aws:iam::000000000000:root/ }).waitFor();
    const onlyInVpc = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "lambda:CreateFunction", Resource: "*", Condition: { StringEquals: { "lambda:VpcIds": net.vpc } } }],
    };
    await c.iam.send(new CreateUserCommand({ UserName: "vpc-only" }));
    await c.iam.send(new PutUserPolicyCommand({ UserName: "vpc-only", PolicyName: "vpc", PolicyDocument: JSON.stringify(onlyInVpc) }));
    await nav("IAM");
    await page.getByLabel("Principal ARN (user, group or role)").fill("arn:aws:iam::000000000000:user/vpc-only");
    await page.getByLabel("Action").fill("lambda:CreateFunction");
    await page.getByLabel("lambda:VpcIds", { exact: true }).fill(net.vpc);
    await page.getByRole("button", { name: "Simulate" }).click();
    await page.getByTestId("sim-result").getByText("lambda:CreateFunction on *: allowed").waitFor();
    await page.getByLabel("lambda:VpcIds", { exact: true }).fill("vpc-0000000000000000f");
    await page.getByRole("button", { name: "Simulate" }).click();
    await page.getByTestId("sim-result").getByText("lambda:CreateFunction on *: implicitDeny").waitFor();
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("iam-simulator");
  });

  it("Configuration → VPC → Edit warns that the execution role lacks the ENI permissions, and saving shows Lambda's error", async () => {
    const { page } = browser;
    const bare = (await c.iam.send(new CreateRoleCommand({ RoleName: "bare", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "plain", Runtime: "nodejs20.x", Role: bare, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
    await page.goto(`${app.url}/_hyperlocal/console/#/functions/plain`);
    await page.getByRole("tab", { name: "Configuration" }).click();
    await page.getByText("No VPC configuration.").waitFor();
    await page.getByRole("button", { name: "Edit" }).click();
    const warning = page.locator(".warning[role=alert]");
    await warning.waitFor();
    assert.match((await warning.textContent())!, /role\/bare does not have permissions to call CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface on EC2/);
    await page.getByLabel("VPC", { exact: true }).selectOption(net.vpc);
    await page.getByRole("checkbox", { name: new RegExp(net.app) }).check();
    await page.getByRole("checkbox", { name: new RegExp(net.fnSg) }).check();
    await page.getByRole("button", { name: "Save" }).click();
    const error = page.locator("form[aria-label='Edit VPC'] .error");
    await error.waitFor();
    assert.equal(await error.textContent(), "InvalidParameterValueException: The provided execution role does not have permissions to call CreateNetworkInterface on EC2");
    assert.deepEqual(await unlabelledControls(browser.page), []);
    await browser.shot("vpc-edit-role-warning");
  });

  it("signs in by assuming a role; the pages then act as the role's session", async () => {
    const { page } = browser;
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" }] });
    await c.iam.send(new CreateRoleCommand({ RoleName: "viewer", AssumeRolePolicyDocument: trust }));
    await c.iam.send(new PutRolePolicyCommand({ RoleName: "viewer", PolicyName: "list", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["lambda:ListFunctions", "lambda:GetFunctionConfiguration"], Resource: "*" }] }) }));
    await page.getByRole("link", { name: /Signed in as/ }).click();
    await page.getByLabel("Assume a role").check();
    await page.getByLabel("Role ARN").fill("arn:aws:iam::000000000000:role/viewer");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("link", { name: /Signed in as arn:aws:sts::000000000000:assumed-role\/viewer\/hyperlocal-console/ }).waitFor();
    await page.locator('tr[data-function="app"]').waitFor();
    // The role may list functions but not describe the VPCs: the map says so in AWS's words.
    await nav("VPC map");
    const denied = page.getByRole("alert").first();
    await denied.waitFor();
    assert.match((await denied.textContent())!, /^UnauthorizedOperation: You are not authorized to perform this operation\. User: arn:aws:sts::000000000000:assumed-role\/viewer\/hyperlocal-console is not authorized to perform: ec2:DescribeVpcs/);
    await browser.shot("assumed-role-vpc-denied");
  });
});
