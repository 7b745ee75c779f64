import { setTimeout as sleep } from "node:timers/promises";
import type { PushBatch, PushBatchHandler } from "@chatroom/core";

/**
 * job's batch window (`CHATROOM_JOB_BATCH_WINDOW_MS`): a partition's next batch is taken no sooner than `windowMs`
 * after the previous one was, unless the previous one was full (`maxBatchSize`: more is waiting already), and never
 * before the I/O that arrived while the previous batch was routed has been read (one event-loop turn).
 *
 * Why here and not in a bus: every bus hands a partition's batches over one at a time and cuts a batch from what is
 * waiting when the previous one is acknowledged (see PushBus), so holding the acknowledgement is what lets pushes
 * gather — and it works the same on Kafka and on the in-process bus of the embedded mode, where pushes otherwise
 * arrive one by one and each room message would be a frame of its own. The window is leading-edge: after an idle
 * moment a push is routed at once, and only the pushes that arrive during the window wait (at most `windowMs` plus
 * the routing of the previous batch). Per-room order and at-least-once are the bus's: the batch was routed before
 * its acknowledgement, only the acknowledgement comes later.
 */
export function withBatchWindow(
  handler: PushBatchHandler,
  options: { windowMs: number; maxBatchSize: number; signal?: AbortSignal },
): PushBatchHandler {
  const { windowMs, maxBatchSize, signal } = options;
  if (windowMs <= 0) return handler;
  return async (batch: PushBatch) => {
    const startedAt = performance.now();
    await handler(batch);
    if (signal?.aborted) return;
    const rest = batch.messages.length >= maxBatchSize ? 0 : windowMs - (performance.now() - startedAt);
    // Closing job ends the wait: the batch was routed, nothing is left to do for it.
    if (rest > 0) await sleep(rest, undefined, signal ? { signal } : {}).catch(() => {});
    // Even when routing took the whole window (or the batch was full), one event-loop turn: routing to an in-process
    // comet is synchronous work during which no request is read, so the pushes that came meanwhile are only published
    // once the pending I/O is processed — and belong in the next batch, not each in a batch of its own.
    else await new Promise((resolve) => setImmediate(resolve));
  };
}
