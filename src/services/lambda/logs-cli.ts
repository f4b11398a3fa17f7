// `hyperlocal logs <function> [--follow]`: prints a function's log lines from a running server's
// admin API (GET /_hyperlocal/logs/<function>), and with --follow keeps printing new ones.
export const LOGS_USAGE = `usage: hyperlocal logs <function> [--follow] [--endpoint-url URL] [--region R] [--account A] [--admin-token T]
  the server is http://127.0.0.1:4566 unless --endpoint-url or HYPERLOCAL_ENDPOINT says otherwise;
  a server that needs the admin token gets it from --admin-token or HYPERLOCAL_ADMIN_TOKEN`;

interface LogsArgs {
  fn: string;
  follow: boolean;
  endpoint: string;
  region?: string;
  account?: string;
  adminToken?: string;
}

function parse(args: string[], env: NodeJS.ProcessEnv): LogsArgs | string {
  let fn: string | undefined;
  let follow = false;
  let endpoint = env.HYPERLOCAL_ENDPOINT || "http://127.0.0.1:4566";
  let region: string | undefined;
  let account: string | undefined;
  let adminToken = env.HYPERLOCAL_ADMIN_TOKEN || undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith("--") && a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--follow" || flag === "-f") follow = true;
    else if (flag === "--endpoint-url" || flag === "--endpoint") endpoint = value() ?? "";
    else if (flag === "--region") region = value();
    else if (flag === "--account") account = value();
    else if (flag === "--admin-token") adminToken = value();
    else if (a.startsWith("-")) return `unknown option: ${a}`;
    else if (fn === undefined) fn = a;
    else return `unexpected argument: ${a}`;
  }
  if (!fn) return "which function? give its name or ARN";
  if (!endpoint) return "--endpoint-url needs a value";
  return { fn, follow, endpoint: endpoint.replace(/\/+$/, ""), region, account, ...(adminToken ? { adminToken } : {}) };
}

interface LogsPage {
  events: { message: string }[];
  next: number;
}

async function fetchPage(a: LogsArgs, since: number): Promise<LogsPage> {
  const q = new URLSearchParams({ since: String(since) });
  if (a.region) q.set("region", a.region);
  if (a.account) q.set("account", a.account);
  const res = await fetch(`${a.endpoint}/_hyperlocal/logs/${encodeURIComponent(a.fn)}?${q}`, a.adminToken ? { headers: { "x-hyperlocal-admin-token": a.adminToken } } : {});
  const body = (await res.json().catch(() => ({}))) as Partial<LogsPage> & { error?: string };
  if (res.status !== 200) throw new Error(body.error ?? `the server answered ${res.status}`);
  return { events: body.events ?? [], next: body.next ?? since };
}

/** Returns the exit code. With --follow it only returns on an error. */
export async function runLogsCommand(args: string[], env: NodeJS.ProcessEnv, out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  const a = parse(args, env);
  if (typeof a === "string") {
    err.write(`hyperlocal logs: ${a}\n${LOGS_USAGE}\n`);
    return 2;
  }
  let since = 0;
  for (;;) {
    let page: LogsPage;
    try {
      page = await fetchPage(a, since);
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code;
      err.write(`hyperlocal logs: ${cause === "ECONNREFUSED" ? `no server at ${a.endpoint}` : (e as Error).message}\n`);
      return 1;
    }
    for (const e of page.events) out.write(`${e.message}\n`);
    since = page.next;
    if (!a.follow) return 0;
    await new Promise((r) => setTimeout(r, 1000));
  }
}
