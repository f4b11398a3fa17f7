// The AWS::Serverless-2016-10-31 (SAM) transform, registered with CloudFormation's pipeline.
export { samTransform, SAM_TRANSFORM } from "./transform.ts";
