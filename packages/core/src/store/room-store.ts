import type { Closable } from "../lifecycle.ts";
import type { Membership, Room, RoomKind, RoomRole } from "../types.ts";

/**
 * Rooms and their members.
 * - create() throws ChatError("room_exists") for a taken id (public, private and direct rooms share the id space).
 * - join()/leave() are idempotent and report whether anything changed.
 * - lastSeq is kept by the MessageStore (it is the room's seq counter).
 * - A membership carries the member's role; it ends with the membership (leave, kick, ban), so a member who comes
 *   back is a plain member again.
 */
export interface RoomStore extends Closable {
  create(input: { id: string; name: string; kind: RoomKind; createdBy: number; createdAtMs: number }): Promise<Room>;
  get(id: string): Promise<Room | null>;
  /** Public rooms ordered by id, paged by `afterId` (private rooms and direct conversations are never listed). */
  listPublic(options: { afterId?: string; limit: number }): Promise<Room[]>;
  /** Adds the member with `role` (default member); a member already in the room keeps their role. */
  join(roomId: string, memberId: number, atMs: number, role?: RoomRole): Promise<boolean>;
  leave(roomId: string, memberId: number): Promise<boolean>;
  isMember(roomId: string, memberId: number): Promise<boolean>;
  /** One member's membership, or null when they are not in the room. */
  membership(roomId: string, memberId: number): Promise<Membership | null>;
  /** Member ids of a room ordered by id, paged by `afterMemberId`. */
  members(roomId: string, options: { afterMemberId?: number; limit: number }): Promise<Membership[]>;
  /** Members with this role, longest-standing first (joinedAtMs, then member id). */
  withRole(roomId: string, role: RoomRole, limit: number): Promise<Membership[]>;
  /** Gives a member a role; false when they are not in the room. */
  setRole(roomId: string, memberId: number, role: RoomRole): Promise<boolean>;
  /** Every room the member belongs to (public, private and direct), with the member's cursor and role. */
  roomsOf(memberId: number): Promise<Array<{ room: Room; membership: Membership }>>;
  /** Moves the member's read cursor forward (never backwards); false when not a member. */
  ack(roomId: string, memberId: number, seq: number): Promise<boolean>;
}
