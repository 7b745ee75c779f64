import type { Redis } from "ioredis";
import { ChatError } from "../errors.ts";
import { defineScripts, redisCall, redisScript, runScript } from "../redis-call.ts";
import { connectRedis } from "../redis-connect.ts";
import { DEFAULT_REDIS_PREFIX } from "../redis-keyspace.ts";
import { checkRateCall, type RateDecision, type RateLimiter, type RateRule } from "./rate-limiter.ts";

export interface RedisRateLimiterOptions {
  /** A shared client (left open by close()), or a URL to connect to (that client is closed by close()). */
  redis: Redis | string;
  /** Key prefix (default "chatroom:"); buckets live at `{prefix}ratelimit:{key}`. */
  prefix?: string;
}

/**
 * The shared head of both scripts: the server clock, the rule, and the bucket refilled up to now. The bucket is a hash
 * {tokens, at} (at: ms of the Redis server clock, so every process agrees). KEYS[1] = bucket; ARGV = capacity,
 * refillPerSecond, cost or refund. `found` is false for a missing bucket, which is a full one.
 */
const LOAD_BUCKET = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local capacity, rate, amount = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(bucket[1]), tonumber(bucket[2])
local found = tokens ~= nil and at ~= nil
if not found then
  tokens = capacity
else
  -- The rule may have changed since the last call (configuration reload): the current one wins.
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
end
`;

/** The shared tail: a bucket expires when it would be full again, because a full bucket and no bucket are the same. */
const STORE_BUCKET = `
local untilFull = math.ceil((capacity - tokens) * 1000 / rate)
if untilFull <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
  redis.call('PEXPIRE', KEYS[1], untilFull)
end
`;

/** Refills and charges one bucket atomically → {allowed 1|0, whole tokens left, retryAfterMs}. */
const CONSUME = redisScript(
  "rate_consume",
  `${LOAD_BUCKET}
local allowed, retry = 0, 0
if tokens >= amount then
  tokens = tokens - amount
  allowed = 1
else
  retry = math.max(1, math.ceil((amount - tokens) * 1000 / rate))
end
${STORE_BUCKET}
return { allowed, math.floor(tokens), retry }
`,
  1,
);

/** Gives tokens back to an existing bucket, up to capacity; a missing bucket is full and left alone. */
const REFUND = redisScript(
  "rate_refund",
  `${LOAD_BUCKET}
if not found then
  return 0
end
tokens = math.min(capacity, tokens + amount)
${STORE_BUCKET}
return 1
`,
  1,
);

/** The RateLimiter shared by every logic process: one Lua script per consume(), so it is atomic per key. */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #owned: boolean;
  readonly #prefix: string;
  #closed = false;

  constructor(options: RedisRateLimiterOptions) {
    this.#owned = typeof options.redis === "string";
    this.#redis =
      typeof options.redis === "string"
        ? connectRedis(options.redis, { connectionName: "chatroom-rate-limiter" })
        : options.redis;
    this.#prefix = `${options.prefix ?? DEFAULT_REDIS_PREFIX}ratelimit:`;
    defineScripts(this.#redis, [CONSUME, REFUND]);
  }

  async consume(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    this.#checkOpen();
    checkRateCall(rule, cost, "cost");
    const reply = await redisCall("rate limit", () =>
      runScript(this.#redis, CONSUME, [`${this.#prefix}${key}`, rule.capacity, rule.refillPerSecond, cost]),
    );
    if (!Array.isArray(reply) || reply.length !== 3) throw new ChatError("internal", "unexpected rate limit reply");
    const [allowed, remaining, retryAfterMs] = reply.map(Number) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }

  async refund(key: string, rule: RateRule, amount = 1): Promise<void> {
    this.#checkOpen();
    checkRateCall(rule, amount, "refund");
    await redisCall("rate limit refund", () =>
      runScript(this.#redis, REFUND, [`${this.#prefix}${key}`, rule.capacity, rule.refillPerSecond, amount]),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  #checkOpen(): void {
    if (this.#closed) throw new ChatError("unavailable", "rate limiter is closed");
  }
}
