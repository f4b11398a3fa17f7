// Public surface of the reachability model: compile a snapshot once, evaluate flows many times.
// Pure: no I/O, no clock, no state between calls.
export { compileSnapshot } from "./compile.ts";
export { evaluate } from "./evaluate.ts";
export type { CompiledSnapshot } from "./compiled-types.ts";
export { AWS_SERVICE_ADDRESS_BLOCK, awsServiceAddress, awsServiceAt, awsServiceForName, awsServicePathAdvice } from "./aws-services.ts";
export type {
  AwsServiceArrival,
  CheckId,
  CompileOptions,
  ExplanationCode,
  Flow,
  Hop,
  HopKind,
  NetSnapshot,
  Reason,
  RouteTarget,
  SgRule,
  Target,
  Verdict,
  VerdictKind,
  VpcEndpointInput,
} from "./types.ts";
