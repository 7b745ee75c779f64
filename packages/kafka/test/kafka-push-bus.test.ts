import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import type { PushBatch } from "@chatroom/core";
import { ChatError, type Logger, partitionKey } from "@chatroom/core";
import { eventually, pushBusContract, pushMsg, uniqueSuffix } from "@chatroom/core/testing";
import { KafkaPushBus, type KafkaPushBusOptions } from "@chatroom/kafka";
import { type Admin, Kafka, logLevel, Partitioners } from "kafkajs";
import { kafkaService } from "../../../test/support/services.ts";
import { kafkaLogCreator } from "../src/kafka-logger.ts";

const { brokers } = await kafkaService();
/** Fast failover for tests (the local broker allows sessions down to 1 s). */
const fast = { sessionTimeoutMs: 6000, heartbeatIntervalMs: 300 } satisfies Partial<KafkaPushBusOptions>;
/** Joins and rebalances take a second or two on Kafka; the contract's default waits are for an in-process bus. */
const WAIT_MS = 20_000;

const kafka = new Kafka({ clientId: "kafka-push-bus-test", brokers, logLevel: logLevel.NOTHING });
const admin: Admin = kafka.admin();
const topics: string[] = [];

function newTopic(): string {
  const topic = `push-test-${uniqueSuffix()}`;
  topics.push(topic);
  return topic;
}

async function openBus(partitions: number, extra: Partial<KafkaPushBusOptions> = {}): Promise<KafkaPushBus> {
  return KafkaPushBus.connect({ brokers, topic: newTopic(), partitions, ...fast, ...extra });
}

before(() => admin.connect());
after(async () => {
  // Every topic of this file, including the contract's, so the shared broker does not fill up.
  const existing = new Set(await admin.listTopics());
  const ours = topics.filter((topic) => existing.has(topic));
  if (ours.length > 0) await admin.deleteTopics({ topics: ours });
  await admin.disconnect();
});

for (const partitions of [8, 2]) {
  pushBusContract(`KafkaPushBus with ${partitions} partitions`, async () => {
    const bus = await openBus(partitions);
    return { subject: bus, cleanup: () => bus.close() };
  });
}

const roomMsg = (room: string, seq: number) => pushMsg({ type: 2, room, seq, id: `${room}#${seq}` });

function idsOf(batches: readonly PushBatch[]): string[] {
  return batches.flatMap((batch) => batch.messages.map((msg) => msg.id));
}

