// Rootless kernel mode: one user namespace for the whole process, in which we are root. Every
// network namespace kernel mode creates is created inside it and owned by it, and every command that
// configures one (ip, nft, sysctl) or runs in one (relays, function code) enters it first with
// `nsenter --preserve-credentials --user=...`. The namespace is held by a `cat` reading our pipe: it
// lives exactly as long as this process. In "direct" mode (root) there is no such namespace and
// the prefix is empty.
import { spawn } from "node:child_process";
import { kernelSupport } from "./support.ts";

let path: string | undefined;
let starting: Promise<void> | undefined;

/** Create the user namespace once, when this machine needs it (kernelSupport() says "userns"). */
export function ensureUserNamespace(): Promise<void> {
  const support = kernelSupport();
  if (!support.ok || support.privilege !== "userns" || path) return Promise.resolve();
  starting ??= new Promise<void>((resolve, reject) => {
    const child = spawn("unshare", ["--user", "--map-root-user", "--", "sh", "-c", "echo ready && exec cat"], { stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.stdin!.on("error", () => {});
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!path) reject(new Error(`kernel network: cannot create a user namespace (exit ${code}): ${stderr.trim()}`));
      path = undefined;
      starting = undefined;
    });
    child.stdout!.setEncoding("utf8").once("data", () => {
      path = `/proc/${child.pid}/ns/user`;
      // It must not keep this process alive; it ends when our end of its stdin closes.
      child.unref();
      for (const s of [child.stdin, child.stdout, child.stderr]) (s as unknown as { unref?: () => void })?.unref?.();
      resolve();
    });
  });
  return starting;
}

/** argv that enters our user namespace before what follows ([] in direct mode). */
export function userNamespacePrefix(): string[] {
  return path ? ["nsenter", "--preserve-credentials", `--user=${path}`, "--"] : [];
}

/** nsenter options that enter our user namespace as well ([] in direct mode). */
export function userNamespaceOptions(): string[] {
  return path ? ["--preserve-credentials", `--user=${path}`] : [];
}

/** True once kernel mode runs rootless here. */
export function rootless(): boolean {
  return path !== undefined;
}
