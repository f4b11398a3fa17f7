// A network namespace held open by a tiny process (`unshare --net cat`) instead of `ip netns add`:
// no /run/netns, no bind mounts, no mount namespace needed. The holder reads our pipe, so when this
// process dies (even by SIGKILL) the pipe closes, the holder exits and the kernel frees the namespace
// with every veth in it: nothing outlives the emulator.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { userNamespacePrefix } from "./user-namespace.ts";

export interface NamespaceHolder {
  readonly name: string;
  readonly pid: number;
  /** /proc/<pid>/ns/net: what nsenter and `ip link ... netns <pid>` use. */
  readonly path: string;
  close(): Promise<void>;
}

export function holdNamespace(name: string): Promise<NamespaceHolder> {
  return new Promise((resolve, reject) => {
    // Rootless: created inside our user namespace, which then owns it.
    const argv = [...userNamespacePrefix(), "unshare", "--net", "--", "sh", "-c", "ip link set lo up && echo ready && exec cat"];
    const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    let exited = false;
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.stdin!.on("error", () => {});
    const done = new Promise<void>((r) => child.on("exit", () => ((exited = true), r())));
    child.on("exit", (code) => {
      if (!ready) reject(new Error(`kernel network: cannot create namespace ${name} (exit ${code}): ${stderr.trim()}`));
    });
    let ready = false;
    child.stdout!.setEncoding("utf8").once("data", () => {
      ready = true;
      const pid = child.pid!;
      resolve({
        name,
        pid,
        path: `/proc/${pid}/ns/net`,
        close: async () => {
          if (exited) return;
          child.stdin!.end();
          const t = setTimeout(() => child.kill("SIGKILL"), 1000);
          await done;
          clearTimeout(t);
        },
      });
    });
  });
}
