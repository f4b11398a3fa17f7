// The state as the API shows it, typed with the SDK's own shapes.
import type { AliasConfiguration, FunctionConfiguration, Runtime } from "@aws-sdk/client-lambda";
import type { FunctionLocation } from "./function-state.ts";
import { runtimeVersionArn } from "../../runtime/index.ts";
import { functionArn, type AliasRecord, type VersionConfig } from "./model.ts";

export interface RenderOptions {
  /** The qualifier the ARN shows: undefined for the unqualified function, "$LATEST", "3" or an alias. */
  arnQualifier?: string;
  /** ListFunctions leaves out the state fields and RuntimeVersionConfig (its documentation says to call GetFunction for them). */
  listing?: boolean;
}

export function toFunctionConfiguration(loc: FunctionLocation, cfg: VersionConfig, opts: RenderOptions = {}): FunctionConfiguration {
  const out: FunctionConfiguration = {
    FunctionName: loc.name,
    FunctionArn: functionArn(loc.region, loc.account, loc.name, opts.arnQualifier),
    Runtime: cfg.runtime as Runtime,
    Role: cfg.role,
    Handler: cfg.handler,
    CodeSize: cfg.code.size,
    Description: cfg.description,
    Timeout: cfg.timeout,
    MemorySize: cfg.memorySize,
    LastModified: cfg.lastModified,
    CodeSha256: cfg.code.sha256,
    Version: cfg.version,
  };
  if (cfg.handler === undefined) delete out.Handler;
  if (cfg.vpcConfig) {
    out.VpcConfig = {
      SubnetIds: [...cfg.vpcConfig.subnetIds],
      SecurityGroupIds: [...cfg.vpcConfig.securityGroupIds],
      Ipv6AllowedForDualStack: cfg.vpcConfig.ipv6AllowedForDualStack ?? false,
      VpcId: cfg.vpcConfig.vpcId ?? "",
    };
  }
  if (cfg.deadLetterTargetArn) out.DeadLetterConfig = { TargetArn: cfg.deadLetterTargetArn };
  if (cfg.environment) out.Environment = { Variables: { ...cfg.environment } };
  if (cfg.kmsKeyArn) out.KMSKeyArn = cfg.kmsKeyArn;
  out.TracingConfig = { Mode: cfg.tracingMode };
  out.RevisionId = cfg.revisionId;
  if (!opts.listing) {
    out.State = cfg.state;
    if (cfg.stateReason !== undefined) out.StateReason = cfg.stateReason;
    if (cfg.stateReasonCode !== undefined) out.StateReasonCode = cfg.stateReasonCode;
    if (cfg.lastUpdateStatus !== undefined) out.LastUpdateStatus = cfg.lastUpdateStatus;
    if (cfg.lastUpdateStatusReason !== undefined) out.LastUpdateStatusReason = cfg.lastUpdateStatusReason;
    if (cfg.lastUpdateStatusReasonCode !== undefined) out.LastUpdateStatusReasonCode = cfg.lastUpdateStatusReasonCode;
  }
  out.PackageType = "Zip";
  out.Architectures = [...cfg.architectures];
  out.EphemeralStorage = { Size: cfg.ephemeralStorage };
  out.SnapStart = { ApplyOn: "None", OptimizationStatus: "Off" };
  if (!opts.listing) out.RuntimeVersionConfig = { RuntimeVersionArn: runtimeVersionArn(cfg.runtime, loc.region) };
  out.LoggingConfig = { LogFormat: cfg.logFormat, LogGroup: cfg.logGroup };
  if (cfg.applicationLogLevel) out.LoggingConfig.ApplicationLogLevel = cfg.applicationLogLevel as never;
  if (cfg.systemLogLevel) out.LoggingConfig.SystemLogLevel = cfg.systemLogLevel as never;
  return out;
}

export function toAliasConfiguration(loc: FunctionLocation, a: AliasRecord): AliasConfiguration {
  const out: AliasConfiguration = {
    AliasArn: functionArn(loc.region, loc.account, loc.name, a.name),
    Name: a.name,
    FunctionVersion: a.functionVersion,
    Description: a.description,
    RevisionId: a.revisionId,
  };
  if (a.additionalVersionWeights && Object.keys(a.additionalVersionWeights).length > 0) {
    out.RoutingConfig = { AdditionalVersionWeights: { ...a.additionalVersionWeights } };
  }
  return out;
}
