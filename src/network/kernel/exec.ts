// One exec per change set: every namespace is configured by a single `sh` script (ip -batch and
// nft -f heredocs), entered with nsenter. Errors carry the script's stderr so a bad rule is readable.
import { spawn } from "node:child_process";
import { userNamespaceOptions } from "./user-namespace.ts";

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(argv: string[], input?: string): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.on("error", () => {}); // a child that exits early must not crash us with EPIPE
    child.stdin.end(input ?? "");
  });
}

/** The argv that enters a namespace by its holder's /proc path (no mount tricks needed). */
export function enter(nsPath: string): string[] {
  return ["nsenter", ...userNamespaceOptions(), `--net=${nsPath}`, "--"];
}

/** Run a shell script inside a namespace; throws with the script's stderr on failure. */
export async function runScript(nsPath: string, script: string, what: string): Promise<void> {
  const r = await run([...enter(nsPath), "sh", "-e", "-s"], script);
  if (r.code !== 0) throw new Error(`kernel network: ${what} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}\n--- script ---\n${script}`);
}

/** A heredoc for `ip -batch` / `nft -f`: the quoted marker keeps sh from expanding anything. */
export function heredoc(cmd: string, body: string[]): string {
  if (body.length === 0) return "";
  return `${cmd} <<'HL_EOF'\n${body.join("\n")}\nHL_EOF\n`;
}
