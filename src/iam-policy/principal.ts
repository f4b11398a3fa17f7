// Principal / NotPrincipal matching (IAM UG reference_policies_elements_principal).
// The level says how the principal was named, because AWS treats the forms differently:
//   3 EXACT   - the caller's own ARN (user, assumed-role session, account root when the caller
//               is root) or a service principal. Same account: grants alone, and is not limited
//               by a permissions boundary or session policy (IAM UG, "permissions boundaries" and
//               "session policies": a resource policy naming the user or the session ARN).
//   2 BROAD   - "*", {"AWS":"*"}, a role ARN matching a session of that role, or NotPrincipal.
//               Same account: grants alone; boundary and session policies still apply.
//   1 ACCOUNT - an account id or arn:aws:iam::ACCT:root naming the caller's account. This
//               delegates to the account: the caller's identity policies must allow too.
//   0 NONE
import type { ParsedPrincipal, PrincipalLevel, PrincipalRequest } from "./types.ts";

export const P_NONE = 0;
export const P_ACCOUNT = 1;
export const P_BROAD = 2;
export const P_EXACT = 3;

export type PrincipalMatcher = (req: PrincipalRequest) => PrincipalLevel;

const ROOT = /^arn:([^:]+):iam::(\d{12}):root$/;
const ROLE = /^arn:([^:]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
const SESSION = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/;

/** The caller's account: principalAccount, else the account field of its ARN. */
export function accountOf(req: PrincipalRequest): string | undefined {
  if (req.principalAccount) return req.principalAccount;
  const arn = req.principalArn;
  if (!arn.startsWith("arn:")) return undefined;
  const parts = arn.split(":");
  return parts.length >= 6 && parts[4] ? parts[4] : undefined;
}

export function compilePrincipal(p: ParsedPrincipal, not: boolean): PrincipalMatcher {
  const inner = compileInner(p);
  if (!not) return inner;
  // NotPrincipal: everyone except those listed. Simplification: a listed role also excludes its
  // sessions and a listed account all of its principals (AWS asks authors to list both anyway).
  return (req) => (inner(req) === P_NONE ? P_BROAD : P_NONE);
}

function compileInner(p: ParsedPrincipal): PrincipalMatcher {
  if (p === "*") return () => P_BROAD;
  let any = false;
  const exact = new Set<string>();
  const accounts = new Set<string>();
  const roles = new Set<string>(); // "partition:account:roleName"
  const services = new Set<string>();
  for (const [type, values] of Object.entries(p)) {
    for (const v of values) {
      if (type === "AWS") {
        if (v === "*") {
          any = true;
          continue;
        }
        if (/^\d{12}$/.test(v)) {
          accounts.add(v);
          continue;
        }
        const root = ROOT.exec(v);
        if (root) {
          accounts.add(root[2]);
          exact.add(v);
          continue;
        }
        const role = ROLE.exec(v);
        if (role) roles.add(`${role[1]}:${role[2]}:${role[3]}`);
        exact.add(v);
      } else if (type === "Service") {
        if (v === "*") any = true;
        else services.add(v.toLowerCase());
      } else {
        // Federated, CanonicalUser: the caller's identifier as given
        if (v === "*") any = true;
        else exact.add(v);
      }
    }
  }
  return (req) => {
    if (exact.has(req.principalArn)) return P_EXACT;
    if (services.size > 0) {
      const svc = req.principalService ?? req.principalArn;
      if (services.has(svc.toLowerCase())) return P_EXACT;
    }
    if (any) return P_BROAD;
    if (roles.size > 0) {
      const m = SESSION.exec(req.principalArn);
      if (m && roles.has(`${m[1]}:${m[2]}:${m[3]}`)) return P_BROAD;
    }
    if (accounts.size > 0 && !req.principalService) {
      const acct = accountOf(req);
      if (acct !== undefined && accounts.has(acct)) {
        return ROOT.test(req.principalArn) ? P_EXACT : P_ACCOUNT;
      }
    }
    return P_NONE;
  };
}
