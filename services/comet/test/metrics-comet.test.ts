import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, test } from "node:test";
import { silentLogger } from "@chatroom/core";
import { createMetricsRegistry } from "@chatroom/core/observability";
import { pollUntil } from "@chatroom/core/testing";
import { AuthRequest, ChatMessage, encodeFrame, encodeRawBatch, Op, RoomEvent } from "@chatroom/proto/protocol";
import type { Registry } from "prom-client";
import { WebSocket } from "ws";
import { Metrics, parseMetrics } from "../../../test/observability/support/scrape.ts";
import { createComet } from "../src/comet.ts";
import { loadCometConfig } from "../src/config.ts";
import { CometMetrics } from "../src/metrics/comet-metrics.ts";
import { opLabel } from "../src/metrics/op-label.ts";
import { scanPushedFrames, sentAtOf } from "../src/metrics/pushed-messages.ts";
import { FakeLogic } from "./support/fake-logic.ts";
import { TestClient } from "./support/harness.ts";

function chatMessage(seq: number, sentAtMs: number): Uint8Array {
  return ChatMessage.encode({
    id: `m${seq}`,
    roomId: "lobby",
    seq,
    senderId: 7,
    senderName: "ann",
    text: "hello ".repeat(seq),
    sentAtMs,
    clientMsgId: "c",
    roomKind: 1,
  }).finish();
}

function bodyOf(frame: Uint8Array): Uint8Array {
  return frame.subarray(16);
}

describe("reading sent_at_ms from pushed frames", () => {
  test("finds each chat message's timestamp in an OP_RAW batch and counts every frame in it", () => {
    const batch = encodeRawBatch([
      encodeFrame(Op.MESSAGE, 0, chatMessage(1, 1_700_000_000_123)),
      encodeFrame(
        Op.EVENT,
        0,
        RoomEvent.encode({ type: 1, memberId: 7, roomId: "lobby", username: "ann", seq: 0 }).finish(),
      ),
      encodeFrame(Op.MESSAGE, 0, chatMessage(2, 1_700_000_000_456)),
    ]);
    const seen: number[] = [];
    assert.equal(
      scanPushedFrames(Op.RAW, bodyOf(batch), (ms) => seen.push(ms)),
      3,
    );
    assert.deepEqual(seen, [1_700_000_000_123, 1_700_000_000_456]);
  });

  test("reads a single OP_MESSAGE frame, and nothing from other ops", () => {
    const seen: number[] = [];
    assert.equal(
      scanPushedFrames(Op.MESSAGE, chatMessage(3, 4_102_444_800_000), (ms) => seen.push(ms)),
      1,
    );
    assert.equal(
      scanPushedFrames(1000, chatMessage(4, 5), (ms) => seen.push(ms)),
      1,
    );
    assert.deepEqual(seen, [4_102_444_800_000], "timestamps above 2^32 survive");
  });

  test("gives 0 for a message without the field and stops at a truncated batch without throwing", () => {
    const noTime = ChatMessage.encode({ ...ChatMessage.decode(chatMessage(1, 1)), sentAtMs: 0 }).finish();
    assert.equal(sentAtOf(noTime, 0, noTime.length), 0);
    const batch = encodeRawBatch([encodeFrame(Op.MESSAGE, 0, chatMessage(1, 99)), encodeFrame(Op.MESSAGE, 0)]);
    const truncated = bodyOf(batch).subarray(0, bodyOf(batch).length - 3);
    const seen: number[] = [];
    assert.equal(
      scanPushedFrames(Op.RAW, truncated, (ms) => seen.push(ms)),
      1,
    );
    assert.deepEqual(seen, [99]);
    assert.equal(sentAtOf(new Uint8Array([0xff, 0xff, 0xff]), 0, 3), 0);
  });

  test("labels ops with a fixed set of names", () => {
    assert.equal(opLabel(Op.SEND), "SEND");
    assert.equal(opLabel(Op.RAW), "RAW");
    assert.equal(opLabel(1234), "custom");
    assert.equal(opLabel(500), "unknown");
    assert.equal(opLabel(-1), "unknown");
  });
});

async function read(registry: Registry): Promise<Metrics> {
  return new Metrics(parseMetrics(await registry.metrics()));
}

/** The registry's metrics once `condition` holds. */
function until(registry: Registry, condition: (m: Metrics) => boolean, what: string): Promise<Metrics> {
  return pollUntil(() => read(registry), condition, what, 10_000, 20);
}

