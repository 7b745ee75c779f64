import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { ChatError } from "@chatroom/core";
import { freePort } from "@chatroom/core/net";
import { waitFor } from "@chatroom/core/testing";
import { KafkaPushBus, type PushBusObserver } from "@chatroom/kafka";
import { type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";
import { Op } from "@chatroom/proto/protocol";
import { kafkaService, redisService } from "../support/services.ts";
import { scrapeUntil } from "./support/scrape.ts";
import { probe, type RunningMain, startMain } from "./support/service-main.ts";

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

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
    publishedAtMs: Date.now(),
    id: `m${seq}`,
  };
}

describe("the Kafka bus's observer and ping", () => {
  let brokers: string[];
  before(async () => {
    ({ brokers } = await kafkaService());
  });

  it("reports the group assignment and each partition's lag, down to 0 once consumed", async () => {
    const suffix = randomBytes(4).toString("hex");
    const assignments: number[][] = [];
    const lags = new Map<number, number[]>();
    const observer: PushBusObserver = {
      onAssignment: (_group, partitions) => assignments.push([...partitions].sort()),
      onPartitionLag: (_group, partition, lag) => lags.set(partition, [...(lags.get(partition) ?? []), lag]),
    };
    const bus = await KafkaPushBus.connect({
      brokers,
      topic: `chatroom-observer-${suffix}`,
      partitions: 2,
      logger: quiet,
      observer,
    });
    try {
      await bus.ping();
      for (let seq = 1; seq <= 5; seq++) await bus.publish(roomPush("observed", seq));
      let handled = 0;
      const subscription = await bus.subscribe(
        `chatroom-observer-${suffix}`,
        async (batch) => {
          handled += batch.messages.length;
        },
        { maxBatchSize: 2 },
      );
      try {
        await waitFor(() => handled >= 5, "the five pushes");
        assert.deepEqual(assignments[0], [0, 1], "one member owns both partitions");
        const reported = [...lags.entries()].find(([, values]) => values.some((lag) => lag > 0));
        assert.ok(reported, `some partition reported a backlog: ${JSON.stringify([...lags])}`);
        const [partition, values] = reported;
        assert.equal(Math.max(...values), 5, "the backlog at the first fetch");
        // The observer stores a new array per report: read the latest one, not the snapshot above.
        await waitFor(() => lags.get(partition)?.at(-1) === 0, "the lag to reach 0 after the last commit");
      } finally {
        await subscription.close();
      }
    } finally {
      await bus.close();
    }
  });

  it("fails its ping with `unavailable` when no broker answers", async () => {
    const port = await freePort();
    const bus = await KafkaPushBus.connect({
      brokers: [`127.0.0.1:${port}`],
      topic: "chatroom-nowhere",
      createTopic: false,
      logger: quiet,
    });
    try {
      await assert.rejects(bus.ping(), (error) => error instanceof ChatError && error.code === "unavailable");
    } finally {
      await bus.close();
    }
  });
});

describe("job's readiness and lag on Kafka", () => {
  let job: RunningMain;
  let bus: KafkaPushBus;

  before(async () => {
    const [{ brokers }, { url }] = await Promise.all([kafkaService(), redisService()]);
    const suffix = randomBytes(4).toString("hex");
    const topic = `chatroom-job-observed-${suffix}`;
    bus = await KafkaPushBus.connect({ brokers, topic, partitions: 2, logger: quiet });
    job = await startMain(
      "job",
      {
        CHATROOM_BUS: "kafka",
        CHATROOM_KAFKA_BROKERS: brokers.join(","),
        CHATROOM_KAFKA_TOPIC: topic,
        CHATROOM_KAFKA_PARTITIONS: "2",
        CHATROOM_JOB_GROUP: `chatroom-job-observed-${suffix}`,
        CHATROOM_PRESENCE: "redis",
        CHATROOM_REDIS_URL: url,
        CHATROOM_REDIS_PREFIX: `chatroom:observed-${suffix}:`,
      },
      /^job ready comets=(\d+) admin=(\S+)$/,
      90_000,
    );
  });
  after(async () => {
    await job?.stop();
    await bus?.close();
  });

  it("is ready once its consumer joined, with no comet registered (that is an alert, not unreadiness)", async () => {
    assert.equal(job.ready[0], "0");
    const { status, body } = await probe(job.adminUrl, "/readyz");
    assert.equal(status, 200, JSON.stringify(body));
    assert.deepEqual(body.checks, { bus: "ok", registry: "ok", presence: "ok" });
  });

  it("consumes a push, counts it as a routing miss and reports its partition's lag", async () => {
    await bus.publish(roomPush("nobody-here", 1));
    const metrics = await scrapeUntil(
      job.adminUrl,
      (m) => m.sum("chatroom_job_routing_misses_total", { type: "room" }) === 1 && m.has("chatroom_job_consumer_lag"),
      "the push to be routed",
      30_000,
    );
    assert.equal(metrics.sum("chatroom_job_messages_consumed_total", { type: "room" }), 1);
    assert.equal(metrics.sum("chatroom_job_comets"), 0);
    assert.equal(metrics.sum("chatroom_job_consumer_lag"), 0, "consumed and committed");
    assert.equal(await job.stop(), 0);
  });
});
