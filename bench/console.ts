// The web console: its first load on loopback (HTML, then the bundle and styles it names; the
// first request also builds the bundle with esbuild, which the server does lazily), a warm load,
// the bundle's size raw and gzipped, and, in Chromium, the time from clicking "Create function"
// (a VPC function, default clock) to the Active badge on the function's page.
import { gzipSync } from "node:zlib";
import * as E from "@aws-sdk/client-ec2";
import { openConsole } from "../test/support/console-browser.ts";
import { clients } from "../test/support/clients.ts";
import { fillCreateForm } from "../test/support/console-steps.ts";
import { startChildServer } from "../test/support/server.ts";

const server = await startChildServer(["--log-level", "warn"]);
try {
  async function pageLoad(): Promise<{ ms: number; js: Buffer; css: Buffer }> {
    const t0 = performance.now();
    const html = await (await fetch(`${server.url}/_hyperlocal/console/`)).text();
    const jsPath = /src="([^"]+\.js)"/.exec(html)![1];
    const cssPath = /href="([^"]+\.css)"/.exec(html)![1];
    const [js, css] = await Promise.all([jsPath, cssPath].map(async (p) => Buffer.from(await (await fetch(server.url + p)).arrayBuffer())));
    return { ms: performance.now() - t0, js, css };
  }
  const first = await pageLoad();
  const warm: number[] = [];
  for (let i = 0; i < 10; i++) warm.push((await pageLoad()).ms);
  warm.sort((a, b) => a - b);
  console.log("bench/console: the web console on loopback, server in its own process");
  console.log(`first load (HTML + bundle + CSS, includes the lazy esbuild build)   ${first.ms.toFixed(0)} ms`);
  console.log(`warm load (HTML + bundle + CSS), median of 10                        ${warm[5].toFixed(1)} ms`);
  console.log(`bundle: ${(first.js.length / 1024).toFixed(0)} KiB JS (${(gzipSync(first.js).length / 1024).toFixed(0)} KiB gzip), ${(first.css.length / 1024).toFixed(1)} KiB CSS (${(gzipSync(first.css).length / 1024).toFixed(1)} KiB gzip)`);

  const c = clients(server.url);
  const vpc = (await c.ec2.send(new E.CreateVpcCommand({ CidrBlock: "10.0.0.0/16" }))).Vpc!.VpcId!;
  const subnet = (await c.ec2.send(new E.CreateSubnetCommand({ VpcId: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a" }))).Subnet!.SubnetId!;
  const sg = (await c.ec2.send(new E.CreateSecurityGroupCommand({ VpcId: vpc, GroupName: "fn", Description: "fn" }))).GroupId!;
  const browser = await openConsole(server.url, "bench");
  try {
    const { page } = browser;
    const t0 = performance.now();
    await page.goto(`${server.url}/_hyperlocal/console/`);
    await page.getByRole("heading", { name: "Functions" }).waitFor();
    console.log(`browser: console open and the functions list shown                   ${(performance.now() - t0).toFixed(0)} ms`);
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.goto(`${server.url}/_hyperlocal/console/#/functions`);
      await fillCreateForm(page, { name: `bench${i}`, vpcId: vpc, subnetIds: [subnet], securityGroupIds: [sg] });
      const t1 = performance.now();
      await page.getByRole("button", { name: "Create function" }).click();
      await page.locator("dl.summary [data-badge=State]", { hasText: /^Active$/ }).waitFor({ timeout: 60_000 });
      times.push(performance.now() - t1);
    }
    console.log(`"Create function" (new role + VPC) → Active badge, default clock (ENI 2 s): ${times.map((t) => `${(t / 1000).toFixed(2)} s`).join(", ")}`);
  } finally {
    await browser.close();
  }
} finally {
  await server.stop();
}
