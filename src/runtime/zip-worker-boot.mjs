// Entry of the unzip worker thread (zip-unpacker.ts). Under `node --import tsx` the main thread can
// load TypeScript but, on Node 20, a worker does not inherit that loader: register it here first.
import { workerData } from "node:worker_threads";

if (workerData.module.endsWith(".ts")) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import(workerData.module);
