import { RequestRate } from "./request-rate.ts";

/**
 * The frame budgets of the members with connections on this comet: one token bucket per member, shared by all of
 * that member's connections (and charged for each new connection), so that one account cannot multiply its share
 * of the event loop by opening — or endlessly reopening — connections. A bucket outlives its member's connections
 * until it would be full again (a reconnect does not reset it), then a sweep forgets it.
 */
export class MemberRates {
  private readonly rates = new Map<number, RequestRate>();
  private readonly capacity: number;
  private readonly refillPerSecond: number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(capacity: number, refillPerSecond: number) {
    this.capacity = capacity;
    this.refillPerSecond = refillPerSecond;
    const idleMs = Math.ceil((capacity / refillPerSecond) * 1000);
    this.sweeper = setInterval(() => this.sweep(), Math.max(1000, idleMs));
    this.sweeper.unref();
  }

  /** Takes `cost` tokens of the member's bucket: "allow", "refuse", or "close" (refusals ignored too long). */
  take(memberId: number, cost = 1, now = Date.now()): "allow" | "refuse" | "close" {
    let rate = this.rates.get(memberId);
    if (!rate) {
      rate = new RequestRate(this.capacity, this.refillPerSecond, now);
      this.rates.set(memberId, rate);
    }
    return rate.take(now, cost);
  }

  retryAfterMs(memberId: number): number {
    return this.rates.get(memberId)?.retryAfterMs() ?? 0;
  }

  get size(): number {
    return this.rates.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  /** Forgets the buckets that have refilled completely: they hold nothing a fresh one would not. */
  sweep(now = Date.now()): void {
    for (const [memberId, rate] of this.rates) if (rate.isFull(now)) this.rates.delete(memberId);
  }
}
