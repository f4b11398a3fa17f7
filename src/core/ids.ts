import { randomBytes, randomFillSync, randomUUID } from "node:crypto";

export function uuid(): string {
  return randomUUID();
}

// Random bytes for ids, drawn from a pool filled 4 KiB at a time: one randomBytes() call per id costs
// more than the rest of creating most resources.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

/** n random bytes as lowercase hex (n at most 4096). */
export function randomHex(n: number): string {
  if (poolUsed + n > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  const hex = pool.toString("hex", poolUsed, poolUsed + n);
  poolUsed += n;
  return hex;
}

/** EC2-style id: prefix + 17 lowercase hex digits, e.g. vpc-0a1b2c3d4e5f60718. */
export function ec2Id(prefix: string): string {
  return `${prefix}-${randomHex(9).slice(0, 17)}`;
}

const AKID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Access key ids look like AKIA/ASIA + 16 base32 characters. */
export function accessKeyId(prefix: "AKIA" | "ASIA"): string {
  const bytes = randomBytes(16);
  let s = prefix;
  for (const b of bytes) s += AKID_ALPHABET[b & 31];
  return s;
}

export function secretAccessKey(): string {
  return randomBytes(30).toString("base64").replace(/[+/=]/g, "A").slice(0, 40);
}

/** IAM unique ids: AIDA (user), AROA (role), ANPA (policy), AGPA (group), AIPA (instance profile) + 17 characters. */
export function iamUniqueId(prefix: "AIDA" | "AROA" | "ANPA" | "AGPA" | "AIPA" | "ASCA"): string {
  const bytes = randomBytes(17);
  let s = prefix;
  for (const b of bytes) s += AKID_ALPHABET[b & 31];
  return s;
}

export interface ParsedArn {
  partition: string;
  service: string;
  region: string;
  account: string;
  resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  return { partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts.slice(5).join(":") };
}

export function arn(service: string, region: string, account: string, resource: string): string {
  return `arn:aws:${service}:${region}:${account}:${resource}`;
}
