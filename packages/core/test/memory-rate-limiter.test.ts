import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryRateLimiter } from "@chatroom/core";
import { rateLimiterContract } from "@chatroom/core/testing";

rateLimiterContract("MemoryRateLimiter", async () => {
  const limiter = new MemoryRateLimiter();
  return { subject: limiter, cleanup: () => limiter.close() };
});

function fakeClockLimiter(forgetIntervalMs?: number): { limiter: MemoryRateLimiter; advance(ms: number): void } {
  let now = 5_000_000;
  const limiter = new MemoryRateLimiter({ now: () => now, ...(forgetIntervalMs ? { forgetIntervalMs } : {}) });
  return {
    limiter,
    advance: (ms) => {
      now += ms;
    },
  };
}

const rule = { capacity: 20, refillPerSecond: 10 };

describe("MemoryRateLimiter", () => {
  it("refuses the call after capacity with the exact time until enough tokens are back", async () => {
    const { limiter } = fakeClockLimiter();
    for (let i = 0; i < 20; i++) assert.equal((await limiter.consume("m", rule)).allowed, true);
    assert.deepEqual(await limiter.consume("m", rule), { allowed: false, remaining: 0, retryAfterMs: 100 });
    assert.deepEqual(await limiter.consume("m", rule, 5), { allowed: false, remaining: 0, retryAfterMs: 500 });
  });

  it("refills continuously at refillPerSecond, up to capacity", async () => {
    const { limiter, advance } = fakeClockLimiter();
    await limiter.consume("m", rule, 20);
    advance(250);
    assert.deepEqual(await limiter.consume("m", rule), { allowed: true, remaining: 1, retryAfterMs: 0 });
    assert.deepEqual(await limiter.consume("m", rule, 2), { allowed: false, remaining: 1, retryAfterMs: 50 });
    advance(60_000);
    assert.deepEqual(await limiter.consume("m", rule), { allowed: true, remaining: 19, retryAfterMs: 0 });
  });

  it("forgets buckets that have refilled completely", async () => {
    const { limiter, advance } = fakeClockLimiter(1000);
    await limiter.consume("idle", rule, 20);
    await limiter.consume("busy", rule, 20);
    assert.equal(limiter.size, 2);
    advance(1500);
    await limiter.consume("busy", rule, 15);
    assert.equal(limiter.size, 2, "idle is still refilling");
    advance(1000);
    await limiter.consume("busy", rule, 10);
    assert.equal(limiter.size, 1, "idle is full again and forgotten");
    assert.deepEqual(await limiter.consume("idle", rule), { allowed: true, remaining: 19, retryAfterMs: 0 });
  });

  it("applies a changed rule to an existing bucket", async () => {
    const { limiter } = fakeClockLimiter();
    await limiter.consume("m", rule, 5);
    assert.deepEqual(await limiter.consume("m", { capacity: 4, refillPerSecond: 1 }), {
      allowed: true,
      remaining: 3,
      retryAfterMs: 0,
    });
  });

  it("rejects a cost above capacity and a rule without capacity", async () => {
    const { limiter } = fakeClockLimiter();
    await assert.rejects(limiter.consume("m", rule, 21), { code: "bad_request" });
    await assert.rejects(limiter.consume("m", { capacity: 0, refillPerSecond: 1 }), { code: "bad_request" });
    await limiter.close();
    await assert.rejects(limiter.consume("m", rule), { code: "unavailable" });
  });
});
