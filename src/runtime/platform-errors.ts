// Error payloads that the Lambda platform itself (not the function's runtime) produces, e.g.
//   {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id> Error: Task timed out after 3.00 seconds"}
//   {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id> Error: Runtime exited with error: exit status 1"}

export interface PlatformError {
  errorType: string;
  errorMessage: string;
}

export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export function timeoutError(requestId: string, timeoutSec: number): PlatformError {
  return { errorType: "Sandbox.Timedout", errorMessage: `RequestId: ${requestId} Error: Task timed out after ${timeoutSec.toFixed(2)} seconds` };
}

export function exitError(requestId: string, exit: ProcessExit): PlatformError {
  return { errorType: "Runtime.ExitError", errorMessage: `RequestId: ${requestId} Error: ${exitDescription(exit)}` };
}

export function outOfMemoryError(requestId: string): PlatformError {
  return { errorType: "Runtime.OutOfMemory", errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed` };
}

/** The runtime process could not be started at all (missing or non-executable bootstrap). */
export function invalidEntrypointError(requestId: string, detail: string): PlatformError {
  return { errorType: "Runtime.InvalidEntrypoint", errorMessage: `RequestId: ${requestId} Error: ${detail}` };
}

export function responseTooLargeError(size: number, limit: number): PlatformError {
  // unverified wording
  return {
    errorType: "Function.ResponseSizeTooLarge",
    errorMessage: `Response payload size (${size} bytes) exceeded maximum allowed payload size (${limit} bytes).`,
  };
}

export function unsupportedRuntimeError(requestId: string, runtime: string): PlatformError {
  // unverified wording: hyperlocal cannot run this runtime at all.
  return { errorType: "Runtime.InvalidRuntime", errorMessage: `RequestId: ${requestId} Error: runtime ${runtime} is not supported by hyperlocal` };
}

/** Go's os/exec wording, which Lambda's platform (written in Go) passes on. */
export function exitDescription(exit: ProcessExit): string {
  if (exit.signal) return `Runtime exited with error: signal: ${GO_SIGNAL_NAMES[exit.signal] ?? exit.signal.toLowerCase()}`;
  if (exit.code === 0 || exit.code === null) return "Runtime exited without providing a reason";
  return `Runtime exited with error: exit status ${exit.code}`;
}

const GO_SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGBUS: "bus error",
  SIGFPE: "floating point exception",
  SIGILL: "illegal instruction",
  SIGHUP: "hangup",
  SIGPIPE: "broken pipe",
  SIGQUIT: "quit",
  SIGTRAP: "trace/breakpoint trap",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
  SIGALRM: "alarm clock",
  SIGXCPU: "CPU time limit exceeded",
  SIGXFSZ: "file size limit exceeded",
  SIGSYS: "bad system call",
};

export function errorJson(e: PlatformError): Buffer {
  return Buffer.from(JSON.stringify({ errorType: e.errorType, errorMessage: e.errorMessage }));
}
