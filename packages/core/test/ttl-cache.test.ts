import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TtlCache } from "@chatroom/core";

describe("TtlCache", () => {
  it("forgets an entry ttl after it was set, and the oldest entry once full", () => {
    let now = 1000;
    const cache = new TtlCache<string, number>({ maxEntries: 2, ttlMs: 100, now: () => now });
    cache.set("a", 1);
    now += 50;
    cache.set("b", 2);
    assert.equal(cache.get("a"), 1);
    now += 60;
    assert.equal(cache.get("a"), undefined, "expired");
    assert.equal(cache.get("b"), 2);
    cache.set("c", 3);
    cache.set("d", 4);
    assert.deepEqual([cache.get("b"), cache.get("c"), cache.get("d")], [undefined, 3, 4], "b was set first");
    cache.set("c", 5);
    cache.set("e", 6);
    assert.deepEqual([cache.get("c"), cache.get("d"), cache.get("e")], [5, undefined, 6], "re-setting refreshes");
    cache.delete("e");
    assert.equal(cache.get("e"), undefined);
    cache.clear();
    assert.equal(cache.size, 0);
  });

  it("holds nothing when its ttl is 0 (caching off)", () => {
    const cache = new TtlCache<string, number>({ maxEntries: 10, ttlMs: 0 });
    cache.set("a", 1);
    assert.equal(cache.get("a"), undefined);
  });
});
