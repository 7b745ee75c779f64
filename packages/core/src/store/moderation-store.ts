import type { Closable } from "../lifecycle.ts";
import type { Invitation, Room, RoomRestriction } from "../types.ts";

/** A page of a room's restrictions or invitations, by member id. */
export interface MemberPage {
  afterMemberId?: number;
  limit: number;
}

/**
 * Bans, mutes and invitations of rooms (roles live with the memberships, in the RoomStore).
 * - A restriction is in force while its untilMs is null or after `nowMs` (the caller's clock); an expired one is as
 *   good as none and is replaced by the next of its kind.
 * - ban() ends the member's membership (and role) and any invitation and records the ban in one transaction, so a
 *   ban and a concurrent join cannot both win: a join that checks findBan after its insert sees the ban or is undone
 *   by it.
 * - Every write of a member or room that does not exist throws member_not_found / room_not_found.
 */
export interface ModerationStore extends Closable {
  /** Records (or replaces) a ban; reports whether a membership ended with it. */
  ban(ban: RoomRestriction): Promise<{ membershipEnded: boolean }>;
  /** Lifts a ban; false when there was none (an expired one counts as none). */
  unban(roomId: string, memberId: number, nowMs: number): Promise<boolean>;
  findBan(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null>;
  /** Bans in force, ordered by member id. */
  bans(roomId: string, nowMs: number, page: MemberPage): Promise<RoomRestriction[]>;

  /** Records (or replaces) a mute; the member stays in the room. */
  mute(mute: RoomRestriction): Promise<void>;
  unmute(roomId: string, memberId: number, nowMs: number): Promise<boolean>;
  findMute(roomId: string, memberId: number, nowMs: number): Promise<RoomRestriction | null>;
  /** The mutes in force among these members (any order). */
  mutesOf(roomId: string, memberIds: readonly number[], nowMs: number): Promise<RoomRestriction[]>;
  /** The mutes in force of one member, in every room (any order). */
  mutesOfMember(memberId: number, nowMs: number): Promise<RoomRestriction[]>;

  /** Records an invitation; false when the member was invited already (the first invitation stays). */
  invite(invitation: Invitation): Promise<boolean>;
  /** Withdraws (or declines, or uses up) an invitation; false when there was none. */
  uninvite(roomId: string, memberId: number): Promise<boolean>;
  findInvitation(roomId: string, memberId: number): Promise<Invitation | null>;
  /** A room's pending invitations, ordered by member id. */
  invitations(roomId: string, page: MemberPage): Promise<Invitation[]>;
  /** The rooms a member is invited to, newest invitation first. */
  invitationsOf(memberId: number, limit: number): Promise<Array<{ invitation: Invitation; room: Room }>>;
}
