import type { Principal } from "../../core/principal.ts";
import type { Json, JsonObject } from "./template/parse.ts";

export type Tag = { Key: string; Value: string };

/** One resource of a stack, as DescribeStackResources shows it. */
export interface StackResourceRec {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: string;
  statusReason?: string;
  /** The properties last applied (resolved). */
  properties: JsonObject;
  attributes: Record<string, Json>;
  lastUpdated: number;
  deletionPolicy: string;
  updateReplacePolicy: string;
  metadata?: Json;
}

export interface StackEventRec {
  eventId: string;
  logicalId: string;
  physicalId: string;
  type: string;
  timestamp: number;
  status: string;
  reason?: string;
  properties?: string;
  token?: string;
}

export interface OutputRec {
  key: string;
  value: string;
  description?: string;
  exportName?: string;
}

/** What a stack was made of: the template as sent, as processed, and its parameter values. */
export interface StackDefinition {
  templateBody: string;
  /** After transforms (the SAM issue adds them): GetTemplate's Processed stage. */
  processed: JsonObject;
  parameters: Record<string, string>;
  noEcho: string[];
  capabilities: string[];
  roleArn?: string;
  tags: Tag[];
  notificationArns: string[];
  description?: string;
}

export interface StackRec {
  stackId: string;
  stackName: string;
  account: string;
  region: string;
  status: string;
  statusReason?: string;
  creationTime: number;
  lastUpdatedTime?: number;
  deletionTime?: number;
  def: StackDefinition;
  /** The definition being replaced by an update in progress (for rollback and cleanup). */
  previous?: StackDefinition;
  disableRollback: boolean;
  /** OnFailure DELETE: a failed create deletes the stack after its rollback. */
  onFailure?: "DELETE";
  terminationProtection: boolean;
  outputs: OutputRec[];
  resources: Record<string, StackResourceRec>;
  /** Old physical resources replaced by an update, deleted in its cleanup phase. */
  replaced: StackResourceRec[];
  events: StackEventRec[];
  /** Who acts for the stack when it has no role: the caller of the last stack operation. */
  principal: Principal;
  sourceIp: string;
  changeSetId?: string;
  /** Export names this stack imports (Fn::ImportValue), for ListImports and delete protection. */
  imports: string[];
  /** Set when an operation is cancelled (CancelUpdateStack). */
  cancelRequested?: boolean;
  /** An update in progress (UPDATE_IN_PROGRESS): what it has changed so far, stored so it resumes after a restart. */
  updating?: UpdateProgress;
  /**
   * What an update rollback still has to do: while it runs (so it resumes after a restart), and
   * after UPDATE_ROLLBACK_FAILED, for ContinueUpdateRollback.
   */
  pendingRollback?: PendingRollback;
}

/** One change an update made, undone by its rollback. */
export interface JournalEntry {
  id: string;
  kind: "created" | "updated" | "replaced";
  before: StackResourceRec;
  /** Recorded before the change is made, cleared once it is: a restart finds it unfinished. */
  pending?: boolean;
  /** A replacement being made: the new resource, its physical id recorded as soon as its create call returns. */
  fresh?: StackResourceRec;
}

export interface UpdateProgress {
  /** The changes made (or being made), oldest first. */
  journal: JournalEntry[];
  /** Resources whose update or create failed. */
  failed: string[];
  /** The stack's imports before the update, put back by a rollback. */
  oldImports: string[];
}

export interface PendingRollback {
  /** Changes still to undo, in the order they are undone (newest first). */
  steps: JournalEntry[];
  /** Physical resources the update created, deleted once the undo is done. */
  toDelete: StackResourceRec[];
  /** Resources whose update failed (before changing anything). */
  failed: string[];
  /** ContinueUpdateRollback's ResourcesToSkip. */
  skip?: string[];
}

export interface ChangeRec {
  action: "Add" | "Modify" | "Remove";
  logicalId: string;
  physicalId?: string;
  type: string;
  replacement?: "True" | "False" | "Conditional";
  scope: string[];
  details: Array<{ name: string; requiresRecreation: string; changeSource: string; evaluation: string }>;
}

export interface ChangeSetRec {
  id: string;
  name: string;
  stackId: string;
  stackName: string;
  type: "CREATE" | "UPDATE" | "IMPORT";
  status: string;
  statusReason?: string;
  executionStatus: string;
  creationTime: number;
  description?: string;
  def: StackDefinition;
  changes: ChangeRec[];
  disableRollback?: boolean;
}

export interface ExportRec {
  name: string;
  value: string;
  stackId: string;
}

export interface CfnState {
  stacks: Record<string, StackRec>;
  /** Live stack name → stack id. */
  names: Record<string, string>;
  changeSets: Record<string, ChangeSetRec>;
  exports: Record<string, ExportRec>;
}

export function initialCfnState(): CfnState {
  return { stacks: Object.create(null), names: Object.create(null), changeSets: Object.create(null), exports: Object.create(null) };
}

/** Status values in which a stack is busy. */
export function inProgress(status: string): boolean {
  return status.endsWith("_IN_PROGRESS");
}
