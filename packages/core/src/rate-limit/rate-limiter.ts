import type { Closable } from "../lifecycle.ts";

/** A token bucket: `capacity` tokens, refilled continuously at `refillPerSecond`. */
export interface RateRule {
  capacity: number;
  refillPerSecond: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Whole tokens left after this call. */
  remaining: number;
  /** When refused: how long until `cost` tokens are available. */
  retryAfterMs: number;
}

/**
 * Per-key rate limiting (per member sends, per IP logins). consume() is atomic per key across every process
 * sharing the limiter; a refused call consumes nothing. Idle buckets may be forgotten (they would be full).
 */
export interface RateLimiter extends Closable {
  consume(key: string, rule: RateRule, cost?: number): Promise<RateDecision>;
}
