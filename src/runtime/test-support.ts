// Helpers for the runtime's tests and benchmark: function code directories built the way the
// Lambda service will build them (writeZip → extractZip), and FunctionSpecs around them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { writeZip } from "./zip.ts";
import { extractZip } from "./zip-extract.ts";
import type { ZipInput } from "./zip.ts";
import type { FunctionSpec } from "./types.ts";

/** Function processes may only run inside a loopback-only network namespace (see DESIGN.md). */
export const CAN_RUN_FUNCTIONS = process.env.HYPERLOCAL_TEST_NETNS === "1";
export const SKIP_REASON = "runs function code: needs HYPERLOCAL_TEST_NETNS=1 inside a loopback-only network namespace (npm test does this)";

export class CodeDirs {
  readonly root = mkdtempSync(join(tmpdir(), "hyperlocal-code-"));
  private n = 0;

  /** Unpack these files as a function's code; returns the directory and the zip's sha256. */
  make(files: ZipInput[]): { codeDir: string; codeSha256: string } {
    const zip = writeZip(files);
    const codeDir = join(this.root, `code-${++this.n}`);
    extractZip(zip, codeDir);
    return { codeDir, codeSha256: createHash("sha256").update(zip).digest("base64") };
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

let fnCounter = 0;

export function functionSpec(code: { codeDir: string; codeSha256: string }, over: Partial<FunctionSpec> = {}): FunctionSpec {
  const name = over.functionName ?? `fn-${process.pid}-${++fnCounter}`;
  return {
    functionName: name,
    functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    version: "$LATEST",
    runtime: "nodejs20.x",
    handler: "index.handler",
    memorySizeMb: 128,
    timeoutSec: 3,
    codeDir: code.codeDir,
    codeSha256: code.codeSha256,
    revisionKey: "r1",
    environment: {},
    credentials: { accessKeyId: "ASIAEXAMPLEEXAMPLE00", secretAccessKey: "secret", sessionToken: "token" },
    region: "us-east-1",
    endpointUrl: "http://127.0.0.1:4566",
    logGroupName: `/aws/lambda/${name}`,
    ...over,
  };
}
