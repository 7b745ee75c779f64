/** Reconnect delays: exponential growth from `initialDelayMs`, capped at `maxDelayMs`, with jitter. */
export interface BackoffOptions {
  initialDelayMs: number;
  maxDelayMs: number;
  /**
   * full: uniform in [0, cap] (AWS "full jitter": spreads a thundering herd of reconnects best);
   * equal: uniform in [cap/2, cap]; none: exactly cap.
   */
  jitter: "full" | "equal" | "none";
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 250, maxDelayMs: 10_000, jitter: "full" };

/** The un-jittered delay before retry number `attempt` (0-based): initial × 2^attempt, at most max. */
export function backoffCap(attempt: number, options: BackoffOptions): number {
  const exponent = Math.min(Math.max(attempt, 0), 52);
  return Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** exponent);
}

/** The delay before retry number `attempt`; `random` returns a number in [0, 1). */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const cap = backoffCap(attempt, options);
  switch (options.jitter) {
    case "none":
      return cap;
    case "equal":
      return Math.round(cap / 2 + random() * (cap / 2));
    default:
      return Math.round(random() * cap);
  }
}
