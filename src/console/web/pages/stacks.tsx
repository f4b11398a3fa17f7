// PLACEHOLDER for issue 13 item 7 (Stacks: stacks, their events and resources). It is built once
// the CloudFormation service lands; the nav shows this entry only when /_hyperlocal/health lists
// "cloudformation". Not implemented here on purpose.
export function StacksPage() {
  return (
    <section aria-labelledby="stacks-title">
      <h1 id="stacks-title">Stacks</h1>
      <p>The CloudFormation service is running, but the console's Stacks pages are not built yet.</p>
    </section>
  );
}
