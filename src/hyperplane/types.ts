/** Hyperplane ENIs: one per (subnet, security-group set) per account, shared by every function using it. */

export interface HyperplaneSettings {
  /** How long creating a new ENI takes, on the clock. */
  eniCreateMs: number;
  /** How long after its last user goes an ENI is deleted (AWS: up to 20 minutes). */
  releaseDelayMs: number;
  /** Concurrent connections one ENI carries before another is added (AWS: 65,000). */
  connectionsPerEni: number;
  /** ENIs per VPC (AWS default quota 250). */
  enisPerVpc: number;
  /** How long an extra ENI stays after its connections drop to zero. */
  scaleInDelayMs: number;
}

export const DEFAULT_SETTINGS: HyperplaneSettings = {
  eniCreateMs: 2_000,
  releaseDelayMs: 20 * 60_000,
  connectionsPerEni: 65_000,
  enisPerVpc: 250,
  scaleInDelayMs: 5 * 60_000,
};

/** AWS's own times: creating a Hyperplane ENI can take minutes. */
export const REALISTIC_SETTINGS: HyperplaneSettings = { ...DEFAULT_SETTINGS, eniCreateMs: 90_000 };

export interface EniSlot {
  eniId: string;
  connections: number;
  /** ENIs added past the first for connection capacity; removed when idle. */
  extra: boolean;
  /** For extras: when their connections reached zero. */
  idleSince?: number;
}

export interface ComboRec {
  key: string;
  subnetId: string;
  groupIds: string[];
  ipv6: boolean;
  vpcId: string;
  enis: EniSlot[];
  /** creating until readyAt; failed keeps its reason until the next attach retries */
  status: "creating" | "ready" | "failed";
  readyAt: number;
  failure?: { reasonCode: FailureCode; message: string };
  /** Function versions (or configurations) that use this combination. */
  users: string[];
  /** Set when the last user left: the ENIs go at this time. */
  releaseAt?: number;
}

export interface HyperplaneState {
  combos: Record<string, ComboRec>;
}

export type FailureCode = "SubnetOutOfIPAddresses" | "EniLimitExceeded" | "InvalidSubnet" | "InvalidSecurityGroup" | "InternalError";

export interface AttachRequest {
  subnetIds: string[];
  groupIds: string[];
  /** Ipv6AllowedForDualStack: the ENIs also take an IPv6 address. */
  ipv6: boolean;
  /** Who uses the combination, e.g. the function ARN with its version. */
  user: string;
  /** For the description `AWS Lambda VPC ENI-<function>`. */
  functionName: string;
  requesterId: string;
}

export type AttachStatus =
  | { state: "ready"; enis: { subnetId: string; eniId: string }[] }
  | { state: "creating"; readyAt: number }
  | { state: "failed"; reasonCode: FailureCode; message: string };
