import type { Logger, Member, Presence, RateLimiter } from "@chatroom/core";
import { RoomEventType } from "@chatroom/proto/protocol";
import type { Publisher } from "./publisher.ts";
import { PushCoalescer } from "./push-coalescer.ts";
import type { RoomService } from "./rooms.ts";

interface RoomSignalsDeps {
  presence: Presence;
  publisher: Publisher;
  rooms: RoomService;
  rateLimiter: RateLimiter;
  members: { findById(id: number): Promise<Member | null> };
  typingIntervalMs: number;
  readReceiptIntervalMs: number;
  logger: Logger;
}

/**
 * What a room learns about its members besides messages, as OP_EVENT pushes to the room: typing indicators
 * (ephemeral: never stored, no seq, at most one per member per room per interval, cluster-wide through the rate
 * limiter) and read receipts (the stored read cursor, published after it moved, coalesced per member and room).
 * Callers check membership first.
 */
export class RoomSignals {
  readonly #deps: RoomSignalsDeps;
  readonly #receipts: PushCoalescer;

  constructor(deps: RoomSignalsDeps) {
    this.#deps = deps;
    this.#receipts = new PushCoalescer({
      presence: deps.presence,
      namespace: "read",
      intervalMs: deps.readReceiptIntervalMs,
      logger: deps.logger,
      push: (key) => this.#publishReceipt(key),
    });
  }

  /** Publishes "member is typing in room" unless the member did within the interval (then: nothing). */
  async typing(member: Member, roomId: string): Promise<void> {
    const rule = { capacity: 1, refillPerSecond: 1000 / this.#deps.typingIntervalMs };
    const decision = await this.#deps.rateLimiter.consume(`typing:${member.id}:${roomId}`, rule);
    if (!decision.allowed) return;
    await this.#deps.publisher.roomEvent({
      roomId,
      type: RoomEventType.ROOM_EVENT_TYPE_TYPING,
      memberId: member.id,
      username: member.username,
      room: undefined,
      seq: 0,
    });
  }

  /** The member's read cursor in the room moved: the room hears of it within the receipt interval. */
  readMoved(memberId: number, roomId: string): void {
    this.#receipts.changed([`${memberId}@${roomId}`]);
  }

  close(): void {
    this.#receipts.close();
  }

  async #publishReceipt(key: string): Promise<void> {
    const at = key.indexOf("@");
    const memberId = Number(key.slice(0, at));
    const roomId = key.slice(at + 1);
    const [seq, member] = await Promise.all([
      this.#deps.rooms.readCursor(memberId, roomId),
      this.#deps.members.findById(memberId),
    ]);
    // Left the room (or the account is gone) since: nothing to tell.
    if (seq === null || !member) return;
    await this.#deps.publisher.roomEvent({
      roomId,
      type: RoomEventType.ROOM_EVENT_TYPE_READ,
      memberId,
      username: member.username,
      room: undefined,
      seq,
    });
  }
}
