// Public and compiled types of the policy engine. No logic here.

export type PolicyKind = "identity" | "resource" | "trust" | "boundary" | "session";
export type Effect = "Allow" | "Deny";
export type ContextValue = string | string[];
export type Context = Record<string, ContextValue>;

export interface Position {
  line: number;
  column: number;
}

export interface EvaluationRequest {
  /** "lambda:CreateFunction"; matched case-insensitively. */
  action: string;
  /** The resource ARN, or "*". */
  resource: string;
  /** The caller: user, role, assumed-role session or account root ARN; or a service name such as "lambda.amazonaws.com". */
  principalArn: string;
  /** The caller's account; derived from principalArn when absent. */
  principalAccount?: string;
  /** Set when a service is the caller (trust policies): "lambda.amazonaws.com". */
  principalService?: string;
  /** Condition keys as given (any case). */
  context: Context;
}

export interface EvaluationInput {
  request: EvaluationRequest;
  identityPolicies: CompiledPolicy[];
  /** An empty array means "no boundary". */
  boundaryPolicies?: CompiledPolicy[];
  /** An empty array means "no session policy". */
  sessionPolicies?: CompiledPolicy[];
  resourcePolicy?: CompiledPolicy;
  /** Default true. */
  sameAccount?: boolean;
  explain?: boolean;
}

export type PolicyTypePhrase = "identity-based policy" | "permissions boundary" | "session policy" | "resource-based policy" | "VPC endpoint policy";

export interface MatchedStatement {
  policyId: string;
  policyType: PolicyKind;
  sid?: string;
  /** 0-based position of the statement in the policy's Statement list. */
  index: number;
  effect: Effect;
  /** 1-based line and column of the statement's opening brace. */
  start?: Position;
  /** 1-based line and the column just after the statement's closing brace. */
  end?: Position;
}

export interface ExplainCondition {
  operator: string;
  key: string;
  policyValues: readonly string[];
  /** The request's value, undefined when the key is absent. */
  requestValue: ContextValue | undefined;
  matched: boolean;
  reason: string;
}

export interface ExplainEntry {
  policyId: string;
  policyType: PolicyKind;
  sid?: string;
  index: number;
  effect: Effect;
  /** True when action, resource, principal and every condition matched. */
  matched: boolean;
  actionMatched: boolean;
  resourceMatched: boolean;
  /** null for policies without Principal (identity, boundary, session). */
  principalMatched: boolean | null;
  conditions: ExplainCondition[];
  /** One line saying why the statement did or did not apply. */
  reason: string;
}

export interface EvaluationResult {
  decision: "Allowed" | "ExplicitDeny" | "ImplicitDeny";
  deniedBy?: PolicyTypePhrase;
  matched: MatchedStatement[];
  missingContextKeys: string[];
  explain?: ExplainEntry[];
}

// ---- compiled internals ----

/** Condition key value resolved for one evaluation: undefined when absent. */
export type ResolvedValue = ContextValue | undefined;

/** Tests one request value against all of a condition's policy values (OR); never negated. */
export type ValueTest = (value: string, ctx: Context) => boolean;

export interface CompiledCondition {
  /** As written, e.g. "ForAnyValue:StringNotEqualsIfExists". */
  readonly operator: string;
  /** As written in the policy. */
  readonly key: string;
  readonly lowerKey: string;
  /** Index into the statement's key list. */
  readonly keyIndex: number;
  readonly values: readonly string[];
  /** 0: single-valued, 1: ForAllValues, 2: ForAnyValue. */
  readonly set: 0 | 1 | 2;
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** 0 for operators other than Null. For Null: bit 4 always set; bit 1 = "true" listed (absent key matches), bit 2 = "false" listed (present key matches). */
  readonly nullCheck: number;
  readonly test: ValueTest;
}

export interface ConditionKeyRef {
  readonly key: string;
  readonly lower: string;
}

/** Principal match strength; see principal.ts for what each grants. */
export type PrincipalLevel = 0 | 1 | 2 | 3;

export interface PrincipalRequest {
  principalArn: string;
  principalAccount?: string;
  principalService?: string;
}

export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  /** Takes the lowercased action. */
  readonly matchAction: (lowerAction: string) => boolean;
  readonly matchResource: (resource: string, ctx: Context) => boolean;
  /** null when the policy kind has no Principal element. */
  readonly matchPrincipal: ((req: PrincipalRequest) => PrincipalLevel) | null;
  readonly conditions: readonly CompiledCondition[];
  /** Unique condition keys (case-insensitively) used by the conditions. */
  readonly keys: readonly ConditionKeyRef[];
  /** Keys named by policy variables in Resource/NotResource and condition values. */
  readonly variableKeys: readonly ConditionKeyRef[];
  /** Shared, frozen record reported when the statement matches. */
  readonly record: MatchedStatement;
  /** The statement's elements as parsed, for explain output. */
  readonly source: ParsedStatement;
}

export interface CompiledPolicy {
  readonly id: string;
  readonly type: PolicyKind;
  /** The parsed JSON document. */
  readonly document: unknown;
  readonly version: "2012-10-17" | "2008-10-17";
  readonly statements: readonly CompiledStatement[];
  readonly denies: readonly CompiledStatement[];
  readonly allows: readonly CompiledStatement[];
}

// ---- parsed (validated, not compiled) ----

export type ParsedPrincipal = "*" | { readonly [type: string]: readonly string[] };

export interface ParsedCondition {
  readonly operator: string;
  readonly key: string;
  readonly values: readonly string[];
}

export interface ParsedStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: Effect;
  readonly action?: readonly string[];
  readonly notAction?: readonly string[];
  readonly resource?: readonly string[];
  readonly notResource?: readonly string[];
  readonly principal?: ParsedPrincipal;
  readonly notPrincipal?: ParsedPrincipal;
  readonly conditions: readonly ParsedCondition[];
  readonly start?: Position;
  readonly end?: Position;
}

export interface ParsedPolicy {
  readonly version: "2012-10-17" | "2008-10-17";
  readonly id?: string;
  readonly statements: readonly ParsedStatement[];
  readonly document: unknown;
}
