import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeRawBatch, HEADER_LENGTH, Op } from "@chatroom/proto/protocol";
import { rawBatches } from "../src/logic-api/frames.ts";

describe("OP_RAW batches of pushes", () => {
  it("pack bodies in order into one batch when they fit", () => {
    const bodies = [new Uint8Array([1]), new Uint8Array([2, 2]), new Uint8Array([3, 3, 3])];
    const batches = rawBatches(Op.MESSAGE, bodies, 1024);
    assert.equal(batches.length, 1);
    assert.equal(batches[0]?.op, Op.RAW);
    assert.equal(batches[0]?.seq, 0);
    const frames = decodeRawBatch(batches[0]?.body ?? new Uint8Array());
    assert.deepEqual(
      frames.map((f) => [f.op, f.seq, [...f.body]]),
      [
        [Op.MESSAGE, 0, [1]],
        [Op.MESSAGE, 0, [2, 2]],
        [Op.MESSAGE, 0, [3, 3, 3]],
      ],
    );
  });

  it("split into several batches, each within the frame limit, keeping the order", () => {
    const bodies = Array.from({ length: 10 }, (_, i) => new Uint8Array(100).fill(i));
    const maxFrameBytes = 400;
    const batches = rawBatches(Op.MESSAGE, bodies, maxFrameBytes);
    assert.ok(batches.length > 1);
    for (const batch of batches) assert.ok(batch.body.length + HEADER_LENGTH <= maxFrameBytes);
    const order = batches.flatMap((b) => decodeRawBatch(b.body).map((f) => f.body[0]));
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("produce nothing for no bodies", () => {
    assert.deepEqual(rawBatches(Op.MESSAGE, [], 1024), []);
  });
});
