import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RedisRateLimiter } from "@chatroom/core/redis";
import { eventually, rateLimiterContract } from "@chatroom/core/testing";
import { redisTestKeyspace } from "./support/redis-keyspace.ts";

const { url, redis, newPrefix, subjectFactory } = await redisTestKeyspace("rate");

rateLimiterContract(
  "RedisRateLimiter",
  subjectFactory((prefix) => new RedisRateLimiter({ redis, prefix })),
);

describe("RedisRateLimiter", () => {
  it("shares each bucket between processes on separate connections", async () => {
    const prefix = newPrefix();
    const one = new RedisRateLimiter({ redis: url, prefix });
    const two = new RedisRateLimiter({ redis: url, prefix });
    const rule = { capacity: 4, refillPerSecond: 0.1 };
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? one : two).consume("member:1", rule)),
    );
    assert.equal(decisions.filter((decision) => decision.allowed).length, 4);
    assert.equal((await one.consume("member:1", rule)).allowed, false);
    await one.close();
    await two.close();
  });

  it("stores a bucket under its prefix and lets it expire once it would be full again", async () => {
    const prefix = newPrefix();
    const limiter = new RedisRateLimiter({ redis, prefix });
    const key = `${prefix}ratelimit:ip:127.0.0.1`;
    assert.deepEqual(await limiter.consume("ip:127.0.0.1", { capacity: 2, refillPerSecond: 10 }), {
      allowed: true,
      remaining: 1,
      retryAfterMs: 0,
    });
    // -1 would be a key without expiry; -2 (already gone) is fine on a slow machine.
    const ttl = await redis.pttl(key);
    assert.ok(ttl !== -1 && ttl <= 100, `pttl ${ttl}`);
    await eventually(async () => assert.equal(await redis.exists(key), 0), 5000);
    assert.equal((await limiter.consume("ip:127.0.0.1", { capacity: 2, refillPerSecond: 10 })).remaining, 1);
    await limiter.close();
  });

  it("keeps no key for a call that leaves the bucket full", async () => {
    const prefix = newPrefix();
    const limiter = new RedisRateLimiter({ redis, prefix });
    assert.deepEqual(await limiter.consume("free", { capacity: 3, refillPerSecond: 1 }, 0), {
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
    });
    assert.equal(await redis.exists(`${prefix}ratelimit:free`), 0);
    await limiter.close();
  });

  it("drops the key when a refund fills the bucket again, and creates none for a missing one", async () => {
    const prefix = newPrefix();
    const limiter = new RedisRateLimiter({ redis, prefix });
    const rule = { capacity: 2, refillPerSecond: 0.01 };
    await limiter.consume("account", rule);
    assert.equal(await redis.exists(`${prefix}ratelimit:account`), 1);
    await limiter.refund("account", rule);
    assert.equal(await redis.exists(`${prefix}ratelimit:account`), 0);
    await limiter.refund("never-used", rule);
    assert.equal(await redis.exists(`${prefix}ratelimit:never-used`), 0);
    await limiter.close();
  });

  it("applies a changed rule to an existing bucket", async () => {
    const limiter = new RedisRateLimiter({ redis, prefix: newPrefix() });
    await limiter.consume("m", { capacity: 20, refillPerSecond: 0.1 }, 5);
    assert.deepEqual(await limiter.consume("m", { capacity: 4, refillPerSecond: 1 }), {
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
    });
    await limiter.close();
  });

  it("rejects a cost above capacity, a rule without capacity, and calls once closed", async () => {
    const limiter = new RedisRateLimiter({ redis, prefix: newPrefix() });
    const rule = { capacity: 20, refillPerSecond: 10 };
    await assert.rejects(limiter.consume("m", rule, 21), { code: "bad_request" });
    await assert.rejects(limiter.consume("m", { capacity: 0, refillPerSecond: 1 }), { code: "bad_request" });
    await limiter.close();
    await assert.rejects(limiter.consume("m", rule), { code: "unavailable" });
  });
});
