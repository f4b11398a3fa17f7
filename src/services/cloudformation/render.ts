import type { Change, ChangeSetSummary, Export, Output, Parameter, Stack, StackEvent, StackResource, StackResourceSummary, StackSummary, Tag as SdkTag } from "@aws-sdk/client-cloudformation";
import type { OutputObject } from "../../core/output-tree.ts";
import type { ChangeSetRec, StackDefinition, StackEventRec, StackRec, StackResourceRec } from "./state.ts";

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** SDK shapes with dates as the ISO text the wire carries. */
type Wire<T> = { [K in keyof T]?: T[K] extends Date | undefined ? string : T[K] extends Array<infer U> | undefined ? Array<Wire<U>> : T[K] extends object | undefined ? Wire<T[K]> : T[K] };

export function parametersView(def: StackDefinition): Wire<Parameter>[] {
  return Object.entries(def.parameters).map(([k, v]) => ({ ParameterKey: k, ParameterValue: def.noEcho.includes(k) ? "****" : v }));
}

export function stackView(s: StackRec): OutputObject {
  const v: Wire<Stack> = {
    StackId: s.stackId,
    StackName: s.stackName,
    ChangeSetId: s.changeSetId,
    Description: s.def.description,
    Parameters: parametersView(s.def),
    CreationTime: iso(s.creationTime),
    DeletionTime: iso(s.deletionTime),
    LastUpdatedTime: iso(s.lastUpdatedTime),
    RollbackConfiguration: {},
    StackStatus: s.status as Stack["StackStatus"],
    StackStatusReason: s.statusReason,
    DisableRollback: s.disableRollback,
    NotificationARNs: s.def.notificationArns,
    Capabilities: s.def.capabilities as Stack["Capabilities"],
    Outputs: s.outputs.map((o): Wire<Output> => ({ OutputKey: o.key, OutputValue: o.value, Description: o.description, ExportName: o.exportName })),
    RoleARN: s.def.roleArn,
    Tags: s.def.tags.map((t): Wire<SdkTag> => ({ Key: t.Key, Value: t.Value })),
    EnableTerminationProtection: s.terminationProtection,
    DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
  };
  return v as OutputObject;
}

export function stackSummaryView(s: StackRec): OutputObject {
  const v: Wire<StackSummary> = {
    StackId: s.stackId,
    StackName: s.stackName,
    TemplateDescription: s.def.description,
    CreationTime: iso(s.creationTime),
    LastUpdatedTime: iso(s.lastUpdatedTime),
    DeletionTime: iso(s.deletionTime),
    StackStatus: s.status as StackSummary["StackStatus"],
    StackStatusReason: s.statusReason,
    DriftInformation: { StackDriftStatus: "NOT_CHECKED" },
  };
  return v as OutputObject;
}

export function eventView(s: StackRec, e: StackEventRec): OutputObject {
  const v: Wire<StackEvent> = {
    StackId: s.stackId,
    EventId: e.eventId,
    StackName: s.stackName,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId,
    ResourceType: e.type,
    Timestamp: iso(e.timestamp),
    ResourceStatus: e.status as StackEvent["ResourceStatus"],
    ResourceStatusReason: e.reason,
    ResourceProperties: e.properties,
    ClientRequestToken: e.token,
  };
  return v as OutputObject;
}

export function resourceView(s: StackRec, r: StackResourceRec): OutputObject {
  const v: Wire<StackResource> = {
    StackName: s.stackName,
    StackId: s.stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    Timestamp: iso(r.lastUpdated),
    ResourceStatus: r.status as StackResource["ResourceStatus"],
    ResourceStatusReason: r.statusReason,
    DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" },
  };
  return v as OutputObject;
}

export function resourceDetailView(s: StackRec, r: StackResourceRec): OutputObject {
  return { ...resourceView(s, r), LastUpdatedTimestamp: iso(r.lastUpdated), Timestamp: undefined, Metadata: r.metadata === undefined ? undefined : JSON.stringify(r.metadata) };
}

export function resourceSummaryView(r: StackResourceRec): OutputObject {
  const v: Wire<StackResourceSummary> = {
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    LastUpdatedTimestamp: iso(r.lastUpdated),
    ResourceStatus: r.status as StackResourceSummary["ResourceStatus"],
    ResourceStatusReason: r.statusReason,
    DriftInformation: { StackResourceDriftStatus: "NOT_CHECKED" },
  };
  return v as OutputObject;
}

export function changeView(c: ChangeSetRec["changes"][number]): OutputObject {
  const v: Wire<Change> = {
    Type: "Resource",
    ResourceChange: {
      Action: c.action,
      LogicalResourceId: c.logicalId,
      PhysicalResourceId: c.physicalId,
      ResourceType: c.type,
      Replacement: c.replacement,
      Scope: c.scope as never,
      Details: c.details.map((d) => ({ Target: { Attribute: "Properties", Name: d.name, RequiresRecreation: d.requiresRecreation as never }, Evaluation: d.evaluation as never, ChangeSource: d.changeSource as never })),
    },
  };
  return v as OutputObject;
}

export function changeSetSummaryView(cs: ChangeSetRec): OutputObject {
  const v: Wire<ChangeSetSummary> = {
    StackId: cs.stackId,
    StackName: cs.stackName,
    ChangeSetId: cs.id,
    ChangeSetName: cs.name,
    ExecutionStatus: cs.executionStatus as ChangeSetSummary["ExecutionStatus"],
    Status: cs.status as ChangeSetSummary["Status"],
    StatusReason: cs.statusReason,
    CreationTime: iso(cs.creationTime),
    Description: cs.description,
    IncludeNestedStacks: false,
  };
  return v as OutputObject;
}

export function exportView(e: { name: string; value: string; stackId: string }): OutputObject {
  const v: Wire<Export> = { ExportingStackId: e.stackId, Name: e.name, Value: e.value };
  return v as OutputObject;
}

export { iso };
