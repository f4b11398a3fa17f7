import { dict } from "../core/dict.ts";
import { AwsError, isAwsError } from "../core/aws-error.ts";
import type { Clock } from "../core/clock.ts";
import type { Ec2Internal } from "../services/ec2/index.ts";
import type { Store } from "../store/store.ts";
import { comboKey } from "./combo-key.ts";
import type { AttachRequest, AttachStatus, ComboRec, FailureCode, HyperplaneSettings, HyperplaneState } from "./types.ts";

const SERVICE = "hyperplane";

/**
 * The Hyperplane ENI manager. State is plain JSON in the store (timestamps, never timers), settled
 * whenever it is read; clock timers only wake listeners (Lambda's state machine) at the due times,
 * and are re-armed from the stored timestamps after a restart.
 */
export class Hyperplane {
  private readonly listeners: ((account: string, region: string) => void)[] = [];
  /** Per state object: the earliest time anything in it falls due, so reads that change nothing skip the scan. */
  private readonly due = new WeakMap<HyperplaneState, number>();

  constructor(
    private readonly ec2: Ec2Internal,
    private readonly store: Store,
    private readonly clock: Clock,
    readonly settings: HyperplaneSettings,
  ) {
    for (const { account, region, state } of store.all<HyperplaneState>(SERVICE)) {
      for (const c of Object.values(state.combos)) {
        if (c.status === "creating") this.wakeAt(account, region, c.readyAt);
        if (c.releaseAt !== undefined) this.wakeAt(account, region, c.releaseAt);
      }
    }
  }

