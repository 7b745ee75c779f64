import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PushMsg } from "@chatroom/proto/grpc";
import { type PushBatch, type PushBus, partitionKey } from "../push-bus/push-bus.ts";
import { type ContractFactory, uniqueSuffix, withSubject } from "./contract-subject.ts";
import { eventually } from "./polling.ts";
import { pushMsg } from "./push-msg.ts";

/** Messages of `rooms` rooms, `perRoom` each, interleaved (r0#1, r1#1, …, r0#2, …), with ids `<room>#<n>`. */
function roomMessages(rooms: number, perRoom: number): PushMsg[] {
  const messages: PushMsg[] = [];
  for (let n = 1; n <= perRoom; n++) {
    for (let r = 0; r < rooms; r++) messages.push(pushMsg({ type: 2, room: `r${r}`, seq: n, id: `r${r}#${n}` }));
  }
  return messages;
}

async function publishAll(bus: PushBus, messages: readonly PushMsg[]): Promise<void> {
  for (const msg of messages) await bus.publish(msg);
}

function idsOf(batches: readonly PushBatch[]): string[] {
  return batches.flatMap((batch) => batch.messages.map((msg) => msg.id));
}

/** Asserts that, per room, the ids arrive in seq order 1..n exactly once. */
function assertOrderedPerRoom(ids: readonly string[], rooms: number, perRoom: number): void {
  const byRoom = new Map<string, number[]>();
  for (const id of ids) {
    const [room, n] = id.split("#");
    byRoom.set(room!, [...(byRoom.get(room!) ?? []), Number(n)]);
  }
  assert.equal(byRoom.size, rooms);
  const expected = Array.from({ length: perRoom }, (_, i) => i + 1);
  for (const [room, seqs] of byRoom) assert.deepEqual(seqs, expected, `order of ${room}`);
}

/**
 * The PushBus contract (push-bus.ts). `factory` must return a bus with no messages and no groups (a fresh topic
 * for Kafka); every test uses its own group names.
 */
