import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import {
  type CometClient,
  type CometInfo,
  loadConfig,
  MemoryCometRegistry,
  MemoryPresence,
  MemoryPushBus,
} from "@chatroom/core";
import { waitFor } from "@chatroom/core/testing";
import { type BroadcastRoomRequest, type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";
import { decodeRawBatch, Op } from "@chatroom/proto/protocol";
import { type Job, jobConfigSchema, startJob } from "../src/index.ts";

/** A comet that records the room frames job sends it. */
class FrameRecorder implements CometClient {
  readonly info: CometInfo;
  readonly frames: BroadcastRoomRequest[] = [];
  constructor(info: CometInfo) {
    this.info = info;
  }
  /** The seqs of each frame received, frame by frame. */
  seqsPerFrame(): number[][] {
    return this.frames.map((frame) => decodeRawBatch(frame.proto?.body ?? new Uint8Array()).map((f) => f.body[0] ?? 0));
  }
  async broadcastRoom(request: BroadcastRoomRequest) {
    this.frames.push(request);
    return { delivered: 1 };
  }
  async pushMsg() {
    return { delivered: 0 };
  }
  async broadcast() {
    return { delivered: 0 };
  }
  async rooms() {
    return { rooms: {} };
  }
  async close() {}
}

function roomPush(seq: number): PushMsg {
  return {
    type: PushMsg_Type.TYPE_ROOM,
    operation: Op.MESSAGE,
    speed: 0,
    server: "",
    room: "lobby",
    keys: [],
    msg: new Uint8Array([seq]),
    members: [],
    seq,
    publishedAtMs: 0,
    id: `m${seq}`,
  };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("job's batch window on the in-process bus", () => {
  let bus: MemoryPushBus;
  let presence: MemoryPresence;
  let registry: MemoryCometRegistry;
  let comet: FrameRecorder | undefined;
  let job: Job | undefined;

  beforeEach(async () => {
    bus = new MemoryPushBus({ partitions: 2 });
    presence = new MemoryPresence();
    registry = new MemoryCometRegistry();
    await registry.register({ id: "comet-a", grpcAddress: "comet-a:3109", wsUrl: "", startedAtMs: 0 }, 60_000);
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-a", rooms: ["lobby"] }, 60_000);
  });

  afterEach(async () => {
    await job?.close();
    await bus.close();
    await presence.close();
    await registry.close();
  });

  async function start(batchWindowMs: number, maxBatchSize = 500): Promise<FrameRecorder> {
    job = await startJob({
      bus,
      presence,
      registry,
      connect: (info) => {
        comet = new FrameRecorder(info);
        return comet;
      },
      config: { ...loadConfig(jobConfigSchema, {}), batchWindowMs, maxBatchSize },
    });
    assert.ok(comet);
    return comet;
  }

  /** m1, then once m1 was routed, m2…m10 one event-loop turn apart; resolves with the frames of all ten. */
  async function publishAfterFirst(recorder: FrameRecorder): Promise<number[][]> {
    await bus.publish(roomPush(1));
    await waitFor(() => recorder.frames.length === 1, "the first frame");
    for (let seq = 2; seq <= 10; seq++) {
      await bus.publish(roomPush(seq));
      await nextTurn();
    }
    await waitFor(() => recorder.seqsPerFrame().flat().length === 10, "ten messages");
    return recorder.seqsPerFrame();
  }

  it("routes a push at once after an idle moment, and the pushes of the window together in one frame", async () => {
    const frames = await publishAfterFirst(await start(1000));
    assert.deepEqual(frames, [[1], [2, 3, 4, 5, 6, 7, 8, 9, 10]]);
  });

  it("without a window (0) routes each push as it comes: a frame each (the control)", async () => {
    const frames = await publishAfterFirst(await start(0));
    assert.deepEqual(frames.flat(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(frames.length > 2, `pushes one turn apart made ${frames.length} frames`);
  });

  it("takes the next batch at once when the previous one was full", async () => {
    const recorder = await start(600_000, 5);
    await Promise.all(Array.from({ length: 12 }, (_, i) => bus.publish(roomPush(i + 1))));
    // Two full batches, then the rest, back to back: a ten-minute window would otherwise hold each of them.
    await waitFor(() => recorder.seqsPerFrame().flat().length === 12, "twelve messages");
    assert.deepEqual(recorder.seqsPerFrame(), [
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
      [11, 12],
    ]);
  });
});
