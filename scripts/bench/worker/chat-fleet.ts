import { ChatClient, type WebSocketConstructor } from "@chatroom/client";
import WebSocket from "ws";
import { mapLimit, wallNow, withTimeout } from "../lib/timing.ts";
import { openClients } from "./open-clients.ts";
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

  open(args: OpenArgs): Promise<OpenResult> {
    return openClients(args, this.#tracker, async (spec, address, track) => {
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
      this.#listen(client, track, args);
      try {
        await withTimeout(client.connect(), args.timeoutMs, "connect");
      } catch (error) {
        await client.close().catch(() => {});
        throw error;
      }
      track.server = client.member?.server ?? "";
      this.#clients.push({ client, track });
    });
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
