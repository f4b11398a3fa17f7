// How the Stacks pages read CloudFormation statuses: which badge colour, whether to poll fast,
// where a resource's physical ID leads inside the console, and how times are shown.

/** A stack, resource or event status as a badge tone (the classes of `.badge` in styles.css). */
export function stackTone(status: string | undefined): string {
  if (!status) return "";
  if (status.endsWith("_IN_PROGRESS")) return "busy";
  if (status.endsWith("_FAILED") || status.includes("ROLLBACK")) return "bad";
  if (status === "DELETE_COMPLETE" || status === "DELETE_SKIPPED") return "idle";
  if (status.endsWith("_COMPLETE")) return "ok";
  return "";
}

/** Something is still changing: poll fast, as the functions list does while a function is Pending. */
export const isStackBusy = (status: string | undefined) => Boolean(status?.endsWith("_IN_PROGRESS"));

/** The console's own page for a stack's resource, where it has one (and the resource still exists). */
export function resourceHref(type: string | undefined, physicalId: string | undefined, status: string | undefined): string | undefined {
  if (!physicalId || status === "DELETE_COMPLETE") return undefined;
  if (type === "AWS::Lambda::Function") return `#/functions/${encodeURIComponent(physicalId)}`;
  if (type === "AWS::EC2::VPC") return `#/vpc/${encodeURIComponent(physicalId)}`;
  return undefined;
}

/** "2026-12-05 02:15:03 UTC": the simulated clock's time, as the header shows it. */
export function formatTime(d: Date | undefined): string {
  return d ? `${d.toISOString().replace("T", " ").slice(0, 19)} UTC` : "–";
}
