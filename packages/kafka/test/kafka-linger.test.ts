import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { eventually, pushMsg, uniqueSuffix } from "@chatroom/core/testing";
import { KafkaPushBus } from "@chatroom/kafka";
import { Kafka, type KafkaMessage, logLevel } from "kafkajs";
import { kafkaService } from "../../../test/support/services.ts";

const { brokers } = await kafkaService();
const kafka = new Kafka({ clientId: "kafka-linger-test", brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const topics: string[] = [];

after(async () => {
  const existing = new Set(await admin.listTopics());
  const ours = topics.filter((topic) => existing.has(topic));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  await admin.disconnect();
});

async function openBus(lingerMs: number): Promise<KafkaPushBus> {
  const topic = `linger-test-${uniqueSuffix()}`;
  topics.push(topic);
  return KafkaPushBus.connect({ brokers, topic, partitions: 1, lingerMs });
}

/** The messages of the topic with the first offset of the record batch each arrived in (one per produce request). */
async function recordBatches(topic: string, count: number): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `linger-${uniqueSuffix()}` });
  const seen: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(message);
      },
    });
    await eventually(() => assert.equal(seen.length, count), 20_000);
  } finally {
    await consumer.disconnect();
  }
  // kafkajs hands every record its record batch's header (`batchContext`, not in its types).
  return seen.map(
    (message) => (message as KafkaMessage & { batchContext: { firstOffset: string } }).batchContext.firstOffset,
  );
}

const roomMsg = (seq: number) => pushMsg({ type: 2, room: "lobby", seq, id: `lobby#${seq}` });

/** Publishes `count` messages 10 ms apart without waiting for each, then waits for all. */
async function publishSpaced(bus: KafkaPushBus, count: number): Promise<void> {
  const published: Promise<void>[] = [];
  for (let seq = 1; seq <= count; seq++) {
    published.push(bus.publish(roomMsg(seq)));
    await sleep(10);
  }
  await Promise.all(published);
}

describe("KafkaPushBus produce batching (linger)", () => {
  it("sends the publishes that arrive within the linger in one produce request", async () => {
    const bus = await openBus(1000);
    try {
      await publishSpaced(bus, 8);
      const batches = await recordBatches(bus.topic, 8);
      assert.equal(new Set(batches).size, 1, `one record batch, got first offsets ${batches.join(",")}`);
    } finally {
      await bus.close();
    }
  });

  it("without a linger sends a publish at once (the control: the same publishes take several requests)", async () => {
    const bus = await openBus(0);
    try {
      await publishSpaced(bus, 8);
      const batches = await recordBatches(bus.topic, 8);
      assert.ok(new Set(batches).size > 1, `several record batches, got first offsets ${batches.join(",")}`);
    } finally {
      await bus.close();
    }
  });

  it("does not wait for the linger once a full request is queued", { timeout: 60_000 }, async () => {
    const bus = await openBus(600_000);
    try {
      // 500 messages fill a request: they go at once, not after ten minutes.
      await Promise.all(Array.from({ length: 500 }, (_, i) => bus.publish(roomMsg(i + 1))));
      const batches = await recordBatches(bus.topic, 500);
      assert.equal(new Set(batches).size, 1);
    } finally {
      await bus.close();
    }
  });
});
