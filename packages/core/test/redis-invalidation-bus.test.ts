import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisInvalidationBus } from "@chatroom/core/redis";
import { eventually, invalidationBusContract } from "@chatroom/core/testing";
import { redisTestKeyspace } from "./support/redis-keyspace.ts";

const { url, redis, newPrefix } = await redisTestKeyspace("invalidation");

invalidationBusContract("RedisInvalidationBus", async () => {
  const prefix = newPrefix();
  // Two processes: each bus on its own connection, as two logics would be.
  const a = new RedisInvalidationBus({ redis: url, prefix });
  const b = new RedisInvalidationBus({ redis: url, prefix });
  return {
    subject: { a, b },
    cleanup: async () => {
      await a.close();
      await b.close();
    },
  };
});

describe("RedisInvalidationBus", () => {
  it("tells its handlers that anything may be stale after its subscriber connection was lost", async () => {
    const prefix = newPrefix();
    const name = `invalidation-test-${process.pid}-${Date.now()}`;
    const bus = new RedisInvalidationBus({ redis: url, prefix, connectionName: name });
    try {
      const seen: Array<string | null> = [];
      bus.subscribe("sessions", (key) => seen.push(key));
      await eventually(async () => {
        await bus.publish("sessions", "before");
        assert.ok(seen.includes("before"));
      });
      // Only this bus's subscriber: other tests share the Redis.
      const clients = String(await redis.call("CLIENT", "LIST"));
      const id = /id=(\d+) [^\n]* name=(\S+)/g;
      const ours = [...clients.matchAll(id)].find((m) => m[2] === `${name}-sub`)?.[1];
      assert.ok(ours, "the subscriber connection is listed");
      await redis.call("CLIENT", "KILL", "ID", ours);
      await eventually(() => assert.ok(seen.includes(null), "a reset after the reconnect"), 10_000);
      await eventually(async () => {
        await bus.publish("sessions", "after");
        assert.ok(seen.includes("after"), "resubscribed by itself");
      }, 10_000);
    } finally {
      await bus.close();
    }
  });
});
