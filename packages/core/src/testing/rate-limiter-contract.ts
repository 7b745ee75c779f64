import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RateLimiter, RateRule } from "../rate-limit/rate-limiter.ts";
import { type ContractFactory, uniqueSuffix, withSubject } from "./contract-subject.ts";
import { eventually } from "./polling.ts";

/** Refills one token every 10 s: nothing refills while a test runs. */
const SLOW = 0.1;

/**
 * The RateLimiter contract (rate-limiter.ts). Keys are unique per test, so a shared backend works; refill is
 * tested in real time.
 */
export function rateLimiterContract(name: string, factory: ContractFactory<RateLimiter>): void {
  describe(name, () => {
    it("allows `capacity` calls, then refuses with the time until a token is back", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `member:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 3, refillPerSecond: SLOW };
        const allowed = [];
        for (let i = 0; i < 3; i++) allowed.push(await limiter.consume(key, rule));
        assert.deepEqual(
          allowed.map((decision) => [decision.allowed, decision.remaining]),
          [
            [true, 2],
            [true, 1],
            [true, 0],
          ],
        );
        const refused = await limiter.consume(key, rule);
        assert.equal(refused.allowed, false);
        assert.equal(refused.remaining, 0);
        assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 10_000, `retryAfterMs ${refused.retryAfterMs}`);
      });
    });

    it("consumes nothing on a refused call and honours the cost", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `member:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 5, refillPerSecond: SLOW };
        assert.deepEqual(await limiter.consume(key, rule, 3), { allowed: true, remaining: 2, retryAfterMs: 0 });
        const refused = await limiter.consume(key, rule, 3);
        assert.equal(refused.allowed, false);
        assert.equal(refused.remaining, 2);
        assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 10_000);
        assert.deepEqual(await limiter.consume(key, rule, 2), { allowed: true, remaining: 0, retryAfterMs: 0 });
      });
    });

    it("refills tokens over time", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `member:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 2, refillPerSecond: 10 };
        assert.equal((await limiter.consume(key, rule)).allowed, true);
        assert.equal((await limiter.consume(key, rule)).allowed, true);
        const refused = await limiter.consume(key, rule);
        assert.equal(refused.allowed, false);
        assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 100, `retryAfterMs ${refused.retryAfterMs}`);
        await sleep(refused.retryAfterMs);
        await eventually(async () => assert.equal((await limiter.consume(key, rule)).allowed, true), 2000, 20);
      });
    });

    it("keeps a separate bucket per key", async () => {
      await withSubject(factory, async (limiter) => {
        const rule: RateRule = { capacity: 1, refillPerSecond: SLOW };
        const a = `ip:${uniqueSuffix()}`;
        const b = `ip:${uniqueSuffix()}`;
        assert.equal((await limiter.consume(a, rule)).allowed, true);
        assert.equal((await limiter.consume(a, rule)).allowed, false);
        assert.equal((await limiter.consume(b, rule)).allowed, true);
      });
    });

    it("refund gives back what consume took, never above capacity", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `login-account:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 3, refillPerSecond: SLOW };
        assert.equal((await limiter.consume(key, rule, 3)).allowed, true);
        assert.equal((await limiter.consume(key, rule)).allowed, false);
        await limiter.refund(key, rule);
        assert.deepEqual(await limiter.consume(key, rule), { allowed: true, remaining: 0, retryAfterMs: 0 });
        await limiter.refund(key, rule, 3);
        await limiter.refund(key, rule, 2);
        assert.deepEqual(await limiter.consume(key, rule), { allowed: true, remaining: 2, retryAfterMs: 0 });
      });
    });

    it("refund leaves a key without a bucket as it is: full", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `login-account:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 2, refillPerSecond: SLOW };
        await limiter.refund(key, rule);
        assert.deepEqual(await limiter.consume(key, rule), { allowed: true, remaining: 1, retryAfterMs: 0 });
        await assert.rejects(limiter.refund(key, rule, 3), { code: "bad_request" });
      });
    });

    it("keeps reservations exact when refunds and consumes race", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `login-account:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 4, refillPerSecond: SLOW };
        assert.equal((await limiter.consume(key, rule, 4)).allowed, true);
        // Two reservations are given back while ten attempts race for them: exactly two get through.
        const [, , ...decisions] = await Promise.all([
          limiter.refund(key, rule),
          limiter.refund(key, rule),
          ...Array.from({ length: 10 }, () => limiter.consume(key, rule)),
        ]);
        const late = await limiter.consume(key, rule);
        const admitted = [...decisions, late].filter((decision) => decision?.allowed === true).length;
        assert.equal(admitted, 2);
      });
    });

    it("never admits more than capacity among concurrent calls", async () => {
      await withSubject(factory, async (limiter) => {
        const key = `member:${uniqueSuffix()}`;
        const rule: RateRule = { capacity: 5, refillPerSecond: SLOW };
        const decisions = await Promise.all(Array.from({ length: 20 }, () => limiter.consume(key, rule)));
        assert.equal(decisions.filter((decision) => decision.allowed).length, 5);
        assert.ok(decisions.filter((decision) => !decision.allowed).every((decision) => decision.retryAfterMs > 0));
      });
    });
  });
}
