import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ChatMessage, MessageKind, RoomKind } from "@chatroom/proto/protocol";
import { applyRevision, isRevisionEvent, MessageRevisions } from "../src/message-revisions.ts";

function entry(seq: number, fields: Partial<ChatMessage> = {}): ChatMessage {
  return {
    id: `m${seq}`,
    roomId: "lobby",
    seq,
    senderId: 1,
    senderName: "ann",
    text: `text ${seq}`,
    sentAtMs: 1000 + seq,
    clientMsgId: "",
    roomKind: RoomKind.ROOM_KIND_PUBLIC,
    ...fields,
  };
}

const edit = (seq: number, targetSeq: number, text: string) =>
  entry(seq, { kind: MessageKind.MESSAGE_KIND_EDIT, targetSeq, text });
const remove = (seq: number, targetSeq: number) =>
  entry(seq, { kind: MessageKind.MESSAGE_KIND_DELETE, targetSeq, text: "" });

describe("applyRevision", () => {
  it("applies an edit (text, editedAtMs) and a delete (tombstone); twice changes nothing more", () => {
    const message = entry(1);
    const edited = applyRevision(message, edit(2, 1, "better"));
    assert.deepEqual([edited.text, edited.editedAtMs], ["better", 1002]);
    assert.equal(applyRevision(edited, edit(2, 1, "better")), edited);
    const deleted = applyRevision(edited, remove(3, 1));
    assert.deepEqual([deleted.text, deleted.deleted], ["", true]);
    assert.equal(applyRevision(deleted, remove(3, 1)), deleted);
    assert.equal(applyRevision(deleted, edit(4, 1, "back")), deleted);
  });

  it("ignores an event the message already shows or one older (revised_seq)", () => {
    const message = entry(1, { text: "v2", editedAtMs: 1005, revisedSeq: 5 });
    assert.equal(applyRevision(message, edit(3, 1, "v1")), message);
    assert.equal(applyRevision(message, edit(5, 1, "v2")), message);
    assert.equal(applyRevision(message, edit(6, 1, "v3")).text, "v3");
  });

  it("leaves other messages alone", () => {
    const message = entry(5);
    assert.equal(applyRevision(message, edit(6, 1, "not you")), message);
    assert.equal(applyRevision(message, remove(6, 1)), message);
    assert.equal(applyRevision(message, entry(7)), message);
  });
});

describe("MessageRevisions", () => {
  it("tells each event once, only when newer than what its message shows", () => {
    const revisions = new MessageRevisions();
    assert.equal(isRevisionEvent(edit(2, 1, "a")), true);
    assert.equal(isRevisionEvent(entry(1)), false);
    assert.equal(revisions.record(edit(2, 1, "a")), true);
    assert.equal(revisions.record(edit(2, 1, "a")), false, "the same event again (resume after live)");
    assert.equal(revisions.record(edit(4, 1, "b")), true);
    assert.equal(revisions.record(edit(3, 1, "older")), false, "an older edit never undoes a newer one");
    assert.equal(revisions.record(remove(5, 1)), true);
    assert.equal(revisions.record(remove(6, 1)), false, "a deleted message takes no more news");
    assert.equal(revisions.record(edit(7, 9, "other message")), true);
  });

  it("takes a history page's events and tombstones as seen", () => {
    const revisions = new MessageRevisions();
    revisions.recordPage([
      entry(1, { text: "edited", editedAtMs: 1003 }),
      entry(2, { deleted: true, text: "" }),
      edit(3, 1, "edited"),
    ]);
    assert.equal(revisions.record(edit(3, 1, "edited")), false);
    assert.equal(revisions.record(remove(4, 2)), false);
    assert.equal(revisions.record(remove(5, 1)), true);
  });

  it("takes what a stored message shows (revised_seq) as seen", () => {
    const revisions = new MessageRevisions();
    revisions.recordPage([entry(1, { text: "v2", editedAtMs: 1005, revisedSeq: 5 })]);
    assert.equal(revisions.record(edit(3, 1, "v1")), false);
    assert.equal(revisions.record(edit(5, 1, "v2")), false);
    assert.equal(revisions.record(edit(6, 1, "v3")), true);
  });
});
