import { randomBytes } from "node:crypto";
import type { AwsError } from "../../core/aws-error.ts";
import type { OutputDocument, OutputObject, OutputValue } from "../../core/output-tree.ts";
import type { InputDocument } from "../../core/rest-model.ts";
import type { ServiceResponse } from "../http-types.ts";
import { escapeXml } from "../xml.ts";

/**
 * S3's REST-XML: responses are documents with S3's namespace, lists are flattened (repeated elements,
 * no <member> wrapper), errors are <Error><Code/><Message/>...<RequestId/><HostId/></Error>.
 */
export const S3_XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/** One root element; arrays inside repeat their element name (S3's flattened lists). */
export function xmlDocument(root: string, members: OutputDocument["members"]): string {
  const inner = typeof members === "string" ? escapeXml(members) : Array.isArray(members) ? members.map(([name, v]) => element(name, v)).join("") : children(members);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="${S3_XMLNS}">${inner}</${root}>`;
}

function children(obj: OutputObject): string {
  let out = "";
  for (const name of Object.keys(obj)) out += element(name, obj[name]);
  return out;
}

function element(name: string, v: OutputValue): string {
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.map((x) => element(name, x)).join("");
  if (typeof v === "object") return `<${name}>${children(v)}</${name}>`;
  return `<${name}>${escapeXml(String(v))}</${name}>`;
}

export function hostId(): string {
  return randomBytes(48).toString("base64");
}

/** The error document; HEAD answers carry no body (node drops it), clients read the status code alone. */
export function renderS3Error(err: AwsError, requestId: string): ServiceResponse {
  const headers: Record<string, string> = { "x-amz-request-id": requestId, "x-amz-id-2": hostId(), ...err.headers };
  let extra = "";
  for (const [k, v] of Object.entries(err.fields)) if (v !== undefined) extra += `<${k}>${escapeXml(String(v))}</${k}>`;
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${headers["x-amz-id-2"]}</HostId></Error>`;
  return { status: err.status, headers: { ...headers, "content-type": "application/xml" }, body };
}

/** The text of every <tag>…</tag> directly or deeply inside xml, entities decoded (request bodies are small and flat). */
export function xmlTexts(xml: string, tag: string): string[] {
  return xmlBlocks(xml, tag).map(unescapeXml);
}

/** The raw inner XML of every <tag>…</tag> (namespaced prefixes and attributes allowed). */
export function xmlBlocks(xml: string, tag: string): string[] {
  const re = new RegExp(`<(?:[A-Za-z0-9_-]+:)?${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[A-Za-z0-9_-]+:)?${tag}>`, "g");
  const out: string[] = [];
  for (let m = re.exec(xml); m; m = re.exec(xml)) out.push(m[1]);
  return out;
}

export function xmlText(xml: string, tag: string): string | undefined {
  return xmlTexts(xml, tag)[0];
}

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_m, e: string) => {
    if (e === "lt") return "<";
    if (e === "gt") return ">";
    if (e === "amp") return "&";
    if (e === "quot") return '"';
    if (e === "apos") return "'";
    return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

/** A request body as a document: the readers above, over its text (S3's request bodies are small and flat). */
export function readDocument(xml: string): InputDocument {
  return {
    empty: xml.trim() === "",
    has: (name) => new RegExp(`<${name}[\\s>]`).test(xml),
    text: (name) => xmlText(xml, name),
    all: (name) => xmlBlocks(xml, name).map(readDocument),
  };
}
