import type { RateLimiter } from "@chatroom/core";
import type { LogicMetrics } from "./logic-metrics.ts";

/**
 * The same limiter, each refusal counted in chatroom_logic_rate_limited_total by rule: the key's prefix before the
 * first ":" ("send:<member>" → send, "login:<address>" → login), never the key itself.
 */
export function instrumentRateLimiter(limiter: RateLimiter, metrics: LogicMetrics): RateLimiter {
  return {
    async consume(key, rule, cost) {
      const decision = await limiter.consume(key, rule, cost);
      if (!decision.allowed) metrics.rateLimited(key.slice(0, Math.max(0, key.indexOf(":"))) || "other");
      return decision;
    },
    refund: (key, rule, amount) => limiter.refund(key, rule, amount),
    close: () => limiter.close(),
  };
}
