import type { ResourceProvider } from "./types.ts";
import { specSchema } from "../spec/resource-spec.ts";

/** A handle is only a URL to signal; nothing is created in another service. */
export const waitConditionHandleProvider: ResourceProvider = {
  type: "AWS::CloudFormation::WaitConditionHandle",
  schema: specSchema("AWS::CloudFormation::WaitConditionHandle"),
  async create(ctx) {
    const url = `https://cloudformation-waitcondition-${ctx.region}.s3.amazonaws.com/${encodeURIComponent(ctx.stackId)}/${ctx.logicalId}`;
    return { physicalId: url, attributes: {} };
  },
  async update(_ctx, id, _p, _o, attrs) {
    return { physicalId: id, attributes: attrs };
  },
  async delete() {},
};
