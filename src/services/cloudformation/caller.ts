// Resource operations a stack performs go through the target service's own operation handlers,
// with an operation context for the caller (or the stack's role): the same validation, the same
// errors and the same IAM decisions as the public API gives that principal.
import { AwsError, isAwsError } from "../../core/aws-error.ts";
import type { Authorizer } from "../../core/authorization.ts";
import type { Clock } from "../../core/clock.ts";
import { uuid } from "../../core/ids.ts";
import type { Principal } from "../../core/principal.ts";
import { operationContext, type OperationContext } from "../../core/operation-context.ts";
import type { ServiceDefinition } from "../../core/service-definition.ts";
import { toTree } from "../../core/input-tree.ts";
import type { OutputObject } from "../../core/output-tree.ts";
import type { Operation } from "../../core/service-model.ts";

/** A query service as CloudFormation reaches it: its definition (for its denial error) and operations. */
export interface QueryTarget {
  service: ServiceDefinition;
  operations: Record<string, Operation>;
}

/** What app.ts hands CloudFormation to reach the other services. */
export interface CfnTargets {
  ec2: QueryTarget;
  iam: QueryTarget;
  lambda: ServiceDefinition;
  authorizer: () => Authorizer;
  /** The principal of a session of `roleArn` (the stack's RoleARN), as STS would issue it. */
  roleSession(account: string, roleArn: string): Principal;
  /** Does the role trust cloudformation.amazonaws.com? */
  roleTrustsCloudFormation(account: string, roleArn: string): boolean;
  /** A resource operation changed state outside a request: save, and tell the network model. */
  changed(): void;
  /** Add the aws:cloudformation:* tags, which only AWS may set, to an EC2 resource or a Lambda function. */
  serviceTags(service: "ec2" | "lambda", account: string, region: string, id: string, tags: Record<string, string>): boolean;
}

/** An error from a service a stack called: which service, for AWS's event text. */
export class ServiceCallError extends AwsError {
  constructor(
    readonly serviceName: string,
    readonly requestId: string,
    err: AwsError,
  ) {
    super(err.code, err.status, err.message, err.fields, err.headers);
  }
}

const CALLED_VIA = { "aws:CalledVia": ["cloudformation.amazonaws.com"], "aws:CalledViaFirst": "cloudformation.amazonaws.com" };

export type QueryParams = Record<string, string | number | boolean | undefined>;

export interface ServiceCaller {
  principal: Principal;
  ec2(action: string, params?: QueryParams): Promise<OutputObject>;
  iam(action: string, params?: QueryParams): Promise<OutputObject>;
  lambda(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any>;
}

export function createCaller(targets: CfnTargets, clock: Clock, principal: Principal, region: string, sourceIp: string): ServiceCaller {
  // Calls a stack makes carry aws:CalledVia, and reach the service over AWS's own (TLS) network.
  const context = (svc: ServiceDefinition, requestId: string): OperationContext =>
    operationContext({ requestId, region, principal, sourceIp, clock, authorizer: targets.authorizer, service: svc, secureTransport: true, addedContext: CALLED_VIA });

  const query = async (name: string, target: QueryTarget, action: string, params: QueryParams = {}): Promise<OutputObject> => {
    const requestId = uuid();
    const op = Object.prototype.hasOwnProperty.call(target.operations, action) ? target.operations[action] : undefined;
    if (!op) throw new AwsError("InternalFailure", 500, `${name} has no operation ${action}`);
    const form = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) form.append(k, String(v));
    try {
      const ctx = context(target.service, requestId);
      ctx.operation = action;
      // Outputs are the SDK's output members: the query services' views, read as such by the providers.
      const r = ((await op(toTree(form), ctx)) ?? {}) as OutputObject;
      targets.changed();
      return r;
    } catch (e) {
      if (isAwsError(e)) throw new ServiceCallError(name, requestId, e);
      throw e;
    }
  };

  return {
    principal,
    ec2: (action, params) => query("Ec2", targets.ec2, action, params),
    iam: (action, params) => query("Iam", targets.iam, action, params),
    async lambda(method, path, body, headers = {}) {
      const requestId = uuid();
      const [rawPath, q = ""] = path.split("?");
      const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
      try {
        const res = await targets.lambda.handle(
          { method, rawPath, query: new URLSearchParams(q), headers: { "content-type": "application/json", "content-length": String(payload.length), ...headers }, body: payload },
          context(targets.lambda, requestId),
        );
        targets.changed();
        const text = res.body === undefined ? "" : res.body.toString();
        const json = text ? JSON.parse(text) : {};
        if (res.status >= 300) {
          const code = String(res.headers?.["x-amzn-errortype"] ?? json.__type ?? "ServiceException").split(":")[0];
          throw new AwsError(code, res.status, String(json.message ?? json.Message ?? code));
        }
        return json;
      } catch (e) {
        if (e instanceof ServiceCallError) throw e;
        if (isAwsError(e)) throw new ServiceCallError("Lambda", requestId, e);
        throw e;
      }
    },
  };
}

/** AWS's event text for a failed handler call. */
export function handlerMessage(e: unknown, token: string): string {
  if (e instanceof ServiceCallError) {
    return `Resource handler returned message: "${e.message} (Service: ${e.serviceName}, Status Code: ${e.status}, Request ID: ${e.requestId})" (RequestToken: ${token}, HandlerErrorCode: ${handlerErrorCode(e.code)})`;
  }
  if (isAwsError(e)) return e.message;
  // A provider's own check (stabilization, a missing property combination).
  return `Resource handler returned message: "${(e as Error)?.message ?? String(e)}" (RequestToken: ${token}, HandlerErrorCode: GeneralServiceException)`; // unverified wording
}

function handlerErrorCode(code: string): string {
  if (/AccessDenied|UnauthorizedOperation|Unauthorized/.test(code)) return "AccessDenied";
  if (/NotFound|NoSuchEntity/.test(code)) return "NotFound";
  if (/AlreadyExists|Duplicate/.test(code)) return "AlreadyExists";
  if (/LimitExceeded|AddressLimit/.test(code)) return "ServiceLimitExceeded";
  if (/DependencyViolation|ResourceConflict|InUse/.test(code)) return "ResourceConflict";
  if (/Invalid|Validation|Malformed|MissingParameter/.test(code)) return "InvalidRequest";
  return "GeneralServiceException";
}
