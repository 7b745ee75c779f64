import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ExpiryQueue } from "../src/util/expiry-queue.ts";

describe("ExpiryQueue", () => {
  it("pops keys whose deadline passed, earliest first", () => {
    const queue = new ExpiryQueue<string>();
    queue.schedule("c", 30);
    queue.schedule("a", 10);
    queue.schedule("b", 20);
    assert.equal(queue.peek(), 10);
    assert.deepEqual(queue.popExpired(25), ["a", "b"]);
    assert.deepEqual(queue.popExpired(25), []);
    assert.equal(queue.size, 1);
  });

  it("honours only the latest deadline of a rescheduled key, and none of a deleted one", () => {
    const queue = new ExpiryQueue<string>();
    queue.schedule("a", 10);
    queue.schedule("a", 50);
    queue.schedule("b", 20);
    queue.delete("b");
    assert.deepEqual(queue.popExpired(40), []);
    assert.equal(queue.peek(), 50);
    assert.equal(queue.deadlineOf("a"), 50);
    assert.deepEqual(queue.popExpired(50), ["a"]);
    assert.equal(queue.peek(), undefined);
  });

  it("stays correct when many reschedules force rebuilds", () => {
    const queue = new ExpiryQueue<number>();
    for (let round = 0; round < 50; round++) for (let key = 0; key < 20; key++) queue.schedule(key, round * 100 + key);
    assert.equal(queue.size, 20);
    assert.deepEqual(
      queue.popExpired(4909),
      Array.from({ length: 10 }, (_, i) => i),
    );
    assert.deepEqual(
      queue.popExpired(Number.POSITIVE_INFINITY),
      Array.from({ length: 10 }, (_, i) => i + 10),
    );
  });
});
