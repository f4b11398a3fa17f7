// "VPC", "Subnets", "Security groups" and "Allow IPv6 traffic for dual-stack subnets", as in the
// Lambda console. Each list is loaded with the signed-in principal's keys, so a missing
// ec2:Describe* permission shows AWS's denial in the place of that list.
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, type Subnet } from "@aws-sdk/client-ec2";
import { ErrorBox, Field, Loading } from "./components.tsx";
import { useLoad } from "./hooks.ts";
import type { Clients } from "./session.ts";

export interface VpcChoice {
  vpcId: string;
  subnetIds: string[];
  securityGroupIds: string[];
  ipv6: boolean;
}

const nameTag = (tags?: { Key?: string; Value?: string }[]) => tags?.find((t) => t.Key === "Name")?.Value;

export function isDualStack(s: Subnet): boolean {
  return Boolean(s.CidrBlock) && (s.Ipv6CidrBlockAssociationSet ?? []).some((a) => a.Ipv6CidrBlockState?.State === "associated" || a.Ipv6CidrBlockState?.State === undefined);
}

export function VpcChooser({ clients, value, onChange, idPrefix }: { clients: Clients; value: VpcChoice; onChange: (v: VpcChoice) => void; idPrefix: string }) {
  const vpcs = useLoad(() => clients.ec2.send(new DescribeVpcsCommand({})), [clients]);
  const vpcFilter = [{ Name: "vpc-id", Values: [value.vpcId] }];
  const subnets = useLoad(async () => (value.vpcId ? (await clients.ec2.send(new DescribeSubnetsCommand({ Filters: vpcFilter }))).Subnets ?? [] : []), [clients, value.vpcId]);
  const groups = useLoad(async () => (value.vpcId ? (await clients.ec2.send(new DescribeSecurityGroupsCommand({ Filters: vpcFilter }))).SecurityGroups ?? [] : []), [clients, value.vpcId]);

  const chosen = (subnets.data ?? []).filter((s) => value.subnetIds.includes(s.SubnetId!));
  const dualStack = chosen.length > 0 && chosen.every(isDualStack);
  const ipv6Reason =
    chosen.length === 0 ? "Choose subnets first." : dualStack ? undefined : "Available only when every chosen subnet is dual-stack (has both an IPv4 and an IPv6 CIDR block)."; // unverified wording
  const toggle = (list: string[], id: string, on: boolean) => (on ? [...list.filter((x) => x !== id), id] : list.filter((x) => x !== id));

  return (
    <div class="vpc-chooser">
      <Field label="VPC" id={`${idPrefix}-vpc`}>
        {vpcs.error ? <ErrorBox error={vpcs.error} /> : null}
        <select id={`${idPrefix}-vpc`} value={value.vpcId} onChange={(e) => onChange({ vpcId: e.currentTarget.value, subnetIds: [], securityGroupIds: [], ipv6: false })}>
          <option value="">Choose a VPC</option>
          {(vpcs.data?.Vpcs ?? []).map((v) => (
            <option key={v.VpcId} value={v.VpcId}>
              {v.VpcId} ({v.CidrBlock}){nameTag(v.Tags) ? ` | ${nameTag(v.Tags)}` : ""}
              {v.IsDefault ? " (default)" : ""}
            </option>
          ))}
        </select>
      </Field>
      {value.vpcId ? (
        <>
          <fieldset class="field" aria-describedby={`${idPrefix}-subnets-hint`}>
            <legend>Subnets</legend>
            <p class="hint" id={`${idPrefix}-subnets-hint`}>
              Choose subnets in at least two Availability Zones for high availability.
            </p>
            {subnets.error ? <ErrorBox error={subnets.error} /> : subnets.loading && !subnets.data ? <Loading what="subnets" /> : null}
            {(subnets.data ?? []).map((s) => {
              const ipv6 = (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).filter(Boolean);
              return (
                <label class="check" key={s.SubnetId}>
                  <input type="checkbox" checked={value.subnetIds.includes(s.SubnetId!)} onChange={(e) => onChange({ ...value, subnetIds: toggle(value.subnetIds, s.SubnetId!, e.currentTarget.checked), ipv6: false })} />
                  <span>
                    <code>{s.SubnetId}</code> ({s.AvailabilityZone}) {nameTag(s.Tags) ?? ""} · IPv4: {s.CidrBlock ?? "none"}
                    {ipv6.length ? ` · IPv6: ${ipv6.join(", ")}` : ""} · {s.AvailableIpAddressCount} IP addresses available
                  </span>
                </label>
              );
            })}
          </fieldset>
          <fieldset class="field">
            <legend>Security groups</legend>
            {groups.error ? <ErrorBox error={groups.error} /> : groups.loading && !groups.data ? <Loading what="security groups" /> : null}
            {(groups.data ?? []).map((g) => (
              <label class="check" key={g.GroupId}>
                <input type="checkbox" checked={value.securityGroupIds.includes(g.GroupId!)} onChange={(e) => onChange({ ...value, securityGroupIds: toggle(value.securityGroupIds, g.GroupId!, e.currentTarget.checked) })} />
                <span>
                  <code>{g.GroupId}</code> {g.GroupName} · {g.Description}
                </span>
              </label>
            ))}
          </fieldset>
          <label class="check">
            <input type="checkbox" checked={value.ipv6 && dualStack} disabled={!dualStack} aria-describedby={`${idPrefix}-ipv6-hint`} onChange={(e) => onChange({ ...value, ipv6: e.currentTarget.checked })} />
            <span>Allow IPv6 traffic for dual-stack subnets</span>
          </label>
          {ipv6Reason ? (
            <p class="hint" id={`${idPrefix}-ipv6-hint`}>
              {ipv6Reason}
            </p>
          ) : null}
        </>
      ) : null}
    </div>
  );
}
