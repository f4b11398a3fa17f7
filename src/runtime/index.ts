// Execution environments that run real Lambda handlers as child processes and speak the Lambda
// Runtime API (2018-06-01) to them. The Lambda service owns configuration, state, IAM and the
// Invoke API; it calls RuntimeManager.invoke with a FunctionSpec.
export { RuntimeManager } from "./runtime-manager.ts";
export type { FunctionSpec, InvokeOptions, InvokeResult, LaunchWrapper, RuntimeManagerOptions } from "./types.ts";
export { readZip, readZipEntries, writeZip, ZipError } from "./zip.ts";
export { extractZip } from "./zip-extract.ts";
export { ZipUnpacker } from "./zip-unpacker.ts";
export type { ZipEntry, ZipInput } from "./zip.ts";
export { runtimeFamily } from "./runtime-families.ts";
export type { RuntimeFamily } from "./runtime-families.ts";
export { RESERVED_ENV_NAMES } from "./lambda-env.ts";
export { runtimeVersionArn } from "./invocation-log.ts";
