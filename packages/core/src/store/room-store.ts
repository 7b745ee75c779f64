import type { Closable } from "../lifecycle.ts";
import type { Membership, Room, RoomKind } from "../types.ts";

/**
 * Rooms and their members.
 * - create() throws ChatError("room_exists") for a taken id.
 * - join()/leave() are idempotent and report whether anything changed.
 * - lastSeq is kept by the MessageStore (it is the room's seq counter).
 */
export interface RoomStore extends Closable {
  create(input: { id: string; name: string; kind: RoomKind; createdBy: number; createdAtMs: number }): Promise<Room>;
  get(id: string): Promise<Room | null>;
  /** Public rooms ordered by id, paged by `afterId`. */
  listPublic(options: { afterId?: string; limit: number }): Promise<Room[]>;
  join(roomId: string, memberId: number, atMs: number): Promise<boolean>;
  leave(roomId: string, memberId: number): Promise<boolean>;
  isMember(roomId: string, memberId: number): Promise<boolean>;
  /** Member ids of a room ordered by id, paged by `afterMemberId`. */
  members(roomId: string, options: { afterMemberId?: number; limit: number }): Promise<Membership[]>;
  /** Every room the member belongs to (public and direct), with the member's cursor. */
  roomsOf(memberId: number): Promise<Array<{ room: Room; membership: Membership }>>;
  /** Moves the member's read cursor forward (never backwards); false when not a member. */
  ack(roomId: string, memberId: number, seq: number): Promise<boolean>;
}
