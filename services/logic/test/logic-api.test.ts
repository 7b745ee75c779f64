import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ChatError, directRoomId } from "@chatroom/core";
import type { ConnectResponse, ReceiveResponse } from "@chatroom/proto/grpc";
import {
  AckReply,
  AckRequest,
  AuthReply,
  AuthRequest,
  ChangeRoomRequest,
  ChatMessage,
  decodeRawBatch,
  HEADER_LENGTH,
  HistoryReply,
  HistoryRequest,
  JoinReply,
  JoinRequest,
  LeaveRequest,
  OnlineUpdate,
  Op,
  ResumeReply,
  ResumeRequest,
  RoomEvent,
  RoomEventType,
  RoomKind,
  SendReply,
  SendRequest,
  SubReply,
  SubRequest,
  TypingRequest,
} from "@chatroom/proto/protocol";
import { type Account, type Harness, register, request, startHarness } from "./harness.ts";

const SERVER = "comet-test";

function authBytes(token: string, accepts: number[] = []): Uint8Array {
  return AuthRequest.encode({ token, accepts, client: "logic-api.test" }).finish();
}

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ChatError ? error.code : `not a ChatError: ${String(error)}`;
  }
  return "resolved";
}

describe("LogicApi for comets", () => {
  let harness: Harness;
  let alice: Account;
  let bob: Account;
  before(async () => {
    harness = await startHarness({ resumePageSize: 3, sendRateCapacity: 1000 });
    alice = await register(harness, "alice");
    bob = await register(harness, "bob");
  });
  after(() => harness.close());

  const connect = (account: Account, accepts: number[] = []) =>
    harness.logic.api.connect({ server: SERVER, cookie: "", token: authBytes(account.token, accepts) });

  const receive = (conn: ConnectResponse, op: number, seq: number, body: Uint8Array): Promise<ReceiveResponse> =>
    harness.logic.api.receive({
      memberId: conn.memberId,
      key: conn.key,
      server: SERVER,
      proto: { ver: 1, op, seq, body },
    });

  const sendText = async (conn: ConnectResponse, roomId: string, text: string, seq = 1) => {
    const response = await receive(
      conn,
      Op.SEND,
      seq,
      SendRequest.encode({ roomId, toMemberId: 0, clientMsgId: "", text }).finish(),
    );
    return SendReply.decode(response.protos[0]?.body ?? new Uint8Array());
  };

  it("connects with a token: a new key, every room of the member, presence, and an AuthReply to forward", async () => {
    const conn = await connect(alice, [1000, 1000, 1001]);
    assert.equal(conn.memberId, alice.id);
    assert.deepEqual(conn.roomIds, ["lobby"]);
    assert.deepEqual(conn.accepts, [1000, 1001]);
    assert.equal(conn.heartbeatMs, harness.config.heartbeatIntervalMs);
    assert.ok(conn.expiresAtMs > Date.now());
    const reply = AuthReply.decode(conn.authReply);
    assert.deepEqual(
      { memberId: reply.memberId, username: reply.username, key: reply.key, server: reply.server },
      { memberId: alice.id, username: "alice", key: conn.key, server: SERVER },
    );
    assert.equal(reply.heartbeatIntervalMs, harness.config.heartbeatIntervalMs);
    assert.deepEqual(
      reply.rooms.map((r) => [r.roomId, r.kind]),
      [["lobby", RoomKind.ROOM_KIND_PUBLIC]],
    );
    const presence = await harness.presence.get(conn.key);
    assert.deepEqual(presence && { ...presence, rooms: [...presence.rooms] }, {
      key: conn.key,
      memberId: alice.id,
      server: SERVER,
      rooms: ["lobby"],
    });
    const again = await connect(alice);
    assert.notEqual(again.key, conn.key);
  });

  it("connects with the session cookie of the upgrade request when the token is empty", async () => {
    const conn = await harness.logic.api.connect({
      server: SERVER,
      cookie: `theme=dark; chatroom_session=${bob.token}`,
      token: authBytes(""),
    });
    assert.equal(conn.memberId, bob.id);
  });

  it("refuses bad, missing and revoked credentials, and malformed AuthRequest bytes", async () => {
    const missing = harness.logic.api.connect({ server: SERVER, cookie: "", token: authBytes("") });
    assert.equal(await rejection(missing), "unauthorized");
    const forged = harness.logic.api.connect({
      server: SERVER,
      cookie: "",
      token: authBytes(`${alice.token.slice(0, -2)}xx`),
    });
    assert.equal(await rejection(forged), "unauthorized");
    const garbage = harness.logic.api.connect({ server: SERVER, cookie: "", token: new Uint8Array([0x0a, 0xff]) });
    assert.equal(await rejection(garbage), "bad_request");
    const carol = await register(harness, "carol");
    await request(harness, "DELETE", "/api/v1/sessions/current", { token: carol.token });
    assert.equal(await rejection(connect(carol)), "session_revoked");
  });

  it("SEND stores and publishes the message and answers SEND_REPLY with the request's seq", async () => {
    const conn = await connect(alice);
    const response = await receive(
      conn,
      Op.SEND,
      41,
      SendRequest.encode({ roomId: "lobby", toMemberId: 0, clientMsgId: "ws-1", text: "over the socket" }).finish(),
    );
    assert.equal(response.protos.length, 1);
    const frame = response.protos[0];
    assert.equal(frame?.op, Op.SEND_REPLY);
    assert.equal(frame?.seq, 41);
    const reply = SendReply.decode(frame?.body ?? new Uint8Array());
    assert.equal(reply.duplicate, false);
    assert.equal(reply.message?.text, "over the socket");
    assert.equal(reply.message?.roomId, "lobby");
    await harness.waitForPush((p) => p.id === reply.message?.id && p.operation === Op.MESSAGE);
  });

  it("SEND to a member creates the direct conversation and subscribes the sending connection", async () => {
    const conn = await connect(alice);
    const response = await receive(
      conn,
      Op.SEND,
      2,
      SendRequest.encode({ roomId: "", toMemberId: bob.id, clientMsgId: "", text: "hi bob" }).finish(),
    );
    const dm = directRoomId(alice.id, bob.id);
    assert.deepEqual(response.joinRooms, [dm]);
    assert.equal(
      SendReply.decode(response.protos[0]?.body ?? new Uint8Array()).message?.roomKind,
      RoomKind.ROOM_KIND_DIRECT,
    );
    assert.ok((await harness.presence.get(conn.key))?.rooms.includes(dm), "presence follows the new room");
    const bobConn = await connect(bob);
    const room = AuthReply.decode(bobConn.authReply).rooms.find((r) => r.roomId === dm);
    assert.deepEqual(
      { kind: room?.kind, peer: room?.peerMemberId, peerName: room?.peerUsername, lastSeq: room?.lastSeq },
      { kind: RoomKind.ROOM_KIND_DIRECT, peer: alice.id, peerName: "alice", lastSeq: 1 },
    );
  });

  it("JOIN and LEAVE change membership, presence and the connection's subscriptions", async () => {
    await request(harness, "POST", "/api/v1/rooms", { token: bob.token, json: { id: "games" } });
    const conn = await connect(alice);
    const joined = await receive(
      conn,
      Op.JOIN,
      5,
      JoinRequest.encode({ roomId: "games", create: false, name: "" }).finish(),
    );
    assert.deepEqual(joined.joinRooms, ["games"]);
    assert.equal(joined.protos[0]?.op, Op.JOIN_REPLY);
    assert.equal(JoinReply.decode(joined.protos[0]?.body ?? new Uint8Array()).room?.roomId, "games");
    assert.ok((await harness.presence.get(conn.key))?.rooms.includes("games"));

    const created = await receive(
      conn,
      Op.JOIN,
      6,
      JoinRequest.encode({ roomId: "fresh", create: true, name: "Fresh" }).finish(),
    );
    assert.equal(JoinReply.decode(created.protos[0]?.body ?? new Uint8Array()).room?.name, "Fresh");

    const left = await receive(conn, Op.LEAVE, 7, LeaveRequest.encode({ roomId: "games" }).finish());
    assert.deepEqual(left.leaveRooms, ["games"]);
    assert.equal(left.protos[0]?.op, Op.LEAVE_REPLY);
    assert.equal((await harness.presence.get(conn.key))?.rooms.includes("games"), false);
  });

  it("HISTORY answers a page of messages in ascending order", async () => {
    const conn = await connect(bob);
    await receive(conn, Op.JOIN, 1, JoinRequest.encode({ roomId: "hist", create: true, name: "" }).finish());
    for (let i = 1; i <= 4; i++) await sendText(conn, "hist", `h${i}`);
    const response = await receive(
      conn,
      Op.HISTORY,
      9,
      HistoryRequest.encode({ roomId: "hist", beforeSeq: 0, limit: 3 }).finish(),
    );
    assert.equal(response.protos[0]?.op, Op.HISTORY_REPLY);
    assert.equal(response.protos[0]?.seq, 9);
    const page = HistoryReply.decode(response.protos[0]?.body ?? new Uint8Array());
    assert.deepEqual(
      page.messages.map((m) => m.text),
      ["h2", "h3", "h4"],
    );
    assert.equal(page.hasMore, true);
  });

  it("HISTORY trims a page that would not fit in one frame and says has_more", async () => {
    const conn = await connect(bob);
    await receive(conn, Op.JOIN, 1, JoinRequest.encode({ roomId: "big", create: true, name: "" }).finish());
    for (let i = 1; i <= 20; i++) await sendText(conn, "big", `${i} ${"x".repeat(4000)}`);
    const response = await receive(
      conn,
      Op.HISTORY,
      2,
      HistoryRequest.encode({ roomId: "big", beforeSeq: 0, limit: 200 }).finish(),
    );
    const body = response.protos[0]?.body ?? new Uint8Array();
    assert.ok(body.length + HEADER_LENGTH <= harness.config.maxFrameBytes);
    const page = HistoryReply.decode(body);
    assert.ok(page.messages.length > 0 && page.messages.length < 20);
    assert.equal(page.messages.at(-1)?.seq, 20, "the newest messages are kept");
    assert.equal(page.hasMore, true);
  });

  it("RESUME replays missed messages as an OP_RAW batch in seq order, then RESUME_REPLY with has_more", async () => {
    const conn = await connect(bob);
    await receive(conn, Op.JOIN, 1, JoinRequest.encode({ roomId: "resume", create: true, name: "" }).finish());
    for (let i = 1; i <= 5; i++) await sendText(conn, "resume", `r${i}`);
    const response = await receive(
      conn,
      Op.RESUME,
      12,
      ResumeRequest.encode({ cursors: [{ roomId: "resume", lastSeq: 1 }] }).finish(),
    );
    assert.deepEqual(
      response.protos.map((p) => [p.op, p.seq]),
      [
        [Op.RAW, 0],
        [Op.RESUME_REPLY, 12],
      ],
    );
    const frames = decodeRawBatch(response.protos[0]?.body ?? new Uint8Array());
    assert.ok(frames.every((f) => f.op === Op.MESSAGE));
    assert.deepEqual(
      frames.map((f) => ChatMessage.decode(f.body).seq),
      [2, 3, 4],
    );
    const reply = ResumeReply.decode(response.protos[1]?.body ?? new Uint8Array());
    assert.deepEqual(reply.rooms, [{ roomId: "resume", replayed: 3, lastSeq: 5, hasMore: true }]);

    const upToDate = await receive(
      conn,
      Op.RESUME,
      13,
      ResumeRequest.encode({ cursors: [{ roomId: "resume", lastSeq: 5 }] }).finish(),
    );
    assert.deepEqual(
      upToDate.protos.map((p) => p.op),
      [Op.RESUME_REPLY],
    );
    assert.deepEqual(ResumeReply.decode(upToDate.protos[0]?.body ?? new Uint8Array()).rooms, [
      { roomId: "resume", replayed: 0, lastSeq: 5, hasMore: false },
    ]);
  });

  it("ACK stores the read cursor, which RESUME with last_seq -1 starts from", async () => {
    const conn = await connect(bob);
    await receive(conn, Op.JOIN, 1, JoinRequest.encode({ roomId: "acked", create: true, name: "" }).finish());
    for (let i = 1; i <= 3; i++) await sendText(conn, "acked", `a${i}`);
    const acked = await receive(conn, Op.ACK, 3, AckRequest.encode({ roomId: "acked", seq: 2 }).finish());
    assert.equal(acked.protos[0]?.op, Op.ACK_REPLY);
    assert.deepEqual(AckReply.decode(acked.protos[0]?.body ?? new Uint8Array()), { roomId: "acked", seq: 2 });
    const resumed = await receive(
      conn,
      Op.RESUME,
      4,
      ResumeRequest.encode({ cursors: [{ roomId: "acked", lastSeq: -1 }] }).finish(),
    );
    const frames = decodeRawBatch(resumed.protos[0]?.body ?? new Uint8Array());
    assert.deepEqual(
      frames.map((f) => ChatMessage.decode(f.body).text),
      ["a3"],
    );
  });

  it("CHANGE_ROOM replaces the connection's rooms; SUB and UNSUB change what it accepts", async () => {
    const conn = await connect(alice);
    const changed = await receive(conn, Op.CHANGE_ROOM, 1, ChangeRoomRequest.encode({ roomId: "lobby" }).finish());
    assert.equal(changed.replaceRooms, true);
    assert.deepEqual(changed.joinRooms, ["lobby"]);
    assert.equal(changed.protos[0]?.op, Op.CHANGE_ROOM_REPLY);
    assert.deepEqual([...((await harness.presence.get(conn.key))?.rooms ?? [])], ["lobby"]);
    const sub = await receive(conn, Op.SUB, 2, SubRequest.encode({ ops: [1000, 1001] }).finish());
    assert.deepEqual(sub.acceptsAdd, [1000, 1001]);
    assert.deepEqual(SubReply.decode(sub.protos[0]?.body ?? new Uint8Array()).ops, [1000, 1001]);
    const unsub = await receive(conn, Op.UNSUB, 3, SubRequest.encode({ ops: [1000] }).finish());
    assert.deepEqual(unsub.acceptsRemove, [1000]);
    assert.equal(unsub.protos[0]?.op, Op.UNSUB_REPLY);
  });

  it("refuses unknown ops, ops comets answer themselves and malformed bodies as bad_request", async () => {
    const conn = await connect(alice);
    assert.equal(await rejection(receive(conn, 999, 1, new Uint8Array())), "bad_request");
    assert.equal(await rejection(receive(conn, Op.HEARTBEAT, 1, new Uint8Array())), "bad_request");
    assert.equal(await rejection(receive(conn, Op.SEND, 1, new Uint8Array([0x0a, 0xff, 0x01]))), "bad_request");
    const notMember = receive(
      conn,
      Op.HISTORY,
      1,
      HistoryRequest.encode({ roomId: "resume", beforeSeq: 0, limit: 0 }).finish(),
    );
    assert.equal(await rejection(notMember), "not_member");
  });

  it("heartbeat renews presence while the session lives and answers valid false after logout", async () => {
    const dave = await register(harness, "dave");
    const conn = await connect(dave);
    const beat = { memberId: conn.memberId, key: conn.key, server: SERVER, roomIds: conn.roomIds };
    assert.deepEqual(await harness.logic.api.heartbeat(beat), { valid: true });

    await harness.presence.remove(conn.key);
    assert.deepEqual(await harness.logic.api.heartbeat(beat), { valid: true });
    assert.deepEqual(
      [...((await harness.presence.get(conn.key))?.rooms ?? [])],
      ["lobby"],
      "presence rebuilt from room_ids",
    );

    await request(harness, "DELETE", "/api/v1/sessions/current", { token: dave.token });
    assert.deepEqual(await harness.logic.api.heartbeat(beat), { valid: false });
    assert.equal(await harness.presence.get(conn.key), null);
  });

  it("renewOnline answers cluster-wide distinct online members, and disconnect removes the connection", async () => {
    const erin = await register(harness, "erin");
    const first = await connect(erin);
    const second = await connect(erin);
    const counts = await harness.logic.api.renewOnline({ server: SERVER, roomCount: { lobby: 2, empty: 0 } });
    assert.equal(counts.allRoomCount.empty, 0);
    const before = counts.allRoomCount.lobby ?? 0;
    assert.ok(before >= 1);
    assert.deepEqual(await harness.logic.api.disconnect({ memberId: erin.id, key: first.key, server: SERVER }), {
      has: true,
    });
    const stillOnline = await harness.logic.api.renewOnline({ server: SERVER, roomCount: { lobby: 1 } });
    assert.equal(stillOnline.allRoomCount.lobby, before, "erin is still online through her second connection");
    await harness.logic.api.disconnect({ memberId: erin.id, key: second.key, server: SERVER });
    const gone = await harness.logic.api.renewOnline({ server: SERVER, roomCount: { lobby: 1 } });
    assert.equal(gone.allRoomCount.lobby, before - 1);
    assert.deepEqual(await harness.logic.api.disconnect({ memberId: erin.id, key: second.key, server: SERVER }), {
      has: false,
    });
  });
  it("re-checks the session on every request: after logout the next request is refused session_revoked", async () => {
    const frank = await register(harness, "frank");
    const conn = await connect(frank);
    assert.equal(conn.sessionId.length > 0, true, "the comet learns the connection's session");
    await sendText(conn, "lobby", "before logout");
    await request(harness, "DELETE", "/api/v1/sessions/current", { token: frank.token });
    assert.equal(await rejection(sendText(conn, "lobby", "after logout")), "session_revoked");
  });

  it("logout publishes a control-only push that closes that session's connections with 4010", async () => {
    const gina = await register(harness, "gina");
    const conn = await connect(gina);
    await request(harness, "DELETE", "/api/v1/sessions/current", { token: gina.token });
    const push = await harness.waitForPush((p) => p.members.includes(gina.id) && p.control?.closeCode === 4010);
    assert.equal(push.operation, 0, "no frame");
    assert.equal(push.control?.closeSessionId, conn.sessionId);
  });

  it("refuses a garbage body that would decode as an empty message, and changes nothing", async () => {
    const conn = await connect(alice);
    const garbage = new TextEncoder().encode("live://1001");
    assert.equal(await rejection(receive(conn, Op.CHANGE_ROOM, 1, garbage)), "bad_request");
    const rooms = [...((await harness.presence.get(conn.key))?.rooms ?? [])].sort();
    assert.deepEqual(rooms, [...conn.roomIds].sort(), "every subscription kept");
    assert.equal(await rejection(receive(conn, Op.SUB, 2, new Uint8Array([0x78, 0x01]))), "bad_request");
    const badAuth = harness.logic.api.connect({ server: SERVER, cookie: "", token: garbage });
    assert.equal(await rejection(badAuth), "bad_request");
  });

  it("refuses a connection beyond the member's connection limit with limit_exceeded", async () => {
    const limited = await startHarness({ maxConnectionsPerMember: 2 });
    try {
      const hank = await register(limited, "hank");
      const open = () => limited.logic.api.connect({ server: SERVER, cookie: "", token: authBytes(hank.token) });
      const first = await open();
      await open();
      assert.equal(await rejection(open()), "limit_exceeded");
      await limited.logic.api.disconnect({ memberId: hank.id, key: first.key, server: SERVER });
      await open();
    } finally {
      await limited.close();
    }
  });

  it("tells a new connection its rooms' online counts and pushes a changed count to the room, coalesced", async () => {
    const counted = await startHarness({ onlinePushIntervalMs: 200 });
    try {
      const ivy = await register(counted, "ivy");
      const jay = await register(counted, "jay");
      const connectAs = (account: Account) =>
        counted.logic.api.connect({ server: SERVER, cookie: "", token: authBytes(account.token) });
      const first = AuthReply.decode((await connectAs(ivy)).authReply);
      assert.equal(first.rooms.find((r) => r.roomId === "lobby")?.online, 1);
      const before = counted.published.length;
      await Promise.all([connectAs(jay), connectAs(jay), connectAs(ivy)]);
      const push = await counted.waitForPush(
        (p, i = counted.published.indexOf(p)) => i >= before && p.operation === Op.ONLINE && p.room === "lobby",
      );
      assert.equal(push.online, 2, "two distinct members");
      assert.deepEqual(OnlineUpdate.decode(push.msg).online, [{ roomId: "lobby", count: 2 }]);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const pushes = counted.published.slice(before).filter((p) => p.operation === Op.ONLINE);
      assert.equal(pushes.length, 1, "three connects within one window made one push");
    } finally {
      await counted.close();
    }
  });
  it("publishes TYPING to the room at most once per interval per member, never storing it", async () => {
    const quick = await startHarness({ typingIntervalMs: 300 });
    try {
      const kim = await register(quick, "kim");
      const conn = await quick.logic.api.connect({ server: SERVER, cookie: "", token: authBytes(kim.token) });
      const typingBody = TypingRequest.encode({ roomId: "lobby" }).finish();
      const typed = (seq: number) =>
        quick.logic.api.receive({
          memberId: conn.memberId,
          key: conn.key,
          server: SERVER,
          proto: { ver: 1, op: Op.TYPING, seq, body: typingBody },
        });
      const before = quick.published.length;
      for (let seq = 1; seq <= 3; seq++) assert.equal((await typed(seq)).protos[0]?.op, Op.TYPING_REPLY);
      const typingPushes = () =>
        quick.published
          .slice(before)
          .filter(
            (p) => p.operation === Op.EVENT && RoomEvent.decode(p.msg).type === RoomEventType.ROOM_EVENT_TYPE_TYPING,
          );
      await quick.waitForPush((p) => typingPushes().includes(p));
      assert.equal(typingPushes().length, 1, "three OP_TYPING in a row, one event");
      const event = RoomEvent.decode(typingPushes()[0]?.msg ?? new Uint8Array());
      assert.deepEqual([event.roomId, event.memberId, event.username], ["lobby", kim.id, kim.username]);
      assert.equal(typingPushes()[0]?.seq, 0, "not a stored message");
      assert.equal(await quick.stores.messages.lastSeq("lobby"), 0);
      await new Promise((resolve) => setTimeout(resolve, 350));
      await typed(4);
      await quick.waitForPush(() => typingPushes().length === 2);
      const notMember = quick.logic.api.receive({
        memberId: conn.memberId,
        key: conn.key,
        server: SERVER,
        proto: { ver: 1, op: Op.TYPING, seq: 5, body: TypingRequest.encode({ roomId: "elsewhere" }).finish() },
      });
      assert.equal(await rejection(notMember), "room_not_found");
    } finally {
      await quick.close();
    }
  });

  it("publishes a member's read cursor to the room after ACKs, coalesced to the latest", async () => {
    const quick = await startHarness({ readReceiptIntervalMs: 200, sendRateCapacity: 100 });
    try {
      const lee = await register(quick, "lee");
      const conn = await quick.logic.api.connect({ server: SERVER, cookie: "", token: authBytes(lee.token) });
      const receiveAs = (op: number, seq: number, body: Uint8Array) =>
        quick.logic.api.receive({
          memberId: conn.memberId,
          key: conn.key,
          server: SERVER,
          proto: { ver: 1, op, seq, body },
        });
      for (let i = 1; i <= 3; i++) {
        const body = SendRequest.encode({ roomId: "lobby", toMemberId: 0, clientMsgId: "", text: `m${i}` }).finish();
        await receiveAs(Op.SEND, i, body);
      }
      const before = quick.published.length;
      for (let seq = 1; seq <= 3; seq++)
        await receiveAs(Op.ACK, 10 + seq, AckRequest.encode({ roomId: "lobby", seq }).finish());
      const reads = () =>
        quick.published
          .slice(before)
          .map((p) => RoomEvent.decode(p.operation === Op.EVENT ? p.msg : new Uint8Array()))
          .filter((e) => e.type === RoomEventType.ROOM_EVENT_TYPE_READ);
      await quick.waitForPush(() => reads().length > 0);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(
        reads().map((e) => [e.roomId, e.memberId, e.username, e.seq]),
        [["lobby", lee.id, lee.username, 3]],
        "three acks within one window, one receipt with the last cursor",
      );
    } finally {
      await quick.close();
    }
  });
});
