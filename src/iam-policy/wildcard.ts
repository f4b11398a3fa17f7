// `*` / `?` matching without regular expressions: patterns are compiled once into literal
// parts and wildcard markers, then matched with the classic single-backtrack algorithm.

export const LIT = 0;
export const STAR = 1;
export const QMARK = 2;

/** A pattern as parallel arrays: kinds[i] is LIT, STAR or QMARK; parts[i] holds the literal text for LIT. */
export interface GlobParts {
  readonly parts: readonly string[];
  readonly kinds: Uint8Array;
}

/**
 * Does s[start, end) match the pattern? `*` matches any run (also empty), `?` one UTF-16 unit.
 * Backtracking only to the latest `*` is enough for these two wildcards, so this is O(n·m) at worst.
 */
export function globMatch(parts: readonly string[], kinds: Uint8Array, s: string, start: number, end: number): boolean {
  const m = kinds.length;
  let si = 0;
  let pos = start;
  let starSi = -1;
  let starPos = 0;
  while (pos < end || si < m) {
    if (si < m) {
      const k = kinds[si];
      if (k === STAR) {
        starSi = si;
        starPos = pos;
        si++;
        continue;
      }
      if (k === QMARK) {
        if (pos < end) {
          pos++;
          si++;
          continue;
        }
      } else {
        const p = parts[si];
        if (pos + p.length <= end && s.startsWith(p, pos)) {
          pos += p.length;
          si++;
          continue;
        }
      }
    }
    if (starSi >= 0 && starPos < end) {
      starPos++;
      pos = starPos;
      si = starSi + 1;
      continue;
    }
    return false;
  }
  return true;
}

/** Splits a plain wildcard string ("lambda:Get*", "s3:?et") into parts; no escapes, no variables. */
export function splitWildcards(pattern: string): GlobParts {
  const parts: string[] = [];
  const kinds: number[] = [];
  let lit = "";
  for (const ch of pattern) {
    if (ch === "*" || ch === "?") {
      if (lit) {
        parts.push(lit);
        kinds.push(LIT);
        lit = "";
      }
      if (ch === "*" && kinds[kinds.length - 1] === STAR) continue; // "**" is "*"
      parts.push("");
      kinds.push(ch === "*" ? STAR : QMARK);
    } else {
      lit += ch;
    }
  }
  if (lit) {
    parts.push(lit);
    kinds.push(LIT);
  }
  return { parts, kinds: Uint8Array.from(kinds) };
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

export type RangeTest = (s: string, start: number, end: number) => boolean;

/** Picks the cheapest matcher for a static pattern: equality, prefix, suffix, any, or the general loop. */
export function compileGlob(g: GlobParts): RangeTest {
  const { parts, kinds } = g;
  const m = kinds.length;
  if (m === 0) return (_s, start, end) => start === end;
  if (m === 1 && kinds[0] === STAR) return () => true;
  if (m === 1 && kinds[0] === LIT) {
    const lit = parts[0];
    const len = lit.length;
    return (s, start, end) => end - start === len && s.startsWith(lit, start);
  }
  if (m === 2 && kinds[0] === LIT && kinds[1] === STAR) {
    const lit = parts[0];
    const len = lit.length;
    return (s, start, end) => end - start >= len && s.startsWith(lit, start);
  }
  if (m === 2 && kinds[0] === STAR && kinds[1] === LIT) {
    const lit = parts[1];
    const len = lit.length;
    return (s, start, end) => end - start >= len && s.startsWith(lit, end - len);
  }
  return (s, start, end) => globMatch(parts, kinds, s, start, end);
}

/** Whole-string matcher for a plain wildcard string; ignoreCase expects callers to pass lowercased input. */
export function compileWildcard(pattern: string, ignoreCase: boolean): (s: string) => boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  if (!hasWildcard(p)) return (s) => s === p;
  const t = compileGlob(splitWildcards(p));
  return (s) => t(s, 0, s.length);
}
