import {
  ChatError,
  directRoomId,
  type Member,
  type Presence,
  type RateLimiter,
  type RateRule,
  type Room,
  type RoomRole,
  type Stores,
} from "@chatroom/core";
import { RoomEventType } from "@chatroom/proto/protocol";
import type { MemberAccess, MembershipCache, RoomRef } from "../cache/membership-cache.ts";
import type { LobbyOwners } from "./lobby-owners.ts";
import { announceEnded, roomEvent } from "./membership-events.ts";
import type { Publisher } from "./publisher.ts";
import type { PushCoalescer } from "./push-coalescer.ts";
import { LOBBY_ROOM_ID, validatePublicRoomId, validateRoomId, validateRoomName } from "./room-ids.ts";
import { type RoomDetails, RoomQueries } from "./room-queries.ts";
import { bannedError, mutedError } from "./room-restrictions.ts";
import { type MemberRoom, toRoomInfo, wireRole } from "./views.ts";

interface RoomServiceDeps {
  stores: Stores;
  presence: Presence;
  publisher: Publisher;
  online: PushCoalescer;
  memberships: MembershipCache;
  rateLimiter: RateLimiter;
  /** Rooms a member may create (public and private rooms, new direct conversations). */
  createRate: RateRule;
  /** Public and private rooms a member may belong to. */
  maxRoomsPerMember: number;
  lobbyOwners: LobbyOwners;
  now: () => number;
}

/**
 * Rooms and membership. Every membership change is applied in this order: RoomStore, then presence (all of the
 * member's live connections), then an OP_EVENT push to the member (their comets follow it) and one to the room.
 * Moderation (roles, kicks, bans, mutes, invitations) is ModerationService's; this enforces its outcome on joins,
 * sends and visibility.
 */
export class RoomService {
  readonly #deps: RoomServiceDeps;
  readonly #stores: Stores;
  readonly #presence: Presence;
  readonly #publisher: Publisher;
  readonly #now: () => number;
  readonly #queries: RoomQueries;

  constructor(deps: RoomServiceDeps) {
    this.#deps = deps;
    this.#stores = deps.stores;
    this.#presence = deps.presence;
    this.#publisher = deps.publisher;
    this.#now = deps.now;
    this.#queries = new RoomQueries(deps);
  }

