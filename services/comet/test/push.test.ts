import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import type { ConnectionControl, Proto } from "@chatroom/proto/grpc";
import { encodeFrame, encodeRawBatch, Op, RoomEvent, RoomEventType, RoomKind } from "@chatroom/proto/protocol";
import { type Harness, startComet, type TestClient } from "./support/harness.ts";

const proto = (op: number, ...bytes: number[]): Proto => ({ ver: 1, op, seq: 0, body: new Uint8Array(bytes) });

const control = (fields: Partial<ConnectionControl>): ConnectionControl => ({
  joinRooms: [],
  leaveRooms: [],
  closeCode: 0,
  closeReason: "",
  closeSessionId: "",
  ...fields,
});

function membershipEvent(type: RoomEventType, memberId: number, roomId: string, withRoom = true): Proto {
  const room = withRoom
    ? {
        roomId,
        name: roomId,
        kind: RoomKind.ROOM_KIND_PUBLIC,
        lastSeq: 0,
        peerMemberId: 0,
        peerUsername: "",
        ackedSeq: 0,
        online: 0,
      }
    : undefined;
  const body = RoomEvent.encode({ roomId, type, memberId, username: `m${memberId}`, room, seq: 0 }).finish();
  return { ver: 1, op: Op.EVENT, seq: 0, body };
}

/** Resolves false when no frame arrives before a marker frame the test pushes afterwards to the same client. */
async function nextIsMarker(h: Harness, client: TestClient, key: string): Promise<boolean> {
  await h.comet.api.pushMsg({ keys: [key], members: [], protoOp: Op.MESSAGE, proto: proto(Op.MESSAGE, 0xee) });
  const frame = await client.next();
  return frame.op === Op.MESSAGE && frame.body[0] === 0xee;
}

