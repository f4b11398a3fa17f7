import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AdminAuth, generateAdminToken, isLoopbackListen } from "./admin-auth.ts";

describe("admin token", () => {
  it("is needed only when one is set", () => {
    const open = new AdminAuth(undefined);
    assert.equal(open.required, false);
    assert.equal(open.allows({}), true);
  });

  it("is taken from x-hyperlocal-admin-token or Authorization: Bearer, and nothing else", () => {
    const token = generateAdminToken();
    assert.ok(token.length >= 40);
    assert.notEqual(token, generateAdminToken());
    const auth = new AdminAuth(token);
    assert.equal(auth.required, true);
    assert.equal(auth.allows({ "x-hyperlocal-admin-token": token }), true);
    assert.equal(auth.allows({ authorization: `Bearer ${token}` }), true);
    assert.equal(auth.allows({ authorization: `bearer ${token}` }), true);
    assert.equal(auth.allows({}), false);
    assert.equal(auth.allows({ "x-hyperlocal-admin-token": token.slice(1) }), false);
    assert.equal(auth.allows({ "x-hyperlocal-admin-token": `${token}x` }), false);
    assert.equal(auth.allows({ authorization: `Basic ${token}` }), false);
    assert.equal(auth.allows({ authorization: token }), false);
  });

  it("tells loopback listen addresses from exposed ones", () => {
    for (const h of ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"]) assert.equal(isLoopbackListen(h), true, h);
    for (const h of ["0.0.0.0", "::", "192.168.1.5", "10.0.0.1", "devbox.internal", ""]) assert.equal(isLoopbackListen(h), false, h);
  });
});