export function pushBusContract(name: string, factory: ContractFactory<PushBus>): void {
  describe(name, () => {
    it("delivers every message once, in publish order per partition key", async () => {
      await withSubject(factory, async (bus) => {
        const batches: PushBatch[] = [];
        const sub = await bus.subscribe(`g-${uniqueSuffix()}`, async (batch) => {
          batches.push(batch);
        });
        await publishAll(bus, roomMessages(3, 30));
        await eventually(() => assert.equal(idsOf(batches).length, 90));
        assertOrderedPerRoom(idsOf(batches), 3, 30);
        await sub.close();
      });
    });

    it("keeps every field of a published message", async () => {
      await withSubject(factory, async (bus) => {
        const sent = pushMsg({
          type: 1,
          operation: 29,
          speed: 7,
          server: "comet-1",
          keys: ["k1", "k2"],
          members: [3, 4],
          msg: new Uint8Array([0, 1, 2, 250]),
          seq: 42,
          publishedAtMs: 1_700_000_000_123,
          id: "msg-1",
        });
        const received: PushMsg[] = [];
        const sub = await bus.subscribe(`g-${uniqueSuffix()}`, async (batch) => {
          received.push(...batch.messages);
        });
        await bus.publish(sent);
        const [got] = await eventually(() => {
          assert.equal(received.length, 1);
          return received;
        });
        assert.deepEqual({ ...got!, msg: [...got!.msg] }, { ...sent, msg: [...sent.msg] });
        await sub.close();
      });
    });

    it("hands each partition's batches over one at a time, and a key always to the same partition", async () => {
      await withSubject(factory, async (bus) => {
        const inFlight = new Map<number, number>();
        const partitionOfKey = new Map<string, number>();
        let overlaps = 0;
        let received = 0;
        const sub = await bus.subscribe(`g-${uniqueSuffix()}`, async (batch) => {
          const busy = (inFlight.get(batch.partition) ?? 0) + 1;
          inFlight.set(batch.partition, busy);
          if (busy > 1) overlaps++;
          for (const msg of batch.messages) {
            const key = partitionKey(msg);
            assert.equal(partitionOfKey.get(key) ?? batch.partition, batch.partition, `partition of ${key}`);
            partitionOfKey.set(key, batch.partition);
          }
          await new Promise((resolve) => setTimeout(resolve, 2));
          inFlight.set(batch.partition, busy - 1);
          received += batch.messages.length;
        });
        await Promise.all(roomMessages(6, 20).map((msg) => bus.publish(msg)));
        await eventually(() => assert.equal(received, 120));
        assert.equal(overlaps, 0);
        await sub.close();
      });
    });

    it("delivers messages published before a group's first subscription, in batches of at most maxBatchSize", async () => {
      await withSubject(factory, async (bus) => {
        await publishAll(bus, roomMessages(1, 20));
        const batches: PushBatch[] = [];
        const sub = await bus.subscribe(
          `g-${uniqueSuffix()}`,
          async (batch) => {
            batches.push(batch);
          },
          { maxBatchSize: 5 },
        );
        await eventually(() => assert.equal(idsOf(batches).length, 20));
        assertOrderedPerRoom(idsOf(batches), 1, 20);
        assert.ok(batches.every((batch) => batch.messages.length >= 1 && batch.messages.length <= 5));
        assert.ok(
          batches.some((batch) => batch.messages.length > 1),
          "a backlog is delivered in batches of several messages",
        );
        await sub.close();
      });
    });

    it("redelivers a batch whose handler threw, with backoff, until it succeeds, without reordering", async () => {
      await withSubject(factory, async (bus) => {
        const acked: PushBatch[] = [];
        let failuresLeft = 2;
        let deliveriesOfThird = 0;
        const sub = await bus.subscribe(
          `g-${uniqueSuffix()}`,
          async (batch) => {
            if (batch.messages.some((msg) => msg.id === "r0#3")) {
              deliveriesOfThird++;
              if (failuresLeft > 0) {
                failuresLeft--;
                throw new Error("downstream unavailable");
              }
            }
            acked.push(batch);
          },
          { retryBackoffMs: 5, maxAttempts: 5 },
        );
        await publishAll(bus, roomMessages(1, 6));
        await eventually(() => assert.equal(idsOf(acked).length, 6));
        assertOrderedPerRoom(idsOf(acked), 1, 6);
        assert.equal(deliveriesOfThird, 3);
        await sub.close();
      });
    });

    it("skips a poison message after maxAttempts, reports it once and keeps the partition going", async () => {
      await withSubject(factory, async (bus) => {
        const acked: string[] = [];
        const poisoned: Array<{ id: string; error: unknown }> = [];
        let singleDeliveriesOfPoison = 0;
        const failure = new Error("cannot route");
        const sub = await bus.subscribe(
          `g-${uniqueSuffix()}`,
          async (batch) => {
            if (batch.messages.some((msg) => msg.id === "r0#2")) {
              if (batch.messages.length === 1) singleDeliveriesOfPoison++;
              throw failure;
            }
            acked.push(...batch.messages.map((msg) => msg.id));
          },
          { maxAttempts: 3, retryBackoffMs: 2, onPoison: (msg, error) => poisoned.push({ id: msg.id, error }) },
        );
        await publishAll(bus, roomMessages(1, 4));
        await eventually(() => assert.deepEqual(acked, ["r0#1", "r0#3", "r0#4"]));
        assert.deepEqual(poisoned, [{ id: "r0#2", error: failure }]);
        assert.equal(singleDeliveriesOfPoison, 3);
        await sub.close();
      });
    });

    it("splits the partitions between the subscriptions of one group, each message processed once", async () => {
      await withSubject(factory, async (bus) => {
        const group = `g-${uniqueSuffix()}`;
        const first: string[] = [];
        const second: string[] = [];
        const a = await bus.subscribe(group, async (batch) => {
          first.push(...batch.messages.map((msg) => msg.id));
        });
        const b = await bus.subscribe(group, async (batch) => {
          second.push(...batch.messages.map((msg) => msg.id));
        });
        await publishAll(bus, roomMessages(30, 2));
        await eventually(() => assert.equal(first.length + second.length, 60));
        assert.ok(first.length > 0 && second.length > 0, `both got a share (${first.length}/${second.length})`);
        assert.equal(new Set([...first, ...second]).size, 60);
        assertOrderedPerRoom([...first, ...second], 30, 2);
        await a.close();
        await b.close();
      });
    });

    it("gives every message to each of two groups", async () => {
      await withSubject(factory, async (bus) => {
        const one: PushBatch[] = [];
        const two: PushBatch[] = [];
        const a = await bus.subscribe(`one-${uniqueSuffix()}`, async (batch) => {
          one.push(batch);
        });
        const b = await bus.subscribe(`two-${uniqueSuffix()}`, async (batch) => {
          two.push(batch);
        });
        await publishAll(bus, roomMessages(4, 5));
        await eventually(() => assert.equal(idsOf(one).length, 20));
        await eventually(() => assert.equal(idsOf(two).length, 20));
        assertOrderedPerRoom(idsOf(one), 4, 5);
        assertOrderedPerRoom(idsOf(two), 4, 5);
        await a.close();
        await b.close();
      });
    });

    it("redelivers a batch left unacknowledged by a closed subscription to the next one", async () => {
      await withSubject(factory, async (bus) => {
        const group = `g-${uniqueSuffix()}`;
        let fail: (error: Error) => void = () => {};
        const gate = new Promise<void>((_, reject) => {
          fail = reject;
        });
        gate.catch(() => {});
        const firstSeen: string[] = [];
        const a = await bus.subscribe(group, async (batch) => {
          firstSeen.push(...batch.messages.map((msg) => msg.id));
          await gate;
        });
        await bus.publish(pushMsg({ type: 2, room: "r0", seq: 1, id: "r0#1" }));
        await eventually(() => assert.deepEqual(firstSeen, ["r0#1"]));
        const closing = a.close();
        fail(new Error("subscription closed before the batch was processed"));
        await closing;
        const secondSeen: string[] = [];
        const b = await bus.subscribe(group, async (batch) => {
          secondSeen.push(...batch.messages.map((msg) => msg.id));
        });
        await eventually(() => assert.deepEqual(secondSeen, ["r0#1"]));
        await b.close();
      });
    });

    it("stops delivering to a closed subscription and keeps the group's messages for its next one", async () => {
      await withSubject(factory, async (bus) => {
        const group = `g-${uniqueSuffix()}`;
        const firstSeen: string[] = [];
        const a = await bus.subscribe(group, async (batch) => {
          firstSeen.push(...batch.messages.map((msg) => msg.id));
        });
        await bus.publish(pushMsg({ type: 2, room: "r0", seq: 1, id: "r0#1" }));
        await eventually(() => assert.deepEqual(firstSeen, ["r0#1"]));
        await a.close();
        await bus.publish(pushMsg({ type: 2, room: "r0", seq: 2, id: "r0#2" }));
        const secondSeen: string[] = [];
        const b = await bus.subscribe(group, async (batch) => {
          secondSeen.push(...batch.messages.map((msg) => msg.id));
        });
        await eventually(() => assert.ok(secondSeen.includes("r0#2")));
        assert.deepEqual(firstSeen, ["r0#1"]);
        await b.close();
      });
    });

    it("rejects publish once closed", async () => {
      const { subject: bus, cleanup } = await factory();
      try {
        await bus.close();
        await assert.rejects(bus.publish(pushMsg({ type: 2, room: "r0", id: "late" })));
      } finally {
        await cleanup();
      }
    });
  });
}
