import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SimulatedClock } from "../../core/clock.ts";
import { createLogger } from "../../core/logger.ts";
import { FunctionStates, type FunctionLocation, type TaskOutcome } from "./function-state.ts";
import { LATEST, type FunctionRecord, type VersionConfig } from "./model.ts";

function config(over: Partial<VersionConfig> = {}): VersionConfig {
  return {
    version: LATEST,
    runtime: "nodejs20.x",
    handler: "index.handler",
    role: "arn:aws:iam::000000000000:role/r",
    description: "",
    timeout: 3,
    memorySize: 128,
    code: { sha256: "x", sha256Hex: "ab", size: 1 },
    lastModified: "2024-01-01T00:00:00.000+0000",
    revisionId: "r1",
    internalRevision: "i1",
    architectures: ["x86_64"],
    ephemeralStorage: 512,
    tracingMode: "PassThrough",
    logFormat: "Text",
    logGroup: "/aws/lambda/f",
    state: "Pending",
    ...over,
  };
}

function setup() {
  let now = 1_700_000_000_000;
  const clock = new SimulatedClock(() => now);
  const functions = new Map<string, FunctionRecord>();
  const settled: string[] = [];
  const states = new FunctionStates({
    clock,
    logger: createLogger("silent"),
    timings: { createMs: 100, updateMs: 50 },
    find: (loc) => functions.get(loc.name),
    markDirty: () => undefined,
    onSettled: (loc, _fn, kind, ok) => settled.push(`${loc.name}:${kind}:${ok}`),
  });
  const loc: FunctionLocation = { account: "000000000000", region: "us-east-1", name: "f" };
  const fn: FunctionRecord = { name: "f", latest: config(), versions: {}, lastVersion: 0, aliases: {}, tags: {}, policies: {} };
  functions.set("f", fn);
  return { clock, states, loc, fn, functions, settled, tick: (ms: number) => (now += ms) };
}

