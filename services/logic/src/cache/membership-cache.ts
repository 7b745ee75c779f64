import { type InvalidationBus, type Room, TtlCache } from "@chatroom/core";

/** The invalidation topic of ended memberships; keys are `<memberId>:<roomId>`. */
export const MEMBERSHIPS_TOPIC = "memberships";

/** What a membership check needs of a room; never its lastSeq, which changes with every message. */
export type RoomRef = Pick<Room, "id" | "name" | "kind">;

/**
 * "Member M belongs to room R" cached for a few seconds: every send, history page and ack checks it. Only positive
 * answers are cached (a join needs no invalidation); ending a membership (leave, and kick or ban later) must call
 * ended(), which drops the entry here and in every other logic through the invalidation bus.
 */
export class MembershipCache {
  readonly #cache: TtlCache<string, RoomRef>;
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

  get(memberId: number, roomId: string): RoomRef | undefined {
    return this.#cache.get(membershipKey(memberId, roomId));
  }

  set(memberId: number, room: RoomRef): void {
    this.#cache.set(membershipKey(memberId, room.id), { id: room.id, name: room.name, kind: room.kind });
  }

  /** Call after the store ended the membership: no logic serves it from a cache from then on. */
  async ended(memberId: number, roomId: string): Promise<void> {
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
