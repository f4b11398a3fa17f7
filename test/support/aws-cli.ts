import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import type { Creds } from "./clients.ts";
import { ROOT_CREDS } from "./clients.ts";

/** Debian's AWS CLI v2. A plain `aws` on PATH may be an old v1, so the path is explicit. */
export const AWS_CLI = "/usr/bin/aws";

export function hasAwsCli(): boolean {
  return existsSync(AWS_CLI);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  json: any;
}

/**
 * Debian's AWS CLI whose every client uses --endpoint-url, for `cloudformation package` (its S3
 * client ignores --endpoint-url in CLI 2.9): see aws-cli-one-endpoint.py.
 */
export const AWS_CLI_ONE_ENDPOINT = ["/usr/bin/python3", new URL("./aws-cli-one-endpoint.py", import.meta.url).pathname];

/** Run `/usr/bin/aws --endpoint-url URL <args> --output json` with the given credentials. */
export function aws(url: string, args: string[], creds: Creds = ROOT_CREDS, region = "us-east-1", cli: string[] = [AWS_CLI]): Promise<CliResult> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: creds.accessKeyId,
      AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
      AWS_DEFAULT_REGION: region,
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
      AWS_MAX_ATTEMPTS: "1",
      AWS_RETRY_MODE: "standard",
    };
    if (creds.sessionToken) env.AWS_SESSION_TOKEN = creds.sessionToken;
    execFile(cli[0], [...cli.slice(1), "--endpoint-url", url, "--output", "json", ...args], { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === "number" ? ((err as unknown as { code: number }).code) : 1) : 0;
      let json: any = undefined;
      try {
        json = stdout.trim() ? JSON.parse(stdout) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}
