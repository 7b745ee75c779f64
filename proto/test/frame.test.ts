import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeFrame,
  decodeRawBatch,
  encodeFrame,
  encodeRawBatch,
  FrameError,
  HEADER_LENGTH,
  Op,
  opName,
  SendRequest,
} from "../src/protocol.ts";

describe("goim frame codec", () => {
  it("writes the 16-byte big-endian header goim clients expect", () => {
    const frame = encodeFrame(Op.AUTH, 0x01020304, new Uint8Array([0xaa, 0xbb]));
    assert.equal(frame.length, HEADER_LENGTH + 2);
    assert.deepEqual([...frame], [0, 0, 0, 18, 0, 16, 0, 1, 0, 0, 0, 7, 1, 2, 3, 4, 0xaa, 0xbb]);
  });

  it("round-trips a protobuf body", () => {
    const body = SendRequest.encode({ roomId: "lobby", toMemberId: 0, clientMsgId: "c1", text: "héllo" }).finish();
    const decoded = decodeFrame(encodeFrame(Op.SEND, 42, body));
    assert.equal(decoded.op, Op.SEND);
    assert.equal(decoded.seq, 42);
    assert.equal(decoded.ver, 1);
    assert.deepEqual(SendRequest.decode(decoded.body), {
      roomId: "lobby",
      toMemberId: 0,
      clientMsgId: "c1",
      text: "héllo",
    });
  });

  it("packs frames into an OP_RAW batch and unpacks them in order", () => {
    const frames = [1, 2, 3].map((n) => encodeFrame(Op.MESSAGE, 0, new Uint8Array([n])));
    const raw = decodeFrame(encodeRawBatch(frames));
    assert.equal(raw.op, Op.RAW);
    assert.deepEqual(
      decodeRawBatch(raw.body).map((f) => [f.op, f.body[0]]),
      [
        [Op.MESSAGE, 1],
        [Op.MESSAGE, 2],
        [Op.MESSAGE, 3],
      ],
    );
  });

  it("rejects short, mismatched, malformed and oversize frames with a code", () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        assert.ok(error instanceof FrameError);
        return error.code;
      }
      assert.fail("expected a FrameError");
    };
    assert.equal(
      code(() => decodeFrame(new Uint8Array(5))),
      "frame_too_short",
    );
    const good = encodeFrame(Op.SEND, 1, new Uint8Array(10));
    assert.equal(
      code(() => decodeFrame(good.subarray(0, 20))),
      "frame_length_mismatch",
    );
    const badHeader = good.slice();
    badHeader[5] = 20;
    assert.equal(
      code(() => decodeFrame(badHeader)),
      "frame_bad_header",
    );
    assert.equal(
      code(() => decodeFrame(encodeFrame(Op.SEND, 1, new Uint8Array(100)), 64)),
      "frame_too_large",
    );
    const trailing = new Uint8Array(good.length + 3);
    trailing.set(good);
    assert.equal(
      code(() => decodeFrame(trailing)),
      "frame_length_mismatch",
    );
  });

  it("names ops for logs", () => {
    assert.equal(opName(Op.HEARTBEAT_REPLY), "HEARTBEAT_REPLY");
    assert.equal(opName(1000), "op_1000");
  });
});
