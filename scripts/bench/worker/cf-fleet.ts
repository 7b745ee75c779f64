import { mapLimit, wallNow } from "../lib/timing.ts";
import { CentrifugoClient } from "./cf-client.ts";
import type { OpenArgs, OpenResult, StatsResult } from "./protocol.ts";
import type { Tracker } from "./tracker.ts";

/** The Centrifugo connections of one worker (the second baseline's clients). */
export class CentrifugoFleet {
  readonly #tracker: Tracker;
  readonly #clients: CentrifugoClient[] = [];

  constructor(tracker: Tracker) {
    this.#tracker = tracker;
  }

  async open(args: OpenArgs): Promise<OpenResult> {
    const tracker = this.#tracker;
    tracker.mode = args.track;
    const errors: string[] = [];
    let failed = 0;
    const startedAt = wallNow();
    await mapLimit(args.clients, args.concurrency, async (spec, index) => {
      const track = tracker.add(spec.group);
      const tracking = args.track !== "none";
      try {
        const client = await CentrifugoClient.connect({
          url: spec.url,
          token: spec.token,
          channels: spec.rooms ?? [],
          localAddress: args.localAddresses[index % args.localAddresses.length] ?? "127.0.0.1",
          timeoutMs: args.timeoutMs,
          ...(tracking
            ? { onPublication: (_channel: string, data: unknown) => tracker.delivered(track, String(data)) }
            : {}),
          onLost: (code) => tracker.disconnected(track, code),
        });
        this.#clients.push(client);
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
        tracker.clients.splice(tracker.clients.indexOf(track), 1);
      }
    });
    const finishedAt = wallNow();
    return {
      opened: args.clients.length - failed,
      failed,
      errors,
      elapsedMs: finishedAt - startedAt,
      startedAt,
      finishedAt,
    };
  }

  collect(stats: Pick<StatsResult, "open" | "servers">): void {
    for (const client of this.#clients) if (client.open) stats.open += 1;
    if (this.#clients.length) stats.servers.centrifugo = (stats.servers.centrifugo ?? 0) + this.#clients.length;
  }

  close(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }
}
