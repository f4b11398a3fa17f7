// Compiled policies, cached by (kind, id, text) so a document is parsed once however many
// principals carry it. The store keeps only the text; this cache is rebuilt lazily after a restart.
import { compilePolicy, type CompiledPolicy, type PolicyKind } from "../../iam-policy/index.ts";
import { asMalformed, limitExceeded } from "./errors.ts";

const MAX_ENTRIES = 20_000;

export class PolicyCache {
  private readonly compiled = new Map<string, CompiledPolicy>();

  /** Compiles (or reuses) a document already accepted by IAM; throws PolicyParseError otherwise. */
  get(text: string, kind: PolicyKind, id: string): CompiledPolicy {
    const k = `${kind}\u0000${id}\u0000${text}`;
    let p = this.compiled.get(k);
    if (p === undefined) {
      p = compilePolicy(text, kind, id);
      // A crude bound: documents that changed leave stale entries behind; drop them all now and then.
      if (this.compiled.size >= MAX_ENTRIES) this.compiled.clear();
      this.compiled.set(k, p);
    }
    return p;
  }

  /** Validates a document for storage: MalformedPolicyDocument on any parse error. */
  validate(text: string, kind: PolicyKind, id: string): CompiledPolicy {
    try {
      return this.get(text, kind, id);
    } catch (e) {
      return asMalformed(e);
    }
  }

  clear(): void {
    this.compiled.clear();
  }
}

/** IAM counts policy size in characters other than whitespace (IAM UG, "IAM and AWS STS quotas"). */
export function policySize(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) n++;
  }
  return n;
}

export const MANAGED_POLICY_MAX = 6144;
export const TRUST_POLICY_MAX = 2048;
export const INLINE_MAX = { user: 2048, group: 5120, role: 10240 } as const;

export function checkManagedSize(text: string): void {
  if (policySize(text) > MANAGED_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

export function checkTrustSize(text: string): void {
  if (policySize(text) > TRUST_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
}

/** Inline policies count together: the aggregate of an entity's inline documents is what is limited. */
export function checkInlineSize(entity: "user" | "group" | "role", name: string, inline: Record<string, string>, policyName: string, text: string): void {
  let total = policySize(text);
  for (const [n, doc] of Object.entries(inline)) if (n !== policyName) total += policySize(doc);
  const max = INLINE_MAX[entity];
  if (total > max) throw limitExceeded(`Maximum policy size of ${max} bytes exceeded for ${entity} ${name}`);
}

/** IAM returns policy documents percent-encoded in XML; botocore and the CLI decode them. */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text);
}
