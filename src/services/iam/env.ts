// What every IAM file works with: the deps, the compiled-policy cache and the generation counter
// that invalidates everything derived from IAM state (policy bundles, resolved credentials).
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { Config } from "../../config.ts";
import type { Store } from "../../store/store.ts";
import type { ServiceDeps } from "../service-deps.ts";
import { awsManagedPolicy } from "./managed-policies.ts";
import { PolicyCache } from "./policy-cache.ts";
import { iamState, key, type IamState, type PolicyRec } from "./state.ts";

export class IamEnv {
  readonly store: Store;
  readonly clock: Clock;
  readonly config: Config;
  readonly logger: Logger;
  readonly policies = new PolicyCache();
  /** Bumped on every IAM change; caches compare it instead of tracking what changed. */
  generation = 1;

  constructor(deps: ServiceDeps) {
    this.store = deps.store;
    this.clock = deps.clock;
    this.config = deps.config;
    this.logger = deps.logger;
  }

  bump(): void {
    this.generation++;
  }

  state(account: string): IamState {
    return iamState(this.store, account);
  }

  now(): number {
    return this.clock.now();
  }
}

/** A managed policy as an attachment sees it, AWS's or the account's own. */
export interface ManagedRef {
  arn: string;
  name: string;
  aws: boolean;
  /** The default version's document. */
  document: string;
  local?: PolicyRec;
}

const POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy(\/(?:[^/]+\/)*)([^/]+)$/;

export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | undefined {
  const m = POLICY_ARN.exec(arn);
  return m ? { account: m[1], path: m[2], name: m[3] } : undefined;
}

/** Resolves a managed policy ARN visible from `account` (AWS's, or the account's own). */
export function resolveManaged(env: IamEnv, account: string, arn: string): ManagedRef | undefined {
  const p = parsePolicyArn(arn);
  if (!p) return undefined;
  if (p.account === "aws") {
    const m = awsManagedPolicy(arn);
    return m ? { arn, name: m.name, aws: true, document: m.document } : undefined;
  }
  if (p.account !== account) return undefined;
  const rec = env.state(account).policies[key(p.name)];
  if (!rec || rec.arn !== arn) return undefined;
  const v = rec.versions.find((x) => x.id === rec.defaultVersion);
  return v ? { arn, name: rec.name, aws: false, document: v.document, local: rec } : undefined;
}
