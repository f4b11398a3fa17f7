/** Fn::ImportValue of a plain string anywhere in a template: checked before anything is created. */
export function literalImports(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) literalImports(x, out);
  else if (v && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      if (k === "Fn::ImportValue" && typeof x === "string") out.push(x);
      else literalImports(x, out);
    }
  }
  return out;
}
