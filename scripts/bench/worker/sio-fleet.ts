import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { withTimeout } from "../lib/timing.ts";
import { openClients } from "./open-clients.ts";
import type { OpenArgs, OpenResult, StatsResult } from "./protocol.ts";
import type { ClientTrack, Tracker } from "./tracker.ts";

/** Options of a benchmark Socket.IO client: WebSocket only (no long-polling upgrade), no reconnection. */
export function sioOptions(
  token: string,
  rooms: string[],
  localAddress: string,
): Partial<ManagerOptions & SocketOptions> {
  // engine.io-client passes localAddress through to `ws` in Node; its types do not list it.
  const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    auth: { token, rooms },
    localAddress,
  };
  return options;
}

/** The Socket.IO connections of one worker (the baseline's clients). */
export class SioFleet {
  readonly #tracker: Tracker;
  readonly #sockets: { socket: Socket; track: ClientTrack }[] = [];

  constructor(tracker: Tracker) {
    this.#tracker = tracker;
  }

  get size(): number {
    return this.#sockets.length;
  }

  open(args: OpenArgs): Promise<OpenResult> {
    const tracker = this.#tracker;
    return openClients(args, tracker, async (spec, address, track) => {
      const socket = io(spec.url, sioOptions(spec.token, spec.rooms ?? [], address));
      if (args.track !== "none") {
        socket.on("push", (text: string) => tracker.delivered(track, text));
        socket.on("message", (message: { text: string }) => tracker.delivered(track, message.text));
      }
      try {
        await withTimeout(
          new Promise<void>((resolve, reject) => {
            socket.once("connect", () => resolve());
            socket.once("connect_error", (error) => reject(error));
          }),
          args.timeoutMs,
          "connect",
        );
      } catch (error) {
        socket.close();
        throw error;
      }
      socket.on("disconnect", (reason) => tracker.disconnected(track, reason === "io client disconnect" ? 1000 : 1006));
      this.#sockets.push({ socket, track });
    });
  }

  collect(stats: Pick<StatsResult, "open" | "servers">): void {
    for (const { socket } of this.#sockets) if (socket.connected) stats.open += 1;
    stats.servers["socket.io"] = (stats.servers["socket.io"] ?? 0) + this.#sockets.length;
  }

  close(): void {
    for (const { socket } of this.#sockets.splice(0)) socket.close();
  }
}
