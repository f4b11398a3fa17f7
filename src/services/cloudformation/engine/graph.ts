/**
 * Run tasks in dependency order: each starts once everything it needs has succeeded; independent
 * tasks run concurrently. After a failure nothing new starts (unless keepGoing); running tasks finish.
 */
export async function runGraph(
  ids: string[],
  needs: (id: string) => string[],
  run: (id: string) => Promise<boolean>,
  keepGoing = false,
): Promise<{ failed: string[]; done: string[]; notStarted: string[] }> {
  const set = new Set(ids);
  const done = new Set<string>();
  const started = new Set<string>();
  const failed: string[] = [];
  return new Promise((resolve) => {
    let running = 0;
    const pump = () => {
      // keepGoing (deletion): tasks whose inputs failed never start; the others go on.
      if (failed.length === 0 || keepGoing) {
        for (const id of ids) {
          if (started.has(id)) continue;
          if (!needs(id).every((n) => !set.has(n) || done.has(n))) continue;
          started.add(id);
          running++;
          run(id)
            .catch(() => false)
            .then((ok) => {
              running--;
              if (ok) done.add(id);
              else failed.push(id);
              pump();
            });
        }
      }
      if (running === 0) resolve({ failed, done: [...done], notStarted: ids.filter((id) => !started.has(id)) });
    };
    pump();
  });
}

/** Everything `id` needs, directly or not. */
export function ancestors(id: string, needs: (id: string) => string[]): Set<string> {
  const out = new Set<string>();
  const stack = [...needs(id)];
  while (stack.length) {
    const n = stack.pop()!;
    if (out.has(n)) continue;
    out.add(n);
    stack.push(...needs(n));
  }
  return out;
}

/** The reverse graph: for deletion, a resource goes after everything that needs it. */
export function reverse(ids: string[], needs: (id: string) => string[]): (id: string) => string[] {
  const users = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const id of ids) for (const n of needs(id)) users.get(n)?.push(id);
  return (id) => users.get(id) ?? [];
}
