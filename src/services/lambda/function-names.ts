// {FunctionName} in every route may be a name, a partial ARN or a full ARN, each optionally with
// ":qualifier" (the client percent-encodes ':' as %3A; the router decodes it):
//   my-function   my-function:live   123456789012:function:my-function
//   arn:aws:lambda:us-east-1:123456789012:function:my-function:3
import type { OperationContext } from "../../core/operation-context.ts";
import { invalidParameter } from "./errors.ts";
import { functionArn } from "./model.ts";

export interface FunctionRef {
  account: string;
  region: string;
  name: string;
  /** From the name (":3") or the Qualifier parameter. */
  qualifier?: string;
  /** True when the function lives in another account than the caller's. */
  crossAccount: boolean;
}

const PARTS =
  /^(?:arn:(?:aws[a-zA-Z-]*)?:lambda:)?(?:([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d):)?(?:(\d{12}):)?(?:function:)?([a-zA-Z0-9\-_.]+)(?::(\$LATEST(?:\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?$/;

/**
 * Split an already validated FunctionName. `qualifierParam` is the ?Qualifier= value, which must
 * agree with one derived from the name.
 */
export function parseFunctionRef(raw: string, ctx: Pick<OperationContext, "accountId" | "region">, qualifierParam?: string): FunctionRef {
  const m = PARTS.exec(raw);
  // Validation ran first, so this only fails on exotic inputs the model's pattern allows.
  const name = m ? m[3] : raw;
  const region = m?.[1] ?? ctx.region;
  const account = m?.[2] ?? ctx.accountId;
  const fromName = m?.[4];
  if (region !== ctx.region) throw invalidParameter(`Functions from '${region}' are not reachable in this region ('${ctx.region}')`);
  if (fromName !== undefined && qualifierParam !== undefined && fromName !== qualifierParam) {
    throw invalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
  }
  const qualifier = fromName ?? qualifierParam;
  return { account, region, name, qualifier, crossAccount: account !== ctx.accountId };
}

export function refArn(ref: FunctionRef, withQualifier = true): string {
  return functionArn(ref.region, ref.account, ref.name, withQualifier ? ref.qualifier : undefined);
}
