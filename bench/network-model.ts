// Reachability model throughput: `npm run bench -- network-model`.
// A VPC whose function and database groups carry 200 rules each and whose two subnet ACLs carry
// 52 entries each (50 IPv4 + 2 IPv6), the matching rules placed last; prints evaluations per second and the median
// ns per evaluation over timed batches, for allowed and dropped flows. Pure CPU: no sockets.
import { awsServiceAddress, compileSnapshot, evaluate } from "../src/network/model/index.ts";
import type { Flow, NetSnapshot, SgRule } from "../src/network/model/index.ts";
import { V6, acl, fromEni, nacl, scenario, sg } from "../src/network/model/test-support.ts";
import { timeBatches } from "./_support.ts";

const BATCH = 20_000;
const BATCHES = 30;

function bench(name: string, snapshot: NetSnapshot, flow: Flow, expect: string): void {
  const model = compileSnapshot(snapshot);
  const first = evaluate(model, flow);
  const got = `${first.verdict}${first.reasons[0] ? ` ${first.reasons[0].code}` : ""}`;
  if (got !== expect) throw new Error(`${name}: expected ${expect}, got ${got}: ${first.reasons[0]?.message}`);
  let sink = 0;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) sink += evaluate(model, flow).path.length;
  };
  const { perSec, medianNs: median } = timeBatches(run, BATCH, BATCHES);
  console.log(`${name.padEnd(58)} ${Math.round(perSec).toLocaleString("en-US").padStart(11)} evals/s   median ${median.toFixed(0).padStart(5)} ns/eval   ${got}${sink < 0 ? "" : ""}`);
}

type Shape = "ports" | "wide" | "adversarial";

const LAYOUTS: Record<Shape, string> = {
  ports: "each SG rule names one port (the usual shape: the protocol/port index skips the 199 others)",
  wide: "each SG rule covers all tcp ports for another network (the port index cannot help, the CIDR index does)",
  adversarial: "each SG rule's CIDR contains the function and its 70-port tcp range lies in the flow's 4096-port slot without covering the port (no index helps: every rule compared)",
};

/** 199 rules that do not match the benchmark flows, then `last`, in one of the layouts above. */
function twoHundred(last: SgRule, shape: Shape): SgRule[] {
  const rules: SgRule[] = [];
  for (let i = 0; i < 199; i++) {
    if (shape === "adversarial") {
      rules.push(sg("tcp", [5433 + i * 10, 5433 + i * 10 + 70], { cidrs: ["10.0.0.0/8", "2600:1f18::/32"] }));
      continue;
    }
    const ports: [number, number] = shape === "ports" ? [10_000 + i, 10_000 + i] : [0, 65535];
    rules.push(sg(shape === "ports" && i % 3 === 0 ? "udp" : "tcp", ports, { cidrs: [`172.${16 + (i % 16)}.${i}.0/24`, `2001:db8:${i.toString(16)}::/48`] }));
  }
  rules.push(last);
  return rules;
}

/** 24 deny/allow entries per direction for other networks, then the allow for the VPC at the end. */
function fiftyEntries(aclRules: ReturnType<typeof acl>[]): ReturnType<typeof acl>[] {
  const out: ReturnType<typeof acl>[] = [];
  for (const egress of [false, true]) {
    for (let i = 0; i < 24; i++) out.push(acl(100 + i * 10, egress, i % 2 ? "allow" : "deny", "6", `192.168.${i}.0/24`, [1, 65535]));
  }
  return [...out, ...aclRules];
}

function bigVpc(shape: Shape): NetSnapshot {
  const s = scenario();
  const fn = s.securityGroups.find((g) => g.groupId === "sg-fn")!;
  const db = s.securityGroups.find((g) => g.groupId === "sg-db")!;
  fn.egress = twoHundred(sg("-1", undefined, { cidrs: ["0.0.0.0/0", "::/0"] }), shape);
  db.ingress = twoHundred(sg("tcp", [5432, 5432], { groupIds: ["sg-fn"] }), shape);
  nacl(s, "acl-db").entries = fiftyEntries([acl(900, false, "allow", "6", "10.0.0.0/16", [1, 65535]), acl(900, true, "allow", "6", "10.0.0.0/16", [1024, 65535])]);
  nacl(s, "acl-db").entries.push(acl(901, false, "allow", "6", V6.vpc, [1, 65535]), acl(901, true, "allow", "6", V6.vpc, [1024, 65535]));
  // The function's subnet gets its own 50-entry ACL.
  nacl(s, "acl-default").subnetIds = nacl(s, "acl-default").subnetIds.filter((id) => id !== "subnet-private");
  s.networkAcls.push({
    networkAclId: "acl-private",
    vpcId: "vpc-main",
    isDefault: false,
    subnetIds: ["subnet-private"],
    entries: [...fiftyEntries([acl(900, false, "allow", "-1", "0.0.0.0/0"), acl(900, true, "allow", "-1", "0.0.0.0/0")]), acl(901, false, "allow", "-1", "::/0"), acl(901, true, "allow", "-1", "::/0")],
  });
  return s;
}

