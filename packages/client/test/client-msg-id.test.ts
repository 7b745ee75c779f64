import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { newClientMsgId } from "../src/client-msg-id.ts";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("newClientMsgId", () => {
  it("returns distinct v4 UUIDs", () => {
    const ids = new Set(Array.from({ length: 100 }, () => newClientMsgId()));
    assert.equal(ids.size, 100);
    for (const id of ids) assert.match(id, UUID_V4);
  });

  it("falls back to getRandomValues where randomUUID is missing (plain-http pages)", () => {
    const descriptor = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(crypto), "randomUUID");
    assert.ok(descriptor, "the test expects randomUUID on the Crypto prototype");
    Object.defineProperty(crypto, "randomUUID", { value: undefined, configurable: true });
    try {
      const ids = new Set(Array.from({ length: 100 }, () => newClientMsgId()));
      assert.equal(ids.size, 100);
      for (const id of ids) assert.match(id, UUID_V4);
    } finally {
      Reflect.deleteProperty(crypto, "randomUUID");
    }
    assert.equal(typeof crypto.randomUUID, "function");
  });
});
