import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type ChatMessage,
  MessageKind,
  type RoomEvent,
  RoomEventType,
  type RoomInfo,
  RoomKind,
  RoomRole,
} from "@chatroom/proto/protocol";
import type { ChatClientEvents } from "../src/chat-client-types.ts";
import { RoomDirectory } from "../src/room-directory.ts";
import { RoomSequencer } from "../src/room-sequencer.ts";
import { TypedEmitter } from "../src/typed-emitter.ts";

const ME = 7;

function info(roomId: string): RoomInfo {
  const base = {
    name: roomId,
    kind: RoomKind.ROOM_KIND_PUBLIC,
    lastSeq: 3,
    peerMemberId: 0,
    peerUsername: "",
    ackedSeq: 1,
    online: 2,
  };
  return { roomId, ...base, role: RoomRole.ROOM_ROLE_MEMBER, muted: false, mutedUntilMs: 0 };
}

function event(type: RoomEventType, memberId: number, fields: Partial<RoomEvent> = {}): RoomEvent {
  return { roomId: "club", type, memberId, username: `m${memberId}`, room: undefined, seq: 0, ...fields };
}

function setup() {
  const emitter = new TypedEmitter<ChatClientEvents>();
  const sequencer = new RoomSequencer();
  const directory = new RoomDirectory(sequencer, emitter, () => ME);
  directory.reset([info("club"), info("other")], "stored");
  let changes = 0;
  emitter.on("rooms", () => changes++);
  return { directory, sequencer, changes: () => changes };
}

describe("RoomDirectory and moderation events", () => {
  it("follows the member's own role and mute, and ignores other members'", () => {
    const t = setup();
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_ROLE_CHANGED, ME, { role: RoomRole.ROOM_ROLE_MODERATOR }));
    assert.equal(t.directory.rooms.get("club")?.role, RoomRole.ROOM_ROLE_MODERATOR);
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_MUTED, ME, { untilMs: 5_000 }));
    assert.deepEqual(
      [t.directory.rooms.get("club")?.muted, t.directory.rooms.get("club")?.mutedUntilMs],
      [true, 5_000],
    );
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_UNMUTED, ME));
    assert.equal(t.directory.rooms.get("club")?.muted, false);
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_MUTED, ME + 1));
    assert.equal(t.directory.rooms.get("club")?.muted, false);
    assert.equal(t.changes(), 3);
  });

  it("drops a room the member was kicked or banned from, and stops following it", () => {
    const t = setup();
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_KICKED, ME));
    assert.equal(t.directory.rooms.has("club"), false);
    assert.equal(t.sequencer.lastSeq("club"), undefined);
    t.directory.onEvent(event(RoomEventType.ROOM_EVENT_TYPE_BANNED, ME, { roomId: "other" }));
    assert.deepEqual([...t.directory.rooms.keys()], []);
  });
});

describe("RoomDirectory unread counts", () => {
  const message = (seq: number, fields: Partial<ChatMessage> = {}): ChatMessage => ({
    id: `id-${seq}`,
    roomId: "club",
    seq,
    senderId: ME + 1,
    senderName: "someone",
    text: `m${seq}`,
    sentAtMs: 0,
    clientMsgId: "",
    roomKind: RoomKind.ROOM_KIND_PUBLIC,
    ...fields,
  });

  it("counts others' messages above the read cursor, not edits, deletes or the member's own messages", () => {
    const t = setup(); // club: lastSeq 3, ackedSeq 1: two entries this client has not seen, counted as unread
    assert.equal(t.directory.unread("club"), 2);
    t.directory.delivered(message(4));
    t.directory.delivered(message(5, { kind: MessageKind.MESSAGE_KIND_EDIT, targetSeq: 4 }));
    t.directory.delivered(message(6, { senderId: ME }));
    t.directory.delivered(message(7, { kind: MessageKind.MESSAGE_KIND_DELETE, targetSeq: 2 }));
    assert.equal(t.directory.unread("club"), 3);
    t.directory.delivered(message(7, { kind: MessageKind.MESSAGE_KIND_DELETE, targetSeq: 2 }));
    assert.equal(t.directory.unread("club"), 3, "an entry seen twice is skipped once");
  });

  it("follows the read cursor moved by this or another device", () => {
    const t = setup();
    for (const seq of [4, 5]) t.directory.delivered(message(seq));
    t.directory.delivered(message(6, { kind: MessageKind.MESSAGE_KIND_EDIT, targetSeq: 5 }));
    assert.equal(t.directory.unread("club"), 4);
    t.directory.acked("club", 5);
    assert.equal(t.directory.unread("club"), 0, "only the edit is left above the cursor");
    t.directory.onRead(event(RoomEventType.ROOM_EVENT_TYPE_READ, ME, { seq: 6 }));
    t.directory.delivered(message(7));
    assert.equal(t.directory.unread("club"), 1);
    assert.equal(t.directory.unread("nowhere"), 0);
  });
});
