import type { QueryParams } from "../caller.ts";
import type { Json, JsonObject } from "../template/parse.ts";
import type { ProviderContext } from "./types.ts";

/** Read a path (a.b.0.c) from a service result. */
export function pick(obj: unknown, path: string): any {
  let cur: any = obj;
  for (const k of path.split(".")) {
    if (cur === null || cur === undefined) return undefined;
    cur = cur[k];
  }
  return cur;
}

export function s(v: Json | undefined): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

export function list(v: Json | undefined): Json[] {
  return Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
}

/** Template tags plus the stack's tags (a resource's own tag wins). */
export function mergedTags(ctx: ProviderContext, props: JsonObject): Array<{ Key: string; Value: string }> {
  const own = list(props.Tags).filter((t): t is JsonObject => typeof t === "object" && t !== null && !Array.isArray(t));
  const out = new Map<string, string>();
  for (const t of ctx.stackTags) out.set(t.Key, t.Value);
  for (const t of own) out.set(String(t.Key), String(t.Value ?? ""));
  return [...out].map(([Key, Value]) => ({ Key, Value }));
}

/** EC2 TagSpecification.1.* parameters for a create call. */
export function tagSpec(ctx: ProviderContext, props: JsonObject, resourceType: string): QueryParams {
  const tags = mergedTags(ctx, props);
  if (tags.length === 0) return {};
  const p: QueryParams = { "TagSpecification.1.ResourceType": resourceType };
  tags.forEach((t, i) => {
    p[`TagSpecification.1.Tag.${i + 1}.Key`] = t.Key;
    p[`TagSpecification.1.Tag.${i + 1}.Value`] = t.Value;
  });
  return p;
}

/** A list as numbered query parameters: Name.1, Name.2 (or Name.member.1 for IAM). */
export function numbered(name: string, values: Json[] | undefined, member = false): QueryParams {
  const p: QueryParams = {};
  (values ?? []).forEach((v, i) => (p[`${name}.${member ? "member." : ""}${i + 1}`] = s(v)));
  return p;
}

/** Replace the tags of an EC2 resource with the template's (an in-place tag update). */
export async function retagEc2(ctx: ProviderContext, id: string, props: JsonObject, old: JsonObject): Promise<void> {
  const now = mergedTags(ctx, props);
  const before = mergedTags(ctx, old);
  const gone = before.filter((t) => !now.some((n) => n.Key === t.Key));
  if (gone.length) {
    const p: QueryParams = { "ResourceId.1": id };
    gone.forEach((t, i) => (p[`Tag.${i + 1}.Key`] = t.Key));
    await ctx.call.ec2("DeleteTags", p);
  }
  if (now.length && JSON.stringify(now) !== JSON.stringify(before)) {
    const p: QueryParams = { "ResourceId.1": id };
    now.forEach((t, i) => {
      p[`Tag.${i + 1}.Key`] = t.Key;
      p[`Tag.${i + 1}.Value`] = t.Value;
    });
    await ctx.call.ec2("CreateTags", p);
  }
}

/** Poll on the simulated clock until ready() answers true (or throws). */
export async function waitUntil(ctx: ProviderContext, ready: () => Promise<boolean>, everyMs = 1000, maxMs = 60 * 60_000): Promise<void> {
  for (let waited = 0; waited <= maxMs; waited += everyMs) {
    if (await ready()) return;
    await ctx.sleep(everyMs);
  }
  throw new Error("Resource did not stabilize in time"); // unverified wording
}

/** "not found" errors on delete mean the resource is already gone. */
export function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string })?.code ?? "";
  return /NotFound|NoSuchEntity|ResourceNotFoundException/.test(code);
}

export async function ignoreNotFound(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
