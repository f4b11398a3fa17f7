import assert from "node:assert/strict";
import { test } from "node:test";
import { AwsError } from "../../core/aws-error.ts";
import { SimulatedClock } from "../../core/clock.ts";
import { rootTestContext } from "../../core/test-support.ts";
import { restOutput, type RestServiceModel } from "../../core/rest-model.ts";
import { bindRestJsonService } from "./bind.ts";

const ctx = () => rootTestContext("111122223333", "us-east-1", new SimulatedClock());

const request = (method: string, rawPath: string, body = "") => ({ method, rawPath, query: new URLSearchParams(), headers: { "content-type": "application/json" }, body: Buffer.from(body) });

type Op = "Echo" | "Raw" | "Check";

const model = (seen: string[]): RestServiceModel<Op> => ({
  signingName: "lambda",
  protocol: "rest-json",
  maxBodyBytes: 1024,
  routes: [
    { method: "POST", pattern: "/2015-03-31/echo/{Name}", operation: "Echo" },
    { method: "GET", pattern: "/2015-03-31/raw", operation: "Raw" },
    { method: "PUT", pattern: "/2015-03-31/check/{Name}", operation: "Check" },
  ],
  operations: {
    Echo: (call) => restOutput(201, { Name: call.labels.Name, Said: call.input().Text }, { "x-extra": "1" }),
    Raw: async () => ({ status: 200, headers: { "content-type": "application/octet-stream" }, body: Buffer.from([1, 2]) }),
    // Checks the name before reading the body, as Lambda's operations do: that order must hold.
    Check: (call) => {
      seen.push(call.labels.Name);
      if (call.labels.Name === "missing") throw new AwsError("ResourceNotFoundException", 404, "Function not found");
      call.input();
      return { status: 204, headers: {}, body: "" };
    },
  },
  accessDenied: () => new AwsError("AccessDeniedException", 403, "denied"),
});

test("a rest-json model bound by the codec: routes with decoded labels, outputs as JSON, raw bodies as they are, errors in its shape", async () => {
  const seen: string[] = [];
  const svc = bindRestJsonService(model(seen));
  assert.equal(svc.signingName, "lambda");
  const echo = await svc.handle(request("POST", "/2015-03-31/echo/a%20b/", '{"Text":"hi"}'), ctx());
  assert.deepEqual([echo.status, echo.headers, echo.body], [201, { "content-type": "application/json", "x-extra": "1" }, '{"Name":"a b","Said":"hi"}']);
  const raw = await svc.handle(request("GET", "/2015-03-31/raw"), ctx());
  assert.deepEqual([raw.status, raw.headers?.["content-type"], [...(raw.body as Buffer)]], [200, "application/octet-stream", [1, 2]]);

  // The body is decoded only when the operation reads it: a missing function wins over a bad body.
  await assert.rejects(Promise.resolve().then(() => svc.handle(request("PUT", "/2015-03-31/check/missing", "{nope"), ctx())), (e: unknown) => e instanceof AwsError && e.code === "ResourceNotFoundException");
  await assert.rejects(Promise.resolve().then(() => svc.handle(request("PUT", "/2015-03-31/check/there", "{nope"), ctx())), (e: unknown) => e instanceof AwsError && e.code === "SerializationException");
  assert.deepEqual(seen, ["missing", "there"]);

  for (const [method, path] of [["GET", "/2015-03-31/echo/x"], ["GET", "/2015-03-31/nothing"]]) {
    await assert.rejects(Promise.resolve().then(() => svc.handle(request(method, path), ctx())), (e: unknown) => e instanceof AwsError && e.code === "UnknownOperationException" && e.status === 404 && e.message === `Unknown operation ${method} ${path}`);
  }
  const err = svc.renderError(new AwsError("ResourceNotFoundException", 404, "Function not found"), "req-2");
  assert.deepEqual([err.status, err.headers?.["x-amzn-errortype"], JSON.parse(String(err.body))], [404, "ResourceNotFoundException", { Type: "User", message: "Function not found" }]);
});
