// A load-generator process (forked by lib/worker-pool.ts): holds benchmark clients and runs send loads on command,
// so the clients' CPU is neither the harness's nor the server's. Commands and results: protocol.ts.
import { CentrifugoFleet } from "./cf-fleet.ts";
import { ChatFleet } from "./chat-fleet.ts";
import { runLoad } from "./load.ts";
import type { Command, Request, Response, StatsResult } from "./protocol.ts";
import { SioFleet } from "./sio-fleet.ts";
import { Tracker } from "./tracker.ts";

const tracker = new Tracker();
const chat = new ChatFleet(tracker);
const sio = new SioFleet(tracker);
const cf = new CentrifugoFleet(tracker);

function stats(expected: Record<string, number> | undefined): StatsResult {
  const result: StatsResult = {
    clients: tracker.clients.length,
    open: 0,
    received: tracker.clients.reduce((n, c) => n + c.received, 0),
    lastDeliveryAt: tracker.lastDeliveryAt,
    groups: tracker.groups(expected),
    latency: tracker.latency.toData(),
    disconnects: tracker.clients.reduce((n, c) => n + c.disconnects, 0),
    closeCodes: Object.fromEntries(tracker.closeCodes),
    gaps: tracker.clients.reduce((n, c) => n + c.gaps, 0),
    resumedAt: [],
    servers: {},
  };
  chat.collect(result);
  sio.collect(result);
  cf.collect(result);
  return result;
}

async function handle(command: Command): Promise<unknown> {
  switch (command.cmd) {
    case "open":
      if (command.args.system === "socketio") return sio.open(command.args);
      if (command.args.system === "centrifugo") return cf.open(command.args);
      return chat.open(command.args);
    case "reset":
      tracker.reset();
      return null;
    case "stats":
      return stats(command.expected);
    case "load":
      return runLoad(command.args);
    case "close":
      await chat.close();
      sio.close();
      cf.close();
      return null;
  }
}

process.on("message", (message: Request) => {
  handle(message).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies Response),
    (error: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      } satisfies Response),
  );
});
process.on("disconnect", () => process.exit(0));
