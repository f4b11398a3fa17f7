// The Lambda service's state: plain JSON per account and region, kept in the store (snapshotted).
// Processes, timers, queues in flight and credentials live outside it and are rebuilt after a restart.
import { dict } from "../../core/dict.ts";
import type {
  Architecture,
  LastUpdateStatus,
  LastUpdateStatusReasonCode,
  LogFormat,
  State,
  StateReasonCode,
  TracingMode,
} from "@aws-sdk/client-lambda";

export const LATEST = "$LATEST";

/** The code of one version: content-addressed, the zip itself lives on disk (code-store.ts). */
export interface CodeRecord {
  /** base64 sha256 of the zip, as CodeSha256 shows it. */
  sha256: string;
  /** The same digest in hex: the file name on disk and in Code.Location. */
  sha256Hex: string;
  size: number;
}

/** One configuration: $LATEST or a published version. */
export interface VersionConfig {
  version: string;
  runtime: string;
  handler?: string;
  role: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment?: Record<string, string>;
  code: CodeRecord;
  lastModified: string;
  /** Changes on every modification of this configuration or its policy/tags (what clients see). */
  revisionId: string;
  /** Changes only when code or configuration change: environments are reused while it stays. */
  internalRevision: string;
  architectures: Architecture[];
  ephemeralStorage: number;
  tracingMode: TracingMode;
  logFormat: LogFormat;
  logGroup: string;
  applicationLogLevel?: string;
  systemLogLevel?: string;
  kmsKeyArn?: string;
  deadLetterTargetArn?: string;
  /**
   * VpcConfig with the VpcId Lambda derived; empty lists and vpcId "" once detached. The ENIs are
   * Hyperplane's (src/hyperplane), used by "<function ARN>:<version>".
   */
  vpcConfig?: { subnetIds: string[]; securityGroupIds: string[]; ipv6AllowedForDualStack?: boolean; vpcId?: string };
  /** Clock ms of the last invocation (or creation, update, publication, reactivation): a VPC function idle for long goes Inactive. */
  lastActivityAt?: number;
  // ---- written only by function-state.ts ----
  state: State;
  stateReason?: string;
  stateReasonCode?: StateReasonCode;
  lastUpdateStatus?: LastUpdateStatus;
  lastUpdateStatusReason?: string;
  lastUpdateStatusReasonCode?: LastUpdateStatusReasonCode;
}

export interface AliasRecord {
  name: string;
  functionVersion: string;
  description: string;
  /** version → weight (0..1): AdditionalVersionWeights */
  additionalVersionWeights?: Record<string, number>;
  revisionId: string;
}

/**
 * A resource-based policy, kept as the exact text IAM evaluates (its compile cache is keyed by
 * text). Its RevisionId is the one of the version or alias it belongs to, as in Lambda.
 */
export interface PolicyRecord {
  document: string;
}

/** What function-state.ts must see done before a transition completes (issue 6 adds ENI tasks). */
export interface TransitionRecord {
  /** create (and publish): Pending → Active; update: LastUpdateStatus InProgress → Successful; restore: Inactive → Pending (Restoring) → Active. */
  kind: "create" | "update" | "restore";
  /** Pending tasks by name, in order; done ones are removed. */
  tasks: string[];
  /** Failure reported by a task: the transition ends Failed with it. */
  failure?: { reasonCode: StateReasonCode & LastUpdateStatusReasonCode; reason: string };
  /** Clock ms before which the transition never completes (the minimum Pending / InProgress time). */
  readyAt: number;
  /** The configurations that move with it: "$LATEST" and/or a version published with it. */
  versions: string[];
  /** An update of an Inactive function that brings its ENIs back: it ends Active. */
  reactivates?: boolean;
}

