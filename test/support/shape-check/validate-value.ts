import type { ServiceModel, Shape, ShapeRef } from "./model.ts";
import type { XmlElement } from "./xml-tree.ts";

/** What a check found: problems fail it; notes are facts worth printing (members newer than botocore). */
export interface Findings {
  problems: string[];
  notes: string[];
}

const ISO8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function shapeOf(model: ServiceModel, ref: ShapeRef, path: string): Shape {
  const s = Object.prototype.hasOwnProperty.call(model.shapes, ref.shape) ? model.shapes[ref.shape] : undefined;
  if (!s) throw new Error(`${path}: the model has no shape ${ref.shape}`);
  return s;
}

/**
 * Values AWS answers although the model's enum lacks them, each with where that is recorded.
 * AttachmentStatus: DescribeInternetGateways shows an attached gateway as "available" (the EC2 API
 * reference's DescribeInternetGateways example, and the AWS CLI's describe-internet-gateways example).
 * LastUpdateStatusReasonCode: an update in progress answers "Creating" with "The function is being
 * created." (AWS CLI update-function-configuration output recorded in public READMEs, e.g. SAM samples).
 */
const ANSWERED_OUTSIDE_ENUM: Record<string, string[]> = {
  AttachmentStatus: ["available"],
  LastUpdateStatusReasonCode: ["Creating"],
  // VPC endpoints' states: EC2 answers them in lower case ("State": "pending" in the CLI reference's create-vpc-endpoint example).
  State: ["pending", "available", "deleting", "deleted", "failed", "pendingAcceptance", "rejected", "expired"],
};

function checkEnum(model: ServiceModel, ref: ShapeRef, shape: Shape, v: string, path: string, f: Findings): void {
  if (shape.enum && !shape.enum.includes(v)) {
    if (model.sdkEnums.get(ref.shape)?.has(v)) f.notes.push(`${path}: enum value '${v}' of ${ref.shape} is newer than the botocore model`);
    else if (ANSWERED_OUTSIDE_ENUM[ref.shape]?.includes(v)) f.notes.push(`${path}: '${v}' outside enum ${ref.shape}, as AWS answers it`);
    else f.problems.push(`${path}: '${v}' is not a value of enum ${ref.shape} (${shape.enum.join(", ")})`);
  }
  if (shape.min !== undefined && v.length < shape.min) f.problems.push(`${path}: length ${v.length} under the minimum ${shape.min} of ${ref.shape}`);
  if (shape.max !== undefined && v.length > shape.max) f.problems.push(`${path}: length ${v.length} over the maximum ${shape.max} of ${ref.shape}`);
}

function missingRequired(model: ServiceModel, structName: string, member: string, path: string, f: Findings): void {
  const sdk = model.sdkRequired.get(structName);
  if (sdk && !sdk.has(member) && model.sdkMembers.get(structName)?.has(member)) {
    f.notes.push(`${path}.${member}: required by the botocore model, optional in the SDK's newer one`);
  } else {
    f.problems.push(`${path}.${member}: required member of ${structName} missing`);
  }
}

function checkNumber(shape: Shape, ref: ShapeRef, n: number, path: string, f: Findings): void {
  if ((shape.type === "integer" || shape.type === "long") && !Number.isInteger(n)) f.problems.push(`${path}: ${n} is not a whole number (${ref.shape})`);
  if (shape.min !== undefined && n < shape.min) f.problems.push(`${path}: ${n} under the minimum ${shape.min} of ${ref.shape}`);
  if (shape.max !== undefined && n > shape.max) f.problems.push(`${path}: ${n} over the maximum ${shape.max} of ${ref.shape}`);
}

