import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, describe, it } from "node:test";
import { ChatError, type CometApi, type CometInfo } from "@chatroom/core";
import type { BroadcastRequest, BroadcastRoomRequest, PushMsgRequest } from "@chatroom/proto/grpc";
import { serveCometGrpc } from "../../comet/src/grpc/comet-grpc-server.ts";
import { grpcCometConnector } from "../src/grpc/grpc-comet-connector.ts";

/** Every byte value, twice, so that no encoding step can hide a lossy conversion. */
const EVERY_BYTE = new Uint8Array(512).map((_, i) => i % 256);

/** A hand-written CometApi that records requests and fails on demand. */
class RecordingComet implements CometApi {
  readonly calls: Array<{ method: string; request: unknown }> = [];
  failure: unknown = null;

  #record(method: string, request: unknown): void {
    this.calls.push({ method, request });
    if (this.failure !== null) throw this.failure;
  }
  async pushMsg(request: PushMsgRequest) {
    this.#record("pushMsg", request);
    return { delivered: request.keys.length + request.members.length };
  }
  async broadcast(request: BroadcastRequest) {
    this.#record("broadcast", request);
    return { delivered: 100 };
  }
  async broadcastRoom(request: BroadcastRoomRequest) {
    this.#record("broadcastRoom", request);
    return { delivered: 3 };
  }
  async rooms(request: Record<string, never>) {
    this.#record("rooms", request);
    return { rooms: { lobby: 5, "dm:1:2": 2 } };
  }
}

/** Bytes fields decode as Buffers (views of the received message): compare them as plain Uint8Arrays. */
function plain<T>(value: T): T {
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map(plain) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)])) as T;
  }
  return value;
}

function info(grpcAddress: string): CometInfo {
  return { id: "comet-test", grpcAddress, wsUrl: "ws://127.0.0.1:1/ws", startedAtMs: 1 };
}

const closers: Array<{ close(): Promise<void> }> = [];
after(async () => {
  for (const closer of closers.reverse()) await closer.close();
});

async function serve(comet: CometApi): Promise<string> {
  const server = await serveCometGrpc({ api: comet, host: "127.0.0.1", port: 0 });
  closers.push(server);
  return server.address;
}

describe("CometService over gRPC through grpcCometConnector", () => {
  it("round-trips every CometApi method with the frame bytes preserved", async () => {
    const comet = new RecordingComet();
    const client = grpcCometConnector({ timeoutMs: 5000 })(info(await serve(comet)));
    closers.push(client);
    const pushMsg: PushMsgRequest = {
      keys: ["k1", "k2"],
      protoOp: 1000,
      proto: { ver: 1, op: 1000, seq: 0, body: EVERY_BYTE },
      members: [7, 9_007_199_254_740],
      control: { joinRooms: ["a"], leaveRooms: ["b"], closeCode: 4010, closeReason: "why", closeSessionId: "s" },
    };
    const broadcast: BroadcastRequest = { protoOp: 29, proto: { ver: 1, op: 29, seq: 0, body: EVERY_BYTE }, speed: 50 };
    const room: BroadcastRoomRequest = {
      roomId: "lobby",
      proto: { ver: 1, op: 9, seq: 0, body: new Uint8Array(1024 * 1024).fill(0x5a) },
      online: 12,
    };
    assert.deepEqual(await client.pushMsg(pushMsg), { delivered: 4 });
    assert.deepEqual(await client.broadcast(broadcast), { delivered: 100 });
    assert.deepEqual(await client.broadcastRoom(room), { delivered: 3 });
    assert.deepEqual(await client.rooms({}), { rooms: { lobby: 5, "dm:1:2": 2 } });
    assert.deepEqual(plain(comet.calls), [
      { method: "pushMsg", request: pushMsg },
      { method: "broadcast", request: broadcast },
      { method: "broadcastRoom", request: room },
      { method: "rooms", request: {} },
    ]);
    assert.equal(client.info.id, "comet-test");
  });

  it("delivers a comet's ChatError with its code and message", async () => {
    const comet = new RecordingComet();
    comet.failure = new ChatError("bad_request", "proto is required");
    const client = grpcCometConnector()(info(await serve(comet)));
    closers.push(client);
    await assert.rejects(client.pushMsg({ keys: [], protoOp: 0, proto: undefined, members: [] }), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "bad_request");
      assert.equal(error.message, "proto is required");
      return true;
    });
  });

  it("rejects a message above the size limit as payload_too_large without sending it", async () => {
    const comet = new RecordingComet();
    const client = grpcCometConnector({ transport: { maxMessageBytes: 64 * 1024 } })(info(await serve(comet)));
    closers.push(client);
    const proto = { ver: 1, op: 9, seq: 0, body: new Uint8Array(128 * 1024) };
    await assert.rejects(client.broadcastRoom({ roomId: "lobby", proto }), { code: "payload_too_large" });
    assert.equal(comet.calls.length, 0);
  });

  it("rejects with unavailable when the comet is not listening", async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const client = grpcCometConnector({ timeoutMs: 3000 })(info(`127.0.0.1:${port}`));
    closers.push(client);
    await assert.rejects(client.rooms({}), (error: unknown) => {
      assert.ok(error instanceof ChatError);
      assert.equal(error.code, "unavailable");
      assert.match(error.message, /comet comet-test at 127\.0\.0\.1:\d+ is unavailable/);
      return true;
    });
  });

  it("stops calling the comet once closed", async () => {
    const comet = new RecordingComet();
    const client = grpcCometConnector()(info(await serve(comet)));
    assert.deepEqual(await client.rooms({}), { rooms: { lobby: 5, "dm:1:2": 2 } });
    await client.close();
    await client.close();
    await assert.rejects(client.rooms({}), { code: "unavailable" });
    assert.equal(comet.calls.length, 1, "no call reached the comet after close");
  });
});
