import { spawn, type ChildProcess } from "node:child_process";
import { after } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApp, type App } from "../../src/app.ts";
import { defaultConfig, type Config } from "../../src/config.ts";
import { createLogger } from "../../src/core/logger.ts";
import { defaultQuotas, type Quotas } from "../../src/quotas.ts";
import { BUNDLE, ensureBuilt } from "../../scripts/build.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

/** In-process servers not closed yet: closed when the test file ends, so a failed test cannot keep its process alive. */
const liveApps = new Set<App>();

/**
 * The quotas test servers start with: AWS's defaults, except the per-Region counts of VPCs, Elastic
 * IPs, internet gateways and NAT gateways (5 each), which tests of other behaviour pass on their
 * way. The quota tests (test/e2e/quotas.test.ts) start with AWS's defaults.
 */
export const TEST_QUOTAS: Quotas = { ...defaultQuotas(), "ec2.vpcs": 1000, "ec2.elastic-ips": 1000, "ec2.internet-gateways": 1000, "ec2.nat-gateways-per-az": 1000 };
const TEST_QUOTA_ENV = Object.entries(TEST_QUOTAS).map(([k, v]) => `${k}=${v}`).join(",");

/** An in-process server on a random free port: fast, for most tests. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<App> {
  const config = defaultConfig({ port: 0, host: "127.0.0.1", logLevel: "silent", quotas: { ...TEST_QUOTAS }, ...overrides });
  const app = await startApp(config, { logger: createLogger(config.logLevel) });
  liveApps.add(app);
  const close = app.close.bind(app);
  app.close = () => {
    liveApps.delete(app);
    return close();
  };
  return app;
}

export interface ChildServer {
  url: string;
  proc: ChildProcess;
  output: () => string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

// Every child server a test file starts is killed when the file's tests end, even when a test
// failed before its own stop(): a live child would keep the test process, and the run, waiting.
// In-process servers (startTestServer) left open are closed then too.
const liveChildren = new Set<ChildProcess>();
after(async () => {
  for (const proc of liveChildren) proc.kill("SIGKILL");
  await Promise.all([...liveApps].map((app) => app.close().catch(() => {})));
});
process.on("exit", () => {
  for (const proc of liveChildren) proc.kill("SIGKILL");
});

const ROOT = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..");

/** The production build, brought up to date once per test process: child servers run what `npm start` runs. */
let built: Promise<unknown> | undefined;
function builtServer(): Promise<string> {
  built ??= ensureBuilt();
  return built.then(() => BUNDLE);
}

/**
 * The real CLI in a child process (`hyperlocal start`, from the build), for end-to-end tests. `wrapper`:
 * an argv prefix it starts under (e.g. `unshare --user --map-user=1000 --` for an unprivileged server);
 * `nodeArgs`: options for node itself (e.g. `--cpu-prof`, for a benchmark).
 */
export async function startChildServer(args: string[] = [], env: NodeJS.ProcessEnv = {}, wrapper: string[] = [], nodeArgs: string[] = []): Promise<ChildServer> {
  const argv = [...wrapper, process.execPath, ...nodeArgs, await builtServer(), "start", "--port", "0", ...args];
  const proc = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: { ...process.env, HYPERLOCAL_READY_LINE: "1", HYPERLOCAL_LOG_LEVEL: "warn", HYPERLOCAL_QUOTAS: TEST_QUOTA_ENV, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  liveChildren.add(proc);
  proc.on("exit", () => liveChildren.delete(proc));
  let out = "";
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    // Generous: the first start with --state-dir on a machine creates a database (seconds of CPU).
    const timer = setTimeout(() => reject(new Error(`server did not start within 60 s:\n${out}`)), 60_000);
    const onData = () => {
      const m = /HYPERLOCAL_READY (\S+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      proc.stdout!.off("data", onData);
      resolve({
        url: m[1],
        proc,
        output: () => out,
        stop: async (signal = "SIGTERM") => {
          if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
          return exited;
        },
      });
    };
    proc.stdout!.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${out}`));
    });
  });
}

/** Run `hyperlocal ...` to completion (for start-up failures and --help). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = await builtServer();
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [server, ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => (stdout += d));
    proc.stderr.on("data", (d) => (stderr += d));
    proc.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix = "hyperlocal-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