describe("function-state", () => {
  it("keeps a new function Pending (Creating) until the minimum time passed, then Active/Successful", () => {
    const { clock, states, loc, fn, settled } = setup();
    states.registerTask("code", () => ({ ok: true }));
    states.beginCreate(loc, fn, ["code"]);
    assert.equal(fn.latest.state, "Pending");
    assert.equal(fn.latest.stateReasonCode, "Creating");
    assert.equal(fn.latest.stateReason, "The function is being created.");
    assert.equal(fn.latest.lastUpdateStatus, undefined);
    assert.equal(states.modifyConflict(fn, "arn")?.message, "The operation cannot be performed at this time. The function is currently in the following state: Pending");
    assert.equal(states.invokeConflict(fn.latest)?.code, "ResourceConflictException");
    clock.advance(99);
    assert.equal(fn.latest.state, "Pending");
    clock.advance(1);
    assert.equal(fn.latest.state, "Active");
    assert.equal(fn.latest.lastUpdateStatus, "Successful");
    assert.equal(fn.latest.stateReasonCode, undefined);
    assert.equal(fn.transitions, undefined);
    assert.deepEqual(settled, ["f:create:true"]);
    clock.close();
  });

  it("waits for asynchronous tasks (the VPC issue's ENIs) past the minimum time", async () => {
    const { clock, states, loc, fn } = setup();
    let finish!: (o: TaskOutcome) => void;
    states.registerTask("eni", () => new Promise<TaskOutcome>((r) => (finish = r)));
    states.beginCreate(loc, fn, ["eni"]);
    clock.advance(1000);
    assert.equal(fn.latest.state, "Pending");
    assert.deepEqual(fn.transitions?.[LATEST]?.tasks, ["eni"]);
    finish({ ok: true });
    await new Promise((r) => setImmediate(r));
    assert.equal(fn.latest.state, "Active");
    clock.close();
  });

  it("ends Failed with the task's reason code", () => {
    const { clock, states, loc, fn } = setup();
    states.registerTask("eni", () => ({ ok: false, reasonCode: "SubnetOutOfIPAddresses", reason: "no addresses" }));
    states.beginCreate(loc, fn, ["eni"]);
    clock.advance(100);
    assert.equal(fn.latest.state, "Failed");
    assert.equal(fn.latest.stateReasonCode, "SubnetOutOfIPAddresses");
    assert.equal(fn.latest.stateReason, "no addresses");
    // A VPC failure: Invoke gets the model's 502 error for the reason.
    const e = states.invokeConflict(fn.latest);
    assert.equal(e?.code, "SubnetIPAddressLimitReachedException");
    assert.equal(e?.status, 502);
    clock.close();
  });

  it("runs an update InProgress with the previous configuration serving, and reverts a failed one", () => {
    const { clock, states, loc, fn } = setup();
    states.beginCreate(loc, fn, []);
    clock.advance(100);
    const previous = fn.latest;
    fn.latest = { ...previous, timeout: 9, revisionId: "r2" };
    states.beginUpdate(loc, fn, previous, []);
    assert.equal(fn.latest.state, "Active");
    assert.equal(fn.latest.lastUpdateStatus, "InProgress");
    assert.equal(fn.latest.lastUpdateStatusReason, "The function is being created.");
    assert.equal(fn.latest.lastUpdateStatusReasonCode, "Creating");
    assert.equal(fn.serving?.timeout, 3);
    assert.match(states.modifyConflict(fn, "arn:x")!.message, /An update is in progress for resource: arn:x$/);
    clock.advance(50);
    assert.equal(fn.latest.lastUpdateStatus, "Successful");
    assert.equal(fn.latest.timeout, 9);
    assert.equal(fn.serving, undefined);

    states.registerTask("code", () => ({ ok: false, reasonCode: "InvalidZipFileException", reason: "bad zip" }));
    const before = fn.latest;
    fn.latest = { ...before, timeout: 20, revisionId: "r3" };
    states.beginUpdate(loc, fn, before, ["code"]);
    clock.advance(50);
    assert.equal(fn.latest.timeout, 9);
    assert.equal(fn.latest.lastUpdateStatus, "Failed");
    assert.equal(fn.latest.lastUpdateStatusReasonCode, "InvalidZipFileException");
    assert.equal(states.modifyConflict(fn, "arn"), undefined);
    clock.close();
  });

  it("forgets a deleted function, and resumes a transition kept in the state after a restart", () => {
    const { clock, states, loc, fn, functions } = setup();
    states.beginCreate(loc, fn, []);
    functions.delete("f");
    states.cancel(loc);
    clock.advance(500);
    assert.equal(fn.latest.state, "Pending"); // nobody touched the deleted record

    const again = setup();
    again.states.beginCreate(again.loc, again.fn, []);
    const kept = structuredClone(again.fn); // as a snapshot would hold it
    again.states.clear();
    again.functions.set("f", kept);
    const restarted = new FunctionStates({
      clock: again.clock,
      logger: createLogger("silent"),
      timings: { createMs: 100, updateMs: 50 },
      find: (l) => again.functions.get(l.name),
      markDirty: () => undefined,
    });
    restarted.resume(again.loc, kept);
    again.clock.advance(100);
    assert.equal(kept.latest.state, "Active");
    clock.close();
    again.clock.close();
  });

  it("moves a version published with the function along, and runs a later version's own transition", () => {
    const { clock, states, loc, fn } = setup();
    fn.versions["1"] = { ...fn.latest, version: "1" };
    states.beginCreate(loc, fn, [], [LATEST, "1"]);
    assert.equal(fn.versions["1"].state, "Pending");
    clock.advance(100);
    assert.equal(fn.versions["1"].state, "Active");
    assert.equal(fn.versions["1"].lastUpdateStatus, undefined); // versions never have one
    assert.equal(fn.latest.lastUpdateStatus, "Successful");

    fn.versions["2"] = { ...fn.latest, version: "2" };
    delete fn.versions["2"].lastUpdateStatus;
    states.beginPublish(loc, fn, "2", []);
    assert.equal(fn.versions["2"].state, "Pending");
    assert.equal(states.modifyConflict(fn, "arn"), undefined); // $LATEST is not affected
    clock.advance(100);
    assert.equal(fn.versions["2"].state, "Active");
    assert.equal(fn.transitions, undefined);
    clock.close();
  });

  it("an idle configuration goes Inactive; invoking it restores it (Pending, Restoring) and it ends Active or Failed", async () => {
    const { clock, states, loc, fn } = setup();
    states.beginCreate(loc, fn, []);
    clock.advance(100);
    assert.equal(states.deactivate(fn, LATEST), true);
    assert.equal(fn.latest.state, "Inactive");
    assert.equal(fn.latest.stateReasonCode, "Idle");
    assert.equal(fn.latest.stateReason, "The function is currently idle.");
    assert.equal(fn.latest.lastUpdateStatus, "Successful", "idling is not an update");
    const e = states.invokeConflict(fn.latest)!;
    assert.equal(e.code, "ResourceNotReadyException");
    assert.equal(e.status, 502);
    assert.equal(states.modifyConflict(fn, "arn"), undefined, "updates are allowed while Inactive");

    let finish!: (o: TaskOutcome) => void;
    states.registerTask("eni", () => new Promise<TaskOutcome>((r) => (finish = r)));
    assert.equal(states.beginRestore(loc, fn, LATEST, ["eni"]), true);
    assert.equal(states.beginRestore(loc, fn, LATEST, ["eni"]), false, "one restore at a time");
    assert.equal(fn.latest.state, "Pending");
    assert.equal(fn.latest.stateReasonCode, "Restoring");
    assert.equal(states.invokeConflict(fn.latest)?.code, "ResourceNotReadyException");
    clock.advance(100);
    assert.equal(fn.latest.state, "Pending", "waits for the ENIs");
    finish({ ok: true });
    await new Promise((r) => setImmediate(r));
    assert.equal(fn.latest.state, "Active");
    assert.equal(fn.latest.stateReasonCode, undefined);

    states.deactivate(fn, LATEST);
    states.registerTask("eni", () => ({ ok: false, reasonCode: "InsufficientRolePermissions", reason: "no permission" }));
    states.beginRestore(loc, fn, LATEST, ["eni"]);
    clock.advance(100);
    assert.equal(fn.latest.state, "Failed");
    assert.equal(fn.latest.stateReasonCode, "InsufficientRolePermissions");
    assert.equal(states.invokeConflict(fn.latest)?.code, "EC2AccessDeniedException");
    clock.close();
  });

  it("an update that brings the ENIs back makes an Inactive function Active; other updates leave it Inactive", () => {
    const { clock, states, loc, fn } = setup();
    states.beginCreate(loc, fn, []);
    clock.advance(100);
    states.deactivate(fn, LATEST);
    let previous = fn.latest;
    fn.latest = { ...previous, timeout: 5 };
    states.beginUpdate(loc, fn, previous, []);
    clock.advance(50);
    assert.equal(fn.latest.state, "Inactive");
    previous = fn.latest;
    fn.latest = { ...previous, timeout: 6 };
    states.beginUpdate(loc, fn, previous, [], { reactivates: true });
    assert.equal(states.deactivate(fn, LATEST), false, "not while a transition runs");
    clock.advance(50);
    assert.equal(fn.latest.state, "Active");
    assert.equal(fn.latest.lastUpdateStatus, "Successful");
    clock.close();
  });

  it("a Failed configuration without a VPC reason still gets the 409", () => {
    const { clock, states, loc, fn } = setup();
    states.registerTask("code", () => ({ ok: false, reasonCode: "InvalidZipFileException", reason: "bad zip" }));
    states.beginCreate(loc, fn, ["code"]);
    clock.advance(100);
    assert.equal(states.invokeConflict(fn.latest)?.message, "The operation cannot be performed at this time. The function is currently in the following state: Failed");
    clock.close();
  });
});
