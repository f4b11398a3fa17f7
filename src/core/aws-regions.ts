// The public AWS Regions hyperlocal knows, in one table: the order EC2's DescribeRegions lists them
// in, their names as AWS shows them (DescribeAvailabilityZones' GroupLongName), and each one's slot
// in the block of AWS service addresses (aws-service-addresses.ts: slot r owns 192.0.2.(16r)/28).

export interface AwsRegion {
  readonly name: string;
  readonly longName: string;
  readonly addressSlot: number;
}

export const AWS_REGIONS: readonly AwsRegion[] = Object.freeze(
  (
    [
      ["us-east-1", "US East (N. Virginia)", 0],
      ["us-east-2", "US East (Ohio)", 1],
      ["us-west-1", "US West (N. California)", 2],
      ["us-west-2", "US West (Oregon)", 3],
      ["ca-central-1", "Canada (Central)", 4],
      ["eu-west-1", "Europe (Ireland)", 5],
      ["eu-west-2", "Europe (London)", 6],
      ["eu-west-3", "Europe (Paris)", 7],
      ["eu-central-1", "Europe (Frankfurt)", 8],
      ["eu-north-1", "Europe (Stockholm)", 9],
      ["ap-south-1", "Asia Pacific (Mumbai)", 14],
      ["ap-northeast-1", "Asia Pacific (Tokyo)", 10],
      ["ap-northeast-2", "Asia Pacific (Seoul)", 11],
      ["ap-southeast-1", "Asia Pacific (Singapore)", 12],
      ["ap-southeast-2", "Asia Pacific (Sydney)", 13],
      ["sa-east-1", "South America (Sao Paulo)", 15],
    ] as const
  ).map(([name, longName, addressSlot]) => Object.freeze({ name, longName, addressSlot })),
);

const BY_NAME = new Map(AWS_REGIONS.map((r) => [r.name, r]));

/** The Region of that name, or undefined for one hyperlocal does not know (a Map: no prototype names). */
export function awsRegion(name: string): AwsRegion | undefined {
  return BY_NAME.get(name);
}
