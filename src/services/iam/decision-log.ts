// The last IAM decisions, for GET /_hyperlocal/iam/decisions. Recording is one small object per
// request into a fixed ring; turning entries into JSON happens only when someone asks.
import type { MatchedStatement } from "../../iam-policy/index.ts";
import type { Context } from "./request-context.ts";
import { isoDate } from "./state.ts";

export interface DecisionEntry {
  at: number;
  principal: string;
  action: string;
  resource: string;
  context: Context | undefined;
  result: "Allowed" | "ExplicitDeny" | "ImplicitDeny";
  deniedBy?: string;
  matched: readonly MatchedStatement[];
  /** How the decision came: "policy", "root" (always allowed), "soft"/"off" (denied but let through by the mode). */
  via: "policy" | "root" | "soft" | "off";
}

export class DecisionLog {
  private readonly ring: (DecisionEntry | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity = 1000) {
    this.ring = new Array(capacity);
  }

  record(e: DecisionEntry): void {
    this.ring[this.next] = e;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  clear(): void {
    this.ring.fill(undefined);
    this.next = 0;
    this.count = 0;
  }

  /** Newest first. */
  entries(limit = this.capacity): DecisionEntry[] {
    const out: DecisionEntry[] = [];
    const n = Math.min(limit, this.count);
    for (let i = 1; i <= n; i++) {
      const e = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (e) out.push(e);
    }
    return out;
  }

  toJson(limit?: number): unknown[] {
    return this.entries(limit).map((e) => ({
      time: isoDate(e.at),
      principal: e.principal,
      action: e.action,
      resource: e.resource,
      contextKeys: e.context ? Object.keys(e.context) : [],
      context: e.context ?? {},
      result: e.result,
      ...(e.deniedBy ? { deniedBy: e.deniedBy } : {}),
      ...(e.via !== "policy" ? { via: e.via } : {}),
      matchedStatements: e.matched.map((m) => ({
        policy: m.policyId,
        policyType: m.policyType,
        ...(m.sid !== undefined ? { sid: m.sid } : {}),
        index: m.index,
        effect: m.effect,
      })),
    }));
  }
}
