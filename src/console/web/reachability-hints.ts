// What to do about a Reachability answer, in plain words, beside the model's own reasons.
import type { Reachability } from "./admin-api.ts";

const PRIVATE_V4 = /^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|127\.|169\.254\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.)/;

/** A public address: an internet destination (IPv6 ULA and link-local are private). */
export function isPublicAddress(ip: string): boolean {
  if (ip.includes(":")) return !/^(f[cd]|fe80|::1$)/i.test(ip);
  return !PRIVATE_V4.test(ip);
}

export function reachabilityHints(r: Reachability): string[] {
  const hints: string[] = [];
  const ip = r.to.ip ?? r.to.host ?? "";
  const vpc = r.source.kind === "vpc";
  for (const reason of r.reasons) {
    if (vpc && reason.check === "no-route" && isPublicAddress(ip)) {
      hints.push(
        "This is an internet address, and a function in a VPC reaches the internet only through a NAT gateway: route 0.0.0.0/0 from the function's subnets to a NAT gateway in a public subnet (one whose route table sends 0.0.0.0/0 to an internet gateway).",
      );
    } else if (reason.check === "igw-no-public-ip") {
      hints.push(
        "The route to the internet gateway cannot help a function: Lambda's network interfaces never get a public IP address. Route 0.0.0.0/0 to a NAT gateway instead.",
      );
    } else if (reason.check === "security-group-ingress") {
      hints.push(`Security group ${reason.component?.id ?? ""} has no inbound rule for ${r.to.protocol ?? "tcp"} port ${r.to.port ?? ""} from the function: add one whose source is the function's security group.`);
    } else if (reason.check === "security-group-egress") {
      hints.push(`The function's security group ${reason.component?.id ?? ""} has no outbound rule for this traffic: add one.`);
    } else if (/ephemeral ports/.test(reason.message)) {
      hints.push("Network ACLs are stateless: the reply comes back to the client's ephemeral ports (1024-65535), so the ACL needs a rule allowing them in that direction.");
    }
  }
  return [...new Set(hints)];
}
