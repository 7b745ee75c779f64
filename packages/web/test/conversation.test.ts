import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatMessage } from "@chatroom/client";
import { Conversation } from "../src/conversation.ts";

function msg(seq: number, clientMsgId = `c${seq}`): ChatMessage {
  return {
    id: `m${seq}`,
    roomId: "lobby",
    seq,
    senderId: 1,
    senderName: "ann",
    text: `t${seq}`,
    sentAtMs: seq,
    clientMsgId,
    roomKind: 1,
  };
}

describe("Conversation", () => {
  it("keeps messages in seq order whatever order they arrive in, each once", () => {
    const c = new Conversation("lobby");
    assert.equal(c.add(msg(5)), true);
    c.addPage([msg(2), msg(3), msg(4)], true);
    assert.equal(c.add(msg(4)), false);
    c.add(msg(6));
    assert.deepEqual(
      c.messages.map((m) => m.seq),
      [2, 3, 4, 5, 6],
    );
    assert.equal(c.oldestSeq, 2);
    assert.equal(c.newestSeq, 6);
  });

  it("knows there is nothing older once a page says so or message 1 is held", () => {
    const a = new Conversation("lobby");
    a.addPage([msg(10)], false);
    assert.equal(a.hasOlder, false);
    const b = new Conversation("lobby");
    b.addPage([msg(2)], true);
    assert.equal(b.hasOlder, true);
    b.add(msg(1));
    assert.equal(b.hasOlder, false);
  });

  it("replaces a pending send by the stored message that acknowledges it", () => {
    const c = new Conversation("lobby");
    c.addPending({ clientMsgId: "mine", text: "hello", target: { roomId: "lobby" } });
    assert.equal(c.pending.get("mine")?.state, "pending");
    c.add(msg(7, "mine"));
    assert.equal(c.pending.size, 0);
    assert.deepEqual(
      c.messages.map((m) => m.seq),
      [7],
    );
  });

  it("marks a send failed and pending again for a retry with the same clientMsgId", () => {
    const c = new Conversation("lobby");
    c.addPending({ clientMsgId: "mine", text: "hello", target: { memberId: 4 } });
    c.fail("mine", "too fast");
    assert.deepEqual(
      { state: c.pending.get("mine")?.state, error: c.pending.get("mine")?.error },
      { state: "failed", error: "too fast" },
    );
    const again = c.retrying("mine");
    assert.equal(again?.state, "pending");
    assert.equal(again?.clientMsgId, "mine");
  });
});