export interface FunctionRecord {
  name: string;
  /** $LATEST as GetFunctionConfiguration shows it. */
  latest: VersionConfig;
  /** While an update is InProgress: the previous $LATEST, which keeps serving invocations. */
  serving?: VersionConfig;
  versions: Record<string, VersionConfig>;
  /** The last number handed out; numbers are never reused. */
  lastVersion: number;
  aliases: Record<string, AliasRecord>;
  tags: Record<string, string>;
  reservedConcurrency?: number;
  /** "" is the unqualified function ($LATEST); otherwise a version number or an alias name. */
  policies: Record<string, PolicyRecord>;
  /** Running transitions by the configuration they started on ("$LATEST" or a version). */
  transitions?: Record<string, TransitionRecord>;
  /** Asynchronous invocation settings by qualifier ("$LATEST", a version or an alias). */
  eventInvokeConfigs?: Record<string, EventInvokeConfigRecord>;
}

/** PutFunctionEventInvokeConfig's settings for one qualifier. */
export interface EventInvokeConfigRecord {
  maximumRetryAttempts?: number;
  maximumEventAgeInSeconds?: number;
  /** Clock ms. */
  lastModified: number;
}

/** An Event invocation waiting for its (next) attempt. */
export interface AsyncEventRecord {
  id: string;
  functionName: string;
  qualifier?: string;
  payload: string; // base64
  clientContext?: string;
  /** Attempts made so far (0, 1 or 2 before the last). */
  attempts: number;
  /** Clock ms of the next attempt. */
  dueAt: number;
  /** Clock ms when the event was accepted: events older than 6 hours are dropped. */
  acceptedAt: number;
}

export interface LambdaState {
  functions: Record<string, FunctionRecord>;
  asyncEvents: AsyncEventRecord[];
}

export function emptyState(): LambdaState {
  return { functions: dict(), asyncEvents: [] };
}

/** How long the state machine keeps functions Pending / updates InProgress (clock time). */
export interface LambdaTimings {
  /** CreateFunction: Pending → Active for a function without VPC. */
  createMs: number;
  /** Update*: InProgress → Successful. */
  updateMs: number;
  /** A VPC function not invoked for this long goes Inactive and its unused ENIs are reclaimed (AWS: weeks). */
  idleMs: number;
}

/**
 * Real AWS takes around a second for a non-VPC function; 100 ms of clock time keeps tests that
 * do not advance the clock quick while still showing Pending to anyone who looks at once.
 * `--realistic-timing` uses AWS's order of magnitude.
 */
export const FAST_TIMINGS: LambdaTimings = { createMs: 100, updateMs: 100, idleMs: 30 * 86_400_000 };
export const REALISTIC_TIMINGS: LambdaTimings = { createMs: 1_500, updateMs: 1_000, idleMs: 30 * 86_400_000 };

/** Limits from the Lambda quotas page. */
export const LIMITS = {
  syncPayloadBytes: 6_291_556, // "Request must be smaller than 6291556 bytes for the InvokeFunction operation"
  asyncPayloadBytes: 1_048_576,
  unzippedCodeBytes: 262_144_000,
  zippedCodeBytes: 52_428_800,
  totalCodeBytes: 80_530_636_800,
  envVarsBytes: 4096,
  maxTimeoutSec: 900,
  maxMemoryMb: 10_240,
  minUnreservedConcurrency: 100,
  maxTagsPerResource: 50,
  policyBytes: 20_480,
} as const;

/** The runtimes hyperlocal runs (src/runtime/runtime-families.ts). */
export const SUPPORTED_RUNTIMES = [
  "nodejs18.x",
  "nodejs20.x",
  "nodejs22.x",
  "python3.9",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "provided.al2",
  "provided.al2023",
] as const;

/** Runtimes AWS no longer accepts for new functions or updates. */
export const DEPRECATED_RUNTIMES = new Set([
  "nodejs",
  "nodejs4.3",
  "nodejs4.3-edge",
  "nodejs6.10",
  "nodejs8.10",
  "nodejs10.x",
  "nodejs12.x",
  "nodejs14.x",
  "nodejs16.x",
  "python2.7",
  "python3.6",
  "python3.7",
  "python3.8",
  "java8",
  "dotnetcore1.0",
  "dotnetcore2.0",
  "dotnetcore2.1",
  "dotnetcore3.1",
  "dotnet6",
  "go1.x",
  "ruby2.5",
  "ruby2.7",
  "provided",
]);

/** Lambda's LastModified format: 2024-01-01T00:00:00.000+0000 */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

export function functionArn(region: string, account: string, name: string, qualifier?: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}