describe("KafkaPushBus", () => {
  it("skips a record that is not a PushMsg as poison and delivers the next message", async () => {
    const bus = await openBus(2);
    const raw = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await raw.connect();
    try {
      // Same key as the valid message: same partition, just before it.
      await raw.send({ topic: bus.topic, messages: [{ key: "room:r0", value: Buffer.from("not a protobuf \u00ff") }] });
      await bus.publish(roomMsg("r0", 1));
      const poisoned: Array<{ id: string; error: unknown }> = [];
      const received: string[] = [];
      const sub = await bus.subscribe(
        `g-${uniqueSuffix()}`,
        async (batch) => {
          received.push(...batch.messages.map((msg) => msg.id));
        },
        { onPoison: (msg, error) => poisoned.push({ id: msg.id, error }) },
      );
      await eventually(() => assert.deepEqual(received, ["r0#1"]), WAIT_MS);
      assert.equal(poisoned.length, 1);
      assert.match(poisoned[0]!.id, new RegExp(`^${bus.topic}/\\d+@0$`));
      assert.ok(poisoned[0]!.error instanceof Error);
      assert.equal(bus.poisoned, 1);
      await sub.close();
    } finally {
      await raw.disconnect();
      await bus.close();
    }
  });

  it("rejects a publish with ChatError unavailable when no broker answers the connection", {
    timeout: 30_000,
  }, async () => {
    const { logger, entries } = recordingLogger();
    const bus = await KafkaPushBus.connect({
      brokers: ["127.0.0.1:1"],
      topic: "unreachable",
      createTopic: false,
      logger,
    });
    try {
      await assert.rejects(bus.publish(roomMsg("r0", 1)), isUnavailable);
      // The producer is replaced after a failure: the next publish tries again and fails the same way.
      await assert.rejects(bus.publish(roomMsg("r0", 2)), isUnavailable);
      assert.equal(entries.filter((entry) => entry.message === "publish failed").length, 2);
    } finally {
      await bus.close();
    }
  });

  it("rejects a publish with ChatError unavailable when the broker accepts connections but never answers", {
    timeout: 30_000,
  }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
    });
    silent.listen(0, "127.0.0.1");
    await once(silent, "listening");
    const { port } = silent.address() as { port: number };
    const { logger } = recordingLogger();
    const bus = await KafkaPushBus.connect({
      brokers: [`127.0.0.1:${port}`],
      topic: "silent",
      createTopic: false,
      logger,
    });
    try {
      await assert.rejects(bus.publish(roomMsg("r0", 1)), isUnavailable);
    } finally {
      await bus.close();
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it("refuses to open with ChatError unavailable when it cannot create its topic", { timeout: 60_000 }, async () => {
    const { logger } = recordingLogger();
    await assert.rejects(
      KafkaPushBus.connect({ brokers: ["127.0.0.1:1"], topic: "unreachable", logger }),
      isUnavailable,
    );
  });

  it("gives the batch a closed member left uncommitted to the member that takes its partition over", async () => {
    const bus = await openBus(1);
    try {
      const group = `g-${uniqueSuffix()}`;
      const seen = { a: [] as string[], b: [] as string[] };
      const never = new Promise<void>(() => {});
      // Whichever member owns the single partition first holds its batch forever without acknowledging it.
      let holder: "a" | "b" | null = null;
      const handlerOf = (name: "a" | "b") => async (batch: PushBatch) => {
        seen[name].push(...batch.messages.map((msg) => msg.id));
        holder ??= name;
        if (holder === name) await never;
      };
      const a = await bus.subscribe(group, handlerOf("a"));
      const b = await bus.subscribe(group, handlerOf("b"));
      // Published together: one produce request, so the holder fetches all three in one batch.
      await Promise.all([1, 2, 3].map((seq) => bus.publish(roomMsg("r0", seq))));
      await eventually(() => assert.ok(holder !== null), WAIT_MS);
      const [first, second] = holder === "a" ? [a, "b" as const] : [b, "a" as const];
      await eventually(() => assert.deepEqual(seen[holder!], ["r0#1", "r0#2", "r0#3"]), WAIT_MS);
      await first.close();
      await eventually(() => assert.deepEqual(seen[second], ["r0#1", "r0#2", "r0#3"]), WAIT_MS);
      await a.close();
      await b.close();
    } finally {
      await bus.close();
    }
  });

  it("does not let a member stuck in its handler hold up a new member's join", async () => {
    const bus = await openBus(1);
    try {
      const group = `g-${uniqueSuffix()}`;
      const deliveries: string[] = [];
      let stuck = true;
      const never = new Promise<void>(() => {});
      const handler = async (batch: PushBatch) => {
        deliveries.push(...batch.messages.map((msg) => msg.id));
        if (stuck) {
          stuck = false;
          await never;
        }
      };
      const a = await bus.subscribe(group, handler);
      await bus.publish(roomMsg("r0", 1));
      await eventually(() => assert.deepEqual(deliveries, ["r0#1"]), WAIT_MS);
      // b's join needs a to rejoin: a's keep-alive heartbeat sees the rebalance and abandons the stuck batch.
      const b = await bus.subscribe(group, handler);
      await eventually(() => assert.deepEqual(deliveries, ["r0#1", "r0#1"]), WAIT_MS);
      await a.close();
      await b.close();
    } finally {
      await bus.close();
    }
  });

  it("keeps a member's session alive through a handler slower than the session timeout", async () => {
    const bus = await openBus(1, { sessionTimeoutMs: 1500, heartbeatIntervalMs: 300 });
    try {
      const deliveries: string[] = [];
      let slowDone = false;
      const sub = await bus.subscribe(`g-${uniqueSuffix()}`, async (batch) => {
        deliveries.push(...batch.messages.map((msg) => msg.id));
        if (deliveries.length === 1) {
          await new Promise((resolve) => setTimeout(resolve, 4000));
          slowDone = true;
        }
      });
      await bus.publish(roomMsg("r0", 1));
      await eventually(() => assert.deepEqual(deliveries, ["r0#1"]), WAIT_MS);
      await bus.publish(roomMsg("r0", 2));
      // An expired session would fail the commit and have r0#1 delivered again.
      await eventually(() => assert.deepEqual(deliveries, ["r0#1", "r0#2"]), WAIT_MS);
      assert.ok(slowDone);
      await sub.close();
    } finally {
      await bus.close();
    }
  });

  it("stops retrying a failing batch as soon as its subscription closes", async () => {
    const bus = await openBus(1);
    try {
      let attempts = 0;
      const sub = await bus.subscribe(
        `g-${uniqueSuffix()}`,
        async () => {
          attempts++;
          throw new Error("down");
        },
        { retryBackoffMs: 600_000 },
      );
      await bus.publish(roomMsg("r0", 1));
      await eventually(() => assert.equal(attempts, 1), WAIT_MS);
      // Would wait out the ten-minute backoff (and the test's timeout) if close did not cut it short.
      await sub.close();
      assert.equal(attempts, 1);
    } finally {
      await bus.close();
    }
  });

  it("keeps per-room order with 4 partitions and 5 interleaved rooms, each room on its key's partition", async () => {
    const bus = await openBus(4);
    try {
      const batches: PushBatch[] = [];
      const sub = await bus.subscribe(
        `g-${uniqueSuffix()}`,
        async (batch) => {
          batches.push(batch);
        },
        { maxBatchSize: 7 },
      );
      const perRoom = 40;
      const messages = Array.from({ length: perRoom }, (_, i) =>
        ["a", "b", "c", "d", "e"].map((room) => roomMsg(room, i + 1)),
      ).flat();
      await Promise.all(messages.map((msg) => bus.publish(msg)));
      await eventually(() => assert.equal(idsOf(batches).length, messages.length), WAIT_MS);
      const partitioner = Partitioners.DefaultPartitioner();
      const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({
        partitionId,
        leader: 1,
        partitionErrorCode: 0,
        replicas: [1],
        isr: [1],
      }));
      const seqsByRoom = new Map<string, number[]>();
      for (const batch of batches) {
        assert.ok(batch.messages.length <= 7);
        for (const msg of batch.messages) {
          const key = partitionKey(msg);
          assert.equal(
            batch.partition,
            partitioner({ topic: bus.topic, partitionMetadata, message: { key, value: "" } }),
          );
          seqsByRoom.set(msg.room, [...(seqsByRoom.get(msg.room) ?? []), msg.seq]);
        }
      }
      const expected = Array.from({ length: perRoom }, (_, i) => i + 1);
      assert.equal(seqsByRoom.size, 5);
      for (const [room, seqs] of seqsByRoom) assert.deepEqual(seqs, expected, `order of ${room}`);
      assert.ok(new Set(batches.map((batch) => batch.partition)).size > 1, "the rooms spread over several partitions");
      await sub.close();
    } finally {
      await bus.close();
    }
  });

  it("creates its topic with the given partitions, grows it, and never shrinks it", async () => {
    const topic = newTopic();
    const partitionsOf = async () => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions.length;
    const { logger, entries } = recordingLogger();
    for (const [asked, expected] of [
      [2, 2],
      [4, 4],
      [1, 4],
    ] as const) {
      const bus = await KafkaPushBus.connect({ brokers, topic, partitions: asked, logger });
      await bus.close();
      assert.equal(await partitionsOf(), expected, `after asking for ${asked}`);
    }
    assert.deepEqual(
      entries.filter((entry) => entry.level !== "debug" && !entry.message.startsWith("kafkajs")),
      [
        { level: "info", message: "created the push topic" },
        { level: "warn", message: "growing the push topic's partitions" },
      ],
    );
  });

  it("demotes kafkajs's self-healing coordinator and leader errors to debug and forwards the rest", () => {
    const { logger, entries } = recordingLogger();
    const { logLevel: level, logCreator } = kafkaLogCreator(logger);
    assert.equal(level, logLevel.INFO);
    const log = logCreator(level);
    const entry = (lvl: logLevel, message: string, extra: object = {}) => {
      log({ namespace: "Connection", level: lvl, label: "", log: { timestamp: "", message, ...extra } });
    };
    entry(logLevel.ERROR, "Response FindCoordinator(key: 10, version: 2)", {
      error: "The group coordinator is not available",
    });
    entry(logLevel.ERROR, "Response InitProducerId(key: 22, version: 1)", {
      error: "The coordinator is loading and hence can't process requests for this group",
    });
    entry(logLevel.WARN, "The group is rebalancing, re-joining");
    entry(logLevel.ERROR, "Connection error: connect ECONNREFUSED 127.0.0.1:1", { stack: "Error: …" });
    entry(logLevel.INFO, "Consumer has joined the group");
    assert.deepEqual(
      entries.map(({ level, message }) => `${level} ${message}`),
      [
        "debug kafkajs: Response FindCoordinator(key: 10, version: 2)",
        "debug kafkajs: Response InitProducerId(key: 22, version: 1)",
        "debug kafkajs: The group is rebalancing, re-joining",
        "error kafkajs: Connection error: connect ECONNREFUSED 127.0.0.1:1",
        "info kafkajs: Consumer has joined the group",
      ],
    );
    assert.equal(kafkaLogCreator(undefined).logLevel, logLevel.WARN);
  });

  it("rejects publish and subscribe once closed", async () => {
    const bus = await openBus(1);
    await bus.close();
    await assert.rejects(bus.publish(roomMsg("r0", 1)), isUnavailable);
    await assert.rejects(
      bus.subscribe("g", async () => {}),
      isUnavailable,
    );
  });
});

/** A Logger that keeps what it is told (tests that expect connection errors keep the output clean). */
function recordingLogger(): { logger: Logger; entries: Array<{ level: string; message: string }> } {
  const entries: Array<{ level: string; message: string }> = [];
  const record = (level: string) => (_details: object, message: string) => {
    entries.push({ level, message });
  };
  return {
    entries,
    logger: { debug: record("debug"), info: record("info"), warn: record("warn"), error: record("error") },
  };
}

function isUnavailable(error: unknown): boolean {
  assert.ok(error instanceof ChatError, `expected a ChatError, got ${String(error)}`);
  assert.equal(error.code, "unavailable");
  return true;
}