  /** Called after ENIs became ready or failed, so waiting functions can move on. */
  onChange(listener: (account: string, region: string) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Register a user on every (subnet, group set) of its configuration. Missing ENIs are created now
   * (their addresses are taken at once, as EC2 shows them) and become ready after eniCreateMs.
   */
  attach(account: string, region: string, req: AttachRequest): AttachStatus {
    const st = this.state(account, region);
    this.settle(account, region, st);
    const now = this.clock.now();
    for (const subnetId of req.subnetIds) {
      const key = comboKey(subnetId, req.groupIds, req.ipv6);
      let combo: ComboRec | undefined = st.combos[key];
      if (combo && combo.status === "failed") {
        // A failed combination is tried again by the next configuration that needs it.
        delete st.combos[key];
        combo = undefined;
      }
      if (!combo) {
        combo = this.create(account, region, st, subnetId, req, now);
        st.combos[key] = combo;
      }
      if (!combo.users.includes(req.user)) combo.users.push(req.user);
      combo.releaseAt = undefined;
    }
    this.store.markDirty();
    return this.status(account, region, req);
  }

  /** Where a configuration stands: all ENIs ready, some still being created, or one failed. */
  status(account: string, region: string, req: Pick<AttachRequest, "subnetIds" | "groupIds" | "ipv6">): AttachStatus {
    const st = this.state(account, region);
    this.settle(account, region, st);
    const enis: { subnetId: string; eniId: string }[] = [];
    let readyAt = 0;
    for (const subnetId of req.subnetIds) {
      const combo = st.combos[comboKey(subnetId, req.groupIds, req.ipv6)];
      if (!combo) return { state: "failed", reasonCode: "InternalError", message: `No network interface is being created for subnet ${subnetId}.` }; // unverified wording
      if (combo.status === "failed") return { state: "failed", reasonCode: combo.failure!.reasonCode, message: combo.failure!.message };
      if (combo.status === "creating") readyAt = Math.max(readyAt, combo.readyAt);
      else enis.push({ subnetId, eniId: combo.enis[0].eniId });
    }
    return readyAt > 0 ? { state: "creating", readyAt } : { state: "ready", enis };
  }

  /**
   * The subnets of a configuration whose ENI does not exist yet (or failed): attaching it would
   * create ENIs there, which is when Lambda uses the execution role's EC2 permissions.
   */
  missing(account: string, region: string, req: Pick<AttachRequest, "subnetIds" | "groupIds" | "ipv6">): string[] {
    const st = this.state(account, region);
    this.settle(account, region, st);
    return req.subnetIds.filter((subnetId) => {
      const combo = st.combos[comboKey(subnetId, req.groupIds, req.ipv6)];
      return !combo || combo.status === "failed";
    });
  }

  /** One combination as it is now (settled), e.g. to find the ENI a function's connections leave from. */
  combo(account: string, region: string, key: string): ComboRec | undefined {
    const st = this.state(account, region);
    this.settle(account, region, st);
    return st.combos[key];
  }

  /**
   * A user stops using its combinations (function deleted, detached or moved): ENIs go after the
   * release delay if nobody else uses them. `keep` names a configuration whose combinations the
   * user goes on using (an update that moved the function keeps the new ones).
   */
  detach(account: string, region: string, user: string, keep?: Pick<AttachRequest, "subnetIds" | "groupIds" | "ipv6">): void {
    this.leave(account, region, user, this.settings.releaseDelayMs, keep ? keysOf(keep) : undefined);
  }

  /** Idle reclaim: ENIs that nobody else uses go at once. */
  reclaim(account: string, region: string, user: string): void {
    this.leave(account, region, user, 0);
  }

  /** Users of each combination, for tests and the admin API. */
  combos(account: string, region: string): ComboRec[] {
    const st = this.state(account, region);
    this.settle(account, region, st);
    return Object.values(st.combos);
  }

  /**
   * A connection opens through a combination: it takes the first ENI with room; past the capacity
   * of every ENI another one is added in the same subnet.
   */
  acquire(account: string, region: string, key: string): string {
    const st = this.state(account, region);
    this.settle(account, region, st);
    const combo = st.combos[key];
    if (!combo || combo.status !== "ready") throw new AwsError("ENINotReadyException", 502, "Lambda was not able to use the network interface because it is not ready yet.");
    let slot = combo.enis.find((e) => e.connections < this.settings.connectionsPerEni);
    if (!slot) {
      this.checkQuota(st, combo.vpcId);
      const eni = this.ec2.createServiceManagedInterface(account, region, {
        subnetId: combo.subnetId,
        groupIds: combo.groupIds,
        description: this.ec2.getNetworkInterface(account, region, combo.enis[0].eniId)?.description ?? "AWS Lambda VPC ENI",
        interfaceType: "lambda",
        requesterId: this.ec2.getNetworkInterface(account, region, combo.enis[0].eniId)?.requesterId ?? "lambda",
        instanceOwnerId: "amazon-aws",
        ipv6: combo.ipv6,
      });
      slot = { eniId: eni.networkInterfaceId, connections: 0, extra: true };
      combo.enis.push(slot);
    }
    slot.connections++;
    slot.idleSince = undefined;
    return slot.eniId;
  }

  release(account: string, region: string, key: string, eniId: string): void {
    const st = this.state(account, region);
    const combo = st.combos[key];
    const slot = combo?.enis.find((e) => e.eniId === eniId);
    if (!slot || slot.connections === 0) return;
    slot.connections--;
    if (slot.connections === 0 && slot.extra) {
      slot.idleSince = this.clock.now();
      this.wakeAt(account, region, slot.idleSince + this.settings.scaleInDelayMs);
    }
  }

  private leave(account: string, region: string, user: string, delayMs: number, keep?: Set<string>): void {
    const st = this.state(account, region);
    this.settle(account, region, st);
    const now = this.clock.now();
    for (const combo of Object.values(st.combos)) {
      if (keep?.has(combo.key)) continue;
      const i = combo.users.indexOf(user);
      if (i < 0) continue;
      combo.users.splice(i, 1);
      if (combo.users.length === 0) {
        combo.releaseAt = now + delayMs;
        this.wakeAt(account, region, combo.releaseAt);
      }
    }
    this.settle(account, region, st);
    this.store.markDirty();
  }

  private create(account: string, region: string, st: HyperplaneState, subnetId: string, req: AttachRequest, now: number): ComboRec {
    const subnet = this.ec2.describeSubnet(account, region, subnetId);
    const combo: ComboRec = {
      key: comboKey(subnetId, req.groupIds, req.ipv6),
      subnetId,
      groupIds: [...new Set(req.groupIds)].sort(),
      ipv6: req.ipv6,
      vpcId: subnet?.vpcId ?? "",
      enis: [],
      status: "creating",
      readyAt: now + this.settings.eniCreateMs,
      users: [],
    };
    try {
      if (!subnet) throw new AwsError("InvalidSubnetID.NotFound", 400, `The subnet ID '${subnetId}' does not exist`);
      this.checkQuota(st, subnet.vpcId);
      const eni = this.ec2.createServiceManagedInterface(account, region, {
        subnetId,
        groupIds: combo.groupIds,
        description: `AWS Lambda VPC ENI-${req.functionName}`,
        interfaceType: "lambda",
        requesterId: req.requesterId,
        instanceOwnerId: "amazon-aws",
        ipv6: req.ipv6,
      });
      combo.enis.push({ eniId: eni.networkInterfaceId, connections: 0, extra: false });
    } catch (e) {
      combo.failure = failureFor(e, subnetId);
    }
    this.wakeAt(account, region, combo.readyAt);
    return combo;
  }

  private checkQuota(st: HyperplaneState, vpcId: string): void {
    let n = 0;
    for (const c of Object.values(st.combos)) if (c.vpcId === vpcId) n += c.enis.length;
    if (n >= this.settings.enisPerVpc) throw new AwsError("NetworkInterfaceLimitExceeded", 400, "The maximum number of network interfaces has been reached."); // unverified wording
  }

  /** Apply every transition that is due: creations finishing, releases, idle extras. */
  private settle(account: string, region: string, st: HyperplaneState): void {
    const now = this.clock.now();
    const due = this.due.get(st);
    if (due !== undefined && now < due) return;
    let next = Infinity;
    for (const [key, c] of Object.entries(st.combos)) {
      if (c.status === "creating" && c.readyAt <= now) {
        c.status = c.failure ? "failed" : "ready";
        if (c.status === "ready") for (const e of c.enis) this.ec2.setServiceManagedInterfaceStatus(account, region, e.eniId, "in-use");
        this.store.markDirty();
      }
      if (c.releaseAt !== undefined && c.releaseAt <= now && c.users.length === 0) {
        for (const e of c.enis) this.deleteEni(account, region, e.eniId);
        delete st.combos[key];
        this.store.markDirty();
        continue;
      }
      if (c.status === "ready" && c.enis.length > 1) {
        const keep = c.enis.filter((e) => !(e.extra && e.connections === 0 && e.idleSince !== undefined && e.idleSince + this.settings.scaleInDelayMs <= now));
        if (keep.length !== c.enis.length) {
          for (const e of c.enis) if (!keep.includes(e)) this.deleteEni(account, region, e.eniId);
          c.enis = keep;
          this.store.markDirty();
        }
      }
      if (c.status === "creating") next = Math.min(next, c.readyAt);
      if (c.releaseAt !== undefined && c.users.length === 0) next = Math.min(next, c.releaseAt);
      for (const e of c.enis) if (e.extra && e.connections === 0 && e.idleSince !== undefined) next = Math.min(next, e.idleSince + this.settings.scaleInDelayMs);
    }
    this.due.set(st, next);
  }

  /** Something falls due at `at`: the next read must look. */
  private lowerDue(st: HyperplaneState, at: number): void {
    const due = this.due.get(st);
    if (due !== undefined && at < due) this.due.set(st, at);
  }

  private deleteEni(account: string, region: string, eniId: string): void {
    try {
      this.ec2.deleteServiceManagedInterface(account, region, eniId);
    } catch (e) {
      // Already gone (the VPC was torn down by hand): nothing left to free.
      if (!isAwsError(e)) throw e;
    }
  }

  private wakeAt(account: string, region: string, at: number): void {
    this.lowerDue(this.state(account, region), at);
    this.clock.schedule(Math.max(0, at - this.clock.now()), () => {
      this.settle(account, region, this.state(account, region));
      for (const l of this.listeners) l(account, region);
    });
  }

  private state(account: string, region: string): HyperplaneState {
    return this.store.state<HyperplaneState>(SERVICE, account, region, () => ({ combos: dict() }));
  }
}

function keysOf(req: Pick<AttachRequest, "subnetIds" | "groupIds" | "ipv6">): Set<string> {
  return new Set(req.subnetIds.map((s) => comboKey(s, req.groupIds, req.ipv6)));
}

/** EC2's answer turned into Lambda's state reason code. */
function failureFor(e: unknown, subnetId: string): { reasonCode: FailureCode; message: string } {
  const code = isAwsError(e) ? e.code : "";
  switch (code) {
    case "InsufficientFreeAddressesInSubnet":
      return { reasonCode: "SubnetOutOfIPAddresses", message: `Lambda was unable to configure access to your VPC because one or more configured subnets has no available IP addresses. Subnet: ${subnetId}` }; // unverified wording
    case "NetworkInterfaceLimitExceeded":
      return { reasonCode: "EniLimitExceeded", message: "Lambda was not able to create an ENI in the VPC of the Lambda function because the limit for Network Interfaces has been reached." };
    case "InvalidSubnetID.NotFound":
      return { reasonCode: "InvalidSubnet", message: `Lambda was unable to configure VPC access because the subnet ${subnetId} does not exist.` }; // unverified wording
    case "InvalidGroup.NotFound":
    case "InvalidSecurityGroupID.NotFound":
      return { reasonCode: "InvalidSecurityGroup", message: `Lambda was unable to configure VPC access because a security group does not exist. ${isAwsError(e) ? e.message : ""}`.trim() }; // unverified wording
    default:
      return { reasonCode: "InternalError", message: `Lambda was unable to configure VPC access: ${isAwsError(e) ? e.message : String(e)}` }; // unverified wording
  }
}
