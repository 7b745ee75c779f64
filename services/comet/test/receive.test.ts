import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { ChatError } from "@chatroom/core";
import { ErrorReply, Op } from "@chatroom/proto/protocol";
import { receiveResult } from "./support/fake-logic.ts";
import { type Harness, startComet } from "./support/harness.ts";

const MESSAGE = { ver: 1, op: Op.MESSAGE, seq: 0, body: new Uint8Array([9]) };
const body = (...bytes: number[]) => new Uint8Array(bytes);

describe("comet requests through logic.receive", () => {
  let h: Harness;
  afterEach(() => h.close());

  test("a request reaches logic with the connection's identity and its frame", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3 });
    const { client, reply } = await h.login("t");
    h.logic.onReceive = async () => receiveResult({ protos: [{ ver: 1, op: Op.SEND_REPLY, seq: 5, body: body(1) }] });
    client.send(Op.SEND, 5, body(1, 2, 3));
    await client.next(Op.SEND_REPLY);
    const request = h.logic.received[0]!;
    assert.equal(request.memberId, 3);
    assert.equal(request.key, reply.key);
    assert.equal(request.server, "comet-test");
    assert.deepEqual(request.proto && { ...request.proto, body: [...request.proto.body] }, {
      ver: 1,
      op: Op.SEND,
      seq: 5,
      body: [1, 2, 3],
    });
  });

  test("the frames logic returns are written in order, after the room changes are applied", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3, roomIds: ["lobby"] });
    const { client } = await h.login("t");
    h.logic.onReceive = async (request) => {
      // While logic handles the JOIN, a room push must not reach the connection yet.
      assert.equal((await h.comet.api.broadcastRoom({ roomId: "games", proto: MESSAGE })).delivered, 0);
      return receiveResult({
        joinRooms: ["games"],
        leaveRooms: ["lobby"],
        protos: [
          { ver: 1, op: Op.RAW, seq: 0, body: body() },
          { ver: 1, op: Op.JOIN_REPLY, seq: request.proto!.seq, body: body(4) },
        ],
      });
    };
    client.send(Op.JOIN, 9, body());
    const first = await client.next();
    const second = await client.next();
    assert.deepEqual([first.op, second.op, second.seq], [Op.RAW, Op.JOIN_REPLY, 9]);
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { games: 1 });
    assert.equal((await h.comet.api.broadcastRoom({ roomId: "games", proto: MESSAGE })).delivered, 1);
    assert.equal((await client.next()).op, Op.MESSAGE);
    assert.equal((await h.comet.api.broadcastRoom({ roomId: "lobby", proto: MESSAGE })).delivered, 0);
  });

  test("replace_rooms makes the connection's rooms exactly join_rooms", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3, roomIds: ["a", "b"] });
    const { client } = await h.login("t");
    h.logic.onReceive = async (request) =>
      receiveResult({
        replaceRooms: true,
        joinRooms: ["b", "c"],
        protos: [{ ver: 1, op: Op.CHANGE_ROOM_REPLY, seq: request.proto!.seq, body: body() }],
      });
    client.send(Op.CHANGE_ROOM, 2, body());
    await client.next(Op.CHANGE_ROOM_REPLY);
    assert.deepEqual((await h.comet.api.rooms({})).rooms, { b: 1, c: 1 });
  });

  test("requests are answered in request order even when logic finishes them out of order", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3 });
    const { client } = await h.login("t");
    h.logic.onReceive = async (request) => {
      const seq = request.proto!.seq;
      // The first request is the slowest one.
      await new Promise((resolve) => setTimeout(resolve, seq === 1 ? 30 : 0));
      return receiveResult({ protos: [{ ver: 1, op: Op.SEND_REPLY, seq, body: body() }] });
    };
    for (let seq = 1; seq <= 5; seq++) client.send(Op.SEND, seq, body());
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) seqs.push((await client.next(Op.SEND_REPLY)).seq);
    assert.deepEqual(seqs, [1, 2, 3, 4, 5]);
  });

  test("a ChatError from logic is answered with OP_ERROR under the request seq and the socket stays open", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3 });
    const { client } = await h.login("t");
    h.logic.onReceive = async () => {
      throw new ChatError("rate_limited", "slow down", { retryAfterMs: 250 });
    };
    client.send(Op.SEND, 17, body(1));
    const frame = await client.next();
    assert.equal(frame.op, Op.ERROR);
    assert.equal(frame.seq, 17);
    assert.deepEqual(ErrorReply.decode(frame.body), {
      code: "rate_limited",
      message: "slow down",
      requestOp: Op.SEND,
      retryAfterMs: 250,
    });
    client.send(Op.HEARTBEAT, 18);
    assert.equal((await client.next()).op, Op.HEARTBEAT_REPLY);
  });

  test("any other failure of logic is answered with OP_ERROR code internal", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3 });
    const { client } = await h.login("t");
    h.logic.onReceive = async () => {
      throw new Error("database on fire");
    };
    client.send(Op.HISTORY, 4, body());
    const frame = await client.next(Op.ERROR);
    assert.equal(frame.seq, 4);
    assert.deepEqual(ErrorReply.decode(frame.body), {
      code: "internal",
      message: "internal error",
      requestOp: Op.HISTORY,
      retryAfterMs: 0,
    });
  });

  test("accepts_add and accepts_remove change which custom ops the connection receives", async () => {
    h = await startComet();
    h.logic.addSession("t", { memberId: 3 });
    const { client, reply } = await h.login("t");
    const custom = { ver: 1, op: 1000, seq: 0, body: body(1) };
    const push = () => h.comet.api.pushMsg({ keys: [reply.key], members: [], protoOp: 1000, proto: custom });
    assert.equal((await push()).delivered, 0);
    h.logic.onReceive = async (r) =>
      receiveResult({ acceptsAdd: [1000], protos: [{ ver: 1, op: Op.SUB_REPLY, seq: r.proto!.seq, body: body() }] });
    client.send(Op.SUB, 1, body());
    await client.next(Op.SUB_REPLY);
    assert.equal((await push()).delivered, 1);
    assert.equal((await client.next()).op, 1000);
    h.logic.onReceive = async (r) =>
      receiveResult({
        acceptsRemove: [1000],
        protos: [{ ver: 1, op: Op.UNSUB_REPLY, seq: r.proto!.seq, body: body() }],
      });
    client.send(Op.UNSUB, 2, body());
    await client.next(Op.UNSUB_REPLY);
    assert.equal((await push()).delivered, 0);
  });
});
