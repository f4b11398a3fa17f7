// Who the console acts as, and the AWS SDK clients signing as them. The console is a client of the
// public AWS APIs: every call is SigV4-signed here, in the browser, so IAM decides as it would for
// the CLI. The session lives in sessionStorage: a reload keeps it, closing the tab forgets it.
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface Session {
  kind: "root" | "user" | "role";
  credentials: Credentials;
  region: string;
  /** From GetCallerIdentity at sign-in. */
  arn: string;
  account: string;
  /** When the server asks for one (non-loopback listeners), sent on admin calls. */
  adminToken?: string;
}

export interface Clients {
  lambda: LambdaClient;
  ec2: EC2Client;
  iam: IAMClient;
  sts: STSClient;
  cloudformation: CloudFormationClient;
}

export const ROOT_CREDENTIALS: Credentials = { accessKeyId: "test", secretAccessKey: "test" };
const KEY = "hyperlocal-console-session";

export function makeClients(credentials: Credentials, region: string): Clients {
  // maxAttempts 1: the page shows the server's answer, never a retry of it.
  const common = { endpoint: location.origin, region, credentials, maxAttempts: 1 };
  return {
    lambda: new LambdaClient(common),
    ec2: new EC2Client(common),
    iam: new IAMClient(common),
    sts: new STSClient(common),
    cloudformation: new CloudFormationClient(common),
  };
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : undefined;
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(s));
}

export interface SignInRequest {
  kind: Session["kind"];
  region: string;
  credentials?: Credentials;
  roleArn?: string;
  adminToken?: string;
}

/** Resolve the keys (assuming the role if asked, with the given keys or the root's) and learn who they are. */
export async function signIn(req: SignInRequest): Promise<Session> {
  let credentials = req.credentials ?? ROOT_CREDENTIALS;
  if (req.kind === "role") {
    const sts = makeClients(credentials, req.region).sts;
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: req.roleArn, RoleSessionName: "hyperlocal-console" }));
    const c = out.Credentials!;
    credentials = { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken };
  }
  const who = await makeClients(credentials, req.region).sts.send(new GetCallerIdentityCommand({}));
  const session: Session = { kind: req.kind, credentials, region: req.region, arn: who.Arn ?? "", account: who.Account ?? "" };
  if (req.adminToken) session.adminToken = req.adminToken;
  return session;
}
