// Validation of a policy document into ParsedPolicy, with IAM's MalformedPolicyDocument texts.
// Size limits are the IAM API layer's job. Texts marked "unverified wording" are our best
// AWS-like guess where no public recording was found.
import { PARTITIONS } from "./arn.ts";
import { parseOperator } from "./conditions.ts";
import { PolicyParseError, SYNTAX_ERROR } from "./errors.ts";
import { JsonSyntaxError, parseJson } from "./json.ts";
import type { ParsedJson } from "./json.ts";
import { T_LIT, T_QMARK, T_STAR, tokenize } from "./variables.ts";
import type { Effect, ParsedCondition, ParsedPolicy, ParsedPrincipal, ParsedStatement, PolicyKind } from "./types.ts";

const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const VENDOR_MESSAGE = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function syntax(detail: string): never {
  throw new PolicyParseError(SYNTAX_ERROR, detail);
}

function hasPrincipalElement(kind: PolicyKind): boolean {
  return kind === "resource" || kind === "trust";
}

/** A string or a non-empty list of strings. */
function stringList(v: unknown, element: string): string[] {
  if (typeof v === "string") return [v];
  if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")) return v as string[];
  return syntax(`${element} must be a string or a non-empty list of strings`);
}

function validateAction(a: string): void {
  if (a === "*") return;
  const colon = a.indexOf(":");
  if (colon <= 0) throw new PolicyParseError(VENDOR_MESSAGE);
  const vendor = a.slice(0, colon);
  if (!/^[a-zA-Z0-9*?-]+$/.test(vendor)) {
    throw new PolicyParseError(`Action vendors must match regex [a-zA-Z0-9*?-]+. Invalid vendor: ${vendor}`); // unverified wording
  }
}

function validateResource(r: string, variables: boolean): void {
  if (r === "*") return;
  const notArn = (): never => {
    throw new PolicyParseError(`Resource ${r} must be in ARN format or "*".`);
  };
  if (!r.startsWith("arn:")) notArn();
  // Count colons outside ${...} variables, whose names contain colons of their own.
  let colons = 0;
  const tokens = tokenize(r, { variables, wildcards: true });
  for (const t of tokens) if (t.k === T_LIT) for (const ch of t.s) if (ch === ":") colons++;
  if (colons < 5) notArn();
  const partition = r.split(":")[1];
  const partTokens = tokenize(partition, { variables, wildcards: true });
  const literal = partTokens.every((t) => t.k === T_LIT);
  const wild = partTokens.some((t) => t.k === T_STAR || t.k === T_QMARK);
  if (literal && !wild && !PARTITIONS.has(partition)) {
    throw new PolicyParseError(`Partition "${partition}" is not valid for resource "${r}".`);
  }
}

function parsePrincipal(v: unknown, element: string): ParsedPrincipal {
  const invalid = (shown: string): never => {
    throw new PolicyParseError(`Invalid principal in policy: ${shown}`);
  };
  if (v === "*") return "*";
  if (!isObject(v)) return invalid(JSON.stringify(v));
  const out: Record<string, string[]> = {};
  const types = Object.keys(v);
  if (types.length === 0) return invalid(`${element} is empty`);
  for (const type of types) {
    if (!PRINCIPAL_TYPES.has(type)) invalid(`"${type}"`);
    const raw = v[type];
    const values = typeof raw === "string" ? [raw] : Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === "string") ? (raw as string[]) : invalid(`"${type}":${JSON.stringify(raw)}`);
    if (type === "AWS") {
      for (const p of values) {
        if (p !== "*" && !/^\d{12}$/.test(p) && !/^arn:[^:]+:(iam|sts)::(\d{12}|aws)?:.+$/.test(p)) invalid(`"AWS":"${p}"`);
      }
    } else if (values.some((p) => p.length === 0)) {
      invalid(`"${type}":""`);
    }
    out[type] = values;
  }
  return out;
}

function conditionValues(v: unknown): string[] {
  const one = (x: unknown): string => {
    if (typeof x === "string") return x;
    if (typeof x === "number" || typeof x === "boolean") return String(x); // IAM accepts "aws:SecureTransport": false
    return syntax("condition values must be strings, numbers or booleans");
  };
  if (Array.isArray(v)) return v.map(one);
  return [one(v)];
}

function parseConditions(v: unknown): ParsedCondition[] {
  if (!isObject(v)) return syntax("Condition must be an object");
  const out: ParsedCondition[] = [];
  for (const operator of Object.keys(v)) {
    if (!parseOperator(operator)) {
      throw new PolicyParseError(`Invalid Condition type : ${operator}.`); // unverified wording
    }
    const block = v[operator];
    if (!isObject(block)) syntax(`the value of ${operator} must be an object`);
    for (const key of Object.keys(block as Record<string, unknown>)) {
      if (key.indexOf(":") <= 0) throw new PolicyParseError(VENDOR_MESSAGE);
      out.push({ operator, key, values: conditionValues((block as Record<string, unknown>)[key]) });
    }
  }
  return out;
}

