import { ChatClient, type WebSocketConstructor } from "@chatroom/client";
import WebSocket from "ws";
import { mapLimit, wallNow, withTimeout } from "../lib/timing.ts";
import type { OpenArgs, OpenResult, StatsResult } from "./protocol.ts";
import type { ClientTrack, Tracker } from "./tracker.ts";

const decoder = new TextDecoder();

/** `ws` bound to a source address (the global WebSocket cannot choose one); no compression, as browsers by default. */
export function boundWebSocket(localAddress: string): WebSocketConstructor {
  class BoundWebSocket extends WebSocket {
    constructor(url: string) {
      super(url, { localAddress, perMessageDeflate: false });
    }
  }
  return BoundWebSocket as unknown as WebSocketConstructor;
}

/** The chatroom connections of one worker: SDK clients with their delivery tracking. */
export class ChatFleet {
  readonly #tracker: Tracker;
  readonly #clients: { client: ChatClient; track: ClientTrack }[] = [];
  readonly #constructors = new Map<string, WebSocketConstructor>();

  constructor(tracker: Tracker) {
    this.#tracker = tracker;
  }

  get size(): number {
    return this.#clients.length;
  }

  async open(args: OpenArgs): Promise<OpenResult> {
    const tracker = this.#tracker;
    tracker.mode = args.track;
    const errors: string[] = [];
    let failed = 0;
    const startedAt = wallNow();
    await mapLimit(args.clients, args.concurrency, async (spec, index) => {
      const address = args.localAddresses[index % args.localAddresses.length] ?? "127.0.0.1";
      let ctor = this.#constructors.get(address);
      if (!ctor) {
        ctor = boundWebSocket(address);
        this.#constructors.set(address, ctor);
      }
      const client = new ChatClient({
        url: spec.url,
        token: spec.token,
        WebSocket: ctor,
        accepts: args.accepts ?? [],
        resumeFrom: args.resumeFrom ?? "latest",
        clientName: "bench",
        ...(args.reconnect ? { reconnect: args.reconnect } : {}),
      });
      const track = tracker.add(spec.group);
      this.#listen(client, track, args);
      try {
        await withTimeout(client.connect(), args.timeoutMs, "connect");
        track.server = client.member?.server ?? "";
        this.#clients.push({ client, track });
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
        tracker.clients.splice(tracker.clients.indexOf(track), 1);
        await client.close().catch(() => {});
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

  #listen(client: ChatClient, track: ClientTrack, args: OpenArgs): void {
    const tracker = this.#tracker;
    if (args.track === "delivery") {
      client.on("push", ({ body }) => tracker.delivered(track, decoder.decode(body)));
      client.on("message", (message) => tracker.delivered(track, message.text));
    } else if (args.track === "sequence") {
      client.on("message", (message) => {
        const before = track.duplicates;
        track.sequence(message.roomId, message.seq);
        if (track.duplicates === before) tracker.delivered(track, message.text);
      });
    }
    client.on("state", (change) => {
      if (change.state === "reconnecting" && change.previous !== "reconnecting" && change.previous !== "connecting") {
        tracker.disconnected(track, change.code ?? 0);
      }
    });
    client.on("resumed", ({ reconnected }) => {
      if (reconnected) {
        track.resumedAt = wallNow();
        track.server = client.member?.server ?? track.server;
      }
    });
  }

  collect(stats: Pick<StatsResult, "open" | "resumedAt" | "servers">): void {
    for (const { client, track } of this.#clients) {
      if (client.state === "open") stats.open += 1;
      if (track.resumedAt) stats.resumedAt.push(track.resumedAt);
      stats.servers[track.server] = (stats.servers[track.server] ?? 0) + 1;
    }
  }

  async close(): Promise<void> {
    await mapLimit(this.#clients.splice(0), 500, ({ client }) => client.close().catch(() => {}));
  }
}
