// Confinement of function code (Linux, util-linux). Each runtime process gets:
//  - a private mount view, built by a root-in-namespace step before it starts: tmpfs over every
//    protected path (the state directory, the code store with every function's code, the runtime's
//    work root with every environment's /tmp), then its own code directory bound back read-only and
//    its own /tmp bound back writable, then every other mount remounted read-only (as in Lambda, only
//    /tmp is writable);
//  - a user namespace of its own, created after that view, so every mount is locked: the function
//    cannot unmount the covers or remount its code writable, even as "root";
//  - a PID namespace with its own /proc: the server's /proc/<pid> (environ, cmdline, fd) and other
//    functions' processes do not exist there (and ptrace checks across user namespaces refuse them);
//  - when the server is real root: the unprivileged uid 65534 (nobody) on this machine, so files
//    outside its view that root owns are not its own either. Inside it is uid 993 (as Lambda's
//    sbx_user1051), gid 990.
// "mounts" mode (inside a user namespace that maps only one uid, as `npm test` under `unshare -rnm`):
// everything above except the uid change. "off": none of it (not Linux, or no namespaces allowed).
import { spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export type ConfinementMode = "uid" | "mounts" | "off";

/** The uid and gid function processes have on this machine in "uid" mode. */
export const NOBODY = 65534;
/** What function code sees as its own uid and gid inside its namespace (Lambda's sbx_user1051). */
const INNER_UID = 993;
const INNER_GID = 990;

// $0: the function's code directory, $1: its private /tmp, then the paths to cover, then "--" and the command.
const SETUP = [
  "set -e",
  'code="$0"; tmp="$1"; shift',
  // Hold both directories open: they stay reachable after their parents are covered (mount -c: the
  // kernel, not mount(8), resolves /proc/self/fd/N, so the held directory is bound, not its path).
  'exec 3<"$code" 4<"$tmp"',
  'while [ "$1" != "--" ]; do if [ -d "$1" ]; then mount -t tmpfs -o mode=0755,size=64k hyperlocal "$1"; fi; shift; done; shift',
  'mkdir -p "$code" "$tmp"',
  'mount -c --bind /proc/self/fd/3 "$code"',
  'mount -c --bind /proc/self/fd/4 "$tmp"',
  "exec 3<&- 4<&-",
  // The process's working directory must be the read-only view, not the directory it was started in.
  'cd "$code"',
  // Everything read-only but the private /tmp and /proc (the next step writes its uid_map; it gets
  // a /proc of its own anyway). Mount points with escaped characters are skipped.
  `while read -r _ _ _ _ m _; do case "$m" in "$tmp"|/proc|/proc/*) ;; *) mount -o remount,bind,ro "$m" 2>/dev/null || true ;; esac; done < /proc/self/mountinfo`,
  'exec "$@"',
].join("\n");

export interface Confinement {
  readonly mode: ConfinementMode;
  /** Why the mode is not "uid" (for the log). */
  readonly reason?: string;
  /** The uid/gid the environment's /tmp must belong to ("uid" mode). */
  readonly owner?: { uid: number; gid: number };
  /**
   * The argv that runs `inner` confined: the mount setup, then `between` (e.g. kernel mode's
   * nsenter into a network namespace, which keeps the mount view), then the namespaces, then inner.
   */
  wrap(inner: string[], at: { codeDir: string; tmpDir: string; hide: string[] }, between?: string[]): string[];
}

const OFF: Confinement = { mode: "off", wrap: (inner) => inner };

function make(mode: "uid" | "mounts", reason?: string): Confinement {
  const asRoot = process.getuid?.() === 0;
  // Not root: the mount setup runs as root of a user namespace of our own.
  const setupPrefix = asRoot ? ["unshare", "--mount", "--propagation", "private", "--"] : ["unshare", "--user", "--map-root-user", "--mount", "--propagation", "private", "--"];
  const dropUid = mode === "uid" ? ["setpriv", `--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--"] : [];
  const namespaces = [
    "unshare",
    "--user",
    `--map-user=${INNER_UID}`,
    `--map-group=${INNER_GID}`,
    "--pid",
    "--fork",
    "--kill-child",
    "--mount",
    "--mount-proc",
    "--propagation",
    "private",
    "--",
  ];
  return {
    mode,
    ...(reason ? { reason } : {}),
    ...(mode === "uid" ? { owner: { uid: NOBODY, gid: NOBODY } } : {}),
    wrap(inner, at, between = []) {
      const paths = [resolve(at.codeDir), resolve(at.tmpDir), ...at.hide.map((p) => resolve(p))];
      return [...setupPrefix, "sh", "-c", SETUP, ...paths.slice(0, 2), ...paths.slice(2), "--", ...between, ...dropUid, ...namespaces, ...inner];
    },
  };
}

const cached = new Map<string, Promise<Confinement>>();

/**
 * The strongest confinement this machine allows, found once by running it (about 100 ms, off the
 * event loop). python: the interpreter Python functions run on, which must start confined too (one
 * under /root is out of uid 65534's reach).
 */
export function confinement(python?: string): Promise<Confinement> {
  let c = cached.get(python ?? "");
  if (!c) cached.set(python ?? "", (c = probe(python)));
  return c;
}

function run(argv: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: null, stderr, error });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

async function probe(python: string | undefined): Promise<Confinement> {
  if (process.platform !== "linux") return { ...OFF, reason: `function confinement needs Linux (this is ${process.platform})` };
  const dir = mkdtempSync(join(tmpdir(), "hyperlocal-confine-probe-"));
  try {
    chmodSync(dir, 0o755);
    const code = join(dir, "code", "fn");
    const hidden = join(dir, "code");
    const tmp = join(dir, "tmp");
    mkdirSync(code, { recursive: true });
    mkdirSync(tmp);
    writeFileSync(join(code, "index.js"), "");
    writeFileSync(join(dir, "secret"), "");
    // In the confined view: the code is readable but not writable, the rest of `dir` is read-only.
    const check = `const fs = require("fs"); fs.readFileSync(${JSON.stringify(join(code, "index.js"))}); fs.writeFileSync(${JSON.stringify(join(tmp, "w"))}, "");
for (const p of [${JSON.stringify(join(code, "index.js"))}, ${JSON.stringify(join(dir, "secret"))}]) { let w = false; try { fs.writeFileSync(p, "x"); w = true; } catch {} if (w) process.exit(3); }`;
    const attempt = async (mode: "uid" | "mounts"): Promise<string | undefined> => {
      const c = make(mode);
      // As an environment's /tmp: fresh, owned by the function's uid on this machine.
      rmSync(tmp, { recursive: true, force: true });
      mkdirSync(tmp);
      const owner = c.owner ?? { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
      try {
        chownSync(tmp, owner.uid, owner.gid);
      } catch (e) {
        return `cannot give uid ${owner.uid} a /tmp (${(e as Error).message})`;
      }
      const argv = c.wrap([process.execPath, "-e", check], { codeDir: code, tmpDir: tmp, hide: [hidden] });
      const r = await run(argv, { PATH: process.env.PATH ?? "/usr/bin:/bin" });
      if (r.error) return r.error.message;
      if (r.code !== 0) return (r.stderr || `exit ${r.code}`).trim().split("\n").slice(-1)[0];
      if (!python) return undefined;
      const py = await run(c.wrap([python, "-c", "pass"], { codeDir: code, tmpDir: tmp, hide: [hidden] }), { PATH: process.env.PATH ?? "/usr/bin:/bin" });
      return py.code === 0 ? undefined : `${python} does not start there (${(py.stderr || `exit ${py.code}`).trim().split("\n").slice(-1)[0]})`;
    };
    const uidFailure = process.getuid?.() === 0 ? await attempt("uid") : "the server does not run as root";
    if (uidFailure === undefined) return make("uid");
    const mountsFailure = await attempt("mounts");
    if (mountsFailure === undefined) return make("mounts", `function processes keep the server's uid (${uidFailure})`);
    return { ...OFF, reason: `no namespaces for function processes here (${mountsFailure})` };
  } catch (e) {
    return { ...OFF, reason: `the confinement probe failed: ${(e as Error).message}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One line for the log: which guarantees hold for function code. */
export function describeConfinement(c: Confinement): string {
  if (c.mode === "uid") {
    return `runtime: function code runs as uid ${NOBODY} in its own user, mount and PID namespaces: its code is read-only, other functions' code, the state directory and the server's /proc entries are out of its view`;
  }
  if (c.mode === "mounts") {
    return `runtime: function code runs in its own user, mount and PID namespaces: its code is read-only, other functions' code, the state directory and the server's /proc entries are out of its view; but ${c.reason}, so files outside that view which the server's user owns are its own too`;
  }
  return `runtime: function code is NOT confined (${c.reason}): it runs as the server's user and can read the state directory, other functions' code and the server's /proc entries, and write its own code`;
}
