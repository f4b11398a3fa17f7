import type { Clock } from "../../../core/clock.ts";
import { uuid } from "../../../core/ids.ts";
import type { StackRec } from "../state.ts";

/** Append an event (DescribeStackEvents shows them newest first) and set the status it reports. */
export function stackEvent(clock: Clock, stack: StackRec, status: string, reason?: string): void {
  stack.status = status;
  if (reason !== undefined) stack.statusReason = reason;
  else delete stack.statusReason;
  stack.events.push({ eventId: uuid(), logicalId: stack.stackName, physicalId: stack.stackId, type: "AWS::CloudFormation::Stack", timestamp: clock.now(), status, ...(reason ? { reason } : {}) });
}

export function resourceEvent(
  clock: Clock,
  stack: StackRec,
  r: { logicalId: string; type: string; physicalId?: string },
  status: string,
  reason?: string,
  properties?: unknown,
): void {
  stack.events.push({
    eventId: `${r.logicalId}-${status}-${new Date(clock.now()).toISOString()}-${uuid().slice(0, 8)}`,
    logicalId: r.logicalId,
    physicalId: r.physicalId ?? "",
    type: r.type,
    timestamp: clock.now(),
    status,
    ...(reason ? { reason } : {}),
    ...(properties !== undefined ? { properties: JSON.stringify(properties) } : {}),
  });
}
