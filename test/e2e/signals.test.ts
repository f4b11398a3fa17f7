// `kill` on the command a user started (bin/hyperlocal.mjs) stops the server and everything it
// started: SIGTERM (kill), SIGINT (Ctrl-C) and SIGHUP (the terminal closed), and SIGKILL of the
// command too. These run function code, so only inside a loopback-only network namespace.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { CreateFunctionCommand, InvokeCommand } from "@aws-sdk/client-lambda";
import { clients } from "../support/clients.ts";
import { tempDir } from "../support/server.ts";
import { IN_LOOPBACK_NETNS, NETNS_SKIP_REASON } from "../support/netns.ts";
import { advanceClock, eventually, LAMBDA_TRUST, NODE_ECHO, nodeZip } from "../support/zip-functions.ts";

const BIN = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..", "..", "bin", "hyperlocal.mjs");

interface ProcInfo {
  pid: number;
  ppid: number;
  pgid: number;
  state: string;
}

/** Every live process on the machine, from /proc/<pid>/stat (the name may hold spaces and parentheses). */
function processes(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${d}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (f[0] === "Z" || f[0] === "X") continue; // exited, only waiting to be reaped
    out.push({ pid: Number(d), state: f[0], ppid: Number(f[1]), pgid: Number(f[2]) });
  }
  return out;
}

/** The processes descending from pid (not pid itself). */
function descendants(pid: number): ProcInfo[] {
  const all = processes();
  const found: ProcInfo[] = [];
  const frontier = [pid];
  while (frontier.length) {
    const p = frontier.pop()!;
    for (const c of all) if (c.ppid === p && !found.some((x) => x.pid === c.pid)) (found.push(c), frontier.push(c.pid));
  }
  return found;
}

const started = new Set<ChildProcess>();
after(() => {
  for (const p of started) p.kill("SIGKILL");
});

const ROOT = join(BIN, "..", "..");

/** The command as a user runs it: bin from anywhere (here a fresh directory), npm start from the checkout. */
async function startBin(argv = [process.execPath, BIN, "start", "--port", "0"], cwd = tempDir()): Promise<{ proc: ChildProcess; url: string; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }> {
  const proc = spawn(argv[0], argv.slice(1), {
    cwd,
    env: { ...process.env, HYPERLOCAL_READY_LINE: "1", HYPERLOCAL_LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // a process group of its own, as a shell gives a job: ours is never counted as the server's
  });
  started.add(proc);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on("exit", (code, signal) => {
      started.delete(proc);
      resolve({ code, signal });
    }),
  );
  let out = "";
  proc.stderr!.on("data", (d) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line within 20 s:\n${out}`)), 20_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /HYPERLOCAL_READY (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.on("exit", () => reject(new Error(`the server exited before its ready line:\n${out}`)));
  });
  return { proc, url, exited };
}

/** A function invoked once, so the server has an execution environment process. */
async function invokeOnce(url: string): Promise<void> {
  const c = clients(url);
  const role = (await c.iam.send(new CreateRoleCommand({ RoleName: "exec", AssumeRolePolicyDocument: LAMBDA_TRUST }))).Role!.Arn!;
  await c.lambda.send(new CreateFunctionCommand({ FunctionName: "echo", Runtime: "nodejs20.x", Role: role, Handler: "index.handler", Code: { ZipFile: nodeZip(NODE_ECHO) } }));
  await advanceClock(url, 1);
  const r = await c.lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from('{"n":1}') }));
  assert.equal(r.StatusCode, 200);
  assert.equal(r.FunctionError, undefined);
  for (const x of Object.values(c)) x.destroy();
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/_hyperlocal/health`, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe("signals to bin/hyperlocal.mjs stop the server and everything it started", { skip: !IN_LOOPBACK_NETNS && NETNS_SKIP_REASON }, () => {
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP", "SIGKILL"] as const) {
    it(`${signal}`, async () => {
      const { proc, url, exited } = await startBin();
      await invokeOnce(url);
      await stopsEverything(proc, url, exited, signal, 2);
    });
  }
});

describe("npm start forwards SIGTERM and SIGINT to the server (npm forwards those two)", () => {
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    it(`${signal}`, async () => {
      const { proc, url, exited } = await startBin(["npm", "start", "--silent", "--", "--port", "0"], ROOT);
      await stopsEverything(proc, url, exited, signal, 1);
    });
  }
});

/** Send the signal to the command, then: it ends, the port is closed, no process of its tree is left. */
async function stopsEverything(proc: ChildProcess, url: string, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, signal: NodeJS.Signals, minTree: number): Promise<void> {
  const tree = descendants(proc.pid!);
  assert.ok(tree.length >= minTree, `expected at least ${minTree} processes under ${proc.pid}: ${JSON.stringify(tree)}`);
  // Execution environments (and prewarmed spares) run in process groups of their own.
  const groups = new Set(tree.map((p) => p.pgid));
  try {
    proc.kill(signal);
    const end = await Promise.race([exited, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${signal}: the command did not exit within 15 s`)), 15_000).unref())]);
    if (signal === "SIGKILL") assert.equal(end.signal, "SIGKILL");
    else assert.ok(end.code === 0 || end.code === 128 + (signal === "SIGINT" ? 2 : 15) || end.signal === signal, `exit: ${JSON.stringify(end)}`);
    // The server goes away with the command (at once for a forwarded signal; for SIGKILL of the
    // command, when it notices its parent is gone), and so do its execution environments.
    await eventually(async () => processes().filter((p) => tree.some((t) => t.pid === p.pid) || groups.has(p.pgid)), (left) => left.length === 0, 10_000);
    assert.equal(await answers(url), false, "the port still answers");
  } finally {
    // Whatever a failed run left behind is killed here, never left running.
    for (const p of processes()) {
      if (!tree.some((t) => t.pid === p.pid) && !groups.has(p.pgid)) continue;
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
}
