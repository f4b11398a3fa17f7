// Which runtimes hyperlocal can run and how each family starts.
//
// Every nodejs*.x runtime runs on the Node.js that runs hyperlocal, and every python3.x runtime
// on one python3 interpreter of this machine: a function declared python3.12 runs on whatever
// python3 is installed (3.11 here). That is accepted on purpose: installing one interpreter per
// runtime name would make the emulator heavy, and code that depends on a minor version's features
// is rare. AWS_EXECUTION_ENV still names the declared runtime.
import { own } from "../core/dict.ts";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

export type RuntimeFamily = "node" | "python" | "provided";

const SUPPORTED: Record<string, RuntimeFamily> = {
  "nodejs18.x": "node",
  "nodejs20.x": "node",
  "nodejs22.x": "node",
  "python3.9": "python",
  "python3.10": "python",
  "python3.11": "python",
  "python3.12": "python",
  "python3.13": "python",
  "provided.al2": "provided",
  "provided.al2023": "provided",
};

export function runtimeFamily(runtime: string): RuntimeFamily | undefined {
  return own(SUPPORTED, runtime);
}

/** The directory with the bootstraps: the LAMBDA_RUNTIME_DIR of managed runtimes. */
export const BOOTSTRAP_DIR = join(dirname(fileURLToPath(import.meta.url)), "bootstraps");
export const NODE_BOOTSTRAP = join(BOOTSTRAP_DIR, "node-runtime.child.cjs");
export const PYTHON_BOOTSTRAP = join(BOOTSTRAP_DIR, "python-runtime.child.py");

/** "nodejs20.x" → "nodejs:20", "python3.12" → "python:3.12", "provided.al2023" → "provided:al2023" (INIT_START). */
export function runtimeVersionLabel(runtime: string): string {
  const m = /^(nodejs|python|provided)\.?(.*?)(\.x)?$/.exec(runtime);
  return m ? `${m[1]}:${m[2]}` : runtime;
}
