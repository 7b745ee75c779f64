import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ChatMessage,
  ErrorReply,
  HeartbeatReply,
  JoinReply,
  OnlineUpdate,
  Op,
  RoomEvent,
  RoomEventType,
  type RoomInfo,
} from "@chatroom/proto/protocol";
import { ChatClientError } from "../src/chat-client-error.ts";
import type { ChatClientEvents } from "../src/chat-client-types.ts";
import { FrameDispatcher } from "../src/frame-dispatcher.ts";
import { PendingRequests } from "../src/pending-requests.ts";
import { RoomDirectory } from "../src/room-directory.ts";
import { RoomSequencer } from "../src/room-sequencer.ts";
import { TypedEmitter } from "../src/typed-emitter.ts";
import { TypingTracker } from "../src/typing-tracker.ts";

const ME = 7;

function setup() {
  const pending = new PendingRequests();
  const emitter = new TypedEmitter<ChatClientEvents>();
  const sequencer = new RoomSequencer();
  const directory = new RoomDirectory(sequencer, emitter, () => ME);
  const messages: ChatMessage[] = [];
  const typing = new TypingTracker(emitter, () => ME);
  const dispatcher = new FrameDispatcher({ pending, emitter, directory, typing, onMessage: (m) => messages.push(m) });
  const errors: Error[] = [];
  const pushes: { op: number; body: Uint8Array }[] = [];
  emitter.on("error", (e) => errors.push(e));
  emitter.on("push", (p) => pushes.push(p));
  return { pending, emitter, sequencer, directory, typing, dispatcher, messages, errors, pushes };
}

function room(roomId: string, lastSeq = 0): RoomInfo {
  return { roomId, name: roomId, kind: 1, lastSeq, peerMemberId: 0, peerUsername: "", ackedSeq: 0, online: 0 };
}

const frame = (op: number, seq: number, body: Uint8Array) => ({ ver: 1, op, seq, body });

