import assert from "node:assert/strict";
import { once } from "node:events";
import type { IncomingMessage } from "node:http";
import { afterEach, describe, test } from "node:test";
import { ChatError, silentLogger } from "@chatroom/core";
import { Dialect, type Proto } from "@chatroom/proto/grpc";
import { decodeRawBatch, Op } from "@chatroom/proto/protocol";
import { WebSocket } from "ws";
import { loadCometConfig } from "../src/config.ts";
import { type GoimListener, startGoimListener } from "../src/goim/goim-listener.ts";
import { type Harness, startComet, TestClient } from "./support/harness.ts";

const text = (value: string) => new TextEncoder().encode(value);
const proto = (op: number, body: string): Proto => ({ ver: 1, op, seq: 0, body: text(body) });

describe("goim dialect on the comet", () => {
  let h: Harness;
  let listener: GoimListener | null = null;
  afterEach(async () => {
    // The comet drains its connections first: the listener's close waits for them.
    await h.close();
    await listener?.close();
    listener = null;
  });

  /** A comet with its goim listener (trust) and /sub on the public listener. */
  async function start(): Promise<GoimListener> {
    h = await startComet({ goimPublicSub: true, renewOnlineIntervalMs: 50 });
    const config = loadCometConfig({}, { goimWsListen: { host: "127.0.0.1", port: 0 }, goimWsAuth: "trust" });
    listener = await startGoimListener(h.comet, config, silentLogger);
    if (!listener) throw new Error("no goim listener");
    return listener;
  }

  async function goimClient(url: string, token: object): Promise<TestClient> {
    const client = new TestClient(new WebSocket(url));
    await client.opened;
    client.send(Op.AUTH, 1, text(JSON.stringify(token)));
    return client;
  }

  test("tells logic the dialect and the listener's policy, and answers goim's empty OP_AUTH_REPLY", async () => {
    const goim = await start();
    const trusted = await goimClient(goim.url, { mid: 7 });
    const reply = await trusted.next(Op.AUTH_REPLY);
    assert.deepEqual([reply.seq, reply.body.length], [1, 0]);
    assert.deepEqual([h.logic.connects[0]?.dialect, h.logic.connects[0]?.trusted], [Dialect.DIALECT_GOIM, true]);
    const verified = await goimClient(`${h.url}/sub`, { mid: 8, key: "credential" });
    await verified.next(Op.AUTH_REPLY);
    assert.deepEqual([h.logic.connects[1]?.dialect, h.logic.connects[1]?.trusted], [Dialect.DIALECT_GOIM, false]);
  });

  test("serves /sub on the public listener only with CHATROOM_COMET_GOIM_PUBLIC_SUB, and nothing else on the goim one", async () => {
    h = await startComet();
    const ws = new WebSocket(`${h.url}/sub`);
    ws.on("error", () => {});
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 404);
    ws.terminate();
    const config = loadCometConfig({}, { goimWsListen: { host: "127.0.0.1", port: 0 } });
    listener = await startGoimListener(h.comet, config, silentLogger);
    const other = new WebSocket(listener?.url.replace(/\/sub$/, "/ws") ?? "");
    other.on("error", () => {});
    const [, otherResponse] = (await once(other, "unexpected-response")) as [unknown, IncomingMessage];
    assert.equal(otherResponse.statusCode, 404, "chatroom's /ws is not served on the goim listener");
    other.terminate();
    assert.equal(await startGoimListener(h.comet, loadCometConfig({}), silentLogger), null, "off by default");
  });

  test("answers heartbeats with the goim room's count in 4 bytes: this comet's, then the cluster's", async () => {
    const goim = await start();
    // Every heartbeat then renews the connection with logic (at most once per interval).
    h.logic.goimHeartbeatMs = 1;
    const client = await goimClient(goim.url, { mid: 7, room_id: "live://1" });
    await client.next(Op.AUTH_REPLY);
    const other = await goimClient(goim.url, { mid: 8, room_id: "live://1" });
    await other.next(Op.AUTH_REPLY);
    client.send(Op.HEARTBEAT, 1);
    const local = await client.next(Op.HEARTBEAT_REPLY);
    assert.deepEqual([...local.body], [0, 0, 0, 2]);
    h.logic.allRoomCount = { "live://1": 300 };
    // The second renewal from now starts after the first one's answer was applied.
    await h.logic.next("renewOnline");
    await h.logic.next("renewOnline");
    const renewed = h.logic.next<{ dialect?: Dialect }>("heartbeat");
    client.send(Op.HEARTBEAT, 2);
    const cluster = await client.next(Op.HEARTBEAT_REPLY);
    assert.deepEqual([cluster.seq, [...cluster.body]], [2, [0, 0, 1, 44]]);
    assert.equal((await renewed).dialect, Dialect.DIALECT_GOIM, "logic is told the dialect on heartbeats too");
  });

  test("writes OP_ERROR with a JSON body for a refused request", async () => {
    const goim = await start();
    h.logic.onReceive = async (request) => {
      assert.equal(request.dialect, Dialect.DIALECT_GOIM);
      throw new ChatError("bad_request", "not a goim room");
    };
    const client = await goimClient(goim.url, { mid: 7 });
    await client.next(Op.AUTH_REPLY);
    client.send(Op.CHANGE_ROOM, 4, text("garbage"));
    const error = await client.next(Op.ERROR);
    assert.equal(error.seq, 4);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(error.body)), {
      code: "bad_request",
      message: "not a goim room",
      request_op: Op.CHANGE_ROOM,
      retry_after_ms: 0,
    });
  });

  test("wraps key, member and broadcast pushes in OP_RAW for goim connections, not for chatroom ones", async () => {
    const goim = await start();
    h.logic.addSession("t", { memberId: 7 });
    const chat = await h.login("t", [1000]);
    const client = await goimClient(goim.url, { mid: 7, accepts: [1000] });
    await client.next(Op.AUTH_REPLY);
    await h.comet.api.pushMsg({ keys: [], members: [7], protoOp: 1000, proto: proto(1000, "to mid") });
    const wrapped = await client.next(Op.RAW);
    assert.deepEqual(
      decodeRawBatch(wrapped.body).map((f) => [f.op, new TextDecoder().decode(f.body)]),
      [[1000, "to mid"]],
    );
    const plain = await chat.client.next(1000);
    assert.equal(new TextDecoder().decode(plain.body), "to mid");
    await h.comet.api.broadcast({ protoOp: 1000, proto: proto(1000, "to all"), speed: 0 });
    assert.equal(decodeRawBatch((await client.next(Op.RAW)).body)[0]?.op, 1000);
  });

  test("never gives a goim connection chat frames or chat-room changes, but closes it when a push says so (logout)", async () => {
    const goim = await start();
    const client = await goimClient(goim.url, { mid: 7, accepts: [1000] });
    await client.next(Op.AUTH_REPLY);
    const control = { joinRooms: ["lobby"], leaveRooms: [], closeCode: 0, closeReason: "", closeSessionId: "" };
    const event = await h.comet.api.pushMsg({
      keys: [],
      members: [7],
      protoOp: Op.EVENT,
      proto: proto(Op.EVENT, "e"),
      control,
    });
    assert.equal(event.delivered, 0, "OP_EVENT is not an op the goim connection accepts");
    const message = await h.comet.api.pushMsg({
      keys: [],
      members: [7],
      protoOp: Op.MESSAGE,
      proto: proto(Op.MESSAGE, "m"),
    });
    assert.equal(message.delivered, 0);
    const room = await h.comet.api.broadcastRoom({ roomId: "lobby", proto: proto(Op.RAW, "") });
    assert.equal(room.delivered, 0, "the control's join was not applied");
    await h.comet.api.pushMsg({ keys: [], members: [7], protoOp: 1000, proto: proto(1000, "sentinel") });
    const next = await client.next();
    assert.equal(next.op, Op.RAW, "the sentinel is the first push it got");
    const close = { ...control, joinRooms: [], closeCode: 4010, closeReason: "logged out" };
    await h.comet.api.pushMsg({ keys: [], members: [7], protoOp: 0, control: close });
    assert.equal((await client.closed).code, 4010);
  });
});
