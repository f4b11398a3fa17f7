// A strict JSON parser (RFC 8259) that also records where each object and array sits in the
// text, so matched statements can report line/column like SimulatePrincipalPolicy does.
import type { Position } from "./types.ts";

export interface Span {
  start: number;
  /** Offset just after the closing bracket. */
  end: number;
}

export interface ParsedJson {
  value: unknown;
  spans: Map<object, Span>;
  position(offset: number): Position;
}

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

const MAX_DEPTH = 256;

export function parseJson(text: string): ParsedJson {
  const spans = new Map<object, Span>();
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // tolerate a byte-order mark, as editors add one
  const n = text.length;

  const fail = (what: string): never => {
    throw new JsonSyntaxError(`${what} at offset ${i}`, i);
  };
  const ws = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };

  const parseString = (): string => {
    i++; // opening quote
    let out = "";
    let runStart = i;
    while (true) {
      if (i >= n) fail("unterminated string");
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(runStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(runStart, i);
      const e = text[i + 1];
      i += 2;
      switch (e) {
        case '"': out += '"'; break;
        case "\\": out += "\\"; break;
        case "/": out += "/"; break;
        case "b": out += "\b"; break;
        case "f": out += "\f"; break;
        case "n": out += "\n"; break;
        case "r": out += "\r"; break;
        case "t": out += "\t"; break;
        case "u": {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad unicode escape");
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          i -= 1;
          fail("bad escape");
      }
      runStart = i;
    }
  };

  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const parseNumber = (): number => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m || m[0] === "-" || m[0].length === 0) fail("bad number");
    i += m![0].length;
    return Number(m![0]);
  };

  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail("unexpected token");
  };

  const parseValue = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail("nesting too deep");
    ws();
    if (i >= n) fail("unexpected end");
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      const start = i;
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
      } else {
        while (true) {
          ws();
          if (text.charCodeAt(i) !== 0x22) fail("expected property name");
          const key = parseString();
          ws();
          if (text.charCodeAt(i) !== 0x3a) fail("expected ':'");
          i++;
          const v = parseValue(depth + 1);
          // defineProperty keeps "__proto__" an ordinary own key, as JSON.parse does
          Object.defineProperty(obj, key, { value: v, enumerable: true, writable: true, configurable: true });
          ws();
          const d = text.charCodeAt(i);
          if (d === 0x2c) { i++; continue; }
          if (d === 0x7d) { i++; break; }
          fail("expected ',' or '}'");
        }
      }
      spans.set(obj, { start, end: i });
      return obj;
    }
    if (c === 0x5b) {
      const start = i;
      i++;
      const arr: unknown[] = [];
      ws();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
      } else {
        while (true) {
          arr.push(parseValue(depth + 1));
          ws();
          const d = text.charCodeAt(i);
          if (d === 0x2c) { i++; continue; }
          if (d === 0x5d) { i++; break; }
          fail("expected ',' or ']'");
        }
      }
      spans.set(arr, { start, end: i });
      return arr;
    }
    if (c === 0x22) return parseString();
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return parseNumber();
    if (c === 0x74) return literal("true", true);
    if (c === 0x66) return literal("false", false);
    if (c === 0x6e) return literal("null", null);
    return fail("unexpected token");
  };

  const value = parseValue(0);
  ws();
  if (i < n) fail("unexpected data after the document");

  let lineStarts: number[] | undefined;
  const position = (offset: number): Position => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let k = 0; k < n; k++) if (text.charCodeAt(k) === 0x0a) lineStarts.push(k + 1);
    }
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };

  return { value, spans, position };
}
