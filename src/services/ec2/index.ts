// Placeholder until the EC2 service lands: it answers every action with InvalidAction.
import { AwsError } from "../../core/aws-error.ts";
import { denialMessage } from "../../core/authorization.ts";
import type { ServiceDefinition } from "../../gateway/service-definition.ts";
import { renderEc2Error } from "../../protocol/ec2-query/codec.ts";
import { queryDispatcher } from "../../protocol/query/dispatch.ts";
import { EC2_XMLNS } from "../../protocol/ec2-query/codec.ts";
import type { ServiceDeps } from "../service-deps.ts";

export function createEc2Service(_deps: ServiceDeps): { service: ServiceDefinition } {
  const dispatch = queryDispatcher({ protocol: "ec2-query", version: "2016-11-15", xmlns: EC2_XMLNS, operations: {} });
  return {
    service: {
      signingName: "ec2",
      protocol: "ec2-query",
      maxBodyBytes: 2 * 1024 * 1024,
      handle: dispatch,
      renderError: renderEc2Error,
      accessDenied: (p, a, r, d) => new AwsError("UnauthorizedOperation", 403, `You are not authorized to perform this operation. ${denialMessage(p, a, r, d)}`),
    },
  };
}
