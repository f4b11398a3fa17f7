// Confinement of function code: a hostile function tries to overwrite its own code and another
// function's, read the state directory and the server's /proc entries, and take another
// environment's Runtime API events. All of it fails; the victim's next cold start runs its original
// code, and GetFunction's CodeSha256 still describes what runs. Runs function code, so only inside
// the loopback-only network namespace (where the server is root of a user namespace mapping one
// uid: confinement.ts's "mounts" mode).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import type { App } from "../../src/app.ts";
import { confinement } from "../../src/runtime/confinement.ts";
import { clients } from "../support/clients.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { startTestServer, tempDir } from "../support/server.ts";
import { advanceClock, LAMBDA_TRUST, nodeZip, pythonZip } from "../support/zip-functions.ts";

const VICTIM = `exports.handler = async () => ({ code: "original" });\n`;

const ATTACKER = `
const fs = require("node:fs");
const http = require("node:http");
const attempt = (f) => { try { const v = f(); return { ok: true, value: typeof v === "string" ? v.slice(0, 80) : v }; } catch (e) { return { ok: false, error: e.code ?? String(e) }; } };
function get(port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: "127.0.0.1", port, path, timeout: 500 }, (res) => {
      res.resume();
      resolve({ port, status: res.statusCode, requestId: res.headers["lambda-runtime-aws-request-id"] ?? null });
    });
    req.on("timeout", () => req.destroy());
    req.on("error", (e) => resolve({ port, error: e.code }));
  });
}
exports.handler = async (ev) => {
  const out = {};
  out.writeOwn = attempt(() => fs.writeFileSync(process.env.LAMBDA_TASK_ROOT + "/index.js", "exports.handler = async () => 'pwned';"));
  out.writeVictim = attempt(() => fs.writeFileSync(ev.victimFile, "exports.handler = async () => ({ code: 'tampered' });"));
  out.readVictim = attempt(() => fs.readFileSync(ev.victimFile, "utf8"));
  out.readState = attempt(() => fs.readFileSync(ev.stateFile, "utf8"));
  out.listState = attempt(() => fs.readdirSync(ev.stateDir));
  out.serverEnviron = attempt(() => fs.readFileSync("/proc/" + ev.serverPid + "/environ", "latin1"));
  out.serverCmdline = attempt(() => fs.readFileSync("/proc/" + ev.serverPid + "/cmdline", "latin1"));
  out.writeTmp = attempt(() => { fs.writeFileSync("/tmp/../" + process.env.TMPDIR.slice(1) + "/x", "ok"); return "ok"; });
  out.writeElsewhere = attempt(() => fs.writeFileSync(ev.elsewhere, "x"));
  out.workRoot = attempt(() => fs.readdirSync(require("node:path").dirname(process.env.TMPDIR)));
  out.ownTmp = require("node:path").basename(process.env.TMPDIR);
  out.pids = fs.readdirSync("/proc").filter((n) => /^\\d+$/.test(n));
  // Every listening loopback port: ask it for the next invocation, as a runtime would.
  const ports = new Set();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try { text = fs.readFileSync(f, "utf8"); } catch {}
    for (const line of text.split("\\n").slice(1)) {
      const cols = line.trim().split(/\\s+/);
      if (cols[3] === "0A") ports.add(parseInt(cols[1].split(":")[1], 16));
    }
  }
  const mine = Number(process.env.AWS_LAMBDA_RUNTIME_API.split(":")[1].split("/")[0]);
  ports.delete(mine);
  out.scanned = ports.size;
  out.stolen = (await Promise.all([...ports].map((p) => get(p, "/2018-06-01/runtime/invocation/next")))).filter((r) => r.requestId);
  return out;
};
`;

const PY_ATTACKER = `
import os
def attempt(f):
    try:
        f()
        return "ok"
    except OSError as e:
        return e.__class__.__name__
def write(path):
    with open(path, "w") as fh:
        fh.write("def handler(e, c):\\n    return 'pwned'\\n")
def read(path):
    with open(path) as fh:
        return fh.read()
def handler(event, context):
    return {
        "writeOwn": attempt(lambda: write(os.environ["LAMBDA_TASK_ROOT"] + "/app.py")),
        "writeVictim": attempt(lambda: write(event["victimFile"])),
        "readState": attempt(lambda: read(event["stateFile"])),
        "serverEnviron": attempt(lambda: read("/proc/%d/environ" % event["serverPid"])),
    }
`;

type Attempt = { ok: boolean; value?: unknown; error?: string };

