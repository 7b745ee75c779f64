import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  ChatError,
  type CometClient,
  type CometInfo,
  loadConfig,
  MemoryCometRegistry,
  MemoryPresence,
  MemoryPushBus,
} from "@chatroom/core";
import { waitFor } from "@chatroom/core/testing";
import {
  type BroadcastRequest,
  type BroadcastRoomRequest,
  type PushMsg,
  PushMsg_Type,
  type PushMsgRequest,
} from "@chatroom/proto/grpc";
import { decodeRawBatch, Op } from "@chatroom/proto/protocol";
import { CometPool, jobConfigSchema, PushRouter, startJob } from "../src/index.ts";

/** Records what job asks of each comet; the comet's own behaviour is tested in services/comet. */
class RecordingComet implements CometClient {
  readonly info: CometInfo;
  readonly pushes: PushMsgRequest[] = [];
  readonly roomBroadcasts: BroadcastRoomRequest[] = [];
  readonly broadcasts: BroadcastRequest[] = [];
  failNext = 0;
  failWith: Error = new Error("comet unavailable");
  closed = false;
  constructor(info: CometInfo) {
    this.info = info;
  }
  async pushMsg(request: PushMsgRequest) {
    this.maybeFail();
    this.pushes.push(request);
    return { delivered: request.keys.length };
  }
  async broadcast(request: BroadcastRequest) {
    this.broadcasts.push(request);
    return { delivered: 1 };
  }
  async broadcastRoom(request: BroadcastRoomRequest) {
    this.maybeFail();
    this.roomBroadcasts.push(request);
    return { delivered: 1 };
  }
  async rooms() {
    return { rooms: {} };
  }
  async close() {
    this.closed = true;
  }
  private maybeFail() {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw this.failWith;
    }
  }
}

function cometInfo(id: string): CometInfo {
  return { id, grpcAddress: `${id}:3109`, wsUrl: "", startedAtMs: 0 };
}

function roomPush(room: string, seq: number): PushMsg {
  return {
    type: PushMsg_Type.TYPE_ROOM,
    operation: Op.MESSAGE,
    speed: 0,
    server: "",
    room,
    keys: [],
    msg: new Uint8Array([seq]),
    members: [],
    seq,
    publishedAtMs: 0,
    id: `m${seq}`,
  };
}

