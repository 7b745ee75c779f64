import type { LoadResult, StatsResult } from "../worker/protocol.ts";
import { Histogram, type LatencySummary } from "./histogram.ts";
import { sleep } from "./timing.ts";
import type { LoadWorker } from "./worker-pool.ts";

export interface Delivery {
  expected: number;
  received: number;
  missing: number;
  extra: number;
  disconnects: number;
  closeCodes: Record<string, number>;
  lastDeliveryAt: number;
  latency: LatencySummary;
  stats: StatsResult[];
}

/** What the loads acknowledged per room, summed over load results. */
export function ackedPerRoom(loads: readonly LoadResult[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const load of loads) for (const [room, n] of Object.entries(load.perRoom)) out[room] = (out[room] ?? 0) + n;
  return out;
}

export function ackSummary(loads: readonly LoadResult[]): LatencySummary {
  return Histogram.from(loads.map((l) => l.ackLatency)).summary();
}

/**
 * Waits until the receivers have everything `expected` per group (room) asks for, or nothing new arrived for
 * `quietMs`, or `maxMs` passed; then sums their counts and latency.
 */
export async function collectDeliveries(
  workers: readonly LoadWorker[],
  expected: Record<string, number>,
  quietMs: number,
  maxMs: number,
): Promise<Delivery> {
  const deadline = Date.now() + maxMs;
  let last = -1;
  let lastChange = Date.now();
  let stats: StatsResult[] = [];
  for (;;) {
    stats = await Promise.all(workers.map((w) => w.stats(expected)));
    const missing = stats.reduce((n, s) => n + Object.values(s.groups).reduce((m, g) => m + g.missing, 0), 0);
    const received = stats.reduce((n, s) => n + s.received, 0);
    if (received !== last) {
      last = received;
      lastChange = Date.now();
    }
    if (missing === 0 || Date.now() - lastChange > quietMs || Date.now() > deadline) break;
    await sleep(250);
  }
  const sum = (pick: (s: StatsResult) => number) => stats.reduce((n, s) => n + pick(s), 0);
  const groups = stats.flatMap((s) => Object.entries(s.groups));
  const closeCodes: Record<string, number> = {};
  for (const s of stats)
    for (const [code, n] of Object.entries(s.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
  return {
    expected: groups.reduce((n, [room, g]) => n + (expected[room] ?? 0) * g.clients, 0),
    received: sum((s) => s.received),
    missing: groups.reduce((n, [, g]) => n + g.missing, 0),
    extra: groups.reduce((n, [, g]) => n + g.extra, 0),
    disconnects: sum((s) => s.disconnects),
    closeCodes,
    lastDeliveryAt: Math.max(...stats.map((s) => s.lastDeliveryAt)),
    latency: Histogram.from(stats.map((s) => s.latency)).summary(),
    stats,
  };
}
