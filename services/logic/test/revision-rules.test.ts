import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isChatError, type StoredMessage } from "@chatroom/core";
import { decideRevision, type RevisionAttempt } from "../src/services/revision-rules.ts";

const ANN = 1;
const BOB = 2;
const WINDOW = 15 * 60_000;

const message: StoredMessage = {
  id: "m1",
  roomId: "lobby",
  seq: 4,
  senderId: ANN,
  senderName: "ann",
  text: "hello",
  sentAtMs: 1_000_000,
  clientMsgId: "c1",
};

function attempt(overrides: Partial<RevisionAttempt>): RevisionAttempt {
  return {
    kind: "edit",
    actorId: ANN,
    role: "member",
    target: message,
    nowMs: 1_000_000 + 1000,
    windowMs: WINDOW,
    ...overrides,
  };
}

function refusal(overrides: Partial<RevisionAttempt>): string {
  try {
    decideRevision(attempt(overrides));
  } catch (error) {
    assert.ok(isChatError(error));
    return error.code;
  }
  assert.fail("the attempt was allowed");
}

describe("decideRevision", () => {
  it("lets the author edit and delete their message within the window", () => {
    assert.equal(decideRevision(attempt({ kind: "edit" })), "revise");
    assert.equal(decideRevision(attempt({ kind: "delete" })), "revise");
    assert.equal(decideRevision(attempt({ kind: "edit", nowMs: message.sentAtMs + WINDOW })), "revise");
  });

  it("closes the window for the author after CHATROOM_MESSAGE_EDIT_WINDOW_MS; 0 means no limit", () => {
    const late = message.sentAtMs + WINDOW + 1;
    assert.equal(refusal({ kind: "edit", nowMs: late }), "edit_window_closed");
    assert.equal(refusal({ kind: "delete", nowMs: late }), "edit_window_closed");
    assert.equal(decideRevision(attempt({ kind: "edit", nowMs: late * 100, windowMs: 0 })), "revise");
  });

  it("lets nobody but the author edit, moderators and owners included", () => {
    for (const role of ["member", "moderator", "owner", null] as const) {
      assert.equal(refusal({ kind: "edit", actorId: BOB, role }), "not_author");
    }
  });

  it("lets owners and moderators delete any message at any time, plain members only their own", () => {
    const late = message.sentAtMs + WINDOW * 10;
    assert.equal(decideRevision(attempt({ kind: "delete", actorId: BOB, role: "moderator", nowMs: late })), "revise");
    assert.equal(decideRevision(attempt({ kind: "delete", actorId: BOB, role: "owner", nowMs: late })), "revise");
    assert.equal(decideRevision(attempt({ kind: "delete", actorId: ANN, role: "owner", nowMs: late })), "revise");
    assert.equal(refusal({ kind: "delete", actorId: BOB, role: "member" }), "insufficient_role");
    assert.equal(refusal({ kind: "delete", actorId: BOB, role: null }), "insufficient_role");
  });

  it("refuses editing a deleted message; deleting it again is an idempotent success", () => {
    const tombstone: StoredMessage = { ...message, text: "", deleted: true };
    assert.equal(refusal({ kind: "edit", target: tombstone }), "message_deleted");
    assert.equal(decideRevision(attempt({ kind: "delete", target: tombstone })), "already_deleted");
    assert.equal(decideRevision(attempt({ kind: "delete", actorId: BOB, target: tombstone })), "already_deleted");
  });

  it("refuses a missing seq and an edit or delete event as the target with message_not_found", () => {
    const event: StoredMessage = { ...message, seq: 5, kind: "edit", targetSeq: 4 };
    assert.equal(refusal({ target: null }), "message_not_found");
    assert.equal(refusal({ kind: "edit", target: event }), "message_not_found");
    assert.equal(refusal({ kind: "delete", role: "owner", target: event }), "message_not_found");
  });
});
