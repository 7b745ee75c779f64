import {
  ChatError,
  type Member,
  type Membership,
  type RateLimiter,
  type RateRule,
  type Room,
  type RoomRole,
  type Stores,
} from "@chatroom/core";
import { RoomEventType } from "@chatroom/proto/protocol";
import { announceEnded, type MembershipEventsDeps, roomEvent } from "./membership-events.ts";
import { LOBBY_ROOM_ID, validateRoomId } from "./room-ids.ts";
import { requireMaySetRole, requireModerator, requireOutranks } from "./room-permissions.ts";
import { untilOf, validateDuration } from "./room-restrictions.ts";
import type { RoomService } from "./rooms.ts";
import { toRoomInfo, wireRole } from "./views.ts";

/** Who an action is about: a member id, or (when no id is given) a username. */
export interface ModerationTarget {
  memberId?: number | undefined;
  username?: string | undefined;
}

export type ModerationActionName = "set_role" | "kick" | "ban" | "unban" | "mute" | "unmute" | "invite" | "uninvite";

export interface ModerationResult {
  roomId: string;
  member: Pick<Member, "id" | "username">;
  action: ModerationActionName;
  /** set_role: the member's role now. */
  role?: RoomRole;
  /** ban, mute: when it ends (null: until lifted). */
  untilMs?: number | null;
}

interface ModerationDeps extends MembershipEventsDeps {
  stores: Stores;
  rooms: RoomService;
  rateLimiter: RateLimiter;
  /** Role changes, kicks, bans, mutes and their reversal, per acting member. */
  moderateRate: RateRule;
  /** Invitations sent, per acting member (each reaches the invitee at once). */
  inviteRate: RateRule;
  now: () => number;
}

/** The room, the acting member's role in it, the target and the target's membership (null: not in the room). */
interface Scene {
  room: Room;
  actorRole: RoomRole;
  target: Member;
  membership: Membership | null;
}

const ROLES: ReadonlySet<string> = new Set(["owner", "moderator", "member"]);

/**
 * What owners and moderators do to members of public and private rooms (rules: room-permissions.ts). Each action
 * is checked here, in logic, for the HTTP API and OP_MODERATE alike, then stored, then announced to the room (and
 * to the member concerned). Ending a membership goes through announceEnded, which drops cached memberships on every
 * logic and unsubscribes the member's connections on every comet.
 */
export class ModerationService {
  readonly #deps: ModerationDeps;

  constructor(deps: ModerationDeps) {
    this.#deps = deps;
  }

