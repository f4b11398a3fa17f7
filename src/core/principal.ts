/** Who is calling: resolved by the gateway from the request's access key. */
export interface Principal {
  /** arn:aws:iam::ACCOUNT:root, arn:aws:iam::ACCOUNT:user/NAME, arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION */
  arn: string;
  accountId: string;
  /** aws:PrincipalType values. */
  type: "Account" | "User" | "AssumedRole" | "FederatedUser" | "Service";
  /** aws:userid: the account id for root, the user's unique id, ROLEID:SESSION for a role session. */
  userId: string;
  username?: string;
  /** For assumed roles: the role's ARN (arn:aws:iam::ACCOUNT:role/NAME) and the session name. */
  roleArn?: string;
  roleName?: string;
  sessionName?: string;
  accessKeyId: string;
  /** Condition key lambda:SourceFunctionArn, present only on calls from inside a function's environment. */
  sourceFunctionArn?: string;
  /** aws:PrincipalTag/* values. */
  tags?: Record<string, string>;
  /** Session policies passed to AssumeRole (JSON documents). */
  sessionPolicies?: string[];
}

/** What the gateway knows about an access key. */
export interface ResolvedCredential {
  secretAccessKey: string;
  /** Temporary credentials require this token in X-Amz-Security-Token. */
  sessionToken?: string;
  /** Epoch ms after which the key is expired (ExpiredToken). */
  expiresAt?: number;
  principal: Principal;
}

/**
 * What a source knows of a key: its credential; "refused" for a key it issued that may no longer be
 * used (inactive, deleted, a forgotten session), which is nobody, even with --accept-any-credentials;
 * undefined for a key it never issued.
 */
export type CredentialLookup = ResolvedCredential | "refused" | undefined;

/** A source of credentials: the built-in root key, IAM access keys, STS sessions. */
export type CredentialResolver = (accessKeyId: string) => CredentialLookup;

export function rootPrincipal(accountId: string, accessKeyId: string): Principal {
  return { arn: `arn:aws:iam::${accountId}:root`, accountId, type: "Account", userId: accountId, accessKeyId };
}

export function isRoot(p: Principal): boolean {
  return p.type === "Account";
}
