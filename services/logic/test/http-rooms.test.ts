import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PushMsg_Type } from "@chatroom/proto/grpc";
import { Op, RoomEvent, RoomEventType } from "@chatroom/proto/protocol";
import { type Account, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

interface RoomJson {
  id: string;
  name: string;
  kind: string;
  lastSeq: number;
  ackedSeq: number;
  member?: boolean;
  online?: number;
}

describe("HTTP rooms", () => {
  let harness: Harness;
  let alice: Account;
  let bob: Account;
  before(async () => {
    harness = await startHarness();
    alice = await register(harness, "alice");
    bob = await register(harness, "bob");
  });
  after(() => harness.close());

  it("creates a public room with 201; the creator is its member", async () => {
    const response = await request(harness, "POST", "/api/v1/rooms", {
      token: alice.token,
      json: { id: "general", name: "General talk" },
    });
    assert.equal(response.status, 201);
    const room = (response.body as { room: RoomJson }).room;
    assert.deepEqual(
      { id: room.id, name: room.name, kind: room.kind, lastSeq: room.lastSeq },
      { id: "general", name: "General talk", kind: "public", lastSeq: 0 },
    );
    const mine = await request(harness, "GET", "/api/v1/me/rooms", { token: alice.token });
    assert.deepEqual(
      (mine.body as { rooms: RoomJson[] }).rooms.map((r) => r.id),
      ["general", "lobby"],
    );
  });

  it("refuses an existing room id with 409 room_exists and invalid ids with 400 invalid_room_id", async () => {
    const taken = await request(harness, "POST", "/api/v1/rooms", { token: bob.token, json: { id: "lobby" } });
    assert.equal(taken.status, 409);
    assert.equal(errorCode(taken), "room_exists");
    for (const id of ["Has Caps", "", "x".repeat(65), "dm:1:2"]) {
      const bad = await request(harness, "POST", "/api/v1/rooms", { token: bob.token, json: { id } });
      assert.equal(bad.status, 400, id);
      assert.equal(errorCode(bad), "invalid_room_id", id);
    }
    const wrongType = await request(harness, "POST", "/api/v1/rooms", { token: bob.token, json: { id: 7 } });
    assert.equal(wrongType.status, 400);
    assert.equal(errorCode(wrongType), "invalid_room_id");
  });

  it("lists public rooms by id, paged with after and limit", async () => {
    for (const id of ["r-a", "r-b", "r-c"]) {
      await request(harness, "POST", "/api/v1/rooms", { token: alice.token, json: { id } });
    }
    const first = await request(harness, "GET", "/api/v1/rooms?limit=2", { token: bob.token });
    const page1 = first.body as { rooms: RoomJson[]; next: string | null };
    assert.deepEqual(
      page1.rooms.map((r) => r.id),
      ["general", "lobby"],
    );
    assert.equal(page1.next, "lobby");
    const second = await request(harness, "GET", `/api/v1/rooms?limit=2&after=${page1.next}`, { token: bob.token });
    assert.deepEqual(
      (second.body as { rooms: RoomJson[] }).rooms.map((r) => r.id),
      ["r-a", "r-b"],
    );
    const bad = await request(harness, "GET", "/api/v1/rooms?limit=zero", { token: bob.token });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), "bad_request");
  });

  it("joins with PUT members/me, publishing a JOINED event to the member and to the room", async () => {
    const response = await request(harness, "PUT", "/api/v1/rooms/general/members/me", { token: bob.token });
    assert.equal(response.status, 200);
    assert.equal((response.body as { room: RoomJson }).room.id, "general");

    const toMember = await harness.waitForPush(
      (p) =>
        p.type === PushMsg_Type.TYPE_PUSH &&
        p.operation === Op.EVENT &&
        p.members.includes(bob.id) &&
        isEvent(p.msg, "general", RoomEventType.ROOM_EVENT_TYPE_JOINED),
    );
    assert.deepEqual(toMember.members, [bob.id]);
    const event = RoomEvent.decode(toMember.msg);
    assert.equal(event.memberId, bob.id);
    assert.equal(event.room?.roomId, "general");

    const toRoom = await harness.waitForPush(
      (p) =>
        p.type === PushMsg_Type.TYPE_ROOM &&
        p.room === "general" &&
        isEvent(p.msg, "general", RoomEventType.ROOM_EVENT_TYPE_JOINED, bob.id),
    );
    assert.equal(toRoom.operation, Op.EVENT);
    assert.equal(RoomEvent.decode(toRoom.msg).username, "bob");
  });

  it("subscribes the member's live connections to a joined room in presence", async () => {
    const carol = await register(harness, "carol");
    await harness.presence.upsert(
      { key: "carol-conn", memberId: carol.id, server: "comet-1", rooms: ["lobby"] },
      60_000,
    );
    await request(harness, "PUT", "/api/v1/rooms/r-a/members/me", { token: carol.token });
    assert.deepEqual([...((await harness.presence.get("carol-conn"))?.rooms ?? [])].sort(), ["lobby", "r-a"]);
    await request(harness, "DELETE", "/api/v1/rooms/r-a/members/me", { token: carol.token });
    assert.deepEqual([...((await harness.presence.get("carol-conn"))?.rooms ?? [])], ["lobby"]);
  });

  it("lists members with online flags", async () => {
    await harness.presence.upsert({ key: "bob-conn", memberId: bob.id, server: "comet-1", rooms: ["general"] }, 60_000);
    const response = await request(harness, "GET", "/api/v1/rooms/general/members", { token: alice.token });
    assert.equal(response.status, 200);
    const members = (response.body as { members: Array<{ id: number; username: string; online: boolean }> }).members;
    assert.deepEqual(
      members.map((m) => [m.username, m.online]),
      [
        ["alice", false],
        ["bob", true],
      ],
    );
    const details = await request(harness, "GET", "/api/v1/rooms/general", { token: alice.token });
    const room = (details.body as { room: RoomJson }).room;
    assert.equal(room.member, true);
    assert.equal(room.online, 1);
    await harness.presence.remove("bob-conn");
  });

  it("leaves with DELETE members/me (204, idempotent), publishing LEFT", async () => {
    const first = await request(harness, "DELETE", "/api/v1/rooms/general/members/me", { token: bob.token });
    assert.equal(first.status, 204);
    const again = await request(harness, "DELETE", "/api/v1/rooms/general/members/me", { token: bob.token });
    assert.equal(again.status, 204);
    await harness.waitForPush(
      (p) => p.type === PushMsg_Type.TYPE_ROOM && isEvent(p.msg, "general", RoomEventType.ROOM_EVENT_TYPE_LEFT, bob.id),
    );
    const details = await request(harness, "GET", "/api/v1/rooms/general", { token: bob.token });
    assert.equal((details.body as { room: RoomJson }).room.member, false);
  });

  it("answers unknown rooms with 404 room_not_found and malformed ids with 400 invalid_room_id", async () => {
    const missing = await request(harness, "PUT", "/api/v1/rooms/no-such-room/members/me", { token: bob.token });
    assert.equal(missing.status, 404);
    assert.equal(errorCode(missing), "room_not_found");
    const malformed = await request(harness, "GET", "/api/v1/rooms/BAD%20ID", { token: bob.token });
    assert.equal(malformed.status, 400);
    assert.equal(errorCode(malformed), "invalid_room_id");
  });

  it("requires a session for every room route", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/rooms"],
      ["POST", "/api/v1/rooms"],
      ["GET", "/api/v1/rooms/lobby/members"],
      ["PUT", "/api/v1/rooms/lobby/members/me"],
    ] as const) {
      const response = await request(harness, method, path);
      assert.equal(response.status, 401, `${method} ${path}`);
    }
  });
});

function isEvent(body: Uint8Array, roomId: string, type: number, memberId?: number): boolean {
  const event = RoomEvent.decode(body);
  return event.roomId === roomId && event.type === type && (memberId === undefined || event.memberId === memberId);
}
