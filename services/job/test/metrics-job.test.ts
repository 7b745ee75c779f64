import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  ChatError,
  type CometClient,
  type CometInfo,
  loadConfig,
  MemoryCometRegistry,
  MemoryPresence,
  MemoryPushBus,
} from "@chatroom/core";
import { createMetricsRegistry } from "@chatroom/core/observability";
import { pollUntil } from "@chatroom/core/testing";
import { type PushMsg, PushMsg_Type } from "@chatroom/proto/grpc";
import { Op } from "@chatroom/proto/protocol";
import type { Registry } from "prom-client";
import { Metrics, parseMetrics } from "../../../test/observability/support/scrape.ts";
import { ConsumerHealth, type Job, JobMetrics, jobConfigSchema, startJob } from "../src/index.ts";

/** A comet that answers every push, or fails them all with `failWith`. */
function comet(info: CometInfo, failWith?: ChatError): CometClient {
  const answer = async () => {
    if (failWith) throw failWith;
    return { delivered: 1 };
  };
  return {
    info,
    pushMsg: answer,
    broadcast: answer,
    broadcastRoom: answer,
    rooms: async () => ({ rooms: {} }),
    close: async () => {},
  };
}

function push(fields: Partial<PushMsg> & Pick<PushMsg, "type">): PushMsg {
  return {
    operation: Op.MESSAGE,
    speed: 0,
    server: "",
    room: "",
    keys: [],
    msg: new Uint8Array([1]),
    members: [],
    seq: 0,
    publishedAtMs: Date.now() - 25,
    id: `push-${Math.random()}`,
    ...fields,
  };
}

/** The registry's metrics once `condition` holds. */
function until(registry: Registry, condition: (m: Metrics) => boolean, what: string): Promise<Metrics> {
  return pollUntil(async () => new Metrics(parseMetrics(await registry.metrics())), condition, what);
}

describe("job's metrics", () => {
  const registry = createMetricsRegistry();
  const bus = new MemoryPushBus();
  const presence = new MemoryPresence();
  const comets = new MemoryCometRegistry();
  let job: Job;

  before(async () => {
    const info = (id: string) => ({ id, grpcAddress: id, wsUrl: "", startedAtMs: 0 });
    await comets.register(info("comet-ok"), 60_000);
    await comets.register(info("comet-broken"), 60_000);
    await presence.upsert({ key: "k1", memberId: 1, server: "comet-ok", rooms: ["lobby"] }, 60_000);
    await presence.upsert({ key: "k2", memberId: 2, server: "comet-broken", rooms: ["broken"] }, 60_000);
    job = await startJob({
      bus,
      presence,
      registry: comets,
      connect: (i) => comet(i, i.id === "comet-broken" ? new ChatError("forbidden", "refused") : undefined),
      config: { ...loadConfig(jobConfigSchema, {}), maxAttempts: 2, retryBackoffMs: 1 },
      metrics: new JobMetrics(registry),
    });
  });
  after(async () => {
    await job.close();
    for (const closable of [bus, presence, comets]) await closable.close();
  });

  it("count consumed pushes by type, batches, the bus wait and the calls per comet", async () => {
    await bus.publish(push({ type: PushMsg_Type.TYPE_ROOM, room: "lobby" }));
    await bus.publish(push({ type: PushMsg_Type.TYPE_PUSH, members: [1] }));
    const m = await until(
      registry,
      (x) =>
        x.sum("chatroom_job_messages_consumed_total") >= 2 &&
        x.sum("chatroom_job_comet_push_duration_seconds_count") >= 2,
      "two pushes routed",
    );
    assert.equal(m.sum("chatroom_job_messages_consumed_total", { type: "room" }), 1);
    assert.equal(m.sum("chatroom_job_messages_consumed_total", { type: "push" }), 1);
    assert.ok(m.sum("chatroom_job_batch_size_count") >= 1);
    assert.equal(m.sum("chatroom_job_batch_size_sum"), 2);
    assert.equal(m.sum("chatroom_job_batch_wait_seconds_count"), 2);
    assert.ok(m.sum("chatroom_job_batch_wait_seconds_sum") >= 0.05, "published 25 ms before, each");
    assert.equal(
      m.sum("chatroom_job_comet_push_duration_seconds_count", { comet: "comet-ok", method: "broadcast_room" }),
      1,
    );
    assert.equal(m.sum("chatroom_job_comet_push_duration_seconds_count", { comet: "comet-ok", method: "push_msg" }), 1);
    assert.equal(m.sum("chatroom_job_comets"), 2);
  });

  it("count routing misses for offline members and rooms", async () => {
    await bus.publish(push({ type: PushMsg_Type.TYPE_PUSH, members: [404] }));
    await bus.publish(push({ type: PushMsg_Type.TYPE_ROOM, room: "empty-room" }));
    const m = await until(registry, (x) => x.sum("chatroom_job_routing_misses_total") >= 2, "two misses");
    assert.equal(m.sum("chatroom_job_routing_misses_total", { type: "push" }), 1);
    assert.equal(m.sum("chatroom_job_routing_misses_total", { type: "room" }), 1);
  });

  it("count a comet's failures by code and the push skipped as poison, and forget a comet that leaves", async () => {
    await bus.publish(push({ type: PushMsg_Type.TYPE_ROOM, room: "broken" }));
    const m = await until(registry, (x) => x.sum("chatroom_job_poison_messages_total") === 1, "the poison push");
    assert.ok(
      m.sum("chatroom_job_comet_push_errors_total", {
        comet: "comet-broken",
        method: "broadcast_room",
        code: "forbidden",
      }) >= 2,
    );
    await comets.deregister("comet-broken");
    const gone = await until(registry, (x) => x.sum("chatroom_job_comets") === 1, "the comet to leave");
    assert.deepEqual(gone.labelValues("chatroom_job_comet_push_errors_total", "comet"), []);
    assert.deepEqual(gone.labelValues("chatroom_job_comet_push_duration_seconds_count", "comet"), ["comet-ok"]);
  });
});

describe("job's bus consumer health", () => {
  it("keeps lag per owned partition and is ready unless the consumer crashed", async () => {
    const registry = createMetricsRegistry();
    const health = new ConsumerHealth(new JobMetrics(registry));
    health.onAssignment("g", [0, 1]);
    health.onPartitionLag("g", 0, 5);
    health.onPartitionLag("g", 1, 7);
    await health.check.check();
    let m = new Metrics(parseMetrics(await registry.metrics()));
    assert.equal(m.sum("chatroom_job_consumer_lag", { partition: "0" }), 5);
    assert.equal(m.sum("chatroom_job_consumer_lag"), 12);

    health.onAssignment("g", [1]);
    m = new Metrics(parseMetrics(await registry.metrics()));
    assert.deepEqual(m.labelValues("chatroom_job_consumer_lag", "partition"), ["1"], "a revoked partition's lag goes");

    health.onConsumerCrash("g", true, new Error("broker gone"));
    await assert.rejects(async () => health.check.check(), /rejoining: broker gone/);
    health.onAssignment("g", [1]);
    await health.check.check();
    health.onConsumerCrash("g", false, new Error("fatal"));
    health.onAssignment("g", [1]);
    await assert.rejects(async () => health.check.check(), /gave up: fatal/);
  });
});
