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