export function unknownMember(model: ServiceModel, structName: string, name: string, path: string, f: Findings, fuzzyXml: boolean): void {
  const sdk = model.sdkMembers.get(structName);
  const norm = (s: string) => s.toLowerCase().replace(/(set|s)$/, "");
  if (sdk && (sdk.has(name) || (fuzzyXml && [...sdk].some((m) => norm(m) === norm(name))))) {
    f.notes.push(`${path}.${name}: member of ${structName} newer than the botocore model (known to the SDK)`);
  } else {
    f.problems.push(`${path}.${name}: ${structName} has no such member`);
  }
}

/** A rest-json body value against its shape (timestamps default to epoch seconds there). */
export function validateJson(model: ServiceModel, ref: ShapeRef, v: unknown, path: string, f: Findings): void {
  const shape = shapeOf(model, ref, path);
  if (v === null) {
    f.problems.push(`${path}: null where the model has ${ref.shape}`);
    return;
  }
  switch (shape.type) {
    case "structure": {
      if (typeof v !== "object" || Array.isArray(v)) return void f.problems.push(`${path}: expected an object (${ref.shape})`);
      const o = v as Record<string, unknown>;
      const members = shape.members ?? {};
      for (const r of shape.required ?? []) if (o[r] === undefined || o[r] === null) missingRequired(model, ref.shape, r, path, f);
      for (const [k, val] of Object.entries(o)) {
        const m = Object.prototype.hasOwnProperty.call(members, k) ? members[k] : undefined;
        if (!m || (m.location && m.location !== "body")) unknownMember(model, ref.shape, k, path, f, false);
        else validateJson(model, m, val, `${path}.${k}`, f);
      }
      return;
    }
    case "list":
      if (!Array.isArray(v)) return void f.problems.push(`${path}: expected a list (${ref.shape})`);
      if (shape.max !== undefined && v.length > shape.max) f.problems.push(`${path}: ${v.length} items, over the maximum ${shape.max}`);
      v.forEach((x, i) => validateJson(model, shape.member!, x, `${path}[${i}]`, f));
      return;
    case "map":
      if (typeof v !== "object" || Array.isArray(v)) return void f.problems.push(`${path}: expected a map (${ref.shape})`);
      for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
        validateJson(model, shape.key!, k, `${path}{${k}}`, f);
        validateJson(model, shape.value!, val, `${path}{${k}}`, f);
      }
      return;
    case "string":
      if (typeof v !== "string") return void f.problems.push(`${path}: expected a string (${ref.shape}), got ${JSON.stringify(v)}`);
      return checkEnum(model, ref, shape, v, path, f);
    case "integer":
    case "long":
    case "double":
    case "float":
      if (typeof v !== "number") return void f.problems.push(`${path}: expected a number (${ref.shape}), got ${JSON.stringify(v)}`);
      return checkNumber(shape, ref, v, path, f);
    case "boolean":
      if (typeof v !== "boolean") f.problems.push(`${path}: expected a boolean (${ref.shape}), got ${JSON.stringify(v)}`);
      return;
    case "timestamp": {
      const fmt = ref.timestampFormat ?? shape.timestampFormat ?? "unixTimestamp";
      if (fmt === "unixTimestamp" ? typeof v !== "number" : typeof v !== "string" || !ISO8601.test(v)) f.problems.push(`${path}: ${JSON.stringify(v)} is not a ${fmt} timestamp`);
      return;
    }
    case "blob":
      if (typeof v !== "string" || !BASE64.test(v)) f.problems.push(`${path}: expected base64 (${ref.shape})`);
      return;
    default:
      f.problems.push(`${path}: shape type ${shape.type} not understood by the check`);
  }
}

