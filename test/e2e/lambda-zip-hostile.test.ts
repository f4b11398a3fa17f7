// Hostile function zips through Debian's AWS CLI v2: create-function and update-function-code with
// archives from the corpus (test/support/hostile-zips.ts) answer 400 InvalidParameterValueException
// in AWS's words, the function being updated keeps its code, and nothing outside the code store
// changes. The server's state directory is placed so that the staging directory it unpacks into
// sits exactly ESCAPE_DEPTH levels below a sentinel directory the attacks aim at.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import type { App } from "../../src/app.ts";
import { aws, hasAwsCli } from "../support/aws-cli.ts";
import { CreateFunctionCommand, UpdateFunctionCodeCommand } from "@aws-sdk/client-lambda";
import { clients, rejects } from "../support/clients.ts";
import { HOSTILE_ZIPS } from "../support/hostile-zips.ts";
import { startTestServer } from "../support/server.ts";
import { sentinelLayout, snapshotTree, type SentinelLayout } from "../support/tree-snapshot.ts";
import { advanceClock, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";
import { writeZip } from "../../src/runtime/index.ts";

const UNZIP_FAILED = "Could not unzip uploaded file. Please check your file, then try to upload again.";
const TOO_LARGE = "Unzipped size must be smaller than 262144000 bytes";

/** The CLI itself refuses what Python's zipfile cannot list (exit 252): these go through the SDK. */
const SDK_ONLY = ["empty file", "not a zip", "truncated archive", "central directory signature broken", "entry count larger than the central directory", "multi-disk archive"];

/** The cases sent through the CLI: the reported attacks, link chains, the reported 500s, and malformed archives. */
const SENT = [
  "dot-link chain then twenty ../ then an entry under it (the reported attack)",
  "dot-link chain then twenty ../ then a file under it",
  "x/y -> .., x/y/q -> ../.., x/y/q/victim -> .",
  "link leaving through a link made later (b -> c/.., then c -> .)",
  "dot links composed: l2 -> l1/l1/l1/..",
  "file under a link to the sentinel",
  "file a, then an entry a/b",
  "name of 300 characters",
  "path of 5,000 characters",
  "duplicate file names",
  "NUL byte in a name",
  "hard-link style: two names for one entry's bytes",
  "character device entry",
  "encrypted entry",
  "bzip2 compression (method 12)",
  "local header name differs from the central directory",
  "zip bomb: deflate stream longer than its declared size",
  "declared sizes beyond 262,144,000 bytes",
];

/** The CLI's line for a service error: `... operation (reached max retries: 0): <message>`. */
function cliError(operation: string, message: string): RegExp {
  const quoted = message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`An error occurred \\(InvalidParameterValueException\\) when calling the ${operation} operation(?: \\(reached max retries: \\d+\\))?: ${quoted}$`, "m");
}

const describeCli = hasAwsCli() ? describe : describe.skip;

