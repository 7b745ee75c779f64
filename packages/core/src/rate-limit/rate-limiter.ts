import { ChatError } from "../errors.ts";
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
 * Per-key rate limiting (per member sends, per IP logins, failed logins per account). consume() and refund() are
 * atomic per key across every process sharing the limiter; a refused call consumes nothing. Idle buckets may be
 * forgotten (they would be full).
 */
export interface RateLimiter extends Closable {
  consume(key: string, rule: RateRule, cost?: number): Promise<RateDecision>;
  /**
   * Gives back `amount` tokens (default 1) that an earlier consume() took, never filling the bucket above capacity;
   * a key without a bucket is full already and stays so. It lets a caller reserve a token before an attempt and
   * return it when the attempt turns out not to count (a login that succeeded), so that concurrent attempts can
   * never pass a check that only looked.
   */
  refund(key: string, rule: RateRule, amount?: number): Promise<void>;
}

/** The argument checks every implementation makes: a usable rule and a cost (or refund) within 0..capacity. */
export function checkRateCall(rule: RateRule, tokens: number, what: "cost" | "refund"): void {
  if (!(rule.capacity > 0) || !(rule.refillPerSecond > 0) || !Number.isFinite(rule.capacity)) {
    throw new ChatError("bad_request", "rate rule needs a positive capacity and refill rate");
  }
  if (!(tokens >= 0) || tokens > rule.capacity) {
    throw new ChatError("bad_request", `${what} ${tokens} is outside 0..${rule.capacity}`);
  }
}
