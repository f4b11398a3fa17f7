import { test } from "node:test";
import assert from "node:assert/strict";
import { buildLambdaEnv, isStartupVariable, logStreamName, RESERVED_ENV_NAMES } from "./lambda-env.ts";
import { functionSpec } from "./test-support.ts";

const placement = {
  family: "node" as const,
  runtimeApi: "127.0.0.1:4000",
  tmpDir: "/work/env-1",
  logStreamName: "2024/01/02/[$LATEST]0123456789abcdef0123456789abcdef",
  runtimeDir: "/rt",
  pathDirs: ["/opt/node/bin"],
};

test("the environment is built from nothing but the spec", () => {
  const spec = functionSpec({ codeDir: "/code", codeSha256: "x" }, {
    functionName: "f",
    environment: { MINE: "1", AWS_REGION: "xx-evil-1", AWS_ENDPOINT_URL: "https://real.aws", TZ: "Europe/Paris", "BAD=NAME": "x" },
  });
  const env = buildLambdaEnv(spec, placement);
  assert.equal(env.MINE, "1");
  assert.equal(env.AWS_REGION, "us-east-1");
  assert.equal(env.AWS_ENDPOINT_URL, "http://127.0.0.1:4566", "the endpoint always points back at hyperlocal");
  assert.equal(env.TZ, "Europe/Paris", "TZ is not reserved in Lambda");
  assert.equal(env["BAD=NAME"], undefined);
  assert.equal(env.AWS_LAMBDA_RUNTIME_API, "127.0.0.1:4000");
  assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, placement.logStreamName);
  assert.equal(env.PATH, "/opt/node/bin:/usr/local/bin:/usr/bin:/bin");
  assert.equal(env.HOME, "/work/env-1");
  assert.equal(env.TMPDIR, "/work/env-1");
  assert.equal(env._HANDLER, "index.handler");
  for (const k of Object.keys(process.env)) {
    if (!(k in env)) continue;
    assert.ok(RESERVED_ENV_NAMES.has(k) || ["PATH", "HOME", "LANG", "TZ", "TMPDIR", "TMP", "TEMP", "LD_LIBRARY_PATH", "AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"].includes(k), `${k} must not come from the parent`);
  }
});

test("extraEnv overrides everything; nodeOptions join NODE_OPTIONS, quoted when needed", () => {
  const spec = functionSpec({ codeDir: "/code", codeSha256: "x" }, {
    environment: { NODE_OPTIONS: "--enable-source-maps" },
    extraEnv: { HYPERLOCAL_SHIM: "on", AWS_REGION: "internal-1" },
    nodeOptions: ["--require=/opt/shim.cjs", "--require=/dir with space/p.cjs"],
  });
  const env = buildLambdaEnv(spec, placement);
  assert.equal(env.HYPERLOCAL_SHIM, "on");
  assert.equal(env.AWS_REGION, "internal-1");
  assert.equal(env.NODE_OPTIONS, '--enable-source-maps --require=/opt/shim.cjs "--require=/dir with space/p.cjs"');
  const py = buildLambdaEnv({ ...spec, runtime: "python3.12" }, { ...placement, family: "python" });
  assert.equal(py.NODE_OPTIONS, "--enable-source-maps", "nodeOptions do not apply to python runtimes");
  assert.equal(py.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED, undefined);
  // A custom runtime's bootstrap may be Node.js: it gets the preloads too.
  const custom = buildLambdaEnv({ ...spec, runtime: "provided.al2023" }, { ...placement, family: "provided" });
  assert.equal(custom.NODE_OPTIONS, '--enable-source-maps --require=/opt/shim.cjs "--require=/dir with space/p.cjs"');
});

test("AWS_ENDPOINT_URL_<SERVICE> in a function's own variables is ignored (hyperlocal sets them)", () => {
  const spec = functionSpec({ codeDir: "/code", codeSha256: "x" }, { environment: { AWS_ENDPOINT_URL_STS: "https://sts.amazonaws.com", MY_VAR: "1" } });
  const env = buildLambdaEnv(spec, placement);
  assert.equal(env.AWS_ENDPOINT_URL_STS, undefined);
  assert.equal(env.MY_VAR, "1");
});

test("log stream names follow Lambda's pattern and the simulated date", () => {
  const name = logStreamName("3", Date.UTC(2031, 0, 5, 23, 59));
  assert.match(name, /^2031\/01\/05\/\[3\][0-9a-f]{32}$/);
});

test("startup variables are the ones a prewarmed process cannot take later", () => {
  for (const k of ["NODE_OPTIONS", "NODE_PATH", "PYTHONPATH", "LD_PRELOAD", "LD_LIBRARY_PATH", "LANG", "LC_ALL"]) assert.ok(isStartupVariable(k), k);
  for (const k of ["TZ", "PATH", "MY_VAR", "AWS_REGION"]) assert.ok(!isStartupVariable(k), k);
});

test("LoggingConfig: AWS_LAMBDA_LOG_FORMAT always, AWS_LAMBDA_LOG_LEVEL with JSON (INFO unless set)", () => {
  const env = (logging?: { format: "Text" | "JSON"; applicationLogLevel?: string }) =>
    buildLambdaEnv(functionSpec({ codeDir: "/code", codeSha256: "x" }, logging ? { logging } : {}), placement);
  assert.equal(env().AWS_LAMBDA_LOG_FORMAT, "Text");
  assert.equal(env().AWS_LAMBDA_LOG_LEVEL, undefined);
  assert.equal(env({ format: "JSON" }).AWS_LAMBDA_LOG_FORMAT, "JSON");
  assert.equal(env({ format: "JSON" }).AWS_LAMBDA_LOG_LEVEL, "INFO");
  assert.equal(env({ format: "JSON", applicationLogLevel: "DEBUG" }).AWS_LAMBDA_LOG_LEVEL, "DEBUG");
  const spoofed = buildLambdaEnv(functionSpec({ codeDir: "/code", codeSha256: "x" }, { environment: { AWS_LAMBDA_LOG_FORMAT: "JSON" } }), placement);
  assert.equal(spoofed.AWS_LAMBDA_LOG_FORMAT, "Text", "the configuration decides, not a variable of the same name");
});

test("without an endpoint in the spec (a VPC function in kernel mode), AWS_ENDPOINT_URL is absent, and a user's value is still ignored", () => {
  const spec = functionSpec({ codeDir: "/code", codeSha256: "x" }, { environment: { AWS_ENDPOINT_URL: "https://real.aws" } });
  delete spec.endpointUrl;
  const env = buildLambdaEnv(spec, placement);
  assert.equal(env.AWS_ENDPOINT_URL, undefined);
});
