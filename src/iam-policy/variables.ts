// Policy variables (IAM UG reference_policies_variables): ${key}, ${key, 'default'} and the
// escapes ${*} ${?} ${$}. Only Version 2012-10-17 substitutes them; callers pass variables=false
// for 2008-10-17 so the text stays literal.
import { lookup } from "./context.ts";
import type { Context } from "./types.ts";

export const T_LIT = 0;
export const T_STAR = 1;
export const T_QMARK = 2;
export const T_VAR = 3;

export type Token =
  | { readonly k: typeof T_LIT; readonly s: string }
  | { readonly k: typeof T_STAR }
  | { readonly k: typeof T_QMARK }
  | { readonly k: typeof T_VAR; readonly key: string; readonly lower: string; readonly def: string | undefined };

export interface TokenizeOptions {
  variables: boolean;
  wildcards: boolean;
}

const VAR_BODY = /^\s*([^\s,'{}$]+:[^\s,'{}$]+)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Splits text into literal runs, wildcards and variable references; adjacent literals merged, "**" collapsed. */
export function tokenize(text: string, opts: TokenizeOptions): Token[] {
  const out: Token[] = [];
  let lit = "";
  const flush = (): void => {
    if (lit) {
      out.push({ k: T_LIT, s: lit });
      lit = "";
    }
  };
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (opts.variables && ch === "$" && text[i + 1] === "{") {
      const close = text.indexOf("}", i + 2);
      if (close > 0) {
        const body = text.slice(i + 2, close);
        if (body === "*" || body === "?" || body === "$") {
          lit += body; // escapes give the literal character, never a wildcard
          i = close + 1;
          continue;
        }
        const m = VAR_BODY.exec(body);
        if (m) {
          flush();
          out.push({ k: T_VAR, key: m[1], lower: m[1].toLowerCase(), def: m[2] });
          i = close + 1;
          continue;
        }
      }
      // not a variable: keep the text as it is
    }
    if (opts.wildcards && (ch === "*" || ch === "?")) {
      flush();
      if (ch === "*") {
        if (out.length === 0 || out[out.length - 1].k !== T_STAR) out.push({ k: T_STAR });
      } else {
        out.push({ k: T_QMARK });
      }
      i++;
      continue;
    }
    lit += ch;
    i++;
  }
  flush();
  return out;
}

export function hasVariables(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.k === T_VAR) return true;
  return false;
}

export function hasWildcards(tokens: readonly Token[]): boolean {
  for (const t of tokens) if (t.k === T_STAR || t.k === T_QMARK) return true;
  return false;
}

/**
 * A variable's value, or undefined when it cannot be resolved: the key is absent (and there is
 * no default) or multi-valued (AWS: multi-valued keys can't be used as variables).
 */
export function resolveVariable(t: { key: string; lower: string; def: string | undefined }, ctx: Context): string | undefined {
  const v = lookup(ctx, t.key, t.lower);
  if (typeof v === "string") return v;
  return t.def;
}

/** Resolves a template without wildcards to its string; undefined when any variable is unresolved. */
export function resolveTemplate(tokens: readonly Token[], ctx: Context): string | undefined {
  let out = "";
  for (const t of tokens) {
    if (t.k === T_LIT) out += t.s;
    else if (t.k === T_VAR) {
      const v = resolveVariable(t, ctx);
      if (v === undefined) return undefined;
      out += v;
    } else out += t.k === T_STAR ? "*" : "?";
  }
  return out;
}

export function collectVariableKeys(tokens: readonly Token[], into: Map<string, string>): void {
  for (const t of tokens) if (t.k === T_VAR && !into.has(t.lower)) into.set(t.lower, t.key);
}