  async setRole(actor: Member, roomId: unknown, target: ModerationTarget, role: unknown): Promise<ModerationResult> {
    if (typeof role !== "string" || !ROLES.has(role)) {
      throw new ChatError("bad_request", "role must be one of owner, moderator, member");
    }
    const newRole = role as RoomRole;
    const scene = await this.#scene(actor, roomId, target, { self: true });
    const { room, membership } = scene;
    if (!membership) throw notInRoom(scene.target, room);
    if (room.id === LOBBY_ROOM_ID && (newRole === "owner" || membership.role === "owner")) {
      throw new ChatError("forbidden", "the lobby's owners are set by CHATROOM_LOBBY_OWNERS");
    }
    if (scene.target.id === actor.id) await this.#checkStepDown(scene, newRole);
    else requireMaySetRole(scene.actorRole, membership.role);
    const result: ModerationResult = { roomId: room.id, member: pick(scene.target), action: "set_role", role: newRole };
    if (membership.role === newRole) return result;
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    if (!(await this.#deps.stores.rooms.setRole(room.id, scene.target.id, newRole)))
      throw notInRoom(scene.target, room);
    await this.#deps.memberships.changed(scene.target.id, room.id);
    const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_ROLE_CHANGED, room.id, scene.target, { actor });
    await this.#deps.publisher.roomEvent({ ...event, role: wireRole(newRole) });
    return result;
  }

  /** Ends the membership; the member may join a public room again (a private one after a new invitation). */
  async kick(actor: Member, roomId: unknown, target: ModerationTarget): Promise<ModerationResult> {
    const { room, actorRole, target: member, membership } = await this.#scene(actor, roomId, target);
    if (!membership) throw notInRoom(member, room);
    requireOutranks(actorRole, membership.role, "kick");
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    if (await this.#deps.stores.rooms.leave(room.id, member.id)) {
      const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_KICKED, room.id, member, { actor });
      await announceEnded(this.#deps, room, member, event);
    }
    return { roomId: room.id, member: pick(member), action: "kick" };
  }

  /**
   * Ends the membership (if any) and keeps the member out until unbanned or the duration passed (0: until lifted).
   * Members not in the room may be banned too, so that they cannot come (back) in.
   */
  async ban(actor: Member, roomId: unknown, target: ModerationTarget, durationMs: unknown): Promise<ModerationResult> {
    const duration = validateDuration(durationMs);
    const { room, actorRole, target: member, membership } = await this.#scene(actor, roomId, target);
    requireOutranks(actorRole, membership?.role ?? "member", "ban");
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    const now = this.#deps.now();
    const untilMs = untilOf(duration, now);
    await this.#deps.stores.moderation.ban({
      roomId: room.id,
      memberId: member.id,
      untilMs,
      byMemberId: actor.id,
      atMs: now,
    });
    // Announced even when the member was not in the room: a join racing the ban may have subscribed a connection.
    const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_BANNED, room.id, member, { actor, untilMs });
    await announceEnded(this.#deps, room, member, event);
    return { roomId: room.id, member: pick(member), action: "ban", untilMs };
  }

  async unban(actor: Member, roomId: unknown, target: ModerationTarget): Promise<ModerationResult> {
    const { room, actorRole, target: member } = await this.#scene(actor, roomId, target);
    requireOutranks(actorRole, "member", "unban");
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    if (await this.#deps.stores.moderation.unban(room.id, member.id, this.#deps.now())) {
      await this.#deps.publisher.roomEvent(
        roomEvent(RoomEventType.ROOM_EVENT_TYPE_UNBANNED, room.id, member, { actor }),
      );
    }
    return { roomId: room.id, member: pick(member), action: "unban" };
  }

  /** The member stays but may not send or type until unmuted or the duration passed (0: until lifted). */
  async mute(actor: Member, roomId: unknown, target: ModerationTarget, durationMs: unknown): Promise<ModerationResult> {
    const duration = validateDuration(durationMs);
    const { room, actorRole, target: member, membership } = await this.#scene(actor, roomId, target);
    requireOutranks(actorRole, membership?.role ?? "member", "mute");
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    const now = this.#deps.now();
    const untilMs = untilOf(duration, now);
    await this.#deps.stores.moderation.mute({
      roomId: room.id,
      memberId: member.id,
      untilMs,
      byMemberId: actor.id,
      atMs: now,
    });
    await this.#deps.memberships.changed(member.id, room.id);
    const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_MUTED, room.id, member, { actor, untilMs });
    await this.#deps.publisher.roomEvent(event);
    return { roomId: room.id, member: pick(member), action: "mute", untilMs };
  }

  async unmute(actor: Member, roomId: unknown, target: ModerationTarget): Promise<ModerationResult> {
    const { room, actorRole, target: member, membership } = await this.#scene(actor, roomId, target);
    requireOutranks(actorRole, membership?.role ?? "member", "unmute");
    await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    if (await this.#deps.stores.moderation.unmute(room.id, member.id, this.#deps.now())) {
      await this.#deps.memberships.changed(member.id, room.id);
      await this.#deps.publisher.roomEvent(
        roomEvent(RoomEventType.ROOM_EVENT_TYPE_UNMUTED, room.id, member, { actor }),
      );
    }
    return { roomId: room.id, member: pick(member), action: "unmute" };
  }

  /** Private rooms only: the member may join (once). The invitee's connections hear of it at once. */
  async invite(actor: Member, roomId: unknown, target: ModerationTarget): Promise<ModerationResult> {
    const { room, actorRole, target: member, membership } = await this.#scene(actor, roomId, target);
    if (room.kind !== "private") {
      throw new ChatError("bad_request", "only private rooms take invitations; anyone may join a public room");
    }
    requireModerator(actorRole, "invite");
    if (membership) throw new ChatError("conflict", `${member.username} is in ${room.id} already`);
    const now = this.#deps.now();
    if (await this.#deps.stores.moderation.findBan(room.id, member.id, now)) {
      throw new ChatError("banned", `${member.username} is banned from ${room.id}: lift the ban first`);
    }
    await this.#consume("invite", actor.id, this.#deps.inviteRate);
    const invitation = { roomId: room.id, memberId: member.id, invitedBy: actor.id, atMs: now };
    if (await this.#deps.stores.moderation.invite(invitation)) {
      await this.#announceInvitation(RoomEventType.ROOM_EVENT_TYPE_INVITED, room, member, actor);
    }
    return { roomId: room.id, member: pick(member), action: "invite" };
  }

  /** Withdraws an invitation (owners and moderators), or declines one's own. */
  async uninvite(actor: Member, roomId: unknown, target: ModerationTarget): Promise<ModerationResult> {
    const id = validateRoomId(roomId);
    const member = await this.#target(target);
    const room = await this.#deps.stores.rooms.get(id);
    if (member.id === actor.id) {
      if (!room || !(await this.#deps.stores.moderation.findInvitation(id, actor.id))) {
        throw new ChatError("not_found", `no invitation to ${id}`);
      }
    } else {
      const scene = await this.#scene(actor, id, { memberId: member.id });
      requireModerator(scene.actorRole, "withdraw invitations");
      await this.#consume("moderate", actor.id, this.#deps.moderateRate);
    }
    if (room && (await this.#deps.stores.moderation.uninvite(id, member.id))) {
      await this.#announceInvitation(RoomEventType.ROOM_EVENT_TYPE_UNINVITED, room, member, actor);
    }
    return { roomId: id, member: pick(member), action: "uninvite" };
  }

  /** Whether the member is an owner or moderator of the room (what listing bans and invitations needs). */
  async requireModeratorOf(memberId: number, roomId: unknown): Promise<Room> {
    const access = await this.#deps.rooms.access(memberId, roomId);
    if (access.role === null) throw new ChatError("forbidden", "direct conversations have no moderation");
    requireModerator(access.role, "see this");
    const room = await this.#deps.stores.rooms.get(access.room.id);
    if (!room) throw new ChatError("room_not_found", `room ${access.room.id} does not exist`);
    return room;
  }

  /** To the invitee's own connections (with the room, so their apps can list it) and to the room. */
  async #announceInvitation(type: RoomEventType, room: Room, member: Member, actor: Member): Promise<void> {
    const event = roomEvent(type, room.id, member, { actor });
    const info = toRoomInfo({ room, ackedSeq: 0, peer: null, role: null, mute: null });
    await this.#deps.publisher.memberEvent(member.id, { ...event, room: info }, {});
    await this.#deps.publisher.roomEvent(event);
  }

  /** An owner stepping down: only while another owner remains, so that someone can still moderate the room. */
  async #checkStepDown(scene: Scene, role: RoomRole): Promise<void> {
    if (scene.actorRole !== "owner") throw new ChatError("insufficient_role", "only owners may change roles");
    if (role === "owner") return;
    const owners = await this.#deps.stores.rooms.withRole(scene.room.id, "owner", 2);
    if (owners.length < 2) {
      throw new ChatError("conflict", "the last owner cannot step down: make someone else an owner first");
    }
  }

  async #scene(actor: Member, roomId: unknown, target: ModerationTarget, options: { self?: boolean } = {}) {
    const access = await this.#deps.rooms.access(actor.id, roomId);
    if (access.role === null) throw new ChatError("forbidden", "direct conversations have no roles or moderation");
    const room = await this.#deps.stores.rooms.get(access.room.id);
    if (!room) throw new ChatError("room_not_found", `room ${access.room.id} does not exist`);
    const member = await this.#target(target);
    if (member.id === actor.id && !options.self) throw new ChatError("bad_request", "not something to do to yourself");
    const membership = await this.#deps.stores.rooms.membership(room.id, member.id);
    return { room, actorRole: access.role, target: member, membership } satisfies Scene;
  }

  async #target(target: ModerationTarget): Promise<Member> {
    const { members } = this.#deps.stores;
    if (target.memberId !== undefined && target.memberId !== 0) {
      if (!Number.isSafeInteger(target.memberId) || target.memberId < 0) {
        throw new ChatError("bad_request", "member id must be a positive integer");
      }
      const member = await members.findById(target.memberId);
      if (!member) throw new ChatError("member_not_found", `member ${target.memberId} does not exist`);
      return member;
    }
    if (typeof target.username !== "string" || target.username === "") {
      throw new ChatError("bad_request", "give the member's id or username");
    }
    const member = await members.findByUsername(target.username);
    if (!member) throw new ChatError("member_not_found", `no member is called ${target.username}`);
    return member;
  }

  async #consume(rule: "moderate" | "invite", memberId: number, rate: RateRule): Promise<void> {
    const decision = await this.#deps.rateLimiter.consume(`${rule}:${memberId}`, rate);
    if (!decision.allowed) {
      const what = rule === "invite" ? "inviting" : "moderating";
      throw new ChatError("rate_limited", `${what} too fast; try again later`, { retryAfterMs: decision.retryAfterMs });
    }
  }
}

function notInRoom(member: Member, room: Room): ChatError {
  return new ChatError("member_not_found", `${member.username} is not in ${room.id}`);
}

function pick(member: Member): Pick<Member, "id" | "username"> {
  return { id: member.id, username: member.username };
}
