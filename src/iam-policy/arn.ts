// ARN patterns for Resource/NotResource and the Arn* condition operators: each of the six
// colon-delimited components is matched on its own (IAM UG, "ARN condition operators"), the
// sixth (resource) component taking the rest of the string, colons included.
import { compilePattern } from "./pattern.ts";
import type { RangeMatcher } from "./pattern.ts";
import { T_LIT, T_STAR, hasVariables, hasWildcards } from "./variables.ts";
import type { Token } from "./variables.ts";
import type { Context } from "./types.ts";

export type ArnMatcher = (s: string, ctx: Context) => boolean;

/** Splits tokens on literal colons into at most six components. */
export function splitArnTokens(tokens: readonly Token[]): Token[][] {
  const comps: Token[][] = [[]];
  for (const t of tokens) {
    if (t.k !== T_LIT || comps.length === 6) {
      comps[comps.length - 1].push(t);
      continue;
    }
    let rest = t.s;
    let idx: number;
    while (comps.length < 6 && (idx = rest.indexOf(":")) >= 0) {
      if (idx > 0) comps[comps.length - 1].push({ k: T_LIT, s: rest.slice(0, idx) });
      comps.push([]);
      rest = rest.slice(idx + 1);
    }
    if (rest) comps[comps.length - 1].push({ k: T_LIT, s: rest });
  }
  return comps;
}

function literalOf(comp: readonly Token[]): string | undefined {
  if (comp.length === 0) return "";
  if (comp.length === 1 && comp[0].k === T_LIT) return comp[0].s;
  return undefined;
}

export function compileArnPattern(tokens: readonly Token[]): ArnMatcher {
  if (tokens.length === 1 && tokens[0].k === T_STAR) return () => true;
  if (!hasVariables(tokens) && !hasWildcards(tokens)) {
    const lit = tokens.length === 0 ? "" : (tokens[0] as { s: string }).s;
    return (s) => s === lit;
  }
  const comps = splitArnTokens(tokens);
  if (comps.length < 6) {
    // Not ARN-shaped (only reachable from conditions): match the whole string.
    const whole = compilePattern(tokens, false);
    return (s, ctx) => whole(s, 0, s.length, ctx);
  }
  const last = compilePattern(comps[5], false);
  const heads = comps.slice(0, 5).map(literalOf);
  if (heads.every((h) => h !== undefined)) {
    // Common shape "arn:aws:s3:::bucket/*": a literal prefix holding exactly five colons pins the components.
    const prefix = heads.join(":") + ":";
    const plen = prefix.length;
    return (s, ctx) => s.startsWith(prefix) && last(s, plen, s.length, ctx);
  }
  const m: RangeMatcher[] = comps.slice(0, 5).map((c) => compilePattern(c, false));
  const m0 = m[0], m1 = m[1], m2 = m[2], m3 = m[3], m4 = m[4];
  return (s, ctx) => {
    const c1 = s.indexOf(":");
    if (c1 < 0) return false;
    const c2 = s.indexOf(":", c1 + 1);
    if (c2 < 0) return false;
    const c3 = s.indexOf(":", c2 + 1);
    if (c3 < 0) return false;
    const c4 = s.indexOf(":", c3 + 1);
    if (c4 < 0) return false;
    const c5 = s.indexOf(":", c4 + 1);
    if (c5 < 0) return false;
    return (
      m0(s, 0, c1, ctx) &&
      m1(s, c1 + 1, c2, ctx) &&
      m2(s, c2 + 1, c3, ctx) &&
      m3(s, c3 + 1, c4, ctx) &&
      m4(s, c4 + 1, c5, ctx) &&
      last(s, c5 + 1, s.length, ctx)
    );
  };
}

/** Partitions IAM accepts in ARNs; wildcards are also accepted. */
export const PARTITIONS: ReadonlySet<string> = new Set([
  "aws",
  "aws-cn",
  "aws-us-gov",
  "aws-iso",
  "aws-iso-b",
  "aws-iso-e",
  "aws-iso-f",
  "aws-eusc",
]);
