// The production build (scripts/build.mjs): a source newer than the bundle is rebuilt before the
// next start, never silently ignored; and the server started from dist/main.js (what `npm start` and
// bin/hyperlocal.mjs run, and what every child server of the tests runs) still finds the files it
// loads by path (the runtime bootstraps, the network shim, the unzip worker, the console's sources)
// and the packages it bundles (yaml, for CloudFormation templates).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CloudFormationClient, ValidateTemplateCommand } from "@aws-sdk/client-cloudformation";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { BUNDLE, build, ensureBuilt, isStale } from "../../scripts/build.mjs";
import { writeZip } from "../../src/runtime/index.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startChildServer, tempDir, type ChildServer } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST } from "../support/zip-functions.ts";

describe("the build is rebuilt when a source is newer", () => {
  it("builds a missing bundle, keeps a fresh one, rebuilds after an edit; modules keep their source's import.meta.url", async () => {
    const root = tempDir("hyperlocal-build-");
    mkdirSync(join(root, "src", "runtime"), { recursive: true });
    writeFileSync(join(root, "src", "main.ts"), `import { word } from "./word.ts";\nconsole.log(word, new URL(".", import.meta.url).pathname);\n`);
    writeFileSync(join(root, "src", "word.ts"), `export const word: string = "one";\n`);
    writeFileSync(join(root, "src", "runtime", "zip-worker.ts"), `export {};\n`);
    const run = () => spawnSync(process.execPath, [join(root, "dist", "main.js")], { encoding: "utf8" }).stdout.trim();

    assert.equal(isStale(root), true, "no bundle yet");
    assert.equal(await ensureBuilt(root), true);
    assert.equal(isStale(root), false);
    assert.equal(run(), `one ${join(root, "src")}/`);
    assert.equal(await ensureBuilt(root), false, "a fresh bundle is kept");

    // An edit (time stamps a second ahead: file systems with coarse times still see it newer).
    const edited = join(root, "src", "word.ts");
    writeFileSync(edited, `export const word: string = "two";\n`);
    const later = statSync(join(root, "dist", "main.js")).mtimeMs / 1000 + 1;
    utimesSync(edited, later, later);
    assert.equal(isStale(root), true, "the edit is seen");
    assert.equal(await ensureBuilt(root), true);
    assert.equal(run(), `two ${join(root, "src")}/`);
  });

  it("a build that fails says why and leaves the previous bundle in place", async () => {
    const root = tempDir("hyperlocal-build-");
    mkdirSync(join(root, "src", "runtime"), { recursive: true });
    writeFileSync(join(root, "src", "main.ts"), `console.log("ok");\n`);
    writeFileSync(join(root, "src", "runtime", "zip-worker.ts"), `export {};\n`);
    await build(root);
    const before = readFileSync(join(root, "dist", "main.js"), "utf8");
    writeFileSync(join(root, "src", "main.ts"), `import { gone } from "./missing.ts";\nconsole.log(gone);\n`);
    await assert.rejects(build(root), /missing\.ts/);
    assert.equal(readFileSync(join(root, "dist", "main.js"), "utf8"), before);
  });
});

describe("the server from dist/main.js", () => {
  let server: ChildServer;
  before(async () => {
    server = await startChildServer();
  });
  after(() => server?.stop());

  it("is the bundle, without tsx, and answers a signed call", async () => {
    assert.ok(server.proc.spawnargs.includes(BUNDLE), `started as ${server.proc.spawnargs.join(" ")}`);
    assert.equal(server.proc.spawnargs.includes("tsx"), false);
    assert.doesNotMatch(readFileSync(BUNDLE, "utf8"), /from "tsx|import\("tsx/);
    const c = clients(server.url);
    const me = await c.sts.send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, "arn:aws:iam::000000000000:root");
  });

  it("reads a YAML CloudFormation template (yaml is bundled)", async () => {
    const cfn = new CloudFormationClient({ endpoint: server.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
    const r = await cfn.send(new ValidateTemplateCommand({ TemplateBody: "Description: from yaml\nParameters:\n  Name:\n    Type: String\nResources:\n  R:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n" }));
    assert.equal(r.Description, "from yaml");
    assert.deepEqual(r.Parameters?.map((p) => p.ParameterKey), ["Name"]);
    cfn.destroy();
  });

  it("serves the web console built from its sources", async () => {
    const page = await fetch(`${server.url}/_hyperlocal/console/`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const js = /src="([^"]+\.js)"/.exec(html)?.[1];
    assert.ok(js, html);
    const bundle = await fetch(new URL(js, server.url));
    assert.equal(bundle.status, 200);
    assert.ok((await bundle.text()).length > 10_000);
  });

  it("runs Node.js and Python functions with the shim loaded, and unpacks a zip in the worker", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, async () => {
    const c = clients(server.url);
    const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "build-test", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    // Past 1,000 entries a zip is unpacked by the worker thread, never inline.
    const filler = Array.from({ length: 1200 }, (_, i) => ({ name: `data/f${i}.txt`, data: String(i) }));
    const nodeSource = `exports.handler = async () => ({ preload: Object.keys(require.cache).filter((k) => k.endsWith("node-preload.child.cjs")), files: require("fs").readdirSync(__dirname + "/data").length });`;
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "node-built", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: writeZip([{ name: "index.js", data: nodeSource }, ...filler]) } }));
    const pySource = "import sitecustomize\ndef handler(event, context):\n    return {'shim': sitecustomize.__file__}\n";
    await c.lambda.send(new CreateFunctionCommand({ FunctionName: "py-built", Runtime: "python3.12", Role: role, Handler: "app.handler", Code: { ZipFile: writeZip([{ name: "app.py", data: pySource }]) } }));
    await advanceClock(server.url, 1);

    const node = await c.lambda.send(new InvokeCommand({ FunctionName: "node-built", Payload: Buffer.from("{}") }));
    assert.equal(node.FunctionError, undefined, Buffer.from(node.Payload ?? []).toString());
    const nodeOut = JSON.parse(Buffer.from(node.Payload!).toString());
    assert.equal(nodeOut.files, 1200);
    assert.equal(nodeOut.preload.length, 1, JSON.stringify(nodeOut));
    assert.ok(nodeOut.preload[0].endsWith("/src/network/shim/node-preload.child.cjs"), nodeOut.preload[0]);

    const py = await c.lambda.send(new InvokeCommand({ FunctionName: "py-built", Payload: Buffer.from("{}") }));
    assert.equal(py.FunctionError, undefined, Buffer.from(py.Payload ?? []).toString());
    assert.match(JSON.parse(Buffer.from(py.Payload!).toString()).shim, /\/src\/network\/shim\/sitecustomize\.py$/);
  });
});
