import type { InputTree } from "../../core/input-tree.ts";
import { ec2Error, invalidParameterValue } from "./errors.ts";
import { optInt, optString } from "./request.ts";

/**
 * MaxResults/NextToken. Without MaxResults EC2 returns everything; with it, MaxResults must lie in
 * the call's documented range (5-1000 for most, 5-100 for DescribeRouteTables, 5-255 for
 * DescribeEgressOnlyInternetGateways). The token is opaque: the offset of the next item and the
 * id it had, so a page boundary survives deletions before it.
 */
export interface Bounds {
  min: number;
  max: number;
}

export const BOUNDS_1000: Bounds = { min: 5, max: 1000 };

export interface Page<T> {
  items: readonly T[];
  nextToken?: string;
}

export function paginate<T>(all: readonly T[], p: InputTree, bounds: Bounds, idOf: (t: T) => string): Page<T> {
  const max = optInt(p, "MaxResults");
  const token = optString(p, "NextToken");
  if (max !== undefined) {
    // "Value ( 3 ) for parameter maxResults is invalid. Expecting a value greater than 5." (real, DescribeInstances)
    if (max < bounds.min) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value greater than ${bounds.min}.`);
    if (max > bounds.max) throw invalidParameterValue(`Value ( ${max} ) for parameter maxResults is invalid. Expecting a value less than ${bounds.max}.`); // unverified wording
  }
  let start = 0;
  if (token !== undefined && token !== "") start = decodeToken(token, all, idOf);
  if (max === undefined && start === 0) return { items: all };
  const size = max ?? all.length;
  const items = all.slice(start, start + size);
  const next = start + size;
  return next < all.length ? { items, nextToken: encodeToken(next, idOf(all[next])) } : { items };
}

function encodeToken(offset: number, id: string): string {
  return Buffer.from(JSON.stringify({ o: offset, i: id }), "utf8").toString("base64url");
}

function decodeToken<T>(token: string, all: readonly T[], idOf: (t: T) => string): number {
  let parsed: { o?: unknown; i?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw badToken();
  }
  if (!parsed || typeof parsed.o !== "number" || typeof parsed.i !== "string" || parsed.o < 0) throw badToken();
  // The item the token points at may have moved (deletions before it): find it by id.
  if (parsed.o < all.length && idOf(all[parsed.o]) === parsed.i) return parsed.o;
  const at = all.findIndex((t) => idOf(t) === parsed.i);
  if (at >= 0) return at;
  return Math.min(parsed.o, all.length);
}

function badToken() {
  return ec2Error("InvalidPaginationToken", "The pagination token is invalid or has expired."); // unverified wording
}
