import type { Logger, Presence } from "@chatroom/core";
import { isGoimRoom } from "../goim/goim-rooms.ts";
import type { Publisher } from "./publisher.ts";
import { PushCoalescer } from "./push-coalescer.ts";

/**
 * Pushes a room's online count (OP_ONLINE) to its connections after it changed, at most once per room per
 * interval across every logic (PushCoalescer). Counts that change without an event (a crashed comet's connections
 * expiring) are corrected by the heartbeat replies' counts.
 */
export function onlineNotifier(deps: {
  presence: Presence;
  publisher: Publisher;
  intervalMs: number;
  logger: Logger;
}): PushCoalescer {
  const { presence, publisher } = deps;
  return new PushCoalescer({
    presence,
    namespace: "online",
    // goim rooms get no OP_ONLINE: goim clients read counts from heartbeat replies and could not decode it.
    skip: isGoimRoom,
    intervalMs: deps.intervalMs,
    logger: deps.logger,
    async push(roomId) {
      const counts = await presence.onlineCounts([roomId]);
      await publisher.onlineCount(roomId, counts.get(roomId) ?? 0);
    },
  });
}
