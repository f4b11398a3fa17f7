/** The sharing key: the same subnet, the same set of groups (order does not matter) and the same IPv6 choice. */
export function comboKey(subnetId: string, groupIds: string[], ipv6: boolean): string {
  return `${subnetId}|${[...new Set(groupIds)].sort().join(",")}|${ipv6 ? "v6" : "v4"}`;
}
