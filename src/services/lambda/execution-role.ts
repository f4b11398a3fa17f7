// The execution role: checked when a function is created or its role changes, and assumed (as
// lambda.amazonaws.com would, through STS) to give function code its credentials. Calls made with
// those credentials carry lambda:SourceFunctionArn, so IAM can tell them apart.
import type { Clock } from "../../core/clock.ts";
import type { IamInternal } from "../iam/index.ts";
import { invalidParameter, ROLE_NOT_ASSUMABLE } from "./errors.ts";

export const LAMBDA_SERVICE_PRINCIPAL = "lambda.amazonaws.com";

/** Sessions last an hour; environments get fresh ones once fewer than 15 minutes remain. */
const SESSION_SECONDS = 3600;
const RENEW_BEFORE_MS = 15 * 60_000;

export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: number;
  /** Changes with every new session, so environments holding the old keys are not reused. */
  generation: number;
}

export class ExecutionRoles {
  private readonly sessions = new Map<string, RoleCredentials>();
  private generation = 0;

  constructor(
    private readonly iam: IamInternal,
    private readonly clock: Clock,
  ) {}

  /** The role must exist and trust lambda.amazonaws.com; otherwise AWS's 400. */
  check(functionAccount: string, roleArn: string): void {
    const roleAccount = roleArn.split(":")[4];
    if (roleAccount !== functionAccount) throw invalidParameter(ROLE_NOT_ASSUMABLE);
    if (!this.iam.getRole(roleAccount, roleArn)) throw invalidParameter(ROLE_NOT_ASSUMABLE);
    if (!this.iam.roleTrustsService(roleAccount, roleArn, LAMBDA_SERVICE_PRINCIPAL)) throw invalidParameter(ROLE_NOT_ASSUMABLE);
  }

  /**
   * Credentials of the role for one function, reused until close to expiry. The session is named
   * after the function (arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION), as in Lambda.
   */
  credentials(account: string, roleArn: string, functionName: string, unqualifiedArn: string): RoleCredentials {
    const k = `${unqualifiedArn}\n${roleArn}`;
    const now = this.clock.now();
    const cached = this.sessions.get(k);
    if (cached && cached.expiration - now > RENEW_BEFORE_MS) return cached;
    if (!this.iam.getRole(account, roleArn)) throw invalidParameter(ROLE_NOT_ASSUMABLE);
    const s = this.iam.createRoleSession(account, roleArn, functionName.slice(0, 64), { durationSec: SESSION_SECONDS, sourceFunctionArn: unqualifiedArn });
    const creds: RoleCredentials = { ...s, generation: ++this.generation };
    this.sessions.set(k, creds);
    return creds;
  }

  forget(unqualifiedArn: string): void {
    for (const k of [...this.sessions.keys()]) if (k.startsWith(`${unqualifiedArn}\n`)) this.sessions.delete(k);
  }

  clear(): void {
    this.sessions.clear();
  }
}
