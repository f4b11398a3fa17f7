import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ConfigError, configHelp, defaultConfig, parseConfig } from "./config.ts";

describe("config", () => {
  it("defaults", () => {
    const c = parseConfig([], {});
    assert.equal(c.port, 4566);
    assert.equal(c.host, "127.0.0.1");
    assert.equal(c.account, "000000000000");
    assert.equal(c.iam, "enforce");
    assert.equal(c.stateDir, undefined);
    assert.deepEqual(defaultConfig(), c);
  });

  it("flags win over environment variables", () => {
    const c = parseConfig(["--port", "5000", "--region=eu-west-1", "--accept-any-credentials"], { HYPERLOCAL_PORT: "6000", HYPERLOCAL_HOST: "0.0.0.0", HYPERLOCAL_LOG_LEVEL: "warn" });
    assert.equal(c.port, 5000);
    assert.equal(c.host, "0.0.0.0");
    assert.equal(c.region, "eu-west-1");
    assert.equal(c.logLevel, "warn");
    assert.equal(c.acceptAnyCredentials, true);
  });

  it("the 12-digit account keys are on by default; --no-account-keys or HYPERLOCAL_ACCOUNT_KEYS=off turn them off", () => {
    assert.equal(parseConfig([], {}).accountKeys, true);
    assert.equal(parseConfig(["--no-account-keys"], {}).accountKeys, false);
    assert.equal(parseConfig([], { HYPERLOCAL_ACCOUNT_KEYS: "off" }).accountKeys, false);
    assert.equal(parseConfig(["--account-keys"], { HYPERLOCAL_ACCOUNT_KEYS: "off" }).accountKeys, true);
    assert.equal(parseConfig(["--account-keys=false"], {}).accountKeys, false);
    assert.throws(() => parseConfig(["--no-account-keys=yes"], {}), /unknown option/);
    assert.throws(() => parseConfig(["--no-port"], {}), /unknown option/);
    assert.ok(configHelp().includes("--[no-]account-keys"));
  });

  it("refuses bad values with a clear message", () => {
    assert.throws(() => parseConfig(["--port", "x"], {}), ConfigError);
    assert.throws(() => parseConfig(["--account", "123"], {}), /12 digits/);
    assert.throws(() => parseConfig(["--iam", "maybe"], {}), /enforce, soft, off/);
    assert.throws(() => parseConfig(["--bogus"], {}), /unknown option/);
    assert.throws(() => parseConfig(["--port"], {}), /needs a value/);
  });

  it("documents every flag and its variable", () => {
    const h = configHelp();
    for (const f of ["--port", "--host", "--region", "--account", "--state-dir", "--log-level", "HYPERLOCAL_STATE_DIR"]) assert.ok(h.includes(f), f);
  });
  it("exposure settings: origins, host names and the admin token, validated", () => {
    const c = parseConfig(["--cors-origins", "http://localhost:5173, https://app.example.com/", "--allowed-hosts=Hyperlocal,devbox.internal"], { HYPERLOCAL_ADMIN_TOKEN: "0123456789abcdef-token" });
    assert.deepEqual(c.corsOrigins, ["http://localhost:5173", "https://app.example.com"]);
    assert.deepEqual(c.allowedHosts, ["hyperlocal", "devbox.internal"]);
    assert.equal(c.adminToken, "0123456789abcdef-token");
    assert.deepEqual(parseConfig([], {}).corsOrigins, []);
    assert.deepEqual(parseConfig([], { HYPERLOCAL_CORS_ORIGINS: "http://127.0.0.1:3000" }).corsOrigins, ["http://127.0.0.1:3000"]);
    for (const bad of ["*", "null", "localhost:5173", "http://localhost:5173/app"]) assert.throws(() => parseConfig(["--cors-origins", bad], {}), /is not an origin/, bad);
    assert.throws(() => parseConfig(["--allowed-hosts", "evil.example/x"], {}), /not a host name/);
    assert.throws(() => parseConfig(["--admin-token", "short"], {}), /at least 16/);
    assert.throws(() => parseConfig(["--admin-token", "a token with spaces in it"], {}), /no spaces/);
    assert.match(configHelp(), /--cors-origins <a,b>/);
  });
});

describe("quotas", () => {
  it("start at AWS's defaults and are set by --quota NAME=N (repeatable) and HYPERLOCAL_QUOTAS", () => {
    assert.equal(parseConfig([], {}).quotas["ec2.vpcs"], 5);
    const c = parseConfig(["--quota", "ec2.vpcs=20", "--quota=ec2.elastic-ips=9"], { HYPERLOCAL_QUOTAS: "ec2.vpcs=7,ec2.internet-gateways=8" });
    assert.equal(c.quotas["ec2.vpcs"], 20, "the flag wins over the environment");
    assert.equal(c.quotas["ec2.elastic-ips"], 9);
    assert.equal(c.quotas["ec2.internet-gateways"], 8);
    assert.equal(c.quotas["ec2.subnets-per-vpc"], 200);
  });
  it("lambda.concurrent-executions is the same setting as --concurrency-limit", () => {
    assert.equal(parseConfig(["--quota", "lambda.concurrent-executions=50"], {}).concurrencyLimit, 50);
    assert.equal(parseConfig(["--concurrency-limit", "70"], {}).quotas["lambda.concurrent-executions"], 70);
  });
  it("refuses unknown names and values that are not whole numbers", () => {
    assert.throws(() => parseConfig(["--quota", "ec2.vpc=3"], {}), /unknown quota 'ec2.vpc'/);
    assert.throws(() => parseConfig(["--quota", "ec2.vpcs=many"], {}), /expected ec2.vpcs=<whole number>/);
    assert.throws(() => parseConfig(["--quota"], {}), /--quota needs NAME=N/);
  });
});