/** An XML element (EC2 or query protocol) against its shape; `itemName` is the protocol's default list member tag. */
export function validateXml(model: ServiceModel, ref: ShapeRef, el: XmlElement, path: string, f: Findings): void {
  const shape = shapeOf(model, ref, path);
  const defaultItem = model.protocol === "ec2" ? "item" : "member";
  if (shape.type !== "structure" && shape.type !== "list" && shape.type !== "map" && el.children.length > 0) {
    return void f.problems.push(`${path}: ${ref.shape} is a ${shape.type}, but the element has child elements`);
  }
  const text = el.text;
  switch (shape.type) {
    case "structure": {
      const members = shape.members ?? {};
      const byTag = new Map<string, [string, ShapeRef]>();
      for (const [name, m] of Object.entries(members)) {
        const s = model.shapes[m.shape];
        const flat = s?.type === "list" && (m.flattened || s.flattened);
        const tag = flat ? (s.member?.locationName ?? m.locationName ?? name) : (m.locationName ?? name);
        byTag.set(tag, [name, m]);
      }
      const seen = new Set<string>();
      const flatItems = new Map<string, XmlElement[]>();
      for (const c of el.children) {
        const hit = byTag.get(c.name);
        if (!hit) {
          unknownMember(model, ref.shape, c.name, path, f, true);
          continue;
        }
        const [name, m] = hit;
        const ms = model.shapes[m.shape];
        if (ms?.type === "list" && (m.flattened || ms.flattened)) {
          flatItems.set(name, [...(flatItems.get(name) ?? []), c]);
        } else {
          if (seen.has(name)) f.problems.push(`${path}.${c.name}: member given twice`);
          validateXml(model, m, c, `${path}.${name}`, f);
        }
        seen.add(name);
      }
      for (const [name, items] of flatItems) items.forEach((c, i) => validateXml(model, model.shapes[members[name].shape].member!, c, `${path}.${name}[${i}]`, f));
      for (const r of shape.required ?? []) if (!seen.has(r)) missingRequired(model, ref.shape, r, path, f);
      return;
    }
    case "list": {
      const tag = shape.member!.locationName ?? defaultItem;
      el.children.forEach((c, i) => {
        if (c.name !== tag) f.problems.push(`${path}[${i}]: list item tagged <${c.name}>, the model says <${tag}>`);
        else validateXml(model, shape.member!, c, `${path}[${i}]`, f);
      });
      if (el.children.length === 0 && text.trim()) f.problems.push(`${path}: text inside a list element`);
      return;
    }
    case "map": {
      const k = shape.key!.locationName ?? "key";
      const v = shape.value!.locationName ?? "value";
      el.children.forEach((entry, i) => {
        const kk = entry.children.find((c) => c.name === k);
        const vv = entry.children.find((c) => c.name === v);
        if (entry.name !== "entry" || !kk || !vv) return void f.problems.push(`${path}[${i}]: map entries are <entry><${k}/><${v}/></entry>`);
        validateXml(model, shape.key!, kk, `${path}{${kk.text}}`, f);
        validateXml(model, shape.value!, vv, `${path}{${kk.text}}`, f);
      });
      return;
    }
    case "string":
      return checkEnum(model, ref, shape, text, path, f);
    case "integer":
    case "long":
      if (!/^-?\d+$/.test(text)) return void f.problems.push(`${path}: '${text}' is not an integer (${ref.shape})`);
      return checkNumber(shape, ref, Number(text), path, f);
    case "double":
    case "float":
      if (text.trim() === "" || !Number.isFinite(Number(text))) return void f.problems.push(`${path}: '${text}' is not a number (${ref.shape})`);
      return checkNumber(shape, ref, Number(text), path, f);
    case "boolean":
      if (text !== "true" && text !== "false") f.problems.push(`${path}: '${text}' is not true or false`);
      return;
    case "timestamp": {
      const fmt = ref.timestampFormat ?? shape.timestampFormat ?? "iso8601";
      const ok = fmt === "unixTimestamp" ? /^\d+(\.\d+)?$/.test(text) : ISO8601.test(text);
      if (!ok) f.problems.push(`${path}: '${text}' is not a ${fmt} timestamp`);
      return;
    }
    case "blob":
      if (!BASE64.test(text)) f.problems.push(`${path}: expected base64 (${ref.shape})`);
      return;
    default:
      f.problems.push(`${path}: shape type ${shape.type} not understood by the check`);
  }
}
