import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { silentLogger } from "@chatroom/core";
import { decodeFrame, Op } from "@chatroom/proto/protocol";
import { BroadcastPacer } from "../src/broadcast-pacer.ts";
import { Buckets } from "../src/buckets.ts";
import { Channel, type ChannelSocket } from "../src/channel.ts";
import { createCometApi } from "../src/comet-api-impl.ts";
import { OnlineCounts } from "../src/online-counts.ts";
import { FakeLogic } from "./support/fake-logic.ts";

/** Records what a channel writes; stands in for a ws socket in these unit tests of the fan-out. */
class RecordingSocket implements ChannelSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: Uint8Array[] = [];
  closedWith: { code: number; reason: string } | undefined;
  send(data: Uint8Array, _options: { binary: boolean }, callback: (error?: Error) => void): void {
    this.sent.push(data);
    queueMicrotask(() => callback());
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 2;
  }
}

function channel(
  buckets: Buckets,
  key: string,
  memberId: number,
  rooms: string[],
  limits = { sendQueueMax: 8, maxBufferedBytes: 1024 },
) {
  const socket = new RecordingSocket();
  const ch = new Channel({ key, memberId, socket, limits });
  buckets.put(ch);
  for (const room of rooms) buckets.join(ch, room);
  return { ch, socket };
}

function onlineCounts(buckets: Buckets): OnlineCounts {
  return new OnlineCounts({ server: "c", intervalMs: 60_000, logic: new FakeLogic(), buckets, logger: silentLogger });
}

describe("comet fan-out", () => {
  test("broadcastRoom keeps the online count that travels beside an OP_ONLINE batch, for heartbeat replies", async () => {
    const buckets = new Buckets(2);
    channel(buckets, "a", 1, ["lobby"]);
    const online = onlineCounts(buckets);
    const api = createCometApi({
      buckets,
      online,
      pacer: new BroadcastPacer(),
      counts: { pushMsg: 0, broadcast: 0, broadcastRoom: 0 },
    });
    const proto = { ver: 1, op: Op.RAW, seq: 0, body: new Uint8Array([1]) };
    await api.broadcastRoom({ roomId: "lobby", proto });
    assert.equal(online.get("lobby"), undefined);
    await api.broadcastRoom({ roomId: "lobby", proto, online: 5 });
    assert.equal(online.get("lobby"), 5);
  });

  test("broadcastRoom encodes the frame once and hands the same bytes to every channel across buckets", async () => {
    const buckets = new Buckets(8);
    const members = Array.from({ length: 40 }, (_, i) => channel(buckets, `key-${i}`, i, ["lobby"]));
    const outsider = channel(buckets, "outsider", 99, ["other"]);
    assert.ok(
      new Set(members.map(({ ch }) => buckets.all.indexOf(buckets.of(ch.key)))).size > 1,
      "spread over buckets",
    );
    const counts = { pushMsg: 0, broadcast: 0, broadcastRoom: 0 };
    const api = createCometApi({ buckets, online: onlineCounts(buckets), pacer: new BroadcastPacer(), counts });
    const body = new Uint8Array([1, 2, 3]);
    const response = await api.broadcastRoom({ roomId: "lobby", proto: { ver: 1, op: Op.RAW, seq: 0, body } });
    assert.equal(response.delivered, 40);
    assert.deepEqual(counts, { pushMsg: 0, broadcast: 0, broadcastRoom: 1 }, "the call is counted");
    const first = members[0]!.socket.sent[0]!;
    for (const { socket } of members) {
      assert.equal(socket.sent.length, 1);
      assert.equal(socket.sent[0], first, "the very same Uint8Array");
    }
    assert.deepEqual(decodeFrame(first), { ver: 1, op: Op.RAW, seq: 0, body });
    assert.equal(outsider.socket.sent.length, 0);
  });

  test("pushMsg to many members writes one shared encoding", async () => {
    const buckets = new Buckets(4);
    const a = channel(buckets, "a", 1, []);
    const b = channel(buckets, "b", 2, []);
    const api = createCometApi({
      buckets,
      online: onlineCounts(buckets),
      pacer: new BroadcastPacer(),
      counts: { pushMsg: 0, broadcast: 0, broadcastRoom: 0 },
    });
    await api.pushMsg({
      keys: [],
      members: [1, 2],
      protoOp: Op.MESSAGE,
      proto: { ver: 1, op: Op.MESSAGE, seq: 0, body: new Uint8Array([7]) },
    });
    assert.equal(a.socket.sent[0], b.socket.sent[0]);
  });

  test("a channel over its send queue is closed with 4009 and later pushes are dropped", () => {
    const buckets = new Buckets(1);
    const { ch, socket } = channel(buckets, "a", 1, [], { sendQueueMax: 3, maxBufferedBytes: 1 << 20 });
    const frame = new Uint8Array(16);
    assert.deepEqual(
      [1, 2, 3, 4, 5].map(() => ch.push(frame)),
      [true, true, true, false, false],
    );
    assert.deepEqual(socket.closedWith, { code: 4009, reason: "slow consumer" });
    assert.equal(socket.sent.length, 3);
  });

  test("a channel whose socket buffers too many bytes is closed with 4009", () => {
    const buckets = new Buckets(1);
    const { ch, socket } = channel(buckets, "a", 1, [], { sendQueueMax: 100, maxBufferedBytes: 1000 });
    socket.bufferedAmount = 990;
    assert.equal(ch.push(new Uint8Array(16)), false);
    assert.equal(socket.closedWith?.code, 4009);
  });

  test("a frame larger than the byte ceiling still goes out on an idle socket", () => {
    const buckets = new Buckets(1);
    const { ch, socket } = channel(buckets, "a", 1, [], { sendQueueMax: 100, maxBufferedBytes: 1000 });
    assert.equal(ch.push(new Uint8Array(4000)), true);
    assert.equal(socket.closedWith, undefined);
  });
});

describe("buckets", () => {
  test("a channel in many rooms leaves all of them, and empty rooms disappear, when it is removed", () => {
    const buckets = new Buckets(4);
    const { ch } = channel(buckets, "a", 1, ["x", "y"]);
    channel(buckets, "b", 2, ["y"]);
    assert.deepEqual(buckets.roomCounts(), { x: 1, y: 2 });
    assert.equal(buckets.remove(ch), true);
    assert.deepEqual(buckets.roomCounts(), { y: 1 });
    assert.equal(buckets.join(ch, "x"), false, "an unregistered channel cannot join");
    assert.deepEqual(buckets.roomCounts(), { y: 1 });
    assert.equal(buckets.connectionCount, 1);
  });

  test("a channel registered under a key already present replaces the older one", () => {
    const buckets = new Buckets(4);
    const old = channel(buckets, "same", 1, ["x"]);
    const socket = new RecordingSocket();
    const fresh = new Channel({ key: "same", memberId: 1, socket, limits: { sendQueueMax: 1, maxBufferedBytes: 1 } });
    assert.equal(buckets.put(fresh), old.ch);
    assert.equal(buckets.channel("same"), fresh);
    assert.equal(buckets.remove(old.ch), false);
    assert.deepEqual([...buckets.channelsOfMember(1)], [fresh]);
    assert.deepEqual(buckets.roomCounts(), {});
  });
});
