import { rootPrincipal, type CredentialLookup, type CredentialResolver, type ResolvedCredential } from "../core/principal.ts";

export interface CredentialOptions {
  /** Account of the built-in root key, and the one an unknown key acts in with acceptAny. */
  defaultAccount: string;
  /** --accept-any-credentials: a key nobody issued acts as the root, unchecked. */
  acceptAny: boolean;
  /**
   * The 12-digit convention: a 12-digit access key id is the root of that account, signed with this
   * secret (the configured root secret). Undefined: off (--no-account-keys).
   */
  accountKeySecret: string | undefined;
}

/**
 * Where the gateway looks up an access key: the built-in root key (test/test by default,
 * the LocalStack convention), the 12-digit account keys, then every resolver a service registered
 * (IAM keys, STS sessions).
 */
export class CredentialRegistry {
  private readonly resolvers: CredentialResolver[] = [];
  private readonly rootKeys = new Map<string, { secret: string; account: string }>();

  constructor(private readonly opts: CredentialOptions) {}

  addRootKey(accessKeyId: string, secret: string, account = this.opts.defaultAccount): void {
    this.rootKeys.set(accessKeyId, { secret, account });
  }

  addResolver(r: CredentialResolver): void {
    this.resolvers.push(r);
  }

  resolve(accessKeyId: string): CredentialLookup {
    const root = this.rootKeys.get(accessKeyId);
    if (root) return { secretAccessKey: root.secret, principal: rootPrincipal(root.account, accessKeyId) };
    // LocalStack's convention for other accounts: a 12-digit access key id is that account's root,
    // which is how tests reach a second account for cross-account cases. It takes the configured
    // root secret, so changing --secret-access-key closes it too.
    if (this.opts.accountKeySecret !== undefined && /^\d{12}$/.test(accessKeyId)) {
      return { secretAccessKey: this.opts.accountKeySecret, principal: rootPrincipal(accessKeyId, accessKeyId) };
    }
    for (const r of this.resolvers) {
      const c = r(accessKeyId);
      if (c) return c;
    }
    return undefined;
  }

  /** With --accept-any-credentials a key nobody issued acts as the root; its signature is not checked. */
  get acceptsAnyKey(): boolean {
    return this.opts.acceptAny;
  }

  anyKeyPrincipal(accessKeyId: string): ResolvedCredential {
    return { secretAccessKey: "", principal: rootPrincipal(this.opts.defaultAccount, accessKeyId) };
  }
}
