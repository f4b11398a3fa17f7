// The execution role SAM generates for a function without Role: `<Function>Role`, trusting
// lambda.amazonaws.com, with AWSLambdaBasicExecutionRole, the VPC policy when VpcConfig is set, and
// the function's Policies (managed names or ARNs, inline documents, policy templates).
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { resourceError } from "./errors.ts";
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
    if (typeof entry === "string" || isIntrinsic(entry)) {
      const arn = typeof entry === "string" ? managedPolicyArn(entry, partition) : entry;
      // SAM de-duplicates, so naming AWSLambdaBasicExecutionRole again adds nothing.
      if (!managed.some((m) => JSON.stringify(m) === JSON.stringify(arn))) managed.push(arn);
      return;
    }
    if (isObject(entry) && Object.hasOwn(entry, "Statement")) {
      inline.push(dict([["PolicyName", `${role}Policy${index}`], ["PolicyDocument", entry]]));
      return;
    }
    if (isObject(entry) && Object.keys(entry).length === 1 && isPolicyTemplateName(Object.keys(entry)[0])) {
      const name = Object.keys(entry)[0];
      const r = expandPolicyTemplate(name, entry[name]);
      if ("error" in r) throw resourceError(logicalId, r.error);
      inline.push(dict([["PolicyName", `${role}Policy${index}`], ["PolicyDocument", r.document]]));
      return;
    }
    // An unknown policy template name lands here, as in SAM.
    throw resourceError(logicalId, `Policy at index ${index} in the 'Policies' property is not valid`);
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
