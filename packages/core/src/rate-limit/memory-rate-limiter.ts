import { ChatError } from "../errors.ts";
import { checkRateCall, type RateDecision, type RateLimiter, type RateRule } from "./rate-limiter.ts";

export interface MemoryRateLimiterOptions {
  /** Clock (ms), injectable for tests. */
  now?: () => number;
  /** How often (by the clock, checked on consume) buckets that have refilled completely are forgotten. */
  forgetIntervalMs?: number;
}

interface Bucket {
  tokens: number;
  updatedAtMs: number;
  capacity: number;
  refillPerSecond: number;
}

/**
 * The embedded RateLimiter: one token bucket per key. A bucket that has refilled to capacity is the same as no
 * bucket, so full buckets are forgotten from time to time and memory tracks only recently active keys.
 */
export class MemoryRateLimiter implements RateLimiter {
  readonly #now: () => number;
  readonly #forgetIntervalMs: number;
  readonly #buckets = new Map<string, Bucket>();
  #lastForgetMs: number;
  #closed = false;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#forgetIntervalMs = options.forgetIntervalMs ?? 10_000;
    this.#lastForgetMs = this.#now();
  }

  /** Keys currently holding a bucket (for tests and metrics). */
  get size(): number {
    return this.#buckets.size;
  }

  async consume(key: string, rule: RateRule, cost = 1): Promise<RateDecision> {
    this.#checkOpen();
    checkRateCall(rule, cost, "cost");
    const now = this.#now();
    this.#forgetFull(now);
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rule.capacity, updatedAtMs: now, ...rule };
      this.#buckets.set(key, bucket);
    } else {
      bucket.tokens = tokensAt(bucket, now);
      bucket.updatedAtMs = now;
    }
    // The rule may change between calls (configuration reload); the current one wins.
    bucket.capacity = rule.capacity;
    bucket.refillPerSecond = rule.refillPerSecond;
    bucket.tokens = Math.min(bucket.tokens, rule.capacity);
    if (bucket.tokens >= cost) {
      bucket.tokens -= cost;
      return { allowed: true, remaining: Math.floor(bucket.tokens), retryAfterMs: 0 };
    }
    const retryAfterMs = Math.max(1, Math.ceil(((cost - bucket.tokens) * 1000) / rule.refillPerSecond));
    return { allowed: false, remaining: Math.floor(bucket.tokens), retryAfterMs };
  }

  async refund(key: string, rule: RateRule, amount = 1): Promise<void> {
    this.#checkOpen();
    checkRateCall(rule, amount, "refund");
    const bucket = this.#buckets.get(key);
    if (!bucket) return;
    const now = this.#now();
    bucket.tokens = Math.min(rule.capacity, tokensAt(bucket, now) + amount);
    bucket.updatedAtMs = now;
    bucket.capacity = rule.capacity;
    bucket.refillPerSecond = rule.refillPerSecond;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#buckets.clear();
  }

  #checkOpen(): void {
    if (this.#closed) throw new ChatError("unavailable", "rate limiter is closed");
  }

  #forgetFull(now: number): void {
    if (now - this.#lastForgetMs < this.#forgetIntervalMs) return;
    this.#lastForgetMs = now;
    for (const [key, bucket] of this.#buckets) if (tokensAt(bucket, now) >= bucket.capacity) this.#buckets.delete(key);
  }
}

function tokensAt(bucket: Bucket, now: number): number {
  const elapsedMs = Math.max(0, now - bucket.updatedAtMs);
  return Math.min(bucket.capacity, bucket.tokens + (elapsedMs * bucket.refillPerSecond) / 1000);
}
