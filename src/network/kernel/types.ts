// Public shapes of kernel mode.
import type { Logger } from "../../core/logger.ts";

/** A local server placed at a VPC address (the address of an ENI in the snapshot). */
export interface KernelEndpoint {
  ip: string;
  port: number;
  /** host:port on the emulator's side, e.g. "127.0.0.1:54321". */
  target: string;
  /** Default "tcp". */
  protocol?: "tcp" | "udp";
  /**
   * Set: a listener at a gateway endpoint (its id): `ip` is the service's address, reached through
   * the endpoint's prefix-list routes, not an interface of the snapshot.
   */
  gatewayEndpointId?: string;
}

/** A "public" address mapped to a local server. */
export interface KernelInternet {
  ip: string;
  port: number;
  target: string;
  /** Default "tcp". */
  protocol?: "tcp" | "udp";
}

export interface KernelNetworkOptions {
  /** Scratch directory (unix sockets, scripts); created if missing. */
  root: string;
  logger?: Logger;
  /**
   * What a filtered packet gets. "drop" (default) is AWS: silence, the client times out.
   * "reject" fails fast (TCP reset / ICMP unreachable), for tests.
   */
  denied?: "drop" | "reject";
}
