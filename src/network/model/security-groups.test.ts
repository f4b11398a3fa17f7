// Security-group matching on its own: protocols and ports, ICMP type/code, CIDR families, group
// references and prefix lists.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { parseIp } from "../../net-addr/ip.ts";
import { ICMP, ICMPV6, TCP, UDP } from "./protocols.ts";
import { compileSgRules, sgMatch } from "./security-groups.ts";
import { sg } from "./test-support.ts";
import type { SgRule } from "./types.ts";

const groups = ["sg-a", "sg-b", "sg-peer"];
const index = new Map(groups.map((g, i) => [g, i]));
const prefixLists = new Map([["pl-1", ["10.9.0.0/16"]]]);

function admits(rules: SgRule[], peer: string, proto: number, port: number, opts: { code?: number; peerGroups?: string[] } = {}): boolean {
  const set = compileSgRules([{ groupId: "sg-a", vpcId: "vpc", ingress: rules, egress: [] }], index, prefixLists, "ingress");
  const peerEni = opts.peerGroups ? { groups: new Set(opts.peerGroups.map((g) => index.get(g)!)) } : undefined;
  return sgMatch(set, parseIp(peer)!, proto, port, opts.code ?? -1, peerEni) !== undefined;
}

describe("security-group rules", () => {
  const rows: [string, SgRule[], string, number, number, boolean, { code?: number; peerGroups?: string[] }?][] = [
    ["no rules admit nothing", [], "10.0.0.1", TCP, 80, false],
    ["all traffic from anywhere", [sg("-1", undefined, { cidrs: ["0.0.0.0/0"] })], "10.0.0.1", UDP, 9, true],
    ["tcp port match", [sg("tcp", [5432, 5432], { cidrs: ["10.0.0.0/16"] })], "10.0.3.10", TCP, 5432, true],
    ["tcp port mismatch", [sg("tcp", [5432, 5432], { cidrs: ["10.0.0.0/16"] })], "10.0.3.10", TCP, 5433, false],
    ["tcp range", [sg("tcp", [8000, 8999], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", TCP, 8443, true],
    ["tcp rule, udp packet", [sg("tcp", [53, 53], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", UDP, 53, false],
    ["numeric protocol 6 is tcp", [sg("6", [80, 80], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", TCP, 80, true],
    ["tcp without ports means all ports", [sg("tcp", undefined, { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", TCP, 65535, true],
    ["tcp -1..-1 means all ports", [sg("tcp", [-1, -1], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", TCP, 1, true],
    ["cidr excludes the peer", [sg("tcp", [80, 80], { cidrs: ["10.0.4.0/24"] })], "10.0.3.10", TCP, 80, false],
    ["icmp echo request", [sg("icmp", [8, -1], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", ICMP, 8, true, { code: 0 }],
    ["icmp other type", [sg("icmp", [8, -1], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", ICMP, 3, false, { code: 0 }],
    ["icmp all types", [sg("icmp", [-1, -1], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", ICMP, 3, true, { code: 1 }],
    ["icmp code must match", [sg("icmp", [3, 4], { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", ICMP, 3, false, { code: 1 }],
    ["icmp rule does not admit icmpv6", [sg("icmp", [-1, -1], { cidrs: ["::/0"] })], "2001:db8::1", ICMPV6, 128, false, { code: 0 }],
    ["icmpv6 rule", [sg("icmpv6", [-1, -1], { cidrs: ["::/0"] })], "2001:db8::1", ICMPV6, 128, true, { code: 0 }],
    ["IPv6 cidr", [sg("tcp", [443, 443], { cidrs: ["2600:1f18::/32"] })], "2600:1f18:1234::5", TCP, 443, true],
    ["IPv6 cidr excludes", [sg("tcp", [443, 443], { cidrs: ["2600:1f18::/32"] })], "2600:1f19::5", TCP, 443, false],
    ["IPv4 cidr does not admit IPv6", [sg("-1", undefined, { cidrs: ["0.0.0.0/0"] })], "2001:db8::1", TCP, 80, false],
    ["group reference, member", [sg("tcp", [80, 80], { groupIds: ["sg-b"] })], "10.0.3.10", TCP, 80, true, { peerGroups: ["sg-b"] }],
    ["group reference, not a member", [sg("tcp", [80, 80], { groupIds: ["sg-b"] })], "10.0.3.10", TCP, 80, false, { peerGroups: ["sg-peer"] }],
    ["group reference, peer not reached privately", [sg("tcp", [80, 80], { groupIds: ["sg-b"] })], "10.0.3.10", TCP, 80, false],
    ["unknown group reference matches nothing", [sg("tcp", [80, 80], { groupIds: ["sg-nope"] })], "10.0.3.10", TCP, 80, false, { peerGroups: ["sg-b"] }],
    ["prefix list by its CIDRs", [sg("tcp", [80, 80], { prefixListIds: ["pl-1"] })], "10.9.1.1", TCP, 80, true],
    ["prefix list excludes", [sg("tcp", [80, 80], { prefixListIds: ["pl-1"] })], "10.8.1.1", TCP, 80, false],
    ["unknown protocol name matches nothing", [sg("gre?", undefined, { cidrs: ["0.0.0.0/0"] })], "10.0.3.10", TCP, 80, false],
    ["one of many rules", [sg("tcp", [22, 22], { cidrs: ["1.2.3.4/32"] }), sg("udp", [53, 53], { cidrs: ["0.0.0.0/0"] }), sg("tcp", [80, 80], { cidrs: ["10.0.0.0/8"] })], "10.0.3.10", TCP, 80, true],
  ];
  for (const [name, rules, peer, proto, port, want, opts] of rows) test(name, () => assert.equal(admits(rules, peer, proto, port, opts), want));
});