describe("comet push API", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("pushMsg delivers to the listed keys and to every connection of the listed members", async () => {
    h = await startComet();
    h.logic.addSession("alice", { memberId: 1 });
    h.logic.addSession("bob", { memberId: 2 });
    h.logic.addSession("carol", { memberId: 3 });
    const a = await h.login("alice");
    const b1 = await h.login("bob");
    const b2 = await h.login("bob");
    const c = await h.login("carol");
    const response = await h.comet.api.pushMsg({
      keys: [a.reply.key, b1.reply.key, "unknown-key"],
      members: [2, 99],
      protoOp: Op.MESSAGE,
      proto: proto(Op.MESSAGE, 1, 2),
    });
    assert.equal(response.delivered, 3, "alice once, bob's two connections once each");
    for (const { client } of [a, b1, b2]) {
      const frame = await client.next();
      assert.deepEqual([frame.op, frame.seq, [...frame.body]], [Op.MESSAGE, 0, [1, 2]]);
    }
    assert.equal(await nextIsMarker(h, c.client, c.reply.key), true);
    assert.equal(await nextIsMarker(h, b1.client, b1.reply.key), true, "no duplicate for a key of a listed member");
  });

  test("a custom op reaches only connections that accept it while chat ops reach everyone", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    const accepting = await h.login("t", [1000]);
    const plain = await h.login("t");
    const custom = await h.comet.api.pushMsg({ keys: [], members: [1], protoOp: 1000, proto: proto(1000, 5) });
    assert.equal(custom.delivered, 1);
    assert.equal((await accepting.client.next()).op, 1000);
    assert.equal(await nextIsMarker(h, plain.client, plain.reply.key), true);
    const chat = await h.comet.api.pushMsg({ keys: [], members: [1], protoOp: Op.EVENT, proto: proto(Op.EVENT) });
    assert.equal(chat.delivered, 2);
  });

  test("broadcastRoom writes the frame to the room's connections only", async () => {
    h = await startComet({ buckets: 4 });
    h.logic.addSession("in", { memberId: 1, roomIds: ["lobby"] });
    h.logic.addSession("out", { memberId: 2, roomIds: ["other"] });
    const members = await Promise.all(Array.from({ length: 6 }, () => h.login("in")));
    const outsider = await h.login("out");
    const batch = encodeRawBatch([encodeFrame(Op.MESSAGE, 0, new Uint8Array([1])), encodeFrame(Op.MESSAGE, 0)]);
    const raw: Proto = { ver: 1, op: Op.RAW, seq: 0, body: batch.subarray(16) };
    assert.equal((await h.comet.api.broadcastRoom({ roomId: "lobby", proto: raw })).delivered, 6);
    for (const { client } of members) {
      const frame = await client.next();
      assert.equal(frame.op, Op.RAW);
      assert.deepEqual([...frame.body], [...batch.subarray(16)]);
    }
    assert.equal(await nextIsMarker(h, outsider.client, outsider.reply.key), true);
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { lobby: 6, other: 1 });
  });

  test("broadcast reaches every connection that accepts the op", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    const clients = await Promise.all([h.login("t", [1001]), h.login("t", [1001]), h.login("t")]);
    assert.equal(
      (await h.comet.api.broadcast({ protoOp: Op.MESSAGE, proto: proto(Op.MESSAGE), speed: 0 })).delivered,
      3,
    );
    for (const { client } of clients) assert.equal((await client.next()).op, Op.MESSAGE);
    const custom = await h.comet.api.broadcast({ protoOp: 1001, proto: proto(1001), speed: 0 });
    assert.equal(custom.delivered, 2);
  });

  test("a paced broadcast (two connections per 100 ms here) reaches every connection", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 1 });
    const clients = await Promise.all(Array.from({ length: 5 }, () => h.login("t")));
    const response = await h.comet.api.broadcast({ protoOp: Op.MESSAGE, proto: proto(Op.MESSAGE, 3), speed: 20 });
    assert.equal(response.delivered, 5, "connections scheduled");
    for (const { client } of clients) assert.deepEqual([...(await client.next(Op.MESSAGE)).body], [3]);
  });

  test("a push's control subscribes the targeted connections before its frame is written", async () => {
    h = await startComet();
    h.logic.addSession("alice", { memberId: 1, roomIds: ["lobby"] });
    h.logic.addSession("bob", { memberId: 2, roomIds: ["lobby"] });
    const a1 = await h.login("alice");
    const a2 = await h.login("alice");
    const b = await h.login("bob");
    const joined = membershipEvent(RoomEventType.ROOM_EVENT_TYPE_JOINED, 1, "games");
    const push = await h.comet.api.pushMsg({
      keys: [],
      members: [1],
      protoOp: Op.EVENT,
      proto: joined,
      control: control({ joinRooms: ["games"] }),
    });
    assert.equal(push.delivered, 2);
    for (const { client } of [a1, a2]) assert.equal((await client.next()).op, Op.EVENT);
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { lobby: 3, games: 2 });
    assert.equal(await nextIsMarker(h, b.client, b.reply.key), true, "bob was not addressed");

    const left = membershipEvent(RoomEventType.ROOM_EVENT_TYPE_LEFT, 1, "games");
    await h.comet.api.pushMsg({
      keys: [],
      members: [1],
      protoOp: Op.EVENT,
      proto: left,
      control: control({ leaveRooms: ["games"] }),
    });
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { lobby: 3 });
  });

  test("the comet never reads pushed bodies: an OP_EVENT without a control changes no subscription", async () => {
    h = await startComet();
    h.logic.addSession("alice", { memberId: 1, roomIds: ["lobby"] });
    await h.login("alice");
    const event = membershipEvent(RoomEventType.ROOM_EVENT_TYPE_JOINED, 1, "games");
    assert.equal((await h.comet.api.pushMsg({ keys: [], members: [1], protoOp: Op.EVENT, proto: event })).delivered, 1);
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { lobby: 1 });
  });

  test("a control-only push closes exactly the connections of one session (logout) with its code", async () => {
    h = await startComet();
    h.logic.addSession("phone", { memberId: 1, sessionId: "s-phone" });
    h.logic.addSession("laptop", { memberId: 1, sessionId: "s-laptop" });
    const phone1 = await h.login("phone");
    const phone2 = await h.login("phone");
    const laptop = await h.login("laptop");
    const response = await h.comet.api.pushMsg({
      keys: [],
      members: [1],
      protoOp: 0,
      control: control({ closeCode: 4010, closeReason: "logged out", closeSessionId: "s-phone" }),
    });
    assert.equal(response.delivered, 0, "no frame was written");
    for (const { client } of [phone1, phone2]) {
      assert.deepEqual(await client.closed, { code: 4010, reason: "logged out" });
    }
    assert.equal(await nextIsMarker(h, laptop.client, laptop.reply.key), true, "the other session stays open");
  });

  test("a push with neither a frame nor a control is rejected as a bad request", async () => {
    h = await startComet();
    await assert.rejects(h.comet.api.pushMsg({ keys: [], members: [1], protoOp: 0 }), { code: "bad_request" });
  });

  test("a push without a proto is rejected as a bad request", async () => {
    h = await startComet();
    await assert.rejects(h.comet.api.broadcastRoom({ roomId: "lobby" }), { code: "bad_request" });
  });
});
