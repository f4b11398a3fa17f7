// Matchers for token lists (literal text, wildcards, variables). Static patterns compile to the
// cheapest string test; patterns with variables resolve them per request into literal parts
// (a resolved value is literal text: a "*" in a tag value is not a wildcard).
import { LIT, QMARK, STAR, compileGlob, globMatch } from "./wildcard.ts";
import { T_LIT, T_QMARK, T_STAR, T_VAR, resolveVariable } from "./variables.ts";
import type { Token } from "./variables.ts";
import type { Context } from "./types.ts";

export type RangeMatcher = (s: string, start: number, end: number, ctx: Context) => boolean;

export function compilePattern(tokens: readonly Token[], ignoreCase: boolean): RangeMatcher {
  const n = tokens.length;
  const kinds = new Uint8Array(n);
  const parts: string[] = new Array(n);
  let dynamic = false;
  for (let i = 0; i < n; i++) {
    const t = tokens[i];
    if (t.k === T_LIT) {
      kinds[i] = LIT;
      parts[i] = ignoreCase ? t.s.toLowerCase() : t.s;
    } else if (t.k === T_STAR) {
      kinds[i] = STAR;
      parts[i] = "";
    } else if (t.k === T_QMARK) {
      kinds[i] = QMARK;
      parts[i] = "";
    } else {
      kinds[i] = LIT;
      parts[i] = "";
      dynamic = true;
    }
  }
  if (!dynamic) {
    const test = compileGlob({ parts, kinds });
    return (s, start, end) => test(s, start, end);
  }
  return (s, start, end, ctx) => {
    const resolved = parts.slice();
    for (let i = 0; i < n; i++) {
      const t = tokens[i];
      if (t.k === T_VAR) {
        const v = resolveVariable(t, ctx);
        if (v === undefined) return false; // an unresolved variable never matches (IAM UG)
        resolved[i] = ignoreCase ? v.toLowerCase() : v;
      }
    }
    return globMatch(resolved, kinds, s, start, end);
  };
}

/** Whole-string form of compilePattern. */
export function compileWholePattern(tokens: readonly Token[], ignoreCase: boolean): (s: string, ctx: Context) => boolean {
  const m = compilePattern(tokens, ignoreCase);
  return (s, ctx) => m(s, 0, s.length, ctx);
}
