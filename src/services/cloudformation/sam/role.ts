// The execution role SAM generates for a function without Role: `<Function>Role`, trusting
// lambda.amazonaws.com, with AWSLambdaBasicExecutionRole, the VPC policy when VpcConfig is set, and
// the function's Policies (managed names or ARNs, inline documents, policy templates).
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { resourceError, structureError } from "./errors.ts";
import { dict, isIntrinsic } from "./intrinsics.ts";
import { managedPolicyArn } from "./managed-policies.ts";
import { expandPolicyTemplate, isPolicyTemplateName } from "./policy-templates.ts";

export function lambdaTrustPolicy(): JsonObject {
  return dict([
    ["Version", "2012-10-17"],
    ["Statement", [dict([["Action", ["sts:AssumeRole"]], ["Effect", "Allow"], ["Principal", dict([["Service", ["lambda.amazonaws.com"]]])]])]],
  ]);
}

export interface RoleInput {
  logicalId: string;
  props: JsonObject;
  tags: Json[];
  partition: string;
}

/** The role's properties, or SAM's error for a Policies entry it cannot read. */
export function roleProperties({ logicalId, props, tags, partition }: RoleInput): JsonObject {
  const managed: Json[] = [`arn:${partition}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`];
  if (props.Tracing !== undefined && props.Tracing !== "Disabled") managed.push(`arn:${partition}:iam::aws:policy/AWSXrayWriteOnlyAccess`);
  if (props.VpcConfig !== undefined) managed.push(`arn:${partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole`);
  const inline: Json[] = [];
  const role = `${logicalId}Role`;
  const policies = props.Policies === undefined || props.Policies === null ? [] : Array.isArray(props.Policies) ? props.Policies : [props.Policies];
  policies.forEach((entry, index) => {
    const named = (doc: Json): Json => dict([["PolicyName", `${role}Policy${index}`], ["PolicyDocument", doc]]);
    const kind = kindOf(entry);
    if (kind === "managed") {
      const arn = eachBranch(entry, (p) => (typeof p === "string" ? managedPolicyArn(p, partition) : p));
      // SAM de-duplicates, so naming AWSLambdaBasicExecutionRole again adds nothing.
      if (!managed.some((m) => JSON.stringify(m) === JSON.stringify(arn))) managed.push(arn);
    } else if (kind === "statement") {
      inline.push(eachBranch(entry, named));
    } else if (kind === "template") {
      inline.push(
        eachBranch(entry, (p) => {
          const name = Object.keys(p as JsonObject)[0];
          const r = expandPolicyTemplate(name, (p as JsonObject)[name]);
          if ("error" in r) throw resourceError(logicalId, r.error);
          return named(r.document);
        }),
      );
    } else {
      // An unknown policy template name lands here, as in SAM.
      throw resourceError(logicalId, `Policy at index ${index} in the 'Policies' property is not valid`);
    }
  });
  return dict([
    ["AssumeRolePolicyDocument", props.AssumeRolePolicyDocument ?? lambdaTrustPolicy()],
    ["ManagedPolicyArns", managed],
    ["Policies", inline.length ? inline : undefined],
    ["Path", props.RolePath],
    ["PermissionsBoundary", props.PermissionsBoundary],
    ["Tags", tags],
  ]);
}

type PolicyKind = "managed" | "statement" | "template" | "unknown";

function isNoValue(v: Json): boolean {
  return isObject(v) && Object.keys(v).length === 1 && v.Ref === "AWS::NoValue";
}

function ifItems(v: Json): [Json, Json, Json] | undefined {
  if (!isIntrinsic(v) || !Object.hasOwn(v, "Fn::If")) return undefined;
  const items = v["Fn::If"];
  return Array.isArray(items) && items.length === 3 ? (items as [Json, Json, Json]) : undefined;
}

/** SAM's ResourcePolicies._get_type: a Fn::If takes its branches' kind (AWS::NoValue aside). */
function kindOf(p: Json): PolicyKind {
  if (typeof p === "string") return "managed";
  const items = ifItems(p);
  if (items) {
    const [, a, b] = items;
    const ka = kindOf(a);
    const kb = kindOf(b);
    if (ka === kb) return ka;
    if (isNoValue(a)) return kb;
    if (isNoValue(b)) return ka;
    throw structureError("Different policy types within the same Fn::If statement is unsupported. Separate different policy types into different Fn::If statements");
  }
  if (isIntrinsic(p)) return "managed";
  if (isObject(p) && Object.hasOwn(p, "Statement")) return "statement";
  if (isObject(p) && Object.keys(p).length === 1 && isPolicyTemplateName(Object.keys(p)[0])) return "template";
  return "unknown";
}

/** `convert` applied to the entry, or to each branch of its Fn::If that is not AWS::NoValue. */
function eachBranch(p: Json, convert: (branch: Json) => Json): Json {
  const items = ifItems(p);
  if (!items) return convert(p);
  const [cond, a, b] = items;
  return dict([["Fn::If", [cond, isNoValue(a) ? a : convert(a), isNoValue(b) ? b : convert(b)]]]);
}
