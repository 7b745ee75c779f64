import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { partitionOf } from "@chatroom/core";

describe("partitionOf", () => {
  it("maps a key to the same partition every time, within range", () => {
    for (let i = 0; i < 500; i++) {
      const key = `room:${i}`;
      const partition = partitionOf(key, 8);
      assert.ok(Number.isInteger(partition) && partition >= 0 && partition < 8);
      assert.equal(partitionOf(key, 8), partition);
    }
  });

  it("matches FNV-1a for known keys", () => {
    assert.equal(partitionOf("", 0x7fffffff), 0x811c9dc5 % 0x7fffffff);
    assert.equal(partitionOf("a", 2 ** 32), 0xe40c292c);
  });

  it("spreads keys over every partition", () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[partitionOf(`room:${i}`, 8)]!++;
    for (const count of counts) assert.ok(count > 500, `partition sizes ${counts.join(",")}`);
  });
});
