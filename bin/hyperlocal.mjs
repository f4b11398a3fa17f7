#!/usr/bin/env node
// Runs the TypeScript entry through tsx, so `npx hyperlocal start` works from a checkout. The server
// runs in a child process (Node loads tsx's hooks at start that way, and worker threads inherit them):
// SIGINT, SIGTERM and SIGHUP sent to this process go to the server, which stops its execution
// environments and relays, and this process ends with the server's status. The IPC channel lets the
// server notice if this process dies without a word (SIGKILL) and stop too.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// tsx as installed beside this file: `--import tsx` alone would look for it from the current directory.
const tsx = import.meta.resolve("tsx");
const child = spawn(process.execPath, ["--import", tsx, join(root, "src/main.ts"), ...process.argv.slice(2)], {
  stdio: ["inherit", "inherit", "inherit", "ipc"],
  cwd: process.cwd(),
});

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = (signal) => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const s of SIGNALS) process.on(s, forward);

child.on("error", (e) => {
  process.stderr.write(`hyperlocal: cannot start node: ${e.message}\n`);
  process.exit(1);
});
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so a shell or supervisor sees what happened to the server.
    for (const s of SIGNALS) process.off(s, forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
