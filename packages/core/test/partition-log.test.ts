import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PartitionLog } from "../src/push-bus/partition-log.ts";

describe("PartitionLog", () => {
  it("gives appended entries consecutive offsets from 0", () => {
    const log = new PartitionLog<string>();
    assert.equal(log.append("a"), 0);
    assert.equal(log.append("b"), 1);
    assert.equal(log.at(1), "b");
    assert.equal(log.at(2), undefined);
    assert.deepEqual(log.slice(0, 10), ["a", "b"]);
    assert.equal(log.endOffset, 2);
  });

  it("keeps offsets stable across trims and compactions", () => {
    const log = new PartitionLog<number>();
    for (let i = 0; i < 5000; i++) log.append(i);
    log.trimBefore(3000);
    assert.equal(log.startOffset, 3000);
    assert.equal(log.size, 2000);
    assert.equal(log.at(2999), undefined);
    assert.equal(log.at(3000), 3000);
    assert.deepEqual(log.slice(4998, 5), [4998, 4999]);
    assert.deepEqual(log.slice(10, 5), []);
    assert.equal(log.append(5000), 5000);
    log.trimBefore(100);
    assert.equal(log.startOffset, 3000);
    log.trimBefore(9999);
    assert.equal(log.size, 0);
    assert.equal(log.startOffset, 5001);
    assert.equal(log.append(1), 5001);
  });
});
