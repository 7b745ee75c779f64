import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashPassword, verifyPassword } from "../src/auth/password.ts";

describe("password hashing", () => {
  it("stores scrypt parameters, a 16-byte salt and the hash in the documented format", async () => {
    const hash = await hashPassword("correct horse battery");
    const parts = hash.split("$");
    assert.equal(parts.length, 6);
    assert.deepEqual(parts.slice(0, 4), ["scrypt", "16384", "8", "1"]);
    assert.equal(Buffer.from(parts[4] ?? "", "base64url").length, 16);
    assert.ok(Buffer.from(parts[5] ?? "", "base64url").length >= 32);
    assert.doesNotMatch(hash, /correct horse/);
  });

  it("accepts the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("correct horse battery");
    assert.equal(await verifyPassword("correct horse battery", hash), true);
    assert.equal(await verifyPassword("correct horse batterz", hash), false);
    assert.equal(await verifyPassword("", hash), false);
  });

  it("salts every hash, so the same password hashes differently", async () => {
    const [a, b] = await Promise.all([hashPassword("same password"), hashPassword("same password")]);
    assert.notEqual(a, b);
    assert.equal(await verifyPassword("same password", a), true);
    assert.equal(await verifyPassword("same password", b), true);
  });

  it("treats malformed stored hashes as a mismatch instead of throwing", async () => {
    for (const stored of ["", "plain", "bcrypt$1$2$3$abc$def", "scrypt$x$8$1$abc$def", "scrypt$16384$8$1$$"]) {
      assert.equal(await verifyPassword("whatever1", stored), false, stored);
    }
  });
});
