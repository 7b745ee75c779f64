import type { Logger, LogicApi } from "@chatroom/core";
import type { Buckets } from "./buckets.ts";

/**
 * Cluster-wide online counts of the rooms this comet holds, refreshed by a timer through logic.renewOnline
 * (goim's roomCount loop). HEARTBEAT replies read the cache, so a heartbeat never waits on logic.
 */
export class OnlineCounts {
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly options: {
    server: string;
    intervalMs: number;
    logic: LogicApi;
    buckets: Buckets;
    logger: Logger;
  };

  constructor(options: OnlineCounts["options"]) {
    this.options = options;
  }

  /** Online members of a room, cluster-wide, as of the last renewal or OP_ONLINE push; undefined when unknown. */
  get(roomId: string): number | undefined {
    return this.counts.get(roomId);
  }

  /** A fresher count than the last renewal: an OP_ONLINE push passed through this comet. */
  set(roomId: string, count: number): void {
    this.counts.set(roomId, count);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.renew(), this.options.intervalMs);
    this.timer.unref();
  }

  /** One renewal; overlapping calls share the one in flight. Never rejects. */
  renew(): Promise<void> {
    this.inFlight ??= this.renewOnce().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private async renewOnce(): Promise<void> {
    const { logic, server, buckets, logger } = this.options;
    try {
      const response = await logic.renewOnline({ server, roomCount: buckets.roomCounts() });
      this.counts = new Map(Object.entries(response.allRoomCount));
    } catch (error) {
      logger.warn({ err: error }, "renewOnline failed; keeping the previous online counts");
    }
  }
}