describe("job's push router", () => {
  let presence: MemoryPresence;
  let registry: MemoryCometRegistry;
  let comets: Map<string, RecordingComet>;
  let pool: CometPool;

  beforeEach(async () => {
    presence = new MemoryPresence();
    registry = new MemoryCometRegistry();
    comets = new Map();
    for (const id of ["comet-a", "comet-b", "comet-c"]) await registry.register(cometInfo(id), 60_000);
    pool = new CometPool(registry, (info) => {
      const comet = new RecordingComet(info);
      comets.set(info.id, comet);
      return comet;
    });
    await pool.start();
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-a", rooms: ["lobby"] }, 60_000);
    await presence.upsert({ key: "k2", memberId: 2, server: "comet-b", rooms: ["lobby", "dev"] }, 60_000);
    await presence.upsert({ key: "k3", memberId: 2, server: "comet-a", rooms: ["dev"] }, 60_000);
  });

  afterEach(async () => {
    await pool.close();
    await presence.close();
    await registry.close();
  });

  function router() {
    return new PushRouter({ presence, comets: pool, roomBatchMaxMessages: 2, roomBatchMaxBytes: 48 * 1024 });
  }

  it("sends a room's messages only to the comets with members of the room online, batched and in order", async () => {
    await router().route({
      partition: 0,
      messages: [roomPush("dev", 1), roomPush("dev", 2), roomPush("dev", 3)],
    });
    assert.equal(comets.get("comet-c")?.roomBroadcasts.length, 0, "comet-c holds nobody in dev");
    for (const id of ["comet-a", "comet-b"]) {
      const calls = comets.get(id)?.roomBroadcasts ?? [];
      assert.equal(calls.length, 2, `${id}: 3 messages in batches of at most 2`);
      const seqs = calls.flatMap((c) => {
        assert.equal(c.roomId, "dev");
        assert.equal(c.proto?.op, Op.RAW);
        return decodeRawBatch(c.proto?.body ?? new Uint8Array()).map((f) => f.body[0]);
      });
      assert.deepEqual(seqs, [1, 2, 3]);
    }
    assert.equal(
      comets.get("comet-a")?.roomBroadcasts[0]?.proto?.body,
      comets.get("comet-b")?.roomBroadcasts[0]?.proto?.body,
      "the batch is encoded once and the same bytes go to every comet",
    );
  });

  it("pushes to a member's connections on exactly the comets that hold them", async () => {
    await router().route({
      partition: 0,
      messages: [{ ...roomPush("", 9), type: PushMsg_Type.TYPE_PUSH, room: "", members: [2], operation: Op.EVENT }],
    });
    assert.deepEqual(
      comets.get("comet-a")?.pushes.map((p) => p.keys),
      [["k3"]],
    );
    assert.deepEqual(
      comets.get("comet-b")?.pushes.map((p) => p.keys),
      [["k2"]],
    );
    assert.equal(comets.get("comet-c")?.pushes.length, 0);
    assert.equal(comets.get("comet-a")?.pushes[0]?.protoOp, Op.EVENT);
  });

  it("pushes by connection key", async () => {
    await router().route({
      partition: 0,
      messages: [{ ...roomPush("", 9), type: PushMsg_Type.TYPE_PUSH, room: "", keys: ["k1", "gone"], operation: 1000 }],
    });
    assert.deepEqual(
      comets.get("comet-a")?.pushes.map((p) => p.keys),
      [["k1"]],
    );
    assert.equal(comets.get("comet-b")?.pushes.length, 0);
  });

  it("broadcasts to every registered comet", async () => {
    await router().route({
      partition: 0,
      messages: [{ ...roomPush("", 9), type: PushMsg_Type.TYPE_BROADCAST, room: "", operation: 1000, speed: 50 }],
    });
    for (const comet of comets.values()) {
      assert.equal(comet.broadcasts.length, 1);
      assert.equal(comet.broadcasts[0]?.speed, 50);
    }
  });

  it("skips a comet that stays unreachable instead of holding up the batch", async () => {
    const cometA = comets.get("comet-a");
    assert.ok(cometA);
    cometA.failWith = new ChatError("unavailable", "connection refused");
    cometA.failNext = 10;
    const unreachable: string[] = [];
    const skipping = new PushRouter({
      presence,
      comets: pool,
      roomBatchMaxMessages: 2,
      roomBatchMaxBytes: 48 * 1024,
      unreachableRetryDelaysMs: [1, 1],
      stats: { onPushed: () => {}, onMiss: () => {}, onCometUnreachable: (id) => unreachable.push(id) },
    });
    await skipping.route({ partition: 0, messages: [roomPush("lobby", 1)] });
    assert.deepEqual(unreachable, ["comet-a"]);
    assert.equal(comets.get("comet-b")?.roomBroadcasts.length, 1, "the reachable comet still gets the message");
  });

  it("retries an unreachable comet briefly and delivers when it answers", async () => {
    const cometA = comets.get("comet-a");
    assert.ok(cometA);
    cometA.failWith = new ChatError("unavailable", "connection refused");
    cometA.failNext = 1;
    await router().route({ partition: 0, messages: [roomPush("lobby", 1)] });
    assert.equal(cometA.roomBroadcasts.length, 1);
  });

  it("rejects the batch when a comet call fails otherwise, so the bus redelivers it", async () => {
    const cometA = comets.get("comet-a");
    assert.ok(cometA);
    cometA.failNext = 1;
    await assert.rejects(router().route({ partition: 0, messages: [roomPush("lobby", 1)] }), /comet unavailable/);
  });

  it("drops a comet that leaves the registry and picks up one that joins", async () => {
    await registry.deregister("comet-c");
    await registry.register(cometInfo("comet-d"), 60_000);
    await waitFor(
      () => pool.get("comet-d") !== undefined && pool.get("comet-c") === undefined,
      "the pool to follow the registry",
    );
    assert.equal(comets.get("comet-c")?.closed, true);
  });
});

describe("a started job", () => {
  it("consumes the bus and retries a failed batch until the comet takes it", async () => {
    const bus = new MemoryPushBus({ partitions: 2 });
    const presence = new MemoryPresence();
    const registry = new MemoryCometRegistry();
    await registry.register(cometInfo("comet-a"), 60_000);
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-a", rooms: ["lobby"] }, 60_000);
    let comet: RecordingComet | undefined;
    const job = await startJob({
      bus,
      presence,
      registry,
      connect: (info) => {
        comet = new RecordingComet(info);
        comet.failNext = 2;
        return comet;
      },
      config: { ...loadConfig(jobConfigSchema, {}), retryBackoffMs: 5 },
    });
    try {
      assert.deepEqual(job.comets(), ["comet-a"]);
      for (let seq = 1; seq <= 5; seq += 1) await bus.publish(roomPush("lobby", seq));
      await waitFor(
        () =>
          (comet?.roomBroadcasts ?? []).flatMap((c) => decodeRawBatch(c.proto?.body ?? new Uint8Array())).length >= 5,
        "the five messages at the recovered comet",
      );
      const seqs = (comet?.roomBroadcasts ?? []).flatMap((c) =>
        decodeRawBatch(c.proto?.body ?? new Uint8Array()).map((f) => f.body[0]),
      );
      assert.deepEqual(seqs, [1, 2, 3, 4, 5], "every message once the comet recovers, in order");
    } finally {
      await job.close();
      await bus.close();
      await presence.close();
      await registry.close();
    }
  });
});
