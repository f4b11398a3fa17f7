import type { CfnTargets } from "../caller.ts";
import type { ResourceProvider } from "../providers/types.ts";
import type { Json } from "../template/parse.ts";

/**
 * CloudFormation's own tags on what a stack creates: aws:cloudformation:stack-name, stack-id and
 * logical-id (AWS's "CloudFormation resource tagging" page). Only AWS may set aws: keys, so they go
 * through the services' internal interface. EC2 resources and Lambda functions carry them; IAM
 * refuses the aws: prefix and gets only the stack's own tags.
 */
export function addStackTags(
  targets: Pick<CfnTargets, "serviceTags">,
  provider: ResourceProvider,
  stack: { account: string; region: string; stackName: string; stackId: string },
  logicalId: string,
  physicalId: string,
  attributes: Record<string, Json>,
): void {
  if (!provider.schema.tagged) return;
  const tags = { "aws:cloudformation:stack-name": stack.stackName, "aws:cloudformation:stack-id": stack.stackId, "aws:cloudformation:logical-id": logicalId };
  if (provider.type.startsWith("AWS::EC2::")) {
    // An Elastic IP's physical id is its address; its tags live on the allocation.
    const id = typeof attributes.AllocationId === "string" ? attributes.AllocationId : physicalId;
    targets.serviceTags("ec2", stack.account, stack.region, id, tags);
  } else if (provider.type === "AWS::Lambda::Function") {
    targets.serviceTags("lambda", stack.account, stack.region, physicalId, tags);
  }
}
