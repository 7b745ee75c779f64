import type { Redis } from "ioredis";
import { ChatError } from "../errors.ts";
import { defineScripts, redisCall, redisScript, runScript } from "../redis-call.ts";
import { connectRedis } from "../redis-connect.ts";
import { DEFAULT_REDIS_PREFIX } from "../redis-keyspace.ts";
import type { RateDecision, RateLimiter, RateRule } from "./rate-limiter.ts";

export interface RedisRateLimiterOptions {
  /** A shared client (left open by close()), or a URL to connect to (that client is closed by close()). */
  redis: Redis | string;
  /** Key prefix (default "chatroom:"); buckets live at `{prefix}ratelimit:{key}`. */
  prefix?: string;
}

/**
 * One token bucket, refilled and charged atomically. The bucket is a hash {tokens, at} (at: ms of the Redis server
 * clock, so every process agrees); it expires when it would be full again, because a full bucket and no bucket are
 * the same. KEYS[1] = bucket; ARGV = capacity, refillPerSecond, cost → {allowed 1|0, whole tokens left, retryAfterMs}.
 */
const CONSUME = redisScript(
  "rate_consume",
  `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + tonumber(clock[2]) / 1000
local capacity, rate, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local bucket = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens, at = tonumber(bucket[1]), tonumber(bucket[2])
if tokens == nil or at == nil then
  tokens = capacity
else
  -- The rule may have changed since the last call (configuration reload): the current one wins.
  tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
end
local allowed, retry = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
else
  retry = math.max(1, math.ceil((cost - tokens) * 1000 / rate))
end
local untilFull = math.ceil((capacity - tokens) * 1000 / rate)
if untilFull <= 0 then
  redis.call('DEL', KEYS[1])
else
  redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%.17g', now))
  redis.call('PEXPIRE', KEYS[1], untilFull)
end
return { allowed, math.floor(tokens), retry }
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
    defineScripts(this.#redis, [CONSUME]);
  }

  async consume(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    if (this.#closed) throw new ChatError("unavailable", "rate limiter is closed");
    if (!(rule.capacity > 0) || !(rule.refillPerSecond > 0) || !Number.isFinite(rule.capacity)) {
      throw new ChatError("bad_request", "rate rule needs a positive capacity and refill rate");
    }
    if (!(cost >= 0) || cost > rule.capacity) {
      throw new ChatError("bad_request", `cost ${cost} is outside 0..${rule.capacity}`);
    }
    const reply = await redisCall("rate limit", () =>
      runScript(this.#redis, CONSUME, [`${this.#prefix}${key}`, rule.capacity, rule.refillPerSecond, cost]),
    );
    if (!Array.isArray(reply) || reply.length !== 3) throw new ChatError("internal", "unexpected rate limit reply");
    const [allowed, remaining, retryAfterMs] = reply.map(Number) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#owned) await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}
