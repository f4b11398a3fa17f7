// Reads a V8 CPU profile (node --cpu-prof) and prints where the time went: the functions with the
// most self time, and the source files with the most, so a benchmark run points at what to cut.
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

export function summarizeProfile(file: string, top = 25): string {
  const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: ProfileNode[] };
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    // Waiting is not work: the share of each function is of the time the process was busy.
    if (hits === 0 || n.callFrame.functionName === "(idle)") continue;
    total += hits;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url.replace(/^file:\/\/.*?\/(src|node_modules|dist)\//, "$1/") || "(native)";
    const fn = `${functionName || "(anonymous)"} ${where}${url ? `:${lineNumber + 1}` : ""}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + hits);
    byFile.set(where, (byFile.get(where) ?? 0) + hits);
  }
  // Inclusive time (the function and what it called) of hyperlocal's own functions: a function
  // counted once per stack even when it recurses.
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const inclusive = new Map<string, number>();
  const walk = (id: number, onStack: Set<string>): number => {
    const n = nodes.get(id)!;
    let hits = n.callFrame.functionName === "(idle)" ? 0 : (n.hitCount ?? 0);
    const own = /\/(src|dist)\//.test(n.callFrame.url) ? `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.replace(/^file:\/\/.*?\/(src|dist)\//, "$1/")}:${n.callFrame.lineNumber + 1}` : undefined;
    const fresh = own !== undefined && !onStack.has(own);
    if (fresh) onStack.add(own);
    for (const c of n.children ?? []) hits += walk(c, onStack);
    if (fresh) {
      onStack.delete(own);
      inclusive.set(own, (inclusive.get(own) ?? 0) + hits);
    }
    return hits;
  };
  const root = profile.nodes[0];
  if (root) walk(root.id, new Set());
  const pct = (h: number) => `${((100 * h) / total).toFixed(1).padStart(5)}%`;
  const lines = [`self time, top ${top} functions (of ${total} busy samples):`];
  for (const [fn, h] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(h)}  ${fn}`);
  lines.push(`inclusive time, top ${top} of hyperlocal's functions:`);
  for (const [fn, h] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(h)}  ${fn}`);
  lines.push("self time by file:");
  for (const [f, h] of [...byFile].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(h)}  ${f}`);
  return lines.join("\n");
}
