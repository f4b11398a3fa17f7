import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CredentialRegistry } from "./credentials.ts";

describe("CredentialRegistry", () => {
  const make = (accountKeySecret: string | undefined) => {
    const r = new CredentialRegistry({ defaultAccount: "000000000000", acceptAny: false, accountKeySecret });
    r.addRootKey("test", "root-secret");
    return r;
  };

  it("a 12-digit key is that account's root, with the configured root secret only", () => {
    const c = make("root-secret").resolve("111111111111");
    assert.ok(c && c !== "refused");
    assert.equal(c.secretAccessKey, "root-secret");
    assert.equal(c.principal.arn, "arn:aws:iam::111111111111:root");
  });

  it("with the convention off, a 12-digit key is unknown", () => {
    assert.equal(make(undefined).resolve("111111111111"), undefined);
    assert.equal(make(undefined).resolve("test") !== undefined, true);
  });

  it("a key a resolver refuses stays refused; later resolvers are not asked", () => {
    const r = make("root-secret");
    let asked = false;
    r.addResolver((id) => (id === "AKIAGONE" ? "refused" : undefined));
    r.addResolver(() => {
      asked = true;
      return undefined;
    });
    assert.equal(r.resolve("AKIAGONE"), "refused");
    assert.equal(asked, false);
    assert.equal(r.resolve("AKIANEVER"), undefined);
  });
});
