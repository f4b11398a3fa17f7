// Finds the real python3 binary once. `python3` on PATH may be a shim (pyenv's is a bash script
// that costs ~250 ms per start), so we ask the interpreter for sys.executable and spawn that.
import { execFile } from "node:child_process";

const cache = new Map<string, Promise<string | undefined>>();

export function resolvePython(command = "python3"): Promise<string | undefined> {
  let found = cache.get(command);
  if (!found) {
    found = new Promise((resolve) => {
      execFile(command, ["-c", "import sys; print(sys.executable)"], { timeout: 10_000 }, (err, stdout) => {
        const path = stdout?.trim();
        resolve(err || !path ? undefined : path);
      });
    });
    cache.set(command, found);
  }
  return found;
}

const compiled = new Map<string, Promise<void>>();

/**
 * Compile the .py files of one of hyperlocal's own directories (the bootstraps, the network shim)
 * to bytecode in __pycache__ beside them, once per interpreter and directory. A module imported
 * from source costs every process its compiler's memory (the shim's sitecustomize.py: ~2 MB of each
 * idle environment); from bytecode it does not. Best effort: a read-only directory just stays
 * uncompiled, and Python ignores bytecode whose source changed since. Never a user's directory:
 * function code must not find files it did not ship.
 */
export function precompilePython(python: string, dir: string): Promise<void> {
  const key = `${python}\n${dir}`;
  let done = compiled.get(key);
  if (!done) {
    done = new Promise((resolve) => {
      execFile(python, ["-m", "compileall", "-q", "-l", dir], { timeout: 30_000 }, () => resolve());
    });
    compiled.set(key, done);
  }
  return done;
}
