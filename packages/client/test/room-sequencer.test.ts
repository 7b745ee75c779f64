import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { ChatMessage } from "@chatroom/proto/protocol";
import { RoomSequencer, type SequencerAction } from "../src/room-sequencer.ts";

function msg(roomId: string, seq: number): ChatMessage {
  return {
    id: `${roomId}-${seq}`,
    roomId,
    seq,
    senderId: 1,
    senderName: "ann",
    text: `message ${seq}`,
    sentAtMs: 1_700_000_000_000 + seq,
    clientMsgId: `c-${seq}`,
    roomKind: 1,
  };
}

function delivered(actions: SequencerAction[]): number[] {
  return actions.flatMap((a) => (a.type === "deliver" ? [a.message.seq] : []));
}

function waits(actions: SequencerAction[]): string[] {
  return actions.flatMap((a) => (a.type === "wait" ? [a.roomId] : []));
}

function fetches(actions: SequencerAction[]): { roomId: string; afterSeq: number }[] {
  return actions.flatMap((a) => (a.type === "fetch" ? [{ roomId: a.roomId, afterSeq: a.afterSeq }] : []));
}

describe("RoomSequencer", () => {
  it("delivers messages that arrive in order immediately", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    assert.deepEqual(delivered(s.receive(msg("lobby", 1))), [1]);
    assert.deepEqual(delivered(s.receive(msg("lobby", 2))), [2]);
    assert.deepEqual(s.receive(msg("lobby", 3)), [{ type: "deliver", message: msg("lobby", 3) }]);
    assert.equal(s.lastSeq("lobby"), 3);
  });

  it("drops duplicates and messages at or before the starting seq", () => {
    const s = new RoomSequencer();
    s.track("lobby", 5);
    assert.deepEqual(s.receive(msg("lobby", 4)), []);
    assert.deepEqual(s.receive(msg("lobby", 5)), []);
    assert.deepEqual(delivered(s.receive(msg("lobby", 6))), [6]);
    assert.deepEqual(s.receive(msg("lobby", 6)), []);
    assert.equal(s.lastSeq("lobby"), 6);
  });

  it("holds a message after a gap, asks to fill the gap once, and delivers in order when it is filled", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    assert.deepEqual(delivered(s.receive(msg("lobby", 1))), [1]);
    const afterGap = s.receive(msg("lobby", 4));
    assert.deepEqual(delivered(afterGap), []);
    assert.deepEqual(afterGap, [{ type: "wait", roomId: "lobby" }]);
    // Another held message during the grace period does not wait again.
    assert.deepEqual(s.receive(msg("lobby", 5)), []);
    assert.deepEqual(s.holeDue("lobby"), [{ type: "fetch", roomId: "lobby", afterSeq: 1 }]);
    // Another held message while the fetch is in flight does not ask again.
    assert.deepEqual(s.receive(msg("lobby", 6)), []);
    assert.equal(s.heldCount("lobby"), 3);
    const page = s.historyPage("lobby", [msg("lobby", 2), msg("lobby", 3), msg("lobby", 4)], false);
    assert.deepEqual(delivered(page), [2, 3, 4, 5, 6]);
    assert.deepEqual(fetches(page), []);
    assert.equal(s.heldCount("lobby"), 0);
  });

  it("asks nothing when a live message fills the hole during the grace period (pushes reordered by two logics)", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 1));
    assert.deepEqual(waits(s.receive(msg("lobby", 3))), ["lobby"]);
    assert.deepEqual(delivered(s.receive(msg("lobby", 2))), [2, 3]);
    assert.deepEqual(s.holeDue("lobby"), []);
    // The next hole gets a grace period of its own.
    assert.deepEqual(waits(s.receive(msg("lobby", 5))), ["lobby"]);
  });

  it("fetches at once, without a grace period, what a resume says is missing", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.beginResume(["lobby"]);
    assert.deepEqual(s.resumed([{ roomId: "lobby", replayed: 0, lastSeq: 2, hasMore: false }]), [
      { type: "fetch", roomId: "lobby", afterSeq: 0 },
    ]);
  });

  it("fills a gap with a live message that arrives before the fetch reply", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 1));
    s.receive(msg("lobby", 3));
    assert.deepEqual(delivered(s.receive(msg("lobby", 2))), [2, 3]);
    const page = s.historyPage("lobby", [msg("lobby", 2), msg("lobby", 3)], false);
    assert.deepEqual(page, []);
    assert.equal(s.lastSeq("lobby"), 3);
  });

  it("pages on after a resume with has_more, holding live messages until it has caught up", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.beginResume(["lobby"]);
    const replay = [1, 2, 3].flatMap((seq) => s.receive(msg("lobby", seq)));
    assert.deepEqual(delivered(replay), [1, 2, 3]);
    // A live message during the resume is held and does not start a fetch: the server is replaying.
    assert.deepEqual(s.receive(msg("lobby", 10)), []);
    const afterResume = s.resumed([{ roomId: "lobby", replayed: 3, lastSeq: 9, hasMore: true }]);
    assert.deepEqual(afterResume, [{ type: "fetch", roomId: "lobby", afterSeq: 3 }]);
    const page1 = s.historyPage(
      "lobby",
      [4, 5, 6].map((seq) => msg("lobby", seq)),
      true,
    );
    assert.deepEqual(delivered(page1), [4, 5, 6]);
    assert.deepEqual(fetches(page1), [{ roomId: "lobby", afterSeq: 6 }]);
    const page2 = s.historyPage(
      "lobby",
      [7, 8, 9].map((seq) => msg("lobby", seq)),
      false,
    );
    assert.deepEqual(delivered(page2), [7, 8, 9, 10]);
    assert.deepEqual(fetches(page2), []);
  });

  it("fetches after a resume whose last_seq is beyond what was replayed", () => {
    const s = new RoomSequencer();
    s.track("lobby", 2);
    s.beginResume(["lobby"]);
    s.receive(msg("lobby", 3));
    assert.deepEqual(s.resumed([{ roomId: "lobby", replayed: 1, lastSeq: 4, hasMore: false }]), [
      { type: "fetch", roomId: "lobby", afterSeq: 3 },
    ]);
  });

  it("asks nothing after a resume that replayed everything", () => {
    const s = new RoomSequencer();
    s.track("a", 0);
    s.track("b", 7);
    s.beginResume(["a", "b"]);
    s.receive(msg("a", 1));
    const actions = s.resumed([
      { roomId: "a", replayed: 1, lastSeq: 1, hasMore: false },
      { roomId: "b", replayed: 0, lastSeq: 7, hasMore: false },
    ]);
    assert.deepEqual(actions, []);
  });

  it("fetches for a held gap once the resume ends, even for rooms missing from the reply", () => {
    const s = new RoomSequencer();
    s.track("lobby", 1);
    s.beginResume(["lobby"]);
    assert.deepEqual(s.receive(msg("lobby", 4)), []);
    assert.deepEqual(s.resumed([]), [{ type: "fetch", roomId: "lobby", afterSeq: 1 }]);
  });

  it("skips a hole the server cannot fill instead of asking forever", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 1));
    assert.deepEqual(waits(s.receive(msg("lobby", 5))), ["lobby"]);
    assert.deepEqual(fetches(s.holeDue("lobby")), [{ roomId: "lobby", afterSeq: 1 }]);
    const page = s.historyPage("lobby", [], false);
    assert.deepEqual(delivered(page), [5]);
    assert.deepEqual(fetches(page), []);
  });

  it("asks again when a message held after the fetch was issued is still missing its predecessors", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 1));
    s.receive(msg("lobby", 3));
    s.receive(msg("lobby", 6));
    // The page was read before 4 and 5 were stored: 3 is delivered, 6 waits for another fetch.
    const page = s.historyPage("lobby", [msg("lobby", 2), msg("lobby", 3)], false);
    assert.deepEqual(delivered(page), [2, 3]);
    assert.deepEqual(fetches(page), [{ roomId: "lobby", afterSeq: 3 }]);
  });

  it("starts a room it never tracked right before its first message", () => {
    const s = new RoomSequencer();
    assert.deepEqual(delivered(s.receive(msg("dm:1:2", 7))), [7]);
    assert.deepEqual(delivered(s.receive(msg("dm:1:2", 8))), [8]);
    assert.equal(s.seen("dm:1:2"), true);
  });

  it("keeps rooms independent", () => {
    const s = new RoomSequencer();
    s.track("a", 0);
    s.track("b", 0);
    s.receive(msg("a", 2));
    assert.deepEqual(delivered(s.receive(msg("b", 1))), [1]);
    assert.equal(s.heldCount("a"), 1);
    assert.equal(s.lastSeq("a"), 0);
  });

  it("refetches after a lost connection only once the new resume ends", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 1));
    s.receive(msg("lobby", 3));
    s.connectionLost();
    s.beginResume(["lobby"]);
    assert.deepEqual(s.receive(msg("lobby", 4)), []);
    assert.deepEqual(delivered(s.receive(msg("lobby", 2))), [2, 3, 4]);
    assert.deepEqual(s.resumed([{ roomId: "lobby", replayed: 1, lastSeq: 4, hasMore: false }]), []);
  });

  it("retries a failed fetch when asked to", () => {
    const s = new RoomSequencer();
    s.track("lobby", 0);
    s.receive(msg("lobby", 2));
    s.fetchFailed("lobby");
    assert.deepEqual(s.retry("lobby"), [{ type: "fetch", roomId: "lobby", afterSeq: 0 }]);
    assert.deepEqual(s.retry("lobby"), []);
  });

  it("forgets a room and ignores late pages for it", () => {
    const s = new RoomSequencer();
    s.track("lobby", 3);
    s.forget("lobby");
    assert.equal(s.has("lobby"), false);
    assert.deepEqual(s.historyPage("lobby", [msg("lobby", 4)], false), []);
  });
});
