import type { InvalidationBus, Stores } from "@chatroom/core";
import { CachedMemberStore } from "./cached-member-store.ts";
import { CachedSessionStore } from "./cached-session-store.ts";

/** Entries per cache: enough for every active member of a large deployment, a few tens of MB at most. */
export const CACHE_MAX_ENTRIES = 100_000;

/**
 * The stores logic reads on every request, with their read-mostly records cached (sessions invalidated across logics
 * through the bus, members immutable). close() stays the caller's, as for the stores themselves.
 */
export function cachedStores(stores: Stores, invalidation: InvalidationBus, ttlMs: number): Stores {
  const options = { ttlMs, maxEntries: CACHE_MAX_ENTRIES };
  const sessions = new CachedSessionStore(stores.sessions, invalidation, options);
  return {
    members: new CachedMemberStore(stores.members, options),
    sessions,
    rooms: stores.rooms,
    messages: stores.messages,
    moderation: stores.moderation,
    close: () => stores.close(),
  };
}