describe("a comet's metrics", () => {
  test("count connections, frames by op, heartbeats, pushes and delivery latency, and the closes by reason", async () => {
    const registry = createMetricsRegistry();
    const logic = new FakeLogic();
    logic.addSession("t", { memberId: 1, roomIds: ["lobby"] });
    const config = loadCometConfig({}, { id: "comet-metrics", authTimeoutMs: 200, maxBufferedBytes: 64 * 1024 });
    const comet = createComet({ config, logic, logger: silentLogger, metrics: new CometMetrics(registry) });
    const server = createServer();
    comet.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    const open = async () => {
      const client = new TestClient(new WebSocket(url));
      await client.opened;
      return client;
    };
    try {
      const reader = await open();
      reader.send(Op.AUTH, 1, AuthRequest.encode({ token: "t", accepts: [], client: "test" }).finish());
      await reader.next(Op.AUTH_REPLY);
      reader.send(Op.HEARTBEAT, 2);
      await reader.next(Op.HEARTBEAT_REPLY);
      const sentAt = Date.now() - 30;
      const batch = encodeRawBatch([
        encodeFrame(Op.MESSAGE, 0, chatMessage(1, sentAt)),
        encodeFrame(Op.MESSAGE, 0, chatMessage(2, sentAt)),
      ]);
      await comet.api.broadcastRoom({ roomId: "lobby", proto: { ver: 1, op: Op.RAW, seq: 0, body: bodyOf(batch) } });
      await reader.next(Op.RAW);

      const lazy = await open(); // never authenticates
      const rude = await open();
      rude.ws.send("text is not a frame");
      assert.equal((await rude.closed).code, 1003);
      assert.equal((await lazy.closed).code, 4002);

      const m = await until(registry, (x) => x.sum("chatroom_comet_disconnects_total") >= 2, "two closes");
      assert.equal(m.sum("chatroom_comet_connections"), 1);
      assert.equal(m.sum("chatroom_comet_rooms"), 1);
      assert.equal(m.sum("chatroom_comet_connects_total"), 3);
      assert.equal(m.sum("chatroom_comet_frames_received_total", { op: "AUTH" }), 1);
      assert.equal(m.sum("chatroom_comet_frames_received_total", { op: "HEARTBEAT" }), 1);
      assert.equal(m.sum("chatroom_comet_frames_received_total", { op: "invalid" }), 1);
      assert.equal(m.sum("chatroom_comet_frames_sent_total", { op: "AUTH_REPLY" }), 1);
      assert.equal(m.sum("chatroom_comet_frames_sent_total", { op: "HEARTBEAT_REPLY" }), 1);
      assert.equal(m.sum("chatroom_comet_frames_sent_total", { op: "RAW" }), 1);
      assert.equal(m.sum("chatroom_comet_sent_bytes_total", { op: "RAW" }), batch.length);
      assert.equal(m.sum("chatroom_comet_heartbeats_total"), 1);
      assert.equal(m.sum("chatroom_comet_pushes_received_total", { method: "broadcast_room" }), 1);
      assert.equal(m.sum("chatroom_comet_deliveries_total"), 2, "two messages in the batch to one connection");
      assert.equal(m.sum("chatroom_comet_delivery_latency_seconds_count"), 2);
      assert.ok(m.sum("chatroom_comet_delivery_latency_seconds_sum") >= 0.06, "at least 30 ms each");
      assert.equal(m.sum("chatroom_comet_auth_failures_total", { reason: "timeout" }), 1);
      assert.equal(m.sum("chatroom_comet_disconnects_total", { reason: "auth_timeout" }), 1);
      assert.equal(m.sum("chatroom_comet_disconnects_total", { reason: "unsupported_data" }), 1);
      reader.ws.terminate();
    } finally {
      await comet.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test("count a slow consumer's close and the frames dropped for it", async () => {
    const registry = createMetricsRegistry();
    const logic = new FakeLogic();
    logic.addSession("t", { memberId: 1, roomIds: ["lobby"] });
    const config = loadCometConfig({}, { id: "comet-slow", maxBufferedBytes: 64 * 1024 });
    const comet = createComet({ config, logic, logger: silentLogger, metrics: new CometMetrics(registry) });
    const server = createServer();
    comet.attach(server);
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const client = new TestClient(new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`));
    try {
      await client.opened;
      client.send(Op.AUTH, 1, AuthRequest.encode({ token: "t", accepts: [], client: "test" }).finish());
      await client.next(Op.AUTH_REPLY);
      client.ws.pause();
      const body = new Uint8Array(16 * 1024);
      let dropped = 0;
      for (let pushes = 0; pushes < 16_384 && dropped < 2; pushes++) {
        const { delivered } = await comet.api.broadcastRoom({
          roomId: "lobby",
          proto: { ver: 1, op: Op.MESSAGE, seq: 0, body },
        });
        if (delivered === 0) dropped++;
        if (pushes % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      client.ws.resume();
      assert.equal((await client.closed).code, 4009);
      const m = await until(
        registry,
        (x) => x.sum("chatroom_comet_disconnects_total", { reason: "slow_consumer" }) === 1,
        "the slow consumer's close",
      );
      assert.equal(m.sum("chatroom_comet_slow_consumer_closes_total"), 1);
      // The overflowing frame, and the next one too when it still found the closing channel in the room.
      const drops = m.sum("chatroom_comet_send_drops_total");
      assert.ok(drops >= 1 && drops <= 2, `drops: ${drops}`);
      assert.equal(m.sum("chatroom_comet_connections"), 0);
    } finally {
      await comet.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
