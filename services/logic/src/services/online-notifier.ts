import type { Presence } from "@chatroom/core";
import { isGoimRoom } from "../goim/goim-rooms.ts";
import type { LogicLogger } from "../logger.ts";
import type { Publisher } from "./publisher.ts";

interface OnlineNotifierDeps {
  presence: Presence;
  publisher: Publisher;
  /** At most one OP_ONLINE push per room per interval, cluster-wide. */
  intervalMs: number;
  logger: LogicLogger;
}

/**
 * Pushes a room's online count (OP_ONLINE) to its connections after it changed, coalesced: the first change in a
 * room claims the room's window in presence (shared by every logic), and the claimer reads the count and pushes it
 * when the window ends, so a burst of joins costs one push. A change seen while another process holds the window
 * is covered by that process's push, which reads the count at push time. Counts that change without an event
 * (a crashed comet's connections expiring) are corrected by the heartbeat replies' counts.
 */
export class OnlineNotifier {
  readonly #deps: OnlineNotifierDeps;
  /** Rooms with a claim under way (null) or a push scheduled by this process. */
  readonly #pending = new Map<string, NodeJS.Timeout | null>();
  #closed = false;

  constructor(deps: OnlineNotifierDeps) {
    this.#deps = deps;
  }

  /** Rooms whose online count may have changed. Never throws and never delays the caller. */
  changed(roomIds: Iterable<string>): void {
    if (this.#closed) return;
    const fresh: string[] = [];
    for (const roomId of roomIds) {
      // goim rooms get no OP_ONLINE: goim clients read counts from heartbeat replies and could not decode it.
      if (this.#pending.has(roomId) || isGoimRoom(roomId)) continue;
      this.#pending.set(roomId, null);
      fresh.push(roomId);
    }
    if (fresh.length > 0) void this.#claim(fresh);
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#pending.values()) if (timer) clearTimeout(timer);
    this.#pending.clear();
  }

  async #claim(roomIds: string[]): Promise<void> {
    const { presence, intervalMs, logger } = this.#deps;
    // The claim ends a little before this process reads the count, so that a change landing in between is not
    // lost: its process claims the next window instead (an extra push, never a missing one).
    const windowMs = Math.max(1, intervalMs - Math.min(50, Math.floor(intervalMs / 10)));
    let claimed: Set<string>;
    try {
      claimed = new Set(await presence.claimOnlinePush(roomIds, windowMs));
    } catch (error) {
      logger.warn({ err: error, rooms: roomIds.length }, "claiming online-count pushes failed");
      claimed = new Set();
    }
    for (const roomId of roomIds) {
      if (this.#closed) return;
      if (!claimed.has(roomId)) {
        this.#pending.delete(roomId);
        continue;
      }
      const timer = setTimeout(() => void this.#push(roomId), intervalMs);
      timer.unref();
      this.#pending.set(roomId, timer);
    }
  }

  async #push(roomId: string): Promise<void> {
    this.#pending.delete(roomId);
    if (this.#closed) return;
    const { presence, publisher, logger } = this.#deps;
    try {
      const counts = await presence.onlineCounts([roomId]);
      await publisher.onlineCount(roomId, counts.get(roomId) ?? 0);
    } catch (error) {
      logger.warn({ err: error, roomId }, "pushing an online count failed");
    }
  }
}
