import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type RoomEvent, RoomEventType, type RoomInfo, RoomKind, RoomRole } from "@chatroom/proto/protocol";
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
