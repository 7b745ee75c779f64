import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type CometInfo, keepRegistered } from "@chatroom/core";
import { RedisCometRegistry, unlinkPrefix } from "@chatroom/core/redis";
import { cometRegistryContract, eventually } from "@chatroom/core/testing";
import { redisTestKeyspace } from "./support/redis-keyspace.ts";

const { url, redis, newPrefix, subjectFactory } = await redisTestKeyspace("comets");

cometRegistryContract(
  "RedisCometRegistry",
  subjectFactory((prefix) => new RedisCometRegistry({ redis, prefix })),
);

const info = (id: string, port = 9000): CometInfo => ({
  id,
  grpcAddress: `127.0.0.1:${port}`,
  wsUrl: `ws://127.0.0.1:${port + 1}/ws`,
  startedAtMs: 1_700_000_000_000,
});
const LONG_TTL_MS = 60_000;

describe("RedisCometRegistry", () => {
  it("tells a watcher in one process about a comet registered by another", async () => {
    const prefix = newPrefix();
    const job = new RedisCometRegistry({ redis: url, prefix, pollIntervalMs: 60_000 });
    const comet = new RedisCometRegistry({ redis: url, prefix });
    const calls: string[][] = [];
    const watch = await job.watch((comets) => calls.push(comets.map((c) => c.id)));
    assert.deepEqual(calls, [[]]);
    // The re-list timer is a minute away: only the change notification can bring this.
    await comet.register(info("comet-a"), LONG_TTL_MS);
    await eventually(() => assert.deepEqual(calls, [[], ["comet-a"]]));
    await comet.deregister("comet-a");
    await eventually(() => assert.deepEqual(calls, [[], ["comet-a"], []]));
    await watch.close();
    await job.close();
    await comet.close();
  });

  it("calls a watcher only when the live set changed, not on every renewal", async () => {
    const prefix = newPrefix();
    const registry = new RedisCometRegistry({ redis, prefix, pollIntervalMs: 20 });
    const calls: string[][] = [];
    const watch = await registry.watch((comets) => calls.push(comets.map((c) => c.id)));
    const kept = await keepRegistered(registry, info("comet-a"), 90);
    await eventually(() => assert.deepEqual(calls, [[], ["comet-a"]]));
    await registry.register(info("comet-b"), LONG_TTL_MS);
    await eventually(() => assert.deepEqual(calls.at(-1), ["comet-a", "comet-b"]));
    // Three renewals of comet-a later (each moves its expiry; re-lists run every 20 ms meanwhile)…
    for (let renewals = 0; renewals < 3; renewals++) {
      const before = await redis.zscore(`${prefix}comets:expiry`, "comet-a");
      await eventually(async () => assert.notEqual(await redis.zscore(`${prefix}comets:expiry`, "comet-a"), before));
    }
    // …nothing else was delivered.
    assert.deepEqual(calls, [[], ["comet-a"], ["comet-a", "comet-b"]]);
    await kept.close();
    await eventually(() => assert.deepEqual(calls.at(-1), ["comet-b"]));
    await watch.close();
    await registry.close();
  });

  it("notices an expiry at its deadline even with a slow re-list interval", async () => {
    const prefix = newPrefix();
    const registry = new RedisCometRegistry({ redis, prefix, pollIntervalMs: 60_000 });
    const calls: string[][] = [];
    await registry.register(info("crashed"), 300);
    const watch = await registry.watch((comets) => calls.push(comets.map((c) => c.id)));
    assert.deepEqual(calls, [["crashed"]]);
    await eventually(() => assert.deepEqual(calls, [["crashed"], []]), 5000);
    await watch.close();
    await registry.close();
  });

  it("brings watchers back to the live set after Redis lost its data", async () => {
    const prefix = newPrefix();
    const registry = new RedisCometRegistry({ redis, prefix, pollIntervalMs: 50 });
    const kept = await keepRegistered(registry, info("comet-a"), 300);
    const calls: string[][] = [];
    const watch = await registry.watch((comets) => calls.push(comets.map((c) => c.id)));
    await eventually(() => assert.deepEqual(calls, [["comet-a"]]));
    // What a restart without persistence does to our keys; it publishes nothing.
    await unlinkPrefix(redis, prefix);
    await eventually(() => assert.deepEqual(calls, [["comet-a"], [], ["comet-a"]]), 5000);
    await kept.close();
    await watch.close();
    await registry.close();
  });

  it("keeps calling other watchers when one throws, and refuses calls once closed", async () => {
    const registry = new RedisCometRegistry({ redis, prefix: newPrefix() });
    const calls: number[] = [];
    await registry.watch(() => {
      throw new Error("broken watcher");
    });
    await registry.watch((comets) => calls.push(comets.length));
    await registry.register(info("a"), LONG_TTL_MS);
    await eventually(() => assert.deepEqual(calls, [0, 1]));
    await registry.close();
    await assert.rejects(registry.list(), { code: "unavailable" });
    await assert.rejects(registry.register(info("b"), LONG_TTL_MS), { code: "unavailable" });
    assert.equal(await redis.ping(), "PONG");
  });
});