for (const shape of ["ports", "wide", "adversarial"] as const) {
  const snap = bigVpc(shape);
  const rules = snap.securityGroups.reduce((n, g) => n + g.ingress.length + g.egress.length, 0);
  const entries = snap.networkAcls.reduce((n, a) => n + a.entries.length, 0);
  console.log(
    `\n${shape}: ${LAYOUTS[shape]}.\n  sg-fn egress and sg-db ingress 200 rules each, the matching rule last (${rules} SG rules in all); acl-private and acl-db 52 entries each (50 IPv4 + 2 IPv6), the allow last (${entries} ACL entries in all)`,
  );
  bench("allowed: function -> 10.0.1.25:5432 (SG ref, 4 ACL checks)", snap, fromEni("10.0.1.25", 5432), "allow");
  bench("dropped: function -> 10.0.1.25:5431 (no db SG rule)", snap, fromEni("10.0.1.25", 5431), "drop ENI_SG_RULES_MISMATCH");
  bench("allowed: function -> 203.0.113.10:443 via NAT + IGW", snap, fromEni("203.0.113.10", 443), "allow");
  bench("allowed: IPv6 function -> [2600:...:5601::25]:5432", snap, fromEni("2600:1f18:1234:5601::25", 5432, "tcp", "eni-fn", { ipv6Allowed: true }), "allow");
  bench("unreachable: IPv6 without Ipv6AllowedForDualStack", snap, fromEni("2001:db8:ffff::10", 443), "unreachable NO_ROUTE_TO_DESTINATION");
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) compileSnapshot(snap);
  console.log(`compileSnapshot of that VPC: ${(Number(process.hrtime.bigint() - t0) / 1e6 / 50).toFixed(2)} ms`);
}

// VPC endpoints: an AWS call's flow through a gateway endpoint route, to an interface endpoint's
// interface, and through the NAT gateway, over the "ports" VPC above.
{
  const snap = bigVpc("ports");
  const s3 = awsServiceAddress("us-east-1", "s3")!;
  const sts = awsServiceAddress("us-east-1", "sts")!;
  snap.prefixLists = [{ prefixListId: "pl-63a5400a", cidrs: [`${s3}/32`] }];
  snap.securityGroups.push({ groupId: "sg-vpce", vpcId: "vpc-main", ingress: [sg("tcp", [443, 443], { cidrs: ["10.0.0.0/16"] })], egress: [] });
  snap.networkInterfaces.push({ networkInterfaceId: "eni-vpce", subnetId: "subnet-db", vpcId: "vpc-main", groupIds: ["sg-vpce"], privateIps: ["10.0.1.99"], ipv6Addresses: [], interfaceType: "vpc_endpoint" });
  nacl(snap, "acl-db").entries.push(acl(902, false, "allow", "6", "10.0.3.0/24", [443, 443]));
  snap.vpcEndpoints = [
    { id: "vpce-s3", vpcId: "vpc-main", type: "Gateway", serviceName: "com.amazonaws.us-east-1.s3", service: "s3", region: "us-east-1", state: "available", networkInterfaceIds: [] },
    { id: "vpce-sts", vpcId: "vpc-main", type: "Interface", serviceName: "com.amazonaws.us-east-1.sts", service: "sts", region: "us-east-1", state: "available", networkInterfaceIds: ["eni-vpce"] },
  ];
  snap.routeTables.find((t) => t.routeTableId === "rtb-private")!.routes.push({ destination: "pl-63a5400a", target: { kind: "vpce", id: "vpce-s3" } });
  console.log("\nVPC endpoints (the ports VPC, plus an S3 gateway endpoint route and an STS interface endpoint in subnet-db):");
  bench("allowed: function -> S3 via the gateway endpoint route", snap, fromEni(s3, 443), "allow");
  bench("allowed: function -> STS interface endpoint 10.0.1.99:443", snap, fromEni("10.0.1.99", 443), "allow");
  bench("allowed: function -> STS public address via NAT + IGW", snap, fromEni(sts, 443), "allow");
}
