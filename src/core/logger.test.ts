import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { batchedWriter, createLogger } from "./logger.ts";

describe("logger", () => {
  it("writes the lines of one event-loop turn together, in order, after the turn", async () => {
    const writes: string[] = [];
    const logger = createLogger("info", batchedWriter((text) => writes.push(text)));
    logger.info("one");
    logger.debug("below the level");
    logger.warn("two");
    assert.deepEqual(writes, [], "nothing written within the turn");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 1);
    assert.match(writes[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  one\n\S+ WARN  two\n$/);
    logger.error("three");
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writes.length, 2);
    assert.match(writes[1], / ERROR three\n$/);
  });

  it("writes what is pending when the process exits", () => {
    const source = `import { createLogger } from ${JSON.stringify(new URL("./logger.ts", import.meta.url).href)};
      const log = createLogger("info"); log.info("first"); log.error("last words"); process.exit(3);`;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], { encoding: "utf8" });
    assert.equal(r.status, 3);
    assert.match(r.stderr, /INFO  first\n.* ERROR last words\n$/);
  });
});
