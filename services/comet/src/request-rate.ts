/**
 * A frame budget (one connection's, or one member's: member-rates.ts): a token bucket (`capacity` frames, refilled at `refillPerSecond`) kept as two
 * numbers, so that a comet with 100k connections pays no timer or closure for it. The comet refuses a frame when
 * the bucket is empty (OP_ERROR rate_limited, never forwarded to logic) and closes a client that keeps sending
 * through a whole bucket's worth of refusals in a row: it ignores retry_after_ms.
 */
export class RequestRate {
  private tokens: number;
  private updatedAt: number;
  private refusedInARow = 0;
  private readonly capacity: number;
  private readonly refillPerMs: number;

  constructor(capacity: number, refillPerSecond: number, now = Date.now()) {
    this.capacity = capacity;
    this.refillPerMs = refillPerSecond / 1000;
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes `cost` tokens: "allow", "refuse" (answer rate_limited), or "close" (the client ignores the refusals). */
  take(now = Date.now(), cost = 1): "allow" | "refuse" | "close" {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      this.refusedInARow = 0;
      return "allow";
    }
    this.refusedInARow += 1;
    return this.refusedInARow > this.capacity ? "close" : "refuse";
  }

  /** How long until the next frame would be allowed. */
  retryAfterMs(): number {
    return Math.max(1, Math.ceil((1 - this.tokens) / this.refillPerMs));
  }

  isFull(now = Date.now()): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + Math.max(0, now - this.updatedAt) * this.refillPerMs);
    this.updatedAt = now;
  }
}