const c = await confinement();
const SKIP = !IN_LOOPBACK_NETNS ? NETNS_SKIP_REASON : c.mode === "off" ? `function confinement is not available here: ${c.reason}` : false;

describe("function code is confined", { skip: SKIP }, () => {
  let app: App;
  let lambda: LambdaClient;
  let stateDir: string;
  let victimFile: string;
  let victimSha: string;
  const victimZip = nodeZip(VICTIM);

  before(async () => {
    stateDir = tempDir();
    app = await startTestServer({ stateDir });
    writeFileSync(join(stateDir, "secret.txt"), "every IAM secret");
    const cl = clients(app.url);
    lambda = cl.lambda;
    const role = (await cl.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    const common = { Role: role, Timeout: 30 };
    victimSha = (await lambda.send(new CreateFunctionCommand({ ...common, FunctionName: "victim", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: victimZip } })))
      .CodeSha256!;
    victimFile = join(stateDir, "lambda-code", "unpacked", createHash("sha256").update(victimZip).digest("hex"), "index.js");
    assert.equal(readFileSync(victimFile, "utf8"), VICTIM, "the test knows where the victim's code is unpacked");
    await lambda.send(new CreateFunctionCommand({ ...common, FunctionName: "attacker", Runtime: "nodejs20.x", Handler: "index.handler", Code: { ZipFile: nodeZip(ATTACKER) } }));
    await lambda.send(new CreateFunctionCommand({ ...common, FunctionName: "py-attacker", Runtime: "python3.12", Handler: "app.handler", Code: { ZipFile: pythonZip(PY_ATTACKER) } }));
    await advanceClock(app.url, 1);
  });

  after(async () => {
    await app?.close();
  });

  const invoke = async (name: string, event: unknown = {}) => {
    const r = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
    const body = JSON.parse(Buffer.from(r.Payload ?? []).toString());
    assert.equal(r.FunctionError, undefined, JSON.stringify(body));
    return body;
  };

  it("a Node.js function cannot change code, read the state or the server's /proc, nor take another environment's events", async () => {
    assert.deepEqual(await invoke("victim"), { code: "original" }); // warm: its Runtime API listener is up
    const event = { victimFile, stateDir, stateFile: join(stateDir, "secret.txt"), serverPid: process.pid, elsewhere: join(stateDir, "..", "planted") };
    const out = (await invoke("attacker", event)) as Record<string, Attempt> & { pids: string[]; scanned: number; stolen: unknown[] };
    for (const k of ["writeOwn", "writeVictim", "readVictim", "readState", "serverEnviron", "serverCmdline", "writeElsewhere"]) {
      assert.equal(out[k].ok, false, `${k} must fail: ${JSON.stringify(out[k])}`);
    }
    assert.equal(out.writeOwn.error, "EROFS");
    // The state directory is an empty cover there, holding only the path to the function's own code.
    assert.deepEqual(out.listState, { ok: true, value: ["lambda-code"] });
    assert.deepEqual(out.workRoot, { ok: true, value: [out.ownTmp] }, "other environments' /tmp are out of view");
    assert.equal(out.writeTmp.ok, true, `its own /tmp stays writable: ${JSON.stringify(out.writeTmp)}`);
    assert.ok(!out.pids.includes(String(process.pid)) || process.pid <= 2, `the server's pid is not in its /proc: ${out.pids.join(",")}`);
    assert.ok(out.pids.length <= 3, `only its own processes are visible: ${out.pids.join(",")}`);
    assert.ok(out.scanned > 0, "other environments' listeners were tried");
    assert.deepEqual(out.stolen, [], "no other environment's event was taken");
  });

  it("a Python function cannot either", async () => {
    const out = await invoke("py-attacker", { victimFile, stateFile: join(stateDir, "secret.txt"), serverPid: process.pid });
    assert.deepEqual(out, { writeOwn: "OSError", writeVictim: "FileNotFoundError", readState: "FileNotFoundError", serverEnviron: "FileNotFoundError" });
  });

  it("the victim's code is untouched: its next cold start runs the original code, with the CodeSha256 GetFunction reports", async () => {
    assert.equal(readFileSync(victimFile, "utf8"), VICTIM);
    await advanceClock(app.url, 600); // past the keep-alive: the next invocation is a cold start
    const r = await lambda.send(new InvokeCommand({ FunctionName: "victim", LogType: "Tail" }));
    assert.match(Buffer.from(r.LogResult ?? "", "base64").toString(), /Init Duration/);
    assert.deepEqual(JSON.parse(Buffer.from(r.Payload ?? []).toString()), { code: "original" });
    assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: "victim" }))).Configuration!.CodeSha256, victimSha);
  });
});
