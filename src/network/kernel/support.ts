// Can kernel mode run here, and how? Linux, iproute2, nftables, nsenter, and the right to create a
// network namespace: directly (root, or root inside a user namespace, e.g. under `unshare -rnm`),
// or rootless, inside a user namespace of our own where the host allows unprivileged ones. The
// probe creates throwaway namespaces; the host's own network configuration is never touched.
import { spawnSync } from "node:child_process";

/** "direct": namespaces are created as we are; "userns": inside a user namespace we create (rootless). */
export type KernelPrivilege = "direct" | "userns";

export type KernelSupport = { ok: true; privilege: KernelPrivilege } | { ok: false; reason: string };

let cached: KernelSupport | undefined;

export function kernelSupport(): KernelSupport {
  if (cached) return cached;
  return (cached = probe());
}

function probe(): KernelSupport {
  if (process.platform !== "linux") return { ok: false, reason: `kernel network mode needs Linux (this is ${process.platform}); use --network shim` };
  for (const [cmd, arg, pkg] of [
    ["ip", "-V", "iproute2"],
    ["nft", "--version", "nftables"],
    ["nsenter", "--version", "util-linux"],
    ["unshare", "--version", "util-linux"],
    ["setpriv", "--version", "util-linux"],
  ] as const) {
    const r = spawnSync(cmd, [arg], { stdio: "ignore" });
    if (r.error || r.status !== 0) return { ok: false, reason: `\`${cmd}\` is not available (install ${pkg})` };
  }
  const direct = spawnSync("unshare", ["--net", "--", "nft", "list", "ruleset"], { encoding: "utf8" });
  if (!direct.error && direct.status === 0) return { ok: true, privilege: "direct" };
  const rootless = spawnSync("unshare", ["--user", "--map-root-user", "--net", "--", "nft", "list", "ruleset"], { encoding: "utf8" });
  if (!rootless.error && rootless.status === 0) return { ok: true, privilege: "userns" };
  const why = (r: ReturnType<typeof spawnSync>) => (String(r.stderr ?? "") || String(r.error ?? "")).trim();
  return {
    ok: false,
    reason:
      `cannot create a network namespace with nftables here: not as this user (${why(direct)}) and not in a user namespace of its own (${why(rootless)}); ` +
      "run as root, or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)",
  };
}
