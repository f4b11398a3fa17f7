/**
 * Form-encoded parameters of the query protocols (EC2, IAM, STS), turned into a tree:
 * `Filter.1.Name=a&Filter.1.Value.1=b` becomes {Filter: {"1": {Name: "a", Value: {"1": "b"}}}}.
 * `asList` turns the numbered children into an array, looking through `.member.` (IAM/STS lists).
 */
export type ParamNode = string | ParamTree;
export interface ParamTree {
  [key: string]: ParamNode;
}

export function parseForm(body: string): URLSearchParams {
  return new URLSearchParams(body);
}

export function toTree(params: URLSearchParams): ParamTree {
  const root: ParamTree = Object.create(null);
  for (const [key, value] of params) {
    const parts = key.split(".");
    let node: ParamTree = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const existing = node[parts[i]];
      if (typeof existing === "object") node = existing;
      else {
        // A key used both as a scalar and as a prefix: the structured form wins.
        const child: ParamTree = Object.create(null);
        node[parts[i]] = child;
        node = child;
      }
    }
    const last = parts[parts.length - 1];
    if (typeof node[last] !== "object") node[last] = value;
  }
  return root;
}

/** The numbered members of a list node in order; `.member.N` and `.entry.N` are looked through. */
export function asList(node: ParamNode | undefined): ParamNode[] {
  if (node === undefined || typeof node === "string") return [];
  const inner = typeof node.member === "object" ? node.member : typeof node.entry === "object" ? node.entry : node;
  return Object.keys(inner)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => inner[k]);
}

export function asStringList(node: ParamNode | undefined): string[] {
  return asList(node).filter((v): v is string => typeof v === "string");
}

export function str(node: ParamNode | undefined): string | undefined {
  return typeof node === "string" ? node : undefined;
}

export function sub(node: ParamNode | undefined, key: string): ParamNode | undefined {
  return typeof node === "object" ? node[key] : undefined;
}
