import { type InvalidationBus, type Room, type RoomRole, TtlCache } from "@chatroom/core";

/** The invalidation topic of ended or changed memberships; keys are `<memberId>:<roomId>`. */
export const MEMBERSHIPS_TOPIC = "memberships";

/** What a membership check needs of a room; never its lastSeq, which changes with every message. */
export type RoomRef = Pick<Room, "id" | "name" | "kind">;

/** A member's standing in a room they belong to: what every send, typing signal and moderation action checks. */
export interface MemberAccess {
  room: RoomRef;
  /** null in direct conversations (no roles there). */
  role: RoomRole | null;
  /** The mute in force when this was read (its untilMs: null until lifted), or null. */
  mute: { untilMs: number | null } | null;
}

/**
 * "Member M belongs to room R, with this role and mute" cached for a few seconds: every send, history page and ack
 * checks it. Only positive answers are cached (a join needs no invalidation); ending a membership (leave, kick,
 * ban) or changing it (role, mute) must call ended() / changed(), which drop the entry here and in every other
 * logic through the invalidation bus. A mute's own expiry needs nothing: readers compare it with the clock.
 */
export class MembershipCache {
  readonly #cache: TtlCache<string, MemberAccess>;
  readonly #invalidation: InvalidationBus;
  readonly #unsubscribe: () => void;

  constructor(invalidation: InvalidationBus, options: { ttlMs: number; maxEntries: number }) {
    this.#cache = new TtlCache(options);
    this.#invalidation = invalidation;
    this.#unsubscribe = invalidation.subscribe(MEMBERSHIPS_TOPIC, (key) => {
      if (key === null) this.#cache.clear();
      else this.#cache.delete(key);
    });
  }

  get(memberId: number, roomId: string): MemberAccess | undefined {
    return this.#cache.get(membershipKey(memberId, roomId));
  }

  set(memberId: number, access: MemberAccess): void {
    const { id, name, kind } = access.room;
    this.#cache.set(membershipKey(memberId, id), { ...access, room: { id, name, kind } });
  }

  /** Call after the store ended the membership: no logic serves it from a cache from then on. */
  ended(memberId: number, roomId: string): Promise<void> {
    return this.changed(memberId, roomId);
  }

  /** Call after the store changed the member's role or mute in the room. */
  async changed(memberId: number, roomId: string): Promise<void> {
    const key = membershipKey(memberId, roomId);
    this.#cache.delete(key);
    await this.#invalidation.publish(MEMBERSHIPS_TOPIC, key);
  }

  close(): void {
    this.#unsubscribe();
  }
}

function membershipKey(memberId: number, roomId: string): string {
  return `${memberId}:${roomId}`;
}
