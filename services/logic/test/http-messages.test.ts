import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { directRoomId } from "@chatroom/core";
import { PushMsg_Type } from "@chatroom/proto/grpc";
import { ChatMessage, Op, RoomEvent, RoomEventType } from "@chatroom/proto/protocol";
import { type Account, errorCode, type Harness, register, request, startHarness } from "./harness.ts";

interface MessageJson {
  id: string;
  roomId: string;
  seq: number;
  senderId: number;
  senderName: string;
  text: string;
  clientMsgId: string;
  roomKind: string;
}

interface SendJson {
  message: MessageJson;
  duplicate: boolean;
}

describe("HTTP messages", () => {
  let harness: Harness;
  let alice: Account;
  let bob: Account;
  let outsider: Account;
  before(async () => {
    harness = await startHarness({ sendRateCapacity: 30, sendRateRefillPerSecond: 0.001 });
    alice = await register(harness, "alice");
    bob = await register(harness, "bob");
    outsider = await register(harness, "outsider");
    await request(harness, "POST", "/api/v1/rooms", { token: alice.token, json: { id: "talk" } });
    await request(harness, "PUT", "/api/v1/rooms/talk/members/me", { token: bob.token });
  });
  after(() => harness.close());

  const send = (account: Account, roomId: string, json: unknown) =>
    request(harness, "POST", `/api/v1/rooms/${roomId}/messages`, { token: account.token, json });

  it("stores a message with 201 and seq 1, and publishes it to the room as OP_MESSAGE", async () => {
    const response = await send(alice, "talk", { text: "hello", clientMsgId: "m-1" });
    assert.equal(response.status, 201);
    const { message, duplicate } = response.body as SendJson;
    assert.equal(duplicate, false);
    assert.deepEqual(
      {
        roomId: message.roomId,
        seq: message.seq,
        senderId: message.senderId,
        text: message.text,
        kind: message.roomKind,
      },
      { roomId: "talk", seq: 1, senderId: alice.id, text: "hello", kind: "public" },
    );
    const push = await harness.waitForPush((p) => p.id === message.id);
    assert.equal(push.type, PushMsg_Type.TYPE_ROOM);
    assert.equal(push.operation, Op.MESSAGE);
    assert.equal(push.room, "talk");
    assert.equal(push.seq, 1);
    assert.ok(push.publishedAtMs > 0);
    const pushed = ChatMessage.decode(push.msg);
    assert.equal(pushed.text, "hello");
    assert.equal(pushed.senderName, "alice");
    assert.equal(pushed.clientMsgId, "m-1");
  });

  it("answers a retry with the same clientMsgId with 200 and duplicate true, stores it once and publishes it again", async () => {
    const first = (await send(bob, "talk", { text: "only once", clientMsgId: "retry-1" })).body as SendJson;
    const retry = await send(bob, "talk", { text: "only once", clientMsgId: "retry-1" });
    assert.equal(retry.status, 200);
    const again = retry.body as SendJson;
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.message, first.message);
    const history = await request(harness, "GET", "/api/v1/rooms/talk/messages", { token: bob.token });
    const stored = (history.body as { messages: MessageJson[] }).messages.filter((m) => m.clientMsgId === "retry-1");
    assert.equal(stored.length, 1);
    await harness.waitForPush(() => harness.published.filter((p) => p.id === first.message.id).length === 2);
  });

  it("returns SQL and HTML text verbatim", async () => {
    const texts = [
      "'); DROP TABLE messages; --",
      "<img src=x onerror=alert(1)>",
      "  spaced\tand\nlined  ",
      "emoji 😀 ü",
    ];
    for (const text of texts) {
      const response = await send(alice, "talk", { text });
      assert.equal((response.body as SendJson).message.text, text);
    }
    const history = await request(harness, "GET", "/api/v1/rooms/talk/messages?limit=4", { token: alice.token });
    assert.deepEqual(
      (history.body as { messages: MessageJson[] }).messages.map((m) => m.text),
      texts,
    );
  });

  it("pages history backwards with before and forwards with after, in ascending order with hasMore", async () => {
    await request(harness, "POST", "/api/v1/rooms", { token: alice.token, json: { id: "paging" } });
    for (let i = 1; i <= 7; i++) await send(alice, "paging", { text: `m${i}` });
    const texts = (body: unknown) => (body as { messages: MessageJson[] }).messages.map((m) => m.text);
    const newest = await request(harness, "GET", "/api/v1/rooms/paging/messages?limit=3", { token: alice.token });
    assert.deepEqual(texts(newest.body), ["m5", "m6", "m7"]);
    assert.equal((newest.body as { hasMore: boolean }).hasMore, true);
    const older = await request(harness, "GET", "/api/v1/rooms/paging/messages?limit=3&before=5", {
      token: alice.token,
    });
    assert.deepEqual(texts(older.body), ["m2", "m3", "m4"]);
    const oldest = await request(harness, "GET", "/api/v1/rooms/paging/messages?limit=3&before=2", {
      token: alice.token,
    });
    assert.deepEqual(texts(oldest.body), ["m1"]);
    assert.equal((oldest.body as { hasMore: boolean }).hasMore, false);
    const forward = await request(harness, "GET", "/api/v1/rooms/paging/messages?limit=4&after=3", {
      token: alice.token,
    });
    assert.deepEqual(texts(forward.body), ["m4", "m5", "m6", "m7"]);
    assert.equal((forward.body as { hasMore: boolean }).hasMore, false);
    const bad = await request(harness, "GET", "/api/v1/rooms/paging/messages?before=-1", { token: alice.token });
    assert.equal(bad.status, 400);
  });

  it("reads after=0 as 'after seq 0': the oldest page, ascending, whatever before says", async () => {
    await request(harness, "POST", "/api/v1/rooms", { token: alice.token, json: { id: "from-start" } });
    for (let i = 1; i <= 5; i++) await send(alice, "from-start", { text: `s${i}` });
    const texts = (body: unknown) => (body as { messages: MessageJson[] }).messages.map((m) => m.text);
    const first = await request(harness, "GET", "/api/v1/rooms/from-start/messages?after=0&limit=2", {
      token: alice.token,
    });
    assert.deepEqual(texts(first.body), ["s1", "s2"]);
    assert.equal((first.body as { hasMore: boolean }).hasMore, true);
    const withBefore = await request(harness, "GET", "/api/v1/rooms/from-start/messages?after=0&before=5&limit=9", {
      token: alice.token,
    });
    assert.deepEqual(texts(withBefore.body), ["s1", "s2", "s3", "s4", "s5"]);
    const unset = await request(harness, "GET", "/api/v1/rooms/from-start/messages?after=&limit=2", {
      token: alice.token,
    });
    assert.deepEqual(texts(unset.body), ["s4", "s5"], "an empty after is not set: the newest page");
  });

  it("refuses bad message bodies with 400 and the text rules' codes, and long text with 413", async () => {
    const cases: Array<[unknown, number, string]> = [
      [{}, 400, "bad_request"],
      [{ text: 5 }, 400, "invalid_text"],
      [{ text: "   " }, 400, "invalid_text"],
      [{ text: "bell\u0007" }, 400, "invalid_text"],
      [{ text: "ok", clientMsgId: 12 }, 400, "bad_request"],
      [{ text: "x".repeat(4097) }, 413, "payload_too_large"],
    ];
    for (const [json, status, code] of cases) {
      const response = await send(alice, "talk", json);
      assert.equal(response.status, status, JSON.stringify(json).slice(0, 40));
      assert.equal(errorCode(response), code);
    }
  });

  it("refuses non-members with 403 not_member and unknown rooms with 404", async () => {
    const notMember = await send(outsider, "talk", { text: "let me in" });
    assert.equal(notMember.status, 403);
    assert.equal(errorCode(notMember), "not_member");
    const history = await request(harness, "GET", "/api/v1/rooms/talk/messages", { token: outsider.token });
    assert.equal(history.status, 403);
    const unknown = await send(alice, "nowhere", { text: "hi" });
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), "room_not_found");
  });

  it("sends a direct message into dm:<low>:<high>, creating it for both members and pushing to both", async () => {
    const response = await request(harness, "POST", `/api/v1/members/${bob.id}/messages`, {
      token: alice.token,
      json: { text: "psst", clientMsgId: "dm-1" },
    });
    assert.equal(response.status, 201);
    const { message } = response.body as SendJson;
    const roomId = directRoomId(alice.id, bob.id);
    assert.equal(message.roomId, roomId);
    assert.equal(message.roomKind, "direct");
    for (const account of [alice, bob]) {
      const rooms = await request(harness, "GET", "/api/v1/me/rooms", { token: account.token });
      const dm = (rooms.body as { rooms: Array<{ id: string; peer: { id: number } | null }> }).rooms.find(
        (r) => r.id === roomId,
      );
      assert.ok(dm, `${account.username} sees the conversation`);
      assert.equal(dm.peer?.id, account === alice ? bob.id : alice.id);
    }
    const push = await harness.waitForPush((p) => p.id === message.id);
    assert.equal(push.type, PushMsg_Type.TYPE_PUSH);
    assert.deepEqual([...push.members].sort(), [alice.id, bob.id].sort());
    assert.equal(push.room, "");
    const joined = await harness.waitForPush(
      (p) => p.operation === Op.EVENT && p.members[0] === bob.id && RoomEvent.decode(p.msg).roomId === roomId,
    );
    assert.equal(RoomEvent.decode(joined.msg).type, RoomEventType.ROOM_EVENT_TYPE_JOINED);
    const reply = await request(harness, "POST", `/api/v1/rooms/${roomId}/messages`, {
      token: bob.token,
      json: { text: "hi back" },
    });
    assert.equal((reply.body as SendJson).message.seq, 2);
    const peek = await request(harness, "GET", `/api/v1/rooms/${roomId}`, { token: outsider.token });
    assert.equal(peek.status, 404);
  });

  it("refuses direct messages to oneself, to unknown members and to malformed ids", async () => {
    const self = await request(harness, "POST", `/api/v1/members/${alice.id}/messages`, {
      token: alice.token,
      json: { text: "me" },
    });
    assert.equal(self.status, 400);
    const unknown = await request(harness, "POST", "/api/v1/members/999999/messages", {
      token: alice.token,
      json: { text: "anyone?" },
    });
    assert.equal(unknown.status, 404);
    assert.equal(errorCode(unknown), "member_not_found");
    const malformed = await request(harness, "POST", "/api/v1/members/abc/messages", {
      token: alice.token,
      json: { text: "x" },
    });
    assert.equal(malformed.status, 400);
  });

  it("stores the read cursor with PUT ack, clamped to the room's last seq", async () => {
    const response = await request(harness, "PUT", "/api/v1/rooms/talk/ack", { token: bob.token, json: { seq: 2 } });
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, { roomId: "talk", seq: 2 });
    const rooms = await request(harness, "GET", "/api/v1/me/rooms", { token: bob.token });
    const talk = (rooms.body as { rooms: Array<{ id: string; ackedSeq: number; lastSeq: number }> }).rooms.find(
      (r) => r.id === "talk",
    );
    assert.equal(talk?.ackedSeq, 2);
    const clamped = await request(harness, "PUT", "/api/v1/rooms/talk/ack", {
      token: bob.token,
      json: { seq: 10_000 },
    });
    assert.equal((clamped.body as { seq: number }).seq, talk?.lastSeq);
    const wrongType = await request(harness, "PUT", "/api/v1/rooms/talk/ack", { token: bob.token, json: { seq: "2" } });
    assert.equal(wrongType.status, 400);
    assert.equal(errorCode(wrongType), "bad_request");
  });

  it("rate-limits sends per member with 429 rate_limited and Retry-After", async () => {
    const limited = await startHarness({ sendRateCapacity: 2, sendRateRefillPerSecond: 0.001 });
    try {
      const carol = await register(limited, "carol");
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          await request(limited, "POST", "/api/v1/rooms/lobby/messages", {
            token: carol.token,
            json: { text: `n${i}` },
          }),
        );
      }
      assert.deepEqual(
        statuses.map((r) => r.status),
        [201, 201, 429],
      );
      assert.equal(errorCode(statuses[2] as (typeof statuses)[number]), "rate_limited");
      assert.ok(Number(statuses[2]?.headers.get("retry-after")) >= 1);
    } finally {
      await limited.close();
    }
  });
});
