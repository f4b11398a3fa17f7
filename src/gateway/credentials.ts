import { rootPrincipal, type CredentialResolver, type ResolvedCredential } from "../core/principal.ts";

/**
 * Where the gateway looks up an access key: the built-in root key (test/test by default,
 * the LocalStack convention), then every resolver a service registered (IAM keys, STS sessions).
 */
export class CredentialRegistry {
  private readonly resolvers: CredentialResolver[] = [];
  private readonly rootKeys = new Map<string, { secret: string; account: string }>();

  constructor(
    private readonly defaultAccount: string,
    private readonly acceptAny: boolean,
  ) {}

  addRootKey(accessKeyId: string, secret: string, account = this.defaultAccount): void {
    this.rootKeys.set(accessKeyId, { secret, account });
  }

  addResolver(r: CredentialResolver): void {
    this.resolvers.push(r);
  }

  resolve(accessKeyId: string): ResolvedCredential | undefined {
    const root = this.rootKeys.get(accessKeyId);
    if (root) return { secretAccessKey: root.secret, principal: rootPrincipal(root.account, accessKeyId) };
    // LocalStack's convention for other accounts: a 12-digit access key id is that account's root
    // (secret "test"), which is how tests reach a second account for cross-account cases.
    if (/^\d{12}$/.test(accessKeyId)) return { secretAccessKey: "test", principal: rootPrincipal(accessKeyId, accessKeyId) };
    for (const r of this.resolvers) {
      const c = r(accessKeyId);
      if (c) return c;
    }
    return undefined;
  }

  /** With --accept-any-credentials an unknown key acts as the root; its signature is not checked. */
  get acceptsAnyKey(): boolean {
    return this.acceptAny;
  }

  anyKeyPrincipal(accessKeyId: string): ResolvedCredential {
    return { secretAccessKey: "", principal: rootPrincipal(this.defaultAccount, accessKeyId) };
  }
}