  /** Creates the `lobby` room when missing and gives it the configured owners; safe to race with other logics. */
  async ensureLobby(): Promise<void> {
    if (!(await this.#stores.rooms.get(LOBBY_ROOM_ID))) {
      await this.#createIgnoringRace({ id: LOBBY_ROOM_ID, name: "Lobby", kind: "public", createdBy: 0 });
    }
    await this.#deps.lobbyOwners.sync(this.#stores, this.#deps.memberships);
  }

  /** A new public (or private) room; the creator joins it as its owner. */
  async create(creator: Member, roomId: unknown, name: unknown, options: { private?: boolean } = {}) {
    const id = validatePublicRoomId(roomId);
    const roomName = validateRoomName(name, id);
    await this.#checkRoomQuota(creator.id);
    await this.#consumeCreateToken(creator.id);
    const room = await this.#stores.rooms.create({
      id,
      name: roomName,
      kind: options.private ? "private" : "public",
      createdBy: creator.id,
      createdAtMs: this.#now(),
    });
    await this.#enter(room, creator, "owner", null);
    return this.memberRoom(creator.id, id);
  }

  listPublic(afterId: string | undefined, limit: number): Promise<Room[]> {
    return this.#stores.rooms.listPublic(afterId === undefined ? { limit } : { afterId, limit });
  }

  details(viewerId: number, roomId: unknown): Promise<RoomDetails> {
    return this.#queries.details(viewerId, validateRoomId(roomId));
  }

  /**
   * Joins a public room, or a private one the member is invited to (the invitation is used up); creates it first
   * when `create` is set and it does not exist (private when `private` is set), the creator becoming its owner.
   * Idempotent. banned while a ban is in force; room_not_found for a private room without an invitation.
   */
  async join(
    member: Member,
    roomId: unknown,
    options: { create?: boolean; name?: unknown; private?: boolean } = {},
  ): Promise<MemberRoom> {
    const id = validatePublicRoomId(roomId);
    let room = await this.#stores.rooms.get(id);
    let created = false;
    if (!room && options.create) {
      await this.#checkRoomQuota(member.id);
      await this.#consumeCreateToken(member.id);
      // Someone else's create may win the race: then this is an ordinary join.
      ({ room, created } = await this.#createIgnoringRace({
        id,
        name: validateRoomName(options.name, id),
        kind: options.private ? "private" : "public",
        createdBy: member.id,
      }));
    }
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    if (room.kind === "direct") throw new ChatError("forbidden", "direct conversations cannot be joined");
    if (await this.#stores.rooms.isMember(id, member.id)) return this.memberRoom(member.id, id);
    const ban = await this.#stores.moderation.findBan(id, member.id, this.#now());
    if (ban) throw bannedError(room.id, ban, this.#now());
    if (room.kind === "private" && !created && !(await this.#stores.moderation.findInvitation(id, member.id))) {
      throw new ChatError("room_not_found", `room ${id} does not exist`);
    }
    await this.#checkRoomQuota(member.id);
    const owns = created || (room.id === LOBBY_ROOM_ID && this.#deps.lobbyOwners.has(member.username));
    await this.#enter(room, member, owns ? "owner" : "member", null);
    if (room.kind === "private") await this.#stores.moderation.uninvite(id, member.id);
    return this.memberRoom(member.id, id);
  }

  /** Leaves a public or private room (the last owner's leaving hands the room on). Idempotent. */
  async leave(member: Member, roomId: unknown): Promise<void> {
    const id = validateRoomId(roomId);
    const room = await this.#stores.rooms.get(id);
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    if (room.kind === "direct") throw new ChatError("forbidden", "direct conversations cannot be left");
    const membership = await this.#stores.rooms.membership(id, member.id);
    if (!membership || !(await this.#stores.rooms.leave(id, member.id))) return;
    await announceEnded(this.#deps, room, member, roomEvent(RoomEventType.ROOM_EVENT_TYPE_LEFT, id, member));
    if (membership.role === "owner") await this.#handOn(room);
  }

  members(viewerId: number, roomId: unknown, afterMemberId: number | undefined, limit: number) {
    return this.#queries.members(viewerId, validateRoomId(roomId), afterMemberId, limit);
  }

  roomsOf(memberId: number): Promise<MemberRoom[]> {
    return this.#queries.roomsOf(memberId);
  }

  /** The room as the member sees it; not_member when they do not belong to it. */
  memberRoom(memberId: number, roomId: string): Promise<MemberRoom> {
    return this.#queries.memberRoom(memberId, roomId);
  }

  /** The member's standing in a room they belong to (cached: see MembershipCache); not_member otherwise. */
  async access(memberId: number, roomId: unknown): Promise<MemberAccess> {
    const id = validateRoomId(roomId);
    const cached = this.#deps.memberships.get(memberId, id);
    if (cached) return cached;
    const room = await this.#stores.rooms.get(id);
    if (!room) throw new ChatError("room_not_found", `room ${id} does not exist`);
    const membership = await this.#stores.rooms.membership(id, memberId);
    if (!membership) throw new ChatError("not_member", `not a member of ${id}`);
    const direct = room.kind === "direct";
    const access: MemberAccess = {
      room,
      role: direct ? null : membership.role,
      mute: direct ? null : await this.#queries.findMute(id, memberId),
    };
    this.#deps.memberships.set(memberId, access);
    return access;
  }

  /** The room if it exists and the member belongs to it. */
  async requireMember(memberId: number, roomId: unknown): Promise<RoomRef> {
    return (await this.access(memberId, roomId)).room;
  }

  /** The room if the member belongs to it and may speak there (send, type): muted while a mute is in force. */
  async requireSpeaker(memberId: number, roomId: unknown): Promise<RoomRef> {
    const { room, mute } = await this.access(memberId, roomId);
    const now = this.#now();
    if (mute && (mute.untilMs === null || mute.untilMs > now)) throw mutedError(room.id, mute.untilMs, now);
    return room;
  }

  /** The direct conversation of two members, created (with both as members) on first use. */
  async ensureDirect(sender: Member, peerId: number): Promise<Room> {
    if (!Number.isSafeInteger(peerId) || peerId <= 0) throw new ChatError("bad_request", "invalid member id");
    if (peerId === sender.id) throw new ChatError("bad_request", "cannot send a direct message to yourself");
    const peer = await this.#stores.members.findById(peerId);
    if (!peer) throw new ChatError("member_not_found", `member ${peerId} does not exist`);
    const id = directRoomId(sender.id, peer.id);
    let room = await this.#stores.rooms.get(id);
    if (!room) {
      await this.#consumeCreateToken(sender.id);
      ({ room } = await this.#createIgnoringRace({ id, name: id, kind: "direct", createdBy: sender.id }));
    }
    await this.#enter(room, sender, "member", peer);
    await this.#enter(room, peer, "member", sender);
    return room;
  }

  /** The member's stored read cursor in the room, or null when they are not a member. */
  async readCursor(memberId: number, roomId: string): Promise<number | null> {
    return (await this.#stores.rooms.membership(roomId, memberId))?.ackedSeq ?? null;
  }

  /**
   * Stores the membership and announces it. A ban recorded between the caller's check and the insert wins: the
   * store's ban ends the membership in its own transaction, and this re-check after the insert undoes a join the
   * ban's transaction could not see.
   */
  async #enter(room: Room, member: Member, role: RoomRole, peer: Member | null): Promise<void> {
    if (!(await this.#stores.rooms.join(room.id, member.id, this.#now(), role))) return;
    if (room.kind !== "direct") {
      const ban = await this.#stores.moderation.findBan(room.id, member.id, this.#now());
      if (ban) {
        await this.#stores.rooms.leave(room.id, member.id);
        await this.#deps.memberships.ended(member.id, room.id);
        throw bannedError(room.id, ban, this.#now());
      }
    }
    if ((await this.#presence.joinRoom(member.id, room.id)).length > 0) this.#deps.online.changed([room.id]);
    const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_JOINED, room.id, member);
    const view: MemberRoom = {
      room,
      ackedSeq: 0,
      peer: peer ? { id: peer.id, username: peer.username } : null,
      role: room.kind === "direct" ? null : role,
      mute: room.kind === "direct" ? null : await this.#queries.findMute(room.id, member.id),
    };
    await this.#publisher.memberEvent(member.id, { ...event, room: toRoomInfo(view) }, { join: [room.id] });
    if (room.kind !== "direct") await this.#publisher.roomEvent(event);
  }

  /**
   * After the last owner left: the longest-standing moderator, else the longest-standing member, owns the room (a
   * room is never left without someone able to moderate it). Not the lobby, whose owners come from the settings.
   */
  async #handOn(room: Room): Promise<void> {
    if (room.id === LOBBY_ROOM_ID) return;
    const rooms = this.#stores.rooms;
    if ((await rooms.withRole(room.id, "owner", 1)).length > 0) return;
    const [heir] = [
      ...(await rooms.withRole(room.id, "moderator", 1)),
      ...(await rooms.withRole(room.id, "member", 1)),
    ];
    if (!heir || !(await rooms.setRole(room.id, heir.memberId, "owner"))) return;
    await this.#deps.memberships.changed(heir.memberId, room.id);
    const member = await this.#stores.members.findById(heir.memberId);
    if (!member) return;
    const event = roomEvent(RoomEventType.ROOM_EVENT_TYPE_ROLE_CHANGED, room.id, member);
    await this.#publisher.roomEvent({ ...event, role: wireRole("owner") });
  }

  /** limit_exceeded when the member already belongs to the most public and private rooms allowed. */
  async #checkRoomQuota(memberId: number): Promise<void> {
    const max = this.#deps.maxRoomsPerMember;
    const rooms = await this.#stores.rooms.roomsOf(memberId);
    if (rooms.filter((r) => r.room.kind !== "direct").length >= max) {
      throw new ChatError(
        "limit_exceeded",
        `a member may belong to at most ${max} public and private rooms (CHATROOM_MAX_ROOMS_PER_MEMBER); leave one first`,
      );
    }
  }

  async #consumeCreateToken(memberId: number): Promise<void> {
    const decision = await this.#deps.rateLimiter.consume(`room-create:${memberId}`, this.#deps.createRate);
    if (!decision.allowed) {
      throw new ChatError("rate_limited", "creating rooms too fast; try again later", {
        retryAfterMs: decision.retryAfterMs,
      });
    }
  }

  /** The new room, or the one another request created meanwhile (then `created` is false). */
  async #createIgnoringRace(input: Omit<Room, "createdAtMs" | "lastSeq">): Promise<{ room: Room; created: boolean }> {
    try {
      return { room: await this.#stores.rooms.create({ ...input, createdAtMs: this.#now() }), created: true };
    } catch (error) {
      const existing =
        error instanceof ChatError && error.code === "room_exists" && (await this.#stores.rooms.get(input.id));
      if (existing) return { room: existing, created: false };
      throw error;
    }
  }
}
