import { existsSync, readFileSync } from "node:fs";
import * as cfn from "@aws-sdk/client-cloudformation";
import * as ec2 from "@aws-sdk/client-ec2";
import * as iam from "@aws-sdk/client-iam";
import * as lambda from "@aws-sdk/client-lambda";
import * as s3 from "@aws-sdk/client-s3";
import * as sts from "@aws-sdk/client-sts";

/**
 * The AWS API models the check reads, from pinned packages and never copied into the repository:
 * botocore's JSON models from Debian's python3-botocore (complete: required members, enums,
 * XML names, error codes), and the newer operation schemas the installed SDK v3 clients ship
 * (which know members and enum values added after that botocore release).
 */
export const BOTOCORE_DATA = "/usr/lib/python3/dist-packages/botocore/data";

export type Protocol = "rest-json" | "rest-xml" | "ec2" | "query";

export interface ShapeRef {
  shape: string;
  location?: string;
  locationName?: string;
  flattened?: boolean;
  timestampFormat?: string;
  xmlNamespace?: unknown;
}

export interface Shape {
  type: string;
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  flattened?: boolean;
  payload?: string;
  timestampFormat?: string;
  locationName?: string;
  location?: string;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
  exception?: boolean;
}

export interface Operation {
  name: string;
  http: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef & { resultWrapper?: string };
  errors?: ShapeRef[];
}

export interface ServiceModel {
  /** The name the check is keyed by: lambda, ec2, iam, sts, cloudformation. */
  service: string;
  protocol: Protocol;
  apiVersion: string;
  xmlNamespace?: string;
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
  /** Structure name → member names, from the SDK's schemas (newer than botocore). */
  sdkMembers: Map<string, Set<string>>;
  /** Structure name → its required member names, from the SDK's schemas. */
  sdkRequired: Map<string, Set<string>>;
  /** Enum shape name → values, from the SDK's exported enum objects. */
  sdkEnums: Map<string, Set<string>>;
  /** Operation names the SDK client has commands for. */
  sdkOperations: Set<string>;
  /** Operation name → [method, path] from the SDK's schemas (rest protocols only). */
  sdkHttp: Map<string, [string, string]>;
}

const VERSIONS: Record<string, { version: string; sdk: Record<string, unknown> }> = {
  lambda: { version: "2015-03-31", sdk: lambda },
  ec2: { version: "2016-11-15", sdk: ec2 },
  iam: { version: "2010-05-08", sdk: iam },
  sts: { version: "2011-06-15", sdk: sts },
  cloudformation: { version: "2010-05-15", sdk: cfn },
  s3: { version: "2006-03-01", sdk: s3 },
};

export const MODELED_SERVICES = Object.keys(VERSIONS);

const cache = new Map<string, ServiceModel>();

export function botocoreAvailable(): boolean {
  return existsSync(`${BOTOCORE_DATA}/ec2/2016-11-15/service-2.json`);
}

export function loadModel(service: string): ServiceModel {
  const hit = cache.get(service);
  if (hit) return hit;
  const v = Object.prototype.hasOwnProperty.call(VERSIONS, service) ? VERSIONS[service] : undefined;
  if (!v) throw new Error(`no model registered for service ${service}`);
  const json = JSON.parse(readFileSync(`${BOTOCORE_DATA}/${service}/${v.version}/service-2.json`, "utf8")) as {
    metadata: { protocol: Protocol; apiVersion: string; xmlNamespace?: string };
    operations: Record<string, Operation>;
    shapes: Record<string, Shape>;
  };
  const model: ServiceModel = {
    service,
    protocol: json.metadata.protocol,
    apiVersion: json.metadata.apiVersion,
    xmlNamespace: json.metadata.xmlNamespace,
    operations: json.operations,
    shapes: json.shapes,
    ...sdkFacts(v.sdk),
  };
  cache.set(service, model);
  return model;
}

/**
 * The SDK exports each structure schema as `Name$ = [3, namespace, "Name", traits, [memberNames], [memberSchemas], requiredCount]`
 * (3 marks a structure, -3 an error), each command as `XCommand`, and each enum as a plain object of its values.
 */
function sdkFacts(sdk: Record<string, unknown>): Pick<ServiceModel, "sdkMembers" | "sdkRequired" | "sdkEnums" | "sdkOperations" | "sdkHttp"> {
  const sdkHttp = new Map<string, [string, string]>();
  const sdkMembers = new Map<string, Set<string>>();
  const sdkRequired = new Map<string, Set<string>>();
  const sdkEnums = new Map<string, Set<string>>();
  const sdkOperations = new Set<string>();
  for (const [name, value] of Object.entries(sdk)) {
    if (name.endsWith("$") && Array.isArray(value) && (value[0] === 3 || value[0] === -3) && Array.isArray(value[4])) {
      sdkMembers.set(String(value[2]), new Set(value[4] as string[]));
      // The required members come first; the count is the schema's last entry.
      const count = typeof value[6] === "number" ? value[6] : 0;
      sdkRequired.set(String(value[2]), new Set((value[4] as string[]).slice(0, count)));
    } else if (name.endsWith("$") && Array.isArray(value) && value[0] === 9) {
      // An operation: [9, namespace, "Name", { http: ["GET", "/path/{Label}", 200] }, input, output]
      const http = (value[3] as Record<string, unknown> | undefined)?.http;
      if (Array.isArray(http)) sdkHttp.set(String(value[2]), [String(http[0]), String(http[1])]);
    } else if (name.endsWith("Command") && typeof value === "function" && name !== "Command") {
      sdkOperations.add(name.slice(0, -"Command".length));
    } else if (/^[A-Z]/.test(name) && value && typeof value === "object" && !Array.isArray(value)) {
      const vals = Object.values(value as Record<string, unknown>);
      if (vals.length > 0 && vals.every((x) => typeof x === "string")) sdkEnums.set(name, new Set(vals as string[]));
    }
  }
  return { sdkMembers, sdkRequired, sdkEnums, sdkOperations, sdkHttp };
}
