// Can kernel mode run here? Linux, iproute2, nftables, nsenter, and the right to create a network
// namespace (root, or root inside a user namespace, e.g. under `unshare -rnm`). The probe creates a
// throwaway namespace; the host's own network configuration is never touched.
import { spawnSync } from "node:child_process";

let cached: { ok: true } | { ok: false; reason: string } | undefined;

export function kernelSupport(): { ok: true } | { ok: false; reason: string } {
  if (cached) return cached;
  return (cached = probe());
}

function probe(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== "linux") return { ok: false, reason: `kernel network mode needs Linux (this is ${process.platform}); use --network shim` };
  for (const [cmd, arg, pkg] of [
    ["ip", "-V", "iproute2"],
    ["nft", "--version", "nftables"],
    ["nsenter", "--version", "util-linux"],
    ["unshare", "--version", "util-linux"],
  ] as const) {
    const r = spawnSync(cmd, [arg], { stdio: "ignore" });
    if (r.error || r.status !== 0) return { ok: false, reason: `\`${cmd}\` is not available (install ${pkg})` };
  }
  const r = spawnSync("unshare", ["--net", "--", "nft", "list", "ruleset"], { encoding: "utf8" });
  if (r.error || r.status !== 0) {
    return {
      ok: false,
      reason: `cannot create a network namespace with nftables here (${(r.stderr || String(r.error)).trim()}); run as root, or inside \`unshare -rnm\` where user namespaces are allowed`,
    };
  }
  return { ok: true };
}
