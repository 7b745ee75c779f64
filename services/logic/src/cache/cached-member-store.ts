import { type Member, type MemberStore, TtlCache } from "@chatroom/core";

/**
 * The member store with members cached by id for a few seconds (every request reads its member). Accounts are
 * never changed or deleted today, so no invalidation is needed; the time bound keeps that cheap to change.
 */
export class CachedMemberStore implements MemberStore {
  readonly #store: MemberStore;
  readonly #cache: TtlCache<number, Member>;

  constructor(store: MemberStore, options: { ttlMs: number; maxEntries: number }) {
    this.#store = store;
    this.#cache = new TtlCache(options);
  }

  create(input: { username: string; passwordHash: string; createdAtMs: number }): Promise<Member> {
    return this.#store.create(input);
  }

  async findById(id: number): Promise<Member | null> {
    const cached = this.#cache.get(id);
    if (cached) return cached;
    const member = await this.#store.findById(id);
    if (member) this.#cache.set(id, member);
    return member;
  }

  findByUsername(username: string): Promise<Member | null> {
    return this.#store.findByUsername(username);
  }

  findByIds(ids: readonly number[]): Promise<Member[]> {
    return this.#store.findByIds(ids);
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
