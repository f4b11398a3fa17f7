import type { App } from "../../../src/app.ts";
import type { AwsError } from "../../../src/core/aws-error.ts";
import { SimulatedClock } from "../../../src/core/clock.ts";
import type { OperationContext } from "../../../src/gateway/service-definition.ts";
import { loadModel } from "./model.ts";
import { probeRequest } from "./rest-xml-routes.ts";

class ProbeStop extends Error {}

/** Answers that mean "no such operation here": the query dispatcher's and the REST router's. */
const NOT_SERVED = new Set(["InvalidAction", "UnknownOperationException", "NotImplemented"]);

/**
 * The operations a running app's service serves, asked of its own dispatch table: every
 * operation the SDK knows is handed to the service directly (no HTTP, no state change: the
 * authorization every operation makes first stops it), and whatever is not refused as an
 * unknown action or route is served. Use a throwaway app: the probe runs operation code.
 */
export async function servedOperations(app: App, service: string): Promise<string[]> {
  const def = app.services.find((s) => s.signingName === service);
  if (!def) return [];
  const model = loadModel(service);
  const served: string[] = [];
  for (const op of [...model.sdkOperations].sort()) {
    const ctx: OperationContext = {
      requestId: "probe",
      region: app.config.region,
      accountId: app.config.account,
      principal: { arn: `arn:aws:iam::${app.config.account}:user/probe`, accountId: app.config.account, type: "User", userId: "AIDAPROBE", accessKeyId: "AKIAPROBE" },
      sourceIp: "127.0.0.1",
      clock: new SimulatedClock(Date.now, 0),
      operation: "",
      authorize: () => {
        throw new ProbeStop();
      },
      decide: () => ({ allowed: false, result: "ImplicitDeny" }),
    };
    let method = "POST";
    let path = "/";
    let body = Buffer.from(`Action=${op}&Version=${model.apiVersion}`);
    const http = model.sdkHttp.get(op);
    if (model.protocol === "rest-json") {
      if (!http) continue;
      [method, path] = http;
      path = path.split("?")[0].replace(/\{[^}]+\}/g, "probe");
      body = Buffer.from("{}");
    }
    let query = new URLSearchParams();
    let headers: Record<string, string> = model.protocol === "rest-json" ? { "content-type": "application/json" } : { "content-type": "application/x-www-form-urlencoded" };
    if (model.protocol === "rest-xml") {
      if (!Object.hasOwn(model.operations, op)) continue;
      const r = probeRequest(model, op);
      [method, path, query, headers, body] = [r.method, r.path, r.query, r.headers, Buffer.alloc(0)];
    }
    try {
      const res = await def.handle({ method, rawPath: path, query, headers, body }, ctx);
      if (res) served.push(op);
    } catch (e) {
      if (e instanceof ProbeStop || !NOT_SERVED.has((e as AwsError).code)) served.push(op);
    }
  }
  return served;
}
