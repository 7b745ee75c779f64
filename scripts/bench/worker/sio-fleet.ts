import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { mapLimit, wallNow, withTimeout } from "../lib/timing.ts";
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

  async open(args: OpenArgs): Promise<OpenResult> {
    const tracker = this.#tracker;
    tracker.mode = args.track;
    const errors: string[] = [];
    let failed = 0;
    const startedAt = wallNow();
    await mapLimit(args.clients, args.concurrency, async (spec, index) => {
      const address = args.localAddresses[index % args.localAddresses.length] ?? "127.0.0.1";
      const socket = io(spec.url, sioOptions(spec.token, spec.rooms ?? [], address));
      const track = tracker.add(spec.group);
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
        socket.on("disconnect", (reason) =>
          tracker.disconnected(track, reason === "io client disconnect" ? 1000 : 1006),
        );
        this.#sockets.push({ socket, track });
      } catch (error) {
        failed += 1;
        if (errors.length < 5) errors.push(error instanceof Error ? error.message : String(error));
        tracker.clients.splice(tracker.clients.indexOf(track), 1);
        socket.close();
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
    for (const { socket } of this.#sockets) if (socket.connected) stats.open += 1;
    stats.servers["socket.io"] = (stats.servers["socket.io"] ?? 0) + this.#sockets.length;
  }

  close(): void {
    for (const { socket } of this.#sockets.splice(0)) socket.close();
  }
}
