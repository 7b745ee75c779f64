import type { Channel } from "./channel.ts";
import type { PushFrame } from "./push-frame.ts";

const TICK_MS = 100;

/**
 * Writes a broadcast at a bounded rate (goim's Broadcast speed: connections per second), in slices every ~100 ms,
 * so a broadcast to a large comet does not make every client reconnect or fetch at the same instant.
 */
export class BroadcastPacer {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  /**
   * Starts writing `frame` to `channels` at `speed` per second and returns at once; onSlice is told, after each
   * slice, how many channels took the frame out of how many were offered it.
   */
  start(
    channels: readonly Channel[],
    frame: PushFrame,
    speed: number,
    onSlice: (delivered: number, attempted: number) => void = () => {},
  ): void {
    if (this.stopped || channels.length === 0) return;
    const slice = Math.max(1, Math.ceil((speed * TICK_MS) / 1000));
    const delayMs = Math.max(1, Math.round((slice * 1000) / speed));
    let next = 0;
    const step = (): void => {
      const end = Math.min(channels.length, next + slice);
      const attempted = end - next;
      let delivered = 0;
      for (; next < end; next++) if (channels[next]!.deliver(frame)) delivered++;
      onSlice(delivered, attempted);
      if (next < channels.length && !this.stopped) schedule();
    };
    const schedule = (): void => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        step();
      }, delayMs);
      timer.unref();
      this.timers.add(timer);
    };
    step();
  }

  /** Abandons the broadcasts in progress (on close). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
