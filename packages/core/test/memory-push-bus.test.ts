import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryPushBus, partitionKey, partitionOf } from "@chatroom/core";
import { eventually, pushBusContract, pushMsg } from "@chatroom/core/testing";

pushBusContract("MemoryPushBus", async () => {
  const bus = new MemoryPushBus();
  return { subject: bus, cleanup: () => bus.close() };
});

pushBusContract("MemoryPushBus with two partitions", async () => {
  const bus = new MemoryPushBus({ partitions: 2 });
  return { subject: bus, cleanup: () => bus.close() };
});

const roomMsg = (room: string, seq: number) => pushMsg({ type: 2, room, seq, id: `${room}#${seq}` });

describe("MemoryPushBus", () => {
  it("routes a message to the partition of its partition key", async () => {
    const bus = new MemoryPushBus({ partitions: 4 });
    const seen: Array<{ partition: number; key: string }> = [];
    const sub = await bus.subscribe("g", async (batch) => {
      for (const msg of batch.messages) seen.push({ partition: batch.partition, key: partitionKey(msg) });
    });
    for (let i = 0; i < 20; i++) await bus.publish(roomMsg(`room-${i}`, 1));
    await eventually(() => assert.equal(seen.length, 20));
    for (const { partition, key } of seen) assert.equal(partition, partitionOf(key, 4));
    await sub.close();
    await bus.close();
  });

  it("drops log entries once every group has acknowledged them", async () => {
    const bus = new MemoryPushBus();
    let one = 0;
    let two = 0;
    const a = await bus.subscribe("one", async (batch) => {
      one += batch.messages.length;
    });
    const b = await bus.subscribe("two", async (batch) => {
      two += batch.messages.length;
    });
    for (let i = 0; i < 50; i++) await bus.publish(roomMsg(`r${i % 5}`, i));
    await eventually(() => assert.deepEqual([one, two], [50, 50]));
    assert.equal(bus.retained(), 0);
    await a.close();
    await b.close();
    await bus.close();
  });

  it("retains messages for a group whose subscriptions all closed, and only for it", async () => {
    const bus = new MemoryPushBus();
    const seenByIdle: string[] = [];
    const idle = await bus.subscribe("idle", async (batch) => {
      seenByIdle.push(...batch.messages.map((msg) => msg.id));
    });
    await idle.close();
    let active = 0;
    const sub = await bus.subscribe("active", async (batch) => {
      active += batch.messages.length;
    });
    for (let i = 1; i <= 10; i++) await bus.publish(roomMsg("r", i));
    await eventually(() => assert.equal(active, 10));
    assert.equal(bus.retained(), 10);
    const back = await bus.subscribe("idle", async (batch) => {
      seenByIdle.push(...batch.messages.map((msg) => msg.id));
    });
    await eventually(() => assert.equal(seenByIdle.length, 10));
    assert.equal(bus.retained(), 0);
    await back.close();
    await sub.close();
    await bus.close();
  });

  it("retains everything published before any group exists", async () => {
    const bus = new MemoryPushBus();
    for (let i = 1; i <= 7; i++) await bus.publish(roomMsg("r", i));
    assert.equal(bus.retained(), 7);
    await bus.close();
  });

  it("assigns partitions round-robin and hands them all to the survivor when a subscription closes", async () => {
    const bus = new MemoryPushBus({ partitions: 8 });
    const partitionsOf = { a: new Set<number>(), b: new Set<number>() };
    const a = await bus.subscribe("g", async (batch) => {
      partitionsOf.a.add(batch.partition);
    });
    const b = await bus.subscribe("g", async (batch) => {
      partitionsOf.b.add(batch.partition);
    });
    const keys = Array.from({ length: 200 }, (_, i) => `room-${i}`);
    for (const key of keys) await bus.publish(roomMsg(key, 1));
    await eventually(() => assert.equal(partitionsOf.a.size + partitionsOf.b.size, 8));
    assert.deepEqual([...partitionsOf.a].sort(), [0, 2, 4, 6]);
    assert.deepEqual([...partitionsOf.b].sort(), [1, 3, 5, 7]);
    await a.close();
    partitionsOf.b.clear();
    for (const key of keys) await bus.publish(roomMsg(key, 2));
    await eventually(() => assert.equal(partitionsOf.b.size, 8));
    await b.close();
    await bus.close();
  });

  it("counts poison messages and survives a throwing onPoison", async () => {
    const bus = new MemoryPushBus();
    const acked: string[] = [];
    const sub = await bus.subscribe(
      "g",
      async (batch) => {
        if (batch.messages.some((msg) => msg.seq === 1)) throw new Error("bad");
        acked.push(...batch.messages.map((msg) => msg.id));
      },
      {
        maxAttempts: 2,
        retryBackoffMs: 1,
        onPoison: () => {
          throw new Error("reporter failed");
        },
      },
    );
    await bus.publish(roomMsg("r", 1));
    await bus.publish(roomMsg("r", 2));
    await eventually(() => assert.deepEqual(acked, ["r#2"]));
    assert.equal(bus.poisoned, 1);
    await sub.close();
    await bus.close();
  });

  it("hands consumers a copy, so a publisher reusing its object changes nothing", async () => {
    const bus = new MemoryPushBus();
    const msg = pushMsg({ type: 1, members: [1], keys: ["k"], id: "original" });
    await bus.publish(msg);
    msg.id = "changed";
    msg.members.push(2);
    const received: string[] = [];
    const sub = await bus.subscribe("g", async (batch) => {
      for (const m of batch.messages) received.push(`${m.id}:${m.members.join(",")}`);
    });
    await eventually(() => assert.deepEqual(received, ["original:1"]));
    await sub.close();
    await bus.close();
  });

  it("stops a retry backoff and refuses new subscriptions when closed", async () => {
    const bus = new MemoryPushBus();
    let attempts = 0;
    await bus.subscribe(
      "g",
      async () => {
        attempts++;
        throw new Error("down");
      },
      { retryBackoffMs: 60_000 },
    );
    await bus.publish(roomMsg("r", 1));
    await eventually(() => assert.equal(attempts, 1));
    await bus.close();
    await assert.rejects(bus.subscribe("g", async () => {}));
    assert.equal(attempts, 1);
  });

  it("rejects invalid options", async () => {
    assert.throws(() => new MemoryPushBus({ partitions: 0 }), RangeError);
    const bus = new MemoryPushBus();
    await assert.rejects(
      bus.subscribe("g", async () => {}, { maxAttempts: 0 }),
      RangeError,
    );
    await assert.rejects(
      bus.subscribe("g", async () => {}, { maxBatchSize: 0 }),
      RangeError,
    );
    await bus.close();
  });
});
