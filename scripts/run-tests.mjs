#!/usr/bin/env node
// Runs every test (unit tests beside the code, end-to-end tests in test/e2e) with node's test runner.
// Network safety: when the machine allows it, the whole run happens inside a fresh loopback-only
// network namespace (`unshare -rn`, then `lo` up), so no test can reach an address off this machine.
// Tests that execute function code check HYPERLOCAL_TEST_NETNS and skip, saying so, without it.
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) findTests(p, out);
    else if (name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = [...findTests("src"), ...findTests("test")].sort();
if (filter.length) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error("no test files matched");
  process.exit(1);
}

const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", NODE_NO_WARNINGS: "1" };
// No test may hang the run: each test has a time limit, servers a failed test left behind are
// closed when its file ends (test/support/server.ts), and the whole run has a ceiling.
// (Not --test-force-exit: on Node 20 it drops tests at random from a file's report.)
const TEST_TIMEOUT_MS = 300_000;
const RUN_CEILING_MS = 30 * 60_000;
const nodeArgs = ["--import", "tsx", "--test", "--test-concurrency=2", "--test-reporter=spec", `--test-timeout=${TEST_TIMEOUT_MS}`, ...files];

// A private mount namespace too (-m) where possible, so the kernel network mode's tests can mount
// their own /run for `ip netns` without touching the host's.
function isolationFlags() {
  if (process.env.HYPERLOCAL_TEST_NETNS === "1") return undefined; // already inside
  for (const flags of ["-rnm", "-rn"]) {
    const r = spawnSync("unshare", [flags, "sh", "-c", "ip link set lo up && ip -o link show up | grep -vc LOOPBACK || true"], { encoding: "utf8" });
    if (r.status === 0 && r.stdout.trim() === "0") return flags;
  }
  return undefined;
}

let result;
let flags;
if (process.env.HYPERLOCAL_TEST_NETNS === "1") {
  result = spawnSync(process.execPath, nodeArgs, { stdio: "inherit", env, timeout: RUN_CEILING_MS, killSignal: "SIGKILL" });
} else if ((flags = isolationFlags())) {
  console.log(`tests run inside a loopback-only network namespace (unshare ${flags})`);
  const script = `ip link set lo up && exec "$0" "$@"`;
  result = spawnSync("unshare", [flags, "sh", "-c", script, process.execPath, ...nodeArgs], {
    stdio: "inherit",
    env: { ...env, HYPERLOCAL_TEST_NETNS: "1" },
    timeout: RUN_CEILING_MS,
    killSignal: "SIGKILL",
  });
} else {
  console.log("NOTE: cannot create a loopback-only network namespace here (unshare -rn failed);");
  console.log("      tests that run function code with network access will be skipped.");
  result = spawnSync(process.execPath, nodeArgs, { stdio: "inherit", env, timeout: RUN_CEILING_MS, killSignal: "SIGKILL" });
}
if (result.error?.code === "ETIMEDOUT") {
  console.error(`the test run did not finish within ${RUN_CEILING_MS / 60_000} minutes and was stopped`);
  process.exit(1);
}
process.exit(result.status ?? 1);
