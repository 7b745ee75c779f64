import { collectDefaultMetrics, Registry } from "prom-client";

/**
 * A fresh Prometheus registry with Node's default process metrics (CPU, memory, heap, event-loop lag, GC, handles;
 * standard names, no chatroom_ prefix, so that stock Node.js dashboards work). One per process — never prom-client's
 * global registry — so that several services or tests in one process never collide.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Buckets (seconds) of the request and call latency histograms: 0.5 ms to 10 s, dense around the 50 ms delivery
 * target so that p99 over 50 ms is measured, not interpolated across a wide bucket.
 */
export const LATENCY_BUCKETS: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** Buckets of "how many" histograms (messages per batch, frames per push). */
export const COUNT_BUCKETS: readonly number[] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];

/** Seconds elapsed since a process.hrtime.bigint() reading. */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}