describe("FrameDispatcher", () => {
  it("hands a reply to the request with the same seq", async () => {
    const t = setup();
    const { seq, reply } = t.pending.add(Op.JOIN, 5000);
    const body = JoinReply.encode({ room: room("news") }).finish();
    t.dispatcher.dispatch(frame(Op.JOIN_REPLY, seq, body));
    assert.deepEqual(JoinReply.decode(await reply).room?.roomId, "news");
  });

  it("rejects the request named by an OP_ERROR with its code and retry delay", async () => {
    const t = setup();
    const { seq, reply } = t.pending.add(Op.SEND, 5000);
    const body = ErrorReply.encode({
      code: "rate_limited",
      message: "too fast",
      requestOp: Op.SEND,
      retryAfterMs: 450,
    }).finish();
    t.dispatcher.dispatch(frame(Op.ERROR, seq, body));
    await assert.rejects(reply, (e: unknown) => {
      assert.ok(e instanceof ChatClientError);
      assert.equal(e.code, "rate_limited");
      assert.equal(e.retryAfterMs, 450);
      assert.equal(e.requestOp, Op.SEND);
      return true;
    });
    assert.equal(t.errors.length, 0);
  });

  it("reports an OP_ERROR that answers no pending request as an error event", () => {
    const t = setup();
    const body = ErrorReply.encode({ code: "bad_request", message: "what", requestOp: 99, retryAfterMs: 0 }).finish();
    t.dispatcher.dispatch(frame(Op.ERROR, 0, body));
    assert.equal(t.errors.length, 1);
    assert.equal((t.errors[0] as ChatClientError).code, "bad_request");
  });

  it("passes chat messages to the message handler", () => {
    const t = setup();
    const message: ChatMessage = {
      id: "m1",
      roomId: "lobby",
      seq: 1,
      senderId: 1,
      senderName: "ann",
      text: "hi",
      sentAtMs: 1,
      clientMsgId: "c1",
      roomKind: 1,
    };
    t.dispatcher.dispatch(frame(Op.MESSAGE, 0, ChatMessage.encode(message).finish()));
    // The optional revision fields, absent from the wire, decode as undefined.
    const unrevised = {
      kind: undefined,
      targetSeq: undefined,
      editedAtMs: undefined,
      deleted: undefined,
      revisedSeq: undefined,
    };
    assert.deepEqual(t.messages, [{ ...message, ...unrevised }]);
  });

  it("updates the member's rooms on their own JOINED and LEFT events and forwards every event", () => {
    const t = setup();
    const events: RoomEvent[] = [];
    t.emitter.on("event", (e) => events.push(e));
    const joined = RoomEvent.encode({
      roomId: "news",
      type: RoomEventType.ROOM_EVENT_TYPE_JOINED,
      memberId: ME,
      username: "me",
      room: room("news", 12),
      seq: 0,
    }).finish();
    t.dispatcher.dispatch(frame(Op.EVENT, 0, joined));
    assert.equal(t.directory.rooms.get("news")?.lastSeq, 12);
    assert.equal(t.sequencer.lastSeq("news"), 12);
    const someoneElse = RoomEvent.encode({
      roomId: "news",
      type: RoomEventType.ROOM_EVENT_TYPE_LEFT,
      memberId: ME + 1,
      username: "other",
      room: undefined,
      seq: 0,
    }).finish();
    t.dispatcher.dispatch(frame(Op.EVENT, 0, someoneElse));
    assert.equal(t.directory.rooms.has("news"), true);
    const left = RoomEvent.encode({
      roomId: "news",
      type: RoomEventType.ROOM_EVENT_TYPE_LEFT,
      memberId: ME,
      username: "me",
      room: undefined,
      seq: 0,
    }).finish();
    t.dispatcher.dispatch(frame(Op.EVENT, 0, left));
    assert.equal(t.directory.rooms.has("news"), false);
    assert.equal(t.sequencer.has("news"), false);
    assert.equal(events.length, 3);
  });

  it("records online counts from the AuthReply, heartbeat replies and OP_ONLINE pushes of the member's rooms", () => {
    const t = setup();
    const seen: Array<Record<string, number>> = [];
    t.emitter.on("online", (online) => {
      seen.push(Object.fromEntries(online));
    });
    t.directory.reset([{ ...room("lobby"), online: 2 }], "latest");
    const heartbeat = HeartbeatReply.encode({ online: [{ roomId: "lobby", count: 3 }] }).finish();
    t.dispatcher.dispatch(frame(Op.HEARTBEAT_REPLY, 5, heartbeat));
    const pushed = OnlineUpdate.encode({
      online: [
        { roomId: "lobby", count: 4 },
        { roomId: "left-already", count: 9 },
      ],
    }).finish();
    t.dispatcher.dispatch(frame(Op.ONLINE, 0, pushed));
    t.dispatcher.dispatch(frame(Op.ONLINE, 0, pushed));
    assert.deepEqual(seen, [{ lobby: 2 }, { lobby: 3 }, { lobby: 4 }], "unchanged counts emit nothing");
  });

  it("emits server pushes of other ops as push events and drops late replies", () => {
    const t = setup();
    t.dispatcher.dispatch(frame(1000, 0, new Uint8Array([1, 2, 3])));
    t.dispatcher.dispatch(frame(Op.JOIN_REPLY, 41, new Uint8Array()));
    assert.deepEqual(t.pushes, [{ op: 1000, body: new Uint8Array([1, 2, 3]) }]);
  });

  it("reports an undecodable body as an error event instead of throwing", () => {
    const t = setup();
    t.dispatcher.dispatch(frame(Op.MESSAGE, 0, new Uint8Array([0xff, 0xff, 0xff])));
    assert.equal(t.errors.length, 1);
    assert.equal(t.messages.length, 0);
  });
  it("shows others typing until their message arrives, and ignores the member's own typing", () => {
    const t = setup();
    const seen: string[][] = [];
    t.emitter.on("typing", ({ members }) => seen.push(members.map((m) => m.username)));
    const typing = (memberId: number, username: string) =>
      RoomEvent.encode({
        roomId: "lobby",
        type: RoomEventType.ROOM_EVENT_TYPE_TYPING,
        memberId,
        username,
        room: undefined,
        seq: 0,
      }).finish();
    t.dispatcher.dispatch(frame(Op.EVENT, 0, typing(ME, "me")));
    t.dispatcher.dispatch(frame(Op.EVENT, 0, typing(8, "ann")));
    t.dispatcher.dispatch(frame(Op.EVENT, 0, typing(8, "ann")));
    assert.deepEqual(t.typing.typists("lobby"), [{ memberId: 8, username: "ann" }]);
    const fromAnn = ChatMessage.encode({
      id: "m1",
      roomId: "lobby",
      seq: 1,
      senderId: 8,
      senderName: "ann",
      text: "done typing",
      sentAtMs: 1,
      clientMsgId: "c1",
      roomKind: 1,
    }).finish();
    t.dispatcher.dispatch(frame(Op.MESSAGE, 0, fromAnn));
    assert.deepEqual(t.typing.typists("lobby"), []);
    assert.deepEqual(seen, [["ann"], []], "one event per change, none for repeats or the member's own");
    t.typing.clear();
  });

  it("emits read receipts, and the member's own moves this client's read cursor", () => {
    const t = setup();
    t.directory.reset([room("lobby", 9)], "latest");
    const reads: Array<[number, number]> = [];
    t.emitter.on("read", ({ memberId, seq }) => reads.push([memberId, seq]));
    const read = (memberId: number, seq: number) =>
      RoomEvent.encode({
        roomId: "lobby",
        type: RoomEventType.ROOM_EVENT_TYPE_READ,
        memberId,
        username: "x",
        room: undefined,
        seq,
      }).finish();
    t.dispatcher.dispatch(frame(Op.EVENT, 0, read(8, 5)));
    assert.equal(t.directory.rooms.get("lobby")?.ackedSeq, 0, "someone else's cursor is theirs");
    t.dispatcher.dispatch(frame(Op.EVENT, 0, read(ME, 7)));
    assert.equal(t.directory.rooms.get("lobby")?.ackedSeq, 7, "read on another device");
    assert.deepEqual(reads, [
      [8, 5],
      [ME, 7],
    ]);
  });
});
