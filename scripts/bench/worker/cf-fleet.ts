import { CentrifugoClient } from "./cf-client.ts";
import { openClients } from "./open-clients.ts";
import type { OpenArgs, OpenResult, StatsResult } from "./protocol.ts";
import type { Tracker } from "./tracker.ts";

/** The Centrifugo connections of one worker (the second baseline's clients). */
export class CentrifugoFleet {
  readonly #tracker: Tracker;
  readonly #clients: CentrifugoClient[] = [];

  constructor(tracker: Tracker) {
    this.#tracker = tracker;
  }

  open(args: OpenArgs): Promise<OpenResult> {
    const tracker = this.#tracker;
    return openClients(args, tracker, async (spec, localAddress, track) => {
      const client = await CentrifugoClient.connect({
        url: spec.url,
        token: spec.token,
        channels: spec.rooms ?? [],
        localAddress,
        timeoutMs: args.timeoutMs,
        ...(args.track !== "none"
          ? { onPublication: (_channel: string, data: unknown) => tracker.delivered(track, String(data)) }
          : {}),
        onLost: (code) => tracker.disconnected(track, code),
      });
      this.#clients.push(client);
    });
  }

  collect(stats: Pick<StatsResult, "open" | "servers">): void {
    for (const client of this.#clients) if (client.open) stats.open += 1;
    if (this.#clients.length) stats.servers.centrifugo = (stats.servers.centrifugo ?? 0) + this.#clients.length;
  }

  close(): void {
    for (const client of this.#clients.splice(0)) client.close();
  }
}
