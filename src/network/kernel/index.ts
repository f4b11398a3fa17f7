// Kernel mode (`--network kernel`, Linux): NetSnapshot → network namespaces + nftables, and the argv
// prefix that runs function code inside an ENI's namespace.
export { KernelNetwork } from "./kernel-network.ts";
export { kernelSupport } from "./support.ts";
export type { KernelPrivilege, KernelSupport } from "./support.ts";
export { rootless } from "./user-namespace.ts";
export type { KernelEndpoint, KernelInternet, KernelNetworkOptions } from "./types.ts";
