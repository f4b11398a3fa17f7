// ACL matching on its own: first match by rule number, protocols, ICMP type/code, families, and the
// range form used for replies on ephemeral ports.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseIp } from "../../net-addr/ip.ts";
import { ALLOWED, aclDecide, aclDecideRange, compileAcl } from "./network-acls.ts";
import type { AclDirection } from "./network-acls.ts";
import { ICMP, ICMPV6, TCP, UDP } from "./protocols.ts";
import { acl } from "./test-support.ts";
import type { NetSnapshot } from "./types.ts";

type Entry = NetSnapshot["networkAcls"][number]["entries"][number];

function inbound(entries: Entry[]): AclDirection {
  return compileAcl({ networkAclId: "acl-t", vpcId: "vpc-t", isDefault: false, subnetIds: [], entries }).inbound;
}

/** "allow 100", "deny 90", "deny *". */
function decide(entries: Entry[], peer: string, proto: number, port: number, code = -1): string {
  const dir = inbound(entries);
  const a = parseIp(peer)!;
  const i = aclDecide(dir, a, proto, port, code);
  if (i < 0) return "deny *";
  const rules = a.fam === 4 ? dir.v4 : dir.v6;
  return `${rules.allow[i] ? "allow" : "deny"} ${rules.ruleNumber[i]}`;
}

describe("single packet", () => {
  const rows: [string, Entry[], string, number, number, string, number?][] = [
    ["empty ACL denies", [], "10.0.0.1", TCP, 80, "deny *"],
    ["allow all", [acl(100, false, "allow", "-1", "0.0.0.0/0")], "10.0.0.1", UDP, 53, "allow 100"],
    ["lowest rule number first, whatever the list order", [acl(200, false, "allow", "-1", "0.0.0.0/0"), acl(100, false, "deny", "6", "10.0.0.0/8", [80, 80])], "10.0.0.1", TCP, 80, "deny 100"],
    ["a deny that does not match falls through", [acl(100, false, "deny", "6", "10.0.0.0/8", [22, 22]), acl(200, false, "allow", "6", "0.0.0.0/0", [0, 65535])], "10.0.0.1", TCP, 80, "allow 200"],
    ["protocol must match", [acl(100, false, "allow", "17", "0.0.0.0/0", [53, 53])], "10.0.0.1", TCP, 53, "deny *"],
    ["port range edges", [acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 2048])], "10.0.0.1", TCP, 2048, "allow 100"],
    ["port just outside", [acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 2048])], "10.0.0.1", TCP, 2049, "deny *"],
    ["cidr must contain the peer", [acl(100, false, "allow", "-1", "10.0.3.0/24")], "10.0.4.1", TCP, 80, "deny *"],
    ["protocol names are accepted too", [acl(100, false, "allow", "tcp", "0.0.0.0/0", [80, 80])], "10.0.0.1", TCP, 80, "allow 100"],
    ["icmp type must match", [acl(100, false, "allow", "1", "0.0.0.0/0", undefined, [8, -1])], "10.0.0.1", ICMP, 0, "deny *", 0],
    ["icmp type and any code", [acl(100, false, "allow", "1", "0.0.0.0/0", undefined, [8, -1])], "10.0.0.1", ICMP, 8, "allow 100", 0],
    ["icmp code must match when given", [acl(100, false, "allow", "1", "0.0.0.0/0", undefined, [3, 4])], "10.0.0.1", ICMP, 3, "deny *", 1],
    ["icmp all types", [acl(100, false, "allow", "1", "0.0.0.0/0", undefined, [-1, -1])], "10.0.0.1", ICMP, 13, "allow 100", 0],
    ["icmp rule does not match icmpv6", [acl(100, false, "allow", "1", "::/0", undefined, [-1, -1])], "2001:db8::1", ICMPV6, 128, "deny *", 0],
    ["icmpv6 rule", [acl(100, false, "allow", "58", "::/0", undefined, [128, -1])], "2001:db8::1", ICMPV6, 128, "allow 100", 0],
    ["IPv4 rule ignores IPv6 traffic", [acl(100, false, "allow", "-1", "0.0.0.0/0")], "2001:db8::1", TCP, 80, "deny *"],
    ["IPv6 rule ignores IPv4 traffic", [acl(100, false, "allow", "-1", "::/0")], "10.0.0.1", TCP, 80, "deny *"],
    ["outbound entries are not inbound ones", [acl(100, true, "allow", "-1", "0.0.0.0/0")], "10.0.0.1", TCP, 80, "deny *"],
    ["an unparsable entry is skipped", [acl(100, false, "allow", "-1", "not-a-cidr"), acl(110, false, "deny", "-1", "0.0.0.0/0")], "10.0.0.1", TCP, 80, "deny 110"],
  ];
  for (const [name, entries, peer, proto, port, want, code] of rows) test(name, () => assert.equal(decide(entries, peer, proto, port, code), want));
});

describe("range form (replies on ephemeral ports)", () => {
  const peer = parseIp("10.0.3.10")!;
  const range = (entries: Entry[], from = 1024, to = 65535): string => {
    const dir = inbound(entries);
    const d = aclDecideRange(dir, peer, TCP, from, to);
    return d === ALLOWED ? "allowed" : d < 0 ? "deny *" : `deny ${dir.v4.ruleNumber[d]}`;
  };
  const rows: [string, Entry[], string, [number, number]?][] = [
    ["one rule covers all", [acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 65535])], "allowed"],
    ["all protocols covers all", [acl(100, false, "allow", "-1", "0.0.0.0/0")], "allowed"],
    ["half the range leaves the rest to *", [acl(100, false, "allow", "6", "0.0.0.0/0", [32768, 65535])], "deny *"],
    ["two halves together", [acl(100, false, "allow", "6", "0.0.0.0/0", [32768, 65535]), acl(110, false, "allow", "6", "0.0.0.0/0", [1024, 32767])], "allowed"],
    ["a deny inside the range before the allow", [acl(90, false, "deny", "6", "0.0.0.0/0", [3306, 3306]), acl(100, false, "allow", "6", "0.0.0.0/0", [0, 65535])], "deny 90"],
    ["a deny after the allow is shadowed", [acl(100, false, "allow", "6", "0.0.0.0/0", [0, 65535]), acl(110, false, "deny", "6", "0.0.0.0/0", [3306, 3306])], "allowed"],
    ["a deny outside the range is irrelevant", [acl(90, false, "deny", "6", "0.0.0.0/0", [22, 22]), acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 65535])], "allowed"],
    [
      "a hole punched by an allow, then the deny covers only ports already allowed",
      [acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 40000]), acl(110, false, "deny", "6", "0.0.0.0/0", [2000, 3000]), acl(120, false, "allow", "6", "0.0.0.0/0", [40001, 65535])],
      "allowed",
    ],
    ["a deny for another peer does not count", [acl(90, false, "deny", "-1", "10.9.0.0/16"), acl(100, false, "allow", "6", "0.0.0.0/0", [1024, 65535])], "allowed"],
    ["a single known port", [acl(100, false, "allow", "6", "0.0.0.0/0", [32768, 65535])], "allowed", [40000, 40000]],
    ["many small allows", Array.from({ length: 64 }, (_, i) => acl(100 + i, false, "allow", "6", "0.0.0.0/0", [1024 + i * 1008, 1024 + (i + 1) * 1008 - 1])), "allowed"],
  ];
  for (const [name, entries, want, r] of rows) test(name, () => assert.equal(range(entries, r?.[0], r?.[1]), want));
});