function parseStatement(raw: unknown, index: number, kind: PolicyKind, variables: boolean, json: ParsedJson): ParsedStatement {
  if (!isObject(raw)) return syntax("each statement must be an object");
  for (const k of Object.keys(raw)) if (!STATEMENT_KEYS.has(k)) syntax(`unknown statement element ${k}`);
  const has = (k: string): boolean => raw[k] !== undefined;

  let sid: string | undefined;
  if (has("Sid")) {
    if (typeof raw.Sid !== "string") syntax("Sid must be a string");
    sid = raw.Sid as string;
    if (!hasPrincipalElement(kind) && !/^[0-9A-Za-z]*$/.test(sid)) {
      throw new PolicyParseError("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
    }
  }

  if (!has("Effect")) throw new PolicyParseError("Missing required field Effect."); // unverified wording
  if (raw.Effect !== "Allow" && raw.Effect !== "Deny") {
    throw new PolicyParseError(`Invalid effect: ${typeof raw.Effect === "string" ? raw.Effect : JSON.stringify(raw.Effect)}`); // unverified wording
  }
  const effect = raw.Effect as Effect;

  let principal: ParsedPrincipal | undefined;
  let notPrincipal: ParsedPrincipal | undefined;
  if (hasPrincipalElement(kind)) {
    if (has("Principal") && has("NotPrincipal")) syntax("Principal and NotPrincipal together");
    if (!has("Principal") && !has("NotPrincipal")) throw new PolicyParseError("Missing required field Principal"); // unverified wording
    if (has("Principal")) principal = parsePrincipal(raw.Principal, "Principal");
    else notPrincipal = parsePrincipal(raw.NotPrincipal, "NotPrincipal");
  } else if (has("Principal") || has("NotPrincipal")) {
    throw new PolicyParseError("Policy document should not specify a principal.");
  }

  if (has("Action") && has("NotAction")) syntax("Action and NotAction together");
  if (!has("Action") && !has("NotAction")) throw new PolicyParseError("Policy statement must contain actions.");
  const action = has("Action") ? stringList(raw.Action, "Action") : undefined;
  const notAction = has("NotAction") ? stringList(raw.NotAction, "NotAction") : undefined;
  for (const a of action ?? notAction ?? []) validateAction(a);

  if (has("Resource") && has("NotResource")) syntax("Resource and NotResource together");
  if (kind === "trust" && (has("Resource") || has("NotResource"))) {
    throw new PolicyParseError(`Has prohibited field ${has("Resource") ? "Resource" : "NotResource"}`); // unverified wording
  }
  if (!hasPrincipalElement(kind) && !has("Resource") && !has("NotResource")) {
    throw new PolicyParseError("Policy statement must contain resources.");
  }
  const resource = has("Resource") ? stringList(raw.Resource, "Resource") : undefined;
  const notResource = has("NotResource") ? stringList(raw.NotResource, "NotResource") : undefined;
  for (const r of resource ?? notResource ?? []) validateResource(r, variables);

  const conditions = has("Condition") ? parseConditions(raw.Condition) : [];

  const span = json.spans.get(raw);
  const stmt: ParsedStatement = {
    index,
    effect,
    conditions,
    ...(sid !== undefined ? { sid } : {}),
    ...(action ? { action } : {}),
    ...(notAction ? { notAction } : {}),
    ...(resource ? { resource } : {}),
    ...(notResource ? { notResource } : {}),
    ...(principal ? { principal } : {}),
    ...(notPrincipal ? { notPrincipal } : {}),
    ...(span ? { start: json.position(span.start), end: json.position(span.end) } : {}),
  };
  return stmt;
}

export function parsePolicy(text: string, kind: PolicyKind): ParsedPolicy {
  if (typeof text !== "string") return syntax("the policy document must be a JSON string");
  let json: ParsedJson;
  try {
    json = parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) syntax(`invalid JSON: ${e.message}`);
    throw e;
  }
  const doc = json.value;
  if (!isObject(doc)) return syntax("the policy document must be a JSON object");
  for (const k of Object.keys(doc)) if (!TOP_LEVEL.has(k)) syntax(`unknown top-level element ${k}`);

  let version: "2012-10-17" | "2008-10-17" = "2008-10-17"; // IAM UG: Version absent means 2008-10-17
  if (doc.Version !== undefined) {
    if (doc.Version !== "2012-10-17" && doc.Version !== "2008-10-17") {
      throw new PolicyParseError("The policy failed legacy parsing", `unknown Version ${JSON.stringify(doc.Version)}`); // unverified wording
    }
    version = doc.Version;
  }
  let id: string | undefined;
  if (doc.Id !== undefined) {
    if (typeof doc.Id !== "string") syntax("Id must be a string");
    id = doc.Id as string;
  }
  if (doc.Statement === undefined) syntax("missing Statement");
  const rawStatements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const variables = version === "2012-10-17";
  const statements = rawStatements.map((s, i) => parseStatement(s, i, kind, variables, json));

  const sids = new Set<string>();
  for (const s of statements) {
    if (s.sid === undefined || s.sid === "") continue;
    if (sids.has(s.sid)) throw new PolicyParseError("Statement IDs (SID) in a single policy must be unique.");
    sids.add(s.sid);
  }
  return { version, statements, document: doc, ...(id !== undefined ? { id } : {}) };
}
