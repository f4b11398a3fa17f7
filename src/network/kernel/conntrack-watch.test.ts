import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseConntrackLine } from "./conntrack-watch.ts";

// Lines as `conntrack -E -o id` (conntrack-tools 1.4.7) prints them.
const NEW = "    [NEW] tcp      6 120 SYN_SENT src=10.0.3.57 dst=10.0.1.25 sport=45678 dport=5432 [UNREPLIED] src=10.0.1.25 dst=10.0.3.57 sport=5432 dport=45678 id=3141";
const EST = " [UPDATE] tcp      6 432000 ESTABLISHED src=10.0.3.57 dst=10.0.1.25 sport=45678 dport=5432 src=10.0.1.25 dst=10.0.3.57 sport=5432 dport=45678 [ASSURED] id=3141";
const FIN = " [UPDATE] tcp      6 120 FIN_WAIT src=10.0.3.57 dst=10.0.1.25 sport=45678 dport=5432 src=10.0.1.25 dst=10.0.3.57 sport=5432 dport=45678 [ASSURED] id=3141";
const DESTROY = "[DESTROY] tcp      6 src=2600:1f18::57 dst=2001:db8:ffff::10 sport=40000 dport=8000 src=2001:db8:ffff::10 dst=2600:1f18::57 sport=8000 dport=40000 [ASSURED] id=99";

describe("parseConntrackLine", () => {
  it("reads the event type, TCP state, id and the original direction's addresses and ports", () => {
    assert.deepEqual(parseConntrackLine(NEW), { type: "NEW", state: "SYN_SENT", id: "3141", src: "10.0.3.57", dst: "10.0.1.25", sport: 45678, dport: 5432 });
    assert.equal(parseConntrackLine(EST)?.state, "ESTABLISHED");
    assert.equal(parseConntrackLine(FIN)?.state, "FIN_WAIT");
    assert.deepEqual(parseConntrackLine(DESTROY), { type: "DESTROY", state: undefined, id: "99", src: "2600:1f18::57", dst: "2001:db8:ffff::10", sport: 40000, dport: 8000 });
  });

  it("ignores what is not a TCP event line", () => {
    for (const line of ["", "conntrack v1.4.7 (conntrack-tools): 3 flow events have been shown.", " [NEW] udp      17 30 src=10.0.3.57 dst=169.254.169.253 sport=5000 dport=53 [UNREPLIED] id=1"]) {
      assert.equal(parseConntrackLine(line), undefined, line);
    }
  });
});
