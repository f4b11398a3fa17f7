import { test } from "node:test";
import assert from "node:assert/strict";
import { nodeRuntimeFlags, planLaunch, sparePlan, splitNodeOptions } from "./launch-plan.ts";
import { buildLambdaEnv } from "./lambda-env.ts";
import { NODE_BOOTSTRAP } from "./runtime-families.ts";
import { functionSpec } from "./test-support.ts";
import type { FunctionSpec } from "./types.ts";

const ctx = { python: "/usr/bin/python3", workRoot: "/work" };

function plan(over: Partial<FunctionSpec>) {
  const spec = functionSpec({ codeDir: "/code", codeSha256: "x" }, over);
  const family = spec.runtime.startsWith("python") ? "python" : spec.runtime.startsWith("provided") ? "provided" : "node";
  const env = buildLambdaEnv(spec, { family, runtimeApi: "127.0.0.1:1", tmpDir: "/t", logStreamName: "s", runtimeDir: "/rt", pathDirs: [] });
  return planLaunch(spec, family, env, ctx);
}

test("preloads are split from other node flags", () => {
  assert.deepEqual(splitNodeOptions(["--require=/a.cjs", "-r", "/b.cjs", "--import=./c.mjs", "--enable-source-maps", "--import", "d"]), {
    preload: [
      { kind: "require", target: "/a.cjs" },
      { kind: "require", target: "/b.cjs" },
      { kind: "import", target: "./c.mjs" },
      { kind: "import", target: "d" },
    ],
    flags: ["--enable-source-maps"],
  });
});

test("a function's spare plan matches the default spare unless start-up settings differ", () => {
  const defaultNode = sparePlan("node", 128, [], {}, ctx)!;
  assert.equal(plan({}).spare!.key, defaultNode.key);
  assert.equal(plan({ environment: { MY_VAR: "x", TZ: "Asia/Tokyo" } }).spare!.key, defaultNode.key, "ordinary variables are applied later");
  assert.notEqual(plan({ memorySizeMb: 1024 }).spare!.key, defaultNode.key, "the heap limit is a start-up flag");
  assert.notEqual(plan({ environment: { NODE_OPTIONS: "--stack-size=2000" } }).spare!.key, defaultNode.key);
  const preload = plan({ nodeOptions: ["--require=/shim.cjs"] });
  assert.equal(preload.spare!.key, defaultNode.key, "preloads are loaded by the bootstrap");
  assert.deepEqual(preload.spareSpec!.preload, [{ kind: "require", target: "/shim.cjs" }]);
  assert.deepEqual(preload.coldSpec.preload, [], "a cold process gets them from NODE_OPTIONS");
  assert.deepEqual(preload.cold.args, [...nodeRuntimeFlags(128), NODE_BOOTSTRAP]);
  assert.equal(preload.cold.env.NODE_OPTIONS, "--require=/shim.cjs");
  // As Lambda starts node at 128 MB: /var/lang/bin/node --expose-gc --max-http-header-size 81920 --max-semi-space-size=6 --max-old-space-size=116
  assert.deepEqual(nodeRuntimeFlags(128), ["--expose-gc", "--max-http-header-size=81920", "--max-semi-space-size=6", "--max-old-space-size=116"]);
  assert.deepEqual(nodeRuntimeFlags(1024).slice(2), ["--max-semi-space-size=51", "--max-old-space-size=922"]);

  const py = plan({ runtime: "python3.11", handler: "app.handler" });
  assert.equal(py.spare!.key, sparePlan("python", 128, [], {}, ctx)!.key, "python spares do not depend on memory");
  assert.notEqual(plan({ runtime: "python3.11", environment: { PYTHONPATH: "/x" } }).spare!.key, py.spare!.key);
});

test("custom runtimes run the code's own bootstrap and have no spare", () => {
  const p = plan({ runtime: "provided.al2023" });
  assert.equal(p.spare, undefined);
  assert.equal(p.cold.command, "/code/bootstrap");
  assert.equal(p.cold.readsSpec, false);
  assert.equal(p.cold.cwd, "/code");
});
