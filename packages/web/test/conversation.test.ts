import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChatMessage, MessageKind } from "@chatroom/client";
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

function edit(seq: number, targetSeq: number, text: string): ChatMessage {
  return { ...msg(seq, ""), kind: MessageKind.MESSAGE_KIND_EDIT, targetSeq, text, sentAtMs: 100 + seq };
}

function remove(seq: number, targetSeq: number): ChatMessage {
  return { ...msg(seq, ""), kind: MessageKind.MESSAGE_KIND_DELETE, targetSeq, text: "" };
}

describe("Conversation edits and deletes", () => {
  it("never lets an older event undo a newer one the message shows (revised_seq)", () => {
    const c = new Conversation("lobby");
    // A newer page was read first; an older one brings the message as it is now and an older edit of it.
    c.addPage([{ ...msg(1), text: "v2", editedAtMs: 150, revisedSeq: 5 }, edit(3, 1, "v1")], false);
    assert.equal(c.bySeq(1)?.text, "v2");
    assert.equal(c.revise(edit(5, 1, "v2")), false);
    assert.equal(c.revise(edit(7, 1, "v3")), true);
    assert.equal(c.bySeq(1)?.text, "v3");
  });

  it("applies events to their messages, once, and never lists the events themselves", () => {
    const c = new Conversation("lobby");
    c.addPage([msg(1), msg(2), edit(3, 1, "better")], false);
    assert.deepEqual(
      c.messages.map((m) => m.seq),
      [1, 2],
    );
    assert.equal(c.bySeq(1)?.text, "better");
    assert.equal(c.revise(edit(3, 1, "better")), false, "seen twice: nothing changes");
    assert.equal(c.revise(remove(4, 2)), true);
    assert.deepEqual([c.bySeq(2)?.text, c.bySeq(2)?.deleted], ["", true]);
    assert.equal(c.revise(remove(4, 2)), false);
    assert.equal(c.revise(edit(5, 2, "back")), false, "a tombstone takes no edit");
  });

  it("lets a more revised copy of a held message replace it, never a less revised one", () => {
    const c = new Conversation("lobby");
    c.add(msg(1));
    c.addPage([{ ...msg(1), text: "edited", editedAtMs: 50, revisedSeq: 4 }], false);
    assert.equal(c.bySeq(1)?.text, "edited");
    c.add(msg(1));
    assert.equal(c.bySeq(1)?.text, "edited");
    c.add({ ...msg(1), text: "older edit", editedAtMs: 40, revisedSeq: 3 });
    assert.equal(c.bySeq(1)?.text, "edited");
    c.add({ ...msg(1), text: "", deleted: true, revisedSeq: 6 });
    assert.equal(c.bySeq(1)?.deleted, true);
    c.add({ ...msg(1), text: "later edit", editedAtMs: 90, revisedSeq: 9 });
    assert.equal(c.bySeq(1)?.deleted, true);
  });
});

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
