import { type InvalidationBus, type Session, type SessionStore, TtlCache } from "@chatroom/core";

/** The invalidation topic of revoked sessions; keys are session ids. */
export const SESSIONS_TOPIC = "sessions";

/**
 * The session store with live sessions cached for a few seconds: logic checks the session on every request, and
 * most of those checks then cost no store round trip. A revocation deletes the entry here and, through the
 * invalidation bus, in every other logic — so a logout is honoured everywhere at once, and a lost invalidation
 * (best effort) for at most `ttlMs`. Revoked and unknown sessions are never cached.
 */
export class CachedSessionStore implements SessionStore {
  readonly #store: SessionStore;
  readonly #invalidation: InvalidationBus;
  readonly #cache: TtlCache<string, Session>;
  readonly #unsubscribe: () => void;

  constructor(store: SessionStore, invalidation: InvalidationBus, options: { ttlMs: number; maxEntries: number }) {
    this.#store = store;
    this.#invalidation = invalidation;
    this.#cache = new TtlCache(options);
    this.#unsubscribe = invalidation.subscribe(SESSIONS_TOPIC, (id) => {
      if (id === null) this.#cache.clear();
      else this.#cache.delete(id);
    });
  }

  create(session: Omit<Session, "revokedAtMs">): Promise<Session> {
    return this.#store.create(session);
  }

  async find(id: string): Promise<Session | null> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const session = await this.#store.find(id);
    if (session && session.revokedAtMs === null) this.#cache.set(id, session);
    return session;
  }

  /** Revokes in the store first (the source of truth), then drops the cached copies everywhere. */
  async revoke(id: string, atMs: number): Promise<boolean> {
    const revoked = await this.#store.revoke(id, atMs);
    this.#cache.delete(id);
    await this.#invalidation.publish(SESSIONS_TOPIC, id);
    return revoked;
  }

  deleteExpired(nowMs: number): Promise<number> {
    // Expired sessions are refused by their expiry whether cached or not.
    return this.#store.deleteExpired(nowMs);
  }

  async close(): Promise<void> {
    this.#unsubscribe();
    await this.#store.close();
  }
}
