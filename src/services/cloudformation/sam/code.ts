// CodeUri / InlineCode → AWS::Lambda::Function's Code (samtranslator/model/s3_utils/uri_parser.py).
import { isObject, type Json, type JsonObject } from "../template/parse.ts";
import { resourceError } from "./errors.ts";
import { dict } from "./intrinsics.ts";

export function codeProperty(logicalId: string, props: JsonObject): JsonObject {
  if (props.PackageType !== undefined && props.PackageType !== "Zip") {
    // unverified wording: hyperlocal runs zip packages only
    throw resourceError(logicalId, `PackageType '${String(props.PackageType)}' is not supported by hyperlocal: it runs .zip packages only.`);
  }
  // SAM takes InlineCode before CodeUri when both are given.
  if (props.InlineCode !== undefined && props.InlineCode !== null) return dict([["ZipFile", props.InlineCode]]);
  if (props.CodeUri === undefined || props.CodeUri === null) throw resourceError(logicalId, "Only one of 'InlineCode' or 'CodeUri' can be set.");
  return s3Location(logicalId, props.CodeUri);
}

function s3Location(logicalId: string, uri: Json): JsonObject {
  let bucket: Json | undefined;
  let key: Json | undefined;
  let version: Json | undefined;
  if (isObject(uri)) {
    if (!uri.Bucket || !uri.Key) throw resourceError(logicalId, "'CodeUri' requires Bucket and Key properties to be specified.");
    ({ Bucket: bucket, Key: key, Version: version } = uri);
  } else if (typeof uri === "string") {
    if (/\{\{resolve:(ssm|ssm-secure|secretsmanager):[a-zA-Z0-9_.\-/]+(:\d+)?\}\}/.test(uri) && /\{\{resolve:[^}]*\/[^}]*\}\}/.test(uri)) {
      throw resourceError(logicalId, "Unsupported dynamic reference detected in 'CodeUri'. Please consider using alternative 'FunctionCode' object format.");
    }
    const parsed = parseS3Uri(uri);
    if (!parsed) throw resourceError(logicalId, "'CodeUri' is not a valid S3 Uri of the form 's3://bucket/key' with optional versionId query parameter.");
    ({ bucket, key, version } = parsed);
  } else {
    throw resourceError(logicalId, "'CodeUri' must be of type dict or string.");
  }
  return dict([["S3Bucket", bucket], ["S3Key", key], ["S3ObjectVersion", version]]);
}

/** s3://bucket/key?versionId=v (a local path such as ./src is not one: `package` rewrites it first). */
export function parseS3Uri(uri: string): { bucket: string; key: string; version?: string } | undefined {
  const m = /^s3:\/\/([^/?#]+)(\/[^?#]*)(?:\?([^#]*))?/.exec(uri);
  if (!m) return undefined;
  const key = m[2].replace(/^\/+/, "");
  const query = new URLSearchParams(m[3] ?? "");
  const versions = query.getAll("versionId").filter((v) => v !== ""); // parse_qs drops blank values
  return { bucket: m[1], key, ...(versions.length === 1 ? { version: versions[0] } : {}) };
}