describeCli("hostile zips through the AWS CLI", () => {
  let app: App;
  let layout: SentinelLayout;
  let stateDir: string;
  let role: string;
  let before0: Record<string, string>;
  /** The archives the CLI reads, kept apart from the watched tree. */
  let inputs: string;
  const files = new Map<string, string>();

  before(async () => {
    // staging = <state>/lambda-code/unpacked/.staging-*: three levels below the state directory.
    layout = sentinelLayout(3);
    stateDir = join(layout.codeParent, "state");
    app = await startTestServer({ stateDir });
    role = (await clients(app.url).iam.send(new CreateRoleCommand({ RoleName: "zip-exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
    inputs = mkdtempSync(join(tmpdir(), "zip-inputs-"));
    const zipsDir = inputs;
    for (const name of SENT) {
      const c = HOSTILE_ZIPS.find((x) => x.name === name);
      assert.ok(c, `corpus case ${name}`);
      const path = join(zipsDir, `${files.size}.zip`);
      files.set(name, path);
      writeFileSync(path, c.zip());
    }
    before0 = snapshotTree(layout.base, [stateDir]);
  });

  after(async () => {
    await app?.close();
    if (layout) rmSync(layout.base, { recursive: true, force: true });
    if (inputs) rmSync(inputs, { recursive: true, force: true });
  });

  const createArgs = (name: string, zipPath: string) => [
    "lambda", "create-function", "--function-name", name, "--runtime", "nodejs20.x", "--role", role, "--handler", "index.handler", "--zip-file", `fileb://${zipPath}`,
  ];

  it("create-function refuses each one with a 400 in AWS's words", async () => {
    let i = 0;
    for (const name of SENT) {
      const c = HOSTILE_ZIPS.find((x) => x.name === name)!;
      // --debug (slow) on a few, to see the wire: status 400 and the error type header.
      const debug = i < 3;
      const r = await aws(app.url, [...createArgs(`hostile-${i++}`, files.get(name)!), ...(debug ? ["--debug"] : [])]);
      assert.equal(r.code, 254, `${name}: the CLI reports a service error`);
      const message = c.tooLarge ? TOO_LARGE : UNZIP_FAILED;
      assert.match(r.stderr, cliError("CreateFunction", message), name);
      if (debug) {
        assert.match(r.stderr, /'x-amzn-errortype': 'InvalidParameterValueException'/i, `${name}: error type header`);
        assert.match(r.stderr, /HTTP\/1\.1" 400 /, `${name}: status 400`);
      }
    }
    const list = await aws(app.url, ["lambda", "list-functions"]);
    assert.deepEqual(list.json.Functions, [], "no function was created");
    assert.deepEqual(snapshotTree(layout.base, [stateDir]), before0, "nothing outside the state directory changed");
    assert.deepEqual(readdirSync(join(stateDir, "lambda-code", "unpacked")), [], "no tree and no staging directory is left");
    assert.deepEqual(readdirSync(join(stateDir, "lambda-code", "zips")), [], "no refused zip is kept");
  });

  it("update-function-code refuses every other one (the CLI is slow to start) and the function keeps its code", async () => {
    const good = join(inputs, "good.zip");
    writeFileSync(good, nodeZip(NODE_ECHO));
    const created = await aws(app.url, createArgs("keeper", good));
    assert.equal(created.code, 0, created.stderr);
    await advanceClock(app.url, 1);
    const was = (await aws(app.url, ["lambda", "get-function-configuration", "--function-name", "keeper"])).json;
    assert.equal(was.State, "Active");
    const treesBefore = readdirSync(join(stateDir, "lambda-code", "unpacked"));
    assert.deepEqual(treesBefore, [Buffer.from(was.CodeSha256, "base64").toString("hex")]);
    const outsideBefore = snapshotTree(layout.base, [stateDir]);

    for (const name of SENT.filter((_, i) => i % 2 === 0)) {
      const c = HOSTILE_ZIPS.find((x) => x.name === name)!;
      const r = await aws(app.url, ["lambda", "update-function-code", "--function-name", "keeper", "--zip-file", `fileb://${files.get(name)!}`]);
      assert.equal(r.code, 254, name);
      const message = c.tooLarge ? TOO_LARGE : UNZIP_FAILED;
      assert.match(r.stderr, cliError("UpdateFunctionCode", message), name);
    }
    const now = (await aws(app.url, ["lambda", "get-function-configuration", "--function-name", "keeper"])).json;
    for (const k of ["CodeSha256", "CodeSize", "RevisionId", "LastModified", "State", "LastUpdateStatus"]) assert.equal(now[k], was[k], k);
    assert.deepEqual(readdirSync(join(stateDir, "lambda-code", "unpacked")), treesBefore, "the code store holds the old tree only");
    assert.deepEqual(snapshotTree(layout.base, [stateDir]), outsideBefore, "nothing outside the state directory changed");
    assert.deepEqual(snapshotTree(layout.base, [stateDir]), before0, "the sentinel is as it was at the start");
  });

  it("archives the CLI will not send answer the same 400 through the SDK", async () => {
    const lambda = clients(app.url).lambda;
    for (const name of SDK_ONLY) {
      const zip = HOSTILE_ZIPS.find((x) => x.name === name)!.zip();
      const e = await rejects(lambda.send(new CreateFunctionCommand({ FunctionName: "sdk-hostile", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: zip } })));
      assert.equal(e.name, "InvalidParameterValueException", name);
      assert.equal(e.$metadata.httpStatusCode, 400, name);
      assert.equal(e.message, UNZIP_FAILED, name);
      const u = await rejects(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "keeper", ZipFile: zip })));
      assert.equal(u.name, "InvalidParameterValueException", name);
      assert.equal(u.message, UNZIP_FAILED, name);
    }
    assert.deepEqual(snapshotTree(layout.base, [stateDir]), before0, "the sentinel is as it was at the start");
  });

  it("two CreateFunction calls racing for one name while their code unpacks: one 201, one 409", async () => {
    const lambda = clients(app.url).lambda;
    const make = (body: string) => lambda.send(new CreateFunctionCommand({ FunctionName: "racer", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(body) } }));
    const results = await Promise.allSettled([make("exports.handler = async () => 1;"), make("exports.handler = async () => 2;")]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    assert.equal(won.length, 1);
    assert.equal(lost.length, 1);
    assert.equal(lost[0].reason.name, "ResourceConflictException");
    assert.equal(lost[0].reason.message, "Function already exist: racer");
  });

  it("an archive with links that stay inside is accepted, with AWS's CodeSha256 and CodeSize", async () => {
    const zip = writeZip([{ name: "index.js", data: NODE_ECHO }, { name: "lib/impl.js", data: "module.exports = 1;\n" }]);
    const safe = HOSTILE_ZIPS.find((x) => x.name === "links that stay inside are kept")!.zip();
    for (const [fn, bytes] of [["plain", zip], ["linked", safe]] as const) {
      const path = join(inputs, `${fn}.zip`);
      writeFileSync(path, bytes);
      const r = await aws(app.url, createArgs(fn, path));
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.json.CodeSha256, createHash("sha256").update(bytes).digest("base64"));
      assert.equal(r.json.CodeSize, bytes.length);
    }
  });
});
