import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
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

  it("keeps an acknowledged write when the process is killed right after the answer", async () => {
    const dir = tempDir();
    const first = await startChildServer(["--state-dir", dir]);
    const c1 = iam(first.url);
    await c1.send(new CreateUserCommand({ UserName: "carol" }));
    c1.destroy();
    // No waiting: the answer came after the commit.
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

  it("keeps the state directory private: the directory 0700, every file 0600", async () => {
    const dir = tempDir();
    chmodSync(dir, 0o755);
    const server = await startChildServer(["--state-dir", dir]);
    const c = iam(server.url);
    await c.send(new CreateUserCommand({ UserName: "dave" }));
    c.destroy();
    assert.equal(statSync(dir).mode & 0o777, 0o700, "the directory is closed to others while the server runs");
    assert.equal(await server.stop("SIGTERM"), 0);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        const st = lstatSync(p);
        if (st.isDirectory()) {
          assert.equal(st.mode & 0o777, 0o700, `${p} is ${(st.mode & 0o777).toString(8)}`);
          walk(p);
        } else if (st.isFile()) {
          files.push(p);
          assert.equal(st.mode & 0o777, 0o600, `${p} is ${(st.mode & 0o777).toString(8)}`);
        }
      }
    };
    walk(dir);
    assert.ok(files.length > 100, `the database's files were checked (${files.length})`);
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
