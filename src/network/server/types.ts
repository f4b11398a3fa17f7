// Shapes shared by the decision API, the reachability route and the module's wiring.
import type { AwsServiceArrival } from "../model/index.ts";

/** Who is opening connections: a function's execution environment. */
export interface NetSource {
  account: string;
  region: string;
  functionName: string;
  /**
   * The function's VPC attachment: the Hyperplane ENI its connections leave from and the sharing
   * key of that ENI's (subnet, group set, IPv6) combination. Absent: a function outside any VPC,
   * which reaches the internet directly and no private VPC address.
   */
  vpc?: { networkInterfaceId: string; comboKey: string; ipv6Allowed: boolean };
  /**
   * Set when the function is attached to a VPC but has no usable ENI now (Pending, Inactive, Failed):
   * why. Its connections are refused with this reason, and the reachability route answers 409.
   */
  unavailable?: string;
}

/** Hyperplane's connection accounting (src/hyperplane/hyperplane.ts has exactly these two). */
export interface ConnectionAccounting {
  /** Count one connection on the combination; returns the ENI that carries it (Lambda adds ENIs past 65,000). */
  acquire(account: string, region: string, comboKey: string): string;
  release(account: string, region: string, comboKey: string, eniId: string): void;
}

export type FunctionSourceLookup = (account: string, region: string, functionName: string) => NetSource | undefined;

/** What the shim does with a connection (src/network/shim/README.md, "The decision protocol"). */
export type Decision =
  | { action: "connect"; host: string; port: number; connectionId?: string; address?: string }
  | { action: "drop"; afterMs: number; reason: string }
  | { action: "unreachable"; reason: string }
  | { action: "refuse"; reason: string }
  | { action: "notfound"; reason: string };

export interface NetworkSettings {
  /** How long a dropped TCP connect takes to fail (ETIMEDOUT), in ms. AWS: the client's own SYN timeout. */
  dropAfterMs: number;
}

/** Default for NetworkSettings.dropAfterMs: long enough to look like a timeout, short enough for tests and scripts. */
export const DEFAULT_DROP_AFTER_MS = 3000;

/**
 * How a function's call to an AWS service reached hyperlocal, as the model decided it: the facts
 * IAM turns into condition keys. Built only by hyperlocal from its own decision (never from what
 * the function sends), and bound to the loopback listener the connection arrives on.
 */
export interface AwsCallPath {
  account: string;
  region: string;
  functionName: string;
  /** com.amazonaws.<region>.<service> */
  endpointService: string;
  via: AwsServiceArrival["via"];
  /** aws:SourceIp when the call crossed the internet from a VPC (the NAT gateway's Elastic IP). */
  sourceIp?: string;
  /** Through an interface endpoint: aws:SourceVpc, aws:SourceVpce and aws:VpcSourceIp. */
  sourceVpc?: string;
  sourceVpce?: string;
  vpcSourceIp?: string;
  /** The endpoint's policy document (JSON), a further layer of IAM evaluation. */
  endpointPolicy?: string;
}
