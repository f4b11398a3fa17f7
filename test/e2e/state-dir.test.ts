import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CreateUserCommand, GetUserCommand, IAMClient } from "@aws-sdk/client-iam";
import { runCli, startChildServer, tempDir } from "../support/server.ts";
import { rejects } from "../support/clients.ts";

function iam(url: string) {
  return new IAMClient({ endpoint: url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 });
}

describe("--state-dir", () => {
  it("keeps state across a restart", async () => {
    const dir = tempDir();
    const first = await startChildServer(["--state-dir", dir]);
    const c1 = iam(first.url);
    await c1.send(new CreateUserCommand({ UserName: "alice", Tags: [{ Key: "team", Value: "a" }] }));
    c1.destroy();
    assert.equal(await first.stop("SIGTERM"), 0);

    const second = await startChildServer(["--state-dir", dir]);
    try {
      const c2 = iam(second.url);
      const u = await c2.send(new GetUserCommand({ UserName: "alice" }));
      assert.equal(u.User?.Arn, "arn:aws:iam::000000000000:user/alice");
      assert.deepEqual(u.User?.Tags, [{ Key: "team", Value: "a" }]);
      const missing = await rejects(c2.send(new GetUserCommand({ UserName: "bob" })));
      assert.equal(missing.name, "NoSuchEntityException");
      c2.destroy();
    } finally {
      await second.stop();
    }
  });

  it("keeps what was saved when the process is killed (no graceful stop)", async () => {
    const dir = tempDir();
    const first = await startChildServer(["--state-dir", dir]);
    const c1 = iam(first.url);
    await c1.send(new CreateUserCommand({ UserName: "carol" }));
    c1.destroy();
    // The snapshot is debounced (250 ms); wait for it to land on disk, then kill hard.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      try {
        if (readFileSync(join(dir, "state.json"), "utf8").includes("carol")) break;
      } catch {
        /* not written yet */
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    await first.stop("SIGKILL");
    const second = await startChildServer(["--state-dir", dir]);
    try {
      const c2 = iam(second.url);
      assert.equal((await c2.send(new GetUserCommand({ UserName: "carol" }))).User?.UserName, "carol");
      c2.destroy();
    } finally {
      await second.stop();
    }
  });

  it("refuses to start on a corrupt snapshot, with a clear message, and leaves the file alone", async () => {
    const dir = tempDir();
    const file = join(dir, "state.json");
    writeFileSync(file, '{"format":1,"data":{"iam":{"0000');
    const r = await runCli(["start", "--port", "0", "--state-dir", dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot read the state snapshot .*state\.json.*left as it is/);
    assert.equal(readFileSync(file, "utf8"), '{"format":1,"data":{"iam":{"0000');
  });
});

describe("--state-dir and the simulated clock", () => {
  it("keeps the clock's offset across a restart, so stored times stay in one timeline", async () => {
    const dir = tempDir();
    const first = await startChildServer(["--state-dir", dir]);
    try {
      const advanced = (await (await fetch(`${first.url}/_hyperlocal/clock/advance`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ days: 3 }) })).json()) as { offsetMs: number };
      assert.equal(advanced.offsetMs, 3 * 86_400_000);
    } finally {
      assert.equal(await first.stop("SIGTERM"), 0);
    }
    const second = await startChildServer(["--state-dir", dir]);
    try {
      const clock = (await (await fetch(`${second.url}/_hyperlocal/clock`)).json()) as { offsetMs: number; now: string };
      assert.equal(clock.offsetMs, 3 * 86_400_000);
      assert.ok(Date.parse(clock.now) >= Date.now() + 3 * 86_400_000 - 60_000);
    } finally {
      await second.stop();
    }
  });
});
