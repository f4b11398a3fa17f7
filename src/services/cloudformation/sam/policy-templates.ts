// SAM policy templates (samtranslator/policy_templates_data): the ones hyperlocal serves, written
// after SAM's definitions. `{"Ref": "Param"}` inside a definition is the template's parameter.
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { dict } from "./intrinsics.ts";

interface PolicyTemplate {
  parameters: string[];
  statement: Json[];
}

const bucketArns: Json = [
  { "Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}", { bucketName: { Ref: "BucketName" } }] },
  { "Fn::Sub": ["arn:${AWS::Partition}:s3:::${bucketName}/*", { bucketName: { Ref: "BucketName" } }] },
];

const TEMPLATES = new Map<string, PolicyTemplate>([
  ["VPCAccessPolicy", {
    parameters: [],
    statement: [{ Effect: "Allow", Action: ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"], Resource: "*" }],
  }],
  ["S3ReadPolicy", {
    parameters: ["BucketName"],
    statement: [{ Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"], Resource: bucketArns }],
  }],
  ["S3CrudPolicy", {
    parameters: ["BucketName"],
    statement: [{
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"],
      Resource: bucketArns,
    }],
  }],
  ["AWSSecretsManagerGetSecretValuePolicy", {
    parameters: ["SecretArn"],
    statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: { "Fn::Sub": ["${secretArn}", { secretArn: { Ref: "SecretArn" } }] } }],
  }],
  ["SSMParameterReadPolicy", {
    parameters: ["ParameterName"],
    statement: [
      { Effect: "Allow", Action: ["ssm:DescribeParameters"], Resource: "*" },
      {
        Effect: "Allow",
        Action: ["ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"],
        Resource: { "Fn::Sub": ["arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${parameterName}", { parameterName: { Ref: "ParameterName" } }] },
      },
    ],
  }],
]);

export function isPolicyTemplateName(name: string): boolean {
  return TEMPLATES.has(name);
}

/**
 * `{Name: {Param: value}}` → `{"Statement": [...]}` with the values in place, or a SAM error text.
 * Values for parameters the template does not have are dropped, as SAM drops them.
 */
export function expandPolicyTemplate(name: string, values: Json): { document: JsonObject } | { error: string } {
  const t = TEMPLATES.get(name)!;
  if (!isObject(values)) return { error: `Must specify valid parameter values for policy template '${name}'` };
  const missing = t.parameters.filter((p) => !Object.hasOwn(values, p));
  if (missing.length) return { error: `Following required parameters of template '${name}' don't have values: [${missing.map((m) => `'${m}'`).join(", ")}]` };
  const given = new Map(t.parameters.map((p) => [p, values[p]]));
  return { document: dict([["Statement", substitute(t.statement, given)]]) };
}

function substitute(v: Json, given: Map<string, Json>): Json {
  if (Array.isArray(v)) return v.map((x) => substitute(x, given));
  if (!isObject(v)) return v;
  const keys = Object.keys(v);
  if (keys.length === 1 && keys[0] === "Ref" && typeof v.Ref === "string" && given.has(v.Ref)) return structuredClone(given.get(v.Ref)!);
  return dict(Object.entries(v).map(([k, x]) => [k, substitute(x, given)]));
}
