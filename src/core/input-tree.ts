/**
 * An operation's input as a tree, whatever the wire carried: the query codecs decode form
 * parameters (`Filter.1.Name=a&Filter.1.Value.1=b` becomes {Filter: {"1": {Name: "a", Value: {"1": "b"}}}})
 * and CloudFormation's providers build the same tree for the operations they call.
 * `asList` turns the numbered children into an array, looking through `.member.` (IAM/STS lists).
 */
export type InputNode = string | InputTree;
export interface InputTree {
  [member: string]: InputNode;
}

/** Dotted names (`Tags.member.1.Key`) and their values, as a tree. */
export function toTree(params: Iterable<[string, string]>): InputTree {
  const root: InputTree = Object.create(null);
  for (const [key, value] of params) {
    const parts = key.split(".");
    let node: InputTree = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const existing = node[parts[i]];
      if (typeof existing === "object") node = existing;
      else {
        // A key used both as a scalar and as a prefix: the structured form wins.
        const child: InputTree = Object.create(null);
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
export function asList(node: InputNode | undefined): InputNode[] {
  if (node === undefined || typeof node === "string") return [];
  const inner = typeof node.member === "object" ? node.member : typeof node.entry === "object" ? node.entry : node;
  return Object.keys(inner)
    .filter((k) => /^\d+$/.test(k))
    .sort((a, b) => Number(a) - Number(b))
    .map((k) => inner[k]);
}

export function asStringList(node: InputNode | undefined): string[] {
  return asList(node).filter((v): v is string => typeof v === "string");
}

export function str(node: InputNode | undefined): string | undefined {
  return typeof node === "string" ? node : undefined;
}

export function sub(node: InputNode | undefined, key: string): InputNode | undefined {
  return typeof node === "object" ? node[key] : undefined;
}
