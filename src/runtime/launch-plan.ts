// How the process of an execution environment is started, in two shapes:
//  - cold: spawned for this environment, with its full environment from the first instruction;
//  - spare: spawned ahead of need with only what must be fixed at process start (interpreter,
//    flags, startup variables). The bootstrap then receives the full environment and working
//    directory on stdin, applies them (process.env / os.environ, chdir, tzset) and only then loads
//    the function, so the function cannot tell the difference. Spares are interchangeable when
//    their plans' keys are equal.
import { dirname, join } from "node:path";
import { NODE_BOOTSTRAP, PYTHON_BOOTSTRAP } from "./runtime-families.ts";
import type { RuntimeFamily } from "./runtime-families.ts";
import { isStartupVariable, RESERVED_ENV_NAMES } from "./lambda-env.ts";
import type { BootstrapSpec, LaunchPlan } from "./managed-child.ts";
import type { FunctionSpec } from "./types.ts";
import type { Confinement } from "./confinement.ts";

export interface LaunchContext {
  /** Resolved python interpreter, when there is one. */
  python?: string;
  /** cwd (and HOME) of spares until they learn their function. */
  workRoot: string;
  /** Set when function processes are confined (mode other than "off"). */
  confinement?: Confinement;
  /** Paths function processes must not see (the work root, the state directory, the code store). */
  hide?: string[];
}

export interface PlannedLaunch {
  cold: LaunchPlan;
  coldSpec: BootstrapSpec;
  /** Absent for custom runtimes: their bootstrap is the function's own program. */
  spare?: LaunchPlan;
  spareSpec?: BootstrapSpec;
}

/** Directories for PATH: the interpreters first, as Lambda puts /var/lang/bin first. */
export function interpreterDirs(python: string | undefined): string[] {
  return [dirname(process.execPath), ...(python ? [dirname(python)] : [])];
}

export function defaultPath(python: string | undefined): string {
  return [...interpreterDirs(python), "/usr/local/bin", "/usr/bin", "/bin"].filter((v, i, a) => a.indexOf(v) === i).join(":");
}

/**
 * The flags Lambda's Node.js bootstrap (/var/runtime/bootstrap) starts node with: a tenth of the
 * memory for V8's young generation (two semi-spaces), the rest for the old space, `gc()` exposed,
 * and 80 KB HTTP headers. At 128 MB: --max-semi-space-size=6 --max-old-space-size=116.
 */
export function nodeRuntimeFlags(memorySizeMb: number): string[] {
  const newSpace = Math.floor(memorySizeMb / 10);
  return ["--expose-gc", "--max-http-header-size=81920", `--max-semi-space-size=${Math.max(1, Math.floor(newSpace / 2))}`, `--max-old-space-size=${memorySizeMb - newSpace}`];
}

export function sparePlan(
  family: "node" | "python",
  memorySizeMb: number,
  nodeFlags: string[],
  startupVars: Record<string, string>,
  ctx: LaunchContext,
): LaunchPlan | undefined {
  const env: Record<string, string> = { PATH: defaultPath(ctx.python), LANG: "en_US.UTF-8", TZ: ":UTC", HOME: ctx.workRoot, ...startupVars };
  let command: string;
  let args: string[];
  if (family === "node") {
    command = process.execPath;
    args = [...nodeRuntimeFlags(memorySizeMb), ...nodeFlags, NODE_BOOTSTRAP];
  } else {
    if (!ctx.python) return undefined;
    command = ctx.python;
    args = [PYTHON_BOOTSTRAP];
  }
  return { key: JSON.stringify([command, args, sortKeys(env)]), command, args, env, cwd: ctx.workRoot, readsSpec: true };
}

export function planLaunch(spec: FunctionSpec, family: RuntimeFamily, env: Record<string, string>, ctx: LaunchContext): PlannedLaunch {
  const cwd = spec.codeDir;
  if (family === "provided") {
    return {
      cold: { key: "", command: join(spec.codeDir, "bootstrap"), args: [], env, cwd, readsSpec: false },
      coldSpec: { env, cwd, preload: [] },
    };
  }
  const coldSpec: BootstrapSpec = { env, cwd, preload: [] };
  let cold: LaunchPlan;
  if (family === "node") {
    // NODE_OPTIONS is in env, so node itself applies the preloads and flags of a cold process.
    cold = { key: "", command: process.execPath, args: [...nodeRuntimeFlags(spec.memorySizeMb), NODE_BOOTSTRAP], env, cwd, readsSpec: true };
  } else {
    cold = { key: "", command: ctx.python ?? "python3", args: [PYTHON_BOOTSTRAP], env, cwd, readsSpec: true };
  }

  const split = family === "node" ? splitNodeOptions(spec.nodeOptions ?? []) : { preload: [], flags: [] };
  const spare = sparePlan(family, spec.memorySizeMb, split.flags, startupVariables(spec), ctx);
  return { cold, coldSpec, spare, spareSpec: { env, cwd, preload: split.preload } };
}

/** Startup variables the function's configuration sets itself (our defaults are the spares' own). */
function startupVariables(spec: FunctionSpec): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec.environment)) if (isStartupVariable(k) && !RESERVED_ENV_NAMES.has(k)) out[k] = String(v);
  for (const [k, v] of Object.entries(spec.extraEnv ?? {})) if (isStartupVariable(k)) out[k] = String(v);
  return out;
}

/** Separate preloads (which a spare loads itself once its environment is right) from other node flags. */
export function splitNodeOptions(options: string[]): { preload: BootstrapSpec["preload"]; flags: string[] } {
  const preload: BootstrapSpec["preload"] = [];
  const flags: string[] = [];
  for (let i = 0; i < options.length; i++) {
    const o = options[i];
    const m = /^(--require|-r|--import)(?:=|\s+)(.+)$/.exec(o);
    if (m) {
      preload.push({ kind: m[1] === "--import" ? "import" : "require", target: m[2] });
    } else if ((o === "--require" || o === "-r" || o === "--import") && i + 1 < options.length) {
      preload.push({ kind: o === "--import" ? "import" : "require", target: options[++i] });
    } else {
      flags.push(o);
    }
  }
  return { preload, flags };
}

function sortKeys(o: Record<string, string>): [string, string][] {
  return Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
